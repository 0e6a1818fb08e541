"""The machine and software a benchmark ran on, and the DuckDB settings of the dbt profile."""
from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import psutil

from cs_warehouse.dbt_runner import PROJECT_DIR


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"') + f" (kernel {platform.release()})"
    except OSError:
        pass
    return platform.platform()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(PROJECT_DIR), *args], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_details() -> dict:
    memory = psutil.virtual_memory()
    load = os.getloadavg()
    dirty = _git("status", "--porcelain", "--", "models", "macros", "seeds",
                 "dbt_project.yml", "profiles.yml")
    return {
        "cpu_model": _cpu_model(),
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_bytes": memory.total,
        "memory_available_bytes": memory.available,
        "os": _os_name(),
        "python": sys.version.split()[0],
        "duckdb": _version("duckdb"),
        "dbt_core": _version("dbt-core"),
        "dbt_duckdb": _version("dbt-duckdb"),
        "pandas": _version("pandas"),
        "pyarrow": _version("pyarrow"),
        "load_average": [round(value, 2) for value in load],
        "git_commit": _git("rev-parse", "--short", "HEAD").strip(),
        "git_dirty_project_files": [line[3:] for line in dirty.splitlines() if line.strip()],
    }


def profile_settings() -> dict:
    """DuckDB and dbt threads, memory limit and insertion order as profiles.yml resolves them.

    profiles.yml reads env vars with defaults (env_var('NAME', 'default')): the same
    env vars, with the defaults written there, give the same values here, so that
    the floor query runs with the settings of the build.
    """
    text = (PROJECT_DIR / "profiles.yml").read_text()

    def env_default(name: str, fallback: str) -> str:
        match = re.search(r"env_var\(\s*'" + name + r"'\s*,\s*'([^']*)'\s*\)", text)
        return os.environ.get(name, match.group(1) if match else fallback)

    order = re.search(r"preserve_insertion_order:\s*(\w+)", text)
    return {
        "duckdb_threads": env_default("CS_DUCKDB_THREADS", "2"),
        "duckdb_memory_limit": env_default("CS_DUCKDB_MEMORY_LIMIT", "6GB"),
        "dbt_threads": env_default("CS_DBT_THREADS", "2"),
        "preserve_insertion_order": order.group(1).lower() if order else "true",
    }
