"""Query the semantic layer (MetricFlow, models/semantic/) from Python, read-only.

`mf query` is the command-line way (README, "Metrics: the semantic layer"). This
module answers several MetricFlow queries in one process, as pandas DataFrames:
MetricFlow writes the SQL from the semantic manifest and runs it through the dbt
profile with the warehouse opened read-only (CS_DUCKDB_ACCESS_MODE=read_only), so a
published file can be queried while others read it.

    python -m cs_warehouse.metrics --metrics mrr,nrr --group-by metric_time__month

`--manifest` is dbt's target/semantic_manifest.json (written by `dbt parse`), by
default the project's. The warehouse is CS_WAREHOUSE_PATH (default warehouse.duckdb).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd

from cs_warehouse import settings
from cs_warehouse.dbt_runner import PROJECT_DIR


def _engine(warehouse: Path, manifest: Path):
    # the dbt profile reads these when it is loaded; read_only keeps the file shareable
    os.environ["CS_WAREHOUSE_PATH"] = str(warehouse)
    os.environ["CS_DUCKDB_ACCESS_MODE"] = "read_only"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from dbt.adapters.factory import get_adapter_by_type
    from dbt_metricflow.cli.dbt_connectors.adapter_backed_client import AdapterBackedSqlClient
    from dbt_metricflow.cli.dbt_connectors.dbt_config_accessor import dbtProjectMetadata
    from metricflow.engine.metricflow_engine import MetricFlowEngine
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    if not manifest.exists():
        raise FileNotFoundError(f"{manifest}: no semantic manifest; run `dbt parse` first")
    metadata = dbtProjectMetadata.load_from_paths(profiles_path=PROJECT_DIR, project_path=PROJECT_DIR)
    adapter = get_adapter_by_type(metadata.profile.credentials.type)
    semantic_manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=manifest.read_text())
    return MetricFlowEngine(semantic_manifest_lookup=SemanticManifestLookup(semantic_manifest),
                            sql_client=AdapterBackedSqlClient(adapter))


def _request(query: dict):
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    return MetricFlowQueryRequest.create(metric_names=query["metrics"], group_by_names=query.get("group_by") or [],
                                         where_constraints=query.get("where") or None)


def query_metrics(queries: list[dict], *, warehouse: str | os.PathLike | None = None,
                  manifest: str | os.PathLike | None = None) -> list[pd.DataFrame]:
    """Answer each query ({"metrics": [...], "group_by": [...], "where": [...]}) as a DataFrame."""
    warehouse = Path(warehouse or settings.path("CS_WAREHOUSE_PATH")).resolve()
    manifest = Path(manifest or PROJECT_DIR / "target" / "semantic_manifest.json")
    engine = _engine(warehouse, manifest)
    results = []
    for query in queries:
        table = engine.query(mf_request=_request(query)).result_df
        results.append(pd.DataFrame(list(table.rows), columns=list(table.column_names)))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metrics", help="comma-separated metric names")
    parser.add_argument("--group-by", default="", help="comma-separated group-by names")
    parser.add_argument("--where", action="append", default=[], help="a MetricFlow where filter (repeatable)")
    parser.add_argument("--queries", type=Path, help="a JSON file with a list of queries, instead of --metrics")
    parser.add_argument("--out", type=Path, help="with --queries: write each result as <out>/<n>.parquet")
    parser.add_argument("--manifest", type=Path, help="semantic_manifest.json (default target/)")
    parser.add_argument("--warehouse", type=Path, help="the warehouse file (default CS_WAREHOUSE_PATH)")
    args = parser.parse_args(argv)
    if args.queries:
        queries = json.loads(args.queries.read_text())
    elif args.metrics:
        queries = [{"metrics": args.metrics.split(","), "group_by": [name for name in args.group_by.split(",") if name],
                    "where": args.where}]
    else:
        parser.error("give --metrics or --queries")
    results = query_metrics(queries, warehouse=args.warehouse, manifest=args.manifest)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for number, frame in enumerate(results):
            frame.to_parquet(args.out / f"{number}.parquet")
    else:
        with pd.option_context("display.max_rows", 200, "display.width", 200):
            for frame in results:
                print(frame.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
