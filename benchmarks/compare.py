"""Checks that the measured runs computed the same thing.

- pandas against dbt: the pandas path's health components and MRR bridge against
  ``int_account_health_monthly`` and ``mart_revenue_monthly`` of the full build.
- incremental against full refresh (``--check-incremental``): every intermediate
  and mart relation of the warehouse updated incrementally against a warehouse
  built from scratch on the same data. The harness runs it in its own process
  (``python -m benchmarks.compare warehouses INCREMENTAL FULL`` prints the result as
  JSON), so that its memory does not count in the harness's high-water mark, which
  Linux carries into the peak RSS the kernel reports for the processes started after
  it (benchmarks/measure.py).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

HEALTH_COLUMNS = ["seats", "daily_active_users", "license_utilization", "stickiness", "breadth", "trend",
                  "window_events", "previous_window_events", "health_score"]
BRIDGE_COLUMNS = ["mrr_start", "new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr",
                  "mrr_end", "customers_end"]


def export_dbt_outputs(warehouse: Path, out_dir: Path) -> None:
    """Copy the two relations the pandas path reproduces out of a built warehouse."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(f"select account_id, month, condition, {', '.join(HEALTH_COLUMNS)} "
                           "from intermediate.int_account_health_monthly").df().to_parquet(out_dir / "health.parquet")
        connection.execute(f"select month, {', '.join(BRIDGE_COLUMNS)} "
                           "from main.mart_revenue_monthly").df().to_parquet(out_dir / "bridge.parquet")


def _max_difference(left: pd.Series, right: pd.Series) -> tuple[float, int]:
    left, right = left.astype(float), right.astype(float)
    null_mismatches = int((left.isna() != right.isna()).sum())
    difference = (left - right).abs()
    return (float(difference.max()) if difference.notna().any() else 0.0), null_mismatches


def compare_pandas_with_dbt(dbt_dir: Path, pandas_dir: Path, tolerance: float = 1e-6) -> dict:
    result: dict = {}
    dbt_health = pd.read_parquet(dbt_dir / "health.parquet")
    pandas_health = pd.read_parquet(pandas_dir / "health.parquet")
    dbt_bridge = pd.read_parquet(dbt_dir / "bridge.parquet")
    pandas_bridge = pd.read_parquet(pandas_dir / "bridge.parquet")
    for frame in (dbt_health, pandas_health, dbt_bridge, pandas_bridge):
        frame["month"] = pd.to_datetime(frame["month"])
    health = dbt_health.merge(pandas_health, on=["account_id", "month"], how="outer", suffixes=("_dbt", "_pandas"),
                              indicator=True)
    result["health_rows_dbt"] = len(dbt_health)
    result["health_rows_pandas"] = len(pandas_health)
    result["health_rows_unmatched"] = int((health["_merge"] != "both").sum())
    differences = {}
    nulls = 0
    both = health[health["_merge"] == "both"]
    for column in HEALTH_COLUMNS:
        differences[column], mismatched = _max_difference(both[column + "_dbt"], both[column + "_pandas"])
        nulls += mismatched
    result["condition_mismatches"] = int((both["condition_dbt"].fillna("") != both["condition_pandas"].fillna("")).sum())
    bridge = dbt_bridge.merge(pandas_bridge, on="month", how="outer", suffixes=("_dbt", "_pandas"), indicator=True)
    result["bridge_months_dbt"] = len(dbt_bridge)
    result["bridge_months_pandas"] = len(pandas_bridge)
    result["bridge_months_unmatched"] = int((bridge["_merge"] != "both").sum())
    bridge_both = bridge[bridge["_merge"] == "both"]
    for column in BRIDGE_COLUMNS:
        differences[column], mismatched = _max_difference(bridge_both[column + "_dbt"], bridge_both[column + "_pandas"])
        nulls += mismatched
    result["null_mismatches"] = nulls
    result["max_abs_difference"] = max(differences.values()) if differences else 0.0
    result["max_abs_difference_by_column"] = differences
    result["matches"] = bool(
        result["health_rows_unmatched"] == 0 and result["bridge_months_unmatched"] == 0 and nulls == 0
        and result["condition_mismatches"] == 0 and np.isfinite(result["max_abs_difference"])
        and result["max_abs_difference"] <= tolerance
    )
    return result


def compare_warehouses(incremental: Path, full: Path, prefixes=("int_", "fct_", "dim_", "mart_")) -> dict:
    """Every relation whose name starts with one of prefixes: equal as multisets of rows in both?"""
    connection = duckdb.connect()
    connection.execute("set enable_progress_bar = false")
    connection.execute(f"attach '{incremental}' as incremental (read_only)")
    connection.execute(f"attach '{full}' as refreshed (read_only)")
    relations = [(row[0], row[1]) for row in connection.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = 'refreshed' "
        "and table_schema in ('main', 'intermediate') order by table_name").fetchall()]
    relations = [(schema, name) for schema, name in relations if name.startswith(prefixes)]
    names = [name for _, name in relations]
    differing = {}
    for schema, name in relations:
        # doubles compared printed to 12 significant digits, as in tests/test_repeatability.py: a
        # parallel sum of doubles may differ in its last bits from one build to the next
        columns = connection.execute(
            "select column_name, data_type from information_schema.columns where table_catalog = 'refreshed' "
            "and table_schema = ? and table_name = ? order by ordinal_position", [schema, name]).fetchall()
        values = ", ".join(f"printf('%.12g', \"{column}\")" if data_type in ("DOUBLE", "FLOAT") else f'"{column}"'
                           for column, data_type in columns)
        only_incremental, only_full = connection.execute(
            f"select (select count(*) from (select {values} from incremental.{schema}.{name} except all "
            f"select {values} from refreshed.{schema}.{name})), (select count(*) from (select {values} "
            f"from refreshed.{schema}.{name} except all select {values} from incremental.{schema}.{name}))"
        ).fetchone()
        if only_incremental or only_full:
            differing[name] = {"rows_only_in_incremental": only_incremental, "rows_only_in_full_refresh": only_full}
    connection.close()
    return {"relations_compared": len(names), "relations_differing": differing, "equal": not differing}


def compare_warehouses_in_a_process(incremental: Path, full: Path) -> dict:
    """compare_warehouses in a process of its own (see the module's docstring)."""
    import subprocess

    completed = subprocess.run([sys.executable, "-m", "benchmarks.compare", "warehouses", str(incremental), str(full)],
                               cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True)
    if completed.returncode != 0:
        return {"equal": False, "error": f"the comparison failed: {completed.stderr[-2000:]}",
                "relations_compared": 0, "relations_differing": {}}
    return json.loads(completed.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "warehouses":
        sys.exit("usage: python -m benchmarks.compare warehouses INCREMENTAL.duckdb FULL.duckdb")
    print(json.dumps(compare_warehouses(Path(sys.argv[2]), Path(sys.argv[3]))))
