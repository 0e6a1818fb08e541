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
"""
from __future__ import annotations

import argparse
import codecs
import datetime as dt
import html
import json
import logging
import os
import re
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from cs_warehouse.contract import (
    PROJECT_DIR,
    Column,
    Contract,
    RawFile,
    Source,
    default_raw_dir,
    find_raw_file,
    load_contract,
    project_vars,
    seed_values,
)

REPORTS_DIR = PROJECT_DIR / "reports"
SAMPLE_SIZE = 5
CSV_MATERIALIZE_MAX_BYTES = 1 << 30  # CSVs up to 1 GB are parsed once into a temp table
VALUE_SET_PRINT_LIMIT = 20  # longer value sets are abbreviated in the JSON report
INTEGER_TYPES = ("tinyint", "smallint", "integer", "bigint", "utinyint", "usmallint", "uinteger")

# what a failed rule means for the build
STOP, ERROR, WARN, INFO, OK = "stop", "error", "warn", "info", "ok"
LEVEL_ORDER = {STOP: 0, ERROR: 1, WARN: 2, INFO: 3, OK: 4}


@dataclass
class Finding:
    """One rule checked on one raw file."""

    source: str
    file: str | None
    columns: list[str]
    rule: str  # a short name: file_present, columns_present, readable, not_null, unique, ...
    problem: str  # what breaks the rule, worded as the dbt reject reason or error
    level: str  # ok, info, warn, error (rejects that fail the build), stop (the build stops)
    failed_rows: int = 0
    rows_checked: int | None = None
    samples: list[str] = field(default_factory=list)
    expectations: list[dict] = field(default_factory=list)  # the GX expectations that decided it

    @property
    def failed(self) -> bool:
        return self.level in (STOP, ERROR, WARN)

    def line(self) -> str:
        where = self.file or f"{self.source} (no file)"
        columns = f" column {', '.join(self.columns)}:" if self.columns else ":"
        count = f" {self.failed_rows} row(s):" if self.failed_rows else ""
        samples = f" e.g. {', '.join(repr(sample) for sample in self.samples)}" if self.samples else ""
        return f"{self.level.upper():5} {where}{columns}{count} {self.problem}{samples}"


@dataclass
class ValidationReport:
    raw_dir: str
    reject_policy: str
    as_of_date: str | None
    findings: list[Finding]
    files: dict[str, dict]
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if any(finding.level in (STOP, ERROR) for finding in self.findings) else 0

    def counts(self) -> dict[str, int]:
        return {level: sum(1 for finding in self.findings if finding.level == level)
                for level in (STOP, ERROR, WARN, INFO, OK)}

    def failures(self) -> list[Finding]:
        return sorted((finding for finding in self.findings if finding.failed),
                      key=lambda finding: LEVEL_ORDER[finding.level])

    def summary(self) -> str:
        counts = self.counts()
        lines = [f"Validated the raw files in {self.raw_dir} against the data contract "
                 f"(reject_policy={self.reject_policy}) in {self.seconds:.1f} s."]
        for source, info in self.files.items():
            lines.append(f"  {source:16} {info['status']}")
        failures = self.failures()
        if failures:
            lines.append("")
            lines.append("Failed rules:")
            lines.extend("  " + finding.line() for finding in failures)
        for finding in self.findings:
            if finding.level == INFO:
                lines.append("  " + finding.line())
        lines.append("")
        if counts[STOP]:
            verdict = ("the dbt build would STOP: fix the files above (a missing file or column, unreadable values, "
                       "or a file whose every row is rejected).")
        elif counts[ERROR]:
            verdict = ("the dbt build would FAIL: rejected rows in a source whose rejects fail the build "
                       "(fix the rows, or build with --vars '{reject_policy: warn}').")
        elif counts[WARN]:
            verdict = "the dbt build would pass; the rows that break a rule are rejected and kept in raw_rejects."
        else:
            verdict = "every file keeps the contract."
        lines.append(f"{counts[OK]} rule(s) passed, {counts[WARN]} warning(s), {counts[ERROR]} error(s), "
                     f"{counts[STOP]} stop(s): {verdict}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "raw_dir": self.raw_dir,
            "validated_at": dt.datetime.now().isoformat(timespec="seconds"),
            "reject_policy": self.reject_policy,
            "as_of_date": self.as_of_date,
            "exit_code": self.exit_code,
            "counts": self.counts(),
            "seconds": round(self.seconds, 2),
            "files": self.files,
            "results": [asdict(finding) for finding in self.findings],
        }


# --- great-expectations ------------------------------------------------------------

class _Expectations:
    """An ephemeral GX context with one pandas DataFrame asset, created once."""

    def __init__(self) -> None:
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", module="great_expectations")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx, self.gxe = gx, gxe
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        asset = context.data_sources.add_pandas("raw_files").add_dataframe_asset("frame")
        self.batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
        self.suites = 0
        self._cache: dict[tuple, dict] = {}

    def run(self, frame: pd.DataFrame, expectations: list) -> dict[str, Any]:
        """Validate the frame; returns {rule id (expectation meta 'id'): result}.

        GX costs ~10-30 ms per expectation whatever the frame's size, so results are
        kept for an identical frame and suite: validating many directories that
        share most of their files (the bad-input corpus) re-checks only what changed.
        """
        frame = frame.reset_index(drop=True)
        key = (json.dumps([expectation.configuration.to_json_dict() for expectation in expectations],
                          sort_keys=True, default=str),
               tuple(frame.columns), tuple(str(dtype) for dtype in frame.dtypes),
               int(pd.util.hash_pandas_object(frame.astype(object), index=True).sum()) if len(frame) else 0,
               len(frame))
        if key in self._cache:
            return self._cache[key]
        self.suites += 1
        suite = self.gx.ExpectationSuite(name=f"suite_{self.suites}")
        for expectation in expectations:
            suite.add_expectation(expectation)
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        results = batch.validate(suite, result_format={"result_format": "COMPLETE"})
        found = {result.expectation_config.meta["id"]: result for result in results.results}
        if len(self._cache) > 2000:
            self._cache.clear()
        self._cache[key] = found
        return found


_EXPECTATIONS: _Expectations | None = None


def expectations() -> _Expectations:
    global _EXPECTATIONS
    if _EXPECTATIONS is None:
        _EXPECTATIONS = _Expectations()
    return _EXPECTATIONS


def _describe(expectation) -> dict:
    """The expectation as JSON, long value sets abbreviated."""
    config = expectation.configuration.to_json_dict() if hasattr(expectation, "configuration") else {}
    kwargs = {key: value for key, value in (config.get("kwargs") or {}).items() if key != "batch_id"}
    values = kwargs.get("value_set")
    if isinstance(values, list) and len(values) > VALUE_SET_PRINT_LIMIT:
        kwargs["value_set"] = values[:VALUE_SET_PRINT_LIMIT] + [f"... {len(values)} values in all"]
    return {"type": config.get("type"), "kwargs": kwargs}


# --- reading files as the dbt base models do -----------------------------------------

def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def csv_read_expression(path: Path, columns: list[str]) -> str:
    """DuckDB's reader of a CSV file, with the dialect of the macro cs_read_expression."""
    column_types = ", ".join(f"{sql_string(name)}: 'varchar'" for name in columns)
    return (f"read_csv({sql_string(str(path))}, header = true, auto_detect = false, columns = {{{column_types}}}, "
            "delim = ',', quote = '\"', escape = '\"', comment = '', strict_mode = true, null_padding = false)")


def encoding_problem(path: Path) -> str | None:
    """None for UTF-8 text; else what the file is (as the macro cs_check_utf8 says it)."""
    with open(path, "rb") as handle:
        start = handle.read(2)
        if start in (b"\xff\xfe", b"\xfe\xff"):
            return ("the file is not UTF-8 text: it is UTF-16 (Excel's \"Unicode text\" export). "
                    "Save it as \"CSV UTF-8 (comma delimited)\", or convert it: "
                    f"iconv -f UTF-16 -t UTF-8 {path.name} > {path.name}.utf8")
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset, lines = 0, 1
        while True:
            chunk = handle.read(1 << 22)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                position = offset + max(error.start, 0)
                handle.seek(0)
                lines += handle.read(position).count(b"\n")
                return (f"the file is not UTF-8 text (first invalid byte on line {lines}). "
                        "It is probably Shift_JIS (CP932), the encoding Excel uses for Japanese CSV exports. "
                        f"Re-save it as \"CSV UTF-8\", or convert it: iconv -f CP932 -t UTF-8 {path.name} > "
                        f"{path.name}.utf8")
            if not chunk:
                return None
            offset += len(chunk)


def csv_fields(line: str) -> list[str] | None:
    """The fields of one CSV line, split at commas outside double quotes: a quote
    opens a quoted field where it starts the field (after spaces), "" inside it is
    one quote, anything after its closing quote is kept as it is. None where a
    quote is left open. The same reading as the macro cs_csv_fields."""
    fields: list[str] = []
    field, mode = "", "start"
    for char in line:
        if mode == "quoted":
            if char == '"':
                mode = "closed"
            else:
                field += char
        elif mode == "closed" and char == '"':
            field, mode = field + char, "quoted"
        elif char == ",":
            fields.append(field)
            field, mode = "", "start"
        elif mode == "start" and char == '"':
            field, mode = "", "quoted"
        else:
            field += char
            if mode != "start" or char not in " \t":
                mode = "field"
    if mode == "quoted":
        return None
    fields.append(field)
    return fields


class HeaderQuoteNotClosed(ValueError):
    pass


def csv_header(path: Path) -> list[str] | None:
    """The names in the header row (BOM, spaces and quotes removed; an empty name is
    column<N>), or None for an empty file. The first line is read by DuckDB as the
    macro cs_csv_header reads it (any of CRLF, LF or CR ends it, strict mode off),
    so that both agree on every file; in a connection of its own, which keeps the
    file's order (the validator's does not). Raises HeaderQuoteNotClosed where a
    quote in the header row is left open."""
    with duckdb.connect(":memory:") as connection:
        first = connection.execute(
            f"select line from read_csv({sql_string(str(path))}, header = false, auto_detect = false, "
            "columns = {'line': 'varchar'}, delim = chr(30), quote = '', escape = '', comment = '', "
            "strict_mode = false) limit 1").fetchall()
    if not first:
        return None
    fields = csv_fields((first[0][0] or "").replace("\ufeff", ""))
    if fields is None:
        raise HeaderQuoteNotClosed(
            "the header row (line 1) has a quote that is not closed: a column name with a line break in it, "
            "or a stray \". Fix the header row and export again.")
    return [field.strip() or f"column{index}" for index, field in enumerate(fields, start=1)]


def is_native(file_type: str, column: Column) -> bool:
    """A Parquet column that already has the contract's type (macro cs_is_native_type)."""
    kind = column.kind
    if file_type == "varchar":
        return False
    if kind == "date":
        return file_type == "date"
    if kind == "integer":
        return file_type in INTEGER_TYPES
    if kind == "decimal":
        return file_type in INTEGER_TYPES or file_type.startswith("decimal") or file_type in ("double", "float")
    if kind == "boolean":
        return file_type == "boolean"
    return False


# --- the validator -------------------------------------------------------------------

@dataclass
class OpenFile:
    """A raw file that DuckDB can read: its relation and its columns."""

    raw_file: RawFile
    relation: str
    rows: int
    columns: dict[str, tuple[str, str]]  # contract column name -> (file column name, file type)

    @property
    def label(self) -> str:
        return str(self.raw_file.path)


class Validator:
    def __init__(self, raw_dir: Path, *, contract: Contract, dbt_vars: dict, reject_policy: str) -> None:
        self.raw_dir = Path(raw_dir)
        self.contract = contract
        self.dbt_vars = dbt_vars
        self.reject_policy = reject_policy
        self.findings: list[Finding] = []
        self.files: dict[str, dict] = {}
        self.open_files: dict[str, OpenFile] = {}
        self._key_sets: dict[str, str | None] = {}
        self.today = dt.date.today()
        self._temp = tempfile.TemporaryDirectory(prefix="cs-validate-")
        self.db = duckdb.connect(":memory:", config={
            "threads": int(os.environ.get("CS_DUCKDB_THREADS", "2")),
            "memory_limit": os.environ.get("CS_VALIDATE_MEMORY_LIMIT", "2GB"),
            "temp_directory": self._temp.name,
            "preserve_insertion_order": False,
        })
        self.db.execute("set enable_progress_bar = false")
        self.as_of_date: dt.date | None = None

    def close(self) -> None:
        self.db.close()
        self._temp.cleanup()

    # findings
    def add(self, source: Source, raw_file: RawFile | OpenFile | None, columns: list[str], rule: str, problem: str,
            *, failed: bool, stop: bool = False, info: bool = False, failed_rows: int = 0,
            rows_checked: int | None = None, samples: list | None = None, expectations: list | None = None) -> Finding:
        if not failed:
            level = OK
        elif stop:
            level = STOP
        elif info:
            level = INFO
        else:
            level = ERROR if source.severity(self.reject_policy) == "error" else WARN
        path = raw_file.label if isinstance(raw_file, OpenFile) else (str(raw_file.path) if raw_file else None)
        finding = Finding(source=source.name, file=path, columns=columns, rule=rule, problem=problem, level=level,
                          failed_rows=int(failed_rows), rows_checked=rows_checked,
                          samples=[str(sample) for sample in (samples or [])][:SAMPLE_SIZE],
                          expectations=[_describe(expectation) for expectation in expectations or []])
        self.findings.append(finding)
        return finding

    # phase 1: open every file
    def open_all(self) -> None:
        for source in self.contract:
            raw_file = find_raw_file(self.raw_dir, source.name)
            if raw_file is None:
                if source.required:
                    self.add(source, None, [], "file_present",
                             f"missing required file: neither {self.raw_dir / (source.name + '.csv')} nor "
                             f"{source.name}.parquet exists", failed=True, stop=True)
                    self.files[source.name] = {"file": None, "rows": None, "status": "MISSING (required)"}
                else:
                    self.add(source, None, [], "file_present", "optional file absent: its staging model is empty",
                             failed=False)
                    self.files[source.name] = {"file": None, "rows": None, "status": "absent (optional)"}
                continue
            opened = self.open_file(source, raw_file)
            if opened is not None:
                self.open_files[source.name] = opened
                self.files[source.name] = {"file": str(raw_file.path), "format": raw_file.format, "rows": opened.rows,
                                           "status": f"{opened.rows} row(s) in {raw_file.name}"}
            elif source.name not in self.files:
                self.files[source.name] = {"file": str(raw_file.path), "format": raw_file.format, "rows": None,
                                           "status": f"UNREADABLE: {raw_file.name}"}

    def open_file(self, source: Source, raw_file: RawFile) -> OpenFile | None:
        relation = f"src_{source.name}"
        if raw_file.format == "csv":
            problem = encoding_problem(raw_file.path)
            if problem:
                self.add(source, raw_file, [], "encoding", problem, failed=True, stop=True)
                return None
            try:
                header = csv_header(raw_file.path)
            except HeaderQuoteNotClosed as error:
                self.add(source, raw_file, [], "header", str(error), failed=True, stop=True)
                return None
            except duckdb.Error as error:
                self.add(source, raw_file, [], "readable_file", f"the file cannot be read: {_first_lines(error)}",
                         failed=True, stop=True)
                return None
            if header is None:
                if source.required:
                    self.add(source, raw_file, [], "not_empty", "the file is empty (not even a header row); "
                             f"the source {source.name} is required", failed=True, stop=True)
                    return None
                self.add(source, raw_file, [], "not_empty",
                         "the file is empty (no header row): the optional source is treated as absent",
                         failed=True, info=True)
                self.files[source.name] = {"file": str(raw_file.path), "format": "csv", "rows": 0,
                                           "status": f"empty file {raw_file.name} (treated as absent)"}
                return None
            seen: dict[str, int] = {}
            for index, name in enumerate(header, start=1):
                key = name.lower()
                if key in seen:
                    self.add(source, raw_file, [name], "header_unique",
                             f"column {name} appears more than once in the header row "
                             f"(columns {seen[key]} and {index})", failed=True, stop=True)
                    return None
                seen[key] = index
            read = csv_read_expression(raw_file.path, header)
            materialize = raw_file.path.stat().st_size <= CSV_MATERIALIZE_MAX_BYTES
        else:
            read = f"read_parquet({sql_string(str(raw_file.path))})"
            materialize = False
        try:
            # the columns first (no row is read yet), as the dbt base model does
            self.db.execute(f"create temp view {relation}_file as select * from {read}")
            described = self.db.execute(f"describe {relation}_file").fetchall()
        except duckdb.Error as error:
            self.add(source, raw_file, [], "readable_file", f"the file cannot be read: {_first_lines(error)}",
                     failed=True, stop=True)
            return None
        file_columns = {str(name).strip().lower(): (str(name), str(file_type).lower())
                        for name, file_type, *_ in described}
        # GX checks that the contract's required columns are there (on the header alone)
        gxe = expectations().gxe
        header_frame = pd.DataFrame({name: pd.Series([], dtype="object") for name in file_columns})
        checks = [gxe.ExpectColumnToExist(column=name, meta={"id": name}) for name in source.required_columns]
        results = expectations().run(header_frame, checks) if checks else {}
        missing = [name for name in source.required_columns if not results[name].success]
        self.add(source, raw_file, missing, "columns_present",
                 f"missing required column(s) {', '.join(missing)}; the file has: "
                 f"{', '.join(name for name, _ in file_columns.values())}" if missing
                 else "every required column is present", failed=bool(missing), stop=True, expectations=checks)
        extra = [name for key, (name, _) in file_columns.items() if key not in source.column_names]
        if extra:
            self.add(source, raw_file, extra, "known_columns",
                     f"column(s) not in the contract are ignored: {', '.join(extra)}", failed=True, info=True)
        if missing:
            return None
        columns = {column.name: file_columns[column.name] for column in source.columns if column.name in file_columns}
        try:
            kind = "table" if materialize else "view"
            self.db.execute(f"create temp {kind} {relation} as select * from {relation}_file")
            rows = self.db.execute(f"select count(*) from {relation}").fetchone()[0]
        except duckdb.Error as error:
            self.add(source, raw_file, [], "readable_file", f"the file cannot be read: {_first_lines(error)}",
                     failed=True, stop=True)
            return None
        opened = OpenFile(raw_file=raw_file, relation=relation, rows=int(rows), columns=columns)
        if rows == 0 and source.required:
            self.add(source, opened, [], "has_rows", f"no data rows, only a header; the source {source.name} is "
                     "required: the warehouse has no figures without it", failed=True, stop=True)
            return None
        return opened

    # expressions over a file column
    def value_sql(self, opened: OpenFile, column: Column, raw: str) -> tuple[str, str]:
        """(value, parsed): the trimmed text of a raw value, and its typed value or null."""
        file_type = opened.columns[column.name][1]
        text = f"nullif(trim(cast({raw} as varchar)), '')"
        if column.kind == "text":
            return text, text
        if is_native(file_type, column):
            parsed = f"cast({raw} as {column.data_type})"
            return f"cast({parsed} as varchar)", parsed
        if file_type.startswith("timestamp") and column.kind == "date":
            parsed = f"case when cast({raw} as time) = time '00:00:00' then cast({raw} as date) end"
            return f"coalesce(cast({parsed} as varchar), {text})", parsed
        fmt = self.contract.format_for(column)
        if column.kind == "boolean":
            trues = ", ".join(sql_string(value) for value in fmt.true_values)
            falses = ", ".join(sql_string(value) for value in fmt.false_values)
            return text, f"case when lower({text}) in ({trues}) then true when lower({text}) in ({falses}) then false end"
        return text, (f"case when regexp_full_match({text}, {sql_string(fmt.pattern)}) "
                      f"then try_cast({text} as {column.data_type}) end")

    def column_frame(self, opened: OpenFile, column: Column, parent_keys: str | None = None) -> pd.DataFrame:
        """One row per distinct raw value of the column: value, parsed, row_count; with
        parent_keys (a relation of the referenced keys), parent_key: the value's match
        there, null where it has none."""
        raw_name = quote(opened.columns[column.name][0])
        value, parsed = self.value_sql(opened, column, "raw")
        parsed_out = f"cast({parsed} as double)" if column.kind in ("integer", "decimal") else parsed
        values = (f"with grouped as (select {raw_name} as raw, count(*) as row_count from {opened.relation} group by 1) "
                  f"select {value} as value, {parsed_out} as parsed, row_count from grouped")
        if parent_keys:
            values = (f"select column_values.*, parent_keys.key as parent_key from ({values}) as column_values "
                      f"left join {parent_keys} as parent_keys on parent_keys.key = column_values.value")
        frame = self.db.execute(values).df()
        if column.kind == "date":
            frame["parsed"] = pd.to_datetime(frame["parsed"])
        return frame

    def key_relation(self, column: Column) -> str | None:
        """A temp table of the keys a column references (a source's column or a seed's),
        or None where the parent file could not be read. An absent optional parent has
        no keys. Keys are joined in DuckDB rather than handed to GX as a value set:
        GX copies a value set many times per expectation, which does not scale to
        100,000 accounts."""
        reference = column.references
        name = f"keys_{reference.name}_{reference.column}"
        if name not in self._key_sets:
            if reference.kind == "seed":
                keys = pd.DataFrame({"key": seed_values(reference.name, reference.column)})
                self.db.register(f"{name}_frame", keys)
                self.db.execute(f"create temp table {name} as select distinct key from {name}_frame")
            else:
                opened = self.open_files.get(reference.name)
                if opened is None:
                    if self.files.get(reference.name, {}).get("file") is not None:
                        self._key_sets[name] = None  # the parent file exists but cannot be read
                        return None
                    self.db.execute(f"create temp table {name} as select cast(null as varchar) as key where false")
                else:
                    parent = self.contract.sources[reference.name]
                    value, _ = self.value_sql(opened, parent.column(reference.column),
                                              quote(opened.columns[reference.column][0]))
                    self.db.execute(f"create temp table {name} as select distinct {value} as key "
                                    f"from {opened.relation} where {value} is not null")
            self._key_sets[name] = name
        return self._key_sets[name]

    @staticmethod
    def _failed(frame: pd.DataFrame, result, value_of=None) -> tuple[int, list]:
        """Rows and sample values of a frame's unexpected entries (most frequent first)."""
        index = list(result.result.get("unexpected_index_list") or [])
        if not index:
            return 0, []
        failed = frame.iloc[index].sort_values("row_count", ascending=False, kind="stable")
        rows = int(failed["row_count"].sum())
        describe = value_of or (lambda row: row["value"])
        samples = []
        for _, row in failed.iterrows():
            sample = describe(row)
            if sample not in samples:
                samples.append(sample)
            if len(samples) >= SAMPLE_SIZE:
                break
        return rows, samples

    # phase 2: the column rules
    def check_columns(self, source: Source, opened: OpenFile) -> None:
        gxe = expectations().gxe
        for column in source.columns:
            if column.name not in opened.columns:
                continue
            parent_keys = self.key_relation(column) if column.references else None
            frame = self.column_frame(opened, column, parent_keys)
            file_type = opened.columns[column.name][1]
            fmt = self.contract.format_for(column)
            checks: dict[str, tuple[list, str, bool]] = {}  # id -> (expectations, problem, stop)
            if fmt is not None and not is_native(file_type, column):
                if column.kind == "boolean":
                    frame["value_folded"] = frame["value"].str.lower()
                    readable = [gxe.ExpectColumnValuesToBeInSet(
                        column="value_folded", value_set=list(fmt.true_values + fmt.false_values), meta={"id": "readable"})]
                else:
                    # the contract's pattern, anchored, its groups made non-capturing (pandas warns on
                    # groups), ASCII-only as DuckDB's RE2 reads it: \d is 0-9, not full-width digits
                    pattern = re.sub(r"\((?!\?)", "(?:", fmt.pattern)
                    readable = [gxe.ExpectColumnValuesToMatchRegex(
                        column="value", regex=f"(?a)^(?:{pattern})$", meta={"id": "readable"})]
                    if column.kind == "date":
                        readable.append(gxe.ExpectColumnValuesToMatchStrftimeFormat(
                            column="value", strftime_format="%Y-%m-%d", meta={"id": "readable_calendar"}))
                checks["readable"] = (readable, f"value(s) cannot be read as {fmt.label}", True)
                limit = self.contract.limit_for(column)
                if limit is not None:
                    # a number that reads but that its type cannot hold (the contract's meta.limits)
                    frame["in_range"] = [limit.holds(value) if isinstance(value, str) and fmt.reads(value) else True
                                         for value in frame["value"]]
                    checks["in_range"] = ([gxe.ExpectColumnValuesToBeInSet(
                        column="in_range", value_set=[True], meta={"id": "in_range"})],
                        f"value(s) out of range for {limit.label}", True)
            if column.not_null:
                checks["not_null"] = ([gxe.ExpectColumnValuesToNotBeNull(column="value", meta={"id": "not_null"})],
                                      column.reason_not_null(), False)
            if column.min is not None:
                checks["min"] = ([gxe.ExpectColumnValuesToBeBetween(column="parsed", min_value=column.min,
                                                                     meta={"id": "min"})], column.reason_min(), False)
            if column.min_exclusive is not None:
                checks["min_exclusive"] = ([gxe.ExpectColumnValuesToBeBetween(
                    column="parsed", min_value=column.min_exclusive, strict_min=True, meta={"id": "min_exclusive"})],
                    column.reason_min_exclusive(), False)
            if column.max is not None:
                checks["max"] = ([gxe.ExpectColumnValuesToBeBetween(column="parsed", max_value=column.max,
                                                                     meta={"id": "max"})], column.reason_max(), False)
            if column.accepted_values:
                checks["accepted_values"] = ([gxe.ExpectColumnValuesToBeInSet(
                    column="value", value_set=list(column.accepted_values), meta={"id": "accepted_values"})],
                    column.reason_accepted_values(), False)
            if column.references:
                if parent_keys is None:
                    self.add(source, opened, [column.name], "references",
                             f"not checked: {column.references.name} could not be read", failed=True, info=True)
                else:
                    # each value equals the key it matched in the parent (a null child is not checked)
                    checks["references"] = ([gxe.ExpectColumnPairValuesToBeEqual(
                        column_A="value", column_B="parent_key", ignore_row_if="both_values_are_missing",
                        meta={"id": "references"})], column.reason_references(), False)
            for rule in source.row_rules:
                if rule.rule == "not_in_future" and rule["column"] == column.name:
                    frame["days_after_today"] = (frame["parsed"] - pd.Timestamp(self.today)).dt.days
                    checks["not_in_future"] = ([gxe.ExpectColumnValuesToBeBetween(
                        column="days_after_today", max_value=0, meta={"id": "not_in_future"})], rule.reason(), False)
                if rule.rule == "first_of_month" and rule["column"] == column.name:
                    frame["day_of_month"] = frame["parsed"].dt.day
                    checks["first_of_month"] = ([gxe.ExpectColumnValuesToBeInSet(
                        column="day_of_month", value_set=[1], meta={"id": "first_of_month"})], rule.reason(), False)
            if not checks:
                continue
            results = expectations().run(frame, [item for group, _, _ in checks.values() for item in group])
            for rule_id, (group, problem, stop) in checks.items():
                index = sorted({i for item in group
                                for i in (results[item.meta["id"]].result.get("unexpected_index_list") or [])})
                rows, samples = self._failed(frame, _Indexed(index))
                self.add(source, opened, [column.name], rule_id, problem, failed=bool(index), stop=stop,
                         failed_rows=rows, rows_checked=opened.rows, samples=samples, expectations=group)

    # phase 3: keys and row rules
    def check_unique(self, source: Source, opened: OpenFile) -> None:
        keys = [name for name in source.unique if name in opened.columns]
        if not source.unique or len(keys) < len(source.unique):
            return
        # typed keys, as dbt compares them (and a native Parquet column needs no text conversion)
        values = [self.value_sql(opened, source.column(name), quote(opened.columns[name][0]))[1] for name in keys]
        key_hash = f"hash({', '.join(values)})"
        not_null = " and ".join(f"{value} is not null" for value in values)
        # a hash pre-filter keeps the aggregate small on very large files; the exact
        # group-by then runs only on the rows whose hash repeats
        frame = self.db.execute(f"""
            with repeated_hashes as (
                select {key_hash} as key_hash from {opened.relation} where {not_null} group by 1 having count(*) > 1
            )
            select {', '.join(f'{value} as {quote(name)}' for value, name in zip(values, keys))}, count(*) as row_count
            from {opened.relation}
            where {not_null} and {key_hash} in (select key_hash from repeated_hashes)
            group by all having count(*) > 1
            order by row_count desc
        """).df()
        gxe = expectations().gxe
        check = gxe.ExpectColumnValuesToBeBetween(column="row_count", max_value=1, meta={"id": "unique"})
        result = expectations().run(frame, [check])["unique"]
        index = result.result.get("unexpected_index_list") or []
        failed = frame.iloc[index]
        rows = int((failed["row_count"] - 1).sum()) if len(failed) else 0
        samples = [", ".join(_show(row[name]) for name in keys) + f" ({row['row_count']} rows)"
                   for _, row in failed.head(SAMPLE_SIZE).iterrows()]
        self.add(source, opened, keys, "unique", source.reason_unique(), failed=bool(index), failed_rows=rows,
                 rows_checked=opened.rows, samples=samples, expectations=[check])

    def parsed_sql(self, opened: OpenFile, source: Source, name: str) -> str:
        return self.value_sql(opened, source.column(name), quote(opened.columns[name][0]))[1]

    def check_row_rules(self, source: Source, opened: OpenFile) -> None:
        gxe = expectations().gxe
        for rule in source.row_rules:
            if rule.rule in ("not_in_future", "first_of_month"):
                continue  # checked with the column
            if rule.rule == "fx_rate_for_active_months":
                self.check_fx_rates(source, opened, rule)
                continue
            if any(name not in opened.columns for name in rule.columns):
                continue
            if rule.rule == "not_before":
                column, other = rule["column"], rule["other"]
                frame = self.db.execute(
                    f"select {self.parsed_sql(opened, source, column)} as {quote(column)}, "
                    f"{self.parsed_sql(opened, source, other)} as {quote(other)}, count(*) as row_count "
                    f"from {opened.relation} group by all").df()
                check = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=column, column_B=other, or_equal=True, ignore_row_if="either_value_is_missing",
                    meta={"id": "not_before"})
                result = expectations().run(frame, [check])["not_before"]
                rows, samples = self._failed(frame, result, lambda row: (
                    f"{column} {row[column].date()} < {other} {row[other].date()}"))
                self.add(source, opened, [column, other], "not_before", rule.reason(), failed=bool(rows),
                         failed_rows=rows, rows_checked=opened.rows, samples=samples, expectations=[check])
            elif rule.rule == "range_when":
                column, when = rule["column"], rule["when_column"]
                value_when, _ = self.value_sql(opened, source.column(when), quote(opened.columns[when][0]))
                frame = self.db.execute(
                    f"select {value_when} as {quote(when)}, cast({self.parsed_sql(opened, source, column)} as double) "
                    f"as {quote(column)}, count(*) as row_count from {opened.relation} group by all").df()
                for when_value, (low, high) in rule["ranges"].items():
                    part = frame[frame[when] == when_value].reset_index(drop=True)
                    check = gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high,
                                                              meta={"id": "range"})
                    result = expectations().run(part, [check])["range"]
                    rows, samples = self._failed(part, result, lambda row: f"{row[column]:g}")
                    self.add(source, opened, [column, when], "range_when", rule.reason(when_value), failed=bool(rows),
                             failed_rows=rows, rows_checked=int(part["row_count"].sum()), samples=samples,
                             expectations=[check])
            elif rule.rule == "no_overlap":
                key, start, end = rule["partition"], rule["from"], rule["to"]
                key_value, _ = self.value_sql(opened, source.column(key), quote(opened.columns[key][0]))
                frame = self.db.execute(f"""
                    with intervals as (
                        select {key_value} as interval_key,
                               {self.parsed_sql(opened, source, start)} as interval_start,
                               {self.parsed_sql(opened, source, end)} as interval_end,
                               row_number() over () as row_order
                        from {opened.relation}
                    ),
                    valid as (
                        select * from intervals
                        where interval_key is not null and interval_start is not null
                            and (interval_end is null or interval_end >= interval_start)
                    )
                    select interval_key as {quote(key)}, interval_start as {quote(start)},
                           max(coalesce(interval_end, date '9999-12-31')) over (
                               partition by interval_key order by interval_start, row_order
                               rows between unbounded preceding and 1 preceding) as previous_end,
                           1 as row_count
                    from valid
                """).df()
                check = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=start, column_B="previous_end", or_equal=False, ignore_row_if="either_value_is_missing",
                    meta={"id": "no_overlap"})
                result = expectations().run(frame, [check])["no_overlap"]
                rows, samples = self._failed(frame, result, lambda row: (
                    f"{key} {row[key]}: {start} {row[start].date()} before an earlier row ends"))
                self.add(source, opened, [key, start, end], "no_overlap", rule.reason(), failed=bool(rows),
                         failed_rows=rows, rows_checked=opened.rows, samples=samples, expectations=[check])
            else:
                raise ValueError(f"Unknown row rule {rule.rule} in the contract of {source.name}")

    def resolve_as_of_date(self) -> dt.date | None:
        """The as-of date as the build decides it (int_as_of_date): the var as_of_date, else
        the latest usage_date not after today. Reports it, and warns when the latest days
        look like stray rows: days after the latest complete day, a day with at least
        `usage_complete_day_share` of the average rows per day of the 28 days before it
        (macros/usage/cs_latest_complete_usage_day.sql, the test warn_latest_usage_days_look_stray)."""
        usage = self.open_files.get("usage")
        source = self.contract.sources["usage"]
        latest = complete = None
        later_rows = 0
        share = float(self.dbt_vars.get("usage_complete_day_share", 0.1))
        if usage is not None and "usage_date" in usage.columns:
            parsed = self.parsed_sql(usage, source, "usage_date")
            latest, complete, later_rows = self.db.execute(f"""
                with daily_rows as (
                    select d as usage_date, count(*) as rows
                    from (select {parsed} as d from {usage.relation})
                    where d <= current_date
                    group by d
                ),
                days_with_reference as (
                    select usage_date, rows, avg(rows) over (
                        order by usage_date range between interval 28 day preceding and interval 1 day preceding
                    ) as reference_rows
                    from daily_rows
                ),
                complete as (
                    select max(usage_date) as usage_date from days_with_reference
                    where reference_rows is null or rows >= {share} * reference_rows
                )
                select
                    (select max(usage_date) from daily_rows),
                    (select usage_date from complete),
                    (select coalesce(sum(rows), 0) from daily_rows where usage_date > (select usage_date from complete))
            """).fetchone()
        if self.dbt_vars.get("as_of_date"):
            as_of = dt.date.fromisoformat(str(self.dbt_vars["as_of_date"]))
            self.add(source, usage, ["usage_date"], "as_of_date",
                     f"as-of date {as_of}: set by the var as_of_date"
                     + (f"; the usage runs to {latest}" if latest else ""), failed=True, info=True)
            return as_of
        if latest is None:
            return None
        if complete is not None and complete < latest:
            self.add(source, usage, ["usage_date"], "as_of_date",
                     f"as-of date {latest}, the latest usage day; but the days after {complete} hold fewer than "
                     f"{share:g} of an average day's rows each: stray rows? They move the reporting window of "
                     f"every figure. If the export really ends on {complete}, set the var as_of_date: {complete}",
                     failed=True, failed_rows=int(later_rows))
        else:
            self.add(source, usage, ["usage_date"], "as_of_date", f"as-of date {latest}: the latest usage day",
                     failed=False)
        return latest

    def check_fx_rates(self, source: Source, opened: OpenFile, rule) -> None:
        """A line in a currency other than the reporting currency needs a rate for every
        month it is active, up to the as-of month."""
        if any(name not in opened.columns for name in ("start_date",)):
            return
        reporting = str(self.dbt_vars.get("reporting_currency", "JPY"))
        currency_column = source.column("currency")
        if "currency" in opened.columns:
            currency_value, _ = self.value_sql(opened, currency_column, quote(opened.columns["currency"][0]))
        else:
            currency_value = "null"
        currency = f"coalesce({currency_value}, {sql_string(currency_column.default_value(self.dbt_vars) or reporting)})"
        start = self.parsed_sql(opened, source, "start_date")
        end = self.parsed_sql(opened, source, "end_date") if "end_date" in opened.columns else "cast(null as date)"
        as_of = self.as_of_date
        if as_of is None:
            return
        fx = self.open_files.get("fx_rates")
        if fx is not None and all(name in fx.columns for name in ("currency", "month", "rate")):
            fx_source = self.contract.sources["fx_rates"]
            fx_currency, _ = self.value_sql(fx, fx_source.column("currency"), quote(fx.columns["currency"][0]))
            rates = (f"select distinct {fx_currency} as currency, {self.parsed_sql(fx, fx_source, 'month')} as month "
                     f"from {fx.relation} where {self.parsed_sql(fx, fx_source, 'rate')} > 0")
        else:
            rates = "select cast(null as varchar) as currency, cast(null as date) as month where false"
        frame = self.db.execute(f"""
            with lines as (
                select {currency} as currency, {start} as start_date, {end} as end_date, count(*) as row_count
                from {opened.relation}
                group by all
            ),
            foreign_lines as (
                select * from lines
                where currency <> {sql_string(reporting)} and start_date is not null
                    and start_date <= date {sql_string(as_of.isoformat())}
                    and start_date <= coalesce(end_date, start_date)
            ),
            line_months as (
                select currency, start_date, end_date, row_count,
                       cast(unnest(generate_series(
                           date_trunc('month', start_date),
                           date_trunc('month', least(coalesce(end_date, date {sql_string(as_of.isoformat())}),
                                                     date {sql_string(as_of.isoformat())})),
                           interval 1 month)) as date) as month
                from foreign_lines
            ),
            rates as ({rates})
            select line_months.currency, line_months.start_date, line_months.end_date, line_months.row_count,
                   count(*) as months_active,
                   count(rates.month) as months_with_rate,
                   min(case when rates.month is null then line_months.month end) as first_month_missing
            from line_months
            left join rates on rates.currency = line_months.currency and rates.month = line_months.month
            group by all
        """).df()
        gxe = expectations().gxe
        check = gxe.ExpectColumnPairValuesToBeEqual(column_A="months_with_rate", column_B="months_active",
                                                    meta={"id": "fx"})
        result = expectations().run(frame, [check])["fx"]
        rows, samples = self._failed(frame, result, lambda row: (
            f"{row['currency']} {pd.Timestamp(row['first_month_missing']).strftime('%Y-%m')}"))
        self.add(source, opened, ["currency", "start_date", "end_date"], "fx_rate_for_active_months",
                 f"currency has no fx_rates rate for a month the line is active (reporting currency {reporting}, "
                 f"as of {as_of.isoformat()})", failed=bool(rows), failed_rows=rows, rows_checked=opened.rows,
                 samples=samples, expectations=[check])

    def check_some_rows_accepted(self, source: Source, opened: OpenFile) -> None:
        """A rule that every row breaks rejects the whole file: the build then stops
        (macro cs_reject_gate) naming that rule, for a required source, and for an
        optional one unless the policy is warn. (Rows rejected by several rules,
        none of which every row breaks, are not added up: a row counts under each.)"""
        everywhere = [finding for finding in self.findings
                      if finding.source == source.name and finding.level in (ERROR, WARN)
                      and opened.rows > 0 and finding.failed_rows >= opened.rows]
        if not everywhere:
            return
        stops = source.required or self.reject_policy != "warn"
        columns = list(dict.fromkeys(name for finding in everywhere for name in finding.columns))
        self.add(source, opened, columns, "rows_accepted",
                 f"all {opened.rows:,} {source.name} rows would be rejected: "
                 + "; ".join(finding.problem for finding in everywhere)
                 + ("" if stops else " (the source is treated as absent)"),
                 failed=True, stop=stops, failed_rows=opened.rows, rows_checked=opened.rows)

    def run(self) -> None:
        self.open_all()
        self.as_of_date = self.resolve_as_of_date()
        for source in self.contract:
            opened = self.open_files.get(source.name)
            if opened is None:
                continue
            self.check_columns(source, opened)
            self.check_unique(source, opened)
            self.check_row_rules(source, opened)
            self.check_some_rows_accepted(source, opened)
        for source, info in self.files.items():
            levels = [finding.level for finding in self.findings if finding.source == source and finding.failed]
            if STOP in levels:
                info["status"] += ": the build would stop"
            elif ERROR in levels:
                info["status"] += ": rows break rules that fail the build"
            elif WARN in levels:
                info["status"] += ": some rows break rules (warnings)"
            elif info.get("rows") is not None:
                info["status"] += ": OK"


def _show(value: Any) -> str:
    """A value as a reader wrote it: a date without a time of day."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():  # pandas Timestamps too
        return value.date().isoformat()
    return str(value)


def _first_lines(error: Exception, lines: int = 3) -> str:
    """DuckDB's message, first lines joined (it names the line and what it found)."""
    return " ".join(line.strip() for line in str(error).strip().splitlines()[:lines])


class _Indexed:
    """A stand-in result holding merged unexpected indices."""

    def __init__(self, index: list[int]) -> None:
        self.result = {"unexpected_index_list": index}


def validate(raw_dir: str | os.PathLike | None = None, *, reject_policy: str | None = None,
             dbt_vars: dict | None = None, contract: Contract | None = None) -> ValidationReport:
    """Validate every raw file of raw_dir (default: CS_RAW_DIR, else data/demo)
    against the contract (default: models/staging/raw/_raw__sources.yml)."""
    started = time.monotonic()
    raw_dir = Path(raw_dir) if raw_dir is not None else default_raw_dir()
    merged_vars = project_vars(dbt_vars)
    policy = reject_policy or merged_vars.get("reject_policy") or "default"
    validator = Validator(raw_dir, contract=contract or load_contract(), dbt_vars=merged_vars, reject_policy=policy)
    try:
        if not raw_dir.is_dir():
            source = validator.contract.sources["accounts"]
            validator.add(source, None, [], "raw_dir", f"the raw directory {raw_dir} does not exist (set CS_RAW_DIR)",
                          failed=True, stop=True)
        else:
            validator.run()
    finally:
        validator.close()
    return ValidationReport(raw_dir=str(raw_dir), reject_policy=policy,
                            as_of_date=validator.as_of_date.isoformat() if validator.as_of_date else None,
                            findings=validator.findings, files=validator.files,
                            seconds=time.monotonic() - started)


# --- the HTML report --------------------------------------------------------------

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


def env_dbt_vars() -> dict:
    """The dbt vars of the environment variable CS_DBT_VARS (YAML or JSON), if set."""
    text = os.environ.get("CS_DBT_VARS", "").strip()
    return dict(yaml.safe_load(text) or {}) if text else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cs_warehouse.validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", help="the raw files (default: CS_RAW_DIR, else data/demo)")
    parser.add_argument("--reject-policy", choices=["default", "error", "warn"],
                        help="as the dbt var reject_policy (default: the var's value)")
    parser.add_argument("--vars", help="dbt vars as YAML, e.g. '{as_of_date: 2026-06-30}' (also CS_DBT_VARS)")
    parser.add_argument("--out-dir", default=str(REPORTS_DIR), help="where validation.json/.html go (default reports/)")
    args = parser.parse_args(argv)
    dbt_vars = env_dbt_vars()
    dbt_vars.update(yaml.safe_load(args.vars) or {} if args.vars else {})
    report = validate(args.raw_dir, reject_policy=args.reject_policy, dbt_vars=dbt_vars)
    json_path, html_path = write_reports(report, args.out_dir)
    print(report.summary())
    print(f"Full results: {html_path} and {json_path}")
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
