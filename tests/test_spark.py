"""The same models on Spark (target `spark`, docs/spark.md), on a real local cluster.

scripts/spark-cluster starts a standalone master and two workers on 127.0.0.1; dbt's
`spark` target (method: session) drives them through CS_SPARK_MASTER, so every query
runs in executor processes on the workers. The demo is built twice on one work
directory, as a daily refresh is:

1. the day before: the incremental models of the usage path and their parents, built
   (no tests) from the demo without its last day of usage;
2. the daily refresh on the whole demo, `python -m cs_warehouse.publish --target spark
   --incremental`: the incremental models add the new day to what step 1 wrote, every
   other model is rebuilt, every data test runs, and the public relations are copied
   into a DuckDB file that is published.

Spark's tables and the published file must both equal the DuckDB build of the demo
(integers, strings and dates exactly, doubles within 1e-9 relative), and the reports
must render from the published file. So one pass checks that Spark gives DuckDB's
figures and that readers get them. The demo is also built from nothing on the cluster, in
a work directory of its own (`dbt build --target spark`: every model and seed, and the unit
tests, which run on Spark only here; the data tests already ran in the refresh, on the same
data): the public relations of that full build, as Spark writes them out for a publish
(cs_warehouse/spark.py), must equal the refresh's published relations, Spark against
Spark.

Raw intake: the bad-input corpus's base dataset (every source, optional ones included)
with the damage of every case that rejects rows applied at once, built up to raw_rejects
and mart_raw_intake on both engines (reject_policy warn, so that the staging layer
builds), on Spark through a Thrift server on the same cluster (`scripts/spark-cluster
start --thrift`, target `spark_thrift`), and written out by Spark over that connection as
a publish asks: the same rows rejected for the same reasons, and the same rows read and
accepted per source. tickets arrives as Parquet with its dates as
timestamps at midnight, as pandas writes them when told to use microseconds (Spark refuses
pandas' default, nanoseconds: docs/spark.md), the other sources as CSV.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from bad_inputs.cases import BASE_DIR, CASES, Rejects, Remove, ToParquet
from conftest import DEMO_DIR

from cs_warehouse import reports, spark
from cs_warehouse.dbt_runner import PROJECT_DIR, run_dbt

CLUSTER_SCRIPT = PROJECT_DIR / "scripts" / "spark-cluster"
# the incremental models (macros/adapters/cs_incremental.sql): insert_overwrite on Spark
OVERWRITTEN = [
    "base_raw__usage_valid",
    "int_usage_aggregated_to_account_days",
    "int_usage_aggregated_to_feature_days",
    "int_usage_aggregated_to_account_months",
    "int_usage_features_aggregated_to_account_months",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and two workers on 127.0.0.1, stopped after the module."""
    run_dir = tmp_path_factory.mktemp("spark_cluster")
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "CS_SPARK_CLUSTER_DIR": str(run_dir),
        "CS_SPARK_MASTER_PORT": str(free_port()),
        # the workers' web UIs take the next ports
        "CS_SPARK_WEBUI_PORT": str(free_port()),
        "CS_SPARK_WORKERS": "2",
        "CS_SPARK_WORKER_MEMORY": "2g",
    }
    started = subprocess.run([str(CLUSTER_SCRIPT), "start"], env=env, capture_output=True, text=True,
                             timeout=300)
    try:
        assert started.returncode == 0, f"the cluster did not start:\n{started.stdout}\n{started.stderr}"
        yield {"master": f"spark://127.0.0.1:{env['CS_SPARK_MASTER_PORT']}", "run_dir": run_dir, "env": env}
    finally:
        subprocess.run([str(CLUSTER_SCRIPT), "stop"], env=env, capture_output=True, text=True, timeout=120)


def demo_without_last_day(out_dir: Path) -> Path:
    """A copy of the demo whose usage stops a day earlier: the raw files of the day before."""
    out_dir.mkdir(parents=True)
    for item in DEMO_DIR.iterdir():
        if item.is_file() and item.name != "usage.parquet":
            shutil.copy2(item, out_dir / item.name)
    usage = DEMO_DIR / "usage.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_parquet('{usage}') "
            f"where usage_date < (select max(usage_date) from read_parquet('{usage}'))) "
            f"to '{out_dir / 'usage.parquet'}' (format parquet)")
    return out_dir


@pytest.fixture(scope="module")
def spark_refresh(cluster, tmp_path_factory):
    """The demo built on the cluster the day before, then refreshed with the last day and
    published into a DuckDB file (`python -m cs_warehouse.publish --target spark --incremental`)."""
    root = tmp_path_factory.mktemp("spark_demo")
    work_dir = root / "work"
    published = root / "published" / "warehouse.duckdb"
    env = {**os.environ, "DO_NOT_TRACK": "1", "SPARK_LOCAL_IP": "127.0.0.1", "CS_SPARK_WORK_DIR": str(work_dir),
           "CS_SPARK_MASTER": cluster["master"], "CS_SPARK_SCHEMA": "cs", "CS_WAREHOUSE_PATH": str(published)}
    # the day before: only what the refresh reads back, the incremental models and their parents
    selected = ["--select", *(f"+{model}" for model in OVERWRITTEN)]
    day_before = run_dbt(["build", "--target", "spark", "--exclude-resource-type", "test", "unit_test", *selected],
                         raw_dir=demo_without_last_day(root / "raw"), target_path=root / "target_day_before",
                         env=env, timeout=2400)
    assert day_before.returncode == 0, f"dbt build on Spark (day before) failed:\n{day_before.stdout[-15000:]}"
    refresh = subprocess.run(
        [sys.executable, "-m", "cs_warehouse.publish", "--target", "spark", "--incremental", "--quiet",
         "--raw-dir", str(DEMO_DIR)],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=2400)
    assert refresh.returncode == 0, f"the refresh on Spark was not published:\n{refresh.stdout[-15000:]}"
    return {"work_dir": work_dir, "published": published, "output": refresh.stdout,
            "target": published.parent / "warehouse__publish.target"}


@pytest.fixture(scope="module")
def spark_full(cluster, tmp_path_factory):
    """The whole demo built from nothing on the cluster, in a work directory of its own:
    every model and seed, and every unit test (a selection, so the default selector, which
    leaves unit tests out, does not apply); no data test (the refresh ran them)."""
    root = tmp_path_factory.mktemp("spark_full")
    env = {**os.environ, "DO_NOT_TRACK": "1", "SPARK_LOCAL_IP": "127.0.0.1", "CS_SPARK_WORK_DIR": str(root / "work"),
           "CS_SPARK_MASTER": cluster["master"], "CS_SPARK_SCHEMA": "cs",
           "CS_PUBLISH_EXPORT_DIR": str(root / "export")}
    full = run_dbt(["build", "--target", "spark", "--select", "fqn:*", "--exclude-resource-type", "test"],
                   raw_dir=DEMO_DIR, target_path=root / "target", env=env, timeout=2400)
    assert full.returncode == 0, f"the full build on Spark failed:\n{full.stdout[-15000:]}"
    # the public relations as a publish copies them (cs_warehouse/spark.py)
    exported = root / "exported.duckdb"
    spark.export(root / "export", root / "target", "cs", exported)
    return {"work_dir": root / "work", "target": root / "target", "exported": exported}


@pytest.fixture(scope="module")
def duckdb_snapshot(demo_warehouse, tmp_path_factory):
    """The public relations of the DuckDB build of the demo."""
    snapshot = tmp_path_factory.mktemp("duckdb_snapshot")
    subprocess.run([sys.executable, "-m", "benchmarks.snapshot", "save", str(demo_warehouse.path), str(snapshot)],
                   cwd=PROJECT_DIR, check=True, capture_output=True, text=True)
    return snapshot


def compared_lines(result: subprocess.CompletedProcess, snapshot: Path) -> list[str]:
    assert result.returncode == 0, f"the relations differ from DuckDB's:\n{result.stdout}\n{result.stderr[-5000:]}"
    equal = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("equal")]
    assert sorted(equal) == sorted(path.stem for path in snapshot.glob("*.parquet")), result.stdout
    assert "raw_rejects" in equal
    return equal


def test_the_refresh_on_spark_equals_the_duckdb_build(spark_refresh, duckdb_snapshot):
    """Spark's own tables: every public relation equals DuckDB's (raw_rejects included)."""
    compared = subprocess.run(
        [sys.executable, "-m", "benchmarks.spark_compare", str(duckdb_snapshot),
         "--work-dir", str(spark_refresh["work_dir"]), "--schema", "cs"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"})
    compared_lines(compared, duckdb_snapshot)


def test_the_published_copy_equals_the_duckdb_build(spark_refresh, duckdb_snapshot):
    """The DuckDB file published from the Spark build: the same figures, and the column
    types of a DuckDB build."""
    compared = subprocess.run(
        [sys.executable, "-m", "benchmarks.snapshot", "compare", str(duckdb_snapshot), str(spark_refresh["published"])],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    compared_lines(compared, duckdb_snapshot)
    assert "Published" in spark_refresh["output"], spark_refresh["output"][-3000:]


def test_the_refresh_on_spark_equals_a_full_build_on_spark(spark_full, spark_refresh, tmp_path):
    """Incremental equals full on Spark: the public relations of the full build, as Spark
    exported them, against those that the refresh published."""
    snapshot = tmp_path / "spark_refresh"
    subprocess.run([sys.executable, "-m", "benchmarks.snapshot", "save", str(spark_refresh["published"]),
                    str(snapshot)], cwd=PROJECT_DIR, check=True, capture_output=True, text=True)
    compared = subprocess.run(
        [sys.executable, "-m", "benchmarks.snapshot", "compare", str(snapshot), str(spark_full["exported"])],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    compared_lines(compared, snapshot)


def test_the_unit_tests_pass_on_spark(spark_full):
    results = json.loads((spark_full["target"] / "run_results.json").read_text())["results"]
    declared = json.loads((spark_full["target"] / "manifest.json").read_text())["unit_tests"]
    unit_tests = {result["unique_id"]: result["status"] for result in results
                  if result["unique_id"].startswith("unit_test.")}
    assert sorted(unit_tests) == sorted(declared)
    assert set(unit_tests.values()) == {"pass"}, unit_tests
    assert not any(result["unique_id"].startswith("test.") for result in results)


def test_the_reports_render_from_the_spark_build(spark_refresh, tmp_path):
    rendered = reports.build_reports(warehouse=spark_refresh["published"], out_dir=tmp_path, log=lambda *_: None,
                                     lang="en")
    assert [report.name for report in rendered] == [path.stem for path in reports.discover()]
    assert all(report.figures > 0 for report in rendered), [(report.name, report.figures) for report in rendered]


def test_the_refresh_overwrote_partitions_of_the_incremental_models(spark_refresh):
    """The refresh added to the tables of the day before: `insert overwrite`, not a rebuild."""
    for model in OVERWRITTEN:
        executed = list((spark_refresh["target"] / "run").rglob(f"{model}.sql"))
        assert executed, f"no executed SQL for {model}"
        sql = executed[0].read_text().lower()
        assert "insert overwrite table" in sql, f"{model} was not refreshed incrementally:\n{sql[:2000]}"


def test_the_build_ran_on_both_workers(cluster, spark_refresh):
    """Each worker launched executors for the dbt session: the work crossed processes."""
    for worker in ("worker-1", "worker-2"):
        executors = list((cluster["run_dir"] / f"{worker}-work").glob("app-*/*/stderr"))
        assert executors, f"{worker} ran no executor"


# --- raw intake: the corpus's rejected rows on both engines ---------------------------------

INTAKE = ["--select", "+raw_rejects", "+mart_raw_intake", "--exclude-resource-type", "test", "unit_test",
          "--vars", "{reject_policy: warn}"]


def every_rejected_row(out_dir: Path) -> Path:
    """base/ with the damage of every Rejects case applied to one copy, less two steps: a
    removed file would leave a source out, and usage stays CSV (the usage CSV path is
    checked here only: the demo's usage is Parquet). Then tickets, rejected rows and all,
    becomes Parquet with its dates as timestamps in microseconds."""
    shutil.copytree(BASE_DIR, out_dir)
    for case in CASES:
        if isinstance(case.outcome, Rejects):
            for step in case.steps:
                if not isinstance(step, Remove | ToParquet):
                    step(out_dir)
    ToParquet("tickets.csv", dates=("opened_at",), timestamp_unit="us")(out_dir)
    return out_dir


@pytest.fixture(scope="module")
def intake_on_both(cluster, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark_intake")
    raw_dir = every_rejected_row(root / "raw")
    on_duckdb = run_dbt(["build", *INTAKE], raw_dir=raw_dir, warehouse=root / "duckdb.duckdb",
                        target_path=root / "target_duckdb")
    assert on_duckdb.returncode == 0, on_duckdb.stdout[-10000:]
    # on Spark through the Thrift server, as a BI tool or a cluster user connects
    thrift_env = {**cluster["env"], "CS_SPARK_WORK_DIR": str(root / "work"), "CS_SPARK_THRIFT_PORT": str(free_port())}
    started = subprocess.run([str(CLUSTER_SCRIPT), "start", "--thrift"], env=thrift_env, capture_output=True,
                             text=True, timeout=300)
    try:
        assert started.returncode == 0, f"the Thrift server did not start:\n{started.stdout}\n{started.stderr}"
        # the public relations written out as the publish asks (cs_warehouse/spark.py), over Thrift too
        on_spark = run_dbt(["build", "--target", "spark_thrift", *INTAKE], raw_dir=raw_dir,
                           target_path=root / "target_spark",
                           env={"CS_SPARK_THRIFT_PORT": thrift_env["CS_SPARK_THRIFT_PORT"], "CS_SPARK_SCHEMA": "cs",
                                "CS_PUBLISH_EXPORT_DIR": str(root / "export")},
                           timeout=1800)
    finally:
        subprocess.run([str(CLUSTER_SCRIPT), "stop", "thrift"], env=thrift_env, capture_output=True, text=True,
                       timeout=120)
    assert on_spark.returncode == 0, on_spark.stdout[-10000:]
    spark.export(root / "export", root / "target_spark", "cs", root / "spark.duckdb")
    snapshot = root / "duckdb_snapshot"
    subprocess.run([sys.executable, "-m", "benchmarks.snapshot", "save", str(root / "duckdb.duckdb"), str(snapshot)],
                   cwd=PROJECT_DIR, check=True, capture_output=True, text=True)
    return {"snapshot": snapshot, "spark": root / "spark.duckdb", "duckdb": root / "duckdb.duckdb"}


def test_spark_rejects_the_rows_duckdb_rejects(intake_on_both):
    assert sorted(path.stem for path in intake_on_both["snapshot"].glob("*.parquet")) == ["mart_raw_intake",
                                                                                          "raw_rejects"]
    with duckdb.connect(str(intake_on_both["duckdb"]), read_only=True) as connection:
        sources = {row[0] for row in connection.execute("select distinct source from raw_rejects").fetchall()}
    # the damage reaches every source that a Rejects case damages
    assert sources >= {case.outcome.source for case in CASES if isinstance(case.outcome, Rejects)}, sources
    with duckdb.connect(str(intake_on_both["duckdb"]), read_only=True) as connection:
        files = dict(connection.execute("select source, source_file from mart_raw_intake").fetchall())
    assert files["tickets"].endswith("tickets.parquet") and files["usage"].endswith("usage.csv"), files
    compared = subprocess.run(
        [sys.executable, "-m", "benchmarks.snapshot", "compare", str(intake_on_both["snapshot"]),
         str(intake_on_both["spark"])],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600)
    compared_lines(compared, intake_on_both["snapshot"])
