"""Two row rules of the raw contract need other rows (no_overlap, the FX rule), so
their SQL is written in the base model that has them, not generated from the
contract. The model lists them with the parameters its SQL uses, and compiling
stops when the contract and the model disagree: a changed parameter, or a rule the
model applies that the contract no longer declares."""
from __future__ import annotations

import shutil

from bad_inputs.cases import BASE_DIR

from cs_warehouse.dbt_runner import PROJECT_DIR, run_dbt

SKIP = shutil.ignore_patterns(".git", ".venv*", "target", "logs", "reports", "benchmarks", "data", "tests",
                              "*.duckdb", "__pycache__", ".bi", "notebooks")


def test_compiling_stops_when_the_contract_and_a_model_disagree_on_a_rule(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=SKIP)
    contract = project / "models" / "staging" / "raw" / "_raw__sources.yml"
    text = contract.read_text(encoding="utf-8")
    declared_overlap = "{rule: no_overlap, partition: account_id, from: valid_from, to: valid_to}"
    declared_fx = "            - {rule: fx_rate_for_active_months}\n"
    assert declared_overlap in text and declared_fx in text
    contract.write_text(text.replace(declared_overlap, declared_overlap.replace("account_id", "csm_id"))
                        .replace(declared_fx, ""), encoding="utf-8")
    # dbt stops at the first model that does not compile: one model per run
    outputs = {}
    for model in ("base_raw__csm_assignments", "base_raw__contracts"):
        process = run_dbt(["compile", "--select", model], raw_dir=BASE_DIR, warehouse=tmp_path / "compile.duckdb",
                          target_path=tmp_path / "target", project_dir=project, timeout=300)
        outputs[model] = process.stdout + process.stderr
        assert process.returncode != 0, outputs[model]
    assert ('base_raw__csm_assignments applies row rule no_overlap as {"rule": "no_overlap", "partition": '
            '"account_id", "from": "valid_from", "to": "valid_to"}, but the raw contract declares {"rule": '
            '"no_overlap", "partition": "csm_id", "from": "valid_from", "to": "valid_to"}'
            ) in outputs["base_raw__csm_assignments"], outputs["base_raw__csm_assignments"]
    assert ("base_raw__contracts applies row rule fx_rate_for_active_months, which the raw contract does not "
            "declare for contracts") in outputs["base_raw__contracts"], outputs["base_raw__contracts"]
