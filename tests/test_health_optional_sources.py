"""The health and stage marts build, and make sense, with only the required sources.

The raw directory holds accounts, contracts and usage (plus fx_rates, which the
generated contracts in USD need): no milestones, surveys, community, CSMs,
assignments or touchpoints. Then (metrics.md "Lifecycle stage") an account's first
usage day (first day with events > 0) is its setup day; nobody is an advocate but
the accounts the accounts file flags; nobody has a CSM or a touch. Every dbt test
of the project runs in the same build. Two accounts are planted so that the setup
rule has entry customers to find: one whose usage of its first 75 days is removed,
and a customer that never uses the product.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import build_warehouse

REQUIRED = ["accounts", "contracts", "usage", "fx_rates"]


@pytest.fixture(scope="module")
def bare(small_dataset, tmp_path_factory):
    raw = tmp_path_factory.mktemp("required_sources_only")
    for path in Path(small_dataset).iterdir():
        if path.stem in REQUIRED and path.suffix in (".csv", ".parquet"):
            shutil.copy(path, raw / path.name)
    assert not (raw / "milestones.csv").exists()
    usage_file = next(raw.glob("usage.*"))
    reader = "read_parquet" if usage_file.suffix == ".parquet" else "read_csv"
    with duckdb.connect() as connection:
        late_starter = connection.execute(f"select min(account_id) from {reader}('{usage_file}')").fetchone()[0]
        connection.execute(f"""
            copy (
                select * from {reader}('{usage_file}')
                where account_id <> '{late_starter}'
                    or usage_date >= (select min(usage_date) from {reader}('{usage_file}')
                                      where account_id = '{late_starter}') + 75
            ) to '{raw / "usage.trimmed.parquet"}' (format parquet)""")
    usage_file.unlink()
    (raw / "usage.trimmed.parquet").rename(raw / "usage.parquet")
    with open(raw / "accounts.csv", "a", encoding="utf-8") as accounts:
        accounts.write("ZZ_NEVER_USES,Never Uses KK,2024-01-01,,,,false,\n")
    with open(raw / "contracts.csv", "a", encoding="utf-8") as contracts:
        header = (raw / "contracts.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        values = {"contract_id": "ZZ_C1", "account_id": "ZZ_NEVER_USES", "product": "core", "plan": "standard",
                  "line_type": "base", "department": "hr", "start_date": "2024-01-01", "end_date": "",
                  "mrr": "50000", "currency": "JPY", "seats": "10"}
        contracts.write(",".join(values.get(column, "") for column in header) + "\n")
    return build_warehouse(raw, tmp_path_factory.mktemp("required_sources_build")), raw


def test_every_health_mart_builds(bare):
    warehouse, _ = bare
    assert warehouse.ok
    for table in ["fct_account_monthly", "dim_accounts", "mart_stage_monthly", "mart_stage_transitions",
                  "mart_stage_churn", "mart_stage_churn_summary", "mart_condition_upsell",
                  "mart_utilization_matrix"]:
        assert len(warehouse.table(table)) > 0, table


def test_first_usage_day_is_the_setup_day(bare):
    warehouse, raw = bare
    usage = pd.read_parquet(raw / "usage.parquet") if (raw / "usage.parquet").exists() \
        else pd.read_csv(raw / "usage.csv")
    usage["usage_date"] = pd.to_datetime(usage["usage_date"])
    first_use = usage[usage["events"].astype(int) > 0].groupby("account_id")["usage_date"].min()
    monthly = warehouse.table("fct_account_monthly")
    expected_entry = [account not in first_use.index or first_use[account] > pd.Timestamp(snapshot)
                      for account, snapshot in zip(monthly["account_id"], monthly["snapshot_date"])]
    assert ((monthly["stage"] == "entry") == pd.Series(expected_entry)).all()
    assert (monthly["stage"] != "entry").any()
    assert (monthly.loc[monthly["account_id"] == "ZZ_NEVER_USES", "stage"] == "entry").all()
    assert monthly.loc[monthly["account_id"] == "ZZ_NEVER_USES", "health_score"].notna().all()
    assert (monthly["stage"] == "entry").sum() > (monthly["account_id"] == "ZZ_NEVER_USES").sum()


def test_no_evidence_sources_means_only_flagged_advocates_and_no_csm(bare):
    warehouse, raw = bare
    accounts = pd.read_csv(raw / "accounts.csv", dtype=str, keep_default_na=False)
    flagged = set(accounts.loc[accounts["is_advocate"].str.lower() == "true", "account_id"])
    monthly = warehouse.table("fct_account_monthly")
    assert set(monthly.loc[monthly["is_advocate"], "account_id"]) <= flagged
    assert monthly["csm_id"].isna().all()
    assert (monthly.loc[monthly["stage"] == "loyal", "account_id"].isin(flagged)).all()
    dim = warehouse.table("dim_accounts")
    assert dim["csm_id"].isna().all() and dim["last_touch_date"].isna().all()
    assert dim["next_renewal_date"].notna().any()
