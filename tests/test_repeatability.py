"""Repeatability: two builds of the same input give a warehouse with identical
contents, table by table.

The first build is the session's shared small warehouse (conftest: `dbt build`);
the second is a full write-audit-publish of the same raw directory into another
file, so this test also runs the publish audit on every real mart.

Each relation in schema main gets a checksum that does not depend on row order:
the row count and the sum of a hash of every row. DOUBLE values enter the hash
printed to 12 significant digits: a parallel sum of doubles may differ in its last
bit from one run to the next, which is not a difference a reader can see.
"""
from __future__ import annotations

import os
import subprocess
import sys

import duckdb

from cs_warehouse import handoff
from cs_warehouse.dbt_runner import PROJECT_DIR

FLOATING = ("DOUBLE", "FLOAT", "REAL")


def checksums(path, leave_out: dict[str, set[str]] | None = None) -> dict[str, tuple[int, int]]:
    """{schema.relation: (rows, order-independent hash of all rows)} for every schema the build
    writes; leave_out: {schema.relation: columns not hashed}."""
    result = {}
    with duckdb.connect(str(path), read_only=True) as connection:
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('main', 'staging', 'intermediate') order by 1, 2").fetchall()
        for schema, relation in relations:
            columns = connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position", [schema, relation]).fetchall()
            left_out = (leave_out or {}).get(f"{schema}.{relation}", set())
            values = [f"printf('%.12g', \"{name}\")" if data_type in FLOATING else f'"{name}"'
                      for name, data_type in columns if name not in left_out]
            rows, total = connection.execute(
                f"select count(*), coalesce(sum(hash({', '.join(values)})::hugeint), 0) from {schema}.\"{relation}\""
            ).fetchone()
            result[f"{schema}.{relation}"] = (int(rows), int(total))
    return result


def test_checksums_see_a_changed_value_and_not_row_order(tmp_path):
    """The checksum itself: the same rows in another order agree; one changed value does not."""
    paths = [tmp_path / f"{name}.duckdb" for name in ("a", "b", "c")]
    statements = ["create table t as select range as id, range * 0.1 as rate, 'x' || range as label from range(50)",
                  "create table t as select range as id, range * 0.1 as rate, 'x' || range as label "
                  "from range(50) order by range desc",
                  "create table t as select range as id, case when range = 7 then 0.71 else range * 0.1 end as rate, "
                  "'x' || range as label from range(50)"]
    for path, statement in zip(paths, statements):
        with duckdb.connect(str(path)) as connection:
            connection.execute(statement)
    first, reordered, changed = (checksums(path) for path in paths)
    assert first == reordered
    assert first != changed


def test_two_builds_of_the_same_input_are_identical(small_dataset, small_warehouse, tmp_path):
    second = tmp_path / "warehouse.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "cs_warehouse.publish", "--raw-dir", str(small_dataset), "--quiet"],
        cwd=PROJECT_DIR, env=dict(os.environ, CS_WAREHOUSE_PATH=str(second), DO_NOT_TRACK="1"),
        capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-3000:]
    assert "FAILED" not in result.stdout

    first_sums, second_sums = checksums(small_warehouse.path), checksums(second)
    assert sorted(first_sums) == sorted(second_sums), "the two builds have different relations"
    different = {relation: (first_sums[relation], second_sums[relation])
                 for relation in first_sums if first_sums[relation] != second_sums[relation]}
    assert not different, f"relations whose contents differ between two builds: {different}"
    marts = [relation for relation in first_sums if relation.startswith(("main.mart_", "main.fct_", "main.dim_"))]
    assert marts, "no mart was built"


def test_make_build_starts_from_the_validation_and_gives_the_same_warehouse(small_dataset, small_warehouse,
                                                                             tmp_path):
    """`make build`: the validation hands its staging build over (--hand-over) and the publish
    starts from it, so the usage file is read once; the warehouse is the same as a build
    from nothing, relation by relation, and the handed-over file is gone."""
    warehouse = tmp_path / "warehouse.duckdb"
    env = dict(os.environ, CS_WAREHOUSE_PATH=str(warehouse), DO_NOT_TRACK="1")
    validation = subprocess.run(
        [sys.executable, "-m", "cs_warehouse.validate", "--raw-dir", str(small_dataset), "--hand-over",
         "--out-dir", str(tmp_path / "reports")],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1800)
    assert validation.returncode == 0, validation.stdout[-8000:] + validation.stderr[-3000:]
    handed_over = handoff.handoff_path(warehouse)
    assert handed_over.exists() and f"left for the publish: {handed_over}" in validation.stdout
    result = subprocess.run(
        [sys.executable, "-m", "cs_warehouse.publish", "--raw-dir", str(small_dataset)],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-3000:]
    assert "starting from the validation's staging build" in result.stdout
    assert sorted(path.name for path in tmp_path.iterdir() if "validated" in path.name) == []

    # load_number counts the loads that wrote a usage row: the publish is the second (internal)
    bookkeeping = {"staging.base_raw__usage_valid": {"load_number"}}
    first_sums, second_sums = checksums(small_warehouse.path, bookkeeping), checksums(warehouse, bookkeeping)
    assert sorted(first_sums) == sorted(second_sums), "the two builds have different relations"
    different = {relation: (first_sums[relation], second_sums[relation])
                 for relation in first_sums if first_sums[relation] != second_sums[relation]}
    assert not different, f"relations that differ from a build from nothing: {different}"
