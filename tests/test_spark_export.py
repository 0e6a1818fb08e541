"""The copy of a Spark build's exported relations into a DuckDB file (cs_warehouse/spark.py),
without Spark: the files are laid out as the build's on-run-end hook
(macros/utils/cs_export_for_publish.sql) lays them out, with a listing of the relations
and the row counts Spark gave. tests/test_spark.py runs the whole path on a cluster."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from cs_warehouse import spark


def write_export(export_dir: Path, relations: dict[tuple[str, str], str], counts: dict[tuple[str, str], int]) -> None:
    """relations: (schema, name) -> a DuckDB query for the rows; counts: the listing."""
    with duckdb.connect() as connection:
        for (schema, name), query in relations.items():
            (export_dir / schema / name).mkdir(parents=True)
            # Spark writes part files, a _SUCCESS marker and checksum files beside them
            connection.execute(f"copy ({query}) to '{export_dir / schema / name / 'part-00000.snappy.parquet'}' "
                               "(format parquet)")
            (export_dir / schema / name / "_SUCCESS").write_text("")
            (export_dir / schema / name / ".part-00000.snappy.parquet.crc").write_bytes(b"\0")
        (export_dir / "_exported").mkdir(parents=True)
        listing = " union all ".join(f"select '{schema}' as relation_schema, '{name}' as relation_name, "
                                     f"{rows}::bigint as row_count" for (schema, name), rows in counts.items())
        connection.execute(f"copy ({listing}) to '{export_dir / '_exported' / 'part-00000.parquet'}' (format parquet)")


def write_manifest(target_dir: Path) -> None:
    target_dir.mkdir(parents=True)
    nodes = {
        "model.p.mart_a": {"resource_type": "model", "schema": "cs", "name": "mart_a", "alias": "mart_a",
                           "columns": {"month": {"data_type": "date"}, "mrr": {"data_type": "decimal(18, 2)"},
                                       "n": {"data_type": "bigint"}},
                           "config": {}},
        "seed.p.tiers": {"resource_type": "seed", "schema": "cs", "name": "tiers", "alias": "tiers", "columns": {},
                         "config": {"column_types": {"tier_rank": "integer"}}},
        "model.p.spine": {"resource_type": "model", "schema": "intermediate", "name": "spine", "alias": "spine",
                          "columns": {}, "config": {}},
    }
    (target_dir / "manifest.json").write_text(json.dumps({"nodes": nodes}))


RELATIONS = {
    ("cs", "mart_a"): "select '2024-01-01'::timestamp as month, 1.5::double as mrr, 3::integer as n "
                      "union all select '2024-02-01'::timestamp, 2.25, 4",
    ("cs", "tiers"): "select 'gold' as tier, 1::bigint as tier_rank",
    ("intermediate", "spine"): "select '2024-01-01'::date as date_day where false",
}


def test_the_export_is_copied_with_the_declared_types(tmp_path):
    write_export(tmp_path / "export", RELATIONS, {("cs", "mart_a"): 2, ("cs", "tiers"): 1, ("intermediate", "spine"): 0})
    write_manifest(tmp_path / "target")
    copied = spark.export(tmp_path / "export", tmp_path / "target", "cs", tmp_path / "out.duckdb")
    # the public schema first, as `main`; an internal relation keeps its schema, even empty
    assert copied == [("main.mart_a", 2), ("main.tiers", 1), ("intermediate.spine", 0)]
    with duckdb.connect(str(tmp_path / "out.duckdb"), read_only=True) as connection:
        types = dict(connection.execute(
            "select table_name || '.' || column_name, data_type from information_schema.columns").fetchall())
        rows = connection.execute("select * from main.mart_a order by month").fetchall()
    assert types == {"mart_a.month": "DATE", "mart_a.mrr": "DECIMAL(18,2)", "mart_a.n": "BIGINT",
                     "tiers.tier": "VARCHAR", "tiers.tier_rank": "INTEGER", "spine.date_day": "DATE"}
    assert [(str(month), str(mrr), n) for month, mrr, n in rows] == [("2024-01-01", "1.50", 3), ("2024-02-01", "2.25", 4)]


def test_a_copy_with_fewer_rows_than_spark_counted_stops(tmp_path):
    write_export(tmp_path / "export", RELATIONS, {("cs", "mart_a"): 3, ("cs", "tiers"): 1, ("intermediate", "spine"): 0})
    write_manifest(tmp_path / "target")
    with pytest.raises(RuntimeError, match=r"cs\.mart_a: 2 rows copied of the 3 that Spark counted"):
        spark.export(tmp_path / "export", tmp_path / "target", "cs", tmp_path / "out.duckdb")


def test_a_build_that_exported_nothing_stops(tmp_path):
    (tmp_path / "export").mkdir()
    write_manifest(tmp_path / "target")
    with pytest.raises(RuntimeError, match="no listing of exported relations"):
        spark.export(tmp_path / "export", tmp_path / "target", "cs", tmp_path / "out.duckdb")


def test_the_publish_empties_only_a_directory_of_its_own(tmp_path, monkeypatch):
    """The publish removes its export directory before the build and after the copy: in a
    configured CS_SPARK_EXPORT_DIR (a shared mount, say) that is a directory of its own."""
    from cs_warehouse.publish import Publisher

    def export_dir() -> Path:
        return Publisher(tmp_path / "warehouse.duckdb", raw_dir=None, dbt_vars={}, dbt_args=[],
                         target="spark").export_dir

    monkeypatch.setenv("CS_SPARK_EXPORT_DIR", str(tmp_path / "shared"))
    assert export_dir() == (tmp_path / "shared" / "warehouse__spark_export").resolve()
    monkeypatch.delenv("CS_SPARK_EXPORT_DIR")
    assert export_dir() == (tmp_path / "warehouse__publish.target" / "spark_export").resolve()
