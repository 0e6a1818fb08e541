"""The bad-input corpus (tests/bad_inputs/cases.py): for each case of export damage,
the dbt staging build does what the data contract promises, and the validation
reports it.

- Stops: the build fails, and its error names the file, the column and the
  problem (with the bad values); the validation reports that error as a stop and
  exits non-zero.
- Rejects: the row is in raw_rejects with its reason; the build fails only where
  the contract's reject_severity says so (accounts, contracts); the validation
  reports each part of the reason with its row count, as an error or a warning to
  match.
- Reads: the build passes, nothing is rejected, and the data is as in the file.

In every case that builds, rows read = rows accepted + rows rejected for every
source, with the rows counted in the file here, by Python's csv module and
pyarrow, independently of DuckDB's reader.

Speed: dbt runs in this process (cs_warehouse.dbt_runner.InProcessDbt) on the
staging layer only, with one target path so that it parses the project once
(~2 s a case instead of ~6 s). The validation's report is made from that build
(``report_from_build``); the base dataset and the reject-policy case run the whole
``validate()``, which builds again.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from bad_inputs.cases import CASES, Case, Reads, Rejects, Stops
from conftest import open_warehouse

from cs_warehouse.contract import find_raw_file, load_contract
from cs_warehouse.dbt_runner import PROJECT_DIR, InProcessBuild, InProcessDbt
from cs_warehouse.validate import ERROR, STAGING_BUILD, STOP, WARN, report_from_build, validate

CONTRACT = load_contract()
SOURCES = list(CONTRACT.sources)


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
    """A finished staging build, and its warehouse to query."""

    run: InProcessBuild
    connection: duckdb.DuckDBPyConnection | None = None

    @property
    def ok(self) -> bool:
        return self.run.ok

    @property
    def output(self) -> str:  # every message dbt logged
        return self.run.output

    @property
    def errors(self) -> str:  # the error messages only
        return self.run.errors

    @property
    def warehouse(self) -> Path:
        return self.run.warehouse

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


class StagingDbt:
    """The staging build (the validation's selection), one case after another."""

    def __init__(self, work_dir: Path) -> None:
        self.dbt = InProcessDbt(work_dir / "target")
        self.warehouse = work_dir / "warehouse.duckdb"

    def build(self, raw_dir: Path, profiles_dir: Path = PROJECT_DIR, dbt_vars: dict | None = None) -> Build:
        return Build(self.dbt.build(STAGING_BUILD, raw_dir=raw_dir, warehouse=self.warehouse,
                                    dbt_vars=dbt_vars, profiles_dir=profiles_dir))


@pytest.fixture(scope="module")
def dbt(tmp_path_factory) -> StagingDbt:
    return StagingDbt(tmp_path_factory.mktemp("bad_inputs_dbt"))


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
    assert any(finding.level == WARN and "all 3 tickets rows were rejected" in finding.problem
               for finding in report.findings), report.summary()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, dbt: StagingDbt, tmp_path):
    raw_dir = case.make(tmp_path)
    build = dbt.build(raw_dir)
    report = report_from_build(raw_dir, build.run, reject_policy="default")
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
        wanted = [outcome.file, outcome.column, outcome.problem, *outcome.samples]
        assert any(all(part in line for part in wanted if part) for line in stops), (
            f"{case.name}: no stop in the validation names {wanted}:\n{summary}")
        return

    if isinstance(outcome, Rejects):
        source = CONTRACT.sources[outcome.source]
        fails = source.reject_severity == "error"
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
            matches = [finding for finding in failed if finding.problem == part]
            assert matches and all(finding.failed_rows == outcome.count for finding in matches), (
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
        assert outcome.note in summary, summary
    assert report.exit_code == 0, summary
    assert not [finding for finding in report.findings if finding.level in (STOP, ERROR, WARN)], summary
