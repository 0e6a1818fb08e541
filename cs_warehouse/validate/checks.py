"""The checks: the Validator runs every rule of the contract on every raw file.

Phase 1 opens each file with DuckDB as the dbt base model does (files.py); phase 2
checks each column's rules, phase 3 the keys and the row rules (row_rules.py). Each
rule becomes a frame of distinct values with their row counts, computed by DuckDB,
on which a GX suite decides (suites.py); the result is a Finding (findings.py).
``validate()`` runs it all on one directory and returns the ValidationReport.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from cs_warehouse import settings
from cs_warehouse.contract import (
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
from cs_warehouse.validate.files import (
    HeaderQuoteNotClosed,
    OpenFile,
    csv_header,
    csv_read_expression,
    encoding_problem,
    is_native,
    quote,
    sql_string,
)
from cs_warehouse.validate.findings import ERROR, INFO, OK, SAMPLE_SIZE, STOP, WARN, Finding, ValidationReport
from cs_warehouse.validate.row_rules import RowRulesMixin
from cs_warehouse.validate.suites import _describe, expectations

CSV_MATERIALIZE_MAX_BYTES = 1 << 30  # CSVs up to 1 GB are parsed once into a temp table


class Validator(RowRulesMixin):
    """Every rule of the contract on the files of one directory, phase by phase.

    Phase 3 (keys, row rules) and the as-of date are in RowRulesMixin (row_rules.py).
    """

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
            "threads": int(settings.get("CS_DUCKDB_THREADS")),
            "memory_limit": settings.get("CS_VALIDATE_MEMORY_LIMIT"),
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
