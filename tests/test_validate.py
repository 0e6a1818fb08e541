"""The raw validation (cs_warehouse.validate): it is the staging build, reported.

It reports what dbt did on the raw files: the reject reasons and counts of
``raw_rejects`` (decided by great-expectations), at the level the reject gates
chose under the reject policy; dbt's stops and notes; the as-of date. It writes a
readable report and exits as the build would.

Each bad-input case is also reported in test_bad_inputs.py; here are the
properties that no single case shows.
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml
from bad_inputs.cases import BASE_DIR, AppendRow, Case, DuplicateRow, Reads, SetValue
from conftest import open_warehouse
from test_bad_inputs import file_rows

from cs_warehouse.contract import CONTRACT_PATH, load_contract
from cs_warehouse.dbt_runner import PROJECT_DIR, run_dbt
from cs_warehouse.validate import ERROR, INFO, OK, STOP, WARN, validate, write_reports

CONTRACT = load_contract()
DEMO_DIR = PROJECT_DIR / "data" / "demo"
# a project copy for an edited contract: what dbt needs to build it (macros/tests/ included)
PROJECT_COPY_SKIP = {".git", "target", "logs", "reports", "benchmarks", "data", "tests", ".bi", "notebooks"}
# rows that break rules in sources that fail the build (accounts, contracts) and in
# sources that only warn (usage, surveys, touchpoints); one reason with three parts
DAMAGE = (DuplicateRow("accounts.csv", 1), AppendRow("accounts.csv", {}),
          SetValue("contracts.csv", 2, "mrr", "-10000"), SetValue("surveys.csv", 1, "score", "11"),
          SetValue("touchpoints.csv", 2, "channel", "phone"),
          AppendRow("usage.csv", {"account_id": "A001", "usage_date": "2099-01-01", "feature": "profile_db",
                                  "active_users": "1", "events": "1"}))


def project_copy_ignore(directory: str, names: list[str]) -> list[str]:
    if Path(directory) == PROJECT_DIR:
        return [name for name in names if name in PROJECT_COPY_SKIP or name.startswith(".venv")]
    return [name for name in names if name.endswith(".duckdb") or name == "__pycache__"]


def variant(parent: Path, *steps) -> Path:
    return Case("variant", "", tuple(steps), Reads()).make(parent)


def reported_rejects(report) -> dict[tuple[str, str], int]:
    return {(finding.source, finding.problem): finding.failed_rows for finding in report.findings
            if finding.level in (ERROR, WARN) and finding.expectations}


def test_the_base_dataset_validates_clean_and_every_file_is_counted():
    report = validate(BASE_DIR)
    assert report.exit_code == 0 and not report.failures(), report.summary()
    checked = {finding.source for finding in report.findings if finding.level == OK}
    assert checked == set(CONTRACT.sources), report.summary()
    assert all(finding.expectations[0]["type"] == "expect_column_values_to_be_null"
               for finding in report.findings if finding.level == OK)
    # every not-null rule of the contract's YAML is listed as kept
    document = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    declared = {(table["name"], column["name"]) for table in document["sources"][0]["tables"]
                for column in table.get("columns") or () if (column.get("meta") or {}).get("not_null")}
    kept = {(finding.source, finding.columns[0]) for finding in report.findings
            if finding.level == OK and finding.rule == "not_null"}
    assert declared and kept == declared, report.summary()
    assert {source: info["rows"] for source, info in report.files.items()} == {
        source: file_rows(BASE_DIR, source) for source in CONTRACT.sources}


def test_the_reject_counts_are_those_of_raw_rejects_in_a_normal_build(tmp_path):
    raw_dir = variant(tmp_path / "raw", *DAMAGE)
    warehouse = tmp_path / "built.duckdb"
    run_dbt(["build", "--select", "+raw_rejects", "--exclude-resource-type", "test", "unit_test"],
            raw_dir=raw_dir, warehouse=warehouse,
            target_path=tmp_path / "target", dbt_vars={"reject_policy": "warn"}, check=True, timeout=600)
    with open_warehouse(warehouse) as connection:
        rejects = connection.execute("select source, reason from raw_rejects").fetchall()
    expected = collections.Counter((source, part) for source, reason in rejects for part in reason.split("; "))
    assert len({source for source, _ in expected}) >= 5, expected
    report = validate(raw_dir)
    assert reported_rejects(report) == dict(expected), report.summary()


def test_the_reject_policy_is_applied_by_dbt(tmp_path):
    """The level of a reject is what the build's reject gate did: accounts' rejects
    fail the build by default and only warn under reject_policy warn."""
    raw_dir = variant(tmp_path, DuplicateRow("accounts.csv", 1))
    duplicate = ("accounts", CONTRACT.sources["accounts"].reason_unique())
    default = validate(raw_dir)
    assert [finding.level for finding in default.findings
            if (finding.source, finding.problem) == duplicate] == [ERROR], default.summary()
    assert default.exit_code == 1 and "the dbt build would FAIL" in default.summary()
    # a broken rule is not also listed as kept
    assert not [finding for finding in default.findings
                if finding.level == OK and finding.source == "accounts" and finding.rule == "unique"]
    assert [finding for finding in default.findings
            if finding.level == OK and finding.source == "contracts" and finding.rule == "unique"]
    warned = validate(raw_dir, reject_policy="warn")
    assert [finding.level for finding in warned.findings
            if (finding.source, finding.problem) == duplicate] == [WARN], warned.summary()
    assert warned.exit_code == 0 and warned.reject_policy == "warn"


def test_a_rule_added_to_the_contract_is_validated_with_no_code(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=project_copy_ignore)
    document = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    accounts = next(table for table in document["sources"][0]["tables"] if table["name"] == "accounts")
    region = next(column for column in accounts["columns"] if column["name"] == "region")
    region["meta"] = {"accepted_values": ["Kanto", "Kansai"]}
    contract = project / CONTRACT_PATH.relative_to(PROJECT_DIR)
    contract.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    report = validate(BASE_DIR, project_dir=project)
    failed = [finding for finding in report.findings if finding.source == "accounts" and finding.failed]
    assert [(f.columns, f.rule, f.problem, f.failed_rows, f.samples, f.level) for f in failed] == [
        (["region"], "accepted_values", "region not one of Kanto, Kansai", 1, ["Chubu"], ERROR)]
    # elsewhere, only the rows that referred to the rejected account
    others = [finding for finding in report.findings if finding.source != "accounts" and finding.failed]
    assert all(finding.rule == "references" for finding in others), report.summary()


def test_the_reports_say_what_failed_where_and_load_nothing_from_the_network(tmp_path):
    raw_dir = variant(tmp_path, SetValue("contracts.csv", 2, "mrr", "-10000"),
                      SetValue("surveys.csv", 1, "score", "11"))
    report = validate(raw_dir)
    json_path, html_path = write_reports(report, tmp_path / "reports")
    results = json.loads(json_path.read_text(encoding="utf-8"))
    assert results["exit_code"] == 1 and results["counts"][ERROR] == 1 and results["counts"][WARN] == 1
    failed = [result for result in results["results"] if result["level"] in (ERROR, WARN)]
    assert {(Path(r["file"]).name, tuple(r["columns"]), r["problem"], r["failed_rows"], tuple(r["samples"]))
            for r in failed} == {
        ("contracts.csv", ("mrr",), "mrr below 0", 1, ("-10000",)),
        ("surveys.csv", ("score", "survey"), "score outside 0-10 for nps", 1, ("11, nps",)),
    }
    assert all(result["expectations"][0]["type"].startswith("expect_") for result in failed)
    page = html_path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the report loads something from the web"
    for text in ("contracts.csv", "mrr below 0", "-10000", "score outside 0-10 for nps", "surveys.csv"):
        assert text in page


def test_the_command_exits_as_the_build_would(tmp_path):
    raw_dir = variant(tmp_path, DuplicateRow("accounts.csv", 1),
                      AppendRow("usage.csv", {"account_id": "A001", "usage_date": "2099-01-01",
                                              "feature": "profile_db", "active_users": "1", "events": "1"}))
    env = dict(os.environ, CS_RAW_DIR=str(raw_dir))
    command = [sys.executable, "-m", "cs_warehouse.validate", "--out-dir", str(tmp_path / "reports")]
    default = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert default.returncode == 1, default.stdout + default.stderr
    assert (f"ERROR {raw_dir / 'accounts.csv'} column account_id: 1 row(s): duplicate account_id e.g. 'A001'"
            in default.stdout), default.stdout
    assert (f"WARN  {raw_dir / 'usage.csv'} column usage_date: 1 row(s): usage_date after the build day "
            "e.g. '2099-01-01'") in default.stdout, default.stdout
    assert "the dbt build would FAIL" in default.stdout
    assert (tmp_path / "reports" / "validation.html").exists()
    # as --vars '{reject_policy: warn}' lets the build pass, --reject-policy warn exits 0
    warned = subprocess.run([*command, "--reject-policy", "warn"], cwd=PROJECT_DIR, env=env, capture_output=True,
                            text=True, timeout=600)
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert "the dbt build would pass" in warned.stdout, warned.stdout


def test_a_stop_is_dbts_message_and_names_the_file(tmp_path):
    raw_dir = variant(tmp_path, SetValue("contracts.csv", 3, "mrr", "12,000円"))
    report = validate(raw_dir)
    stops = [finding for finding in report.findings if finding.level == STOP]
    assert report.exit_code == 1 and len(stops) == 1, report.summary()
    assert stops[0].source == "contracts" and stops[0].file == str(raw_dir / "contracts.csv")
    assert "column mrr" in stops[0].problem and "'12,000円'" in stops[0].problem, stops[0].problem
    assert report.files["contracts"]["status"].endswith("the build would stop")


def test_a_missing_directory_stops(tmp_path):
    report = validate(tmp_path / "nowhere")
    assert report.exit_code == 1
    assert [finding.level for finding in report.findings] == [STOP]
    assert "does not exist" in report.findings[0].problem


def test_the_declared_limits_are_what_each_type_holds():
    """meta.limits of the contract is what the build's messages quote; DuckDB's cast
    is what the build applies. They must be the same range, to the last unit of the
    scale."""
    import decimal

    numeric = {column.data_type.lower() for source in CONTRACT for column in source.columns
               if column.kind in ("integer", "decimal")}
    assert numeric <= set(CONTRACT.limits), numeric - set(CONTRACT.limits)
    for data_type, limit in CONTRACT.limits.items():
        scale = re.fullmatch(r"decimal\(\s*\d+\s*,\s*(\d+)\s*\)", data_type)
        unit = decimal.Decimal(1).scaleb(-int(scale.group(1)) if scale else 0)
        for text, holds in ((limit.min, True), (limit.max, True), (decimal.Decimal(limit.max) + unit, False),
                            (decimal.Decimal(limit.min) - unit, False)):
            cast = duckdb.sql(f"select try_cast('{text}' as {data_type})").fetchall()[0][0]
            assert (cast is not None) == holds, f"{data_type}: {text} cast to {cast}"


@pytest.mark.skipif(not (DEMO_DIR / "accounts.csv").exists(), reason="no bundled demo dataset")
def test_the_demo_dataset_keeps_the_contract():
    report = validate(DEMO_DIR)
    assert report.exit_code == 0
    assert not report.failures(), report.summary()
    assert report.files["usage"]["rows"] == pq.ParquetFile(DEMO_DIR / "usage.parquet").metadata.num_rows
    latest = duckdb.sql(f"select max(usage_date) from read_parquet('{DEMO_DIR / 'usage.parquet'}')").fetchall()[0][0]
    assert report.as_of_date == latest.isoformat()
    assert any(finding.level == INFO and report.as_of_date in finding.problem for finding in report.findings)


@pytest.mark.skipif(not (DEMO_DIR / "accounts.csv").exists(), reason="no bundled demo dataset")
def test_the_as_of_date_is_reported_and_a_stray_row_warns(tmp_path):
    latest = duckdb.sql(f"select max(usage_date) from read_parquet('{DEMO_DIR / 'usage.parquet'}')").fetchall()[0][0]
    # one row dated 9 days after the export's last day (about 700 rows a day): the
    # build's test warn_latest_usage_days_look_stray warns
    stray_dir = tmp_path / "stray"
    shutil.copytree(DEMO_DIR, stray_dir)
    stray_day = (latest + dt.timedelta(days=9)).isoformat()
    with duckdb.connect() as connection:
        connection.execute(f"""copy (
            select * from read_parquet('{DEMO_DIR / "usage.parquet"}')
            union all
            (select account_id, date '{stray_day}', feature, active_users, events
             from read_parquet('{DEMO_DIR / "usage.parquet"}') order by account_id, usage_date, feature limit 1)
        ) to '{stray_dir / "usage.parquet"}' (format parquet)""")
    stray = validate(stray_dir)
    # the as-of date is the latest usage day (metrics.md)
    assert stray.as_of_date == stray_day
    warnings = [finding for finding in stray.findings if finding.level == WARN]
    assert [finding.rule for finding in warnings] == ["warn_latest_usage_days_look_stray"], stray.summary()
    # it names the stray day and the day the export really ends on
    assert warnings[0].failed_rows == 1 and f"usage_date={stray_day}" in warnings[0].samples[0], warnings[0]
    assert f"latest_complete_usage_day={latest.isoformat()}" in warnings[0].samples[0], warnings[0]
    assert stray.exit_code == 0
    # an explicit var always wins
    chosen = validate(BASE_DIR, dbt_vars={"as_of_date": "2024-05-31"})
    assert chosen.as_of_date == "2024-05-31"
