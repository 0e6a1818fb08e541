"""The bad-input corpus: realistic export damage, one case each, and the outcome the
data contract (docs/data-contract.md, "Bad input") promises for it.

Each case copies the clean dataset in ``base/`` (every source, a few rows, all of
which keep the contract), applies its ``damage`` (small steps listed below), and
states its outcome:

- ``Stops``: the build stops before any figure is computed (a missing file or
  column, an unreadable file or value). The dbt message names the file, the column
  where there is one, and the problem; the validation reports that message.
- ``Rejects``: the rows can be read but break a rule. They are kept in
  ``raw_rejects`` with their reason. Whether the build then fails follows from
  the contract (reject_severity of the source, under the default reject policy):
  accounts and contracts fail it, any other source only warns.
- ``Reads``: nothing is wrong with the data, only with its packaging (a BOM, CRLF
  line endings, an extra column...): the build passes and reads every row.

tests/test_bad_inputs.py runs every case through dbt (the staging layer) and
reports on that build as ``python -m cs_warehouse.validate`` does.
"""
from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

BASE_DIR = Path(__file__).parent / "base"


# --- damage: small steps on a copy of base/ ------------------------------------------

def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@dataclass(frozen=True)
class Remove:
    """The file is not there."""
    file: str

    def __call__(self, raw_dir: Path) -> None:
        (raw_dir / self.file).unlink()


@dataclass(frozen=True)
class DropColumn:
    file: str
    column: str

    def __call__(self, raw_dir: Path) -> None:
        rows = _read(raw_dir / self.file)
        index = rows[0].index(self.column)
        _write(raw_dir / self.file, [row[:index] + row[index + 1:] for row in rows])


@dataclass(frozen=True)
class RenameColumn:
    file: str
    column: str
    new_name: str

    def __call__(self, raw_dir: Path) -> None:
        rows = _read(raw_dir / self.file)
        rows[0][rows[0].index(self.column)] = self.new_name
        _write(raw_dir / self.file, rows)


@dataclass(frozen=True)
class AddColumn:
    file: str
    column: str
    value: str = ""

    def __call__(self, raw_dir: Path) -> None:
        rows = _read(raw_dir / self.file)
        _write(raw_dir / self.file, [rows[0] + [self.column]] + [row + [self.value] for row in rows[1:]])


@dataclass(frozen=True)
class SetValue:
    """Data row `row` (1 = the first row after the header) gets `value` in `column`."""
    file: str
    row: int
    column: str
    value: str

    def __call__(self, raw_dir: Path) -> None:
        rows = _read(raw_dir / self.file)
        rows[self.row][rows[0].index(self.column)] = self.value
        _write(raw_dir / self.file, rows)


@dataclass(frozen=True)
class AppendRow:
    """A row, given as column -> value (missing columns empty)."""
    file: str
    values: dict

    def __call__(self, raw_dir: Path) -> None:
        rows = _read(raw_dir / self.file)
        rows.append([str(self.values.get(name, "")) for name in rows[0]])
        _write(raw_dir / self.file, rows)


@dataclass(frozen=True)
class DuplicateRow:
    """Data row `row` appears again at the end (an export that ran twice, say)."""
    file: str
    row: int

    def __call__(self, raw_dir: Path) -> None:
        rows = _read(raw_dir / self.file)
        _write(raw_dir / self.file, rows + [list(rows[self.row])])


@dataclass(frozen=True)
class HeaderOnly:
    file: str

    def __call__(self, raw_dir: Path) -> None:
        _write(raw_dir / self.file, _read(raw_dir / self.file)[:1])


@dataclass(frozen=True)
class Empty:
    """Zero bytes: not even a header."""
    file: str

    def __call__(self, raw_dir: Path) -> None:
        (raw_dir / self.file).write_bytes(b"")


@dataclass(frozen=True)
class Encode:
    """The file saved in another encoding (bom=True: with its byte-order mark)."""
    file: str
    encoding: str

    def __call__(self, raw_dir: Path) -> None:
        path = raw_dir / self.file
        path.write_bytes(path.read_text(encoding="utf-8").encode(self.encoding))


@dataclass(frozen=True)
class LineEndings:
    """Every file with \\r\\n line endings (a Windows export)."""
    ending: str = "\r\n"

    def __call__(self, raw_dir: Path) -> None:
        for path in raw_dir.glob("*.csv"):
            path.write_bytes(path.read_bytes().replace(b"\n", self.ending.encode()))


@dataclass(frozen=True)
class Replace:
    """Text replaced in the raw bytes of a file (damage that csv.writer would not write)."""
    file: str
    old: str
    new: str

    def __call__(self, raw_dir: Path) -> None:
        # bytes, not text: reading text would turn the file's \r\n into \n
        path = raw_dir / self.file
        data, old = path.read_bytes(), self.old.encode("utf-8")
        assert old in data, f"{self.old!r} not in {self.file}"
        path.write_bytes(data.replace(old, self.new.encode("utf-8"), 1))


@dataclass(frozen=True)
class Delimiter:
    """The file written with another delimiter (a European Excel writes ';')."""
    file: str
    delimiter: str

    def __call__(self, raw_dir: Path) -> None:
        rows = _read(raw_dir / self.file)
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.delimiter, lineterminator="\n").writerows(rows)
        (raw_dir / self.file).write_text(buffer.getvalue(), encoding="utf-8")


@dataclass(frozen=True)
class Truncate:
    """The file cut short (a copy that was interrupted): only its first `keep` bytes."""
    file: str
    keep: int

    def __call__(self, raw_dir: Path) -> None:
        path = raw_dir / self.file
        path.write_bytes(path.read_bytes()[:self.keep])


@dataclass(frozen=True)
class ToParquet:
    """The CSV file replaced by a Parquet file as pandas writes it: dates as
    timestamps (datetime64, nanoseconds unless timestamp_unit says "us" or "ms"),
    numbers as int64/float64."""
    file: str
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    timestamp_unit: str | None = None

    def __call__(self, raw_dir: Path) -> None:
        import pandas as pd

        path = raw_dir / self.file
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in self.dates:
            frame[column] = pd.to_datetime(frame[column])
        for column in self.numbers:
            frame[column] = pd.to_numeric(frame[column])
        frame.to_parquet(path.with_suffix(".parquet"), index=False, coerce_timestamps=self.timestamp_unit)
        path.unlink()


# --- outcomes -----------------------------------------------------------------

@dataclass(frozen=True)
class Stops:
    """The build stops; the message names the file, the column and the problem, and
    the sample values where a value is the problem."""
    file: str
    problem: str
    column: str | None = None
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejects:
    """The rows are read and rejected with this reason (count: how many)."""
    source: str
    reason: str
    count: int = 1


@dataclass(frozen=True)
class Reads:
    """Nothing is rejected and every row is read. `check` is SQL on the built
    warehouse that must return true (what the packaging must not change)."""
    check: str | None = None
    note: str | None = None  # a note the dbt log and the validation summary must contain


@dataclass(frozen=True)
class Case:
    name: str
    damage: str  # what happened to the export, in one sentence
    steps: tuple[Callable[[Path], None], ...]
    outcome: Stops | Rejects | Reads
    dir_name: str = "raw"

    def make(self, parent: Path) -> Path:
        raw_dir = parent / self.dir_name
        shutil.copytree(BASE_DIR, raw_dir)
        for step in self.steps:
            step(raw_dir)
        return raw_dir


CASES = [
    # --- files and columns -----------------------------------------------------
    Case("missing_required_file", "the usage export was not copied into the directory",
         (Remove("usage.csv"),),
         Stops(file="usage.csv", problem="Missing required file")),
    Case("missing_optional_file", "no survey tool: surveys.csv does not exist",
         (Remove("surveys.csv"),),
         Reads(check="(select count(*) from stg_raw__surveys) = 0", note="Optional source surveys is absent")),
    Case("missing_required_column", "the mrr column was deleted before saving",
         (DropColumn("contracts.csv", "mrr"),),
         Stops(file="contracts.csv", column="mrr", problem="missing required column")),
    Case("renamed_column", "a user renamed account_name to name in the spreadsheet",
         (RenameColumn("accounts.csv", "account_name", "name"),),
         Stops(file="accounts.csv", column="account_name", problem="missing required column")),
    Case("missing_optional_column", "the CRM export has no seats or department columns",
         (DropColumn("contracts.csv", "seats"), DropColumn("contracts.csv", "department")),
         Reads(check="(select count(*) from stg_raw__contracts where seats is null) = 5")),
    Case("extra_column", "the CRM added a notes column",
         (AddColumn("accounts.csv", "notes", "call back in May"),),
         Reads(check="(select count(*) from stg_raw__accounts) = 4", note="ignoring column(s) not in the contract: notes")),
    Case("duplicate_header_column", "the region column was pasted twice",
         (AddColumn("accounts.csv", "Region", "Kanto"),),
         Stops(file="accounts.csv", column="Region", problem="appears more than once in the header row")),
    Case("header_only_required_file", "contracts.csv was exported with a filter that matched nothing",
         (HeaderOnly("contracts.csv"),),
         Stops(file="contracts.csv", problem="no data rows")),
    Case("header_only_optional_file", "no tickets yet: tickets.csv has its header and no rows",
         (HeaderOnly("tickets.csv"),),
         Reads(check="(select count(*) from stg_raw__tickets) = 0")),
    Case("empty_optional_file", "community.csv is zero bytes (an export that failed)",
         (Empty("community.csv"),),
         Reads(check="(select count(*) from stg_raw__community) = 0", note="is empty (no header row)")),

    # --- encodings and CSV shape --------------------------------------------------
    Case("utf8_bom", "Excel's \"CSV UTF-8\" writes a byte-order mark before the header",
         (Encode("accounts.csv", "utf-8-sig"),),
         Reads(check="(select count(*) from stg_raw__accounts where account_id = 'A001') = 1")),
    Case("shift_jis", "Excel's Japanese default: accounts.csv saved as Shift_JIS (CP932)",
         (Encode("accounts.csv", "cp932"),),
         Stops(file="accounts.csv", problem="Shift_JIS (CP932)")),
    Case("utf16", "Excel's \"Unicode text\": accounts.csv saved as UTF-16",
         (Encode("accounts.csv", "utf-16"),),
         Stops(file="accounts.csv", problem="UTF-16")),
    Case("crlf_line_endings", "every file written on Windows, with CRLF line endings",
         (LineEndings("\r\n"),),
         Reads(check="(select count(*) from stg_raw__usage) = 10 "
                     "and (select max(length(account_name)) from stg_raw__accounts) < 30")),
    Case("quoted_newline_in_name", "an account name typed with Alt+Enter: a newline inside quotes",
         (SetValue("accounts.csv", 3, "account_name", "Keystone Dining\nK.K."),),
         Reads(check="(select account_name from stg_raw__accounts where account_id = 'A003') = "
                     "'Keystone Dining' || chr(10) || 'K.K.'")),
    # Excel on Windows writes CRLF between rows and a bare LF for Alt+Enter in a cell
    Case("crlf_with_line_feed_in_quotes", "a CRLF export with Alt+Enter in a name: a bare LF inside quotes",
         (LineEndings("\r\n"), Replace("accounts.csv", "Keystone Dining K.K.", '"Keystone Dining\nK.K."')),
         Reads(check="(select account_name from stg_raw__accounts where account_id = 'A003') = "
                     "'Keystone Dining' || chr(10) || 'K.K.' and (select count(*) from stg_raw__usage) = 10")),
    Case("line_feed_file_with_crlf_in_quotes", "the reverse mix: LF between rows, a CRLF inside a quoted name",
         (Replace("accounts.csv", "Keystone Dining K.K.", '"Keystone Dining\r\nK.K."'),),
         Reads(check="(select account_name from stg_raw__accounts where account_id = 'A003') = "
                     "'Keystone Dining' || chr(13) || chr(10) || 'K.K.'")),
    Case("cr_line_endings", "every file saved by an old Excel for Mac: CR alone ends a line",
         (LineEndings("\r"),),
         Reads(check="(select count(*) from stg_raw__usage) = 10 "
                     "and (select max(length(account_name)) from stg_raw__accounts) < 30")),
    Case("cr_line_endings_with_line_feed_in_quotes", "CR-only line endings and a line feed inside a quoted name",
         (LineEndings("\r"), Replace("accounts.csv", "Keystone Dining K.K.", '"Keystone Dining\nK.K."')),
         Reads(check="(select account_name from stg_raw__accounts where account_id = 'A003') = "
                     "'Keystone Dining' || chr(10) || 'K.K.'")),
    Case("extra_column_with_comma_in_quoted_name", "the CRM added a column named 売上 (JPY, 月額): a comma in a "
         "quoted header name",
         (AddColumn("accounts.csv", "売上 (JPY, 月額)", "12,000"),),
         Reads(check="(select count(*) from stg_raw__accounts) = 4",
               note="ignoring column(s) not in the contract: 売上 (JPY, 月額)")),
    Case("extra_column_with_quotes_in_name", 'the CRM added a column named Notes "internal" (written '
         '"Notes ""internal""")',
         (AddColumn("accounts.csv", 'Notes "internal"', 'call "soon"'),),
         Reads(check="(select count(*) from stg_raw__accounts) = 4",
               note='ignoring column(s) not in the contract: Notes "internal"')),
    Case("header_quote_not_closed", "a header name with an opening quote and no closing one",
         (Replace("accounts.csv", "region", '"region'),),
         Stops(file="accounts.csv", problem="the header row (line 1) has a quote that is not closed")),
    Case("unquoted_comma", "a name with a comma written without quotes: one row has an extra field",
         (Replace("accounts.csv", "Northwind Logistics", "Northwind, Logistics"),),
         Stops(file="accounts.csv", problem="Expected Number of Columns: 8 Found: 9")),
    # DuckDB accepts one trailing delimiter at the end of a line: when the row's last
    # field is empty, the extra field is not seen and the values shift left; the
    # shifted values then cannot be read as their types, which stops the build.
    Case("unquoted_comma_before_an_empty_last_field", "the same, in a row whose last field is empty",
         (Replace("accounts.csv", '"Bluefin, Inc."', "Bluefin, Inc."),),
         Stops(file="accounts.csv", column="created_at", problem="cannot be read as an ISO date")),
    Case("semicolon_delimiter", "a European Excel saved accounts.csv with ';' between fields",
         (Delimiter("accounts.csv", ";"),),
         Stops(file="accounts.csv", column="account_name", problem="missing required column")),
    Case("path_with_spaces_and_quotes", "the export directory is named exports \"Q3\" it's",
         (), Reads(check="(select count(*) from stg_raw__accounts) = 4"), dir_name="exports \"Q3\" it's"),
    Case("truncated_parquet", "usage.parquet cut short by an interrupted copy",
         (ToParquet("usage.csv", dates=("usage_date",)), Truncate("usage.parquet", 300)),
         Stops(file="usage.parquet", problem="No magic bytes found at end of file")),
    Case("parquet_with_timestamp_dates", "usage written by pandas to Parquet: dates became timestamps",
         (ToParquet("usage.csv", dates=("usage_date",), numbers=("active_users", "events")),),
         Reads(check="(select max(usage_date) from stg_raw__usage) = date '2024-06-30'")),

    # --- values that cannot be read ---------------------------------------------------
    Case("yen_amount", "MRR formatted as currency in Excel: 12,000円",
         (SetValue("contracts.csv", 3, "mrr", "12,000円"),),
         Stops(file="contracts.csv", column="mrr", problem="cannot be read as a decimal", samples=("12,000円",))),
    Case("slash_date", "a date typed as 2024/13/01 (and month 13)",
         (SetValue("contracts.csv", 2, "start_date", "2024/13/01"),),
         Stops(file="contracts.csv", column="start_date", problem="cannot be read as an ISO date",
               samples=("2024/13/01",))),
    Case("impossible_date", "a date that does not exist: 2024-02-30",
         (SetValue("accounts.csv", 1, "created_at", "2024-02-30"),),
         Stops(file="accounts.csv", column="created_at", problem="cannot be read as an ISO date",
               samples=("2024-02-30",))),
    Case("not_available", "N/A typed where the number of users is unknown",
         (SetValue("usage.csv", 4, "active_users", "N/A"),),
         Stops(file="usage.csv", column="active_users", problem="cannot be read as an integer", samples=("N/A",))),
    Case("full_width_digits", "a number typed with a Japanese IME: full-width digits",
         (SetValue("accounts.csv", 2, "employee_count", "１２０"),),
         Stops(file="accounts.csv", column="employee_count", problem="cannot be read as an integer",
               samples=("１２０",))),
    Case("boolean_words", "is_advocate filled with はい (yes in Japanese)",
         (SetValue("accounts.csv", 2, "is_advocate", "はい"),),
         Stops(file="accounts.csv", column="is_advocate", problem="cannot be read as a boolean", samples=("はい",))),

    # a number in its format that its column's type cannot hold (the contract's meta.limits)
    Case("mrr_out_of_range", "an MRR of 1,000,000,000,000,000: the amount pasted in a smaller unit, or a typo",
         (SetValue("contracts.csv", 3, "mrr", "1000000000000000"),),
         Stops(file="contracts.csv", column="mrr",
               problem="out of range for decimal(18,4) (-99999999999999.9999 to 99999999999999.9999)",
               samples=("1000000000000000",))),
    Case("integer_out_of_range", "an event count of 20 digits from a broken counter",
         (SetValue("usage.csv", 2, "events", "99999999999999999999"),),
         Stops(file="usage.csv", column="events",
               problem="out of range for bigint (-9223372036854775808 to 9223372036854775807)",
               samples=("99999999999999999999",))),
    Case("decimal_rounds_past_its_range", "an FTE of 99.99995, which rounds to 100.0000 at the column's 4 decimals",
         (SetValue("csms.csv", 1, "fte", "99.99995"),),
         Stops(file="csms.csv", column="fte", problem="out of range for decimal(6,4) (-99.9999 to 99.9999)",
               samples=("99.99995",))),

    # --- rows that break a rule -----------------------------------------------------------
    Case("duplicate_account", "the same account exported twice",
         (DuplicateRow("accounts.csv", 2),),
         Rejects("accounts", "duplicate account_id")),
    Case("duplicate_usage_row", "a usage day exported twice by an overlapping extract",
         (DuplicateRow("usage.csv", 1),),
         Rejects("usage", "duplicate account_id, usage_date, feature")),
    Case("duplicate_usage_row_in_parquet", "usage.parquet with a usage row exported twice (a Parquet file takes "
         "another path: file_row_number, shared CTEs not materialized)",
         (DuplicateRow("usage.csv", 1), ToParquet("usage.csv", dates=("usage_date",))),
         Rejects("usage", "duplicate account_id, usage_date, feature")),
    Case("null_key", "a contract line without its ID",
         (SetValue("contracts.csv", 2, "contract_id", ""),),
         Rejects("contracts", "contract_id is null")),
    Case("unknown_account_in_contracts", "a contract for an account missing from accounts.csv",
         (AppendRow("contracts.csv", {"contract_id": "C006", "account_id": "A999", "product": "core",
                                      "plan": "starter", "line_type": "base", "start_date": "2024-05-01",
                                      "mrr": "8000"}),),
         Rejects("contracts", "account_id not in accounts.account_id")),
    Case("unknown_account_in_tickets", "a ticket from an account that is not a customer",
         (AppendRow("tickets.csv", {"ticket_id": "K004", "account_id": "A999", "opened_at": "2024-06-01",
                                    "category": "how_to"}),),
         Rejects("tickets", "account_id not in accounts.account_id")),
    Case("end_before_start", "an end date typed before the start date",
         (SetValue("contracts.csv", 3, "end_date", "2024-01-31"),),
         Rejects("contracts", "end_date before start_date")),
    Case("negative_mrr", "a credit note exported as a contract line with negative MRR",
         (SetValue("contracts.csv", 2, "mrr", "-10000"),),
         Rejects("contracts", "mrr below 0")),
    Case("nps_out_of_range", "an NPS score of 11 (a 1-11 scale in the survey tool)",
         (SetValue("surveys.csv", 1, "score", "11"),),
         Rejects("surveys", "score outside 0-10 for nps")),
    Case("unknown_enum_value", "a new touchpoint channel the contract does not know",
         (SetValue("touchpoints.csv", 2, "channel", "phone"),),
         Rejects("touchpoints", "channel not one of meeting, call, email, webinar, event, community, automated")),
    Case("unknown_tier_override", "a tier name misspelt in tier_override",
         (SetValue("accounts.csv", 4, "tier_override", "tier2_midtouch"),),
         Rejects("accounts", "tier_override not in tier_policy.tier")),
    Case("fte_above_one", "a CSM's FTE typed as a percentage",
         (SetValue("csms.csv", 1, "fte", "80"),),
         Rejects("csms", "fte above 1")),
    Case("overlapping_assignments", "an account handed to a new CSM before the old assignment ended",
         (SetValue("csm_assignments.csv", 2, "valid_to", "2024-05-31"),),
         Rejects("csm_assignments", "valid_from-valid_to overlaps another row of the same account_id")),
    Case("mixed_currencies_without_fx_rates", "a USD contract, and no fx_rates file to convert it",
         (Remove("fx_rates.csv"),),
         Rejects("contracts", "currency USD has no fx_rates rate for 2024-04 and 2 more month(s)")),
    Case("usage_far_in_the_future", "a usage date in 2099 from a broken clock",
         (AppendRow("usage.csv", {"account_id": "A001", "usage_date": "2099-06-30", "feature": "profile_db",
                                  "active_users": "3", "events": "5"}),),
         Rejects("usage", "usage_date after the build day")),
    # every row rejected: the build names the cause, not a test downstream of an empty model
    Case("empty_required_usage_column", "active_users exported empty: the column is there, every value blank",
         tuple(SetValue("usage.csv", row, "active_users", "") for row in range(1, 11)),
         Stops(file="usage.csv", column="active_users",
               problem="all 10 usage rows were rejected: active_users is null")),
    Case("every_optional_row_rejected", "a tickets export from another system: no account_id matches",
         tuple(SetValue("tickets.csv", row, "account_id", f"X{row}") for row in range(1, 4)),
         Stops(file="tickets.csv", column="account_id",
               problem="all 3 tickets rows were rejected: account_id not in accounts.account_id")),
    Case("excel_trailing_empty_rows", "Excel kept two formatted but empty rows at the end",
         (AppendRow("accounts.csv", {}), AppendRow("accounts.csv", {})),
         Rejects("accounts", "account_id is null; account_name is null; created_at is null", count=2)),
]
