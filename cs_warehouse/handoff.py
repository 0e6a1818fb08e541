"""The validation's staging build, handed over to the publish that follows it.

`make build` validates the raw files and then publishes a build of them. The
validation builds the staging layer (every base model: the usage file read, typed
and checked once for valid rows and once for duplicate keys) into a scratch file.
Built again from nothing, the publish would repeat that work, and on a large usage
file it is most of the staging time. So `make build` runs the validation with
``--hand-over``: when the validation passes, its scratch file is moved beside the
warehouse as ``<stem>__validated.duckdb`` with a stamp, and the publish starts its
build file from it. dbt then rebuilds every table and view, but the incremental
base models find their rows already there and read no new usage day.

The publish uses the file only when the stamp matches what it is about to build:
the same raw directory with the same files (name, size, modification time), the
same dbt vars (with the project's defaults), the same project code (models,
macros, seeds, data tests, dbt_project.yml, profiles.yml) and the DuckDB target.
Otherwise it says why and builds from nothing. Either way the file is removed: it
is used once.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb

from cs_warehouse.contract import PROJECT_DIR, project_vars

HANDOFF_MARK = "__validated"
# what the staging build's result depends on besides the raw files and the vars
CODE_PATHS = ("models", "macros", "seeds", "tests/dbt", "dbt_project.yml", "profiles.yml")
STAMP_WORDS = {"raw_dir": "raw directory", "files": "set of raw files", "dbt_vars": "set of dbt vars",
               "code": "version of the project code"}


def handoff_path(warehouse: Path) -> Path:
    """Where the validation leaves its staging build for the publish of warehouse."""
    stem = warehouse.name[:-len(".duckdb")] if warehouse.name.endswith(".duckdb") else warehouse.name
    return warehouse.parent / f"{stem}{HANDOFF_MARK}.duckdb"


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _code_digest(project_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in CODE_PATHS:
        root = project_dir / name
        files = [root] if root.is_file() else sorted(path for path in root.rglob("*") if path.is_file())
        for path in files:
            digest.update(str(path.relative_to(project_dir)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def stamp(raw_dir: Path, dbt_vars: dict | None, project_dir: Path = PROJECT_DIR) -> dict:
    """What a staging build of raw_dir with dbt_vars is a build of."""
    raw_dir = Path(raw_dir).resolve()
    # a missing directory has no files: the build that follows names it
    files = {path.name: [path.stat().st_size, path.stat().st_mtime_ns]
             for path in sorted(raw_dir.iterdir()) if path.is_file() and not path.name.startswith(".")} \
        if raw_dir.is_dir() else None
    return {"raw_dir": str(raw_dir), "files": files,
            "dbt_vars": json.loads(json.dumps(project_vars(dbt_vars), default=str, sort_keys=True)),
            "code": _code_digest(Path(project_dir))}


def discard(path: Path) -> None:
    for stale in (path, Path(f"{path}.wal"), _stamp_path(path)):
        stale.unlink(missing_ok=True)


def hand_over(scratch: Path, warehouse: Path, build_stamp: dict) -> Path:
    """Move the validation's scratch build beside warehouse, stamped; returns its path."""
    target = handoff_path(warehouse)
    discard(target)
    with duckdb.connect(str(scratch)) as connection:  # fold the write-ahead log into the file
        connection.execute("checkpoint")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(scratch, target)  # a rename, or a copy when the warehouse is on another file system
    _stamp_path(target).write_text(json.dumps(build_stamp, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def take_over(warehouse: Path, build_path: Path, build_stamp: dict) -> str | None:
    """Move the handed-over staging build to build_path if its stamp equals build_stamp.

    Returns None when it was taken, else why not ("" when there was none). The
    handed-over file is gone afterwards either way."""
    source = handoff_path(warehouse)
    if not source.exists():
        discard(source)
        return ""
    reason: str | None = "its stamp cannot be read"
    with contextlib.suppress(OSError, ValueError):
        handed = json.loads(_stamp_path(source).read_text(encoding="utf-8"))
        differs = [word for key, word in STAMP_WORDS.items() if handed.get(key) != build_stamp[key]]
        reason = f"it was built with another {' and '.join(differs)}" if differs else None
    if reason is None and Path(f"{source}.wal").exists():
        reason = "it has a write-ahead log"
    if reason is None:
        os.replace(source, build_path)
    discard(source)
    return reason
