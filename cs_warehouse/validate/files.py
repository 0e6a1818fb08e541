"""Reading raw files as the dbt base models do: encoding, CSV header, read expressions.

Each function mirrors a macro of macros/raw/ (named in its docstring) so that the
validation and the build agree on every file: what counts as UTF-8, how the header
row splits, the CSV dialect DuckDB reads with, and which Parquet types are native.
``OpenFile`` is a file the validator has opened that way.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cs_warehouse.contract import Column, RawFile

INTEGER_TYPES = ("tinyint", "smallint", "integer", "bigint", "utinyint", "usmallint", "uinteger")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def csv_read_expression(path: Path, columns: list[str]) -> str:
    """DuckDB's reader of a CSV file, with the dialect of the macro cs_read_expression."""
    column_types = ", ".join(f"{sql_string(name)}: 'varchar'" for name in columns)
    return (f"read_csv({sql_string(str(path))}, header = true, auto_detect = false, columns = {{{column_types}}}, "
            "delim = ',', quote = '\"', escape = '\"', comment = '', strict_mode = true, null_padding = false)")


def encoding_problem(path: Path) -> str | None:
    """None for UTF-8 text; else what the file is (as the macro cs_check_utf8 says it)."""
    with open(path, "rb") as handle:
        start = handle.read(2)
        if start in (b"\xff\xfe", b"\xfe\xff"):
            return ("the file is not UTF-8 text: it is UTF-16 (Excel's \"Unicode text\" export). "
                    "Save it as \"CSV UTF-8 (comma delimited)\", or convert it: "
                    f"iconv -f UTF-16 -t UTF-8 {path.name} > {path.name}.utf8")
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset, lines = 0, 1
        while True:
            chunk = handle.read(1 << 22)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                position = offset + max(error.start, 0)
                handle.seek(0)
                lines += handle.read(position).count(b"\n")
                return (f"the file is not UTF-8 text (first invalid byte on line {lines}). "
                        "It is probably Shift_JIS (CP932), the encoding Excel uses for Japanese CSV exports. "
                        f"Re-save it as \"CSV UTF-8\", or convert it: iconv -f CP932 -t UTF-8 {path.name} > "
                        f"{path.name}.utf8")
            if not chunk:
                return None
            offset += len(chunk)


def csv_fields(line: str) -> list[str] | None:
    """The fields of one CSV line, split at commas outside double quotes: a quote
    opens a quoted field where it starts the field (after spaces), "" inside it is
    one quote, anything after its closing quote is kept as it is. None where a
    quote is left open. The same reading as the macro cs_csv_fields."""
    fields: list[str] = []
    field, mode = "", "start"
    for char in line:
        if mode == "quoted":
            if char == '"':
                mode = "closed"
            else:
                field += char
        elif mode == "closed" and char == '"':
            field, mode = field + char, "quoted"
        elif char == ",":
            fields.append(field)
            field, mode = "", "start"
        elif mode == "start" and char == '"':
            field, mode = "", "quoted"
        else:
            field += char
            if mode != "start" or char not in " \t":
                mode = "field"
    if mode == "quoted":
        return None
    fields.append(field)
    return fields


class HeaderQuoteNotClosed(ValueError):
    pass


def csv_header(path: Path) -> list[str] | None:
    """The names in the header row (BOM, spaces and quotes removed; an empty name is
    column<N>), or None for an empty file. The first line is read by DuckDB as the
    macro cs_csv_header reads it (any of CRLF, LF or CR ends it, strict mode off),
    so that both agree on every file; in a connection of its own, which keeps the
    file's order (the validator's does not). Raises HeaderQuoteNotClosed where a
    quote in the header row is left open."""
    with duckdb.connect(":memory:") as connection:
        first = connection.execute(
            f"select line from read_csv({sql_string(str(path))}, header = false, auto_detect = false, "
            "columns = {'line': 'varchar'}, delim = chr(30), quote = '', escape = '', comment = '', "
            "strict_mode = false) limit 1").fetchall()
    if not first:
        return None
    fields = csv_fields((first[0][0] or "").replace("\ufeff", ""))
    if fields is None:
        raise HeaderQuoteNotClosed(
            "the header row (line 1) has a quote that is not closed: a column name with a line break in it, "
            "or a stray \". Fix the header row and export again.")
    return [field.strip() or f"column{index}" for index, field in enumerate(fields, start=1)]


def is_native(file_type: str, column: Column) -> bool:
    """A Parquet column that already has the contract's type (macro cs_is_native_type)."""
    kind = column.kind
    if file_type == "varchar":
        return False
    if kind == "date":
        return file_type == "date"
    if kind == "integer":
        return file_type in INTEGER_TYPES
    if kind == "decimal":
        return file_type in INTEGER_TYPES or file_type.startswith("decimal") or file_type in ("double", "float")
    if kind == "boolean":
        return file_type == "boolean"
    return False


@dataclass
class OpenFile:
    """A raw file that DuckDB can read: its relation and its columns."""

    raw_file: RawFile
    relation: str
    rows: int
    columns: dict[str, tuple[str, str]]  # contract column name -> (file column name, file type)

    @property
    def label(self) -> str:
        return str(self.raw_file.path)
