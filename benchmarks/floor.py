"""The floor: what DuckDB alone needs to read usage and aggregate it by month.

    python -m benchmarks.floor --usage U.parquet --db FLOOR.duckdb [--appended-usage U2.parquet]
        [--threads 2] [--memory-limit 6GB] [--preserve-insertion-order true]

Three timed statements, in one DuckDB connection to a fresh database file, with
the settings the dbt profile uses:

1. scan: read every column of every usage row (count, max of the text and date
   columns, sums of the numbers);
2. aggregate: create a table of usage by account x month, with the distinct
   features used, events, the largest active_users and the active days;
3. incremental month (only with --appended-usage, the usage file with one more
   day): replace the rows of the month of the new day, re-aggregated from that
   file. Distinct counts do not add up, so the whole month is recomputed, which is
   what an incremental month costs at best.

Prints one JSON object on the last line of stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def run(usage: str, db: str, *, threads: str, memory_limit: str, preserve_insertion_order: str,
        appended_usage: str | None = None) -> dict:
    Path(db).unlink(missing_ok=True)
    connection = duckdb.connect(db)
    connection.execute(f"set threads = {int(threads)}")
    connection.execute(f"set memory_limit = {_literal(memory_limit)}")
    connection.execute(f"set preserve_insertion_order = {str(preserve_insertion_order).lower()}")
    source = f"read_parquet({_literal(usage)})"
    result: dict = {"threads": int(threads), "memory_limit": memory_limit,
                    "preserve_insertion_order": str(preserve_insertion_order).lower()}

    started = time.perf_counter()
    rows, *_ = connection.execute(
        f"select count(*), max(account_id), max(feature), max(usage_date), sum(active_users), sum(events) from {source}"
    ).fetchone()
    result["scan_seconds"] = time.perf_counter() - started
    result["usage_rows"] = int(rows)

    aggregate = """
        select
            account_id,
            cast(date_trunc('month', usage_date) as date) as month,
            count(distinct feature) as features_used,
            count(distinct usage_date) as active_days,
            max(active_users) as max_active_users,
            sum(events) as events
        from {source}
        {where}
        group by all
    """
    started = time.perf_counter()
    connection.execute("create table usage_monthly as " + aggregate.format(source=source, where=""))
    result["aggregate_seconds"] = time.perf_counter() - started
    result["aggregate_rows"] = int(connection.execute("select count(*) from usage_monthly").fetchone()[0])

    if appended_usage:
        appended = f"read_parquet({_literal(appended_usage)})"
        started = time.perf_counter()
        new_day = connection.execute(f"select max(usage_date) from {appended}").fetchone()[0]
        month_start = new_day.replace(day=1)
        connection.execute("begin")
        connection.execute("delete from usage_monthly where month = ?", [month_start])
        connection.execute(
            "insert into usage_monthly "
            + aggregate.format(source=appended, where=f"where usage_date >= date '{month_start.isoformat()}'")
        )
        connection.execute("commit")
        result["incremental_month_seconds"] = time.perf_counter() - started
        result["incremental_month"] = month_start.isoformat()
    connection.close()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__.split("\n")[0])
    parser.add_argument("--usage", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--appended-usage")
    parser.add_argument("--threads", default="2")
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument("--preserve-insertion-order", default="true")
    args = parser.parse_args(argv)
    result = run(args.usage, args.db, threads=args.threads, memory_limit=args.memory_limit,
                 preserve_insertion_order=args.preserve_insertion_order, appended_usage=args.appended_usage)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
