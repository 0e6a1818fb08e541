"""Render the notebooks into self-contained HTML reports: `python -m cs_warehouse.reports`.

Every jupytext notebook in notebooks/ (NN_name.py, py:percent) is executed against the
warehouse at CS_WAREHOUSE_PATH and written to reports/NN_name.html, with code cells and
prompts hidden and plotly.js embedded (no CDN: the reports open offline). reports/index.html
links every report, and reports/validation.html when `make validate` wrote it.

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
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="cs-nav"><a href="index.html">&larr; All reports</a>
{%- if resources.cs_generated %} &middot; generated {{ resources.cs_generated | e }}{% endif -%}
</nav>
{%- endblock body_header -%}
"""

_EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                       re.IGNORECASE)


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
    match = re.search(r"\*\*Question:?\*\*:?\s*(.+)", first.source)
    return title, (match.group(1).strip() if match else "")


def kernel_env(warehouse: Path) -> dict:
    env = dict(os.environ)
    env["CS_WAREHOUSE_PATH"] = str(Path(warehouse).resolve())
    env["CS_REPORT_RENDER"] = "1"
    env["DO_NOT_TRACK"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")]))
    return env


def execute(path: Path, warehouse: Path, *, kernel: str | None = None, timeout: int = 600):
    """Run every cell of the notebook in a fresh kernel; return the executed notebook."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = read_notebook(path)
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
            client.execute(env=kernel_env(warehouse), stderr=kernel_log)
        except (CellExecutionError, CellTimeoutError) as error:
            raise ReportError(_cell_failure(path, notebook, current["index"], error, timeout)) from None
        except Exception as error:  # the kernel died or would not start
            kernel_log.seek(0)
            raise ReportError(f"Notebook {_display_path(path)} could not be run: {type(error).__name__}: {error}\n"
                              f"kernel output:\n{kernel_log.read()[-3000:]}") from None
    return notebook


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


def to_html(notebook, *, title: str, generated: str = "") -> str:
    """Self-contained HTML, code cells and prompts hidden."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"cs_report.html.j2": REPORT_TEMPLATE})],
        template_file="cs_report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        theme="light",
    )
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(notebook, resources={"cs_generated": generated})
    return body


def check_offline(page: str, name: str) -> None:
    """A report must open offline: nothing loaded from another host."""
    found = _EXTERNAL.search(page)
    if found:
        raise ReportError(f"Report {name} would load {found.group(0)!r} from the network")


def count_figures(page: str) -> int:
    return len(re.findall(r'class="plotly-graph-div"', page))


def render(path: Path, warehouse: Path, out_dir: Path, *, kernel: str | None = None,
           timeout: int = 600, generated: str = "") -> Report:
    started = time.monotonic()
    notebook = execute(path, warehouse, kernel=kernel, timeout=timeout)
    title, question = describe(notebook)
    page = to_html(notebook, title=title or path.stem, generated=generated)
    check_offline(page, path.stem)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{path.stem}.html"
    html_path.write_text(page, encoding="utf-8")
    notes = [_plain(output.get("data", {}).get("text/markdown", ""))
             for cell in notebook.cells if cell.cell_type == "code"
             for output in cell.get("outputs", [])
             if "Not shown." in output.get("data", {}).get("text/markdown", "")]
    return Report(path.stem, title or path.stem, question, Path(path), html_path, count_figures(page),
                  time.monotonic() - started, notes)


def write_index(out_dir: Path, reports: list[Report], *, generated: str, warehouse: Path,
                as_of: str | None) -> Path:
    rows = []
    for report in reports:
        note = ""
        if report.notes:
            note = "<ul class='notes'>" + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes) + "</ul>"
        rows.append(
            f"<li><a href='{html.escape(report.html_path.name)}'>{html.escape(report.title)}</a>"
            f"<div class='q'>{html.escape(report.question)}</div>{note}</li>"
        )
    validation = out_dir / "validation.html"
    if validation.exists():
        rows.append("<li><a href='validation.html'>Raw data validation</a>"
                    "<div class='q'>Did every raw file meet the data contract, and what was rejected?</div></li>")
    as_of_line = f"Data as of <strong>{html.escape(as_of)}</strong> &middot; " if as_of else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Customer Success reports</title>
<style>
  body {{ font-family: "Noto Sans CJK JP", "Noto Sans JP", sans-serif; max-width: 880px;
         margin: 40px auto; padding: 0 24px; color: #263238; }}
  h1 {{ font-size: 26px; margin-bottom: 4px; }}
  .meta {{ color: #546e7a; font-size: 13px; margin-bottom: 28px; }}
  ol {{ padding-left: 22px; }}
  li {{ margin-bottom: 18px; }}
  a {{ color: #1565c0; font-size: 18px; text-decoration: none; font-weight: 600; }}
  .q {{ color: #37474f; margin-top: 2px; }}
  .notes {{ color: #bf360c; font-size: 13px; margin-top: 4px; }}
  .notes li {{ margin-bottom: 2px; }}
</style></head>
<body>
<h1>Customer Success reports</h1>
<div class="meta">{as_of_line}generated {html.escape(generated)} from
<code>{html.escape(str(warehouse))}</code></div>
<ol>
{chr(10).join(rows)}
</ol>
</body></html>
"""
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def build_reports(*, warehouse: Path | None = None, notebooks_dir: Path = NOTEBOOKS_DIR,
                  out_dir: Path = REPORTS_DIR, names: list[str] | None = None,
                  kernel: str | None = None, timeout: int = 600, log=print) -> list[Report]:
    """Execute and render every notebook (or those named), then write the index."""
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
        report = render(path, warehouse, Path(out_dir), kernel=kernel, timeout=timeout, generated=generated)
        log(f"  {report.html_path.relative_to(Path(out_dir).parent) if _under(report.html_path, Path(out_dir).parent) else report.html_path}"
            f"  {report.figures} figures, {report.seconds:.1f}s"
            + (f"  ({len(report.notes)} section(s) not shown)" if report.notes else ""))
        reports.append(report)
    write_index(Path(out_dir), reports, generated=generated, warehouse=warehouse, as_of=_as_of(warehouse))
    return reports


def _as_of(warehouse: Path) -> str | None:
    try:
        import duckdb

        with duckdb.connect(str(warehouse), read_only=True) as connection:
            value = connection.execute("select max(as_of_date) from main.dim_months").fetchone()[0]
        return None if value is None else str(value)
    except Exception:  # the index is still useful without the date
        return None


def _default_warehouse() -> Path:
    configured = os.environ.get("CS_WAREHOUSE_PATH")
    path = Path(configured) if configured else PROJECT_DIR / "warehouse.duckdb"
    return path if path.is_absolute() else PROJECT_DIR / path


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
    return re.sub(r"[>*`]", "", markdown).replace("Not shown.", "").strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cs_warehouse.reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (e.g. 01_cs_scorecard); default all")
    parser.add_argument("--warehouse", type=Path, help="warehouse file (default $CS_WAREHOUSE_PATH)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="output directory (default reports/)")
    parser.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS_DIR)
    parser.add_argument("--kernel", help=f"kernel name (default {PREFERRED_KERNEL}, else {FALLBACK_KERNEL})")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    print(f"Rendering reports into {args.out}")
    try:
        reports = build_reports(warehouse=args.warehouse, notebooks_dir=args.notebooks_dir, out_dir=args.out,
                                names=args.notebooks or None, kernel=args.kernel, timeout=args.timeout)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {len(reports)} reports and {Path(args.out) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
