"""The raw layer: every raw row is accounted for, CSV and Parquet both work, absent
optional sources give empty staging models, and the reject policy var does what
docs/data-contract.md promises.

Row counts here are taken from the files with pandas/pyarrow, independently of
DuckDB's readers."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import Warehouse

from cs_warehouse.dbt_runner import run_dbt

SOURCES = ["accounts", "contracts", "usage", "csms", "csm_assignments", "touchpoints",
           "surveys", "tickets", "milestones", "community", "fx_rates"]
OPTIONAL = [source for source in SOURCES if source not in ("accounts", "contracts", "usage")]
STAGING_ONLY = ["build", "--select", "+raw_rejects", "path:models/staging", "--indirect-selection", "cautious"]


def file_row_count(raw_dir: Path, source: str) -> int | None:
    parquet, csv = raw_dir / f"{source}.parquet", raw_dir / f"{source}.csv"
    if parquet.exists():
        return pq.ParquetFile(parquet).metadata.num_rows
    if csv.exists():
        return len(pd.read_csv(csv, dtype=str, keep_default_na=False))
    return None


def build_staging(raw_dir: Path, work_dir: Path, dbt_vars: dict | None = None) -> Warehouse:
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / "warehouse.duckdb"
    process = run_dbt(STAGING_ONLY, raw_dir=raw_dir, warehouse=path, target_path=work_dir / "target",
                      dbt_vars=dbt_vars)
    return Warehouse(path=path, raw_dir=raw_dir, process=process)


def assert_every_row_accounted_for(warehouse: Warehouse) -> None:
    rejects = warehouse.query("select source, count(*) as n from raw_rejects group by source")
    rejected = dict(zip(rejects["source"], rejects["n"]))
    for source in SOURCES:
        expected = file_row_count(warehouse.raw_dir, source) or 0
        accepted = int(warehouse.query(f"select count(*) as n from stg_raw__{source}")["n"][0])
        assert accepted + rejected.get(source, 0) == expected, (
            f"{source}: {expected} rows in the file, {accepted} accepted + {rejected.get(source, 0)} rejected")


def test_every_generated_row_is_accounted_for(small_warehouse):
    assert_every_row_accounted_for(small_warehouse)
    # the generator writes clean data: nothing should be rejected
    assert small_warehouse.query("select count(*) as n from raw_rejects")["n"][0] == 0


def test_staging_types_follow_the_contract(small_warehouse):
    columns = small_warehouse.query(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_name in ('stg_raw__contracts', 'stg_raw__usage', 'stg_raw__accounts')")
    types = {(row.table_name, row.column_name): row.data_type for row in columns.itertuples()}
    assert types[("stg_raw__contracts", "start_date")] == "DATE"
    assert types[("stg_raw__contracts", "mrr")] == "DECIMAL(18,4)"
    assert types[("stg_raw__usage", "active_users")] == "BIGINT"
    assert types[("stg_raw__accounts", "is_advocate")] == "BOOLEAN"


@pytest.fixture(scope="module")
def csv_only_dir(small_dataset, tmp_path_factory) -> Path:
    """The small dataset with every file as CSV (usage converted from Parquet) in a
    directory whose name has spaces and quotes."""
    target = tmp_path_factory.mktemp("csv") / "exports \"Q3\" it's"
    shutil.copytree(small_dataset, target)
    usage = target / "usage.parquet"
    if usage.exists():
        frame = pd.read_parquet(usage)
        frame["usage_date"] = pd.to_datetime(frame["usage_date"]).dt.strftime("%Y-%m-%d")
        frame.to_csv(target / "usage.csv", index=False)
        usage.unlink()
    return target


def test_a_csv_only_directory_with_spaces_and_quotes_builds(csv_only_dir, small_warehouse, tmp_path):
    warehouse = build_staging(csv_only_dir, tmp_path / "csv")
    assert warehouse.ok, warehouse.output[-5000:]
    assert_every_row_accounted_for(warehouse)
    # the same usage rows as the Parquet build
    from_csv = warehouse.query("select count(*) as n, sum(events) as e from stg_raw__usage")
    from_parquet = small_warehouse.query("select count(*) as n, sum(events) as e from stg_raw__usage")
    assert from_csv.equals(from_parquet)


def test_parquet_wins_over_csv(csv_only_dir, tmp_path):
    raw_dir = tmp_path / "both"
    shutil.copytree(csv_only_dir, raw_dir)
    accounts = pd.read_csv(raw_dir / "accounts.csv", dtype=str, keep_default_na=False)
    accounts.iloc[:3].to_parquet(raw_dir / "accounts.parquet", index=False)
    # a CSV that would fail to read: it must not be read at all
    (raw_dir / "accounts.csv").write_text("not,the,accounts\n1,2,3\n", encoding="utf-8")
    warehouse = build_staging(raw_dir, tmp_path / "w", dbt_vars={"reject_policy": "warn"})
    assert warehouse.ok, warehouse.output[-5000:]
    assert warehouse.query("select count(*) as n from stg_raw__accounts")["n"][0] == 3
    files = warehouse.query("select distinct source_file from base_raw__accounts")["source_file"].tolist()
    assert files == [str(raw_dir / "accounts.parquet")]


def test_absent_optional_sources_give_empty_models_with_every_column(small_dataset, small_warehouse, tmp_path):
    # fx_rates stays: the generated data has USD contracts, which need it
    raw_dir = tmp_path / "required_only"
    raw_dir.mkdir()
    for source in ("accounts", "contracts", "usage", "fx_rates"):
        for found in small_dataset.glob(f"{source}.*"):
            shutil.copy(found, raw_dir / found.name)
    warehouse = build_staging(raw_dir, tmp_path / "w")
    assert warehouse.ok, warehouse.output[-5000:]
    for source in (source for source in OPTIONAL if source != "fx_rates"):
        assert warehouse.query(f"select count(*) as n from stg_raw__{source}")["n"][0] == 0
        empty = warehouse.query(f"describe stg_raw__{source}")[["column_name", "column_type"]]
        full = small_warehouse.query(f"describe stg_raw__{source}")[["column_name", "column_type"]]
        assert empty.equals(full), f"{source}: columns differ when the file is absent"
        assert f"Optional source {source} is absent" in warehouse.output


@pytest.fixture(scope="module")
def dataset_with_rejects(small_dataset, tmp_path_factory) -> Path:
    """One duplicated account row (an accounts reject) and one negative usage row
    (a usage reject)."""
    raw_dir = tmp_path_factory.mktemp("rejects")
    shutil.copytree(small_dataset, raw_dir, dirs_exist_ok=True)
    accounts = pd.read_csv(raw_dir / "accounts.csv", dtype=str, keep_default_na=False)
    pd.concat([accounts, accounts.iloc[[0]]]).to_csv(raw_dir / "accounts.csv", index=False)
    usage = pd.read_parquet(raw_dir / "usage.parquet")
    usage.loc[0, "events"] = -5
    usage.to_parquet(raw_dir / "usage.parquet", index=False)
    return raw_dir


def test_account_rejects_fail_the_build_by_default(dataset_with_rejects, tmp_path):
    warehouse = build_staging(dataset_with_rejects, tmp_path / "w")
    assert not warehouse.ok
    assert "accounts.csv: 1 row(s) rejected" in warehouse.output
    assert "duplicate account_id" in warehouse.output
    # the usage reject is only a warning, and the rejected rows are kept
    assert "usage.parquet: 1 row(s) rejected" in warehouse.output
    rejects = warehouse.query("select source, reason from raw_rejects order by source")
    assert rejects.to_dict("records") == [
        {"source": "accounts", "reason": "duplicate account_id"},
        {"source": "usage", "reason": "events below 0"},
    ]


def test_reject_policy_warn_builds_and_error_fails_on_any_reject(dataset_with_rejects, tmp_path):
    warned = build_staging(dataset_with_rejects, tmp_path / "warn", dbt_vars={"reject_policy": "warn"})
    assert warned.ok, warned.output[-5000:]
    assert_every_row_accounted_for(warned)

    usage_only = tmp_path / "usage_only"
    shutil.copytree(dataset_with_rejects, usage_only)
    accounts = pd.read_csv(usage_only / "accounts.csv", dtype=str, keep_default_na=False)
    accounts.drop_duplicates().to_csv(usage_only / "accounts.csv", index=False)
    default = build_staging(usage_only, tmp_path / "default")
    assert default.ok, "a usage reject alone only warns by default"
    strict = build_staging(usage_only, tmp_path / "error", dbt_vars={"reject_policy": "error"})
    assert not strict.ok
    assert "usage.parquet: 1 row(s) rejected" in strict.output


def _model_parents(tmp_path: Path, dbt_vars: dict | None = None) -> dict[str, set[str]]:
    """Each model's name -> the names of the models it refs (one dbt ls)."""
    listed = run_dbt(["ls", "--quiet", "--resource-type", "model", "--output", "json",
                      "--output-keys", "unique_id depends_on"],
                     target_path=tmp_path / "target", dbt_vars=dbt_vars, check=True)
    nodes = [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]
    return {_name(node["unique_id"]): {_name(parent) for parent in node["depends_on"]["nodes"]
                                       if parent.startswith("model.")} for node in nodes}


def _name(unique_id: str) -> str:
    return unique_id.split(".")[-1]


def _upstream(parents: dict[str, set[str]], model: str) -> set[str]:
    seen, todo = set(), [model]
    while todo:
        for parent in parents[todo.pop()] - seen:
            seen.add(parent)
            todo.append(parent)
    return seen


def test_contracts_wait_for_usage_only_for_the_as_of_date(tmp_path):
    # by default the as-of date is the latest usage day, which the FX rule needs
    by_default = _model_parents(tmp_path)
    assert {"int_as_of_date", "base_raw__usage"} <= _upstream(by_default, "stg_raw__contracts")
    assert not [name for name in _upstream(by_default, "stg_raw__accounts") if "usage" in name]
    # with the date given, contracts read no usage
    given = _upstream(_model_parents(tmp_path, {"as_of_date": "2026-09-30"}), "stg_raw__contracts")
    assert "int_as_of_date" in given
    assert not [name for name in given if "usage" in name], given
