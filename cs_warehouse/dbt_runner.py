"""Run dbt for this project from Python: tests, publishing, the validation and
benchmarks use it.

``run_dbt()`` runs a subprocess with its own environment (CS_RAW_DIR,
CS_WAREHOUSE_PATH) and its own target directory, so that several warehouses can be
built side by side. ``InProcessDbt`` runs dbt in this process, one invocation
after another, collecting dbt's messages and each node's result: the validation
and the bad-input corpus use it.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cs_warehouse import settings

PROJECT_DIR = Path(__file__).resolve().parents[1]


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    args: list[str],
    *,
    raw_dir: str | os.PathLike | None = None,
    warehouse: str | os.PathLike | None = None,
    target_path: str | os.PathLike | None = None,
    dbt_vars: dict | None = None,
    env: dict | None = None,
    check: bool = False,
    timeout: float | None = None,
    project_dir: str | os.PathLike | None = None,
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` in the project directory and return the finished process.

    stdout and stderr are captured as text. With check=True a non-zero exit raises
    RuntimeError carrying dbt's output. project_dir runs another copy of the project
    (the tests use one with an edited contract); the profile is always this one's.
    """
    full_env = dict(os.environ)
    full_env["DO_NOT_TRACK"] = "1"
    full_env["CS_RAW_DIR"] = str(settings.path("CS_RAW_DIR"))
    if raw_dir is not None:
        full_env["CS_RAW_DIR"] = str(Path(raw_dir).resolve())
    if warehouse is not None:
        full_env["CS_WAREHOUSE_PATH"] = str(Path(warehouse).resolve())
    if env:
        full_env.update({key: str(value) for key, value in env.items()})
    project = Path(project_dir or PROJECT_DIR)
    command = [dbt_executable(), *args, "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(project)]
    if target_path is not None:
        command += ["--target-path", str(target_path), "--log-path", str(Path(target_path) / "logs")]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    completed = subprocess.run(
        command, cwd=project, env=full_env, capture_output=True, text=True, timeout=timeout
    )
    if check and completed.returncode != 0:
        raise RuntimeError(
            f"dbt {' '.join(args)} failed with exit code {completed.returncode}:\n"
            f"{completed.stdout[-20000:]}\n{completed.stderr[-5000:]}"
        )
    return completed


@dataclass
class DbtMessage:
    """One message dbt logged: its event name (JinjaLogInfo for a macro's log(),
    JinjaLogWarning for exceptions.warn), level, text and the node it came from."""

    event: str
    level: str
    text: str
    node: str = ""


@dataclass
class NodeResult:
    """What dbt did with one node: success, error, warn, pass, fail or skipped."""

    name: str
    resource_type: str
    status: str
    message: str = ""
    compiled_code: str = ""  # the SQL dbt ran (a test's query selects its failing rows)
    failures: int | None = None  # a test's failing rows


@dataclass
class InProcessBuild:
    """A finished in-process dbt invocation."""

    ok: bool
    warehouse: Path
    messages: list[DbtMessage] = field(default_factory=list)
    nodes: list[NodeResult] = field(default_factory=list)
    exception: str | None = None

    @property
    def output(self) -> str:
        """Every message dbt logged (and the exception that ended it, if any)."""
        return "\n".join([message.text for message in self.messages] + ([self.exception] if self.exception else []))

    @property
    def errors(self) -> str:
        """The error messages only."""
        texts = [message.text for message in self.messages if message.level == "error"]
        return "\n".join(texts + ([self.exception] if self.exception else []))


class InProcessDbt:
    """dbt in this process (dbtRunner), one invocation after another.

    It keeps one target path, so that dbt parses the project once and then only
    what changed (partial parsing, ~2 s an invocation instead of ~6 s for a
    subprocess). Each invocation sets CS_RAW_DIR and CS_WAREHOUSE_PATH for its
    duration and restores them after; dbt-duckdb keeps its DuckDB instance open
    between invocations in one process, so it is closed after each one, which
    leaves the warehouse file free to open. Nothing is printed: the messages go to
    the callback (``InProcessBuild.messages``) and to logs/dbt.log in the target path.
    Partial parsing needs the same profile each time, and the profile holds the
    warehouse path: build into the same file each time to keep it.
    """

    def __init__(self, target_path: str | os.PathLike, *, project_dir: str | os.PathLike = PROJECT_DIR,
                 profiles_dir: str | os.PathLike = PROJECT_DIR) -> None:
        from dbt.cli.main import dbtRunner

        self.target_path = Path(target_path)
        self.project_dir = Path(project_dir)
        self.profiles_dir = Path(profiles_dir)
        self._messages: list[DbtMessage] = []
        self.runner = dbtRunner(callbacks=[self._collect])

    def _collect(self, event) -> None:
        node_info = getattr(event.data, "node_info", None)
        self._messages.append(DbtMessage(event=event.info.name, level=event.info.level, text=event.info.msg,
                                         node=getattr(node_info, "node_name", "") or ""))

    def build(self, args: list[str], *, raw_dir: str | os.PathLike, warehouse: str | os.PathLike,
              dbt_vars: dict | None = None, profiles_dir: str | os.PathLike | None = None) -> InProcessBuild:
        """`dbt <args>` on raw_dir into the warehouse file (any file of a previous build is removed)."""
        warehouse = Path(warehouse).resolve()
        for leftover in (warehouse, Path(f"{warehouse}.wal")):
            leftover.unlink(missing_ok=True)
        command = [*args, "--project-dir", str(self.project_dir),
                   "--profiles-dir", str(profiles_dir or self.profiles_dir),
                   "--target-path", str(self.target_path), "--log-path", str(self.target_path / "logs"),
                   "--log-level", "none", "--log-level-file", "info",
                   *(["--vars", json.dumps(dbt_vars, default=str)] if dbt_vars else [])]
        environment = {"CS_RAW_DIR": str(Path(raw_dir).resolve()), "CS_WAREHOUSE_PATH": str(warehouse),
                       "DO_NOT_TRACK": "1"}
        self._messages = []
        with _environment(environment):
            try:
                result = self.runner.invoke(command)
            finally:
                _close_duckdb()
        return InProcessBuild(ok=bool(result.success), warehouse=warehouse, messages=self._messages,
                              nodes=_node_results(result.result),
                              exception=str(result.exception) if result.exception is not None else None)


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """The environment variables set for the block, and restored after it."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _node_results(result) -> list[NodeResult]:
    """The nodes of a run's results (none where dbt stopped before running any)."""
    return [NodeResult(name=item.node.name, resource_type=str(item.node.resource_type), status=str(item.status),
                       message=item.message or "", compiled_code=getattr(item.node, "compiled_code", None) or "",
                       failures=item.failures)
            for item in getattr(result, "results", None) or []]


def _close_duckdb() -> None:
    """Close the DuckDB instance that dbt-duckdb keeps open between invocations."""
    import duckdb
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is None:
            return
        # a query of another thread may still be running: interrupt it, and close
        # once it has returned
        deadline = time.monotonic() + 120
        while True:
            try:
                environment.close()
                break
            except duckdb.ResourceInUseException:
                if time.monotonic() > deadline:
                    raise
                if environment.conn is not None:
                    environment.conn.interrupt()
                time.sleep(0.1)
        DuckDBConnectionManager._ENV = None
