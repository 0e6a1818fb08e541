"""Time SQL variants of the heaviest usage models outside dbt, to back proposals with numbers.

    python -m benchmarks.usage_variants --usage U.parquet --warehouse W.duckdb \
        [--memory-limit 6GB] [--variant NAME ...]

W is a warehouse the harness built (--keep-warehouses); it gives base_raw__accounts
and base_raw__usage. Each variant runs in its own process (peak RSS per variant)
as `create table ... as <variant>` in a scratch DuckDB file next to nothing of the
project's, with the profile's threads and insertion order and the given memory
limit. A memory limit of a tenth of the profile's at N=10k mimics N=100k at 6 GB:
a variant that cannot spill fails there with DuckDB's Out of Memory error.

The variants are frozen copies of the models' SQL at the commits they name, kept to
reproduce the measurements in DECISIONLOG.md; they do not follow later changes to
the models (base_raw__usage is now a view over the file, and the usage aggregates read
it in one scan each).

Variants (`--list` prints them):
  base_current          the SQL of base_raw__usage as compiled at commit d862aa9
                        (row_number() over (), JSON of every row, duplicate-key window)
  base_no_window        typed columns, file_row_number, reference check; no window
  dup_keys_group_by     the duplicate keys found by a hash aggregate instead of a window
  days_ordered_list     int_usage_aggregated_to_account_days as at d862aa9:
                        list(struct_pack(...) order by feature)
  days_list_sort        the same list unordered, sorted per row afterwards (list_sort)
  days_plain            max / sum and the list of features with events, no struct list
  base_head             the SQL of base_raw__usage as compiled for a full build at
                        5f1640d: every row typed, checked and written (hash-first
                        duplicate keys, no window)
  base_head_not_materialized               its shared CTEs not materialized (as
                                           the model was before the batches)
  base_head_rejects_only                   keeping the rejected rows only
  base_head_rejects_only_not_materialized  both
  dup_hashes            the hash aggregate over the keys alone
  days_from_base        int_usage_aggregated_to_account_days at 5f1640d, from base
  days_from_parquet     the same aggregate read straight from the Parquet file, typed,
                        anti-joined to the rejected row numbers
  floor                 the floor query of benchmarks/floor.py

The days_* variants need base_raw__usage in W; the base_* variants need only
base_raw__accounts (`dbt run -s base_raw__accounts` into W).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import SpillWatch, run_measured


def base_head(usage: str, *, rejects_only: bool = False, not_materialized: bool = False) -> str:
    """The SQL of base_raw__usage as compiled for a full build at commit 5f1640d.

    rejects_only keeps only the rejected rows (what a table of rejects would cost to
    compute); not_materialized marks the CTEs that several steps read as NOT
    MATERIALIZED, as the model now does (DuckDB otherwise materializes them: every
    row with its raw values).
    """
    sql = f"""
with

source_rows as (
    select
        file_row_number + 1 as source_row_number,
        * exclude (file_row_number)
    from read_parquet('{usage}', file_row_number = true)
),

typed as (
    select
        source_row_number,
        cast(nullif(trim(cast("account_id" as varchar)), '') as varchar) as account_id,
        cast(cast("usage_date" as date) as date) as usage_date,
        cast(nullif(trim(cast("feature" as varchar)), '') as varchar) as feature,
        cast(cast("active_users" as bigint) as bigint) as active_users,
        cast(cast("events" as bigint) as bigint) as events,
        "account_id" as raw__1,
        "usage_date" as raw__2,
        "feature" as raw__3,
        "active_users" as raw__4,
        "events" as raw__5
    from source_rows
),

rows_with_row_reasons as (
    select
        typed.*,
        nullif(concat_ws('; ',
            case when typed.account_id is null then 'account_id is null' end,
            case when typed.account_id is not null and known_account_id.key_value is null then 'account_id not in accounts.account_id' end,
            case when typed.usage_date is null then 'usage_date is null' end,
            case when typed.feature is null then 'feature is null' end,
            case when typed.active_users is null then 'active_users is null' end,
            case when typed.active_users < 0 then 'active_users below 0' end,
            case when typed.events is null then 'events is null' end,
            case when typed.events < 0 then 'events below 0' end,
            case when typed.usage_date > current_date then 'usage_date after the build day' end
        ), '') as row_reason
    from typed
    left join (select distinct account_id as key_value from accounts where reject_reason is null) as known_account_id
        on known_account_id.key_value = typed.account_id
),
duplicated_hashes as (
    select hash(account_id, usage_date, feature) as key_hash
    from rows_with_row_reasons
    where row_reason is null
    group by key_hash
    having count(*) > 1
),

duplicated_keys as (
    select
        account_id,
        usage_date,
        feature,
        min(source_row_number) as first_row_number
    from rows_with_row_reasons
    where row_reason is null
        and hash(account_id, usage_date, feature) in (select key_hash from duplicated_hashes)
    group by account_id, usage_date, feature
    having count(*) > 1
),

rows_with_key_reasons as (
    select
        rows_with_row_reasons.*,
        case
            when rows_with_row_reasons.row_reason is null
                and rows_with_row_reasons.source_row_number > duplicated_keys.first_row_number
                then 'duplicate account_id, usage_date, feature'
        end as key_reason
    from rows_with_row_reasons
    left join duplicated_keys
        on duplicated_keys.account_id = rows_with_row_reasons.account_id
        and duplicated_keys.usage_date = rows_with_row_reasons.usage_date
        and duplicated_keys.feature = rows_with_row_reasons.feature
),

rows_with_reasons as (
    select
        *,
        nullif(concat_ws('; ', row_reason, key_reason), '') as reject_reason
    from rows_with_key_reasons
)

select
    source_row_number,
    account_id,
    usage_date,
    feature,
    active_users,
    events,
    '{usage}' as source_file,
    case when reject_reason is not null then cast(to_json(struct_pack(
        "account_id" := raw__1,
        "usage_date" := raw__2,
        "feature" := raw__3,
        "active_users" := raw__4,
        "events" := raw__5
    )) as varchar) end as source_row,
    reject_reason
from rows_with_reasons"""
    if not_materialized:  # as the model compiles with materialize_shared_ctes=false
        sql = sql.replace("typed as (", "typed as not materialized (", 1)
        sql = sql.replace("rows_with_row_reasons as (", "rows_with_row_reasons as not materialized (", 1)
    if rejects_only:
        sql = f"select * from ({sql}) where reject_reason is not null"
    return sql


def variants(usage: str) -> dict[str, str]:
    source = f"read_parquet('{usage}')"
    base_current = f"""
with source_rows as (select row_number() over () as source_row_number, * from {source}),
typed as (
    select source_row_number,
        cast(nullif(trim(cast(account_id as varchar)), '') as varchar) as account_id,
        cast(usage_date as date) as usage_date,
        cast(nullif(trim(cast(feature as varchar)), '') as varchar) as feature,
        cast(active_users as bigint) as active_users,
        cast(events as bigint) as events,
        cast(to_json(struct_pack(account_id := account_id, usage_date := usage_date, feature := feature,
            active_users := active_users, events := events)) as varchar) as source_row
    from source_rows),
rows_with_row_reasons as (
    select typed.*, nullif(concat_ws('; ',
        case when typed.account_id is null then 'account_id is null' end,
        case when typed.account_id is not null and known_account_id.key_value is null
            then 'account_id not in accounts.account_id' end,
        case when typed.usage_date is null then 'usage_date is null' end,
        case when typed.feature is null then 'feature is null' end,
        case when typed.active_users is null then 'active_users is null' end,
        case when typed.active_users < 0 then 'active_users below 0' end,
        case when typed.events is null then 'events is null' end,
        case when typed.events < 0 then 'events below 0' end,
        case when typed.usage_date > current_date then 'usage_date after the build day' end), '') as row_reason
    from typed
    left join (select distinct account_id as key_value from accounts where reject_reason is null) as known_account_id
        on known_account_id.key_value = typed.account_id),
rows_with_key_reasons as (
    select *, case when row_reason is null and row_number() over (
        partition by account_id, usage_date, feature, row_reason is null order by source_row_number) > 1
        then 'duplicate account_id, usage_date, feature' end as key_reason
    from rows_with_row_reasons),
rows_with_reasons as (
    select *, nullif(concat_ws('; ', row_reason, key_reason), '') as reject_reason from rows_with_key_reasons)
select source_row_number, account_id, usage_date, feature, active_users, events, '{usage}' as source_file,
    case when reject_reason is not null then source_row end as source_row, reject_reason
from rows_with_reasons"""
    return {
        "base_current": base_current,
        "base_no_window": f"""
select usage.file_row_number + 1 as source_row_number,
    cast(usage.account_id as varchar) as account_id, cast(usage.usage_date as date) as usage_date,
    cast(usage.feature as varchar) as feature, cast(usage.active_users as bigint) as active_users,
    cast(usage.events as bigint) as events,
    case when usage.account_id is null then 'account_id is null'
         when known.key_value is null then 'account_id not in accounts.account_id' end as reject_reason
from read_parquet('{usage}', file_row_number = true) as usage
left join (select distinct account_id as key_value from accounts where reject_reason is null) as known
    on known.key_value = usage.account_id""",
        "dup_keys_group_by": f"""
select account_id, usage_date, feature, count(*) as copies from {source} group by all having count(*) > 1""",
        "days_ordered_list": """
select account_id, usage_date, max(active_users) as daily_active_users, cast(sum(events) as bigint) as events,
    list(struct_pack(feature := feature, active_users := active_users, events := events) order by feature)
        as feature_usage
from base where reject_reason is null group by account_id, usage_date""",
        "days_list_sort": """
select account_id, usage_date, max(active_users) as daily_active_users, cast(sum(events) as bigint) as events,
    list_sort(list(struct_pack(feature := feature, active_users := active_users, events := events)))
        as feature_usage
from base where reject_reason is null group by account_id, usage_date""",
        "days_plain": """
select account_id, usage_date, max(active_users) as daily_active_users, cast(sum(events) as bigint) as events,
    list(feature) filter (where events > 0) as features_with_events
from base where reject_reason is null group by account_id, usage_date""",
        "base_head": base_head(usage),
        "base_head_not_materialized": base_head(usage, not_materialized=True),
        "base_head_rejects_only": base_head(usage, rejects_only=True),
        "base_head_rejects_only_not_materialized": base_head(usage, rejects_only=True, not_materialized=True),
        "dup_hashes": f"""
select hash(account_id, usage_date, feature) as key_hash from {source} group by key_hash having count(*) > 1""",
        "days_from_base": """
select account_id, usage_date, max(active_users) as daily_active_users, cast(sum(events) as bigint) as events
from base where reject_reason is null group by account_id, usage_date""",
        "days_from_parquet": f"""
select account_id, usage_date, max(active_users) as daily_active_users, cast(sum(events) as bigint) as events
from (
    select cast(nullif(trim(cast(account_id as varchar)), '') as varchar) as account_id,
        cast(usage_date as date) as usage_date, cast(active_users as bigint) as active_users,
        cast(events as bigint) as events
    from read_parquet('{usage}', file_row_number = true)
    where file_row_number + 1 not in (select source_row_number from rejected)
)
group by account_id, usage_date""",
        "floor": f"""
select account_id, cast(date_trunc('month', usage_date) as date) as month, count(distinct feature) as features_used,
    count(distinct usage_date) as active_days, max(active_users) as max_active_users, sum(events) as events
from {source} group by all""",
    }


def run_one(args) -> dict:
    """In this process: one variant, timed."""
    import duckdb

    sql = variants(args.usage)[args.variant[0]]
    with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
        connection = duckdb.connect(str(Path(scratch) / "scratch.duckdb"))
        connection.execute(f"set threads = {int(args.threads)}")
        connection.execute(f"set memory_limit = '{args.memory_limit}'")
        connection.execute(f"set preserve_insertion_order = {args.preserve_insertion_order}")
        connection.execute(f"set temp_directory = '{Path(scratch) / 'spill'}'")
        connection.execute(f"attach '{args.warehouse}' as warehouse (read_only)")
        connection.execute("create table accounts as select * from warehouse.staging.base_raw__accounts")
        has_base = connection.execute(
            "select count(*) from duckdb_tables() where database_name = 'warehouse' and table_name = 'base_raw__usage'"
        ).fetchone()[0] > 0
        if has_base:  # a warehouse from the harness; one with base_raw__accounts alone serves the base_* variants
            connection.execute("create view base as select * from warehouse.staging.base_raw__usage")
            connection.execute("create table rejected as select source_row_number from base where reject_reason is not null")
        else:
            connection.execute("create table rejected (source_row_number bigint)")
        spill = SpillWatch(Path(scratch) / "spill")
        started = time.perf_counter()
        try:
            connection.execute(f"create table result as {sql}")
            seconds = time.perf_counter() - started
            rows = connection.execute("select count(*) from result").fetchone()[0]
            return {"seconds": seconds, "rows": rows, "error": None, "peak_spill_bytes": spill.stop()}
        except duckdb.Error as error:
            return {"seconds": time.perf_counter() - started, "rows": None, "error": str(error).splitlines()[0],
                    "peak_spill_bytes": spill.stop()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.usage_variants", description=__doc__.split("\n")[0])
    parser.add_argument("--usage", help="usage.parquet of a benchmark dataset")
    parser.add_argument("--warehouse", help="a warehouse built from it (harness --keep-warehouses)")
    parser.add_argument("--variant", action="append", help="a variant to run (repeatable; default all)")
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument("--threads", default=os.environ.get("CS_DUCKDB_THREADS", "2"))
    parser.add_argument("--preserve-insertion-order", default="true")
    parser.add_argument("--scratch", default=None, help="directory for the scratch database (default: system tmp)")
    parser.add_argument("--list", action="store_true", help="print the variants' SQL and stop")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.list:
        for name, sql in variants(args.usage or "usage.parquet").items():
            print(f"-- {name}{sql}\n")
        return 0
    if not args.usage or not args.warehouse:
        parser.error("--usage and --warehouse are required")
    if args.one:
        print(json.dumps(run_one(args)))
        return 0
    names = args.variant or list(variants(args.usage))
    print("| variant | memory_limit | seconds | peak RSS | peak spill | rows / error |\n|---|---|---|---|---|---|")
    for name in names:
        command = [sys.executable, "-m", "benchmarks.usage_variants", "--one", "--usage", args.usage,
                   "--warehouse", args.warehouse, "--variant", name, "--memory-limit", args.memory_limit,
                   "--threads", str(args.threads), "--preserve-insertion-order", args.preserve_insertion_order]
        if args.scratch:
            command += ["--scratch", args.scratch]
        with tempfile.TemporaryDirectory() as logs:
            measurement = run_measured(command, cwd=Path(__file__).resolve().parents[1], env=dict(os.environ),
                                       stdout_path=Path(logs) / "out", stderr_path=Path(logs) / "err")
            output = Path(measurement.stdout_path).read_text().strip().splitlines()
            if not measurement.ok or not output:
                print(f"| {name} | {args.memory_limit} | — | — | — | process failed: {measurement.tail(300)!r} |")
                continue
            result = json.loads(output[-1])
        outcome = f"{result['rows']:,} rows" if result["error"] is None else f"FAILED: {result['error'][:120]}"
        print(f"| {name} | {args.memory_limit} | {result['seconds']:.1f} | "
              f"{measurement.peak_rss_bytes / 2**30:.2f} GB | {result['peak_spill_bytes'] / 2**30:.2f} GB | {outcome} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
