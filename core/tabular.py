"""Reading uploaded tables: one reader for every import (conversations, ideas, posts, metrics).

It decodes the bytes (UTF-8 with or without BOM, UTF-16 from spreadsheets' "Unicode text",
Windows-1252), finds the separator (comma, semicolon or tab), enforces size and row limits,
checks the header, and hands each importer the rows with their line numbers in the file.
Importers collect problems per row and column in ``RowErrors``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.errors import ValidationError

SEPARATORS = (",", ";", "\t")
MAX_ERRORS = 200


@dataclass(frozen=True)
class Table:
    """An uploaded table: its column names and its non-empty rows (cells as text)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    delimiter: str = ","
    # The row of each row as a spreadsheet shows the file: the header is row 1, a blank line is a
    # row too, and a quoted cell running over several lines stays in one row.
    row_numbers: tuple[int, ...] = ()
    # Rows with no text in any cell, left out of ``rows`` (an import may report them).
    blank_rows: int = 0

    def row_number(self, index: int) -> int:
        return self.row_numbers[index] if self.row_numbers else index + 2

    def records(self) -> list[dict[str, str]]:
        """Each row as {column: cell}; missing cells are empty."""
        return [
            dict(zip(self.columns, (*row, *([""] * (len(self.columns) - len(row)))), strict=False)) for row in self.rows
        ]


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class RowErrors:
    """Problems found while checking rows: the first ``limit`` are kept, all are counted."""

    limit: int = MAX_ERRORS
    items: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(RowError(row, column, message))

    def __bool__(self) -> bool:
        return self.count > 0


def decode(data: bytes | str) -> str:
    """The text of an upload: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # spreadsheet "Unicode text" exports
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise ValidationError(
            "The file is not plain text (it holds NUL bytes); export it as CSV (UTF-8) and try again."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is neither UTF-8 nor Windows-1252 text; export it as CSV (UTF-8) and try again.")


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: what the sample's rows agree on, else what the header uses most."""
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        return max(SEPARATORS, key=first_line.count) if any(s in first_line for s in SEPARATORS) else ","


def read_table(
    data: bytes | str,
    *,
    empty_message: str = "The file is empty; export it as CSV with a header row.",
    max_bytes: int | None = None,
    max_rows: int | None = None,
    unique_columns: bool = False,
) -> Table:
    """Header and non-empty rows of a CSV/TSV upload, or a ValidationError saying what to fix."""
    size = len(data.encode() if isinstance(data, str) else data)
    if max_bytes is not None and size > max_bytes:
        raise ValidationError(
            f"The file is {size / 1e6:.1f} MB; split it into files under {max_bytes // 1_000_000} MB."
        )
    text = decode(data)
    if not text.strip():
        raise ValidationError(empty_message)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError("The file has no header row.") from None
    except csv.Error as error:
        raise ValidationError(f"The file is not readable as CSV ({error}).") from None
    columns = tuple(h.strip() for h in header)
    if not any(columns):
        raise ValidationError("The header row is empty; the first row must name the columns.")
    if unique_columns:
        repeated = sorted({c for c in columns if c and columns.count(c) > 1})
        if repeated:
            raise ValidationError(f"Column names must be unique; these repeat: {', '.join(repeated)}.")
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    blank = 0
    number = 1
    try:
        for record in reader:
            number += 1
            if any(cell.strip() for cell in record):
                rows.append(tuple(record))
                numbers.append(number)
            else:
                blank += 1
    except csv.Error as error:
        raise ValidationError(f"The file is not readable as CSV near row {number + 1} ({error}).") from None
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationError(f"The file has {len(rows)} rows; import at most {max_rows} at a time.")
    return Table(columns=columns, rows=tuple(rows), delimiter=delimiter, row_numbers=tuple(numbers), blank_rows=blank)


def squash(name: str) -> str:
    """A column name reduced to lower-case letters and digits, for matching ("Created at" = "created_at")."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guess_columns(
    columns: Sequence[str], hints: Mapping[str, Iterable[str]], *, partial: bool = False
) -> dict[str, str]:
    """A first mapping {field: column} from the header: a column whose squashed name equals one of
    the field's hints (or, with ``partial``, contains it); each column is used once, fields in order."""
    squashed: dict[str, str] = {}
    for name in columns:
        if name:
            squashed.setdefault(squash(name), name)  # the first of two look-alike columns wins
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for key, words in hints.items():
        for word in words:
            wanted = squash(word)
            column: str | None = squashed.get(wanted)
            if column is None and partial:
                column = next((c for c in columns if c and c not in used and wanted and wanted in squash(c)), None)
            if column is not None and column not in used:
                mapping[key] = column
                used.add(column)
                break
    return mapping
