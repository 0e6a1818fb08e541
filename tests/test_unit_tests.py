"""The dbt unit tests (`unit_tests:` in models/**/_*__models.yml) run here, all of them.

A build of the whole project leaves them out (selectors.yml, the default selector `data`):
they check the code on fixed rows, whatever the data, so a build of the data does not need
them. This module is where `make test` and CI run them, as a user would with
`dbt test --select test_type:unit`, on a copy of the demo warehouse (the models they read
without a fixture must exist).
"""
from __future__ import annotations

import json
import shutil

from conftest import DEMO_DIR

from cs_warehouse.dbt_runner import run_dbt


def unit_test_results(target) -> list[dict]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return [result for result in results if result["unique_id"].startswith("unit_test.")]


def test_a_build_of_the_whole_project_leaves_the_unit_tests_out(demo_warehouse):
    target = demo_warehouse.path.parent / "target"
    results = json.loads((target / "run_results.json").read_text())["results"]
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert {"model", "seed", "test"} <= kinds, kinds
    assert unit_test_results(target) == []
    assert "Using default selector data" in demo_warehouse.process.stdout


def test_every_unit_test_passes(demo_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(demo_warehouse.path, warehouse)
    target = tmp_path / "target"
    process = run_dbt(["test", "--select", "test_type:unit"], raw_dir=DEMO_DIR, warehouse=warehouse,
                      target_path=target, timeout=900)
    assert process.returncode == 0, f"unit tests failed:\n{process.stdout[-15000:]}"
    declared = json.loads((target / "manifest.json").read_text())["unit_tests"]
    results = unit_test_results(target)
    assert len(declared) >= 50, f"only {len(declared)} unit tests declared"
    assert sorted(result["unique_id"] for result in results) == sorted(declared)
    assert {result["status"] for result in results} == {"pass"}


def test_a_selection_runs_the_unit_tests_of_the_selected_models(demo_warehouse, tmp_path):
    """`dbt build --select <model>`, as an analyst changing a model runs it: its unit tests
    come with it (the default selector applies only when nothing is selected)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(demo_warehouse.path, warehouse)
    target = tmp_path / "target"
    process = run_dbt(["build", "--select", "int_renewals_due"], raw_dir=DEMO_DIR, warehouse=warehouse,
                      target_path=target, timeout=900)
    assert process.returncode == 0, process.stdout[-10000:]
    declared = [unique_id for unique_id, unit_test in
                json.loads((target / "manifest.json").read_text())["unit_tests"].items()
                if unit_test["model"] == "int_renewals_due"]
    assert declared, "int_renewals_due has no unit test"
    assert sorted(result["unique_id"] for result in unit_test_results(target)) == sorted(declared)
