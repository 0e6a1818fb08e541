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

base_raw__usage is a view over the usage file; base_raw__usage_valid, the one table at
the file's grain, is written one day at a time like the aggregates, and stg_raw__usage
is a view over it; the rejected rows are found over the whole file on every run.
5. A usage file that grows at its end (the daily export): built, then built again
incrementally after rows are appended (a new day, a late row within the lookback,
rejected rows on the new day, a second undated row), must equal a full build of the
appended file in every relation of the usage path, raw_rejects included, and rows
read = rows accepted + rows rejected, in the test and in mart_raw_intake.
6. A stray row dated ahead of the rest of an export does not move the refresh cutoff
past the days still to come (macros/usage/cs_latest_complete_usage_day.sql): the next
export's rows are all read. A late row older than the cutoff is reported by
mart_raw_intake (rows read <> accepted + rejected).
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
    "int_health_backtest_auc",
    "mart_health_backtest_auc",
]
SELECT = ["build", "--select", "+fct_account_monthly", "+mart_stage_churn", "+mart_utilization_matrix",
          "+mart_health_backtest_auc", "--exclude-resource-type", "test", "unit_test"]
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


def schema_of(table: str) -> str:
    """The schema a relation is built in (macros/utils/generate_schema_name.sql)."""
    if table.startswith(("base_raw__", "stg_raw__")):
        return "staging"
    return "intermediate" if table.startswith("int_") else "main"


# columns that say which run wrote a row, not what the row holds
RUN_COLUMNS = {"base_raw__usage_valid": "exclude (load_number)"}


# relations whose doubles come from parallel sums, which may differ in the last bit
# from run to run: compared on their grain, doubles within 1e-9 relative
GRAIN_WITH_DOUBLES = {
    "int_health_backtest_auc": ["outcome", "predictor", "grouping", "month", "segment"],
    "mart_health_backtest_auc": ["outcome", "predictor", "grouping", "month", "segment"],
}


def differences_on_grain(left: Path, right: Path, table: str) -> int:
    """Rows of either side with no row of the same grain on the other, plus rows whose
    other columns differ (doubles beyond 1e-9 relative)."""
    grain = GRAIN_WITH_DOUBLES[table]
    table = f"{schema_of(table)}.{table}"
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as left_db (read_only)")
        connection.execute(f"attach '{right}' as right_db (read_only)")
        types = dict(connection.execute(
            f"select column_name, column_type from (describe left_db.{table})").fetchall())
        conditions = [
            f"(coalesce(abs(l.{name} - r.{name}) <= 1e-9 * greatest(abs(l.{name}), abs(r.{name})), false)"
            f" or (l.{name} is null and r.{name} is null))"
            if data_type == "DOUBLE" else f"(l.{name} is not distinct from r.{name})"
            for name, data_type in types.items() if name not in grain]
        same = " and ".join(conditions)
        on = " and ".join(f"l.{name} is not distinct from r.{name}" for name in grain)
        rows, unmatched, differing = connection.execute(f"""
            select
                (select count(*) from left_db.{table}),
                count(*) filter (where l.{grain[0]} is null or r.{grain[0]} is null),
                count(*) filter (where l.{grain[0]} is not null and r.{grain[0]} is not null
                    and not ({same}))
            from left_db.{table} as l
            full outer join right_db.{table} as r on {on}
        """).fetchone()
    assert rows > 0, f"{table} is empty: the comparison would prove nothing"
    return unmatched + differing


def differences(left: Path, right: Path, table: str) -> int:
    if table in GRAIN_WITH_DOUBLES:
        return differences_on_grain(left, right, table)
    columns = f"* {RUN_COLUMNS.get(table, '')}"
    table = f"{schema_of(table)}.{table}"
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as left_db (read_only)")
        connection.execute(f"attach '{right}' as right_db (read_only)")
        one_way = connection.execute(
            f"select count(*) from (select {columns} from left_db.{table} except all select {columns} from right_db.{table})"
        ).fetchone()[0]
        other_way = connection.execute(
            f"select count(*) from (select {columns} from right_db.{table} except all select {columns} from left_db.{table})"
        ).fetchone()[0]
        rows = connection.execute(f"select count(*) from left_db.{table}").fetchone()[0]
    assert rows > 0, f"{table} is empty: the comparison would prove nothing"
    return one_way + other_way


def copy_of_the_dataset(source: Path, raw: Path) -> Path:
    """The generated files in raw, with usage.parquet kept aside as usage.source.parquet."""
    for path in Path(source).iterdir():
        if path.name == "usage.parquet":
            shutil.copy(path, raw / "usage.source.parquet")
        elif path.suffix in (".csv", ".parquet"):
            shutil.copy(path, raw / path.name)
    return raw


@pytest.fixture(scope="module")
def raw_dir(dataset, tmp_path_factory) -> Path:
    raw = copy_of_the_dataset(dataset(5, 40), tmp_path_factory.mktemp("incremental_raw"))
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


def test_the_auc_is_computed_again_only_when_the_rows_it_read_change(builds, raw_dir):
    """int_health_backtest_auc is incremental: a run over unchanged observable
    customer-months keeps its rows (a value planted in the table survives it), and a
    changed fingerprint makes the next run compute every row again, equal to the
    full build."""
    path = builds["incremental"].path
    where = "outcome = 'logo_churn' and predictor = 'health_score' and grouping = 'overall'"
    auc_only = ["build", "--select", "int_health_backtest_auc", "mart_health_backtest_auc",
                "--exclude-resource-type", "test", "unit_test"]
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"update intermediate.int_health_backtest_auc set auc = -1 where {where}")
    kept = build_warehouse(raw_dir, builds["incremental_dir"], args=auc_only)
    assert kept.query(f"select auc from mart_health_backtest_auc where {where}")["auc"].tolist() == [-1]

    with duckdb.connect(str(path)) as connection:
        connection.execute("update intermediate.int_health_backtest_auc set observations_fingerprint = 'changed'")
    build_warehouse(raw_dir, builds["incremental_dir"], args=auc_only)
    for table in ("int_health_backtest_auc", "mart_health_backtest_auc"):
        assert differences(path, builds["full"].path, table) == 0


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
    # ... and mart_raw_intake says so: the export has one row more than accepted + rejected
    intake = build_warehouse(raw_dir, builds["incremental_dir"],
                             args=["build", "--select", "+mart_raw_intake", "--exclude-resource-type", "test", "unit_test"])
    usage = intake.query("select rows_read, rows_accepted, rows_rejected from mart_raw_intake where source = 'usage'").iloc[0]
    assert usage["rows_read"] == usage["rows_accepted"] + usage["rows_rejected"] + 1, usage.to_dict()
    write_usage(raw_dir, "select * from source")


APPEND_SELECT = ["build", "--select", "+fct_account_monthly", "+mart_stage_churn", "+mart_utilization_matrix",
                 "+mart_health_backtest_auc", "+raw_rejects", "+mart_raw_intake",
                 "--exclude-resource-type", "test", "unit_test"]
APPEND_MODELS = ["base_raw__usage", "base_raw__usage_valid", "base_raw__usage_duplicates", "stg_raw__usage",
                 "raw_rejects"] + MODELS


def rows_in(path: Path) -> int:
    with duckdb.connect() as connection:
        return connection.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]


@pytest.fixture(scope="module")
def appended(dataset, last_day, tmp_path_factory):
    raw = copy_of_the_dataset(dataset(5, 40), tmp_path_factory.mktemp("appended_raw"))
    new_day = f"cast('{last_day}' as date)"
    # the file as exported the day before: every row up to the day before, then an
    # undated row and a row dated in the future (both rejected)
    write_usage(raw, f"""
        select * from source where usage_date < {new_day}
        union all
        select * from (
            (select account_id, cast(null as date) as usage_date, feature, active_users, events
             from source order by account_id, usage_date, feature limit 1)
            union all
            (select account_id, date '2999-01-01' as usage_date, feature, active_users, events
             from source order by account_id, usage_date, feature limit 1)
        )
    """)
    first_rows = rows_in(raw / "usage.parquet")
    incremental_dir = tmp_path_factory.mktemp("appended_incremental")
    build_warehouse(raw, incremental_dir, args=APPEND_SELECT)

    # the next day's export: the same rows in the same order, then the new day's rows,
    # a late row within the lookback, a row of an unknown account, a negative event
    # count, a duplicate key on the new day, and a second undated row
    previous = raw / "usage.previous.parquet"
    shutil.copy(raw / "usage.parquet", previous)
    write_usage(raw, f"""
        select * from read_parquet('{previous}')
        union all
        select * from (
            (select * from source where usage_date = {new_day})
            union all
            (select account_id, usage_date, 'late_feature' as feature, 1 as active_users, 7 as events
             from source where usage_date = {new_day} - {LOOKBACK - 1} order by account_id limit 1)
            union all
            (select 'NO_SUCH_ACCOUNT' as account_id, usage_date, feature, active_users, events
             from source where usage_date = {new_day} order by account_id, feature limit 1)
            union all
            (select account_id, usage_date, feature, active_users, -5 as events
             from source where usage_date = {new_day} order by account_id desc, feature limit 1)
            union all
            (select * from source where usage_date = {new_day} order by account_id, feature limit 1)
            union all
            (select account_id, cast(null as date) as usage_date, feature, active_users, events
             from source order by account_id desc, usage_date, feature limit 1)
        )
    """)
    previous.unlink()
    incremental = build_warehouse(raw, incremental_dir, args=APPEND_SELECT)
    full = build_warehouse(raw, tmp_path_factory.mktemp("appended_full"), args=APPEND_SELECT + ["--full-refresh"])
    return {"incremental": incremental, "full": full, "incremental_dir": incremental_dir,
            "first_rows": first_rows, "rows": rows_in(raw / "usage.parquet")}


def test_one_table_holds_the_usage_rows_and_a_refresh_rewrites_only_recent_days(appended, last_day):
    build = appended["incremental"]
    kinds = build.query("select table_name, table_type from information_schema.tables "
                        "where table_name in ('base_raw__usage', 'base_raw__usage_valid', 'stg_raw__usage')")
    assert dict(zip(kinds["table_name"], kinds["table_type"])) == {
        "base_raw__usage": "VIEW", "base_raw__usage_valid": "BASE TABLE", "stg_raw__usage": "VIEW"}
    # every other table is an aggregate: far fewer rows than the file
    tables = build.query("select table_schema, table_name from information_schema.tables "
                         "where table_type = 'BASE TABLE' and table_name <> 'base_raw__usage_valid'")
    for schema, name in zip(tables["table_schema"], tables["table_name"]):
        rows = build.query(f'select count(*) as n from {schema}."{name}"')["n"].iloc[0]
        assert rows < appended["rows"] / 2, f"{schema}.{name} has {rows} rows for {appended['rows']} usage rows"
    # the refresh wrote only the days after its cutoff: the new day and the lookback
    runs = build.query("select load_number, min(usage_date) as first_day, max(usage_date) as last_day, "
                       "count(distinct usage_date) as days from base_raw__usage_valid "
                       "group by load_number order by load_number")
    assert runs["load_number"].tolist() == [1, 2], runs
    refresh = runs.iloc[1]
    assert day(refresh["last_day"]) == day(last_day), runs
    assert refresh["days"] <= LOOKBACK + 1, runs
    assert runs.iloc[0]["days"] > 10 * (LOOKBACK + 1), runs


@pytest.mark.parametrize("table", APPEND_MODELS)
def test_appended_file_incremental_equals_full_refresh(appended, table):
    assert differences(appended["incremental"].path, appended["full"].path, table) == 0


def test_appended_file_rows_read_are_accepted_or_rejected(appended):
    assert appended["rows"] > appended["first_rows"]
    for name in ("incremental", "full"):
        build = appended[name]
        read = build.query("select count(*) as n from base_raw__usage")["n"].iloc[0]
        accepted = build.query("select count(*) as n from stg_raw__usage")["n"].iloc[0]
        rejected = build.query("select count(*) as n from raw_rejects where source = 'usage'")["n"].iloc[0]
        assert read == appended["rows"], f"{name}: {appended['rows']} rows in the file, {read} read"
        assert accepted + rejected == appended["rows"], (
            f"{name}: {appended['rows']} rows in the file, {accepted} accepted + {rejected} rejected")
        intake = build.query("select rows_read, rows_accepted, rows_rejected from mart_raw_intake where source = 'usage'")
        assert intake.iloc[0].tolist() == [appended["rows"], accepted, rejected], intake.to_dict("records")
    reasons = appended["incremental"].query(
        "select reason, count(*) as n from raw_rejects where source = 'usage' group by reason")
    counts = dict(zip(reasons["reason"], reasons["n"]))
    assert counts.get("usage_date is null") == 2, counts
    assert counts.get("usage_date after the build day") == 1, counts
    assert any("not in accounts" in reason for reason in counts), counts
    assert any("events below 0" in reason for reason in counts), counts
    assert any(reason.startswith("duplicate") for reason in counts), counts
    late = appended["incremental"].query("select count(*) as n from stg_raw__usage where feature = 'late_feature'")
    assert late["n"].iloc[0] == 1


@pytest.fixture(scope="module")
def stray(dataset, last_day, tmp_path_factory):
    """Two exports: the first ends 6 days before the last day but holds one stray row
    dated 2 days after it; the second is complete (with the same stray row)."""
    raw = copy_of_the_dataset(dataset(5, 40), tmp_path_factory.mktemp("stray_raw"))
    stray_row = f"""(select account_id, cast('{last_day}' as date) + 2 as usage_date, feature, active_users, events
                     from source order by account_id, feature limit 1)"""
    write_usage(raw, f"select * from source where usage_date <= cast('{last_day}' as date) - 6 union all {stray_row}")
    incremental_dir = tmp_path_factory.mktemp("stray_incremental")
    build_warehouse(raw, incremental_dir, args=APPEND_SELECT)
    write_usage(raw, f"select * from source union all {stray_row}")
    incremental = build_warehouse(raw, incremental_dir, args=APPEND_SELECT)
    full = build_warehouse(raw, tmp_path_factory.mktemp("stray_full"), args=APPEND_SELECT + ["--full-refresh"])
    return {"incremental": incremental, "full": full, "rows": rows_in(raw / "usage.parquet"), "last_day": last_day,
            "raw": raw, "incremental_dir": incremental_dir}


def test_a_stray_future_row_is_warned_about(stray):
    # the as-of date is the latest usage day (metrics.md): the stray row's, and a test warns
    as_of = stray["incremental"].query("select as_of_date from int_as_of_date")["as_of_date"].iloc[0]
    assert day(as_of) > stray["last_day"]
    tested = build_warehouse(stray["raw"], stray["incremental_dir"],
                             args=["test", "--select", "warn_latest_usage_days_look_stray"])
    assert "WARN 1 warn_latest_usage_days_look_stray" in tested.output, tested.output[-3000:]


@pytest.mark.parametrize("table", ["int_usage_aggregated_to_account_days", "int_usage_aggregated_to_feature_days",
                                   "int_usage_aggregated_to_account_months", "fct_account_monthly", "mart_raw_intake"])
def test_a_stray_future_row_does_not_hide_later_days(stray, table):
    assert differences(stray["incremental"].path, stray["full"].path, table) == 0


def test_after_a_stray_row_every_row_is_accounted_for(stray):
    intake = stray["incremental"].query(
        "select rows_read, rows_accepted, rows_rejected from mart_raw_intake where source = 'usage'").iloc[0]
    assert intake["rows_read"] == stray["rows"]
    assert intake["rows_read"] == intake["rows_accepted"] + intake["rows_rejected"], intake.to_dict()
