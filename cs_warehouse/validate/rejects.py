"""The reject findings: the rows of ``raw_rejects``, reported through great-expectations.

The staging build decides which rows are rejected and why (``reject_reason`` of each
base model); this module only reads ``raw_rejects``. Per source, a frame of the
distinct reason parts (a reason is its parts joined by "; ") with their row counts
goes through one expectation, that no row has a reason; its unexpected values are
the findings: one per (source, reason part). The level is what the source's reject
gate did in the build: ERROR where it failed the build, else WARN. Each rule the
contract declares for the source that rejected no row is listed as OK.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from cs_warehouse.contract import Contract, Source
from cs_warehouse.validate.findings import ERROR, OK, SAMPLE_SIZE, WARN, Finding
from cs_warehouse.validate.suites import _describe, expectations

SAMPLE_ROWS = 50  # rejected rows read per reason part, to pick the sample values from

REJECT_PARTS = """
    select source, unnest(string_split(reason, '; ')) as reason, source_file, source_row_number, source_row
    from raw_rejects
"""


@dataclass(frozen=True)
class Rule:
    """A rule of the contract, the columns it reads, and its reject reason as the
    contract words it (the base models write the same words)."""

    rule: str
    columns: tuple[str, ...] = ()
    wording: str = ""

    def matches(self, reason: str) -> bool:
        if self.rule == "fx_rate_for_active_months":
            # the reason names the currency and the first month without a rate
            return reason.startswith("currency ") and " fx_rates " in reason
        return reason == self.wording


def declared_rules(source: Source) -> list[Rule]:
    """Every rule the contract declares for a source that can reject a row."""
    rules = [Rule("unique", source.unique, source.reason_unique())] if source.unique else []
    for column in source.columns:
        for rule, declared, wording in (
                ("not_null", column.not_null, column.reason_not_null),
                ("min", column.min is not None, column.reason_min),
                ("min_exclusive", column.min_exclusive is not None, column.reason_min_exclusive),
                ("max", column.max is not None, column.reason_max),
                ("accepted_values", column.accepted_values, column.reason_accepted_values),
                ("references", column.references, column.reason_references)):
            if declared:
                rules.append(Rule(rule, (column.name,), wording()))
    for row_rule in source.row_rules:
        if row_rule.rule == "range_when":
            rules.extend(Rule(row_rule.rule, row_rule.columns, row_rule.reason(value)) for value in row_rule["ranges"])
        elif row_rule.rule == "fx_rate_for_active_months":
            rules.append(Rule(row_rule.rule, ("currency",), row_rule.reason()))
        else:
            rules.append(Rule(row_rule.rule, row_rule.columns, row_rule.reason()))
    return rules


def rule_of(source: Source, reason: str) -> Rule:
    """The rule whose reason (worded as the contract words it) is this reason part."""
    return next((rule for rule in declared_rules(source) if rule.matches(reason)), Rule("reject"))


def reject_counts(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """source, reason (part), row_count, source_file: one row per reason part of a source."""
    return connection.execute(f"""
        select source, reason, count(*) as row_count, min(source_file) as source_file
        from ({REJECT_PARTS})
        group by all
        order by source, row_count desc, reason
    """).df()


def first_rejected_rows(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The first rejected rows of each (source, reason part), in file order."""
    return connection.execute(f"""
        select source, reason, source_file, source_row_number, source_row
        from ({REJECT_PARTS})
        qualify row_number() over (partition by source, reason order by source_row_number) <= {SAMPLE_ROWS}
        order by source, reason, source_row_number
    """).df()


def sample_values(rows: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """The rows' values in the rule's columns (as read from the file), most frequent
    first; a rule with no column gives file:row."""
    values = [_row_values(row, columns) for row in rows.itertuples()]
    return list(pd.Series(values, dtype=object).value_counts(sort=True).index[:SAMPLE_SIZE]) if values else []


def _row_values(row, columns: tuple[str, ...]) -> str:
    """The values of the columns in a rejected row, or file:row where they are all blank."""
    as_read = {str(key).strip().lower(): value for key, value in json.loads(row.source_row or "{}").items()}
    values = ["" if as_read.get(column) is None else str(as_read[column]).strip() for column in columns]
    if not any(values):
        return f"{Path(row.source_file).name}:{row.source_row_number}"
    return ", ".join(values)


def reject_findings(connection: duckdb.DuckDBPyConnection, contract: Contract, *, built: set[str],
                    failed_gates: set[str]) -> list[Finding]:
    """One finding per (source, reason part) of raw_rejects, and an OK finding for
    each source of `built` (its base model was built) that has no reject."""
    counts = reject_counts(connection)
    rows = first_rejected_rows(connection)
    findings = []
    for source in contract:
        if source.name not in built:
            continue
        frame = counts[counts["source"] == source.name].reset_index(drop=True)
        level = ERROR if source.name in failed_gates else WARN
        findings.extend(_source_findings(source, frame, rows[rows["source"] == source.name], level))
    return findings


def _source_findings(source: Source, frame: pd.DataFrame, rows: pd.DataFrame, level: str) -> list[Finding]:
    """great-expectations decides: every row of the frame with a reason is unexpected."""
    check = expectations().gxe.ExpectColumnValuesToBeNull(column="reason", meta={"id": "no_reject"})
    result = expectations().run(frame[["reason", "row_count"]], [check])["no_reject"]
    described = [_describe(check)]
    findings = []
    for index in result.result.get("unexpected_index_list") or []:
        reason, row_count, source_file = frame.loc[index, ["reason", "row_count", "source_file"]]
        rule = rule_of(source, reason)
        findings.append(Finding(
            source=source.name, file=source_file, columns=list(rule.columns), rule=rule.rule, problem=reason,
            level=level, failed_rows=int(row_count),
            samples=sample_values(rows[rows["reason"] == reason], rule.columns), expectations=described))
    # each declared rule that rejected no row is listed as kept
    broken = list(frame["reason"])
    for rule in declared_rules(source):
        if not any(rule.matches(reason) for reason in broken):
            findings.append(Finding(source=source.name, file=None, columns=list(rule.columns), rule=rule.rule,
                                    problem=f"no row: {rule.wording}", level=OK, expectations=described))
    if result.success and not findings:
        findings.append(Finding(source=source.name, file=None, columns=[], rule="rejects", level=OK,
                                problem="no row is rejected", expectations=described))
    return findings
