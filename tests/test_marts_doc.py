"""docs/marts.md is generated from the models' YAML and must not drift from it."""
from __future__ import annotations

import json

from cs_warehouse import marts_doc


def test_the_marts_reference_is_up_to_date():
    manifest = marts_doc.manifest()
    expected = marts_doc.render(manifest)
    assert marts_doc.DOC_PATH.read_text() == expected, (
        "docs/marts.md differs from the models' YAML: run `python -m cs_warehouse.marts_doc`")
    # every public model is on the page, and nothing internal is
    public = {node["name"] for node in manifest["nodes"].values()
              if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")}
    assert public and all(f"### {name}\n" in expected for name in public)
    assert "### int_" not in expected and "### stg_" not in expected


def test_public_models_are_public_and_in_main_the_others_are_not():
    manifest = marts_doc.manifest()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        if node["original_file_path"].startswith("models/marts/"):
            assert node["access"] == "public", node["name"]
            assert node["schema"] == "main", node["name"]
            assert node["config"]["contract"]["enforced"], node["name"]
        else:
            assert node["access"] != "public", node["name"]
            assert node["schema"] in ("staging", "intermediate"), (node["name"], node["schema"])


def test_the_not_null_constraints_of_the_marts_are_enforced(demo_warehouse, demo_compiled):
    """A mart column declared not null is a constraint of its contract, enforced by the
    warehouse (a null fails the model's build), not a separate test node."""
    manifest = json.loads((demo_compiled / "manifest.json").read_text())
    marts = {node["unique_id"]: node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")}
    declared = {(node["name"], column["name"]) for node in marts.values() for column in node["columns"].values()
                if any(constraint["type"] == "not_null" for constraint in column.get("constraints") or [])}
    assert len(declared) > 200
    enforced = set(demo_warehouse.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'main' and is_nullable = 'NO'").itertuples(index=False, name=None))
    assert declared == enforced
    repeated = [node["name"] for node in manifest["nodes"].values()
                if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == "not_null"
                and node["attached_node"] in marts]
    assert not repeated, f"not_null test nodes on marts that have the constraint: {repeated}"
