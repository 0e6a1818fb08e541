"""Validate the raw files: the staging build on them, reported through great-expectations.

The command line (``python -m cs_warehouse.validate``, the Makefile's ``validate``):
validates one directory, prints the summary, writes reports/validation.json and
.html, and exits with the report's exit status (see the package docstring). The
dbt vars come from CS_DBT_VARS and --vars, as for the build. The first paragraph of
this docstring is the description --help prints.
"""
from __future__ import annotations

import argparse

import yaml

from cs_warehouse import settings
from cs_warehouse.contract import PROJECT_DIR
from cs_warehouse.validate.render import write_reports
from cs_warehouse.validate.report import validate

REPORTS_DIR = PROJECT_DIR / "reports"


def env_dbt_vars() -> dict:
    """The dbt vars of the environment variable CS_DBT_VARS (YAML or JSON), if set."""
    text = settings.get("CS_DBT_VARS")
    return dict(yaml.safe_load(text) or {}) if text else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cs_warehouse.validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", help="the raw files (default: CS_RAW_DIR, else data/demo)")
    parser.add_argument("--reject-policy", choices=["default", "error", "warn"],
                        help="as the dbt var reject_policy (default: the var's value)")
    parser.add_argument("--vars", help="dbt vars as YAML, e.g. '{as_of_date: 2026-06-30}' (also CS_DBT_VARS)")
    parser.add_argument("--out-dir", default=str(REPORTS_DIR), help="where validation.json/.html go (default reports/)")
    parser.add_argument("--hand-over", action="store_true",
                        help="when the validation passes, leave its staging build beside CS_WAREHOUSE_PATH for the "
                             "publish that follows (`make build`), so that it does not read the usage file again")
    args = parser.parse_args(argv)
    dbt_vars = env_dbt_vars()
    dbt_vars.update(yaml.safe_load(args.vars) or {} if args.vars else {})
    report = validate(args.raw_dir, reject_policy=args.reject_policy, dbt_vars=dbt_vars,
                      hand_over_to=settings.path("CS_WAREHOUSE_PATH") if args.hand_over else None)
    json_path, html_path = write_reports(report, args.out_dir)
    print(report.summary())
    print(f"Full results: {html_path} and {json_path}")
    if report.handed_over:
        print(f"The staging build is left for the publish: {report.handed_over}")
    return report.exit_code
