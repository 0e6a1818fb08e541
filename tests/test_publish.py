"""Write-audit-publish (cs_warehouse.publish): the published warehouse changes only
by an atomic swap to a build that passed its audit.

- A reader holding the published file during a publish keeps reading the old
  version without error; a new connection sees the new one.
- A failed build, and a failed audit, leave the published file as it was; the
  command says why and exits non-zero.
- A publish killed with SIGKILL part-way leaves the published warehouse intact
  and usable, takes its dbt process down with it, and the next publish succeeds
  and removes the leftovers.
- A read-write client never breaks a reader: the published file is read-only on
  disk, and a publish is refused (exit 3) while a process holds it read-write, so
  the client's next write cannot land in a .wal beside a file it does not belong to.

To stay fast, these builds select the staging layer only (the publish logic does
not depend on how much is built; the audit skips the marts that are not there).
The full build, with the audit of the real marts, runs in test_repeatability.py.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from bad_inputs.cases import BASE_DIR, AppendRow, Case, DuplicateRow, Reads
from conftest import open_warehouse

from cs_warehouse import publish
from cs_warehouse.dbt_runner import PROJECT_DIR

STAGING = ["--", "--select", "+raw_rejects", "+mart_raw_intake", "path:models/staging", "--indirect-selection", "cautious"]
NEW_ACCOUNT = {"account_id": "A005", "account_name": "Fifth Co", "created_at": "2024-05-01"}


def raw_variant(parent: Path, *steps) -> Path:
    """The corpus' clean base dataset, with steps applied."""
    return Case("variant", "", tuple(steps), Reads()).make(parent)


def run_publish(warehouse: Path, raw_dir: Path, *extra: str, **popen) -> subprocess.CompletedProcess | subprocess.Popen:
    command = [sys.executable, "-m", "cs_warehouse.publish", "--raw-dir", str(raw_dir), *extra, *STAGING]
    env = dict(os.environ, CS_WAREHOUSE_PATH=str(warehouse), DO_NOT_TRACK="1")
    if popen:
        return subprocess.Popen(command, cwd=PROJECT_DIR, env=env, text=True, **popen)
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, text=True, capture_output=True, timeout=600)


def query(path: Path, sql: str):
    with open_warehouse(path) as connection:
        return connection.execute(sql).fetchall()


def fingerprint(path: Path) -> tuple:
    """The published file as it is: inode, size, mtime and content hash."""
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(warehouse: Path) -> list[str]:
    return sorted(item.name for item in warehouse.parent.iterdir()
                  if publish.BUILD_MARK in item.name or item.name.endswith(".wal"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A published warehouse (base dataset, 4 accounts) in a directory of its own."""
    path = tmp_path_factory.mktemp("published") / "warehouse.duckdb"
    result = run_publish(path, BASE_DIR, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Published" in result.stdout
    assert leftovers(path) == []
    return path


READER = r"""
import sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
connection.execute("set search_path = 'main,staging,intermediate'")
print(connection.execute("select count(*) from stg_raw__accounts").fetchone()[0], flush=True)
sys.stdin.readline()  # the test publishes a new version meanwhile
# tables this connection has not read yet: their pages come from the file it opened
accounts = connection.execute("select count(*), string_agg(account_id, ',' order by account_id) "
                              "from base_raw__accounts").fetchone()
usage = connection.execute("select count(*), sum(events) from stg_raw__usage").fetchone()
print(accounts[0], accounts[1], usage[0], usage[1], flush=True)
"""


def test_a_reader_keeps_the_old_version_and_new_connections_see_the_new_one(warehouse, tmp_path):
    before_accounts = query(warehouse, "select count(*), string_agg(account_id, ',' order by account_id) "
                                       "from base_raw__accounts")[0]
    before_usage = query(warehouse, "select count(*), sum(events) from stg_raw__usage")[0]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert int(reader.stdout.readline()) == before_accounts[0]
        # the reader holds the file open: the publish must neither wait nor fail
        result = run_publish(warehouse, raw_variant(tmp_path, AppendRow("accounts.csv", NEW_ACCOUNT)), "--quiet")
        assert result.returncode == 0, result.stdout + result.stderr
        reader.stdin.write("go\n")
        reader.stdin.flush()
        second = reader.stdout.readline().split()
        assert reader.wait(timeout=60) == 0, reader.stderr.read()
    finally:
        reader.kill()
    assert second == [str(before_accounts[0]), before_accounts[1], str(before_usage[0]), str(before_usage[1])]
    # a new connection sees the new version
    after = query(warehouse, "select count(*), string_agg(account_id, ',' order by account_id) from base_raw__accounts")
    assert after == [(before_accounts[0] + 1, before_accounts[1] + ",A005")]
    assert leftovers(warehouse) == []


def test_a_failed_build_leaves_the_published_warehouse_as_it_was(warehouse, tmp_path):
    before = fingerprint(warehouse)
    result = run_publish(warehouse, raw_variant(tmp_path, DuplicateRow("accounts.csv", 1)), "--quiet")
    assert result.returncode == 1
    assert "The dbt build failed" in result.stdout
    assert "accounts.csv: 1 row(s) rejected" in result.stdout and "duplicate account_id" in result.stdout
    assert f"the published warehouse {warehouse} is unchanged" in result.stdout
    assert fingerprint(warehouse) == before
    # the failed build is kept for inspection, and it holds the rejected row
    failed = warehouse.parent / "warehouse__failed.duckdb"
    assert f"kept for inspection: {failed}" in result.stdout
    assert query(failed, "select source, reason from raw_rejects") == [("accounts", "duplicate account_id")]
    assert leftovers(warehouse) == []


def test_a_build_whose_tests_did_not_run_is_not_published(warehouse, tmp_path, monkeypatch):
    """The audit is the build's own tests (the checks on the figures are dbt tests
    declared with the marts): a build that left them out fails the audit."""
    before = fingerprint(warehouse)
    monkeypatch.setenv("CS_WAREHOUSE_PATH", str(warehouse))
    out = io.StringIO()
    code = publish.main(["--raw-dir", str(BASE_DIR), "--quiet", *STAGING, "--exclude-resource-type", "test"], out=out)
    output = out.getvalue()
    assert code == 2, output
    assert "The audit failed (1 check(s))" in output
    assert "FAILED  dbt build: the dbt tests ran" in output
    assert f"the published warehouse {warehouse} is unchanged" in output
    assert fingerprint(warehouse) == before
    assert leftovers(warehouse) == []


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def test_a_killed_publish_leaves_the_warehouse_usable_and_the_next_one_succeeds(warehouse, tmp_path):
    before = fingerprint(warehouse)
    accounts = query(warehouse, "select count(*) from stg_raw__accounts")[0][0]
    process = run_publish(warehouse, BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          start_new_session=True)
    dbt_pid = None
    try:
        for line in process.stdout:  # dbt's output, echoed as it builds
            if " START " in line:
                children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
                dbt_pid = int(children[0])
                break
        assert dbt_pid is not None, "dbt never started a node"
        os.kill(process.pid, signal.SIGKILL)  # only the publish process: dbt must die with it
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _state(dbt_pid) not in (None, "Z", "X") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _state(dbt_pid) in (None, "Z", "X"), "dbt kept running after its publish was killed"
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    # the published warehouse is untouched and usable; the interrupted build is left over
    assert fingerprint(warehouse) == before
    assert query(warehouse, "select count(*) from stg_raw__accounts") == [(accounts,)]
    stale = [name for name in leftovers(warehouse) if publish.BUILD_MARK in name]
    assert stale, "the killed build left no file (was it killed before it wrote anything?)"

    result = run_publish(warehouse, raw_variant(tmp_path, AppendRow("accounts.csv", NEW_ACCOUNT),
                                                AppendRow("accounts.csv", {**NEW_ACCOUNT, "account_id": "A006"})),
                         "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Removing a build left by an interrupted run" in result.stdout
    assert leftovers(warehouse) == []
    assert query(warehouse, "select count(*) from stg_raw__accounts") == [(6,)]


def test_the_daily_refresh_publishes_an_incremental_build_of_a_copy(tmp_path):
    """`publish --incremental` (make refresh) builds on a copy of the published file,
    so incremental models keep what they had; it audits and swaps like a publish, with
    the usage-wide tests on recent days and no unit tests."""
    warehouse = tmp_path / "published" / "warehouse.duckdb"
    base = raw_variant(tmp_path / "base")
    first = run_publish(warehouse, base, "--quiet", "--incremental")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "no published warehouse" in first.stdout.lower() and "a full build" in first.stdout
    # a table no build makes: it survives a refresh only if the refresh started from the published file
    # (the published file is read-only on disk: its owner makes it writable for this)
    os.chmod(warehouse, 0o644)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table refresh_marker as select 1 as marker")
    last_day = query(warehouse, "select max(usage_date) from stg_raw__usage")[0][0]
    usage_before = query(warehouse, "select count(*) from stg_raw__usage")[0][0]
    new_day = {"account_id": "A001", "usage_date": str(last_day + dt.timedelta(days=1)), "feature": "profile_db",
               "active_users": "2", "events": "7"}
    inode = warehouse.stat().st_ino
    # the new day moves the as-of date into July: the USD contract needs July's rate
    next_export = (AppendRow("usage.csv", new_day),
                   AppendRow("fx_rates.csv", {"currency": "USD", "month": "2024-07-01", "rate": "160.9"}))
    result = run_publish(warehouse, raw_variant(tmp_path / "next", *next_export), "--quiet", "--incremental")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Refreshing a copy of the published warehouse" in result.stdout
    assert warehouse.stat().st_ino != inode  # swapped in, not written in place
    assert query(warehouse, "select marker from refresh_marker") == [(1,)]
    assert query(warehouse, "select count(*), max(usage_date) from stg_raw__usage")[0] == (
        usage_before + 1, last_day + dt.timedelta(days=1))
    results = json.loads((warehouse.parent / "warehouse__publish.target" / "run_results.json").read_text())
    assert results["args"]["exclude_resource_types"] == ["unit_test"]
    assert leftovers(warehouse) == []
    # a plain publish builds a fresh file: the marker is gone
    full = run_publish(warehouse, raw_variant(tmp_path / "again", *next_export), "--quiet")
    assert full.returncode == 0, full.stdout + full.stderr
    assert query(warehouse, "select count(*) from information_schema.tables where table_name = 'refresh_marker'") \
        == [(0,)]


WRITER = r"""
import sys, duckdb
connection = duckdb.connect(sys.argv[1])  # read-write
print("open", flush=True)
sys.stdin.readline()  # the test publishes meanwhile
connection.execute("create table client_notes as select 'written after the publish' as note")
print("wrote", flush=True)
sys.stdin.readline()  # the test kills it here: what it wrote stays in the .wal
"""

READ_ONCE = r"""
import sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
print(connection.execute(sys.argv[2]).fetchall())
"""


def read_in_new_process(path: Path, sql: str) -> subprocess.CompletedProcess:
    """What an ordinary reader gets: a new process, a read-only connection."""
    return subprocess.run([sys.executable, "-c", READ_ONCE, str(path), sql], capture_output=True, text=True,
                          timeout=60)


def test_the_published_file_refuses_read_write_clients(warehouse):
    """The published file has no write permission: a read-write open fails (except for
    root, whom the publish check below covers), a read-only one works."""
    assert warehouse.stat().st_mode & 0o222 == 0, oct(warehouse.stat().st_mode)
    reader = read_in_new_process(warehouse, "select count(*) > 0 from staging.stg_raw__accounts")
    assert reader.returncode == 0 and reader.stdout.strip() == "[(True,)]", reader.stderr
    if os.geteuid() != 0:
        writer = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1])",
                                 str(warehouse)], capture_output=True, text=True, timeout=60)
        assert writer.returncode != 0 and "Permission denied" in writer.stderr, writer.stderr


def test_a_publish_is_refused_while_a_client_holds_the_warehouse_read_write(warehouse, tmp_path):
    """A client that opened the published file read-write anyway (as root, or after a
    chmod) and writes after a publish would create warehouse.duckdb.wal beside the new
    file; if it then died, every new connection, read-only ones included, failed with
    "WAL does not match database file" until the next publish. Now the publish is
    refused while the client holds the file, and readers read on."""
    accounts = query(warehouse, "select count(*) from stg_raw__accounts")[0][0]
    os.chmod(warehouse, 0o644)  # the client got write access
    inode = warehouse.stat().st_ino
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(warehouse)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open", writer.stderr.read()
        result = run_publish(warehouse, raw_variant(tmp_path, AppendRow("accounts.csv", NEW_ACCOUNT)), "--quiet")
        assert result.returncode == 3, result.stdout + result.stderr
        assert f"Not published: {warehouse} is open read-write by process {writer.pid}" in result.stdout, \
            result.stdout
        assert "WAL does not match database file" in result.stdout  # the why
        assert f"The published warehouse {warehouse} is unchanged." in result.stdout
        assert "Building the warehouse aside" not in result.stdout  # refused before the build
        assert warehouse.stat().st_ino == inode
        writer.stdin.write("write\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "wrote", writer.stderr.read()
    finally:
        writer.kill()  # dies without closing: its write stays in warehouse.duckdb.wal
        writer.wait(timeout=30)
    assert Path(f"{warehouse}.wal").exists()
    # the .wal belongs to the published file, so a new reader reads both, without error
    reader = read_in_new_process(warehouse, "select (select count(*) from staging.stg_raw__accounts), "
                                            "(select note from client_notes)")
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.strip() == f"[({accounts}, 'written after the publish')]"
    # with the client gone, the next publish goes ahead; the client's write is not kept
    result = run_publish(warehouse, BASE_DIR, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert warehouse.stat().st_mode & 0o222 == 0
    assert leftovers(warehouse) == []
    reader = read_in_new_process(warehouse, "select count(*) from information_schema.tables "
                                            "where table_name = 'client_notes'")
    assert reader.returncode == 0 and reader.stdout.strip() == "[(0,)]", reader.stderr


def test_the_swap_is_refused_when_a_writer_comes_between_the_check_and_the_swap(tmp_path):
    """The check before the build is repeated at the swap, under a shared lock: a
    client that opened the file read-write during the build stops the swap too."""
    published = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(published)) as connection:
        connection.execute("create table version as select 1 as version")
    build = tmp_path / "warehouse__build.duckdb"
    shutil.copyfile(published, build)
    with duckdb.connect(str(build)) as connection:
        connection.execute("update version set version = 2")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(published)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open", writer.stderr.read()
        publisher = publish.Publisher(published, raw_dir=None, dbt_vars={}, dbt_args=[], quiet=True)
        with pytest.raises(publish.WriterHoldsWarehouse, match=f"open read-write by process {writer.pid}"):
            publisher.publish(build)
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert read_in_new_process(published, "select version from version").stdout.strip() == "[(1,)]"
    # without the writer, the same swap goes through
    publisher.publish(build)
    assert read_in_new_process(published, "select version from version").stdout.strip() == "[(2,)]"
