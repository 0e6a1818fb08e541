"""The validation's staging build handed over to the publish (cs_warehouse.handoff):
taken only when it is a build of the same raw files, dbt vars and code, and used once.

The whole path (`validate --hand-over`, then a publish that starts from it and gives
the same warehouse as a build from nothing) is in test_repeatability.py.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from bad_inputs.cases import BASE_DIR

from cs_warehouse import handoff, publish


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    return Path(shutil.copytree(BASE_DIR, tmp_path / "raw"))


def handed_over(raw_dir: Path, warehouse: Path, dbt_vars: dict | None = None) -> Path:
    scratch = warehouse.parent / "scratch.duckdb"
    with duckdb.connect(str(scratch)) as connection:
        connection.execute("create table staged as select 1 as row_id")
    return handoff.hand_over(scratch, warehouse, handoff.stamp(raw_dir, dbt_vars))


def staged_rows(path: Path) -> list:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select row_id from staged").fetchall()


def test_the_same_files_vars_and_code_are_taken_over_once(raw_dir, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    source = handed_over(raw_dir, warehouse)
    assert source == tmp_path / "warehouse__validated.duckdb"
    build = tmp_path / "warehouse__build.duckdb"
    # the project defaults of the vars are part of the stamp: naming one at its default is the same build
    assert handoff.take_over(warehouse, build, handoff.stamp(raw_dir, {"reject_policy": "default"})) is None
    assert staged_rows(build) == [(1,)]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["raw", "warehouse__build.duckdb"]
    assert handoff.take_over(warehouse, tmp_path / "again.duckdb", handoff.stamp(raw_dir, None)) == ""


@pytest.mark.parametrize(("change", "why"), [
    ("touch", "another set of raw files"),
    ("rewrite", "another set of raw files"),
    ("vars", "another set of dbt vars"),
    ("code", "another version of the project code"),
    ("stamp", "its stamp cannot be read"),
])
def test_another_build_is_not_taken_over_and_is_removed(raw_dir, tmp_path, change, why):
    warehouse = tmp_path / "warehouse.duckdb"
    source = handed_over(raw_dir, warehouse)
    usage = raw_dir / "usage.csv"
    current = handoff.stamp(raw_dir, None)
    if change == "touch":  # same bytes, a later export
        os.utime(usage, ns=(usage.stat().st_atime_ns, usage.stat().st_mtime_ns + 10**9))
        current = handoff.stamp(raw_dir, None)
    elif change == "rewrite":
        usage.write_text(usage.read_text() + usage.read_text().splitlines()[-1] + "\n")
        current = handoff.stamp(raw_dir, None)
    elif change == "vars":
        current = handoff.stamp(raw_dir, {"as_of_date": "2024-06-30"})
    elif change == "code":
        current = dict(current, code="0" * 64)
    else:
        Path(f"{source}.json").write_text("{not json")
    build = tmp_path / "warehouse__build.duckdb"
    expected = why if change == "stamp" else f"it was built with {why}"
    assert handoff.take_over(warehouse, build, current) == expected
    assert not build.exists()
    assert not any("validated" in path.name for path in tmp_path.iterdir())


def test_a_missing_raw_directory_is_left_to_the_build_to_name(raw_dir, tmp_path):
    """No traceback from the stamp: the publish goes on to dbt, whose error names the directory."""
    warehouse = tmp_path / "warehouse.duckdb"
    missing = tmp_path / "no-such-exports"
    build = tmp_path / "warehouse__build.duckdb"
    assert publish.Publisher(warehouse, raw_dir=missing, dbt_vars={}, dbt_args=[]).take_over_validation(build) \
        is False
    handed_over(raw_dir, warehouse)
    assert handoff.take_over(warehouse, build, handoff.stamp(missing, None)) == \
        "it was built with another raw directory and set of raw files"
    assert not build.exists()


def test_a_publish_with_a_selection_or_on_a_refresh_does_not_take_it_over(raw_dir, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    for options in ({"dbt_args": ["--select", "stg_raw__accounts"]}, {"incremental": True}):
        handed_over(raw_dir, warehouse)
        publisher = publish.Publisher(warehouse, raw_dir=raw_dir, dbt_vars={}, **{"dbt_args": [], **options})
        assert publisher.take_over_validation(tmp_path / "warehouse__build.duckdb") is False
        assert not any("validated" in path.name or "__build" in path.name for path in tmp_path.iterdir())
