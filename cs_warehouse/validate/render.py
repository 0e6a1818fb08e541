"""The reports: validation.json (every finding) and a self-contained validation.html.

The HTML has its CSS inline and no scripts, so it opens anywhere, offline (no CDN:
great-expectations' own Data Docs load theirs).
"""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

from cs_warehouse.validate.findings import Finding, ValidationReport

_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK JP","Hiragino Sans",Meiryo,sans-serif;margin:2rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;
text-align:left;vertical-align:top} th{background:#f4f6f8}
.level{font-weight:600;text-transform:uppercase;font-size:.8rem;padding:.1rem .4rem;border-radius:3px;color:#fff}
.stop{background:#b71c1c}.error{background:#d84315}.warn{background:#f9a825;color:#222}.info{background:#607d8b}
.ok{background:#2e7d32} .verdict{padding:.8rem 1rem;border-radius:4px;background:#f4f6f8;margin:1rem 0}
code{font-size:.85rem;background:#f4f6f8;padding:0 .2rem} .muted{color:#666}
"""


def render_html(report: ValidationReport) -> str:
    esc = html.escape
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<title>Raw data validation</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Raw data validation against the data contract</h1>",
             f"<p class='muted'>Raw directory <code>{esc(report.raw_dir)}</code>; reject_policy "
             f"<code>{esc(report.reject_policy)}</code>; as-of date {esc(report.as_of_date or 'unknown')}; "
             f"validated with great-expectations in {report.seconds:.1f} s.</p>",
             "<div class='verdict'>" + esc(report.summary().splitlines()[-1]) + "</div>",
             "<h2>Files</h2><table><tr><th>source</th><th>file</th><th>rows</th><th>status</th></tr>"]
    for source, info in report.files.items():
        parts.append(f"<tr><td>{esc(source)}</td><td><code>{esc(str(info.get('file') or '-'))}</code></td>"
                     f"<td>{esc(str(info.get('rows') if info.get('rows') is not None else '-'))}</td>"
                     f"<td>{esc(info['status'])}</td></tr>")
    parts.append("</table>")
    failures = report.failures()
    if failures:
        parts.append("<h2>Failed rules</h2>")
        parts.append(_findings_table(failures))
    by_source: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_source.setdefault(finding.source, []).append(finding)
    parts.append("<h2>Every rule, by source</h2>")
    for source, findings in by_source.items():
        parts.append(f"<h3>{esc(source)}</h3>")
        parts.append(_findings_table(findings))
    parts.append("</body></html>")
    return "\n".join(parts)


def _findings_table(findings: list[Finding]) -> str:
    esc = html.escape
    rows = ["<table><tr><th>level</th><th>file</th><th>column(s)</th><th>rule</th><th>rows failing</th>"
            "<th>sample values</th><th>expectation</th></tr>"]
    for finding in findings:
        expectation = "; ".join(item.get("type") or "" for item in finding.expectations)
        rows.append(
            f"<tr><td><span class='level {finding.level}'>{finding.level}</span></td>"
            f"<td><code>{esc(Path(finding.file).name if finding.file else '-')}</code></td>"
            f"<td>{esc(', '.join(finding.columns))}</td><td>{esc(finding.problem)}</td>"
            f"<td>{finding.failed_rows if finding.failed_rows else ''}"
            f"{' of ' + str(finding.rows_checked) if finding.failed_rows and finding.rows_checked else ''}</td>"
            f"<td>{esc(', '.join(finding.samples))}</td><td class='muted'>{esc(expectation)}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def write_reports(report: ValidationReport, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "validation.json", out_dir / "validation.html"
    json_path.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return json_path, html_path
