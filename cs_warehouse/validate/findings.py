"""What the validation finds: the levels, a Finding per rule and file, the report.

The level says what the staging build did (docs/data-contract.md, "Bad input"):
stop, fail on rejects (error), reject and warn, or only inform; the exit status
and the summary say it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

SAMPLE_SIZE = 5  # sample values kept per finding

# what a failed rule means for the build
STOP, ERROR, WARN, INFO, OK = "stop", "error", "warn", "info", "ok"
LEVEL_ORDER = {STOP: 0, ERROR: 1, WARN: 2, INFO: 3, OK: 4}


@dataclass
class Finding:
    """One rule checked on one raw file."""

    source: str
    file: str | None
    columns: list[str]
    rule: str  # a short name: the contract rule (not_null, unique, ...) or the dbt node
    problem: str  # what breaks the rule: the reject reason in raw_rejects, or dbt's message
    level: str  # ok, info, warn, error (rejects that fail the build), stop (the build stops)
    failed_rows: int = 0
    rows_checked: int | None = None
    samples: list[str] = field(default_factory=list)
    expectations: list[dict] = field(default_factory=list)  # the GX expectations that decided it

    @property
    def failed(self) -> bool:
        return self.level in (STOP, ERROR, WARN)

    def line(self) -> str:
        where = self.file or f"{self.source} (no file)"
        columns = f" column {', '.join(self.columns)}:" if self.columns else ":"
        count = f" {self.failed_rows} row(s):" if self.failed_rows else ""
        samples = f" e.g. {', '.join(repr(sample) for sample in self.samples)}" if self.samples else ""
        return f"{self.level.upper():5} {where}{columns}{count} {self.problem}{samples}"


@dataclass
class ValidationReport:
    raw_dir: str
    reject_policy: str
    as_of_date: str | None
    findings: list[Finding]
    files: dict[str, dict]
    seconds: float = 0.0
    handed_over: str | None = None  # the staging build left for the publish (cs_warehouse.handoff)

    @property
    def exit_code(self) -> int:
        return 1 if any(finding.level in (STOP, ERROR) for finding in self.findings) else 0

    def counts(self) -> dict[str, int]:
        return {level: sum(1 for finding in self.findings if finding.level == level)
                for level in (STOP, ERROR, WARN, INFO, OK)}

    def failures(self) -> list[Finding]:
        return sorted((finding for finding in self.findings if finding.failed),
                      key=lambda finding: LEVEL_ORDER[finding.level])

    def summary(self) -> str:
        counts = self.counts()
        lines = [f"Validated the raw files in {self.raw_dir} against the data contract "
                 f"(reject_policy={self.reject_policy}) in {self.seconds:.1f} s."]
        for source, info in self.files.items():
            lines.append(f"  {source:16} {info['status']}")
        failures = self.failures()
        if failures:
            lines.append("")
            lines.append("Failed rules:")
            lines.extend("  " + finding.line() for finding in failures)
        for finding in self.findings:
            if finding.level == INFO:
                lines.append("  " + finding.line())
        lines.append("")
        if counts[STOP]:
            verdict = ("the dbt build would STOP: fix the files above (a missing file or column, unreadable values, "
                       "or a file whose every row is rejected).")
        elif counts[ERROR]:
            verdict = ("the dbt build would FAIL: rejected rows in a source whose rejects fail the build "
                       "(fix the rows, or build with --vars '{reject_policy: warn}').")
        elif counts[WARN]:
            verdict = "the dbt build would pass; the rows that break a rule are rejected and kept in raw_rejects."
        else:
            verdict = "every file keeps the contract."
        lines.append(f"{counts[OK]} rule(s) passed, {counts[WARN]} warning(s), {counts[ERROR]} error(s), "
                     f"{counts[STOP]} stop(s): {verdict}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "raw_dir": self.raw_dir,
            "validated_at": dt.datetime.now().isoformat(timespec="seconds"),
            "reject_policy": self.reject_policy,
            "as_of_date": self.as_of_date,
            "exit_code": self.exit_code,
            "counts": self.counts(),
            "seconds": round(self.seconds, 2),
            "files": self.files,
            "results": [asdict(finding) for finding in self.findings],
        }
