"""The raw data contract, as Python reads it.

The contract is declared once, machine-readable, in
``models/staging/raw/_raw__sources.yml`` (see its header comment), and implemented
once, by the dbt base models (macros/raw/*.sql): they read the files, check the
encoding, type the values and apply the reject rules. This module only reads the
declaration, for the tests and for ``cs_warehouse.validate``, which names the rule
that a reason of ``raw_rejects`` comes from with the wording of each rule's reject
reason here (it matches the base models and the macro ``cs_row_reason`` word for
word).

    from cs_warehouse.contract import load_contract, find_raw_file
    contract = load_contract()
    contracts = contract.sources["contracts"]
    contracts.column("mrr").min            # 0
    find_raw_file("data/demo", "usage")    # RawFile(path=..., format="parquet")
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cs_warehouse import settings

PROJECT_DIR = Path(__file__).resolve().parents[1]
CONTRACT_PATH = PROJECT_DIR / "models" / "staging" / "raw" / "_raw__sources.yml"
DBT_PROJECT_PATH = PROJECT_DIR / "dbt_project.yml"
SEEDS_DIR = PROJECT_DIR / "seeds"
RAW_SOURCE = "raw"
FORMATS = ("parquet", "csv")  # the order of preference: Parquet wins over CSV


def type_kind(data_type: str) -> str:
    """The kind of a contract data_type: text, date, integer, decimal or boolean
    (the same mapping as the macro cs_type_kind)."""
    name = data_type.lower()
    if name == "varchar":
        return "text"
    if name == "date":
        return "date"
    if name in ("bigint", "integer"):
        return "integer"
    if name.startswith("decimal") or name == "double":
        return "decimal"
    if name == "boolean":
        return "boolean"
    raise ValueError(f"The raw contract uses an unsupported data_type: {data_type}")


def number_text(value: Any) -> str:
    """A bound as the dbt macros print it (Jinja's `~`): 0, 1, 0.5."""
    return str(value)


@dataclass(frozen=True)
class Format:
    """How raw text reads as one kind of value (meta.formats of the source `raw`)."""

    kind: str
    label: str
    pattern: str | None = None
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limit:
    """The range a numeric data_type holds (meta.limits of the source `raw`)."""

    data_type: str
    min: str
    max: str

    @property
    def label(self) -> str:
        """As the build's message words it: decimal(18,4) (-99999999999999.9999 to 99999999999999.9999)."""
        return f"{self.data_type} ({self.min} to {self.max})"


@dataclass(frozen=True)
class Reference:
    """A column's values must exist in another source's column, or in a seed's."""

    kind: str  # "source" or "seed"
    name: str
    column: str

    @property
    def label(self) -> str:
        return f"{self.name}.{self.column}"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str = ""
    required: bool = False
    not_null: bool = False
    min: float | int | None = None
    min_exclusive: float | int | None = None
    max: float | int | None = None
    accepted_values: tuple[str, ...] | None = None
    references: Reference | None = None
    default: Any = None

    @property
    def kind(self) -> str:
        return type_kind(self.data_type)

    # the reject reasons, worded as macros/raw/cs_row_rules.sql words them
    def reason_not_null(self) -> str:
        return f"{self.name} is null"

    def reason_min(self) -> str:
        return f"{self.name} below {number_text(self.min)}"

    def reason_min_exclusive(self) -> str:
        return f"{self.name} not above {number_text(self.min_exclusive)}"

    def reason_max(self) -> str:
        return f"{self.name} above {number_text(self.max)}"

    def reason_accepted_values(self) -> str:
        return f"{self.name} not one of {', '.join(self.accepted_values or ())}"

    def reason_references(self) -> str:
        return f"{self.name} not in {self.references.label}"


@dataclass(frozen=True)
class RowRule:
    """A rule across columns (table meta row_rules; see macros/raw/cs_row_rules.sql)."""

    rule: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def columns(self) -> tuple[str, ...]:
        """The contract columns the rule reads."""
        if self.rule == "not_before":
            return (self["column"], self["other"])
        if self.rule == "range_when":
            return (self["column"], self["when_column"])
        if self.rule in ("first_of_month", "not_in_future"):
            return (self["column"],)
        if self.rule == "no_overlap":
            return (self["partition"], self["from"], self["to"])
        if self.rule == "fx_rate_for_active_months":
            return ("currency", "start_date", "end_date")
        raise ValueError(f"Unknown row rule {self.rule}")

    def reason(self, when_value: str | None = None) -> str:
        """The reject reason (for range_when: of one `when` value)."""
        if self.rule == "not_before":
            return f"{self['column']} before {self['other']}"
        if self.rule == "range_when":
            low, high = self["ranges"][when_value]
            return (f"{self['column']} outside {number_text(low)}-{number_text(high)} "
                    f"for {when_value}")
        if self.rule == "first_of_month":
            return f"{self['column']} not the first day of a month"
        if self.rule == "not_in_future":
            return f"{self['column']} after the build day"
        if self.rule == "no_overlap":
            return f"{self['from']}-{self['to']} overlaps another row of the same {self['partition']}"
        if self.rule == "fx_rate_for_active_months":
            return "currency has no fx_rates rate for a month the line is active"
        raise ValueError(f"Unknown row rule {self.rule}")


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    required: bool
    unique: tuple[str, ...]
    reject_severity: str
    row_rules: tuple[RowRule, ...]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def reason_unique(self) -> str:
        return f"duplicate {', '.join(self.unique)}"


@dataclass(frozen=True)
class Contract:
    sources: dict[str, Source]
    formats: dict[str, Format]
    path: Path
    limits: dict[str, Limit] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.sources.values())

    @property
    def required_sources(self) -> list[str]:
        return [source.name for source in self if source.required]


def _column(entry: dict) -> Column:
    meta = entry.get("meta") or {}
    reference = meta.get("references")
    return Column(
        name=entry["name"],
        data_type=entry["data_type"],
        description=entry.get("description", ""),
        required=bool(meta.get("required", False)),
        not_null=bool(meta.get("not_null", False)),
        min=meta.get("min"),
        min_exclusive=meta.get("min_exclusive"),
        max=meta.get("max"),
        accepted_values=tuple(str(value) for value in meta["accepted_values"]) if meta.get("accepted_values") else None,
        references=(Reference(kind="seed" if "seed" in reference else "source",
                              name=reference.get("seed") or reference["source"], column=reference["column"])
                    if reference else None),
        default=meta.get("default"),
    )


@functools.lru_cache(maxsize=4)
def load_contract(path: str | os.PathLike = CONTRACT_PATH) -> Contract:
    """Read the contract from its YAML (the dbt sources file)."""
    path = Path(path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw = next(source for source in document["sources"] if source["name"] == RAW_SOURCE)
    formats = {}
    for kind, entry in ((raw.get("meta") or {}).get("formats") or {}).items():
        formats[kind] = Format(kind=kind, label=entry["label"], pattern=entry.get("pattern"),
                               true_values=tuple(str(v) for v in entry.get("true_values", ())),
                               false_values=tuple(str(v) for v in entry.get("false_values", ())))
    missing = {"date", "integer", "decimal", "boolean"} - set(formats)
    if missing:
        raise ValueError(f"{path}: meta.formats of source raw lacks {sorted(missing)}")
    limits = {str(data_type).lower().replace(" ", ""): Limit(data_type=str(data_type), min=str(entry["min"]),
                                                          max=str(entry["max"]))
              for data_type, entry in ((raw.get("meta") or {}).get("limits") or {}).items()}
    sources = {}
    for table in raw["tables"]:
        meta = table.get("meta") or {}
        sources[table["name"]] = Source(
            name=table["name"],
            description=table.get("description", ""),
            required=bool(meta.get("required", False)),
            unique=tuple(meta.get("unique") or ()),
            reject_severity=meta.get("reject_severity", "warn"),
            row_rules=tuple(RowRule(rule=rule["rule"], params=dict(rule)) for rule in meta.get("row_rules") or ()),
            columns=tuple(_column(column) for column in table.get("columns") or ()),
        )
    numeric = {column.data_type.lower().replace(" ", "") for source in sources.values() for column in source.columns
               if column.kind in ("integer", "decimal")}
    if numeric - set(limits):
        raise ValueError(f"{path}: meta.limits of source raw lacks {sorted(numeric - set(limits))}")
    return Contract(sources=sources, formats=formats, path=path, limits=limits)


@functools.lru_cache(maxsize=4)
def _project_vars(path: str) -> dict:
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return dict(document.get("vars") or {})


def project_vars(overrides: dict | None = None, path: str | os.PathLike = DBT_PROJECT_PATH) -> dict:
    """The dbt vars of dbt_project.yml (their defaults), with overrides applied."""
    merged = dict(_project_vars(str(path)))
    merged.update(overrides or {})
    return merged


def seed_rows(seed: str) -> list[dict[str, str]]:
    """The rows of a seed, as text (seeds are reference tables, a few rows)."""
    import csv

    with open(SEEDS_DIR / f"{seed}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def default_raw_dir() -> Path:
    """The setting CS_RAW_DIR (settings.mk; by default the bundled demo dataset)."""
    return settings.path("CS_RAW_DIR")


@dataclass(frozen=True)
class RawFile:
    source: str
    path: Path
    format: str  # parquet | csv

    @property
    def name(self) -> str:
        return self.path.name


def find_raw_file(raw_dir: str | os.PathLike, source: str) -> RawFile | None:
    """<dir>/<source>.parquet if it exists, else <dir>/<source>.csv, else None."""
    for extension in FORMATS:
        candidate = Path(raw_dir) / f"{source}.{extension}"
        if candidate.is_file():
            return RawFile(source=source, path=candidate, format=extension)
    return None
