"""The raw validation (cs_warehouse.validate): its great-expectations suites come from
the contract, it counts rows (not distinct values), it writes a readable report,
and its exit status says whether the dbt build would stop or fail.

Each bad-input case is also validated in test_bad_inputs.py; here are the
properties that no single case shows.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bad_inputs.cases import BASE_DIR, AppendRow, Case, DuplicateRow, Reads, SetValue

from cs_warehouse.contract import CONTRACT_PATH, load_contract
from cs_warehouse.dbt_runner import PROJECT_DIR
from cs_warehouse.validate import ERROR, OK, STOP, WARN, validate, write_reports

CONTRACT = load_contract()
DEMO_DIR = PROJECT_DIR / "data" / "demo"


def variant(parent: Path, *steps) -> Path:
    return Case("variant", "", tuple(steps), Reads()).make(parent)


def expected_rules(contract) -> set[tuple[str, str, str]]:
    """(source, rule, first column) for every rule the contract declares."""
    rules = set()
    for source in contract:
        rules.add((source.name, "columns_present", ""))
        if source.unique:
            rules.add((source.name, "unique", source.unique[0]))
        for column in source.columns:
            if column.kind != "text":
                rules.add((source.name, "readable", column.name))
            if column.kind in ("integer", "decimal"):
                rules.add((source.name, "in_range", column.name))
            for rule, declared in (("not_null", column.not_null), ("min", column.min is not None),
                                   ("min_exclusive", column.min_exclusive is not None), ("max", column.max is not None),
                                   ("accepted_values", column.accepted_values), ("references", column.references)):
                if declared:
                    rules.add((source.name, rule, column.name))
        for rule in source.row_rules:
            rules.add((source.name, rule.rule, rule.columns[0]))
    return rules


def test_every_rule_of_the_contract_is_an_expectation_and_the_base_keeps_them_all():
    report = validate(BASE_DIR)
    checked = {(finding.source, finding.rule, finding.columns[0] if finding.columns else "")
               for finding in report.findings if finding.expectations or finding.rule == "unique"}
    missing = expected_rules(CONTRACT) - checked
    assert not missing, f"contract rules with no expectation: {sorted(missing)}"
    assert report.exit_code == 0
    assert all(finding.level == OK for finding in report.findings), report.summary()


def test_a_rule_added_to_the_contract_is_validated_with_no_code(tmp_path):
    document = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    accounts = next(table for table in document["sources"][0]["tables"] if table["name"] == "accounts")
    region = next(column for column in accounts["columns"] if column["name"] == "region")
    region["meta"] = {"accepted_values": ["Kanto", "Kansai"]}
    changed = tmp_path / "_raw__sources.yml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    report = validate(BASE_DIR, contract=load_contract(changed))
    failed = [finding for finding in report.findings if finding.failed]
    assert [(f.source, f.columns, f.problem, f.failed_rows, f.samples, f.level) for f in failed] == [
        ("accounts", ["region"], "region not one of Kanto, Kansai", 1, ["Chubu"], ERROR)]


def test_rows_are_counted_not_distinct_values(tmp_path):
    """Rules run on distinct values with their row counts: the report counts rows."""
    raw_dir = variant(tmp_path)
    usage = pd.read_csv(raw_dir / "usage.csv", dtype=str, keep_default_na=False)
    repeated = usage.iloc[[0, 0, 0]]  # one key three times: two rows too many
    negative = usage.iloc[1:6].assign(events="-1",  # five rows share one bad value
                                      usage_date=[f"2024-05-0{day}" for day in range(1, 6)])
    unknown = usage.iloc[6:10].assign(account_id="A999", usage_date=[f"2024-04-0{day}" for day in range(1, 5)])
    frame = pd.concat([usage.iloc[1:], repeated, negative, unknown])
    frame["usage_date"] = pd.to_datetime(frame["usage_date"]).dt.date
    for column in ("active_users", "events"):
        frame[column] = frame[column].astype("int64")
    frame.to_parquet(raw_dir / "usage.parquet", index=False)  # Parquet wins over the CSV
    report = validate(raw_dir)
    usage_findings = {finding.rule: finding for finding in report.findings
                      if finding.source == "usage" and finding.failed}
    assert usage_findings["unique"].failed_rows == 2
    assert usage_findings["unique"].samples == ["A001, 2024-06-28, profile_db (3 rows)"]
    assert (usage_findings["min"].failed_rows, usage_findings["min"].samples) == (5, ["-1"])
    assert (usage_findings["references"].failed_rows, usage_findings["references"].samples) == (4, ["A999"])
    assert {finding.level for finding in usage_findings.values()} == {WARN}
    assert report.exit_code == 0


def test_the_reports_say_what_failed_where_and_load_nothing_from_the_network(tmp_path):
    raw_dir = variant(tmp_path, SetValue("contracts.csv", 2, "mrr", "-10000"),
                      SetValue("surveys.csv", 1, "score", "11"))
    report = validate(raw_dir)
    json_path, html_path = write_reports(report, tmp_path / "reports")
    results = json.loads(json_path.read_text(encoding="utf-8"))
    assert results["exit_code"] == 1 and results["counts"][ERROR] == 1 and results["counts"][WARN] == 1
    failed = [result for result in results["results"] if result["level"] in (ERROR, WARN)]
    assert {(r["file"], tuple(r["columns"]), r["problem"], r["failed_rows"], tuple(r["samples"])) for r in failed} == {
        (str(raw_dir / "contracts.csv"), ("mrr",), "mrr below 0", 1, ("-10000",)),
        (str(raw_dir / "surveys.csv"), ("score", "survey"), "score outside 0-10 for nps", 1, ("11",)),
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
    default = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert default.returncode == 1, default.stdout + default.stderr
    assert f"ERROR {raw_dir / 'accounts.csv'} column account_id: 1 row(s): duplicate account_id e.g. 'A001 (2 rows)'" \
        in default.stdout
    assert (f"WARN  {raw_dir / 'usage.csv'} column usage_date: 1 row(s): usage_date after the build day "
            "e.g. '2099-01-01'") in default.stdout
    assert "the dbt build would FAIL" in default.stdout
    assert (tmp_path / "reports" / "validation.html").exists()
    # as --vars '{reject_policy: warn}' lets the build pass, --reject-policy warn exits 0
    warned = validate(raw_dir, reject_policy="warn")
    assert warned.exit_code == 0 and {f.level for f in warned.findings if f.failed} == {WARN}
    strict = validate(raw_dir, reject_policy="error")
    assert strict.exit_code == 1 and {f.level for f in strict.findings if f.failed} == {ERROR}


def test_a_missing_directory_stops(tmp_path):
    report = validate(tmp_path / "nowhere")
    assert report.exit_code == 1
    assert [finding.level for finding in report.findings] == [STOP]
    assert "does not exist" in report.findings[0].problem


def test_the_formats_are_the_contracts(tmp_path):
    """What reads as a date, an integer, a decimal or a boolean is declared in the
    contract; the validation applies exactly that (dbt does too: see the corpus)."""
    formats = CONTRACT.formats
    assert formats["date"].reads("2024-02-29") and not formats["date"].reads("2024-02-30")
    assert not formats["date"].reads("2024/01/13") and not formats["date"].reads("2024-1-5")
    assert formats["integer"].reads(" 42 ") and not formats["integer"].reads("12.5")
    assert formats["decimal"].reads("-0.5") and not formats["decimal"].reads("12,000円")
    assert formats["boolean"].reads("TRUE") and not formats["boolean"].reads("はい")


def test_the_declared_limits_are_what_each_type_holds():
    """meta.limits of the contract is what the validation checks and what both
    messages quote; DuckDB's cast is what the build applies. They must be the same
    range, to the last unit of the scale, and round the same way."""
    import decimal

    import duckdb

    numeric = {column.data_type.lower() for source in CONTRACT for column in source.columns
               if column.kind in ("integer", "decimal")}
    assert numeric <= set(CONTRACT.limits), numeric - set(CONTRACT.limits)
    for data_type, limit in CONTRACT.limits.items():
        unit = decimal.Decimal(1).scaleb(-limit.scale)
        half = unit / 2
        texts = [limit.min, limit.max, str(decimal.Decimal(limit.max) + unit), str(decimal.Decimal(limit.min) - unit),
                 "0", "1" + "0" * 40]
        if limit.scale:  # halves round away from zero, as DuckDB's cast does
            texts += [str(decimal.Decimal(limit.max) + half), str(decimal.Decimal(limit.max) + half - unit / 10),
                      str(decimal.Decimal(limit.min) - half)]
        for text in texts:
            cast = duckdb.sql(f"select try_cast('{text}' as {data_type})").fetchall()[0][0]
            assert limit.holds(text) == (cast is not None), f"{data_type}: {text} holds {limit.holds(text)}, cast {cast}"
        assert duckdb.sql(f"select try_cast('{limit.max}' as {data_type}) = {limit.max}").fetchall()[0][0]


@pytest.mark.skipif(not (DEMO_DIR / "accounts.csv").exists(), reason="no bundled demo dataset")
def test_the_demo_dataset_keeps_the_contract():
    report = validate(DEMO_DIR)
    assert report.exit_code == 0
    assert not report.failures(), report.summary()
    assert report.files["usage"]["rows"] > 100_000


@pytest.mark.skipif(not (DEMO_DIR / "accounts.csv").exists(), reason="no bundled demo dataset")
def test_the_as_of_date_is_reported_and_a_stray_row_warns(tmp_path):
    import shutil

    import duckdb

    demo = validate(DEMO_DIR)
    reported = [finding for finding in demo.findings if finding.rule == "as_of_date"]
    assert [finding.level for finding in reported] == [OK] and demo.as_of_date in reported[0].problem
    # one row dated 9 days after the export's last day (about 700 rows a day): a warning
    # that counts the stray row
    stray_dir = tmp_path / "stray"
    shutil.copytree(DEMO_DIR, stray_dir)
    stray_day = (pd.Timestamp(demo.as_of_date) + pd.Timedelta(days=9)).date().isoformat()
    with duckdb.connect() as connection:
        connection.execute(f"""copy (
            select * from read_parquet('{DEMO_DIR / "usage.parquet"}')
            union all
            (select account_id, date '{stray_day}', feature, active_users, events
             from read_parquet('{DEMO_DIR / "usage.parquet"}') order by account_id, usage_date, feature limit 1)
        ) to '{stray_dir / "usage.parquet"}' (format parquet)""")
    stray = validate(stray_dir)
    # the as-of date is the latest usage day (metrics.md); the warning names the day to set instead
    assert stray.as_of_date == stray_day
    warning = next(finding for finding in stray.findings if finding.rule == "as_of_date")
    assert warning.level == WARN and warning.failed_rows == 1
    assert f"set the var as_of_date: {demo.as_of_date}" in warning.problem
    # an explicit var always wins, and says so
    chosen = validate(BASE_DIR, dbt_vars={"as_of_date": "2024-05-31"})
    assert chosen.as_of_date == "2024-05-31"
    assert any(finding.rule == "as_of_date" and "set by the var as_of_date" in finding.problem
               for finding in chosen.findings)
