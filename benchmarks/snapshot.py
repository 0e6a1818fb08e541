"""Snapshot the public relations of a warehouse, and compare a warehouse with a snapshot.

A restructuring of the models must not change a figure. Before it:

    python -m benchmarks.snapshot save WAREHOUSE.duckdb SNAPSHOT_DIR

and after it, on a warehouse built from the same raw files:

    python -m benchmarks.snapshot compare SNAPSHOT_DIR WAREHOUSE.duckdb

The public relations are those of docs/marts.md: every `mart_*`, `fct_*` and `dim_*`,
and `raw_rejects`. Each is saved as Parquet, its rows sorted by every column so that
row order does not matter. `compare` prints one line per relation and exits 1 when a
relation is missing, has other columns or other rows. Integers, strings and dates
must be equal; doubles may differ by `--rtol` (relative, default 1e-9), the last
digits that a different order of summation changes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

PUBLIC_PREFIXES = ("mart_", "fct_", "dim_")
PUBLIC_NAMES = ("raw_rejects",)


def public_relations(connection: duckdb.DuckDBPyConnection) -> list[str]:
    names = [row[0] for row in connection.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by 1").fetchall()]
    return [name for name in names if name.startswith(PUBLIC_PREFIXES) or name in PUBLIC_NAMES]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[sorted(frame.columns)]
    # exact columns first, then doubles rounded: a double that differs in its last
    # digits between two builds must not change the order of the rows
    floats = [column for column in frame.columns if pd.api.types.is_float_dtype(frame[column])]
    exact = [column for column in frame.columns if column not in floats]
    keys = frame[exact].astype(str)
    for column in floats:
        keys[column] = frame[column].map(lambda value: f"{value:.6g}")
    order = keys.sort_values(exact + floats).index
    return frame.loc[order].reset_index(drop=True)


def read_relation(connection: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return _sorted(connection.execute(f'select * from main."{name}"').df())


def save(warehouse: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name in public_relations(connection):
            read_relation(connection, name).to_parquet(out_dir / f"{name}.parquet", index=False)
            print(f"saved {name}")


def difference(expected: pd.DataFrame, actual: pd.DataFrame, rtol: float) -> str | None:
    """None when equal, else a sentence that says how they differ."""
    if sorted(expected.columns) != sorted(actual.columns):
        return (f"columns differ: only in snapshot {sorted(set(expected) - set(actual))}, "
                f"only in warehouse {sorted(set(actual) - set(expected))}")
    if len(expected) != len(actual):
        return f"{len(expected)} rows in the snapshot, {len(actual)} in the warehouse"
    for column in expected.columns:
        left, right = expected[column], actual[column]
        if pd.api.types.is_float_dtype(left) or pd.api.types.is_float_dtype(right):
            left_values, right_values = left.astype(float).to_numpy(), right.astype(float).to_numpy()
            same = np.isclose(left_values, right_values, rtol=rtol, atol=0.0, equal_nan=True)
        else:
            same = (left.astype(str) == right.astype(str)).to_numpy()
        if not same.all():
            first = int(np.flatnonzero(~same)[0])
            return (f"column {column}: {int((~same).sum())} rows differ, first at row {first}: "
                    f"{left.iloc[first]!r} in the snapshot, {right.iloc[first]!r} in the warehouse")
    return None


def compare(snapshot_dir: Path, warehouse: Path, rtol: float) -> int:
    failures = 0
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        present = set(public_relations(connection))
        for path in sorted(snapshot_dir.glob("*.parquet")):
            name = path.stem
            if name not in present:
                print(f"MISSING {name}")
                failures += 1
                continue
            problem = difference(_sorted(pd.read_parquet(path)), read_relation(connection, name), rtol)
            print(f"{'DIFFERS' if problem else 'equal  '} {name}{': ' + problem if problem else ''}")
            failures += bool(problem)
        for name in sorted(present - {path.stem for path in snapshot_dir.glob('*.parquet')}):
            print(f"new     {name} (not in the snapshot)")
    print(f"{failures} relation(s) differ" if failures else "every relation of the snapshot is equal")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    save_parser = commands.add_parser("save", help="save the public relations of WAREHOUSE into SNAPSHOT_DIR")
    save_parser.add_argument("warehouse", type=Path)
    save_parser.add_argument("snapshot_dir", type=Path)
    compare_parser = commands.add_parser("compare", help="compare WAREHOUSE with SNAPSHOT_DIR")
    compare_parser.add_argument("snapshot_dir", type=Path)
    compare_parser.add_argument("warehouse", type=Path)
    compare_parser.add_argument("--rtol", type=float, default=1e-9)
    args = parser.parse_args(argv)
    if args.command == "save":
        save(args.warehouse, args.snapshot_dir)
        return 0
    return compare(args.snapshot_dir, args.warehouse, args.rtol)


if __name__ == "__main__":
    sys.exit(main())
