"""The benchmark harness works: one run at a tiny size writes a complete results file.

No timing is asserted (timings depend on the machine). What is checked: every row
of the table and every ratio is in the results file, each ratio is the quotient of
the measured medians (recomputed here from the raw measurements in the JSON file),
the pandas path computes the same figures as dbt, the incremental run equals a full
build of the same data (--check-incremental), and datasets are reused only when
their generation finished. It costs one generation, one `dbt parse`, three
`dbt build`s and the pandas path at 40 accounts, in a temporary directory.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from benchmarks import datasets, report
from benchmarks.measure import SpillWatch
from cs_warehouse.dbt_runner import PROJECT_DIR

ACCOUNTS = 40


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "benchmarks.run", "--accounts", str(ACCOUNTS), "--seed", "3", "--repeats", "1",
               "--keep-warehouses", "--check-incremental", "--data-dir", str(base / "data"),
               "--results-dir", str(base / "results")]
    process = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=1800,
                             env={**os.environ, "DO_NOT_TRACK": "1"})
    assert process.returncode == 0, f"the harness failed:\n{process.stdout[-5000:]}\n{process.stderr[-10000:]}"
    results = list((base / "results").glob(f"*-N{ACCOUNTS}.md"))
    assert len(results) == 1, f"expected one results file, found {results}"
    markdown = results[0]
    data = json.loads(markdown.with_suffix(".json").read_text())
    return {"base": base, "markdown": markdown.read_text(), "name": markdown.name, "data": data,
            "stdout": process.stdout}


def _table_rows(markdown: str) -> dict[str, list[str]]:
    rows = {}
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+) s", text)
    assert match, f"not a time: {text!r}"
    return float(match.group(1))


def test_results_file_is_named_by_date_and_size(bench_run):
    started = bench_run["data"]["raw"]["started_at"][:10]
    dt.date.fromisoformat(started)
    assert bench_run["name"] == f"{started}-N{ACCOUNTS}.md"


def test_every_row_and_ratio_is_in_the_table(bench_run):
    rows = _table_rows(bench_run["markdown"])
    for _, label in report.ROWS:
        assert label in rows, f"row {label!r} missing from the results table"
    for _, label, _, _ in report.RATIOS:
        assert label in rows, f"ratio {label!r} missing from the results table"
    measured = ["floor_scan", "floor_aggregate", "floor_incremental_month", "dbt_parse", "full_build",
                "incremental_build", "pandas"]
    for key in measured:
        cells = rows[dict(report.ROWS)[key]]
        assert cells[0] == "1", f"{key}: expected 1 run, got {cells[0]}"
        assert _seconds(cells[1]) > 0
        assert cells[3] != "—", f"{key}: no peak RSS"
    for key in ("full_build", "incremental_build"):
        assert re.search(r"peak spill to disk \d+\.\d\d GB", rows[dict(report.ROWS)[key]][-1]), key
    for key in ("demo_build", "demo_refresh"):
        demo = rows[dict(report.ROWS)[key]]
        assert demo[0] == "1" and _seconds(demo[1]) > 0 and demo[3] != "—", key
    # the demo refresh is the refresh's command run again on the demo warehouse
    refresh = bench_run["data"]["raw"]["demo"]["refresh"]
    incremental = bench_run["data"]["raw"]["runs"][0]["incremental"]

    def arguments(command):
        return command[:command.index("--profiles-dir")]
    assert arguments(refresh["command"]) == arguments(incremental["command"]) and refresh["returncode"] == 0
    nodes = len(refresh["run_results"]["results"])
    assert nodes > 100 and f"; {nodes} nodes, dbt's elapsed time" in rows[dict(report.ROWS)["demo_refresh"]][-1]
    # the targets table has a row per target (report.py)
    assert len(bench_run["data"]["summary"]["targets"]) == 5
    for target in bench_run["data"]["summary"]["targets"]:
        assert target["what"] in bench_run["markdown"]
    # the per-model profile of the full build
    assert "## Where the full build spends its time" in bench_run["markdown"]
    assert len(bench_run["data"]["summary"]["full_profile"]["top_models"]) == 15
    assert "CPU:" in bench_run["markdown"] and "duckdb" in bench_run["markdown"]


def test_ratios_are_computed_from_the_measured_numbers(bench_run):
    raw = bench_run["data"]["raw"]
    runs = raw["runs"]
    # the medians, recomputed from the raw measurements
    medians = {
        "floor_aggregate": statistics.median(run["floor"]["aggregate_seconds"] for run in runs),
        "floor_incremental_month": statistics.median(run["floor"]["incremental_month_seconds"] for run in runs),
        "full_build": statistics.median(run["full"]["wall_seconds"] for run in runs),
        "incremental_build": statistics.median(run["incremental"]["wall_seconds"] for run in runs),
        "pandas": statistics.median(run["pandas"]["process"]["wall_seconds"] for run in runs),
        "demo_refresh": raw["demo"]["refresh"]["wall_seconds"],
    }
    rows = _table_rows(bench_run["markdown"])
    verdict = {target["what"]: target for target in bench_run["data"]["summary"]["targets"]}[
        "incremental run after one new day of usage, N=100k"]["verdict"]
    share = 100 * medians["demo_refresh"] / medians["full_build"]
    assert verdict.endswith(f"the same command on the demo data, with almost nothing to compute, takes {share:.1f}% "
                            "of this full build"), verdict
    for _, label, numerator, denominator in report.RATIOS:
        expected = medians[numerator] / medians[denominator]
        value_text, source_text = rows[label]
        assert float(value_text) == pytest.approx(expected, rel=1e-3, abs=1e-4), label
        # the "computed from" cell shows the two medians the value divides
        shown = [_seconds(part.strip()) for part in source_text.split(" / ")]
        assert shown[0] == pytest.approx(medians[numerator], rel=0.01, abs=0.001), label
        assert shown[1] == pytest.approx(medians[denominator], rel=0.01, abs=0.001), label
        assert float(value_text) == pytest.approx(shown[0] / shown[1], rel=0.02, abs=0.01), label


def test_pandas_path_computes_the_same_figures_as_dbt(bench_run):
    comparison = bench_run["data"]["raw"]["pandas_comparison"]
    assert comparison["matches"], comparison
    assert "pandas against dbt: same figures" in bench_run["markdown"]


def test_incremental_run_equals_a_full_build_of_the_same_data(bench_run):
    check = bench_run["data"]["raw"]["incremental_check"]
    assert check["equal"] and not check.get("error"), check
    assert check["relations_compared"] >= 40, check
    assert (f"Incremental against full refresh: equal ({check['relations_compared']} int_/fct_/dim_/mart_ "
            "relations compared)") in bench_run["markdown"]


def test_datasets_are_reused_only_after_a_finished_generation(bench_run):
    data_dir = bench_run["base"] / "data"
    marker = json.loads((data_dir / f"N{ACCOUNTS}-s3" / datasets.MARKER).read_text())
    args = marker["generator_args"]
    reused = datasets.ensure_dataset(data_dir, ACCOUNTS, 3, args)
    assert reused.reused
    # a generation that did not finish leaves no marker: the directory is generated again
    (data_dir / f"N{ACCOUNTS}-s3" / datasets.MARKER).unlink()
    regenerated = datasets.ensure_dataset(data_dir, ACCOUNTS, 3, args)
    assert not regenerated.reused
    assert (regenerated.path / datasets.MARKER).exists()
    assert regenerated.usage_rows == marker["usage_rows"]


def test_appended_day_is_one_more_day_in_a_copy(bench_run):
    data_dir = bench_run["base"] / "data"
    dataset = datasets.ensure_dataset(data_dir, ACCOUNTS, 3, ["--initial-share", "0.9"])
    appended = datasets.ensure_appended_day(dataset, data_dir)
    original = pq.read_table(dataset.usage_file)
    extended = pq.read_table(appended.usage_file)
    last_day = pc.max(original["usage_date"]).as_py()
    new_rows = extended.filter(pc.equal(extended["usage_date"], last_day + dt.timedelta(days=1)))
    last_rows = original.filter(pc.equal(original["usage_date"], last_day))
    assert extended.num_rows == original.num_rows + last_rows.num_rows
    assert new_rows.num_rows == last_rows.num_rows > 0
    assert sorted(zip(new_rows["account_id"].to_pylist(), new_rows["feature"].to_pylist())) == sorted(
        zip(last_rows["account_id"].to_pylist(), last_rows["feature"].to_pylist()))
    # the dataset itself is as generated: the extra day is only in the copy
    assert pc.max(pq.read_table(dataset.usage_file, columns=["usage_date"])["usage_date"]).as_py() == last_day
    assert appended.path != dataset.path


def test_pandas_ceiling_records_survivors_and_stops_at_the_cap(bench_run):
    """benchmarks.pandas_ceiling on the bench run's dataset: a generous cap lets the
    pandas path finish, a cap below its RSS stops it and says so."""
    base = bench_run["base"]
    rows = {}
    for cap in ("20", "0.05"):
        results = base / f"ceiling-{cap}"
        command = [sys.executable, "-m", "benchmarks.pandas_ceiling", "--accounts", str(ACCOUNTS), "--seed", "3",
                   "--cap-gb", cap, "--data-dir", str(base / "data"), "--results-dir", str(results)]
        process = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600,
                                 env={**os.environ, "DO_NOT_TRACK": "1"})
        assert process.returncode == 0, process.stdout + process.stderr
        assert "reusing" in process.stderr  # the bench run's dataset, not a new generation
        (written,) = results.glob("*-pandas-ceiling.md")
        rows[cap] = _table_rows(written.read_text())[f"{ACCOUNTS:,}"]
    assert rows["20"][-1] == "survived"
    assert rows["0.05"][-1] == "did not survive: stopped at the cap"
    # the recorded peak reached the cap (the table prints GB to 2 decimals, so a peak just past
    # 0.05 GB reads 0.05)
    assert float(rows["0.05"][2].split()[0]) >= 0.05


def test_spill_watch_records_the_largest_size_the_directory_reached(tmp_path):
    import time

    watch = SpillWatch(tmp_path)
    spilled = tmp_path / "duckdb_temp_block-1.block"
    spilled.write_bytes(os.urandom(3 * 2**20))
    time.sleep(0.6)  # the watch samples every 0.2 s
    spilled.unlink()
    peak = watch.stop()
    assert 3 * 2**20 <= peak < 4 * 2**20
    assert SpillWatch(tmp_path / "never_created").stop() == 0


PARENT_HOLDS_THEN_MEASURES = """
import json, sys
from benchmarks.measure import run_measured

def touched(megabytes):
    block = bytearray(megabytes * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # every page resident
    return block

held = touched(400)
del held  # the high-water mark of this process stays at 400 MB or more
allocate = "block = bytearray({mb} * 2**20); block[::4096] = b'x' * len(block[::4096])"
results = {}
for name, megabytes in (("small", 10), ("large", 700)):
    measurement = run_measured([sys.executable, "-c", allocate.format(mb=megabytes)], cwd=".", env=None,
                               stdout_path=sys.argv[1] + name + ".out", stderr_path=sys.argv[1] + name + ".err")
    results[name] = dict(measurement.to_dict(), max_rss_is_the_childs=measurement.max_rss_is_the_childs)
print(json.dumps(results))
"""


def test_peak_rss_is_the_childs_not_the_harness_process(tmp_path):
    """A child started after the harness held 400 MB reports the harness's high-water mark
    in ru_maxrss (Linux carries it over at vfork): its peak RSS must not be that figure."""
    completed = subprocess.run([sys.executable, "-c", PARENT_HOLDS_THEN_MEASURES, str(tmp_path) + "/"],
                               cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    results = json.loads(completed.stdout)
    mb = 2**20
    small, large = results["small"], results["large"]
    assert small["returncode"] == 0 and large["returncode"] == 0
    assert small["parent_max_rss_bytes"] >= 400 * mb
    # the child held ~10 MB plus Python: whatever the kernel said, its peak is not the parent's 400 MB
    assert small["peak_rss_bytes"] < 200 * mb, small
    assert not small["max_rss_is_the_childs"] or small["max_rss_bytes"] < 200 * mb, small
    # a child above the parent's mark: the kernel's figure is its own and counts
    assert large["max_rss_is_the_childs"], large
    assert 700 * mb <= large["peak_rss_bytes"] < 900 * mb, large


def test_a_failed_build_is_marked_failed_and_misses_its_targets(bench_run):
    import copy

    raw = copy.deepcopy(bench_run["data"]["raw"])
    raw["runs"][0]["full"]["returncode"] = 1
    summary = report.summarise(raw)
    rows = _table_rows(report.render_markdown(raw, summary))
    assert rows[dict(report.ROWS)["full_build"]][-1].startswith("FAILED in 1 of 1 run(s): dbt exited 1")
    assert not rows[dict(report.ROWS)["incremental_build"]][-1].startswith("FAILED")
    targets = {target["what"]: target for target in report.evaluate_targets(raw, summary)}
    full_target = targets["full build, every model, seed and test, at N=100k"]
    assert full_target["met"] is False and "FAILED" in full_target["verdict"]
    assert targets["incremental run after one new day of usage, N=100k"]["met"] is False
