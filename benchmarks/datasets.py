"""Benchmark datasets: generated once per (accounts, seed, generator options), reused after.

A dataset lives in ``<data_dir>/N<accounts>-s<seed>/``. The generator writes into
it, and only when it has finished does the harness write the marker file
``.generated.json`` (the generator's command, its time and peak RSS, the usage
row count, a hash of the generator's source files). A directory without a marker, e.g.
from a killed generation, is wiped and generated again; a marker for other
generator options makes the harness regenerate.

The incremental benchmark needs the same data with one more day of usage. That
copy lives beside it, in ``N<accounts>-s<seed>-plus1day/``, so the dataset itself
stays as generated: every file is copied, and usage.parquet is rewritten row
group by row group with one extra row group at the end, holding the rows of the
last usage day again, dated one day later (same accounts, features, users and
events). It has its own marker.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.measure import run_measured
from cs_warehouse.dbt_runner import PROJECT_DIR

MARKER = ".generated.json"
GENERATOR_SOURCE = PROJECT_DIR / "cs_warehouse" / "generate"  # the generator package


@dataclass
class Dataset:
    path: Path
    accounts: int
    seed: int
    usage_rows: int
    marker: dict
    reused: bool

    @property
    def usage_file(self) -> Path:
        return self.path / "usage.parquet"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _source_sha256(package: Path) -> str:
    """One hash over every .py file of a package (relative path and content), so that
    a change in any module of the generator shows, and moving code between its
    modules does too."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(_sha256(path).encode() + b"\0")
    return digest.hexdigest()


def usage_row_count(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def _read_marker(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MARKER).read_text())
    except (OSError, ValueError):
        return None


def _write_marker(directory: Path, marker: dict) -> None:
    temporary = directory / (MARKER + ".tmp")
    temporary.write_text(json.dumps(marker, indent=2) + "\n")
    os.replace(temporary, directory / MARKER)


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def ensure_dataset(data_dir: Path, accounts: int, seed: int, generator_args: list[str],
                   regenerate: bool = False) -> Dataset:
    """Return the dataset for (accounts, seed, generator_args), generating it if needed."""
    directory = Path(data_dir) / f"N{accounts}-s{seed}"
    wanted = {"accounts": accounts, "seed": seed, "generator_args": list(generator_args)}
    marker = _read_marker(directory)
    if marker is not None and not regenerate:
        if {key: marker.get(key) for key in wanted} == wanted and (directory / "usage.parquet").exists():
            if marker.get("generator_sha256") != _source_sha256(GENERATOR_SOURCE):
                _log(f"reusing {directory}, although cs_warehouse/generate/ changed since it was generated "
                     "(--regenerate to generate it again)")
            else:
                _log(f"reusing {directory} ({marker['usage_rows']:,} usage rows)")
            return Dataset(directory, accounts, seed, marker["usage_rows"], marker, reused=True)
        _log(f"{directory} was generated with other options ({marker.get('generator_args')}): generating again")
    elif directory.exists():
        _log(f"{directory} has no complete generation (no {MARKER}): generating again")
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    command = [sys.executable, "-m", "cs_warehouse.generate", "--accounts", str(accounts), "--seed", str(seed),
               "--out", str(directory), *generator_args]
    _log(f"generating {accounts:,} accounts (seed {seed}) into {directory}")
    logs = Path(data_dir) / "logs"
    env = dict(os.environ, DO_NOT_TRACK="1")
    measurement = run_measured(command, cwd=PROJECT_DIR, env=env,
                               stdout_path=logs / f"generate-N{accounts}-s{seed}.out",
                               stderr_path=logs / f"generate-N{accounts}-s{seed}.err")
    if not measurement.ok:
        raise RuntimeError(f"the generator failed (exit {measurement.returncode}):\n{measurement.tail()}")
    marker = {
        **wanted,
        "command": measurement.command,
        "generator_sha256": _source_sha256(GENERATOR_SOURCE),
        "usage_rows": usage_row_count(directory / "usage.parquet"),
        "seconds": round(measurement.wall_seconds, 3),
        "peak_rss_bytes": measurement.peak_rss_bytes,
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    _write_marker(directory, marker)
    _log(f"generated {marker['usage_rows']:,} usage rows in {measurement.wall_seconds:.1f} s")
    return Dataset(directory, accounts, seed, marker["usage_rows"], marker, reused=False)


def last_usage_day(usage_file: Path) -> dt.date:
    """The latest usage_date, from the row groups' statistics (or a scan without them)."""
    parquet = pq.ParquetFile(usage_file)
    column = parquet.schema_arrow.get_field_index("usage_date")
    latest = None
    for index in range(parquet.metadata.num_row_groups):
        statistics = parquet.metadata.row_group(index).column(column).statistics
        if statistics is None or not statistics.has_min_max:
            latest = None
            break
        latest = statistics.max if latest is None else max(latest, statistics.max)
    if latest is None:
        latest = pc.max(pq.read_table(usage_file, columns=["usage_date"])["usage_date"]).as_py()
    return latest


def ensure_appended_day(dataset: Dataset, data_dir: Path) -> Dataset:
    """The copy of dataset with one more day of usage (as-of + 1), made once and reused."""
    directory = Path(data_dir) / f"{dataset.path.name}-plus1day"
    source_marker = {key: dataset.marker.get(key) for key in ("accounts", "seed", "generator_args", "generated_at")}
    marker = _read_marker(directory)
    if marker is not None and marker.get("source") == source_marker:
        _log(f"reusing {directory} (+{marker['appended_rows']:,} rows on {marker['appended_day']})")
        return Dataset(directory, dataset.accounts, dataset.seed, marker["usage_rows"], marker, reused=True)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    for item in dataset.path.iterdir():
        if item.is_file() and item.name not in ("usage.parquet", MARKER):
            shutil.copy2(item, directory / item.name)

    source = pq.ParquetFile(dataset.usage_file)
    last_day = last_usage_day(dataset.usage_file)
    new_day = last_day + dt.timedelta(days=1)
    if new_day > dt.date.today():
        _log(f"warning: the appended day {new_day} is after today: staging rejects it as a future date")
    schema = source.schema_arrow
    date_index = schema.get_field_index("usage_date")
    last_rows = []
    with pq.ParquetWriter(directory / "usage.parquet", schema, compression="zstd", use_dictionary=True) as writer:
        for index in range(source.metadata.num_row_groups):
            table = source.read_row_group(index)
            writer.write_table(table, row_group_size=max(1, table.num_rows))
            statistics = source.metadata.row_group(index).column(date_index).statistics
            if statistics is None or not statistics.has_min_max or statistics.max >= last_day:
                last_rows.append(table.filter(pc.equal(table["usage_date"], pa.scalar(last_day, pa.date32()))))
        appended = pa.concat_tables(last_rows)
        appended = appended.set_column(
            date_index, "usage_date", pa.array([new_day] * appended.num_rows, type=schema.field("usage_date").type))
        writer.write_table(appended, row_group_size=max(1, appended.num_rows))
    marker = {
        "source": source_marker,
        "appended_day": new_day.isoformat(),
        "appended_rows": appended.num_rows,
        "usage_rows": dataset.usage_rows + appended.num_rows,
        "seconds": round(time.perf_counter() - started, 3),
    }
    _write_marker(directory, marker)
    _log(f"wrote {directory}: +{appended.num_rows:,} usage rows on {new_day} in {marker['seconds']:.1f} s")
    return Dataset(directory, dataset.accounts, dataset.seed, marker["usage_rows"], marker, reused=False)


def ensure_ordered_by_account(dataset: Dataset, data_dir: Path) -> Dataset:
    """The same data with usage.parquet sorted by account (account_id, usage_date,
    feature), as many exports are, beside the dataset in ``<name>-by-account/``.
    A reader cannot skip row groups of such a file by date, so a design that reads
    usage day by day reads all of it each time. The other files are copied."""
    import duckdb

    directory = data_dir / f"{dataset.path.name}-by-account"
    source_marker = {key: dataset.marker.get(key) for key in ("accounts", "seed", "generator_args", "generated_at",
                                                                "appended_day", "source")}
    marker = _read_marker(directory)
    if marker is not None and marker.get("source") == source_marker:
        _log(f"reusing {directory} (usage ordered by account)")
        return Dataset(directory, dataset.accounts, dataset.seed, marker["usage_rows"], marker, reused=True)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    started = time.monotonic()
    for path in dataset.path.iterdir():
        if path.is_file() and path.name not in ("usage.parquet", MARKER):
            shutil.copy(path, directory / path.name)
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_parquet('{dataset.usage_file}') order by account_id, usage_date, feature) "
            f"to '{directory / 'usage.parquet'}' (format parquet)")
    marker = {**dataset.marker, "source": source_marker, "usage_order": "account",
              "usage_rows": usage_row_count(directory / "usage.parquet"), "seconds": time.monotonic() - started}
    _write_marker(directory, marker)
    _log(f"wrote {directory}: usage ordered by account in {marker['seconds']:.1f} s")
    return Dataset(directory, dataset.accounts, dataset.seed, marker["usage_rows"], marker, reused=False)
