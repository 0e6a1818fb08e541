"""The full build and the daily refresh on Spark (a local standalone cluster) and on
DuckDB, side by side in one run on the same machine and the same generated data.

    python -m benchmarks.spark_side_by_side --accounts 10000 [--seed 42] [--workers 2]

For each engine: a full build of the dataset of `make bench N=<accounts>`, then the refresh after one more day of
usage (the dataset's `-plus1day` copy, benchmarks/datasets.py) with the daily refresh's
dbt arguments (cs_warehouse.publish.REFRESH_DBT_ARGS). Both engines build the same
nodes. Spark runs on scripts/spark-cluster (a master and --workers
workers of one core each, on 127.0.0.1), driven by dbt's `spark` target from dbt's
process; DuckDB runs in dbt's process with the profile's settings.

Times are wall times of `dbt build` alone (no publish, copy or audit). Peak RSS is that
of dbt's process tree, which on Spark holds the driver but not the workers' executors,
so it is given for DuckDB only. Prints a markdown table and writes it, with the raw
measurements as JSON, to --results-dir (default benchmarks/results/; the JSON is not
committed). Needs `make spark-setup` and Java 17. Run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from benchmarks import datasets
from benchmarks.measure import run_measured
from benchmarks.run import DEFAULT_INITIAL_SHARE
from cs_warehouse.dbt_runner import PROJECT_DIR, dbt_executable
from cs_warehouse.publish import REFRESH_DBT_ARGS

CLUSTER_SCRIPT = PROJECT_DIR / "scripts" / "spark-cluster"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dbt(args: list[str], *, raw_dir: Path, work: Path, env: dict, name: str, logs: Path) -> dict:
    target = work / f"target_{name}"
    command = [dbt_executable(), "build", *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
               "--target-path", str(target), "--log-path", str(target / "logs")]
    measured = run_measured(command, cwd=PROJECT_DIR, env={**env, "CS_RAW_DIR": str(raw_dir.resolve())},
                            stdout_path=logs / f"{name}.out", stderr_path=logs / f"{name}.err")
    if not measured.ok:
        raise RuntimeError(f"{name} failed (exit {measured.returncode}):\n{measured.tail()}")
    results = json.loads((target / "run_results.json").read_text())["results"]
    print(f"{name}: {measured.wall_seconds:.1f} s, {len(results)} nodes", flush=True)
    times = sorted(result["execution_time"] for result in results)
    usage = sum(result["execution_time"] for result in results if _reads_usage(result["unique_id"]))
    return {"seconds": round(measured.wall_seconds, 1), "nodes": len(results),
            "peak_rss_bytes": measured.peak_rss_bytes,
            "node_seconds": round(sum(times), 1), "median_node_seconds": round(times[len(times) // 2], 2),
            "usage_node_seconds": round(usage, 1)}


def _reads_usage(unique_id: str) -> bool:
    """The nodes whose work grows with the usage rows: the usage models and their tests."""
    return "usage" in unique_id.split(".")[2] if unique_id.count(".") >= 2 else False


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=2, help="Spark workers, one core each (default 2)")
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DIR / "benchmarks" / "data")
    parser.add_argument("--results-dir", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    parser.add_argument("--full-only", action="store_true", help="measure the full builds only, not the refresh")
    args = parser.parse_args(argv)

    # the data of `make bench N=...` (benchmarks/README.md)
    dataset = datasets.ensure_dataset(args.data_dir, args.accounts, args.seed,
                                      ["--initial-share", str(DEFAULT_INITIAL_SHARE)])
    plus_one_day = None if args.full_only else datasets.ensure_appended_day(dataset, args.data_dir)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    work = args.data_dir / "work" / f"spark-side-by-side-N{args.accounts}-{stamp}"
    logs = work / "logs"
    logs.mkdir(parents=True)
    base_env = {**os.environ, "DO_NOT_TRACK": "1", "SPARK_LOCAL_IP": "127.0.0.1"}
    load_at_start = _load()
    measured: dict[str, dict] = {}

    duckdb_env = {**base_env, "CS_WAREHOUSE_PATH": str(work / "duckdb.duckdb")}
    measured["duckdb_full"] = _dbt([], raw_dir=dataset.path, work=work, env=duckdb_env,
                                   name="duckdb_full", logs=logs)
    if plus_one_day is not None:
        measured["duckdb_refresh"] = _dbt([*REFRESH_DBT_ARGS], raw_dir=plus_one_day.path, work=work,
                                          env=duckdb_env, name="duckdb_refresh", logs=logs)
    (work / "duckdb.duckdb").unlink()

    cluster_env = {**base_env, "PYTHON": sys.executable, "CS_SPARK_CLUSTER_DIR": str(work / "cluster"),
                   "CS_SPARK_MASTER_PORT": str(_free_port()), "CS_SPARK_WEBUI_PORT": str(_free_port()),
                   "CS_SPARK_WORKERS": str(args.workers)}
    subprocess.run([str(CLUSTER_SCRIPT), "start"], env=cluster_env, check=True, timeout=300)
    try:
        spark_env = {**base_env, "CS_SPARK_WORK_DIR": str(work / "spark"), "CS_SPARK_SCHEMA": "cs",
                     "CS_SPARK_MASTER": f"spark://127.0.0.1:{cluster_env['CS_SPARK_MASTER_PORT']}"}
        measured["spark_full"] = _dbt(["--target", "spark", "--full-refresh"],
                                      raw_dir=dataset.path, work=work, env=spark_env, name="spark_full", logs=logs)
        if plus_one_day is not None:
            measured["spark_refresh"] = _dbt(["--target", "spark", *REFRESH_DBT_ARGS],
                                             raw_dir=plus_one_day.path, work=work, env=spark_env,
                                             name="spark_refresh", logs=logs)
    finally:
        subprocess.run([str(CLUSTER_SCRIPT), "stop"], env=cluster_env, timeout=120)
    shutil.rmtree(work / "spark", ignore_errors=True)

    run = {"accounts": args.accounts, "seed": args.seed, "usage_rows": dataset.usage_rows, "workers": args.workers,
           "cores": os.cpu_count(), "load_at_start": load_at_start, "load_at_end": _load(), "measured": measured,
           "work": str(work)}
    table = report(run)
    print(table)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    name = f"{dt.date.today().isoformat()}-spark-side-by-side-N{args.accounts}"
    (args.results_dir / f"{name}.json").write_text(json.dumps(run, indent=2))
    (args.results_dir / f"{name}.md").write_text(table)
    return 0


def report(run: dict) -> str:
    m = run["measured"]
    full_only = "" if "spark_refresh" in m else " --full-only"
    lines = [
        f"# Spark (local cluster) and DuckDB side by side, N={run['accounts']:,}",
        "",
        f"`python -m benchmarks.spark_side_by_side --accounts {run['accounts']} --seed {run['seed']} "
        f"--workers {run['workers']}{full_only}`: {run['usage_rows']:,} usage rows, one run each, "
        f"on {run['cores']} cores "
        f"(load average {run['load_at_start']} at the start, {run['load_at_end']} at the end). Spark: a "
        f"standalone master and {run['workers']} workers of one core on 127.0.0.1. Both build the same "
        f"{m['duckdb_full']['nodes']} nodes (no health-weight fit).",
        "",
        "| build | DuckDB | Spark | Spark / DuckDB |",
        "|---|---|---|---|",
    ]
    steps = [("full", "full build"), ("refresh", "refresh after one new day")]
    steps = [(step, label) for step, label in steps if f"spark_{step}" in m]
    for step, label in steps:
        duck, spark = m[f"duckdb_{step}"]["seconds"], m[f"spark_{step}"]["seconds"]
        lines.append(f"| {label} | {duck:.1f} s | {spark:.1f} s | {spark / duck:.1f} x |")
    if "spark_refresh" in m:
        lines.append(f"| refresh / full | {m['duckdb_refresh']['seconds'] / m['duckdb_full']['seconds']:.0%} | "
                     f"{m['spark_refresh']['seconds'] / m['spark_full']['seconds']:.0%} | |")
    lines += [
        "",
        "Where the time goes: dbt's start-up and Spark's session (the wall time less the nodes' own "
        "times), the median node (Spark's fixed cost per query), and the usage nodes (models and tests "
        "named after usage, the part that grows with the usage rows).",
        "",
        "| build | start-up | nodes | median node | usage nodes | other nodes |",
        "|---|---|---|---|---|---|",
    ]
    for key in ("duckdb_full", "duckdb_refresh", "spark_full", "spark_refresh"):
        if key not in m:
            continue
        step = m[key]
        # DuckDB runs dbt's threads side by side, so its nodes' times can add up to more than the wall time
        startup = max(step["seconds"] - step["node_seconds"], 0.0)
        lines.append(f"| {key.replace('_', ' ')} | {startup:.1f} s | {step['nodes']} | "
                     f"{step['median_node_seconds']:.2f} s | {step['usage_node_seconds']:.1f} s | "
                     f"{step['node_seconds'] - step['usage_node_seconds']:.1f} s |")
    lines += [
        "",
        f"DuckDB's peak RSS (dbt's process tree): {m['duckdb_full']['peak_rss_bytes'] / 2**30:.2f} GB full"
        + (f", {m['duckdb_refresh']['peak_rss_bytes'] / 2**30:.2f} GB refresh." if "duckdb_refresh" in m
           else " (refresh not measured: --full-only)."),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
