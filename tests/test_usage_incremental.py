"""The incremental usage path gives exactly what a full refresh gives.

int_usage_aggregated_to_account_days (and int_usage_aggregated_to_feature_days) are
incremental by usage_date: an incremental run reads only the days after the latest
one aggregated, plus the last `usage_incremental_lookback_days` [3] days again, and
replaces those days whole. The two window models are incremental by month: they
recompute only the months whose windows can hold a re-read day or whose snapshot
day moved.

1. Build from a usage file that stops 10 days before the end, in which two
   rows of the last day are missing and one row of the day before has a wrong
   event count (they arrive late / are corrected later).
2. Replace the usage file with the complete one and `dbt build` again: an
   incremental run (checked: its SQL reads its own table and deletes the days it
   replaces).
3. Build the complete file with `--full-refresh` into a second warehouse.
Every usage model and every mart of the health path must be identical row for row
(EXCEPT ALL both ways) between 2 and 3.
4. The limit, documented in the model: a late row dated before the lookback is not
   picked up by an incremental run (that needs --full-refresh), while a row within
   it is.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import build_warehouse

MODELS = [
    "int_usage_aggregated_to_account_days",
    "int_usage_aggregated_to_feature_days",
    "int_usage_features_ranked",
    "int_usage_aggregated_to_account_months",
    "int_usage_features_aggregated_to_account_months",
    "int_account_setup_dates",
    "fct_account_monthly",
    "mart_stage_churn",
    "mart_utilization_matrix",
]
SELECT = ["build", "--select", "+fct_account_monthly", "+mart_stage_churn", "+mart_utilization_matrix",
          "--exclude-resource-type", "test", "unit_test"]
LOOKBACK = 3


def day(value) -> str:
    """A date from DuckDB or pandas as YYYY-MM-DD."""
    return pd.Timestamp(value).date().isoformat()


def write_usage(raw_dir: Path, sql: str) -> None:
    """Write raw_dir/usage.parquet from a query over `source` (the generated usage file)."""
    target = raw_dir / "usage.parquet"
    staged = raw_dir / "usage.next.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"create view source as select * from read_parquet('{raw_dir / 'usage.source.parquet'}')")
        connection.execute(f"copy ({sql}) to '{staged}' (format parquet)")
    staged.replace(target)


def differences(left: Path, right: Path, table: str) -> int:
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as left_db (read_only)")
        connection.execute(f"attach '{right}' as right_db (read_only)")
        one_way = connection.execute(
            f"select count(*) from (select * from left_db.main.{table} except all select * from right_db.main.{table})"
        ).fetchone()[0]
        other_way = connection.execute(
            f"select count(*) from (select * from right_db.main.{table} except all select * from left_db.main.{table})"
        ).fetchone()[0]
        rows = connection.execute(f"select count(*) from left_db.main.{table}").fetchone()[0]
    assert rows > 0, f"{table} is empty: the comparison would prove nothing"
    return one_way + other_way


@pytest.fixture(scope="module")
def raw_dir(dataset, tmp_path_factory) -> Path:
    source = dataset(5, 40)
    raw = tmp_path_factory.mktemp("incremental_raw")
    for path in Path(source).iterdir():
        if path.name == "usage.parquet":
            shutil.copy(path, raw / "usage.source.parquet")
        elif path.suffix in (".csv", ".parquet"):
            shutil.copy(path, raw / path.name)
    return raw


@pytest.fixture(scope="module")
def last_day(raw_dir) -> str:
    with duckdb.connect() as connection:
        return day(connection.execute(
            f"select max(usage_date) from read_parquet('{raw_dir / 'usage.source.parquet'}')").fetchone()[0])


@pytest.fixture(scope="module")
def builds(raw_dir, last_day, tmp_path_factory):
    cut = f"cast('{last_day}' as date) - 10"
    # 1. ten days short; two rows of the last day arrive late; one row of the day before is corrected later
    write_usage(raw_dir, f"""
        with numbered as (
            select *, row_number() over (partition by usage_date order by account_id, feature) as row_in_day
            from source
        )
        select account_id, usage_date, feature, active_users,
               case when usage_date = {cut} - 1 and row_in_day = 1 then events + 1000 else events end as events
        from numbered
        where usage_date <= {cut}
            and not (usage_date = {cut} and row_in_day in (2, 3))
    """)
    incremental_dir = tmp_path_factory.mktemp("incremental_build")
    first = build_warehouse(raw_dir, incremental_dir, args=SELECT)
    first_rows = first.query("select count(*) as n from int_usage_aggregated_to_account_days")["n"].iloc[0]
    first_max = first.query("select max(usage_date) as d from int_usage_aggregated_to_account_days")["d"].iloc[0]

    # 2. the complete file, incremental run
    write_usage(raw_dir, "select * from source")
    second = build_warehouse(raw_dir, incremental_dir, args=SELECT)

    # 3. the complete file, full refresh, into a fresh warehouse
    full = build_warehouse(raw_dir, tmp_path_factory.mktemp("full_build"), args=SELECT + ["--full-refresh"])
    return {"incremental": second, "full": full, "first_rows": first_rows, "first_max": first_max,
            "incremental_dir": incremental_dir}


def test_second_run_is_incremental(builds, last_day):
    run_sql = next((builds["incremental_dir"] / "target" / "run").rglob("int_usage_aggregated_to_account_days.sql"))
    text = run_sql.read_text().lower()
    assert "delete from" in text and "int_usage_aggregated_to_account_days" in text.split("delete from", 1)[1]
    compiled = next((builds["incremental_dir"] / "target" / "compiled").rglob("int_usage_aggregated_to_account_days.sql"))
    assert "max(usage_date)" in compiled.read_text().lower(), "the incremental filter should be in the compiled SQL"
    assert day(builds["first_max"]) < last_day


@pytest.mark.parametrize("table", MODELS)
def test_incremental_equals_full_refresh(builds, table):
    assert differences(builds["incremental"].path, builds["full"].path, table) == 0


def test_late_rows_within_the_lookback_are_picked_up(builds, last_day):
    rows = builds["incremental"].query(
        "select count(*) as n from int_usage_aggregated_to_account_days")["n"].iloc[0]
    assert rows > builds["first_rows"]
    assert day(builds["incremental"].query(
        "select max(usage_date) as d from int_usage_aggregated_to_account_days")["d"].iloc[0]) == last_day


def test_a_late_row_older_than_the_lookback_needs_a_full_refresh(builds, raw_dir, last_day):
    old_day = f"cast('{last_day}' as date) - {LOOKBACK + 20}"
    recent_day = f"cast('{last_day}' as date) - {LOOKBACK - 1}"
    # a late row for a feature that had no row on an old day, and one on a recent day
    write_usage(raw_dir, f"""
        select * from source
        union all
        select account_id, usage_date, 'late_feature' as feature, 1 as active_users, 7 as events
        from (
            (select account_id, usage_date from source where usage_date = {old_day} order by account_id limit 1)
            union all
            (select account_id, usage_date from source where usage_date = {recent_day} order by account_id limit 1)
        )
    """)
    later = build_warehouse(raw_dir, builds["incremental_dir"], args=SELECT)
    late = later.query(
        "select usage_date from int_usage_aggregated_to_feature_days where feature = 'late_feature'")
    late_days = {day(value) for value in late["usage_date"]}
    with duckdb.connect() as connection:
        recent, old = connection.execute(f"select cast({recent_day} as varchar), cast({old_day} as varchar)").fetchone()
    assert recent in late_days, "a late row within the lookback is picked up"
    assert old not in late_days, "a late row older than the lookback is not (run --full-refresh)"
    write_usage(raw_dir, "select * from source")
