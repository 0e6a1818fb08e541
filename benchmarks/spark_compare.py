"""Compare the public relations of a Spark build with a snapshot of a DuckDB build.

The same models build on DuckDB and on Spark (profiles.yml, target `spark`); the
figures must be the same. Build the demo on both, save the DuckDB warehouse's public
relations, then compare Spark's with them:

    CS_WAREHOUSE_PATH=/tmp/demo.duckdb dbt build
    python -m benchmarks.snapshot save /tmp/demo.duckdb /tmp/demo-snapshot
    CS_SPARK_WORK_DIR=/tmp/cs-spark dbt build --target spark
    CS_SPARK_WORK_DIR=/tmp/cs-spark python -m benchmarks.spark_compare /tmp/demo-snapshot

It opens a local Spark session on the same warehouse directory and Derby metastore
as the dbt target (CS_SPARK_WORK_DIR, CS_SPARK_SCHEMA; Derby lets one process in at a
time, so not while dbt runs), reads each `mart_*`, `fct_*`, `dim_*` and `raw_rejects`
into pandas, converts each column to the snapshot's dtype (Spark gives decimals as
Decimal and dates as datetime.date, DuckDB as float64 and datetime64) and compares as
benchmarks.snapshot does: integers, strings and dates equal, doubles within --rtol
(relative, default 1e-9). Prints one line per relation; exits 1 when one differs or
is missing. Needs pyspark (not in requirements.txt).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from benchmarks.snapshot import PUBLIC_NAMES, PUBLIC_PREFIXES, _sorted, difference
from cs_warehouse.spark import session


def public_relations(spark, schema: str) -> list[str]:
    names = [row.tableName for row in spark.sql(f"show tables in `{schema}`").collect() if not row.isTemporary]
    return sorted(name for name in names if name.startswith(PUBLIC_PREFIXES) or name in PUBLIC_NAMES)


def as_snapshot_dtypes(actual: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Spark's pandas frame with each column in the dtype of the snapshot's."""
    converted = actual.copy()
    for column in expected.columns:
        if column not in converted.columns:
            continue
        dtype = expected[column].dtype
        values = converted[column]
        if pd.api.types.is_float_dtype(dtype):
            converted[column] = pd.to_numeric(values.astype(object), errors="raise").astype(float)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            converted[column] = pd.to_datetime(values).astype(dtype)
        elif str(dtype) != "object":
            converted[column] = values.astype(dtype)
    return converted


def compare(snapshot_dir: Path, spark, schema: str, rtol: float) -> int:
    failures = 0
    present = set(public_relations(spark, schema))
    for path in sorted(snapshot_dir.glob("*.parquet")):
        name = path.stem
        if name not in present:
            print(f"MISSING {name}")
            failures += 1
            continue
        expected = pd.read_parquet(path)
        try:
            actual = as_snapshot_dtypes(spark.table(f"`{schema}`.`{name}`").toPandas(), expected)
            problem = difference(_sorted(expected), _sorted(actual), rtol)
        except (TypeError, ValueError) as error:  # a column that cannot take the snapshot's dtype
            problem = f"cannot convert to the snapshot's dtypes: {error}"
        print(f"{'DIFFERS' if problem else 'equal  '} {name}{': ' + problem if problem else ''}")
        failures += bool(problem)
    for name in sorted(present - {path.stem for path in snapshot_dir.glob('*.parquet')}):
        print(f"new     {name} (not in the snapshot)")
    print(f"{failures} relation(s) differ" if failures else "every relation of the snapshot is equal")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("snapshot_dir", type=Path, help="a snapshot of a DuckDB build (benchmarks.snapshot save)")
    parser.add_argument("--work-dir", type=Path, default=Path(os.environ.get("CS_SPARK_WORK_DIR", "/tmp/cs-spark")),
                        help="the Spark target's work directory (default: CS_SPARK_WORK_DIR, else /tmp/cs-spark)")
    parser.add_argument("--schema", default=os.environ.get("CS_SPARK_SCHEMA", "cs"),
                        help="the public schema (default: CS_SPARK_SCHEMA, else cs)")
    parser.add_argument("--rtol", type=float, default=1e-9)
    args = parser.parse_args(argv)
    spark = session(args.work_dir, "cs_warehouse spark_compare")
    try:
        return compare(args.snapshot_dir, spark, args.schema, args.rtol)
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
