"""A full build that reads the usage file in batches equals one that reads it whole.

base_raw__usage reads a large Parquet usage file on a full build in batches of
consecutive days (macros/raw/cs_full_build_batches.sql): the model's statement the
first batch and the undated rows, its post-hook the others. Here a usage file whose
date column is a Parquet TIMESTAMP (as pandas writes dates), with an undated row, a
row dated in the future, a row of an unknown account, a negative event count and
duplicate keys spread over the whole period, is built twice from scratch: in
batches of at most 3,000 rows, and in one statement (usage_full_build_batch_rows
null). Every relation of the raw path must be identical, and every row of the file
read once. The two usage window models (int_usage_*_to_account_months) compute
their months in batches too on a full build (macros/health/
cs_usage_window_batches.sql): batches of at most 4,000 rows read against one
statement (usage_window_full_build_batch_rows null), again identical.
(tests/test_usage_incremental.py builds its full refreshes in batches
too, from a file whose dates are Parquet DATEs, and compares them with
incremental runs.)
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import build_warehouse
from test_usage_incremental import differences

SELECT = ["build", "--select", "+stg_raw__usage", "+raw_rejects", "+int_usage_aggregated_to_account_days",
          "+int_usage_aggregated_to_account_months", "+int_usage_features_aggregated_to_account_months",
          "--exclude-resource-type", "test", "unit_test"]
BATCH_ROWS = 3000
WINDOW_BATCH_ROWS = 4000
WINDOW_MODELS = ["int_usage_aggregated_to_account_months", "int_usage_features_aggregated_to_account_months"]


@pytest.fixture(scope="module")
def raw_dir(dataset, tmp_path_factory) -> Path:
    source = dataset(5, 40)
    raw = tmp_path_factory.mktemp("batches_raw")
    for path in Path(source).iterdir():
        if path.suffix in (".csv", ".parquet") and path.name != "usage.parquet":
            shutil.copy(path, raw / path.name)
    with duckdb.connect() as connection:
        connection.execute(f"create view source as select * from read_parquet('{Path(source) / 'usage.parquet'}')")
        connection.execute(f"""
            copy (
                select account_id, cast(usage_date as timestamp) as usage_date, feature, active_users, events
                from (
                    select * from source
                    union all
                    -- a duplicate of the first row of every seventh day
                    select * from (
                        select * from source
                        qualify row_number() over (partition by usage_date order by account_id, feature) = 1
                    )
                    where (usage_date - date '2000-01-01') % 7 = 0
                    union all
                    (select account_id, cast(null as date), feature, active_users, events from source limit 1)
                    union all
                    (select account_id, date '2999-01-01', feature, active_users, events from source limit 1)
                    union all
                    (select 'NO_SUCH_ACCOUNT', usage_date, feature, active_users, events from source
                     order by usage_date desc limit 1)
                    union all
                    (select account_id, usage_date, feature, active_users, -5 from source
                     order by usage_date, account_id limit 1)
                )
                order by usage_date nulls first
            ) to '{raw / 'usage.parquet'}' (format parquet, row_group_size 2048)
        """)
    return raw


@pytest.fixture(scope="module")
def builds(raw_dir, tmp_path_factory):
    batched = build_warehouse(raw_dir, tmp_path_factory.mktemp("batched"), args=SELECT,
                              dbt_vars={"usage_full_build_batch_rows": BATCH_ROWS,
                                        "usage_window_full_build_batch_rows": WINDOW_BATCH_ROWS})
    whole = build_warehouse(raw_dir, tmp_path_factory.mktemp("whole"), args=SELECT,
                            dbt_vars={"usage_full_build_batch_rows": None,
                                      "usage_window_full_build_batch_rows": None})
    with duckdb.connect() as connection:
        rows = connection.execute(f"select count(*) from read_parquet('{raw_dir / 'usage.parquet'}')").fetchone()[0]
    return {"batched": batched, "whole": whole, "rows": rows}


def test_the_batched_build_ran_in_batches(builds):
    found = re.search(r"base_raw__usage: a full build in (\d+) batches of days", builds["batched"].output)
    assert found, "the batched build should say that it reads usage in batches"
    batches = int(found.group(1))
    assert batches >= builds["rows"] // BATCH_ROWS
    assert f"batch {batches} of {batches}" in builds["batched"].output, "every batch after the first is inserted"
    assert "batches of days" not in builds["whole"].output


@pytest.mark.parametrize("model", WINDOW_MODELS)
def test_the_window_models_ran_in_batches_of_months(builds, model):
    found = re.search(model + r": a full build in (\d+) batches of months", builds["batched"].output)
    assert found, f"{model} should say that it computes its months in batches"
    batches = int(found.group(1))
    assert batches >= 3
    for batch in range(2, batches + 1):
        assert f"{model}: batch {batch} of {batches} (" in builds["batched"].output
    assert "batches of months" not in builds["whole"].output


def test_every_month_is_in_one_window_batch(builds):
    """The batches cover every reporting month once, including months before and after usage."""
    for model in WINDOW_MODELS:
        months = builds["batched"].query(f"select count(distinct month) as n from {model}")["n"].iloc[0]
        expected = builds["whole"].query(f"select count(distinct month) as n from {model}")["n"].iloc[0]
        assert months == expected > 12


@pytest.mark.parametrize("table", ["base_raw__usage", "stg_raw__usage", "raw_rejects",
                                   "int_usage_aggregated_to_account_days", *WINDOW_MODELS])
def test_batched_full_build_equals_one_statement(builds, table):
    assert differences(builds["batched"].path, builds["whole"].path, table) == 0


def test_every_row_read_once_with_its_reason(builds):
    batched = builds["batched"]
    read = batched.query("select count(*) as n, count(distinct source_row_number) as d from base_raw__usage")
    assert read["n"].iloc[0] == read["d"].iloc[0] == builds["rows"]
    reasons = batched.query("select reject_reason, count(*) as n from base_raw__usage "
                            "where reject_reason is not null group by 1")
    counts = dict(zip(reasons["reject_reason"], reasons["n"]))
    assert counts.get("usage_date is null") == 1, counts
    assert counts.get("usage_date after the build day") == 1, counts
    assert any("not in accounts" in reason for reason in counts), counts
    assert any("events below 0" in reason for reason in counts), counts
    duplicates = sum(n for reason, n in counts.items() if reason.startswith("duplicate"))
    # the negative-events copy of the first row is rejected for its events, not as a duplicate
    with duckdb.connect() as connection:
        expected = connection.execute(f"""
            select count(*) from (
                select account_id, usage_date, feature from read_parquet('{batched.raw_dir / 'usage.parquet'}')
                where usage_date is not null and usage_date <= current_date and events >= 0
                    and account_id <> 'NO_SUCH_ACCOUNT'
                group by all having count(*) > 1
            )""").fetchone()[0]
    assert duplicates == expected > 30
