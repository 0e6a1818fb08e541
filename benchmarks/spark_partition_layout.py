"""What a partition costs on Spark: the demo's usage rows written by day, by month or whole.

    python -m benchmarks.spark_partition_layout [--usage data/demo/usage.parquet] [--layouts day month]

For each layout, in a new local[2] session with a Derby metastore as the `spark` target
has: the usage rows copied into a Parquet table, then twice `create table ... using
parquet partitioned by (...) as select` (the second with a warm JVM), each followed by a
`count(*)` (the first read lists the partitions). The day layouts differ by one Spark
setting each, to see whether a setting removes the cost per day partition. Prints one
line per run. Needs `make spark-setup` and Java 17. The results and what they decided:
benchmarks/results/2026-12-05-spark-month-partitions.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAYOUTS = {
    # name: (partition column, extra Spark settings)
    "day": ("usage_date", {}),
    "day-driver-listing": ("usage_date", {"spark.sql.sources.parallelPartitionDiscovery.threshold": "100000"}),
    "day-raw-local-fs": ("usage_date", {"spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
                                        "spark.hadoop.fs.file.impl.disable.cache": "true"}),
    "day-committer-v2": ("usage_date", {"spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2"}),
    "day-no-metastore-partitions": ("usage_date", {"spark.sql.hive.manageFilesourcePartitions": "false"}),
    "month": ("partition_month", {}),
    "none": (None, {}),
}


def measure(layout: str, usage: Path, work_dir: Path) -> list[tuple[float, float]]:
    from pyspark.sql import SparkSession

    column, settings = LAYOUTS[layout]
    builder = (SparkSession.builder.master("local[2]")
               .config("spark.sql.warehouse.dir", str(work_dir / "warehouse"))
               .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                       f"jdbc:derby:;databaseName={work_dir}/metastore_db;create=true")
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={work_dir}")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        spark.read.parquet(str(usage.resolve())).createOrReplaceTempView("usage_file")
        spark.sql("create table usage_rows using parquet as "
                  "select *, trunc(usage_date, 'MM') as partition_month from usage_file")
        partitioned_by = f"partitioned by ({column})" if column else ""
        runs = []
        for _ in range(2):
            spark.sql("drop table if exists usage_copy")
            started = time.perf_counter()
            spark.sql(f"create table usage_copy using parquet {partitioned_by} as select * from usage_rows")
            written = time.perf_counter()
            spark.sql("select count(*) from usage_copy").collect()
            runs.append((written - started, time.perf_counter() - written))
        return runs
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--usage", type=Path, default=Path("data/demo/usage.parquet"))
    parser.add_argument("--layouts", nargs="+", choices=list(LAYOUTS), default=list(LAYOUTS))
    parser.add_argument("--one", choices=list(LAYOUTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        work_dir = Path(tempfile.mkdtemp(prefix=f"cs-partition-{args.one}-"))
        try:
            print(json.dumps(measure(args.one, args.usage, work_dir)))
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        return
    print("| layout | create table as select | first read (`count(*)`) |")
    print("|---|---|---|")
    for layout in args.layouts:
        # a process per layout: the JVM keeps its first session's Hadoop and metastore settings
        out = subprocess.run([sys.executable, "-m", "benchmarks.spark_partition_layout", "--one", layout,
                              "--usage", str(args.usage)], check=True, capture_output=True, text=True).stdout
        runs = json.loads(out.strip().splitlines()[-1])
        writes = ", ".join(f"{write:.1f} s" for write, _ in runs)
        reads = ", ".join(f"{read:.1f} s" for _, read in runs)
        print(f"| {layout} | {writes} | {reads} |", flush=True)


if __name__ == "__main__":
    main()
