"""The largest N the pandas path survives in the machine's memory.

    python -m benchmarks.pandas_ceiling --accounts 10000 30000 50000 [--cap-gb 22]

For each N (generated or reused as `make bench` does), runs the pandas path
(benchmarks/pandas_path.py) in its own process and polls the RSS of its process
tree; a run whose RSS passes the cap (default 22 GB, below the 24 GB of the
benchmark machine, so that the machine itself never runs out) is stopped and
recorded as "did not survive". Writes benchmarks/results/<date>-pandas-ceiling.md
with the time and peak RSS of each N.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from benchmarks import datasets
from benchmarks.machine import machine_details
from benchmarks.measure import _tree_rss

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
GB = 2**30


def run_capped(command: list[str], cap_bytes: int, log_path: Path) -> dict:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        popen = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT,
                                 env=dict(os.environ, DO_NOT_TRACK="1"))
        process = psutil.Process(popen.pid)
        peak, stopped = 0, False
        while popen.poll() is None:
            rss = _tree_rss(process)
            peak = max(peak, rss)
            if rss > cap_bytes:
                for member in [process, *process.children(recursive=True)]:
                    try:
                        member.kill()
                    except psutil.Error:
                        pass
                stopped = True
                popen.wait()
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
    return {"returncode": popen.returncode, "wall_seconds": wall, "peak_rss_bytes": peak, "stopped_at_cap": stopped}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pandas_ceiling", description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, nargs="+", required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--initial-share", type=float, default=0.9)
    parser.add_argument("--cap-gb", type=float, default=22.0)
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    args = parser.parse_args(argv)

    started_at = dt.datetime.now()
    machine = machine_details()
    rows = []
    for accounts in args.accounts:
        dataset = datasets.ensure_dataset(args.data_dir, accounts, args.seed, ["--initial-share", str(args.initial_share)])
        out = args.data_dir / "work" / f"pandas-ceiling-N{accounts}"
        command = [sys.executable, "-m", "benchmarks.pandas_path", "--raw-dir", str(dataset.path), "--out", str(out)]
        print(f"[pandas] N={accounts:,}: {dataset.usage_rows:,} usage rows", file=sys.stderr, flush=True)
        result = run_capped(command, int(args.cap_gb * GB), out / "pandas.log")
        verdict = ("did not survive: stopped at the cap" if result["stopped_at_cap"]
                   else "survived" if result["returncode"] == 0 else f"failed (exit {result['returncode']})")
        print(f"[pandas] N={accounts:,}: {verdict}, {result['wall_seconds']:.1f} s, "
              f"peak RSS {result['peak_rss_bytes'] / GB:.2f} GB", file=sys.stderr, flush=True)
        rows.append((accounts, dataset.usage_rows, result, verdict))

    lines = [f"# pandas path: the largest N it survives ({started_at:%Y-%m-%d})", "",
             f"Run {started_at:%Y-%m-%dT%H:%M:%S} with `python -m benchmarks.pandas_ceiling "
             f"{' '.join(sys.argv[1:] if argv is None else argv)}`. The pandas path is "
             "benchmarks/pandas_path.py (usage -> monthly health components, and the MRR bridge). "
             f"A run whose process RSS passes {args.cap_gb:g} GB is stopped: the machine has "
             f"{machine['memory_bytes'] / GB:.1f} GB.", "",
             "| N accounts | usage rows | wall time | peak RSS | verdict |", "|---|---|---|---|---|"]
    for accounts, usage_rows, result, verdict in rows:
        lines.append(f"| {accounts:,} | {usage_rows:,} | {result['wall_seconds']:.1f} s | "
                     f"{result['peak_rss_bytes'] / GB:.2f} GB | {verdict} |")
    lines += ["", f"Load average at the start {machine.get('load_average')}; "
              f"CPU: {machine.get('cpu_model')}; Python {machine.get('python')}."]
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"{started_at:%Y-%m-%d}-pandas-ceiling.md"
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"[pandas] wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
