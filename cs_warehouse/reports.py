"""Render the notebooks into self-contained HTML reports: `python -m cs_warehouse.reports`.

Every jupytext notebook in notebooks/ (NN_name.py, py:percent) is executed against the
warehouse at CS_WAREHOUSE_PATH and written to reports/NN_name.html, with code cells and
prompts hidden and plotly.js embedded once per page (no CDN: the reports open offline).
The language is CS_REPORT_LANG (`ja`, the default, or `en`): a markdown cell holds its
English text, then a line `<!-- ja -->`, then its Japanese text, and only the chosen one
is rendered; the notebooks' code labels everything through `wh.tr(en, ja)`. The
"**Reads:**" line of a notebook's first cell moves to the page's footer.
reports/index.html opens with an executive summary (KPI tiles for the reporting month
and the month to date, alerts, links to every section), then links every report, and
reports/validation.html when `make validate` wrote it.

A notebook that raises stops the run with a message naming the notebook and the cell.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cs_warehouse import settings

PROJECT_DIR = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
REPORTS_DIR = PROJECT_DIR / "reports"
PREFERRED_KERNEL = "cs-warehouse"
FALLBACK_KERNEL = "python3"

# nbconvert's lab template, without the CDN scripts (require.js, MathJax, mermaid) that
# the reports do not use, with the house font, readable tables and a link back to the index.
REPORT_TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js -%}
<script type="text/javascript">{{ resources.cs_plotlyjs }}</script>
{%- endblock html_head_js -%}
{%- block extra_css -%}
<style type="text/css">
  body, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown {
    font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif;
  }
  body { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px 24px; color: #263238; }
  .jp-Cell { padding: 2px 0; }
  .jp-InputPrompt, .jp-OutputPrompt, .jp-Collapser { display: none; }
  .jp-RenderedHTMLCommon { padding-left: 5px !important; padding-right: 0; }
  .jp-OutputArea-output { overflow-x: auto; }
  .cs-nav { font-size: 13px; padding: 14px 0 4px 0; color: #546e7a; }
  .cs-nav a { color: #1565c0; text-decoration: none; }
  .jp-RenderedMarkdown blockquote { border-left: 4px solid #d84315; background: #fbe9e7;
    margin: 8px 0; padding: 8px 14px; color: #4e342e; }
  table.cs-table { border-collapse: collapse; font-size: 13px; margin: 6px 0 18px 0; }
  table.cs-table th { background: #eceff1; text-align: left; padding: 6px 10px;
    border-bottom: 2px solid #b0bec5; }
  table.cs-table td { padding: 5px 10px; border-bottom: 1px solid #eceff1; text-align: right;
    white-space: nowrap; }
  table.cs-table td:first-child, table.cs-table th:first-child { text-align: left; }
  table.cs-table tr:hover td { background: #f5f7f8; }
  .cs-caption { margin-bottom: 2px; }
{{ resources.cs_shared_css }}
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="cs-nav"><a href="index.html">&larr; {{ resources.cs_labels.all_reports | e }}</a>
{%- if resources.cs_generated %} &middot; {{ resources.cs_labels.generated | e }} {{ resources.cs_generated | e }}{% endif -%}
</nav>
{%- endblock body_header -%}
{% block body_footer %}
{%- if resources.cs_sources %}
<footer class="cs-footer">{{ resources.cs_labels.sources | e }}: {{ resources.cs_sources | e }}</footer>
{%- endif %}
<script type="text/javascript">{{ resources.cs_table_js }}</script>
{{ super() }}
{% endblock body_footer %}
"""

# shared by the report pages and the index: sortable tables, CSV links, greyed rows, footer, print
SHARED_CSS = """
  .cs-table-tools { font-size: 12px; color: #546e7a; margin: 2px 0 4px 0; }
  .cs-table-tools a { color: #1565c0; }
  .cs-table-wrap { display: inline-block; max-width: 100%; max-height: 560px; overflow: auto; margin-bottom: 18px;
    border: 1px solid #eceff1; }
  table.cs-table thead th { position: sticky; top: 0; cursor: pointer; user-select: none; }
  table.cs-table thead th[aria-sort=ascending]::after { content: " ▲"; font-size: 10px; }
  table.cs-table thead th[aria-sort=descending]::after { content: " ▼"; font-size: 10px; }
  table.cs-table tr.cs-muted td { color: #9e9e9e; }
  .cs-footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid #cfd8dc; color: #78909c;
    font-size: 12px; }
  @page { size: A4 landscape; margin: 10mm; }
  @media print {
    body { max-width: none; padding: 0; }
    .cs-table-wrap { display: block; max-height: none; overflow: visible; border: none; }
    /* a list as wide as the page: smaller type, cells that wrap */
    table.cs-table { width: 100%; font-size: 9.5px; }
    table.cs-table th, table.cs-table td { padding: 2px 4px; white-space: normal; }
    table.cs-table thead th { position: static; }
    .cs-download, .cs-nav a { display: none; }
    .plotly-graph-div, table.cs-table tr, .cs-caption { break-inside: avoid; }
    .cs-caption, h2, h3 { break-after: avoid; }
  }
"""

# a click on a header sorts a .cs-sortable table by that column (numbers as numbers; data-sort holds the raw value)
TABLE_JS = """
document.querySelectorAll('table.cs-sortable').forEach(function (table) {
  table.querySelectorAll('thead th').forEach(function (header, column) {
    header.addEventListener('click', function () {
      var ascending = header.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var key = function (row) { var cell = row.cells[column]; return cell.getAttribute('data-sort') || ''; };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === '' && y !== '') return 1;
        if (y === '' && x !== '') return -1;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny) && String(nx) !== 'NaN' && /^-?[0-9.e+-]+$/.test(x) && /^-?[0-9.e+-]+$/.test(y))
          ? nx - ny : x.localeCompare(y, document.documentElement.lang || 'ja');
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""

MAX_PAGE_BYTES = 6 * 1024 * 1024

LABELS = {
    "all_reports": ("All reports", "レポート一覧"),
    "generated": ("generated", "作成"),
    "sources": ("Sources (warehouse tables)", "データ元（ウェアハウスのテーブル）"),
}
LANG_SPLIT = re.compile(r"^\s*<!--\s*ja\s*-->\s*$", re.MULTILINE)
READS = re.compile(r"^\*\*Reads:\*\*.*?(?=\n\s*\n|\Z)", re.MULTILINE | re.DOTALL)
QUESTION = re.compile(r"\*\*(?:Question|問い):?\*\*:?\s*(.+)")


def label(key: str, lang: str) -> str:
    en, ja = LABELS[key]
    return ja if lang == "ja" else en


def localise_markdown(source: str, lang: str) -> str:
    """The part of a markdown cell in `lang`: English before a `<!-- ja -->` line, Japanese after it."""
    parts = LANG_SPLIT.split(source, maxsplit=1)
    if len(parts) == 1:
        return source
    if lang != "ja":
        return parts[0].strip("\n")
    # Japanese has no spaces between words: a line break inside a paragraph joins without one
    lines = []
    for line in parts[1].strip("\n").splitlines():
        continues = (lines and lines[-1].strip() and not lines[-1].lstrip().startswith("#")
                     and line.strip() and not re.match(r"\s*([#>|*-]|\d+\.)", line))
        if continues:
            lines[-1] += line.strip()
        else:
            lines.append(line)
    return "\n".join(lines)


def localise(notebook, lang: str) -> tuple[object, str]:
    """Keep each markdown cell's text in `lang`; take the first cell's **Reads:** line out for the footer."""
    sources = ""
    for position, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        if position == 0 or not sources:
            found = READS.search(cell.source)
            if found:
                sources = ", ".join(re.findall(r"`(\w+)`", found.group(0)))
        text = localise_markdown(cell.source, lang)
        cell.source = READS.sub("", text).strip("\n")
    return notebook, sources

_EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                       re.IGNORECASE)


NOT_SHOWN = r"Not shown\.|表示なし。"
LANG_ENV = "CS_REPORT_LANG"


def report_language() -> str:
    """$CS_REPORT_LANG ('ja' by default, or 'en'); anything else is an error naming the setting."""
    from cs_warehouse.warehouse import language

    try:
        return language()
    except ValueError as error:
        raise ReportError(str(error)) from None


class ReportError(RuntimeError):
    """A notebook could not be executed or rendered; the message says which and where."""


@dataclass
class Report:
    name: str
    title: str
    question: str
    source: Path
    html_path: Path
    figures: int
    seconds: float
    notes: list[str] = field(default_factory=list)


def discover(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The report notebooks: notebooks/NN_name.py, in order."""
    return sorted(path for path in Path(notebooks_dir).glob("[0-9]*.py") if path.is_file())


def kernel_name() -> str:
    """The project's kernel if installed (make setup), else the default python3 kernel."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return PREFERRED_KERNEL if PREFERRED_KERNEL in specs else FALLBACK_KERNEL


def read_notebook(path: Path):
    import jupytext

    return jupytext.read(path, fmt="py:percent")


def describe(notebook) -> tuple[str, str]:
    """(title, question) from the first markdown cell: its '# ' heading and '**Question:**' line."""
    first = next((cell for cell in notebook.cells if cell.cell_type == "markdown"), None)
    if first is None:
        return "", ""
    title = next((line[2:].strip() for line in first.source.splitlines() if line.startswith("# ")), "")
    match = QUESTION.search(first.source)
    return title, (match.group(1).strip() if match else "")


def kernel_env(warehouse: Path, lang: str | None = None) -> dict:
    env = dict(os.environ)
    if lang:
        env[LANG_ENV] = lang
    env["CS_WAREHOUSE_PATH"] = str(Path(warehouse).resolve())
    env["CS_REPORT_RENDER"] = "1"
    env["DO_NOT_TRACK"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")]))
    return env


def execute(path: Path, warehouse: Path, *, kernel: str | None = None, timeout: int = 600,
            lang: str | None = None):
    """Run every cell of the notebook (markdown in `lang`) in a fresh kernel; return it and its sources."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    lang = lang or report_language()
    notebook, sources = localise(read_notebook(path), lang)
    kernel = kernel or kernel_name()
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    current = {"index": None}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": str(Path(path).parent)}},
        on_cell_start=on_cell_start,
    )
    # the kernel's own stderr (startup chatter such as ipykernel's transport warning) goes to a
    # temporary file, and into the error message when the notebook fails
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as kernel_log:
        try:
            client.execute(env=kernel_env(warehouse, lang), stderr=kernel_log)
        except (CellExecutionError, CellTimeoutError) as error:
            raise ReportError(_cell_failure(path, notebook, current["index"], error, timeout)) from None
        except Exception as error:  # the kernel died or would not start
            kernel_log.seek(0)
            raise ReportError(f"Notebook {_display_path(path)} could not be run: {type(error).__name__}: {error}\n"
                              f"kernel output:\n{kernel_log.read()[-3000:]}") from None
    return notebook, sources


def _cell_failure(path, notebook, index, error, timeout) -> str:
    """Which notebook, which cell, what it raised, and the cell's first lines."""
    from nbclient.exceptions import CellExecutionError

    source = notebook.cells[index].source if index is not None else ""
    excerpt = "\n".join("    " + line for line in source.splitlines()[:6])
    code_cells = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    number = code_cells.index(index) + 1 if index in code_cells else "?"
    reason = (f"{error.ename}: {error.evalue}" if isinstance(error, CellExecutionError)
              else f"timed out after {timeout}s")
    position = f"cell {index + 1}" if index is not None else "a cell"
    details = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # the traceback without terminal colours
    return (f"Notebook {_display_path(path)} failed in {position} (code cell {number}): {reason}\n"
            f"  cell source:\n{excerpt}\n\n{details}")


def to_html(notebook, *, title: str, generated: str = "", lang: str = "ja", sources: str = "") -> str:
    """Self-contained HTML, code cells and prompts hidden, plotly.js once in the head."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from plotly.offline import get_plotlyjs

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"cs_report.html.j2": REPORT_TEMPLATE})],
        template_file="cs_report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        theme="light",
    )
    exporter.language_code = lang
    notebook.metadata["title"] = title
    resources = {"cs_generated": generated, "cs_sources": sources, "cs_plotlyjs": get_plotlyjs(),
                 "cs_shared_css": SHARED_CSS, "cs_table_js": TABLE_JS,
                 "cs_labels": {key: label(key, lang) for key in LABELS}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


def check_offline(page: str, name: str) -> None:
    """A report must open offline: nothing loaded from another host."""
    found = _EXTERNAL.search(page)
    if found:
        raise ReportError(f"Report {name} would load {found.group(0)!r} from the network")


def count_figures(page: str) -> int:
    return len(re.findall(r'class="plotly-graph-div"', page))


def render(path: Path, warehouse: Path, out_dir: Path, *, kernel: str | None = None,
           timeout: int = 600, generated: str = "", lang: str | None = None, log=print) -> Report:
    started = time.monotonic()
    lang = lang or report_language()
    notebook, sources = execute(path, warehouse, kernel=kernel, timeout=timeout, lang=lang)
    title, question = describe(notebook)
    page = to_html(notebook, title=title or path.stem, generated=generated, lang=lang, sources=sources)
    check_offline(page, path.stem)
    size = len(page.encode("utf-8"))
    if size > MAX_PAGE_BYTES:
        log(f"  warning: {path.stem}.html weighs {size / 1e6:.1f} MB, more than {MAX_PAGE_BYTES / 1e6:.1f} MB")
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{path.stem}.html"
    html_path.write_text(page, encoding="utf-8")
    notes = [_plain(output.get("data", {}).get("text/markdown", ""))
             for cell in notebook.cells if cell.cell_type == "code"
             for output in cell.get("outputs", [])
             if re.search(NOT_SHOWN, output.get("data", {}).get("text/markdown", ""))]
    return Report(path.stem, title or path.stem, question, Path(path), html_path, count_figures(page),
                  time.monotonic() - started, notes)


REPORT_KEYS = {"01": "scorecard", "02": "revenue", "03": "cohorts", "04": "stages", "05": "coverage", "06": "voice",
               "07": "lists"}
INDEX_LABELS = {
    "title": ("Customer Success reports", "カスタマーサクセス レポート"),
    "as_of": ("Data as of", "データ基準日"),
    "reports": ("Reports", "レポート"),
    "validation": ("Raw data validation", "元データの検証"),
    "validation_q": ("Did every raw file meet the data contract, and what was rejected?",
                     "すべての元データがデータ契約を満たしたか、何が除外されたか"),
}


def sections(page: str) -> list[tuple[str, str]]:
    """(anchor, heading) of every '## ' section of a rendered report."""
    found = []
    for anchor, heading in re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)(?:<a class="anchor-link"|</h2>)', page, re.S):
        found.append((anchor, html.unescape(re.sub(r"<[^>]+>", "", heading)).strip()))
    return found


def write_index(out_dir: Path, reports: list[Report], *, generated: str, warehouse: Path,
                as_of: str | None, lang: str | None = None, summary: str = "") -> Path:
    lang = lang or report_language()

    def text(key):
        en, ja = INDEX_LABELS[key]
        return ja if lang == "ja" else en

    rows = []
    for report in reports:
        note = ""
        if report.notes:
            note = "<ul class='notes'>" + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes) + "</ul>"
        links = ""
        if report.html_path.exists():
            found = sections(report.html_path.read_text(encoding="utf-8"))
            if found:
                links = "<div class='sections'>" + " &middot; ".join(
                    f"<a href='{html.escape(report.html_path.name)}#{html.escape(anchor, quote=True)}'>"
                    f"{html.escape(heading)}</a>" for anchor, heading in found) + "</div>"
        rows.append(
            f"<li><a class='report' href='{html.escape(report.html_path.name)}'>{html.escape(report.title)}</a>"
            f"<div class='q'>{html.escape(report.question)}</div>{links}{note}</li>"
        )
    validation = out_dir / "validation.html"
    if validation.exists():
        rows.append(f"<li><a class='report' href='validation.html'>{html.escape(text('validation'))}</a>"
                    f"<div class='q'>{html.escape(text('validation_q'))}</div></li>")
    as_of_line = f"{text('as_of')} <strong>{html.escape(as_of)}</strong> &middot; " if as_of else ""
    page = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(text('title'))}</title>
<style>
  body {{ font-family: "Noto Sans CJK JP", "Noto Sans JP", sans-serif; max-width: 1080px;
         margin: 32px auto; padding: 0 24px; color: #263238; }}
  h1 {{ font-size: 26px; margin-bottom: 4px; }}
  h2 {{ font-size: 20px; margin: 26px 0 6px 0; }}
  h3 {{ font-size: 16px; margin: 18px 0 6px 0; }}
  .meta {{ color: #546e7a; font-size: 13px; margin-bottom: 14px; }}
  ol {{ padding-left: 22px; }}
  ol > li {{ margin-bottom: 18px; }}
  a {{ color: #1565c0; text-decoration: none; }}
  a.report {{ font-size: 18px; font-weight: 600; }}
  .q {{ color: #37474f; margin-top: 2px; }}
  .sections {{ font-size: 13px; margin-top: 4px; color: #90a4ae; }}
  .notes {{ color: #bf360c; font-size: 13px; margin-top: 4px; }}
  .notes li {{ margin-bottom: 2px; }}
  .tiles {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }}
  .tile {{ border: 1px solid #cfd8dc; border-radius: 6px; padding: 10px 12px; background: #fafbfc;
           break-inside: avoid; }}
  .tile .label {{ font-size: 12px; color: #546e7a; }}
  .tile .value {{ font-size: 21px; font-weight: 600; margin: 2px 0; }}
  .tile .delta {{ font-size: 12px; color: #607d8b; }}
  .tile .delta.good {{ color: #2e7d32; }}
  .tile .delta.bad {{ color: #c62828; }}
  .tile .mtd {{ font-size: 12.5px; margin-top: 6px; padding-top: 5px; border-top: 1px dashed #cfd8dc; }}
  .tile .mtd.alert {{ color: #c62828; font-weight: 600; }}
  ul.alerts li {{ margin-bottom: 6px; }}
  @page {{ size: A4 landscape; margin: 10mm; }}
  @media print {{ body {{ max-width: none; margin: 0; }} }}
</style></head>
<body>
<h1>{html.escape(text('title'))}</h1>
<div class="meta">{as_of_line}{html.escape(label('generated', lang))} {html.escape(generated)}</div>
{summary}
<h2>{html.escape(text('reports'))}</h2>
<ol>
{chr(10).join(rows)}
</ol>
</body></html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def executive_summary(warehouse: Path, reports: list[Report]) -> str:
    """The summary block of the index, read from the warehouse in the report language."""
    from cs_warehouse import summary
    from cs_warehouse import warehouse as wh

    links = {}
    for report in reports:
        key = REPORT_KEYS.get(report.name[:2])
        if key:
            links[key] = report.html_path.name
    previous = os.environ.get("CS_WAREHOUSE_PATH")
    os.environ["CS_WAREHOUSE_PATH"] = str(warehouse)
    wh.close()
    try:
        return summary.render(links, [])
    finally:
        wh.close()
        if previous is None:
            os.environ.pop("CS_WAREHOUSE_PATH", None)
        else:
            os.environ["CS_WAREHOUSE_PATH"] = previous


def build_reports(*, warehouse: Path | None = None, notebooks_dir: Path = NOTEBOOKS_DIR,
                  out_dir: Path = REPORTS_DIR, names: list[str] | None = None,
                  kernel: str | None = None, timeout: int = 600, log=print,
                  lang: str | None = None) -> list[Report]:
    """Execute and render every notebook (or those named) in `lang` ($CS_REPORT_LANG), then write the index."""
    previous = os.environ.get(LANG_ENV)
    if lang:
        os.environ[LANG_ENV] = lang
    try:
        return _build_reports(warehouse=warehouse, notebooks_dir=notebooks_dir, out_dir=out_dir, names=names,
                              kernel=kernel, timeout=timeout, log=log, lang=report_language())
    finally:
        if previous is None:
            os.environ.pop(LANG_ENV, None)
        else:
            os.environ[LANG_ENV] = previous


def _build_reports(*, warehouse, notebooks_dir, out_dir, names, kernel, timeout, log, lang) -> list[Report]:
    warehouse = Path(warehouse or _default_warehouse()).resolve()
    if not warehouse.exists():
        raise ReportError(f"No warehouse at {warehouse}: build it first (`make publish`) "
                          f"or set CS_WAREHOUSE_PATH.")
    paths = discover(notebooks_dir)
    if names:
        paths = [path for path in paths if path.stem in names or path.name in names]
        missing = set(names) - {p.stem for p in paths} - {p.name for p in paths}
        if missing:
            raise ReportError(f"No such notebook(s) in {notebooks_dir}: {', '.join(sorted(missing))}")
    if not paths:
        raise ReportError(f"No notebooks found in {notebooks_dir}")
    kernel = kernel or kernel_name()
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    reports = []
    for path in paths:
        report = render(path, warehouse, Path(out_dir), kernel=kernel, timeout=timeout, generated=generated,
                        lang=lang, log=log)
        shown = (report.html_path.relative_to(Path(out_dir).parent) if _under(report.html_path, Path(out_dir).parent)
                 else report.html_path)
        log(f"  {shown}"
            f"  {report.figures} figures, {report.seconds:.1f}s"
            + (f"  ({len(report.notes)} section(s) not shown)" if report.notes else ""))
        reports.append(report)
    write_index(Path(out_dir), reports, generated=generated, warehouse=warehouse, as_of=_as_of(warehouse),
                lang=lang, summary=executive_summary(warehouse, reports))
    return reports


def _as_of(warehouse: Path) -> str | None:
    try:
        import duckdb

        with duckdb.connect(str(warehouse), read_only=True) as connection:
            value = connection.execute("select max(as_of_date) from main.dim_months").fetchone()[0]
        from cs_warehouse.warehouse import date_label

        return None if value is None else date_label(value)
    except Exception:  # the index is still useful without the date
        return None


def _default_warehouse() -> Path:
    return settings.path("CS_WAREHOUSE_PATH")


def _display_path(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_DIR)) if _under(path, PROJECT_DIR) else str(path)


def _under(path: Path, parent: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(parent).resolve())
        return True
    except ValueError:
        return False


def _plain(markdown: str) -> str:
    return re.sub(NOT_SHOWN, "", re.sub(r"[>*`]", "", markdown)).strip()


CHROMIUM_ENV = "CS_CHROMIUM"
# A4 landscape less 10 mm margins, in CSS pixels: figures are laid out at the width they print at
PDF_VIEWPORT = {"width": 1047, "height": 740}


def export_pdfs(out_dir: Path = REPORTS_DIR, *, chromium: str | None = None, log=print,
                names: list[str] | None = None, browser=None) -> list[Path]:
    """Print every rendered page (index and reports) to out_dir/pdf/<name>.pdf with headless Chromium.

    Each page is opened at the printed page's width, so plotly lays its figures out to fit it, and
    printed on A4 landscape with backgrounds. `browser`: a playwright Chromium already running
    (else one is started).
    """
    from playwright.sync_api import sync_playwright

    out_dir = Path(out_dir)
    pages = sorted(out_dir.glob("[0-9]*.html"))
    if (out_dir / "index.html").exists():
        pages.insert(0, out_dir / "index.html")
    if names:
        pages = [page for page in pages if page.stem in names]
    if not pages:
        raise ReportError(f"No rendered reports in {out_dir}: run `make reports` first")
    pdf_dir = out_dir / "pdf"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    if browser is not None:
        return [_print_page(browser, page_path, pdf_dir, log) for page_path in pages]
    chromium = chromium or settings.get(CHROMIUM_ENV)
    if not Path(chromium).exists():
        raise ReportError(f"Chromium not found at {chromium}: install Debian's chromium or set {CHROMIUM_ENV}")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            written = [_print_page(browser, page_path, pdf_dir, log) for page_path in pages]
        finally:
            browser.close()
    return written


def _print_page(browser, page_path: Path, pdf_dir: Path, log) -> Path:
    page = browser.new_page(viewport=PDF_VIEWPORT)
    try:
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('div.plotly-graph-div'))"
            ".every(div => div.querySelector('svg.main-svg'))", timeout=60_000)
        page.emulate_media(media="print")
        page.wait_for_timeout(300)
        target = pdf_dir / f"{page_path.stem}.pdf"
        page.pdf(path=str(target), format="A4", landscape=True, print_background=True,
                 margin={"top": "10mm", "bottom": "10mm", "left": "10mm", "right": "10mm"})
    finally:
        page.close()
    log(f"  {target.name}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cs_warehouse.reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (e.g. 01_cs_scorecard); default all")
    parser.add_argument("--warehouse", type=Path, help="warehouse file (default $CS_WAREHOUSE_PATH)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="output directory (default reports/)")
    parser.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS_DIR)
    parser.add_argument("--kernel", help=f"kernel name (default {PREFERRED_KERNEL}, else {FALLBACK_KERNEL})")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--lang", choices=["ja", "en"], help=f"report language (default ${LANG_ENV}, else ja)")
    parser.add_argument("--pdf", action="store_true",
                        help="print the rendered pages in --out to --out/pdf/*.pdf (headless Chromium) instead of rendering")
    args = parser.parse_args(argv)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if args.pdf:
        print(f"Printing the reports in {args.out} to PDF")
        try:
            written = export_pdfs(args.out)
        except ReportError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"Wrote {len(written)} PDFs into {Path(args.out) / 'pdf'}")
        return 0
    print(f"Rendering reports into {args.out}")
    try:
        reports = build_reports(warehouse=args.warehouse, notebooks_dir=args.notebooks_dir, out_dir=args.out,
                                names=args.notebooks or None, kernel=args.kernel, timeout=args.timeout,
                                lang=args.lang)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {len(reports)} reports and {Path(args.out) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
