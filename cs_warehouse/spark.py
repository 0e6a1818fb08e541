"""A Spark build's published relations, copied into a DuckDB file.

The reports, the semantic layer (`mf query`) and BI tools read one DuckDB file. A build
on the Spark target (docs/spark.md) writes tables in Spark instead;
`python -m cs_warehouse.publish --target spark` audits that build like a DuckDB one and
then calls :func:`export` to copy what readers use into a new DuckDB file, which it
publishes by the same atomic rename. So readers never see a failed or half-built Spark
build, and nothing downstream knows which engine built the figures.

The copy goes through files: the build's own on-run-end hook
(macros/utils/cs_export_for_publish.sql), asked by the publish through
CS_PUBLISH_EXPORT_DIR, has Spark write every model and seed of the public schema that
the build wrote, and the semantic layer's time spine, as Parquet into that directory,
with a listing of them and their row counts. :func:`export` reads the listing and the
files with DuckDB. It works whichever way dbt reaches Spark (a session, a Thrift server,
an HTTP endpoint), as long as the directory is storage that Spark's executors write and
this machine reads. Each column gets the type its model's contract declares, or its
seed's `column_types`, so that the file has the types a DuckDB build gives.

:func:`session` opens a local Spark session on the `spark` target's warehouse directory
and Derby metastore, for scripts that read Spark's tables directly
(benchmarks/spark_compare.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

DUCKDB_PUBLIC_SCHEMA = "main"
# Spark's logging, errors only: the same file the dbt target names (profiles.yml)
LOG4J2_CONFIG = Path(__file__).resolve().parent.parent / "scripts" / "spark-log4j2.properties"


def session(work_dir: Path, app_name: str = "cs_warehouse"):
    """A local Spark session on the dbt target's warehouse directory and metastore."""
    from pyspark.sql import SparkSession

    work_dir = Path(work_dir).resolve()
    return (
        SparkSession.builder.master("local[1]")
        .appName(app_name)
        .config("spark.sql.warehouse.dir", str(work_dir / "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={work_dir / 'metastore_db'};create=false")
        .config("spark.driver.extraJavaOptions",
                f"-Dderby.system.home={work_dir} -Dlog4j2.configurationFile={LOG4J2_CONFIG}")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .enableHiveSupport()
        .getOrCreate()
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def declared_types(target_dir: Path) -> dict[tuple[str, str], dict[str, str]]:
    """The column types that the build's models (contracts) and seeds (`column_types`)
    declare, by (schema, relation name), from the build's manifest."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    types = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        declared = {name: column.get("data_type") for name, column in node["columns"].items()}
        declared.update(node["config"].get("column_types") or {})
        types[(node["schema"], node["alias"] or node["name"])] = {name: kind for name, kind in declared.items() if kind}
    return types


def export(export_dir: Path, target_dir: Path, public_schema: str, build_path: Path) -> list[tuple[str, int]]:
    """Copy the relations that the build wrote into export_dir (listed in its `_exported`)
    into a new DuckDB file at build_path: the public schema's into `main`, the others into
    a schema of their own name. Return (relation, rows) for each. Raises RuntimeError when
    the build exported nothing or a copy's row count differs from the count Spark listed."""
    listing = sorted(export_dir.glob("_exported/*.parquet"))
    if not listing:
        raise RuntimeError(f"the build wrote no listing of exported relations in {export_dir / '_exported'}")
    types = declared_types(target_dir)
    copied = []
    with duckdb.connect(str(build_path)) as connection:
        # each statement's result is fetched: DuckDB runs no statement while one is unfinished
        connection.execute("set TimeZone = 'UTC'").fetchall()
        exported = connection.execute(
            "select relation_schema, relation_name, row_count from read_parquet(?) "
            "order by relation_schema = ? desc, relation_schema, relation_name",
            [[str(path) for path in listing], public_schema]).fetchall()
        if not exported:
            raise RuntimeError(f"the build exported no relation into {export_dir}")
        for spark_schema, name, expected_rows in exported:
            files = _quote_literal(f"{export_dir / spark_schema / name}/*.parquet")
            declared = types.get((spark_schema, name), {})
            names = [row[0] for row in connection.execute(f"describe select * from read_parquet({files})").fetchall()]
            columns = ", ".join(
                f"cast({_quote(column)} as {declared[column]}) as {_quote(column)}" if column in declared
                else _quote(column)
                for column in names)
            schema = DUCKDB_PUBLIC_SCHEMA if spark_schema == public_schema else spark_schema
            target = f"{_quote(schema)}.{_quote(name)}"
            connection.execute(f"create schema if not exists {_quote(schema)}").fetchall()
            connection.execute(f"create table {target} as select {columns} from read_parquet({files})").fetchall()
            rows = connection.execute(f"select count(*) from {target}").fetchall()[0][0]
            if rows != expected_rows:
                raise RuntimeError(f"{spark_schema}.{name}: {rows} rows copied of the {expected_rows} that Spark counted")
            copied.append((f"{schema}.{name}", rows))
        connection.execute("checkpoint").fetchall()
    return copied


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
