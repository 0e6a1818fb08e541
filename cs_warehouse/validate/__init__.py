"""Validate the raw files: build the staging layer on them, and report what it did.

    python -m cs_warehouse.validate [--raw-dir DIR] [--reject-policy default|error|warn]
                                    [--vars '{as_of_date: 2026-06-30}'] [--out-dir reports]

The raw contract is declared once (models/staging/raw/_raw__sources.yml) and
implemented once, by the dbt staging layer: its base models read each file, check
its encoding, type its values and give each row its reject reason; the staging
models' reject gates (macro ``cs_reject_gate``) stop the build or warn, as the var
``reject_policy`` says; ``raw_rejects`` keeps every rejected row. The validation
runs that staging layer on the raw files, in this process, into a scratch DuckDB
file, and reports on it:

- a model that stopped (a missing file or column, an unreadable file or value, a
  file whose every row is rejected) is a STOP, with dbt's own message;
- each reason in ``raw_rejects`` is an ERROR where the source's reject gate failed
  the build, else a WARN, with its row count and sample values as read from the
  file; great-expectations decides them, on a frame of the distinct reasons and
  their row counts per source;
- dbt's notes (an optional file absent, columns ignored) and the as-of date are
  INFO.

It prints the summary and writes reports/validation.json and a self-contained
reports/validation.html (no CDN: great-expectations' own Data Docs load theirs).

Exit status, as the dbt build of the same files behaves (docs/data-contract.md,
"Bad input"): 1 where the build would stop, or fail on rejects (by default in
accounts and contracts); 0 otherwise.

Modules
-------
``build`` (the staging build, in-process), ``report`` (``validate()``,
``report_from_build()``: the findings of a build), ``rejects`` (the findings of
``raw_rejects``), ``suites`` (the great-expectations context, ``expectations()``),
``findings`` (the levels, ``Finding``, ``ValidationReport``), ``render``
(validation.json and .html, ``write_reports()``) and ``cli`` (``main()``). This
package re-exports the names other code imports.
"""
from __future__ import annotations

from cs_warehouse.validate.build import STAGING_BUILD, build_staging
from cs_warehouse.validate.cli import REPORTS_DIR, env_dbt_vars, main
from cs_warehouse.validate.findings import (
    ERROR,
    INFO,
    LEVEL_ORDER,
    OK,
    SAMPLE_SIZE,
    STOP,
    WARN,
    Finding,
    ValidationReport,
)
from cs_warehouse.validate.render import render_html, write_reports
from cs_warehouse.validate.report import report_from_build, validate
from cs_warehouse.validate.suites import VALUE_SET_PRINT_LIMIT, expectations

__all__ = [
    "ERROR",
    "Finding",
    "INFO",
    "LEVEL_ORDER",
    "OK",
    "REPORTS_DIR",
    "SAMPLE_SIZE",
    "STAGING_BUILD",
    "STOP",
    "VALUE_SET_PRINT_LIMIT",
    "ValidationReport",
    "WARN",
    "build_staging",
    "env_dbt_vars",
    "expectations",
    "main",
    "render_html",
    "report_from_build",
    "validate",
    "write_reports",
]
