"""The bad-input corpus (tests/bad_inputs/cases.py): for each case of export damage,
the dbt staging build and the great-expectations validation both do what the data
contract promises.

- Stops: the build fails, and its error names the file, the column and the
  problem (with the bad values); the validation reports the same problem as a
  stop and exits non-zero.
- Rejects: the row is in raw_rejects with its reason; the build fails only where
  the contract's reject_severity says so (accounts, contracts); the validation
  reports the same reason, as an error or a warning to match.
- Reads: the build passes, nothing is rejected, and the data is as in the file.

In every case that builds, rows read = rows accepted + rows rejected for every
source, with the rows counted in the file here, by Python's csv module and
pyarrow, independently of DuckDB's reader.

Speed: dbt runs in this process (dbtRunner) on the staging layer only, with one
target path so that it parses the project once (~2 s a case instead of ~6 s). No
case uses --fail-fast: it cancels the other thread's query, and that race could
replace the error that stopped the build with a "connection is busy" error.
"""
from __future__ import annotations

import csv
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from bad_inputs.cases import CASES, Case, Reads, Rejects, Stops
from conftest import open_warehouse

from cs_warehouse.contract import find_raw_file, load_contract
from cs_warehouse.dbt_runner import PROJECT_DIR
from cs_warehouse.validate import ERROR, STOP, WARN, validate

CONTRACT = load_contract()
SOURCES = list(CONTRACT.sources)
STAGING = ["build", "--select", "+raw_rejects", "path:models/staging", "--indirect-selection", "cautious"]


def file_rows(raw_dir: Path, source: str) -> int:
    """Data rows in a raw file, counted without DuckDB (blank lines are not rows)."""
    raw_file = find_raw_file(raw_dir, source)
    if raw_file is None:
        return 0
    if raw_file.format == "parquet":
        return pq.ParquetFile(raw_file.path).metadata.num_rows
    with open(raw_file.path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if row]
    return max(len(rows) - 1, 0)


@dataclass
class Build:
    ok: bool
    output: str  # every message dbt logged
    errors: str  # the error messages only
    warehouse: Path

    connection: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> "Build":
        self.connection = open_warehouse(self.warehouse)
        return self

    def __exit__(self, *exc) -> None:
        self.connection.close()
        self.connection = None

    def query(self, sql: str) -> list[tuple]:
        if self.connection is None:
            with self:
                return self.query(sql)
        return self.connection.execute(sql).fetchall()

    def has(self, relation: str) -> bool:
        return bool(self.query(f"select 1 from information_schema.tables where table_name = '{relation}'"))


class InProcessDbt:
    """dbt build of the staging layer, in this process, one case after another."""

    def __init__(self, work_dir: Path) -> None:
        from dbt.cli.main import dbtRunner

        self.work_dir = work_dir
        self.warehouse = work_dir / "warehouse.duckdb"
        self.messages: list[tuple[str, str]] = []
        self.runner = dbtRunner(callbacks=[self._collect])

    def _collect(self, event) -> None:
        self.messages.append((event.info.level, event.info.msg))

    @staticmethod
    def _close_duckdb() -> None:
        # dbt-duckdb keeps its DuckDB instance open between invocations in one process
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        with DuckDBConnectionManager._LOCK:
            environment = DuckDBConnectionManager._ENV
            if environment is None:
                return
            # a query of the other thread may still be running after an error:
            # interrupt it and close once it has returned
            deadline = time.monotonic() + 120
            while True:
                try:
                    environment.close()
                    break
                except duckdb.ResourceInUseException:
                    if time.monotonic() > deadline:
                        raise
                    if environment.conn is not None:
                        environment.conn.interrupt()
                    time.sleep(0.1)
            DuckDBConnectionManager._ENV = None

    def build(self, raw_dir: Path, profiles_dir: Path = PROJECT_DIR, dbt_vars: dict | None = None) -> Build:
        for leftover in (self.warehouse, Path(str(self.warehouse) + ".wal")):
            leftover.unlink(missing_ok=True)
        saved = {name: os.environ.get(name) for name in ("CS_RAW_DIR", "CS_WAREHOUSE_PATH", "DO_NOT_TRACK")}
        os.environ.update(CS_RAW_DIR=str(raw_dir), CS_WAREHOUSE_PATH=str(self.warehouse), DO_NOT_TRACK="1")
        self.messages = []
        try:
            result = self.runner.invoke([
                *STAGING, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles_dir),
                "--target-path", str(self.work_dir / "target"), "--log-path", str(self.work_dir / "logs"),
                "--quiet",
                *(["--vars", json.dumps(dbt_vars)] if dbt_vars else [])])
        finally:
            self._close_duckdb()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        messages = [message for _, message in self.messages]
        if result.exception is not None:
            messages.append(str(result.exception))
        errors = [message for level, message in self.messages if level == "error"]
        if result.exception is not None:
            errors.append(str(result.exception))
        return Build(ok=bool(result.success), output="\n".join(messages), errors="\n".join(errors),
                     warehouse=self.warehouse)


@pytest.fixture(scope="module")
def dbt(tmp_path_factory) -> InProcessDbt:
    return InProcessDbt(tmp_path_factory.mktemp("bad_inputs_dbt"))


def assert_every_row_accounted_for(build: Build, raw_dir: Path) -> None:
    rejected = dict(build.query("select source, count(*) from raw_rejects group by source"))
    for source in SOURCES:
        in_file = file_rows(raw_dir, source)
        read = build.query(f"select count(*) from base_raw__{source}")[0][0]
        valid = build.query(f"select count(*) from base_raw__{source} where reject_reason is null")[0][0]
        # accepted = the staging model's rows; where it was not built, the base model's valid rows
        # (the usage base view leaves the duplicate key to base_raw__usage_duplicates)
        staged = build.has(f"stg_raw__{source}")
        accepted = build.query(f"select count(*) from stg_raw__{source}")[0][0] if staged else valid
        assert read == in_file, f"{source}: {in_file} rows in the file, {read} read"
        assert accepted + rejected.get(source, 0) == in_file, (
            f"{source}: {in_file} rows in the file, {accepted} accepted + {rejected.get(source, 0)} rejected")
        if source != "usage":
            assert valid == accepted, f"{source}: {valid} valid rows in its base model, {accepted} staged"


def test_the_corpus_is_large_and_every_case_is_named_once():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)) and len(names) >= 25


def test_the_base_dataset_keeps_the_contract(dbt, tmp_path):
    """Without damage, nothing is rejected: every reject in a case comes from its damage."""
    raw_dir = Case("base", "none", (), Reads()).make(tmp_path)
    build = dbt.build(raw_dir)
    assert build.ok, build.errors
    with build:
        assert build.query("select count(*) from raw_rejects") == [(0,)]
        assert_every_row_accounted_for(build, raw_dir)
    report = validate(raw_dir)
    assert report.exit_code == 0 and not report.failures(), report.summary()


def test_a_profile_without_insertion_order_stops_before_reading_a_csv_file(dbt, tmp_path):
    """With preserve_insertion_order false, DuckDB may hand over any line of a CSV file
    first: a data row taken for the header, or row numbers pointing at other lines.
    The build stops with the setting named instead (macros/raw/cs_raw_files.sql)."""
    raw_dir = Case("base", "none", (), Reads()).make(tmp_path / "raw")
    profile = (PROJECT_DIR / "profiles.yml").read_text()
    assert "preserve_insertion_order: true" in profile
    profiles_dir = tmp_path / "profiles"
    profiles_dir.mkdir()
    (profiles_dir / "profiles.yml").write_text(
        profile.replace("preserve_insertion_order: true", "preserve_insertion_order: false"))
    build = dbt.build(raw_dir, profiles_dir=profiles_dir)
    assert not build.ok
    assert "preserve_insertion_order is false in this dbt profile" in build.errors, build.errors
    assert ".csv: cannot be read in file order" in build.errors, build.errors
    assert "missing required column" not in build.errors, build.errors


def test_an_optional_source_with_every_row_rejected_only_warns_under_reject_policy_warn(dbt, tmp_path):
    """reject_policy warn builds anyway: an optional source whose every row is rejected
    is then as if absent, and the warning still names the cause. (Under the default
    policy it stops: the corpus case every_optional_row_rejected.)"""
    case = next(case for case in CASES if case.name == "every_optional_row_rejected")
    raw_dir = case.make(tmp_path)
    build = dbt.build(raw_dir, dbt_vars={"reject_policy": "warn"})
    assert build.ok, build.errors
    assert "all 3 tickets rows were rejected: account_id not in accounts.account_id" in build.output
    assert "The source is treated as absent." in build.output
    with build:
        assert build.query("select count(*) from stg_raw__tickets") == [(0,)]
        assert_every_row_accounted_for(build, raw_dir)
    report = validate(raw_dir, reject_policy="warn")
    assert report.exit_code == 0, report.summary()
    assert any(finding.level == WARN and "all 3 tickets rows would be rejected" in finding.problem
               for finding in report.findings), report.summary()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, dbt: InProcessDbt, tmp_path):
    raw_dir = case.make(tmp_path)
    build = dbt.build(raw_dir)
    report = validate(raw_dir)
    if build.warehouse.exists():
        with build:
            check_outcome(case, raw_dir, build, report)
    else:
        check_outcome(case, raw_dir, build, report)


def check_outcome(case: Case, raw_dir: Path, build: Build, report) -> None:
    summary = report.summary()
    outcome = case.outcome

    if isinstance(outcome, Stops):
        assert not build.ok, f"{case.name}: the build should stop"
        for part in (outcome.file, outcome.column, outcome.problem, *outcome.samples):
            if part:
                assert part in build.errors, f"{case.name}: the dbt error does not name {part!r}:\n{build.errors}"
        assert report.exit_code == 1, summary
        stops = [finding.line() for finding in report.findings if finding.level == STOP]
        wanted = [outcome.file, outcome.column, outcome.validation_problem or outcome.problem, *outcome.samples]
        assert any(all(part in line for part in wanted if part) for line in stops), (
            f"{case.name}: no stop in the validation names {wanted}:\n{summary}")
        return

    if isinstance(outcome, Rejects):
        source = CONTRACT.sources[outcome.source]
        fails = source.severity("default") == "error"
        assert build.ok is not fails, (
            f"{case.name}: a reject in {source.name} should {'fail' if fails else 'not fail'} the build:\n"
            f"{build.errors}")
        rejects = build.query(f"select reason, count(*) from raw_rejects where source = '{source.name}' group by 1")
        assert rejects == [(outcome.reason, outcome.count)], f"{case.name}: raw_rejects has {rejects}"
        # any other reject is a consequence: a row whose parent was rejected
        others = build.query(f"select source, reason from raw_rejects where source <> '{source.name}'")
        assert all(" not in " in reason for _, reason in others), others
        assert_every_row_accounted_for(build, raw_dir)
        message = build.errors if fails else build.output
        raw_file = find_raw_file(raw_dir, source.name)
        assert f"{raw_file.name}: {outcome.count} row(s) rejected" in message, message
        assert outcome.reason in message, message
        level = ERROR if fails else WARN
        assert report.exit_code == (1 if fails else 0), summary
        failed = [finding for finding in report.findings if finding.level == level and finding.source == source.name]
        for part in outcome.reason.split("; "):
            if part.startswith("currency ") and "fx_rates" in part:
                # the validation words the FX rule once per line, with the first month missing
                currency = part.split()[1]
                month = part.split(" for ")[1].split()[0]
                matches = [f for f in failed if f.rule == "fx_rate_for_active_months"
                           and f"{currency} {month}" in f.samples]
            else:
                matches = [f for f in failed if f.problem == part]
            assert matches and all(f.failed_rows == outcome.count for f in matches), (
                f"{case.name}: the validation does not report {part!r} on {outcome.count} row(s):\n{summary}")
        return

    assert isinstance(outcome, Reads)
    assert build.ok, f"{case.name}: the build should pass:\n{build.errors}"
    assert build.query("select count(*) from raw_rejects") == [(0,)]
    assert_every_row_accounted_for(build, raw_dir)
    if outcome.check:
        assert build.query(f"select {outcome.check}") == [(True,)], outcome.check
    if outcome.note:
        assert outcome.note in build.output
    assert report.exit_code == 0, summary
    assert not [finding for finding in report.findings if finding.level in (STOP, ERROR, WARN)], summary
    for note in case.validation_notes:
        assert note in summary, summary
