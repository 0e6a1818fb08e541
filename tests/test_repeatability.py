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

from cs_warehouse.dbt_runner import PROJECT_DIR

FLOATING = ("DOUBLE", "FLOAT", "REAL")


def checksums(path) -> dict[str, tuple[int, int]]:
    """{schema.relation: (rows, order-independent hash of all rows)} for every schema the build writes."""
    result = {}
    with duckdb.connect(str(path), read_only=True) as connection:
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('main', 'staging', 'intermediate') order by 1, 2").fetchall()
        for schema, relation in relations:
            columns = connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position", [schema, relation]).fetchall()
            values = [f"printf('%.12g', \"{name}\")" if data_type in FLOATING else f'"{name}"'
                      for name, data_type in columns]
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
