"""Shared pytest fixtures: generated datasets and warehouses built from them.

dbt costs seconds per invocation, so warehouses are built once per session and
shared: use `warehouse_for(dataset)` (cached by dataset and vars) rather than
running dbt in each test.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cs_warehouse.dbt_runner import PROJECT_DIR, run_dbt

DEMO_DIR = PROJECT_DIR / "data" / "demo"
# the public relations are in schema main, the internal ones in staging and intermediate:
# the tests read all three by bare name
SEARCH_PATH = "main,staging,intermediate"
os.environ.setdefault("DO_NOT_TRACK", "1")


@dataclass
class Warehouse:
    """A built warehouse file, and dbt's output for it."""

    path: Path
    raw_dir: Path
    process: subprocess.CompletedProcess

    @property
    def ok(self) -> bool:
        return self.process.returncode == 0

    @property
    def output(self) -> str:
        return self.process.stdout + self.process.stderr

    def query(self, sql: str, params=None) -> pd.DataFrame:
        with open_warehouse(self.path) as connection:
            return connection.execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        return self.query(f"select * from main.{name}")


def open_warehouse(path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to a built warehouse that reads every schema by bare name."""
    connection = duckdb.connect(str(path), read_only=read_only)
    connection.execute(f"set search_path = '{SEARCH_PATH}'")
    return connection


def generate_dataset(out_dir: Path, *, seed: int, accounts: int, extra_args: list[str] | None = None) -> Path:
    """Run the generator CLI into out_dir and return it."""
    command = [sys.executable, "-m", "cs_warehouse.generate", "--accounts", str(accounts), "--seed", str(seed),
               "--out", str(out_dir), *(extra_args or [])]
    subprocess.run(command, cwd=PROJECT_DIR, check=True, capture_output=True, text=True)
    return out_dir


def build_warehouse(raw_dir: Path, work_dir: Path, *, dbt_vars: dict | None = None,
                    args: list[str] | None = None, check: bool = True) -> Warehouse:
    """`dbt build` from raw_dir into work_dir/warehouse.duckdb."""
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / "warehouse.duckdb"
    process = run_dbt(args or ["build"], raw_dir=raw_dir, warehouse=path, target_path=work_dir / "target",
                      dbt_vars=dbt_vars)
    warehouse = Warehouse(path=path, raw_dir=Path(raw_dir), process=process)
    if check and not warehouse.ok:
        raise AssertionError(f"dbt build failed for {raw_dir}:\n{warehouse.output[-15000:]}")
    return warehouse


@pytest.fixture(scope="session")
def dataset(tmp_path_factory):
    """dataset(seed, accounts, *extra_args) -> raw directory, generated once per session."""
    cache: dict = {}

    def make(seed: int, accounts: int, *extra_args: str) -> Path:
        key = (seed, accounts, extra_args)
        if key not in cache:
            out_dir = tmp_path_factory.mktemp(f"raw_s{seed}_n{accounts}")
            cache[key] = generate_dataset(out_dir, seed=seed, accounts=accounts, extra_args=list(extra_args))
        return cache[key]

    return make


@pytest.fixture(scope="session")
def warehouse_for(tmp_path_factory):
    """warehouse_for(raw_dir, dbt_vars=None) -> Warehouse, built once per session."""
    cache: dict = {}

    def build(raw_dir: Path, dbt_vars: dict | None = None) -> Warehouse:
        key = (str(raw_dir), repr(sorted((dbt_vars or {}).items())))
        if key not in cache:
            cache[key] = build_warehouse(Path(raw_dir), tmp_path_factory.mktemp("warehouse"), dbt_vars=dbt_vars)
        return cache[key]

    return build


@pytest.fixture(scope="session")
def demo_warehouse(warehouse_for) -> Warehouse:
    """The warehouse built from the bundled demo dataset."""
    return warehouse_for(DEMO_DIR)


@pytest.fixture(scope="session")
def small_dataset(dataset) -> Path:
    """A generated dataset small enough to check quickly (seed 7, 150 accounts)."""
    return dataset(7, 150)


@pytest.fixture(scope="session")
def small_warehouse(warehouse_for, small_dataset) -> Warehouse:
    return warehouse_for(small_dataset)


@pytest.fixture(scope="session")
def demo_compiled(demo_warehouse, tmp_path_factory) -> Path:
    """A dbt target directory for the demo warehouse, from one `dbt compile` of the
    analyses: it holds the compiled analyses and the semantic manifest (MetricFlow)."""
    target = tmp_path_factory.mktemp("demo_compiled")
    process = run_dbt(["compile", "--select", "resource_type:analysis"], raw_dir=DEMO_DIR,
                      warehouse=demo_warehouse.path, target_path=target, timeout=300)
    if process.returncode != 0:
        raise AssertionError(f"dbt compile failed:\n{process.stdout[-5000:]}\n{process.stderr[-2000:]}")
    return target


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session: playwright's sync API allows one
    running instance per process, so the report and the Superset tests share it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()
