"""Validate the raw files against the data contract with great-expectations.

    python -m cs_warehouse.validate [--raw-dir DIR] [--reject-policy default|error|warn]
                                    [--vars '{as_of_date: 2026-06-30}'] [--out-dir reports]

Every expectation suite is derived from the one machine-readable contract,
models/staging/raw/_raw__sources.yml (read by ``cs_warehouse.contract``): the
columns a file must have, the type each value must read as (the contract's
formats), not null, uniqueness, ranges, accepted values, references to other
sources and seeds, and the row rules. Nothing here restates a rule.

It prints each failed rule with the file, the column, the number of rows and
sample values, and writes the full results to reports/validation.json and a
self-contained reports/validation.html (no CDN: great-expectations' own Data Docs
load theirs).

Exit status, as the dbt build will behave (docs/data-contract.md, "Bad input"):
  1  a file or column is missing, a file cannot be read (encoding, CSV shape), a
     value cannot be read as its type or a number is outside its type's range, or
     a rule fails on every row of a file: the build would stop; or a rule fails in
     a source whose rejects fail the build under the reject policy (by default
     accounts and contracts);
  0  otherwise, with a warning for each rule that only rejects rows.

How it scales. Files are read by DuckDB exactly as the dbt base models read them
(the same CSV dialect, Parquet wins over CSV), never whole into pandas. Each
expectation runs on a DataFrame of *distinct values with their row counts*,
computed by DuckDB: a column's distinct values, a pair of columns' distinct
pairs, the keys that occur more than once. great-expectations decides which
values break the rule; the row counts turn that into the number of rows. The
frames are as large as the number of distinct values, not of rows, so a usage
file of hundreds of millions of rows validates in bounded memory (DuckDB spills
its aggregates to disk under ``CS_VALIDATE_MEMORY_LIMIT``, default 2GB).

Modules
-------
``findings`` (the levels, ``Finding``, ``ValidationReport``), ``suites`` (the
great-expectations context, ``expectations()``), ``files`` (encoding, CSV header and
read expressions, as the macros of macros/raw/ read a file), ``checks`` (the
``Validator`` and ``validate()``) with its part ``row_rules`` (keys, row rules, the
as-of date, FX coverage), ``render`` (validation.json and .html, ``write_reports()``)
and ``cli`` (``main()``). This package re-exports the names other code imports.
"""
from __future__ import annotations

from cs_warehouse.validate.checks import CSV_MATERIALIZE_MAX_BYTES, Validator, validate
from cs_warehouse.validate.cli import REPORTS_DIR, env_dbt_vars, main
from cs_warehouse.validate.files import (
    INTEGER_TYPES,
    HeaderQuoteNotClosed,
    OpenFile,
    csv_fields,
    csv_header,
    csv_read_expression,
    encoding_problem,
    is_native,
    quote,
    sql_string,
)
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
from cs_warehouse.validate.suites import VALUE_SET_PRINT_LIMIT, expectations

__all__ = [
    "CSV_MATERIALIZE_MAX_BYTES",
    "ERROR",
    "Finding",
    "HeaderQuoteNotClosed",
    "INFO",
    "INTEGER_TYPES",
    "LEVEL_ORDER",
    "OK",
    "OpenFile",
    "REPORTS_DIR",
    "SAMPLE_SIZE",
    "STOP",
    "VALUE_SET_PRINT_LIMIT",
    "ValidationReport",
    "Validator",
    "WARN",
    "csv_fields",
    "csv_header",
    "csv_read_expression",
    "encoding_problem",
    "env_dbt_vars",
    "expectations",
    "is_native",
    "main",
    "quote",
    "render_html",
    "sql_string",
    "validate",
    "write_reports",
]
