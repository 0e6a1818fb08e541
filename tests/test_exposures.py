"""dbt exposures (models/exposures/_exposures.yml): each HTML report depends on
exactly the public relations its notebook reads, and the Superset dashboard on
those its charts read, so `dbt ls --select +exposure:<name>` lists what feeds them.
"""
from __future__ import annotations

import json
import re

from cs_warehouse.dbt_runner import PROJECT_DIR

PUBLIC = re.compile(r"\b((?:mart|fct|dim)_[a-z0-9_]+|raw_rejects)\b")


def exposures(demo_compiled) -> dict[str, dict]:
    manifest = json.loads((demo_compiled / "manifest.json").read_text())
    return {node["name"]: node for node in manifest["exposures"].values()}


def parents(exposure: dict) -> set[str]:
    return {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}


def test_every_report_has_an_exposure_on_the_marts_its_notebook_reads(demo_compiled):
    declared = exposures(demo_compiled)
    notebooks = sorted((PROJECT_DIR / "notebooks").glob("[0-9][0-9]_*.py"))
    assert len(notebooks) >= 6
    for notebook in notebooks:
        name = f"report_{notebook.stem}"
        assert name in declared, f"no exposure {name} for {notebook.name}"
        assert declared[name]["type"] == "notebook"
        assert parents(declared[name]) == set(PUBLIC.findall(notebook.read_text())), name


def test_the_superset_dashboard_exposure_depends_on_the_datasets_of_its_charts(demo_compiled):
    dashboard = json.loads((PROJECT_DIR / "bi" / "dashboard.json").read_text())
    exposure = exposures(demo_compiled)["superset_cs_overview"]
    assert exposure["type"] == "dashboard"
    assert dashboard["slug"] in exposure["url"]
    assert parents(exposure) == {chart["dataset"] for chart in dashboard["charts"]}
