"""docs/marts.md is generated from the models' YAML and must not drift from it."""
from __future__ import annotations

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
