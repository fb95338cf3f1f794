"""Reading uploaded tables: one reader for every import (conversations, messages, ideas, posts, metrics).

It takes CSV/TSV (UTF-8 with or without BOM, UTF-16 from spreadsheets' "Unicode text",
Windows-1252; comma, semicolon or tab found from the file), Excel workbooks (``.xlsx``, the first
sheet) and JSON lines (one object per line), enforces size and row limits, and hands each
importer the header and the rows with their row numbers as a spreadsheet shows them.

Nothing that could corrupt data passes quietly. Each of these is a problem naming the row (and
column), and an importer imports nothing while the table has any (``Table.problems``): a quote
that is never closed, a cell over 128 KiB, a column name used twice, a row with fewer or more
cells than the header (a line break inside an unquoted cell splits a row), a control character
(other than tab and line breaks) and a value made only of invisible characters. Importers add
their own problems per row and column in ``RowErrors``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from core import formats
from core.controls import control_message, has_control, has_invisible, is_invisible_only
from core.errors import ValidationError
from core.i18n import N_, _

SEPARATORS = (",", ";", "\t")
MAX_ERRORS = 200
MAX_CELL_BYTES = 128 * 1024
EMPTY_FILE = N_("The file is empty; export it as CSV with a header row.")
FORMATS = ("csv", "xlsx", "jsonl")
FILE_TYPES = ("csv", "tsv", "txt", "xlsx", "jsonl", "ndjson")  # what an upload field accepts


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1 (for JSON lines: the line)
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

    def include(self, table: Table) -> None:
        """Start with the table's own problems (it cannot be imported while it has any)."""
        for problem in table.problems:
            self.add(problem.row, problem.column, problem.message)
        self.count += table.problem_count - len(table.problems)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Table:
    """An uploaded table: its column names and its non-empty, well-formed rows (cells as text)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    delimiter: str = ","
    # The row of each row as a spreadsheet shows the file: the header is row 1, a blank line is a
    # row too, and a quoted cell running over several lines stays in one row.
    row_numbers: tuple[int, ...] = ()
    # Rows with no text in any cell, left out of ``rows`` (an import may report them).
    blank_rows: int = 0
    # What makes the file unsafe to import (the rows they name are left out of ``rows``).
    problems: tuple[RowError, ...] = ()
    problem_count: int = 0
    file_format: str = "csv"
    note: str = ""  # e.g. which sheet of a workbook was read

    def row_number(self, index: int) -> int:
        return self.row_numbers[index] if self.row_numbers else index + 2

    def records(self) -> list[dict[str, str]]:
        """Each row as {column: cell}; missing cells are empty."""
        return [
            dict(zip(self.columns, (*row, *([""] * (len(self.columns) - len(row)))), strict=False)) for row in self.rows
        ]

    def column_values(self, column: str, *, lead: str | None = None) -> Iterator[tuple[int, str, str]]:
        """(row number, column, cell) of one column, for checks that look at a whole column first.

        With ``lead`` (a regular expression) only the cells that start with it, found in one
        search over the column's text rather than cell by cell: a column where no cell starts so
        (ISO dates, when looking for day/month dates) costs next to nothing."""
        if column not in self.columns:
            return
        position = self.columns.index(column)
        if lead is None:
            for index, row in enumerate(self.rows):
                if position < len(row):
                    yield self.row_number(index), column, row[position]
            return
        cells = [row[position] if position < len(row) else "" for row in self.rows]
        text = _CELL_START + _CELL_START.join(cells)
        if text.count(_CELL_START) != len(cells):  # a cell holds the separator itself
            starts = re.compile(lead)
            for index, cell in enumerate(cells):
                if cell and starts.match(cell):
                    yield self.row_number(index), column, cell
            return
        index, searched = -1, 0
        for found in _cells_starting(lead).finditer(text):
            index += text.count(_CELL_START, searched, found.start() + 1)
            searched = found.start() + 1
            yield self.row_number(index), column, cells[index]


# --- decoding ----------------------------------------------------------------------------------


def decode(data: bytes | str) -> str:
    """The text of an upload: UTF-8 (BOM or not), UTF-16 (with BOM, or recognised by its zero
    bytes), else Windows-1252. A stray NUL inside text is kept, for the row check to name."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # spreadsheet "Unicode text" exports
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.count(b"\x00") > max(8, len(data) // 10):
        sample = data[:4000]
        for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
            if zeros.count(0) > len(zeros) * 0.8:
                try:
                    return data.decode(encoding).lstrip("\ufeff")
                except UnicodeDecodeError:
                    break
        raise ValidationError(
            _("The file is not plain text (it holds NUL bytes); export it as CSV (UTF-8) and try again.")
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor Windows-1252 text; export it as CSV (UTF-8) and try again."))


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: what the sample's rows agree on, else what the header uses most."""
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        return max(SEPARATORS, key=first_line.count) if any(s in first_line for s in SEPARATORS) else ","


def file_format(data: bytes | str, file_name: str = "") -> str:
    """csv, xlsx or jsonl: from the file name's extension, else from the content."""
    suffix = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix == "xls":
        raise ValidationError(_("Old Excel files (.xls) cannot be read; save the sheet as .xlsx or CSV."))
    if isinstance(data, bytes) and data.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = (data[:200].decode("utf-8", "ignore") if isinstance(data, bytes) else data[:200]).lstrip("\ufeff \t\r\n")
    return "jsonl" if head.startswith("{") else "csv"


# --- reading -----------------------------------------------------------------------------------


def read_table(
    data: bytes | str,
    *,
    file_name: str = "",
    empty_message: str = EMPTY_FILE,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> Table:
    """Header and non-empty rows of an upload (CSV/TSV, .xlsx or JSON lines), with the problems
    that make it unsafe to import; a ValidationError when it cannot be read at all (``empty_message``: N_)."""
    size = len(data.encode() if isinstance(data, str) else data)
    if max_bytes is not None and size > max_bytes:
        mb = {"size": formats.number(size / 1e6, 1), "limit": formats.number(max_bytes // 1_000_000)}
        raise ValidationError(_("The file is {size} MB; split it into files under {limit} MB.", **mb))
    kind = file_format(data, file_name)
    if kind == "xlsx":
        builder = _read_workbook(data if isinstance(data, bytes) else data.encode(), empty_message)
    else:
        text = decode(data)
        if not text.strip():
            raise ValidationError(_(empty_message))
        builder = _read_json_lines(text) if kind == "jsonl" else _read_csv(text)
    table = builder.table()
    if max_rows is not None and len(table.rows) + builder.bad_rows > max_rows:
        rows = {"rows": formats.number(len(table.rows) + builder.bad_rows), "limit": formats.number(max_rows)}
        raise ValidationError(_("The file has {rows} rows; import at most {limit} at a time.", **rows))
    return table


class _Builder:
    """Collects a table's rows, checking each one as it comes."""

    def __init__(self, columns: Sequence[str], *, file_format: str, delimiter: str = ",", scan: str | None = None):
        self.columns = tuple(c.strip() for c in columns)
        self.width = len(self.columns)
        self.file_format = file_format
        self.delimiter = delimiter
        self.rows: list[tuple[str, ...]] = []
        self.numbers: list[int] = []
        self.blank = 0
        self.bad_rows = 0
        self.problems = RowErrors()
        self.note = ""
        # Cheap whole-file looks decide which per-cell checks are needed at all.
        self.check_controls = scan is None or has_control(scan)
        self.check_invisible = scan is None or has_invisible(scan)
        self.check_size = scan is None or len(scan) > MAX_CELL_BYTES // 4
        self._check_header()

    def _check_header(self) -> None:
        if not any(self.columns):
            raise ValidationError(_("The header row is empty; the first row must name the columns."))
        seen: dict[str, int] = {}
        for position, name in enumerate(self.columns, start=1):
            if not name:
                continue
            if name in seen:
                self.problems.add(
                    1,
                    name,
                    _(
                        "The column name {name!r} is used twice (columns {first} and {second}); "
                        "rename one so each column says what it holds.",
                        name=name,
                        first=seen[name],
                        second=position,
                    ),
                )
            else:
                seen[name] = position
        self._check_cells(1, self.columns)

    def _check_cells(self, number: int, cells: Sequence[str]) -> bool:
        """Control characters, oversized cells, invisible-only values; False when any is found."""
        if not (self.check_controls or self.check_invisible) and (
            not self.check_size or max(map(len, cells), default=0) * 4 <= MAX_CELL_BYTES
        ):
            return True  # only the size to check, and no cell is near the limit
        fine = True
        for position, cell in enumerate(cells):
            if not cell:
                continue
            named = position < self.width and number > 1
            column = self.columns[position] if named else _("column {number}", number=position + 1)
            if self.check_size and len(cell) * 4 > MAX_CELL_BYTES and len(cell.encode()) > MAX_CELL_BYTES:
                self.problems.add(
                    number,
                    column,
                    _(
                        "The cell holds {size} KiB; a cell holds at most {limit} KiB. A quote that is never "
                        "closed swallows the rows after it: check the quotes, or shorten the text.",
                        size=formats.number(len(cell.encode()) // 1024),
                        limit=formats.number(MAX_CELL_BYTES // 1024),
                    ),
                )
                fine = False
            elif self.check_controls and has_control(cell):
                self.problems.add(number, column, _("The cell {problem}.", problem=control_message(cell)))
                fine = False
            elif self.check_invisible and is_invisible_only(cell):
                self.problems.add(
                    number,
                    column,
                    _(
                        "The cell is made only of invisible characters (zero-width spaces, joiners); "
                        "clear it or type the value again."
                    ),
                )
                fine = False
        return fine

    def add(self, number: int, cells: Sequence[str], *, pad: bool = False) -> None:
        joined = "".join(cells)
        if not joined.strip():
            self.blank += 1
            return
        if pad:
            cells = _fitted(cells, self.width)
        if len(cells) != self.width:
            self._wrong_width(number, cells)
            self.bad_rows += 1
            return
        # A row whose whole text is far below a cell's limit has no cell to look at for its size.
        suspect = self.check_controls or self.check_invisible or (self.check_size and len(joined) * 4 > MAX_CELL_BYTES)
        if suspect and not self._check_cells(number, cells):
            self.bad_rows += 1
            return
        self.rows.append(tuple(cells))
        self.numbers.append(number)

    def _wrong_width(self, number: int, cells: Sequence[str]) -> None:
        if len(cells) > self.width:
            message = _(
                "The row has {cells} cells but the header names {width} columns: a separator "
                "inside an unquoted cell, or a stray quote, shifts the cells. Quote the cell or fix the row.",
                cells=len(cells),
                width=self.width,
            )
        else:
            message = _(
                "The row has {cells} of the header's {width} cells: a line break (often a bare "
                "carriage return) inside an unquoted cell splits a row in two, or cells are missing. "
                "Quote the cell or fix the row; nothing is cut or guessed.",
                cells=len(cells),
                width=self.width,
            )
        self.problems.add(number, "", message)

    def table(self) -> Table:
        return Table(
            columns=self.columns,
            rows=tuple(self.rows),
            delimiter=self.delimiter,
            row_numbers=tuple(self.numbers),
            blank_rows=self.blank,
            problems=tuple(self.problems.items),
            problem_count=self.problems.count,
            file_format=self.file_format,
            note=self.note,
        )


def _fitted(cells: Sequence[str], width: int) -> list[str]:
    """Cells of a sheet row: padded to the header, empty cells past it dropped."""
    out = list(cells)
    while len(out) > width and not out[-1].strip():
        out.pop()
    return out + [""] * (width - len(out))


def _read_csv(text: str) -> _Builder:
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError(_("The file has no header row.")) from None
    except csv.Error:
        raise ValidationError(
            _("The header row is not readable: a quote in it is never closed or is followed by other text.")
        ) from None
    builder = _Builder(header, file_format="tsv" if delimiter == "\t" else "csv", delimiter=delimiter, scan=text)
    number = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            _broken_quote(builder, number + 1, str(error))
            break
        number += 1
        builder.add(number, record)
    return builder


def _lines(text: str) -> Iterable[str]:
    """The text's lines as the csv reader takes them: broken only at \\n, \\r\\n and a bare \\r.
    A list of lines takes less memory than a StringIO over the text (4 bytes per character;
    100,000 rows: 40 MB less), but ``splitlines`` also breaks at form feeds, U+2028 and the like:
    a text holding one of those goes through a StringIO."""
    if text.isascii():
        other_breaks = any(c in text for c in "\x0b\x0c\x1c\x1d\x1e")
    else:
        other_breaks = _OTHER_LINE_BREAKS.search(text) is not None
    return io.StringIO(text, newline="") if other_breaks else text.splitlines(keepends=True)


def _broken_quote(builder: _Builder, number: int, error: str) -> None:
    if "end of data" in error:
        message = _(
            "A quote opened in this row is never closed, so every line after it would be read into one cell. "
            'Close the quote; a quote inside a quoted cell is written twice (""). Nothing after this row was read.'
        )
    else:
        message = _(
            'A quoted cell in this row is followed by more text before the separator (e.g. "a"b). '
            'Quote the whole cell; a quote inside it is written twice (""). Nothing after this row was read.'
        )
    builder.problems.add(number, "", message)
    builder.bad_rows += 1


def _sheet_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "day") else value.isoformat()
    return str(value)


def _read_workbook(data: bytes, empty_message: str) -> _Builder:
    import openpyxl  # only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError(_("The file is not an Excel workbook we can read; save it as .xlsx or CSV.")) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise ValidationError(_(empty_message))
        sheet = sheets[0]
        rows = sheet.iter_rows(values_only=True)
        builder: _Builder | None = None
        number = (sheet.min_row or 1) - 1
        for values in rows:
            number += 1
            cells = [_sheet_text(v) for v in values]
            if builder is None:
                if not any(c.strip() for c in cells):
                    continue
                while not cells[-1].strip():  # a sheet's empty cells after the last column name
                    cells.pop()
                builder = _Builder(cells, file_format="xlsx")
                continue
            builder.add(number, cells, pad=True)
        if builder is None:
            raise ValidationError(_(empty_message))
        if len(sheets) > 1:
            builder.note = _("Read the first sheet, {title!r}, of {count}.", title=sheet.title, count=len(sheets))
        return builder
    finally:
        workbook.close()


def _json_text(value: Any) -> str:
    """A JSON value as a cell: objects and lists as JSON, the rest as a sheet's cell reads."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else _sheet_text(value)


def _read_json_lines(text: str) -> _Builder:
    objects: list[tuple[int, dict[str, Any]]] = []
    columns: dict[str, None] = {}
    broken: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            broken.append(
                (
                    number,
                    _(
                        "The line is not valid JSON ({error} at character {column}).",
                        error=error.msg,
                        column=error.colno,
                    ),
                )
            )
            continue
        if not isinstance(value, dict):
            broken.append((number, _("The line is not a JSON object ({...}); each line must be one record.")))
            continue
        objects.append((number, value))
        columns.update(dict.fromkeys(value))
    if not columns:
        raise ValidationError(_("The file has no JSON objects to read; each line must be one record ({...})."))
    builder = _Builder(list(columns), file_format="jsonl")  # escapes (\\u0000) hide from a scan of the text
    for number, message in broken:
        builder.problems.add(number, "", message)
        builder.bad_rows += 1
    for number, value in objects:
        builder.add(number, [_json_text(value.get(name)) for name in builder.columns])
    return builder


_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CELL_START = "\x00"  # joins a column's cells for one search; a cell holding it is searched alone


@cache
def _cells_starting(lead: str) -> re.Pattern[str]:
    return re.compile(_CELL_START + "(?=" + lead + ")")
