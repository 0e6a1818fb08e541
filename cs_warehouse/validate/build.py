"""The staging build that the validation reports on.

``build_staging()`` runs ``dbt build`` of the staging layer (the base models that
read, type and check each raw file, the staging models with their reject gates,
``raw_rejects``, ``mart_raw_intake`` and the as-of date, with their tests) on a raw
directory into a DuckDB file, in this process. It is the build's own code doing
the work: this module only runs it, with a target path of its own
(target/validate/, git-ignored) where dbt keeps its parsed project between runs.

``scratch_warehouse()`` gives the file to build into: always the same path,
target/validate/scratch/validate.duckdb, removed with its directory afterwards.
The profile holds the warehouse path, and dbt parses the whole project again
(~6 s) whenever the profile changes, so a new temporary path for each run would
cost a full parse each time. Two validations of one project copy at the same
time would share that file: run them one after another.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from cs_warehouse.dbt_runner import PROJECT_DIR, InProcessBuild, InProcessDbt

# the staging layer, what raw_rejects needs (the as-of date for the FX rule), the
# intake counts, and the tests whose parents are all in it
STAGING_BUILD = ["build", "--select", "+raw_rejects", "path:models/staging", "mart_raw_intake",
                 "--indirect-selection", "cautious"]

_RUNNERS: dict[Path, InProcessDbt] = {}


def runner(project_dir: str | os.PathLike = PROJECT_DIR) -> InProcessDbt:
    """The process's in-process dbt for a project (one per project: partial parsing)."""
    project_dir = Path(project_dir).resolve()
    if project_dir not in _RUNNERS:
        _RUNNERS[project_dir] = InProcessDbt(project_dir / "target" / "validate", project_dir=project_dir)
    return _RUNNERS[project_dir]


@contextlib.contextmanager
def scratch_warehouse(project_dir: str | os.PathLike = PROJECT_DIR) -> Iterator[Path]:
    """The scratch warehouse file of a validation, removed (with its directory) after the block."""
    scratch = runner(project_dir).target_path / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        yield scratch / "validate.duckdb"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def build_staging(raw_dir: str | os.PathLike, warehouse: str | os.PathLike, *, dbt_vars: dict,
                  project_dir: str | os.PathLike = PROJECT_DIR) -> InProcessBuild:
    """Build the staging layer from raw_dir into the warehouse file."""
    return runner(project_dir).build(STAGING_BUILD, raw_dir=raw_dir, warehouse=warehouse, dbt_vars=dbt_vars)
