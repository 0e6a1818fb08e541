"""The report of a staging build: what dbt did, as findings.

``validate()`` builds the staging layer on the raw files into a scratch DuckDB file
(build.py) and ``report_from_build()`` turns that build into the ValidationReport:

- STOP: each model that failed while reading or typing a file (a base model), or
  whose reject gate stopped on a file where every row is rejected, with dbt's own
  message (it names the file, the column, the problem and sample values);
- ERROR or WARN: each reason of ``raw_rejects``, decided by great-expectations
  (rejects.py), at ERROR where the source's reject gate failed the build, else WARN;
  a dbt test that failed (ERROR) or warned (WARN);
- INFO: the notes the macros log (an optional file absent or empty, columns
  ignored), and the as-of date of ``int_as_of_date``.

The files, their formats and row counts come from ``mart_raw_intake``.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

from cs_warehouse import handoff
from cs_warehouse.contract import CONTRACT_PATH, Contract, default_raw_dir, find_raw_file, load_contract, project_vars
from cs_warehouse.dbt_runner import PROJECT_DIR, InProcessBuild
from cs_warehouse.validate.build import build_staging, scratch_warehouse
from cs_warehouse.validate.findings import ERROR, INFO, OK, SAMPLE_SIZE, STOP, WARN, Finding, ValidationReport
from cs_warehouse.validate.rejects import reject_findings

SEARCH_PATH = "main,staging,intermediate"  # the schemas of the staging build's relations
# the first line of dbt's message on a failed node, and the macro call stack after it
DBT_ERROR_HEADING = re.compile(r"^\s*\w+ Error in \w+ \S+ \(.*\)\s*$")
MACRO_STACK = re.compile(r"^\s*> (in|called by) ")
# the reject gate's message when every row of a file is rejected (macro cs_reject_gate)
ALL_ROWS_REJECTED = re.compile(r": all [\d,]+ \w+ rows were rejected")


def validate(raw_dir: str | os.PathLike | None = None, *, reject_policy: str | None = None,
             dbt_vars: dict | None = None, project_dir: str | os.PathLike = PROJECT_DIR,
             hand_over_to: Path | None = None) -> ValidationReport:
    """Build the staging layer on raw_dir (default: CS_RAW_DIR, else data/demo) into a
    scratch warehouse, and report on it. reject_policy, where given, overrides the
    dbt var; project_dir builds another copy of the project (an edited contract).
    hand_over_to, a warehouse path: when the validation passes, its staging build is
    left beside that warehouse for the publish that follows (cs_warehouse.handoff)."""
    started = time.monotonic()
    raw_dir = Path(raw_dir) if raw_dir is not None else default_raw_dir()
    policy = reject_policy or project_vars(dbt_vars).get("reject_policy") or "default"
    if not raw_dir.is_dir():
        report = _missing_directory(raw_dir, policy)
    else:
        # the var only where it is given: other vars make dbt parse the project again
        build_vars = {**(dbt_vars or {}), **({"reject_policy": reject_policy} if reject_policy else {})}
        contract = load_contract(Path(project_dir) / CONTRACT_PATH.relative_to(PROJECT_DIR))
        with scratch_warehouse(project_dir) as warehouse:
            build = build_staging(raw_dir, warehouse, dbt_vars=build_vars, project_dir=project_dir)
            report = report_from_build(raw_dir, build, reject_policy=policy, contract=contract)
            if hand_over_to is not None:
                handoff.discard(handoff.handoff_path(hand_over_to))
                if report.exit_code == 0 and build.ok and warehouse.exists():
                    report.handed_over = str(handoff.hand_over(
                        warehouse, hand_over_to, handoff.stamp(raw_dir, build_vars, Path(project_dir))))
    report.seconds = time.monotonic() - started
    return report


def _missing_directory(raw_dir: Path, policy: str) -> ValidationReport:
    finding = Finding(source="raw", file=None, columns=[], rule="raw_dir", level=STOP,
                      problem=f"the raw directory {raw_dir} does not exist (set CS_RAW_DIR)")
    return ValidationReport(raw_dir=str(raw_dir), reject_policy=policy, as_of_date=None, findings=[finding],
                            files={})


def report_from_build(raw_dir: str | os.PathLike, build: InProcessBuild, *, reject_policy: str,
                      contract: Contract | None = None) -> ValidationReport:
    """The report of a finished staging build (build.py's selection) of raw_dir; the
    build's warehouse file must still be there."""
    contract = contract or load_contract()
    raw_dir = Path(raw_dir)
    failed_gates = {source_of(contract, node.name) for node in build.nodes
                    if node.name.startswith("stg_raw__") and node.status == "error"}
    findings = stop_findings(contract, raw_dir, build) + note_findings(contract, build)
    as_of_date, intake = None, {}
    if build.warehouse.exists():
        with _open(build.warehouse) as connection:
            as_of_date, intake = _read_build(connection, contract, build, failed_gates, findings)
    findings += _gates_without_rejects(raw_dir, build, findings, failed_gates)
    if as_of_date:
        findings.append(Finding(source="usage", file=None, columns=["usage_date"], rule="as_of_date", level=INFO,
                                problem=f"as-of date {as_of_date} (int_as_of_date: the var as_of_date where it is "
                                        "set, else the latest usage day)"))
    files = file_statuses(contract, raw_dir, intake, findings)
    for finding in findings:
        finding.file = finding.file or (files.get(finding.source) or {}).get("file")
        if finding.failed_rows and finding.rows_checked is None:
            finding.rows_checked = (files.get(finding.source) or {}).get("rows")
    return ValidationReport(raw_dir=str(raw_dir), reject_policy=reject_policy, as_of_date=as_of_date,
                            findings=findings, files=files)


def _read_build(connection: duckdb.DuckDBPyConnection, contract: Contract, build: InProcessBuild,
                failed_gates: set[str], findings: list[Finding]) -> tuple[str | None, dict[str, dict]]:
    """From the build's warehouse: the findings of its tests and of raw_rejects (added
    to findings), the as-of date and the rows read of each file."""
    status = {node.name: node.status for node in build.nodes}
    findings += test_findings(contract, build, connection)
    built = {source.name for source in contract if status.get(f"base_raw__{source.name}") == "success"}
    if status.get("raw_rejects") == "success":
        findings += reject_findings(connection, contract, built=built, failed_gates=failed_gates)
    as_of_date = _as_of_date(connection) if status.get("int_as_of_date") == "success" else None
    intake = _intake(connection) if status.get("mart_raw_intake") == "success" else _rows_read(connection, built)
    return as_of_date, intake


def _open(warehouse: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(warehouse), read_only=True)
    connection.execute(f"set search_path = '{SEARCH_PATH}'")
    return connection


def source_of(contract: Contract, node_name: str) -> str:
    """The raw source a dbt node is about: base_raw__usage_valid -> usage,
    raw_contract_holds_stg_raw__csms_csms -> csms; "build" where it names none."""
    for name in sorted(contract.sources, key=len, reverse=True):
        if f"raw__{name}" in node_name:
            return name
    for name in sorted(contract.sources, key=len, reverse=True):
        if name in node_name:
            return name
    return "build"


def dbt_message(text: str, raw_file: Path | None = None) -> str:
    """dbt's message on a failed node, on one line: without its heading and the macro
    call stack, and without the file's path in front (the finding names the file)."""
    lines = [line.strip() for line in text.strip().splitlines()
             if line.strip() and not DBT_ERROR_HEADING.match(line) and not MACRO_STACK.match(line)]
    message = " ".join(lines)
    if raw_file is not None and message.startswith(f"{raw_file}: "):
        message = message[len(f"{raw_file}: "):]
    return message


def stop_findings(contract: Contract, raw_dir: Path, build: InProcessBuild) -> list[Finding]:
    """A STOP for each model (or seed) that failed, but a reject gate that only failed
    the build on its rejects (the reject findings report those), and for an
    invocation that failed before running any node."""
    findings = []
    for node in build.nodes:
        if node.status != "error" or node.resource_type not in ("model", "seed"):
            continue
        if node.name.startswith("stg_raw__") and not ALL_ROWS_REJECTED.search(node.message):
            continue
        source = source_of(contract, node.name)
        raw_file = find_raw_file(raw_dir, source)
        findings.append(Finding(source=source, file=str(raw_file.path) if raw_file else None, columns=[],
                                rule=node.name, level=STOP, problem=dbt_message(node.message, raw_file and raw_file.path)))
    if build.exception and not any(node.status == "error" for node in build.nodes):
        findings.append(Finding(source="build", file=None, columns=[], rule="dbt", level=STOP,
                                problem=dbt_message(build.exception)))
    return findings


def test_findings(contract: Contract, build: InProcessBuild, connection: duckdb.DuckDBPyConnection) -> list[Finding]:
    """An ERROR for each dbt test that failed, a WARN for each that warned, with the
    first rows its query selects as samples."""
    levels = {"fail": ERROR, "error": ERROR, "warn": WARN}
    return [Finding(source=source_of(contract, node.name), file=None, columns=[], rule=node.name,
                    level=levels[node.status], problem=f"dbt test {node.name}: {dbt_message(node.message)}",
                    failed_rows=node.failures or 0, samples=_test_rows(connection, node.compiled_code))
            for node in build.nodes if node.resource_type == "test" and node.status in levels]


def _test_rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The first rows a test's query selects, as column=value text."""
    if not sql:
        return []
    try:
        cursor = connection.execute(f"select * from (\n{sql}\n) as failing_rows limit {SAMPLE_SIZE}")
    except duckdb.Error:
        return []
    names = [column[0] for column in cursor.description]
    return [", ".join(f"{name}={value}" for name, value in zip(names, row)) for row in cursor.fetchall()]


def note_findings(contract: Contract, build: InProcessBuild) -> list[Finding]:
    """An INFO for each note the macros logged (once each), and a WARN for a reject
    gate's warning that every row of an optional file is rejected."""
    findings, seen = [], set()
    for message in build.messages:
        if (message.node, message.text) in seen:
            continue
        seen.add((message.node, message.text))
        if message.event == "JinjaLogInfo":
            findings.append(Finding(source=source_of(contract, message.node), file=None, columns=[], rule="note",
                                    level=INFO, problem=_without_file(message.text)))
        elif message.event == "JinjaLogWarning" and ALL_ROWS_REJECTED.search(message.text):
            findings.append(Finding(source=source_of(contract, message.node), file=None, columns=[],
                                    rule="rows_accepted", level=WARN, problem=message.text.splitlines()[0]))
    return findings


def _without_file(note: str) -> str:
    """A note without the file's name or path in front (the finding names the file)."""
    return re.sub(r"^\S+\.(csv|parquet)(: | )", "", note)


def _gates_without_rejects(raw_dir: Path, build: InProcessBuild, findings: list[Finding],
                           failed_gates: set[str]) -> list[Finding]:
    """An ERROR for a reject gate that failed the build where raw_rejects could not be
    read (it was not built): dbt's message then says what was rejected."""
    reported = {finding.source for finding in findings if finding.level in (STOP, ERROR)}
    gates = {node.name: node for node in build.nodes}
    return [Finding(source=source, file=None, columns=[], rule=f"stg_raw__{source}", level=ERROR,
                    problem=dbt_message(gates[f"stg_raw__{source}"].message, _path(raw_dir, source)))
            for source in sorted(failed_gates - reported)]


def _path(raw_dir: Path, source: str) -> Path | None:
    raw_file = find_raw_file(raw_dir, source)
    return raw_file.path if raw_file else None


def _as_of_date(connection: duckdb.DuckDBPyConnection) -> str | None:
    value = connection.execute("select as_of_date from int_as_of_date").fetchone()[0]
    return value.isoformat() if value else None


def _rows_read(connection: duckdb.DuckDBPyConnection, built: set[str]) -> dict[str, dict]:
    """The rows read of each base model built, where mart_raw_intake was not built."""
    return {source: {"file": "", "rows": connection.execute(f"select count(*) from base_raw__{source}").fetchone()[0]}
            for source in built}


def _intake(connection: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    rows = connection.execute("select source, source_file, rows_read from mart_raw_intake").fetchall()
    return {source: {"file": source_file, "rows": int(rows_read) if source_file else None}
            for source, source_file, rows_read in rows}


def file_statuses(contract: Contract, raw_dir: Path, intake: dict[str, dict],
                  findings: list[Finding]) -> dict[str, dict]:
    """Per source: the file, its format, the rows read and what the build does with it."""
    files = {}
    for source in contract:
        raw_file = find_raw_file(raw_dir, source.name)
        read = intake.get(source.name) or {}
        rows = read.get("rows")
        if raw_file is None:
            status = "MISSING (required)" if source.required else "absent (optional)"
        elif rows is None:
            status = raw_file.name
        else:
            status = f"{rows} row(s) in {raw_file.name}"
        levels = {finding.level for finding in findings if finding.source == source.name}
        files[source.name] = {"file": str(raw_file.path) if raw_file else None,
                              "format": raw_file.format if raw_file else None, "rows": rows,
                              "status": status + _status_suffix(levels, raw_file is not None)}
    return files


def _status_suffix(levels: set[str], present: bool) -> str:
    if STOP in levels:
        return ": the build would stop"
    if ERROR in levels:
        return ": rows break rules that fail the build"
    if WARN in levels:
        return ": some rows break rules (warnings)"
    return ": OK" if present and OK in levels else ""
