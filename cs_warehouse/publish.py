"""Write-audit-publish: build the warehouse aside, audit it, then swap it in.

    python -m cs_warehouse.publish [--raw-dir DIR] [--vars '{reject_policy: warn}'] [--quiet] [--incremental]
                                   [-- <extra dbt build arguments, e.g. --select ...>]

1. **Write.** ``dbt build`` into a fresh file beside the published one,
   ``<dir>/<stem>__build.duckdb`` (the same directory, so the final rename is
   atomic), with its own dbt target path beside it, ``<stem>__publish.target``.
   A BI reader holding the published file is never in the way, and never sees a
   half-built warehouse. (The names are fixed, not stamped, so that dbt's profile
   does not change from one publish to the next and dbt can re-use its parse of
   the project: one publish runs at a time per warehouse, under a lock.)
2. **Audit.** The build's own checks decide: every node of ``dbt build``
   succeeded and the dbt tests did run (read from ``run_results.json``). The
   checks on the published figures are dbt tests declared with the marts (their
   YAML): each rate and share in [0, 1] and each NRR-like ratio at least 0
   (``cs_values_between``), the MRR and customer bridges, survival that never
   rises with age (tests/dbt/), and the rest. A build whose tests were left out
   (``-- --exclude-resource-type test``) is not published.
3. **Publish.** Checkpoint the new file (no ``.wal`` left beside it), make it
   read-only on disk, then ``os.replace`` it over ``CS_WAREHOUSE_PATH``. On Linux
   the rename swaps the directory entry: a reader that has the old file open
   keeps reading the old version without error, and every new connection opens
   the new one.

Readers only: the published file is for read-only connections. A read-write
connection is refused where it can be and never outlived by a publish:

- the published file has no write permission, so a read-write open by anyone
  but root (or the file's owner after a chmod) fails at once;
- a publish (and a refresh, before it copies) checks that no process holds the
  published file open read-write (DuckDB's write lock on it). If one does, the
  publish is refused, naming the process, and exits 3. Swapping the file under
  such a client would let its next write create ``<file>.wal`` beside the new
  file, and every later connection, read-only ones included, would then fail
  with "WAL does not match database file". The check is made again at the swap,
  under a shared lock that keeps new writers out until the rename is done.

If the build or the audit fails, the published warehouse is not touched: the
command prints why (dbt's error lines, the failed checks) and exits non-zero
(1: the build failed, 2: the audit failed, 3: a read-write client holds the
published file). The failed build is kept for
inspection as ``<stem>__failed.duckdb`` (dbt's logs and compiled SQL stay in
``<stem>__publish.target``), replacing the previous failed one; a successful
publish removes it. A build file left by a run that was killed is removed at the
start of the next run. One publish runs at a time per warehouse path (a lock
file ``.<name>.publish.lock``); the dbt process holds the lock too and dies with
its parent, so a killed publish never leaves a build running.

``make build`` validates the raw files first, with ``--hand-over``: the validation's
staging build of the same files, vars and code is then where a full DuckDB build starts
(cs_warehouse/handoff.py), so that the usage file is read and checked once, not twice.
dbt rebuilds every table and view on it; only the incremental base models keep their
rows, as they would in a refresh with no new day.

The daily refresh, ``--incremental`` (``make refresh``), is the same write-audit-
publish, except that the build file starts as a copy of the published warehouse,
so that dbt's incremental models (the usage path) process only the new days. Without a
published warehouse it is a full build. Neither runs dbt's unit tests, which test code,
not data: a build of the whole project leaves them to ``make test`` (selectors.yml), and
the refresh excludes them even when dbt arguments select models.

Extra dbt vars: ``--vars`` or the environment variable ``CS_DBT_VARS`` (YAML).

On Spark (``--target spark``, or CS_TARGET=spark; docs/spark.md) the write is ``dbt build
--target spark`` into the Spark target's tables (``--full-refresh``, except with
``--incremental``, which adds the new days to the tables of the previous build), and the
audit is the same. Then the public relations are copied from Spark into the build file
(cs_warehouse/spark.py: the build's on-run-end hook writes them as Parquet into
``<stem>__publish.target/spark_export``, or ``<stem>__spark_export`` in
CS_SPARK_EXPORT_DIR, which DuckDB reads), which is published as above: the reports, the semantic layer and
BI tools read the DuckDB file whichever engine built it, and never a failed Spark build.
Spark's own tables are rebuilt in place: a reader of them directly can see a build under
way.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import json
import os
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from cs_warehouse import handoff, settings, spark
from cs_warehouse.contract import default_raw_dir
from cs_warehouse.dbt_runner import PROJECT_DIR, dbt_executable

BUILD_MARK = "__build"
# the daily refresh (--incremental): no unit tests (they test code, not data)
REFRESH_DBT_ARGS = ("--exclude-resource-type", "unit_test")
FAILED_MARK = "__failed"
TARGET_MARK = "__publish.target"


def warehouse_path() -> Path:
    return settings.path("CS_WAREHOUSE_PATH").resolve()


# --- the audit ------------------------------------------------------------------

@dataclass
class CheckResult:
    name: str
    relation: str
    status: str  # passed, failed, skipped
    detail: str = ""
    failed_rows: int = 0
    samples: list = field(default_factory=list)

    def line(self) -> str:
        samples = f" e.g. {self.samples}" if self.samples else ""
        return f"{self.status.upper():7} {self.relation}: {self.name}{': ' + self.detail if self.detail else ''}{samples}"


def audit_dbt_results(target_dir: Path) -> list[CheckResult]:
    """Every node of the build succeeded, and the dbt tests did run."""
    path = target_dir / "run_results.json"
    if not path.exists():
        return [CheckResult("dbt build results", "run_results.json", "failed", f"{path} was not written")]
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    # an exposure (a report, the dashboard) is a node dbt does not run: it reports no-op
    bad = [result for result in results if result["status"] not in ("success", "pass", "warn")
           and not (result["unique_id"].startswith("exposure.") and result["status"] == "no-op")]
    tests = [result for result in results if result["unique_id"].startswith("test.")]
    warned = [result["unique_id"] for result in tests if result["status"] == "warn"]
    checks = [CheckResult("every model, seed and test succeeded", "dbt build",
                          "failed" if bad else "passed",
                          "; ".join(f"{result['unique_id']}: {result['status']} {result.get('message') or ''}".strip()
                                    for result in bad[:10]) if bad else f"{len(results)} node(s)",
                          failed_rows=len(bad)),
              CheckResult("the dbt tests ran", "dbt build", "passed" if tests else "failed",
                          f"{len(tests)} test(s), {len(warned)} with warnings" if tests else "no test ran")]
    return checks


# --- build, publish ----------------------------------------------------------------

def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Let the kernel kill dbt when the publish process dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def _seconds(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _remove_database(path: Path) -> None:
    for item in (path, Path(f"{path}.wal"), Path(f"{path}.tmp")):
        _remove(item)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


class WriterHoldsWarehouse(RuntimeError):
    """A process holds the published file open read-write (DuckDB's write lock)."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path, self.holder = path, holder
        super().__init__(
            f"{path} is open read-write by {holder}. Publishing now would break every reader: that "
            f"client's next write would create {path.name}.wal beside the new file, and every new "
            "connection, read-only ones included, would fail with \"WAL does not match database file\". "
            "Close that connection (readers connect read-only; to write, copy the file and write the copy), "
            "then publish again.")


# struct flock of Linux (short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid)
_FLOCK = "hhqqi4x"


def _lock_shared(descriptor: int) -> bool:
    """Take a shared lock on the whole file without waiting: False where a process
    holds DuckDB's write lock on it. An open-file-description lock where the system
    has them (Linux): it conflicts with DuckDB's locks in this process too, and
    closing another descriptor of the file does not drop it."""
    if hasattr(fcntl, "F_OFD_SETLK"):
        try:
            fcntl.fcntl(descriptor, fcntl.F_OFD_SETLK, struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0))
        except OSError:
            return False
        return True
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _lock_holder(descriptor: int) -> str:
    """Who holds the conflicting write lock: "process <pid> (<command>)", as far as
    the system says."""
    with contextlib.suppress(OSError, AttributeError, struct.error):
        answer = fcntl.fcntl(descriptor, fcntl.F_OFD_GETLK,
                             struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0))
        lock_type, _, _, _, pid = struct.unpack(_FLOCK, answer)
        if lock_type != fcntl.F_UNLCK and pid > 0:
            command = ""
            with contextlib.suppress(OSError):
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            return f"process {pid}" + (f" ({command.strip()[:120]})" if command.strip() else "")
    return "another process"


@contextlib.contextmanager
def no_writer(path: Path):
    """While the block runs, no process holds the published file read-write and none
    can start to (DuckDB's read-write open needs the exclusive lock, which our
    shared lock keeps it from). Raises WriterHoldsWarehouse where one holds it."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield
        return
    try:
        if not _lock_shared(descriptor):
            raise WriterHoldsWarehouse(path, _lock_holder(descriptor))
        yield
    finally:
        os.close(descriptor)  # drops the lock


def dbt_error_lines(output: str, limit: int = 60) -> str:
    """dbt's own summary of what failed (from 'Completed with' to 'Done.')."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in output.splitlines()]
    start = next((i for i, line in enumerate(lines) if "Completed with" in line or "Encountered an error" in line),
                 None)
    if start is None:
        return "\n".join(lines[-limit:])
    end = next((i for i in range(start, len(lines)) if re.search(r"\bDone\. PASS=", lines[i])), len(lines))
    return "\n".join(lines[start:end][:limit])


class Publisher:
    def __init__(self, path: Path, *, raw_dir: Path | None, dbt_vars: dict, dbt_args: list[str],
                 quiet: bool = False, out=None,
                 incremental: bool = False, target: str = "duckdb") -> None:
        self.path = path
        self.target = target
        self.on_spark = target != "duckdb"
        self.incremental = incremental
        self.raw_dir = raw_dir
        self.dbt_vars = dbt_vars
        self.dbt_args = dbt_args
        self.quiet = quiet
        self.out = out or sys.stdout
        stem = path.name[:-len(".duckdb")] if path.name.endswith(".duckdb") else path.name
        self.stem = stem
        self.failed_path = path.parent / f"{stem}{FAILED_MARK}.duckdb"
        self.build_path = path.parent / f"{stem}{BUILD_MARK}.duckdb"
        self.target_dir = path.parent / f"{stem}{TARGET_MARK}"
        # where a Spark build writes the public relations for the copy into DuckDB: in a
        # configured directory, a directory of its own, so that emptying it removes nothing else
        self.export_dir = (settings.path("CS_SPARK_EXPORT_DIR") / f"{stem}__spark_export"
                           if settings.get("CS_SPARK_EXPORT_DIR") else self.target_dir / "spark_export").resolve()

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def stale_build_files(self) -> list[Path]:
        return [path for path in (self.build_path, Path(f"{self.build_path}.wal"), Path(f"{self.build_path}.tmp"))
                if path.exists()]

    def run(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.parent / f".{self.path.name}.publish.lock"
        with open(lock_path, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.say(f"Another publish of {self.path} is running; waiting for it to finish...")
                fcntl.flock(lock, fcntl.LOCK_EX)
            for stale in self.stale_build_files():
                self.say(f"Removing a build left by an interrupted run: {stale}")
                _remove(stale)
            return self._run_locked(lock)

    def refuse(self, error: WriterHoldsWarehouse) -> int:
        self.say("")
        self.say(f"Not published: {error}")
        self.say(f"The published warehouse {self.path} is unchanged.")
        return 3

    def _run_locked(self, lock) -> int:
        build_path, target_dir = self.build_path, self.target_dir
        try:
            # fail before the build, not after it (the swap checks again)
            with no_writer(self.path):
                pass
        except WriterHoldsWarehouse as error:
            return self.refuse(error)
        (target_dir / "run_results.json").unlink(missing_ok=True)  # never audit a previous run's results
        incremental = self.incremental and (self.on_spark or self.path.exists())
        if self.on_spark:
            _remove_database(build_path)
            shutil.rmtree(self.export_dir, ignore_errors=True)  # never copy a previous run's files
            self.say(f"Building the warehouse on target {self.target}"
                     f"{' (incremental)' if incremental else ' (--full-refresh)'}; it is copied into {build_path} "
                     "after the audit")
        elif incremental:
            # the published file is never written in place, so a copy of it is consistent
            # (a reader may hold it open meanwhile)
            self.say(f"Refreshing a copy of the published warehouse: {build_path}")
            started = time.perf_counter()
            shutil.copyfile(self.path, build_path)
            self.say(f"  copied {build_path.stat().st_size / 2**30:.2f} GB in {_seconds(started)}")
        else:
            if self.incremental:
                self.say(f"No published warehouse at {self.path} yet: a full build.")
            self.say(f"Building the warehouse aside: {build_path}")
        self.take_over_validation(build_path)
        started = time.perf_counter()
        returncode, output = self.build(build_path, target_dir, lock, incremental)
        build_time = _seconds(started)
        if returncode != 0:
            self.say("")
            self.say(f"The dbt build failed (exit code {returncode}); the published warehouse {self.path} "
                     "is unchanged. dbt says:")
            self.say(dbt_error_lines(output))
            self.keep_failed(build_path, target_dir)
            return 1

        self.say(f"Built in {build_time}. Auditing the new build...")
        started = time.perf_counter()
        results = audit_dbt_results(target_dir)
        if not build_path.exists() and not self.on_spark:
            results.append(CheckResult("the build wrote a warehouse", str(build_path), "failed", "no file"))
        passed = [result for result in results if result.status == "passed"]
        relations = sorted({result.relation for result in passed})
        self.say(f"  PASSED  {len(passed)} check(s) on {', '.join(relations)} (in {_seconds(started)})")
        for result in results:
            if result.status != "passed":
                self.say("  " + result.line())
        failed = [result for result in results if result.status == "failed"]
        if failed:
            self.say("")
            self.say(f"The audit failed ({len(failed)} check(s)); the published warehouse {self.path} is unchanged:")
            for result in failed:
                self.say("  " + result.line())
            self.keep_failed(build_path, target_dir)
            return 2

        if self.on_spark:
            started = time.perf_counter()
            try:
                copied = spark.export(self.export_dir, target_dir, settings.get("CS_SPARK_SCHEMA"), build_path)
            except Exception as error:  # noqa: BLE001 - any failure of the copy stops the publish
                self.say("")
                self.say(f"Copying the Spark build into {build_path} failed; the published warehouse {self.path} "
                         f"is unchanged: {error}")
                self.keep_failed(build_path, target_dir)
                return 1
            self.say(f"  copied {len(copied)} relation(s), {sum(rows for _, rows in copied):,} rows, from Spark "
                     f"into {build_path} in {_seconds(started)}")
            shutil.rmtree(self.export_dir, ignore_errors=True)

        started = time.perf_counter()
        try:
            self.publish(build_path)
        except WriterHoldsWarehouse as error:
            _remove_database(build_path)
            return self.refuse(error)
        _remove_database(self.failed_path)
        self.say(f"  checkpointed and swapped in {_seconds(started)}")
        skipped = sum(1 for result in results if result.status == "skipped")
        self.say(f"Published {self.path} ({len(passed)} audit check(s) passed, {skipped} skipped).")
        return 0

    def take_over_validation(self, build_path: Path) -> bool:
        """Start a full DuckDB build from the staging build that `make build`'s validation
        left (cs_warehouse.handoff), when it is a build of the same files, vars and code."""
        source = handoff.handoff_path(self.path)
        if self.on_spark or self.incremental or self.dbt_args or not source.exists():
            handoff.discard(source)
            return False
        raw_dir = Path(self.raw_dir) if self.raw_dir is not None else default_raw_dir()
        reason = handoff.take_over(self.path, build_path, handoff.stamp(raw_dir, self.dbt_vars))
        if reason is None:
            self.say(f"  starting from the validation's staging build ({source.name}): the incremental "
                     "usage models keep its rows")
        elif reason:
            self.say(f"  not starting from the validation's staging build: {reason}")
        return reason is None

    def build(self, build_path: Path, target_dir: Path, lock, incremental: bool = False) -> tuple[int, str]:
        env = dict(os.environ, DO_NOT_TRACK="1", CS_WAREHOUSE_PATH=str(build_path))
        # a Spark build writes what is published into this directory (cs_warehouse/spark.py)
        env.pop("CS_PUBLISH_EXPORT_DIR", None)
        if self.on_spark:
            env["CS_PUBLISH_EXPORT_DIR"] = str(self.export_dir)
        if self.raw_dir is not None:
            env["CS_RAW_DIR"] = str(Path(self.raw_dir).resolve())
        elif not env.get("CS_RAW_DIR", "").strip():
            env["CS_RAW_DIR"] = str(PROJECT_DIR / "data" / "demo")
        refresh_args: list[str] = []
        if incremental:
            refresh_args = list(REFRESH_DBT_ARGS)
        if self.on_spark:
            refresh_args += ["--target", self.target]
            refresh_args += [] if incremental else ["--full-refresh"]
        command = [dbt_executable(), "build", *refresh_args, *self.dbt_args, "--project-dir", str(PROJECT_DIR),
                   "--profiles-dir", str(PROJECT_DIR), "--target-path", str(target_dir),
                   "--log-path", str(target_dir / "logs")]
        if self.dbt_vars:
            command += ["--vars", json.dumps(self.dbt_vars, default=str)]
        lines: list[str] = []
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, bufsize=1,
                                   preexec_fn=_die_with_parent, pass_fds=(lock.fileno(),))
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if not self.quiet:
                self.out.write(line)
                self.out.flush()
        return process.wait(), "".join(lines)

    def keep_failed(self, build_path: Path, target_dir: Path) -> None:
        _remove_database(self.failed_path)
        if build_path.exists():
            wal = Path(f"{build_path}.wal")
            if wal.exists():  # a build that stopped part-way: fold in what it wrote
                with contextlib.suppress(duckdb.Error), duckdb.connect(str(build_path)) as connection:
                    connection.execute("checkpoint")
            os.replace(build_path, self.failed_path)
            _remove(wal)
            self.say(f"The failed build is kept for inspection: {self.failed_path}")
        self.say(f"dbt's logs and compiled SQL: {target_dir}")

    def publish(self, build_path: Path) -> None:
        # fold the write-ahead log into the file, so that the file alone is the warehouse
        with duckdb.connect(str(build_path)) as connection:
            connection.execute("checkpoint")
        wal = Path(f"{build_path}.wal")
        if wal.exists():
            raise RuntimeError(f"{wal} is still there after a checkpoint: not publishing")
        with open(build_path, "rb") as handle:
            os.fsync(handle.fileno())
        # readers only: a read-write open of the published file fails (except as root)
        os.chmod(build_path, stat.S_IMODE(build_path.stat().st_mode) & ~0o222)
        with no_writer(self.path):
            # no process holds the published file read-write, so a .wal beside it can
            # only be left by a writer that crashed: DuckDB would try to replay it into
            # the new file, so it goes
            Path(f"{self.path}.wal").unlink(missing_ok=True)
            os.replace(build_path, self.path)
        _fsync_dir(self.path.parent)


def env_dbt_vars() -> dict:
    text = settings.get("CS_DBT_VARS")
    return dict(yaml.safe_load(text) or {}) if text else {}


def main(argv: list[str] | None = None, *, out=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    dbt_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, dbt_args = argv[:split], argv[split + 1:]
    parser = argparse.ArgumentParser(prog="python -m cs_warehouse.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", help="the raw files (default: CS_RAW_DIR, else data/demo)")
    parser.add_argument("--vars", help="dbt vars as YAML (also CS_DBT_VARS)")
    parser.add_argument("--quiet", action="store_true", help="do not echo dbt's output while it builds")
    parser.add_argument("--target", default=settings.get("CS_TARGET"),
                        help="the dbt target: duckdb, or spark (also CS_TARGET; default duckdb)")
    parser.add_argument("--incremental", action="store_true",
                        help="the daily refresh: build on a copy of the published warehouse (incremental models "
                             "process only new data), usage-wide tests on recent days, no unit tests")
    args = parser.parse_args(argv)
    dbt_vars = env_dbt_vars()
    dbt_vars.update(yaml.safe_load(args.vars) or {} if args.vars else {})
    publisher = Publisher(warehouse_path(), raw_dir=Path(args.raw_dir) if args.raw_dir else None, dbt_vars=dbt_vars,
                          dbt_args=dbt_args, quiet=args.quiet, out=out,
                          incremental=args.incremental, target=args.target)
    return publisher.run()


if __name__ == "__main__":
    sys.exit(main())
