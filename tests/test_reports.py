"""The reports CS leaders read: every notebook executes against a warehouse built from
generated data, every report renders in real headless Chromium with its plotly figures
drawn and no console error, the HTML opens offline with code hidden, the index links
every report, and a missing optional source is said plainly instead of failing.

The notebooks are rendered once per session (two warehouses: complete, and without
surveys.csv and community.csv) and every test reads those renders. Screenshots of every
page go to the session's tmp dir, or to $CS_REPORT_SCREENSHOTS when set, for a human to
look at.
"""
from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from cs_warehouse import reports
from cs_warehouse.dbt_runner import PROJECT_DIR
from conftest import open_warehouse

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
    "05_tier_coverage": 4,         # accounts per FTE, coverage over time, CSM load, touch compliance
    "06_voice_of_customer": 8,     # NPS by tier, by stage, CES, time to value, post-onboarding upsell,
                                   # tickets heatmap, tickets by month, community
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
PUBLIC_RELATIONS = set(re.findall(r"^\*\*(\w+)\*\*:", (PROJECT_DIR / "docs" / "marts.md").read_text(), re.M))
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


def _render(warehouse_path: Path, out_dir: Path, names=None):
    os.environ.setdefault("DO_NOT_TRACK", "1")
    return {report.name: report for report in reports.build_reports(
        warehouse=warehouse_path, out_dir=out_dir, names=names, log=lambda *_: None)}


@pytest.fixture(scope="session")
def rendered(small_warehouse, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("reports")
    return out_dir, _render(small_warehouse.path, out_dir)


@pytest.fixture(scope="session")
def rendered_degraded(degraded_warehouse, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("reports_degraded")
    return out_dir, _render(degraded_warehouse.path, out_dir, names=DEGRADED_NOTEBOOKS)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


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
        self.text = page.inner_text("body")
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        self.screenshot = screenshot_dir / f"{html_path.stem}.png"
        page.screenshot(path=str(self.screenshot), full_page=True)
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
def degraded_views(rendered_degraded, browser, screenshot_dir):
    out_dir, rendered_reports = rendered_degraded
    return {name: PageView(browser, report.html_path, screenshot_dir / "degraded")
            for name, report in rendered_reports.items()}


# --- the notebooks as sources -------------------------------------------------------------

NOTEBOOKS = reports.discover()


def test_the_six_reports_exist():
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
    links = _links(index)
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
    assert _links(index)[-1] == "validation.html"


def test_japanese_names_and_yen_render(small_warehouse, rendered, views):
    with open_warehouse(small_warehouse.path) as connection:
        names = [row[0] for row in connection.execute("select distinct csm_name from main.mart_csm_book").fetchall()
                 if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", row[0] or "")]
    assert names, "the generated data should have Japanese CSM names"
    view = views["05_tier_coverage"]
    assert any(name in view.text for name in names), "Japanese CSM names are not in the rendered page"
    assert view.cjk_font_available, "Chromium has no Noto Sans CJK JP glyphs: Japanese would render as boxes"
    assert view.svg_fonts and all("Noto Sans CJK JP" in font for font in view.svg_fonts), view.svg_fonts
    money = re.findall(r"¥\d{1,3}(?:,\d{3})+", views["01_cs_scorecard"].text)
    assert money, "money is not shown as ¥ with thousands separators"


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


def test_formatting_helpers():
    from cs_warehouse import warehouse as wh

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


# --- helpers ---------------------------------------------------------------------------------------

class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links += [value for key, value in attrs if key == "href"]


def _links(path: Path) -> list[str]:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links
