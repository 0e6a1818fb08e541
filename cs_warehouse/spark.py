"""A Spark build's published relations, copied into a DuckDB file.

The reports, the semantic layer (`mf query`) and BI tools read one DuckDB file. A build
on the Spark target (docs/spark.md) writes Parquet tables in CS_SPARK_WORK_DIR instead;
`python -m cs_warehouse.publish --target spark` audits that build like a DuckDB one and
then calls :func:`export` to copy what readers use into a new DuckDB file, which it
publishes by the same atomic rename. So readers never see a failed or half-built Spark
build, and nothing downstream knows which engine built the figures.

What is copied: every model and seed of the public schema (CS_SPARK_SCHEMA, `main` in
the DuckDB file) that the build wrote, and the semantic layer's time spine (schema
`intermediate`, as in a DuckDB build). Each column gets the type its model's contract
declares, or its seed's `column_types`, so that the file has the types a DuckDB build
gives. Spark is opened in this process (pyspark, `local[1]`) on the build's warehouse
directory and Derby metastore, after dbt has exited (Derby admits one process).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

# internal relations that readers need: the semantic layer's time spine
READER_INTERNALS = ("metricflow_time_spine",)
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


def relations_to_export(target_dir: Path, public_schema: str) -> list[dict]:
    """The nodes to copy, from the build's manifest and run results: name, Spark schema,
    DuckDB schema and declared column types, for each public model or seed the build
    wrote and each reader internal."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    built = {result["unique_id"] for result in results if result["status"] == "success"}
    relations = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed") or unique_id not in built:
            continue
        if node["schema"] == public_schema:
            duckdb_schema = DUCKDB_PUBLIC_SCHEMA
        elif node["name"] in READER_INTERNALS:
            duckdb_schema = node["schema"]
        else:
            continue
        declared = {name: column.get("data_type") for name, column in node["columns"].items()}
        declared.update(node["config"].get("column_types") or {})
        relations.append({"name": node["alias"] or node["name"], "spark_schema": node["schema"],
                          "duckdb_schema": duckdb_schema,
                          "types": {name: kind for name, kind in declared.items() if kind}})
    return sorted(relations, key=lambda relation: (relation["duckdb_schema"], relation["name"]))


def export(target_dir: Path, work_dir: Path, public_schema: str, build_path: Path) -> list[tuple[str, int]]:
    """Copy the relations of :func:`relations_to_export` from Spark into a new DuckDB file
    at build_path; return (relation, rows) for each. Raises RuntimeError when a copy's row
    count differs from Spark's."""
    relations = relations_to_export(target_dir, public_schema)
    if not relations:
        raise RuntimeError(f"the build in {target_dir} wrote no public relation in schema {public_schema}")
    spark = session(work_dir, "cs_warehouse publish (export)")
    copied = []
    try:
        with duckdb.connect(str(build_path)) as connection:
            # each statement's result is fetched: DuckDB runs no statement while one is unfinished
            connection.execute("set TimeZone = 'UTC'").fetchall()
            for relation in relations:
                table = spark.table(f"`{relation['spark_schema']}`.`{relation['name']}`")
                incoming = table.toArrow()
                connection.register("incoming", incoming)
                columns = ", ".join(
                    f"cast({_quote(column)} as {relation['types'][column]}) as {_quote(column)}"
                    if column in relation["types"] else _quote(column)
                    for column in incoming.column_names)
                target = f"{_quote(relation['duckdb_schema'])}.{_quote(relation['name'])}"
                connection.execute(f"create schema if not exists {_quote(relation['duckdb_schema'])}").fetchall()
                connection.execute(f"create table {target} as select {columns} from incoming").fetchall()
                connection.unregister("incoming")
                rows = connection.execute(f"select count(*) from {target}").fetchall()[0][0]
                if rows != incoming.num_rows:
                    raise RuntimeError(f"{relation['name']}: {rows} rows copied of {incoming.num_rows}")
                copied.append((f"{relation['duckdb_schema']}.{relation['name']}", rows))
            connection.execute("checkpoint").fetchall()
    finally:
        spark.stop()
    return copied
