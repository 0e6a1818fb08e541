"""The benchmark harness: one command, one results file.

    python -m benchmarks.run --accounts N [--seed 42] [--repeats R]

Generates (or reuses) a dataset of N accounts, then, R times: the floor query,
`dbt parse`, a full `dbt build` into a fresh warehouse, an incremental `dbt build`
after one more day of usage, and (N <= --pandas-max-accounts) the pandas path;
once: the demo build, and the refresh's command again on it. Prints the table and
writes it, with the machine's details, the targets of issue 8 and dbt's per-model
timing, to
benchmarks/results/<YYYY-MM-DD>-N<N>[-by-account].md (and the raw measurements to .json).
See benchmarks/README.md for what each number means.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

from benchmarks import compare, datasets, report
from benchmarks.machine import machine_details, profile_settings
from benchmarks.measure import Measurement, SpillWatch, run_measured
from cs_warehouse.dbt_runner import PROJECT_DIR, dbt_executable
from cs_warehouse.publish import REFRESH_DBT_ARGS

BENCH_DIR = Path(__file__).resolve().parent
DEMO_DIR = PROJECT_DIR / "data" / "demo"
DEFAULT_INITIAL_SHARE = 0.9


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class Harness:
    def __init__(self, args: argparse.Namespace, argv: list[str]):
        self.args = args
        self.argv = argv
        self.work = Path(args.work_dir) / (f"N{args.accounts}-s{args.seed}"
                                           + ("-by-account" if args.usage_order == "account" else ""))
        self.settings = profile_settings()
        self.incremental_args = shlex.split(args.incremental_args or "")
        # leading NAME=value words are the incremental run's environment, as in a shell
        self.incremental_env = {}
        if args.as_refresh:
            # the daily refresh's own settings (make refresh), from the one place they are declared
            self.incremental_args = [*REFRESH_DBT_ARGS, *self.incremental_args]
        while self.incremental_args and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", self.incremental_args[0]):
            name, value = self.incremental_args.pop(0).split("=", 1)
            self.incremental_env[name] = value

    # --- running things -------------------------------------------------------------------
    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"DO_NOT_TRACK": "1"})
        env.update({key: str(value) for key, value in extra.items()})
        return env

    def dbt(self, args: list[str], *, raw_dir: Path, warehouse: Path, target: Path, name: str,
            env: dict[str, str] | None = None) -> Measurement:
        command = [dbt_executable(), *args, "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(PROJECT_DIR),
                   "--target-path", str(target), "--log-path", str(target / "logs")]
        prefix = "".join(f"{key}={value} " for key, value in (env or {}).items())
        log(f"{name}: {prefix}dbt {' '.join(args)} (CS_RAW_DIR={raw_dir})")
        # DuckDB's temp directory, as profiles.yml sets it
        spill = SpillWatch(Path(os.environ.get("CS_DUCKDB_TEMP_DIRECTORY") or f"{warehouse.resolve()}.tmp"))
        measurement = run_measured(
            command, cwd=PROJECT_DIR,
            env=self.env(CS_RAW_DIR=raw_dir.resolve(), CS_WAREHOUSE_PATH=warehouse.resolve(), **(env or {})),
            stdout_path=self.work / "logs" / f"{name}.out", stderr_path=self.work / "logs" / f"{name}.err",
            timeout=self.args.dbt_timeout)
        measurement.peak_spill_bytes = spill.stop()
        log(f"{name}: exit {measurement.returncode} in {measurement.wall_seconds:.1f} s, "
            f"peak RSS {measurement.peak_rss_bytes / 2**30:.2f} GB, peak spill {measurement.peak_spill_bytes / 2**30:.2f} GB")
        if not measurement.ok and not self.args.allow_dbt_errors:
            raise SystemExit(f"[bench] {name} failed (exit {measurement.returncode}); its output ends:\n"
                             f"{measurement.tail()}\n(--allow-dbt-errors to record failed runs anyway)")
        return measurement

    def python_module(self, module: str, args: list[str], name: str) -> tuple[Measurement, dict]:
        command = [sys.executable, "-m", module, *args]
        measurement = run_measured(command, cwd=PROJECT_DIR, env=self.env(),
                                   stdout_path=self.work / "logs" / f"{name}.out",
                                   stderr_path=self.work / "logs" / f"{name}.err")
        if not measurement.ok:
            raise SystemExit(f"[bench] {name} failed (exit {measurement.returncode}):\n{measurement.tail()}")
        lines = Path(measurement.stdout_path).read_text().strip().splitlines()
        return measurement, json.loads(lines[-1])

    # --- the steps --------------------------------------------------------------------------
    def floor(self, dataset, appended, repeat: int) -> dict:
        measurement, result = self.python_module("benchmarks.floor", [
            "--usage", str(dataset.usage_file), "--appended-usage", str(appended.usage_file),
            "--db", str(self.work / f"floor-{repeat}.duckdb"),
            "--threads", self.settings["duckdb_threads"],
            "--memory-limit", self.args.floor_memory_limit or self.settings["duckdb_memory_limit"],
            "--preserve-insertion-order", self.settings["preserve_insertion_order"],
        ], f"floor-{repeat}")
        (self.work / f"floor-{repeat}.duckdb").unlink(missing_ok=True)
        log(f"floor {repeat}: scan {result['scan_seconds']:.2f} s, aggregate {result['aggregate_seconds']:.2f} s, "
            f"one month again {result['incremental_month_seconds']:.2f} s, peak RSS "
            f"{measurement.peak_rss_bytes / 2**30:.2f} GB")
        return {"process": measurement.to_dict(), **result}

    def pandas_baseline(self) -> int:
        """Peak RSS of a Python that only imports pandas and pyarrow: the part that does not grow with N."""
        measurement = run_measured([sys.executable, "-c", "import numpy, pandas, pyarrow.parquet"], cwd=PROJECT_DIR,
                                   env=self.env(), stdout_path=self.work / "logs" / "pandas-baseline.out",
                                   stderr_path=self.work / "logs" / "pandas-baseline.err")
        return measurement.peak_rss_bytes

    def pandas_path(self, dataset, repeat: int) -> dict:
        out = self.work / "pandas"
        log(f"pandas {repeat}: the heaviest path in pandas")
        measurement, result = self.python_module(
            "benchmarks.pandas_path", ["--raw-dir", str(dataset.path), "--out", str(out)], f"pandas-{repeat}")
        log(f"pandas {repeat}: {measurement.wall_seconds:.1f} s, peak RSS {measurement.peak_rss_bytes / 2**30:.2f} GB")
        return {"process": measurement.to_dict(), **result}

    def run(self) -> dict:
        args = self.args
        if self.work.exists():
            shutil.rmtree(self.work)
        (self.work / "logs").mkdir(parents=True)
        started_at = dt.datetime.now()
        machine_start = machine_details()

        generator_args = ["--initial-share", str(args.initial_share)] if args.initial_share is not None else []
        dataset = datasets.ensure_dataset(Path(args.data_dir), args.accounts, args.seed, generator_args,
                                          regenerate=args.regenerate)
        appended = datasets.ensure_appended_day(dataset, Path(args.data_dir))
        if args.usage_order == "account":
            # the same rows, usage sorted by account: the refresh's new day is spread over the file
            dataset = datasets.ensure_ordered_by_account(dataset, Path(args.data_dir))
            appended = datasets.ensure_ordered_by_account(appended, Path(args.data_dir))

        runs: list[dict] = []
        comparison = None
        incremental_check = None
        run_pandas = not args.skip_pandas and args.accounts <= args.pandas_max_accounts
        pandas_baseline = self.pandas_baseline() if run_pandas else None
        for repeat in range(1, args.repeats + 1):
            log(f"--- run {repeat} of {args.repeats} ---")
            record: dict = {"repeat": repeat}
            record["floor"] = self.floor(dataset, appended, repeat)

            target = self.work / f"target-{repeat}"
            warehouse = self.work / f"warehouse-{repeat}.duckdb"
            record["parse"] = self.dbt(["parse"], raw_dir=dataset.path, warehouse=warehouse, target=target,
                                       name=f"parse-{repeat}").to_dict()
            record["full"] = self.dbt(["build"], raw_dir=dataset.path, warehouse=warehouse, target=target,
                                      name=f"full-{repeat}").to_dict()
            record["full"]["run_results"] = report.load_run_results(target)
            if comparison is None and run_pandas:
                try:
                    compare.export_dbt_outputs(warehouse, self.work / "dbt_outputs")
                except Exception as error:  # a model renamed by a concurrent change: say so, go on
                    comparison = {"error": f"could not read the dbt outputs: {error}"}

            record["incremental"] = self.dbt(["build", *self.incremental_args], raw_dir=appended.path,
                                             warehouse=warehouse, target=target, name=f"incremental-{repeat}",
                                             env=self.incremental_env).to_dict()
            record["incremental"]["run_results"] = report.load_run_results(target)

            if run_pandas:
                record["pandas"] = self.pandas_path(dataset, repeat)
                if comparison is None:
                    comparison = compare.compare_pandas_with_dbt(self.work / "dbt_outputs", self.work / "pandas")
                    log(f"pandas against dbt: {'same figures' if comparison['matches'] else 'DIFFERENT figures'}")
            if args.check_incremental and repeat == args.repeats:
                reference = self.work / "warehouse-full-refresh.duckdb"
                record["full_on_appended"] = self.dbt(
                    ["build"], raw_dir=appended.path, warehouse=reference, target=self.work / "target-full-refresh",
                    name="full-on-appended").to_dict()
                incremental_check = compare.compare_warehouses_in_a_process(warehouse, reference)
                if incremental_check.get("error"):
                    verdict = f"not compared ({incremental_check['error'][:200]})"
                else:
                    verdict = "equal" if incremental_check["equal"] else "DIFFERENT"
                log(f"incremental against full refresh: {verdict}")
                if not args.keep_warehouses:
                    reference.unlink(missing_ok=True)
            if not args.keep_warehouses:
                warehouse.unlink(missing_ok=True)
            runs.append(record)

        demo = None
        if not args.skip_demo:
            demo_target = self.work / "target-demo"
            demo = self.dbt(["build"], raw_dir=DEMO_DIR, warehouse=self.work / "warehouse-demo.duckdb",
                            target=demo_target, name="demo").to_dict()
            demo["run_results"] = report.load_run_results(demo_target)
            # the refresh's command again on the demo warehouse, with no new data: what a
            # refresh of this project costs when there is almost no data to process (dbt's
            # start-up and its fixed cost per node), the least share of a full build a
            # refresh can take at any N
            if demo["returncode"] == 0:
                demo["refresh"] = self.dbt(["build", *self.incremental_args], raw_dir=DEMO_DIR,
                                           warehouse=self.work / "warehouse-demo.duckdb", target=demo_target,
                                           name="demo-refresh", env=self.incremental_env).to_dict()
                demo["refresh"]["run_results"] = report.load_run_results(demo_target)
            if not args.keep_warehouses:
                (self.work / "warehouse-demo.duckdb").unlink(missing_ok=True)

        return {
            "command": ["python", "-m", "benchmarks.run", *self.argv],
            "accounts": args.accounts,
            "seed": args.seed,
            "usage_order": args.usage_order,
            "repeats": args.repeats,
            "started_at": started_at.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
            "settings": self.settings,
            "machine": machine_start,
            "load_average_end": [round(value, 2) for value in os.getloadavg()],
            "dataset": {"path": str(dataset.path), "usage_rows": dataset.usage_rows, "reused": dataset.reused,
                        "marker": dataset.marker},
            "appended": {"path": str(appended.path), "usage_rows": appended.usage_rows,
                         "appended_day": appended.marker["appended_day"],
                         "appended_rows": appended.marker["appended_rows"]},
            "incremental_args": self.incremental_args,
            "incremental_env": self.incremental_env,
            "pandas_max_accounts": args.pandas_max_accounts,
            "pandas_baseline_rss_bytes": pandas_baseline,
            "pandas_skipped_reason": None if run_pandas else (
                "--skip-pandas" if args.skip_pandas else
                f"N = {args.accounts:,} > {args.pandas_max_accounts:,} (--pandas-max-accounts)"),
            "demo_skipped_reason": "--skip-demo" if args.skip_demo else None,
            "runs": runs,
            "demo": demo,
            "pandas_comparison": comparison,
            "incremental_check": incremental_check,
        }


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--accounts", "-n", type=int, required=True, help="accounts to generate")
    parser.add_argument("--seed", type=int, default=42, help="generator seed")
    parser.add_argument("--repeats", type=int, default=None,
                        help="runs of each measurement; default 3 below 50,000 accounts, else 1")
    parser.add_argument("--initial-share", type=float, default=DEFAULT_INITIAL_SHARE,
                        help="generator --initial-share: share of accounts already customers in the first month "
                             "(a mature base, so that usage rows approach accounts x features x days)")
    parser.add_argument("--data-dir", default=str(BENCH_DIR / "data"), help="generated datasets (reused)")
    parser.add_argument("--work-dir", default=None, help="warehouses, targets and logs (default: DATA_DIR/work)")
    parser.add_argument("--results-dir", default=str(BENCH_DIR / "results"), help="where the results files go")
    parser.add_argument("--pandas-max-accounts", type=int, default=10000,
                        help="run the pandas path only up to this many accounts")
    parser.add_argument("--skip-pandas", action="store_true", help="do not run the pandas path")
    parser.add_argument("--skip-demo", action="store_true", help="do not time the demo build and the demo refresh")
    parser.add_argument("--check-incremental", action="store_true",
                        help="also build the appended data from scratch and compare every int_/fct_/dim_/mart_ "
                             "relation with the incrementally updated warehouse (one more full build)")
    parser.add_argument("--as-refresh", action="store_true",
                        help="run the incremental build as the daily refresh does (`make refresh`: the settings "
                             "REFRESH_DBT_ARGS of cs_warehouse.publish); `make bench` sets it")
    parser.add_argument("--incremental-args", default="",
                        help="extra arguments of the incremental `dbt build`, e.g. "
                             "\"--exclude-resource-type unit_test\" for a daily refresh that leaves code tests to CI "
                             "(the results file says so); leading NAME=value words set its environment, e.g. "
                             "\"DO_NOT_TRACK=1 --exclude-resource-type unit_test\"")
    parser.add_argument("--floor-memory-limit", default=None,
                        help="DuckDB memory_limit of the floor query (default: the profile's); its distinct counts "
                             "cannot spill, so from about 500,000 accounts it needs more than 4.5GB")
    parser.add_argument("--usage-order", choices=("date", "account"), default="date",
                        help="order of the usage file's rows: as generated, by date (default), or sorted by "
                             "account, as many exports are")
    parser.add_argument("--regenerate", action="store_true", help="generate the dataset again even if it exists")
    parser.add_argument("--keep-warehouses", action="store_true", help="keep the warehouse files in the work dir")
    parser.add_argument("--allow-dbt-errors", action="store_true",
                        help="record a failed dbt run instead of stopping (its timing is then not comparable)")
    parser.add_argument("--dbt-timeout", type=float, default=None, help="seconds before a dbt run is stopped")
    args = parser.parse_args(argv)
    if args.accounts < 1:
        parser.error("--accounts must be at least 1")
    if args.repeats is None:
        args.repeats = 3 if args.accounts < 50000 else 1
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.work_dir is None:
        args.work_dir = str(Path(args.data_dir) / "work")
    return args


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    os.environ["DO_NOT_TRACK"] = "1"
    raw = Harness(args, argv).run()
    summary = report.summarise(raw)
    markdown = report.render_markdown(raw, summary)
    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{raw['started_at'][:10]}-N{args.accounts}" + ("-by-account" if args.usage_order == "account" else "")
    (results_dir / f"{stem}.md").write_text(markdown)
    (results_dir / f"{stem}.json").write_text(json.dumps({"summary": summary, "raw": raw}, indent=1, default=str) + "\n")
    print(report.render_console(summary))
    log(f"wrote {results_dir / (stem + '.md')} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
