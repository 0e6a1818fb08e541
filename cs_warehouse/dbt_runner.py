"""Run dbt for this project from Python: tests, publishing and benchmarks use it.

Each call is a subprocess with its own environment (CS_RAW_DIR, CS_WAREHOUSE_PATH)
and its own target directory, so that several warehouses can be built side by side.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cs_warehouse import settings

PROJECT_DIR = Path(__file__).resolve().parents[1]


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    args: list[str],
    *,
    raw_dir: str | os.PathLike | None = None,
    warehouse: str | os.PathLike | None = None,
    target_path: str | os.PathLike | None = None,
    dbt_vars: dict | None = None,
    env: dict | None = None,
    check: bool = False,
    timeout: float | None = None,
    project_dir: str | os.PathLike | None = None,
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` in the project directory and return the finished process.

    stdout and stderr are captured as text. With check=True a non-zero exit raises
    RuntimeError carrying dbt's output. project_dir runs another copy of the project
    (the tests use one with an edited contract); the profile is always this one's.
    """
    full_env = dict(os.environ)
    full_env["DO_NOT_TRACK"] = "1"
    full_env["CS_RAW_DIR"] = str(settings.path("CS_RAW_DIR"))
    if raw_dir is not None:
        full_env["CS_RAW_DIR"] = str(Path(raw_dir).resolve())
    if warehouse is not None:
        full_env["CS_WAREHOUSE_PATH"] = str(Path(warehouse).resolve())
    if env:
        full_env.update({key: str(value) for key, value in env.items()})
    project = Path(project_dir or PROJECT_DIR)
    command = [dbt_executable(), *args, "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(project)]
    if target_path is not None:
        command += ["--target-path", str(target_path), "--log-path", str(Path(target_path) / "logs")]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    completed = subprocess.run(
        command, cwd=project, env=full_env, capture_output=True, text=True, timeout=timeout
    )
    if check and completed.returncode != 0:
        raise RuntimeError(
            f"dbt {' '.join(args)} failed with exit code {completed.returncode}:\n"
            f"{completed.stdout[-20000:]}\n{completed.stderr[-5000:]}"
        )
    return completed
