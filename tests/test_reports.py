"""The reports CS leaders read: every notebook executes against a warehouse built from
generated data, every report renders in real headless Chromium with its plotly figures
drawn and no console error, the HTML opens offline with code hidden, the index links
every report, and a missing optional source is said plainly instead of failing.

The notebooks are rendered once per session (two warehouses: complete, and without
surveys.csv and community.csv; the complete one in English and in Japanese) and every
test reads those renders. Screenshots of every page go to the session's tmp dir, or to
$CS_REPORT_SCREENSHOTS when set, for a human to look at.
"""
from __future__ import annotations

import os
import re
import shutil
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from conftest import open_warehouse

from cs_warehouse import reports
from cs_warehouse.dbt_runner import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# plotly figures each report draws on a complete generated dataset
EXPECTED_FIGURES = {
    "01_cs_scorecard": 3,          # headline cards, 10% rule, maturity level
    "02_revenue_retention": 5,     # MRR bridge, movements, NRR/GRR, churn variants, upsells by type
    "03_cohorts": 5,               # 3 retention heatmaps, KM by tier, KM by plan and industry
    "04_stages_health": 10,        # stage mix, stage-ups, churn by stage, Sankey, condition x upsell, matrix,
                                   # health backtest: AUC over time, AUC by predictor, decile lift, calibration
    "05_tier_coverage": 5,         # accounts per FTE, coverage over time, CSM load, NRR per CSM, touch compliance
    "06_voice_of_customer": 8,     # NPS by tier, by stage, CES, time to value, post-onboarding upsell,
                                   # tickets heatmap, tickets by month, community
    "07_action_lists": 1,          # onboardings in flight (the rest are tables)
}
# without surveys.csv and community.csv: the NPS charts, CES and community sections say why instead
DEGRADED_NOTEBOOKS = ["01_cs_scorecard", "04_stages_health", "06_voice_of_customer"]
EXPECTED_DEGRADED_FIGURES = {"01_cs_scorecard": 3, "04_stages_health": 10, "06_voice_of_customer": 4}
DEGRADED_MESSAGES = {
    "01_cs_scorecard": ["No survey data was provided (surveys.csv absent or empty), so NPS cannot be shown."],
    "06_voice_of_customer": [
        "No survey data was provided (surveys.csv absent or empty), so NPS cannot be shown.",
        "No survey data was provided (surveys.csv absent or empty), so CES after onboarding cannot be shown.",
        "No community activity data was provided (community.csv absent or empty), so community activity "
        "against NRR cannot be shown.",
    ],
}

# what notebooks may read: the public marts (docs/marts.md), the seeds and the calendar
PUBLIC_RELATIONS = set(re.findall(r"^### (\w+)$", (PROJECT_DIR / "docs" / "marts.md").read_text(), re.M))
SEEDS = {path.stem for path in (PROJECT_DIR / "seeds").glob("*.csv")}


# --- session renders ----------------------------------------------------------------

@pytest.fixture(scope="session")
def degraded_warehouse(small_dataset, warehouse_for, tmp_path_factory):
    """The small generated dataset without its survey and community exports."""
    raw_dir = tmp_path_factory.mktemp("raw_no_surveys_no_community")
    for path in Path(small_dataset).iterdir():
        if path.stem not in ("surveys", "community") and path.is_file():
            shutil.copy2(path, raw_dir / path.name)
    assert not list(raw_dir.glob("surveys.*")) and not list(raw_dir.glob("community.*"))
    return warehouse_for(raw_dir)


def _render(warehouse_path: Path, out_dir: Path, names=None, lang="en"):
    os.environ.setdefault("DO_NOT_TRACK", "1")
    return {report.name: report for report in reports.build_reports(
        warehouse=warehouse_path, out_dir=out_dir, names=names, log=lambda *_: None, lang=lang)}


@pytest.fixture(scope="session")
def rendered(small_warehouse, tmp_path_factory):
    """Every report in English (the tests that read English sentences use this one)."""
    out_dir = tmp_path_factory.mktemp("reports")
    return out_dir, _render(small_warehouse.path, out_dir)


@pytest.fixture(scope="session")
def rendered_ja(small_warehouse, tmp_path_factory):
    """Every report in Japanese, the default language."""
    out_dir = tmp_path_factory.mktemp("reports_ja")
    return out_dir, _render(small_warehouse.path, out_dir, lang="ja")


@pytest.fixture(scope="session")
def rendered_degraded(degraded_warehouse, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("reports_degraded")
    return out_dir, _render(degraded_warehouse.path, out_dir, names=DEGRADED_NOTEBOOKS)




class PageView:
    """What a reader's browser shows of one page."""

    def __init__(self, browser, html_path: Path, screenshot_dir: Path):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda message: self.console_errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('div.plotly-graph-div'))"
            ".every(div => div.querySelector('svg.main-svg'))", timeout=30_000)
        page.wait_for_timeout(300)
        self.figure_divs = page.locator("div.plotly-graph-div").count()
        self.figures_drawn = page.evaluate(
            "() => Array.from(document.querySelectorAll('div.plotly-graph-div'))"
            ".filter(div => div.querySelector('svg.main-svg') && div.getBoundingClientRect().height > 100).length")
        # every figure shows data: some trace drawn in its plot area
        self.figures_with_data = page.evaluate(
            "() => Array.from(document.querySelectorAll('div.plotly-graph-div')).filter(div => "
            "!!div.querySelector('g.hm image, g.indicatorlayer text.number, path.sankey-link') || "
            "Array.from(div.querySelectorAll('g.trace path')).some(shape => (shape.getAttribute('d') || '').length > 10)"
            ").length")
        # per figure: its title, whether a definition line follows it, and visible axes without a title
        self.labels = page.evaluate("""() => Array.from(document.querySelectorAll('div.plotly-graph-div')).map(div => {
            const full = div._fullLayout, user = div.layout || {};
            const title = (user.title && user.title.text) || '';
            const untitled = Object.keys(full).filter(key => /^[xy]axis\\d*$/.test(key)).filter(key => {
                const axis = full[key];
                if (!axis || axis.visible === false || axis.showticklabels === false) return false;
                const own = (user[key] || {}).title;
                const text = own && (typeof own === 'string' ? own : own.text);
                return !(text && text.trim());
            });
            return {title: title.split('<br>')[0], definition: title.split('<br>').slice(1).join(' '), untitled};
        })""")
        self.svg_fonts = page.evaluate(
            "() => Array.from(new Set(Array.from(document.querySelectorAll('svg.main-svg text'))"
            ".map(t => getComputedStyle(t).fontFamily)))")
        self.cjk_font_available = page.evaluate(
            "() => document.fonts.check('14px \"Noto Sans CJK JP\"', '佐藤 株式会社')")
        # every label a reader sees in a figure: titles, axis titles, legend entries, annotations
        self.figure_text = page.evaluate("""() => Array.from(document.querySelectorAll('div.plotly-graph-div'))
            .flatMap(div => Array.from(div.querySelectorAll(
                'text.gtitle, text.xtitle, text.ytitle, text.legendtext, g.annotation-text-g text, '
                + 'g.infolayer text, text.title'))
            .map(t => t.textContent.trim()).filter(Boolean))""")
        self.text = page.inner_text("body")
        self.page = page
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        self.screenshot = screenshot_dir / f"{html_path.stem}.png"
        page.screenshot(path=str(self.screenshot), full_page=True)
        self.tables = page.evaluate("""() => Array.from(document.querySelectorAll('table.cs-table')).map(table => ({
            rows: table.tBodies[0].rows.length,
            csv: (table.closest('.cs-table-wrap').previousElementSibling.querySelector('a.cs-download') || {}).href || null,
        }))""")
        self.sort_check = _sort_first_numeric_column(page)
        page.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    configured = os.environ.get("CS_REPORT_SCREENSHOTS")
    return Path(configured) if configured else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def views(rendered, browser, screenshot_dir):
    out_dir, rendered_reports = rendered
    return {name: PageView(browser, report.html_path, screenshot_dir) for name, report in rendered_reports.items()}


@pytest.fixture(scope="session")
def views_ja(rendered_ja, browser, screenshot_dir):
    out_dir, rendered_reports = rendered_ja
    return {name: PageView(browser, report.html_path, screenshot_dir / "ja")
            for name, report in rendered_reports.items()}


@pytest.fixture(scope="session")
def degraded_views(rendered_degraded, browser, screenshot_dir):
    out_dir, rendered_reports = rendered_degraded
    return {name: PageView(browser, report.html_path, screenshot_dir / "degraded")
            for name, report in rendered_reports.items()}


# --- the notebooks as sources -------------------------------------------------------------

NOTEBOOKS = reports.discover()


def test_the_seven_reports_exist():
    assert [path.stem for path in NOTEBOOKS] == list(EXPECTED_FIGURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_first_cell_states_the_question_and_the_marts_read(path):
    notebook = reports.read_notebook(path)
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    title, question = reports.describe(notebook)
    assert title and question.endswith("?"), f"{path.name}: the first cell needs a '# ' title and a **Question:**"
    reads = re.search(r"\*\*Reads:\*\*(.+)", first.source, re.S)
    assert reads, f"{path.name}: the first cell must list the marts it reads (**Reads:**)"
    listed = set(re.findall(r"`(\w+)`", reads.group(1)))
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    relation = r"(?:mart|fct|dim|int|stg|base|raw)_\w+|" + "|".join(sorted(SEEDS))
    used = set(re.findall(rf"""["']({relation})["']""", source))  # names passed to wh.mart, wh.availability...
    used |= set(re.findall(r"\bmain\.(\w+)", source))            # and relations in SQL
    assert used, f"{path.name} reads nothing"
    assert used <= listed, f"{path.name} reads {sorted(used - listed)} without saying so in its first cell"
    assert used <= PUBLIC_RELATIONS | SEEDS, f"{path.name} reads non-public relations {sorted(used - PUBLIC_RELATIONS - SEEDS)}"


def test_notebooks_open_paired_in_jupyterlab():
    """`make lab` serves notebooks/ through the contents manager that jupytext's server extension
    installs: a .py opens as a notebook, paired with an .ipynb, on the project's kernel."""
    import asyncio

    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    # the pairing holds for any notebook put in notebooks/, not only for those whose header says so
    config_file = find_jupytext_configuration_file(str(reports.NOTEBOOKS_DIR))
    assert config_file and Path(config_file).parent == reports.NOTEBOOKS_DIR
    assert load_jupytext_configuration_file(config_file).formats in ("ipynb,py:percent", ["ipynb,py:percent"])

    manager = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)(root_dir=str(reports.NOTEBOOKS_DIR))
    for path in NOTEBOOKS:
        model = asyncio.run(manager.get(path.name, content=True))
        assert model["type"] == "notebook", path.name
        metadata = model["content"]["metadata"]
        assert metadata["jupytext"]["formats"] == "ipynb,py:percent", path.name
        assert metadata["kernelspec"]["name"] == reports.PREFERRED_KERNEL, path.name
        assert model["content"]["cells"][0]["cell_type"] == "markdown"

    # and a double click opens a .py as a notebook: `make lab` points JupyterLab at settings
    # overrides that make Jupytext Notebook the default viewer for Python files
    import json

    lab_line = next(line for line in (PROJECT_DIR / "Makefile").read_text().splitlines() if "jupyter lab" in line)
    settings_dir = re.search(r"--LabApp\.app_settings_dir=\$\(CURDIR\)/(\S+)", lab_line)
    assert settings_dir, f"`make lab` does not set the app settings dir: {lab_line}"
    overrides = json.loads((PROJECT_DIR / settings_dir.group(1) / "overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"


# --- executing and rendering ------------------------------------------------------------------

@pytest.mark.parametrize("name", list(EXPECTED_FIGURES))
def test_every_notebook_executes_and_renders_its_figures(rendered, name):
    out_dir, rendered_reports = rendered
    report = rendered_reports[name]
    assert report.html_path == out_dir / f"{name}.html" and report.html_path.exists()
    assert report.figures == EXPECTED_FIGURES[name], (
        f"{name}: {report.figures} figures rendered, expected {EXPECTED_FIGURES[name]}; "
        f"sections not shown: {report.notes}")
    assert report.notes == [], f"{name} left sections out on a complete dataset: {report.notes}"


@pytest.mark.parametrize("name", list(EXPECTED_FIGURES))
def test_report_html_is_self_contained_with_code_hidden(rendered, name):
    page = rendered[1][name].html_path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I), \
        "the report loads something from the network"
    assert page.count("plotly.js v") >= 1 and "Plotly.newPlot" in page, "plotly.js is not embedded"
    assert "require.min.js" not in page and "mathjax@" not in page.lower() and "MathJax.js" not in page
    for code in ("from cs_warehouse import warehouse", "sys.path.insert", "wh.mart("):
        assert code not in page, f"code is visible in the report: {code!r}"
    assert not re.search(r"(In|Out)(\s|&nbsp;)*\[\d*\]:", page), "execution prompts are visible"


@pytest.mark.parametrize("name", list(EXPECTED_FIGURES))
def test_every_report_draws_in_chromium_without_console_errors(views, name):
    view = views[name]
    assert view.figure_divs == EXPECTED_FIGURES[name]
    assert view.figures_drawn == EXPECTED_FIGURES[name], f"{name}: only {view.figures_drawn} figures drawn"
    assert view.figures_with_data == EXPECTED_FIGURES[name], f"{name}: a figure has no data drawn"
    assert view.console_errors == [], f"{name}: console errors {view.console_errors}"
    for figure in view.labels:
        assert figure["title"].strip(), f"{name}: a figure has no title"
        assert len(re.sub(r"<[^>]+>", "", figure["definition"]).strip()) > 20, \
            f"{name}: '{figure['title']}' has no one-line definition under its title"
        assert figure["untitled"] == [], f"{name}: '{figure['title']}' has axes without a label: {figure['untitled']}"
    assert all(url.startswith(("file:", "data:", "blob:", "about:")) for url in view.requests), \
        f"{name} requested {[u for u in view.requests if not u.startswith('file:')]}"
    assert view.screenshot.stat().st_size > 50_000


def test_index_links_every_report(rendered, browser, screenshot_dir):
    out_dir, rendered_reports = rendered
    index = out_dir / "index.html"
    links = _links(index, css_class="report")
    assert links == [f"{name}.html" for name in EXPECTED_FIGURES]
    assert all((out_dir / link).exists() for link in links)
    text = index.read_text(encoding="utf-8")
    for report in rendered_reports.values():
        assert report.question and report.question in text.replace("&#x27;", "'")
    view = PageView(browser, index, screenshot_dir)
    assert view.console_errors == []


def test_index_links_validation_report_when_present(rendered, tmp_path):
    _, rendered_reports = rendered
    (tmp_path / "validation.html").write_text("<html><body>validation</body></html>", encoding="utf-8")
    index = reports.write_index(tmp_path, list(rendered_reports.values()), generated="now",
                                warehouse=Path("w.duckdb"), as_of=None)
    assert _links(index, css_class="report")[-1] == "validation.html"


def test_japanese_names_and_yen_render(small_warehouse, rendered, views):
    with open_warehouse(small_warehouse.path) as connection:
        names = [row[0] for row in connection.execute("select distinct csm_name from main.mart_csm_book").fetchall()
                 if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", row[0] or "")]
    assert names, "the generated data should have Japanese CSM names"
    view = views["05_tier_coverage"]
    assert any(name in view.text for name in names), "Japanese CSM names are not in the rendered page"
    assert view.cjk_font_available, "Chromium has no Noto Sans CJK JP glyphs: Japanese would render as boxes"
    assert view.svg_fonts and all("Noto Sans CJK JP" in font for font in view.svg_fonts), view.svg_fonts
    money = re.findall(r"¥\d+(?:\.\d+)?[MB]\b", views["01_cs_scorecard"].text)
    assert money, "money is not shown as ¥M / ¥B in English"
    assert not re.search(r"¥\d{1,3}(?:,\d{3}){2,}", views["01_cs_scorecard"].text), "money shown in full digits"


# --- missing optional data ------------------------------------------------------------------------

@pytest.mark.parametrize("name", DEGRADED_NOTEBOOKS)
def test_missing_surveys_and_community_are_said_plainly(rendered_degraded, degraded_views, name):
    _, rendered_reports = rendered_degraded
    report, view = rendered_reports[name], degraded_views[name]
    assert report.figures == EXPECTED_DEGRADED_FIGURES[name]
    assert view.figures_drawn == EXPECTED_DEGRADED_FIGURES[name]
    assert view.console_errors == []
    for message in DEGRADED_MESSAGES.get(name, []):
        assert message in view.text, f"{name} does not say: {message}"
    if name not in DEGRADED_MESSAGES:
        assert report.notes == []


def test_warehouse_helper_reads_only_and_explains_absence(degraded_warehouse, monkeypatch):
    from cs_warehouse import warehouse as wh

    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(degraded_warehouse.path))
    monkeypatch.setenv("CS_REPORT_LANG", "en")
    wh.close()
    try:
        assert len(wh.mart("mart_revenue_monthly")) > 0
        # without surveys the mart keeps its months, with no responses
        nps = wh.availability("mart_nps_monthly", what="NPS", source="surveys", rows_where="responses > 0")
        assert not nps and nps.message == ("No survey data was provided (surveys.csv absent or empty), "
                                           "so NPS cannot be shown.")
        missing = wh.availability("mart_that_does_not_exist", what="it")
        assert not missing and "not available" in missing.message
        assert wh.availability("mart_revenue_monthly", what="revenue")
        with pytest.raises(duckdb.Error):
            wh.query("create table main.should_not_exist as select 1")
        with pytest.raises(ValueError):
            wh.mart("mart_revenue_monthly; drop table x")
    finally:
        wh.close()


def test_formatting_helpers(monkeypatch):
    from cs_warehouse import warehouse as wh

    monkeypatch.setenv("CS_REPORT_LANG", "en")
    assert wh.yen(1234567) == "¥1,234,567"
    assert wh.yen(-1500.4) == "-¥1,500"
    assert wh.yen(2_500_000, compact=True) == "¥2.50M"
    assert wh.pct(0.0123) == "1.2%" and wh.pct(0.0123, 2) == "1.23%"
    assert wh.pct(None) == "n/a" and wh.yen(float("nan")) == "n/a"
    assert wh.points(12.4) == "+12" and wh.count(1, "response") == "1 response"


# --- failures --------------------------------------------------------------------------------------

def test_a_failing_notebook_is_named_with_its_cell(small_warehouse, tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "01_broken.py").write_text(
        "# %% [markdown]\n# # Broken\n# **Question:** Does it fail?\n\n"
        "# %%\nanswer = 42\n\n# %%\nraise ValueError('the mart has no such column')\n",
        encoding="utf-8")
    with pytest.raises(reports.ReportError) as caught:
        reports.build_reports(warehouse=small_warehouse.path, notebooks_dir=notebooks, out_dir=tmp_path / "out",
                              log=lambda *_: None)
    message = str(caught.value)
    assert "01_broken.py" in message and "code cell 2" in message
    assert "ValueError: the mart has no such column" in message
    assert not (tmp_path / "out" / "01_broken.html").exists()

    code = reports.main(["--warehouse", str(small_warehouse.path), "--notebooks-dir", str(notebooks),
                         "--out", str(tmp_path / "out")])
    assert code == 1 and "01_broken.py" in capsys.readouterr().err


def test_a_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(reports.ReportError, match="No warehouse at"):
        reports.build_reports(warehouse=tmp_path / "nope.duckdb", out_dir=tmp_path / "out")


# --- light pages, languages, lists ----------------------------------------------------------------

MAX_PAGE_BYTES = 6 * 1024 * 1024
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
# labels that read the same in both languages (acronyms and units)
NEUTRAL = re.compile(r"^[\s\d.,:;%+−\-–×()（）/=<>≤≥*¥·|χ²nrdfNRRGRRNPSCESCSMARRMRFTEAPISSOPOS]+$")


def _pages(out_dir: Path) -> list[Path]:
    return sorted(out_dir.glob("*.html"))


@pytest.mark.parametrize("fixture", ["rendered", "rendered_ja"])
def test_pages_are_light_and_embed_plotly_once(request, fixture):
    out_dir, _ = request.getfixturevalue(fixture)
    for page in _pages(out_dir):
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size <= MAX_PAGE_BYTES, f"{page.name} weighs {page.stat().st_size / 1e6:.1f} MB"
        if "plotly-graph-div" in text:
            assert len(re.findall(r"\* plotly\.js v\d", text)) == 1, f"{page.name} embeds plotly.js more than once"


def test_no_file_paths_and_sources_in_the_footer(rendered, views, small_warehouse):
    out_dir, _ = rendered
    for page in _pages(out_dir):
        text = page.read_text(encoding="utf-8")
        for path in (str(small_warehouse.path), str(small_warehouse.path.parent), str(PROJECT_DIR), "/tmp/"):
            assert path not in text, f"{page.name} shows a file path: {path}"
    for name, view in views.items():
        assert "Reads:" not in view.text, f"{name} still opens with the list of tables"
        footer = view.text.strip().splitlines()[-1]
        assert footer.startswith("Sources") and "mart_" in footer, f"{name}: no sources footer: {footer!r}"


def test_every_markdown_cell_has_both_languages():
    missing = []
    for path in NOTEBOOKS:
        for position, cell in enumerate(reports.read_notebook(path).cells):
            if cell.cell_type != "markdown" or not cell.source.strip():
                continue
            english, japanese = (reports.localise_markdown(cell.source, lang) for lang in ("en", "ja"))
            if english == japanese or not CJK.search(japanese) or not english.strip():
                missing.append(f"{path.name} markdown cell {position + 1}: {cell.source.strip()[:60]!r}")
    assert missing == [], "markdown cells without both languages:\n" + "\n".join(missing)


# the columns of the public marts that hold codes, and the kind of display name each needs
CODE_COLUMNS = [
    ("dim_accounts", "tier", "tier"), ("dim_accounts", "stage", "stage"), ("dim_accounts", "condition", "condition"),
    ("dim_accounts", "industry", "industry"), ("mart_stage_churn", "basis", "basis"),
    ("mart_stage_transitions", "from_stage", "stage"), ("mart_stage_transitions", "to_stage", "stage"),
    ("mart_condition_upsell", "condition", "condition"), ("mart_utilization_matrix", "level_x", "usage_level"),
    ("mart_utilization_matrix", "feature_x", "feature"), ("mart_utilization_matrix", "feature_y", "feature"),
    ("mart_expansion_monthly", "expansion_type", "expansion_type"), ("mart_cs_scorecard", "maturity_level", "maturity_level"),
    ("mart_product_feedback", "category", "ticket_category"), ("mart_product_feedback", "feature", "feature"),
    ("mart_survival", "segment_type", "segment_type"), ("fct_mrr_monthly", "movement", "movement"),
]


def test_every_code_has_a_display_name_in_both_languages(small_warehouse, demo_warehouse):
    """Lists every code shown in the reports that the seed display_names lacks, or lacks in one language."""
    import pandas as pd

    names = pd.read_csv(PROJECT_DIR / "seeds" / "display_names.csv", dtype=str, keep_default_na=False)
    assert not names.duplicated(["kind", "code"]).any(), "a code is named twice"
    empty = names[(names["en"].str.strip() == "") | (names["ja"].str.strip() == "")]
    untranslated = names[(names["ja"] == names["en"]) & ~names["en"].str.fullmatch(r"[A-Z0-9 ]+")]
    known = set(zip(names["kind"], names["code"]))
    missing = set()
    for warehouse in (small_warehouse, demo_warehouse):
        for relation, column, kind in CODE_COLUMNS:
            values = warehouse.query(f"select distinct {column} as code from main.{relation} where {column} is not null")
            missing |= {(kind, code) for code in values["code"] if (kind, code) not in known}
        for kind, relation, column in (("plan", "mart_survival", "segment"), ("industry", "mart_survival", "segment")):
            values = warehouse.query(f"select distinct segment from main.mart_survival where segment_type = '{kind}'")
            missing |= {(kind, code) for code in values["segment"] if (kind, code) not in known}
        for kind, column in (("tier", "tier"), ("maturity_level", "maturity_level"), ("feature", "feature")):
            seed = {"tier": "tier_policy", "maturity_level": "maturity_levels", "feature": "features"}[kind]
            values = warehouse.query(f"select distinct {column} as code from main.{seed}")
            missing |= {(kind, code) for code in values["code"] if (kind, code) not in known}
    assert not missing, f"codes without a display name: {sorted(missing)}"
    assert empty.empty, f"display names missing a language: {empty[['kind', 'code']].values.tolist()}"
    assert untranslated.empty, f"display names not translated: {untranslated[['kind', 'code']].values.tolist()}"


def _untranslated(labels: list[str], lang: str) -> list[str]:
    if lang == "ja":
        return [label for label in labels if not CJK.search(label) and re.search(r"[A-Za-z]{3,}", label)
                and not NEUTRAL.match(label)]
    return [label for label in labels if CJK.search(label)]


def test_japanese_pages_leave_no_label_untranslated(views_ja, small_warehouse):
    codes = small_warehouse.query("select distinct tier as code from main.dim_accounts union "
                                  "select maturity_level from main.mart_cs_scorecard union "
                                  "select distinct category from main.mart_product_feedback union "
                                  "select distinct feature from main.mart_product_feedback")["code"].dropna()
    codes = [code for code in codes if "_" in code]
    problems = {}
    for name, view in views_ja.items():
        # figure labels: names of accounts and CSMs are data, not labels, and are not among these
        found = _untranslated(view.figure_text, "ja")
        found += [code for code in codes if code in view.text or code in " ".join(view.figure_text)]
        found += [line for line in view.text.splitlines()
                  if re.match(r"^(In short|Question|Reporting month|Not shown|Sources)\b", line.strip())]
        if found:
            problems[name] = sorted(set(found))
    assert problems == {}, f"untranslated labels in the Japanese reports: {problems}"


def test_english_pages_have_no_japanese_labels(views):
    problems = {name: _untranslated(view.figure_text, "en") for name, view in views.items()}
    # Japanese company and CSM names are data, on tick labels and in tables: only figure titles, axes,
    # legends and annotations are checked
    problems = {name: found for name, found in problems.items() if found}
    assert problems == {}, f"Japanese labels in the English reports: {problems}"


def test_languages_use_their_date_and_money_conventions(views, views_ja):
    assert re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\b", views["01_cs_scorecard"].text)
    assert re.search(r"20\d\d年\d{1,2}月", views_ja["01_cs_scorecard"].text)
    assert re.search(r"\d[\d,.]*(億円|万円)", views_ja["01_cs_scorecard"].text)
    assert not re.search(r"¥\d+(?:\.\d+)?[MB]\b", views_ja["01_cs_scorecard"].text)


def test_report_language_setting_is_checked(monkeypatch):
    from cs_warehouse import warehouse as wh

    monkeypatch.setenv("CS_REPORT_LANG", "fr")
    with pytest.raises(reports.ReportError, match="CS_REPORT_LANG='fr'"):
        reports.report_language()
    monkeypatch.delenv("CS_REPORT_LANG")
    assert wh.language() == "ja", "the default language is Japanese"
    # the n below which a rate is greyed out is the dbt var that flagged it in the marts
    monkeypatch.setenv("CS_DBT_VARS", "{min_n_to_show: 25}")
    assert wh.min_n() == 25
    monkeypatch.setenv("CS_DBT_VARS", "{min_n_to_show: 0}")
    with pytest.raises(ValueError, match="min_n_to_show"):
        wh.min_n()
    monkeypatch.delenv("CS_DBT_VARS")
    assert wh.min_n() == 10


def test_language_helpers():
    from cs_warehouse import warehouse as wh

    cases = {"ja": ("2.48億円", "2,480万円", "2026年3月", "+1.2ポイント", "ティア1（ハイタッチ）"),
             "en": ("¥2.48B", "¥24.80M", "Mar 2026", "+1.2 pt", "Tier 1 (high touch)")}
    for lang, (large, smaller, month, change, tier) in cases.items():
        os.environ["CS_REPORT_LANG"] = lang
        try:
            assert wh.money(2_480_000_000 if lang == "en" else 248_011_478) == large
            assert wh.money(24_801_000) == smaller
            assert wh.month_label("2026-03-01") == month
            assert wh.pp(0.012) == change
            assert wh.name("tier", "tier1_high_touch") == tier
            assert wh.name("tier", "a_customer_tier") == "a_customer_tier", "an unknown code shows as it is"
        finally:
            os.environ.pop("CS_REPORT_LANG", None)
    assert wh.intervals_overlap(0.1, 0.3, 0.25, 0.5) and not wh.intervals_overlap(0.1, 0.2, 0.25, 0.5)
    assert wh.intervals_overlap(None, 0.3, 0.25, 0.5), "an unknown interval never supports a claimed difference"


# each list to act on, the report that shows it, and its mart: the page lists every row of the mart
ACTION_LISTS = [("05_tier_coverage", "mart_overdue_touches"), ("07_action_lists", "mart_renewals_due"),
                ("07_action_lists", "mart_accounts_at_risk"), ("07_action_lists", "mart_upsell_candidates"),
                ("07_action_lists", "mart_onboarding_in_flight")]


@pytest.mark.parametrize("name,mart", ACTION_LISTS, ids=[mart for _, mart in ACTION_LISTS])
def test_action_lists_show_every_row_sort_and_download(views, small_warehouse, name, mart):
    view = views[name]
    rows = int(small_warehouse.query(f"select count(*) as n from main.{mart}")["n"].iloc[0])
    assert rows > 0, f"the generated data should fill {mart}"
    assert any(table["rows"] == rows for table in view.tables), f"{mart}: the list on {name} is cut off"
    for table in view.tables:
        assert table["csv"] and table["csv"].startswith("data:text/csv"), "a table without its CSV download"
        csv_text = urllib.parse.unquote(table["csv"].split(",", 1)[1]).lstrip("\ufeff")
        assert len(csv_text.strip().splitlines()) == table["rows"] + 1, "the CSV does not hold every row"
    assert view.sort_check == "sorted", f"clicking a header does not sort: {view.sort_check}"


def test_index_has_an_executive_summary(rendered, rendered_ja, browser, screenshot_dir, small_warehouse):
    import pandas as pd

    revenue = small_warehouse.query("select * from main.mart_revenue_monthly order by month")
    as_of = pd.Timestamp(small_warehouse.query("select max(as_of_date) as day from main.dim_accounts")["day"].iloc[0])
    partial = revenue[(revenue["month"] == as_of.replace(day=1)) & (as_of != as_of + pd.offsets.MonthEnd(0))]
    for out_dir, lang in ((rendered[0], "en"), (rendered_ja[0], "ja")):
        view = PageView(browser, out_dir / "index.html", screenshot_dir / f"index_{lang}")
        assert view.console_errors == []
        text = view.text
        assert ("Executive summary" if lang == "en" else "エグゼクティブサマリー") in text
        assert ("Month to date" if lang == "en" else "今月途中") in text, "no month-to-date figures"
        assert ("Alerts" if lang == "en" else "アラート") in text
        # every report is linked with its sections
        links = _links(out_dir / "index.html")
        for name in EXPECTED_FIGURES:
            assert any(link.startswith(f"{name}.html#") for link in links), f"no section links for {name}"
    if len(partial):
        # the month to date's churn, as the mart has it, is on the index
        from cs_warehouse import warehouse as wh

        row = partial.iloc[0]
        os.environ["CS_REPORT_LANG"] = "en"
        try:
            expected = f"Month to date: {wh.money(row['churned_mrr'])}"
        finally:
            os.environ.pop("CS_REPORT_LANG", None)
        assert expected in PageView(browser, rendered[0] / "index.html", screenshot_dir).text


def test_reports_print_to_pdf(rendered, browser, tmp_path):
    """`make reports-pdf`: one PDF per page, printed on A4 landscape by headless Chromium."""
    out_dir, _ = rendered
    pages = ["index", "07_action_lists"]
    for name in pages:
        shutil.copy2(out_dir / f"{name}.html", tmp_path / f"{name}.html")
    written = reports.export_pdfs(tmp_path, browser=browser, log=lambda *_: None)
    assert [path.stem for path in written] == pages
    for path in written:
        data = path.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 20_000, f"{path.name} is not a printed report"
        # A4 landscape: about 842 x 596 points
        width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data).groups())
        assert abs(width - 842) < 2 and abs(height - 595) < 2, f"{path.name} is not A4 landscape: {width} x {height}"


def test_summary_alerts_on_a_churn_spike_in_the_month_to_date():
    """A planted spike in the partial month raises an alert; the same month at its usual level does not."""
    import pandas as pd

    from cs_warehouse import summary

    months = pd.date_range("2025-01-01", periods=14, freq="MS")
    revenue = pd.DataFrame({
        "month": months, "churned_mrr": [100_000.0] * 14, "churned_customers": [2] * 14,
        "customers_start": [200] * 14, "logo_churn_rate": [0.01] * 14, "renewals_due": [20] * 14,
        "renewals_churned": [2] * 14, "renewal_churn_rate": [0.1] * 14, "nrr_12m": [1.02] * 14,
        "grr_12m": [0.95] * 14, "annualized_logo_churn": [0.08] * 14, "meets_10pct_rule": [True] * 14,
    })
    as_of = months[-1] + pd.Timedelta(days=14)
    quiet = summary.alerts(revenue, None, pd.DataFrame(), pd.DataFrame(), months[-2], months[-1], {}, as_of=as_of)
    assert quiet == []
    spiked = revenue.copy()
    spiked.loc[13, ["churned_mrr", "churned_customers", "logo_churn_rate"]] = [900_000.0, 15, 0.075]
    found = summary.alerts(spiked, None, pd.DataFrame(), pd.DataFrame(), months[-2], months[-1],
                           {"revenue": "02.html"}, as_of=as_of)
    assert len(found) == 1 and found[0].link == "02.html"
    assert "more than in any of the 12 months before" in found[0].text or "どの月よりも" in found[0].text


# --- helpers ---------------------------------------------------------------------------------------

class _LinkParser(HTMLParser):
    def __init__(self, css_class: str | None = None):
        super().__init__()
        self.css_class = css_class
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and (self.css_class is None or self.css_class in (attributes.get("class") or "").split()):
            self.links += [value for key, value in attrs if key == "href"]


def _links(path: Path, css_class: str | None = None) -> list[str]:
    parser = _LinkParser(css_class)
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def _sort_first_numeric_column(page) -> str:
    """Click the header of the first table column holding numbers and check that rows come out in order."""
    return page.evaluate("""() => {
        const table = document.querySelector('table.cs-sortable');
        if (!table || table.tBodies[0].rows.length < 2) return 'no table';
        const rows = () => Array.from(table.tBodies[0].rows);
        const headers = Array.from(table.querySelectorAll('thead th'));
        const column = headers.findIndex((h, i) => rows().every(r => {
            const v = r.cells[i].getAttribute('data-sort'); return v === '' || !isNaN(parseFloat(v)); }));
        if (column < 0) return 'no numeric column';
        headers[column].click();
        const values = rows().map(r => r.cells[column].getAttribute('data-sort')).filter(v => v !== '').map(parseFloat);
        for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) return 'not ascending';
        headers[column].click();
        const back = rows().map(r => r.cells[column].getAttribute('data-sort')).filter(v => v !== '').map(parseFloat);
        for (let i = 1; i < back.length; i++) if (back[i] > back[i - 1]) return 'not descending';
        return 'sorted';
    }""")
