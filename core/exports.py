"""Everything that leaves the workspace as a file goes through here: one rule that keeps
spreadsheet cells from running as formulas, one CSV writer, and the audit row of every export
(who exported what, in which format, how many rows).

A cell is neutralised (an apostrophe put in front, which spreadsheets show as text) when its first
character is a control character (NUL included: LibreOffice drops it and then runs what follows),
any kind of space or invisible format character (tab, NBSP, U+2000…, zero-width space), or one of
``= + - @``. Control characters other than tab, line feed and carriage return are dropped from
every cell: no one typed them, and they break the programs that read the file.

Two spreadsheet dialects (``Dialect``): the plain CSV (comma between cells, a point in numbers,
UTF-8) and "Excel (Germany)" (semicolon, decimal comma, UTF-8 with a byte order mark), which German
Excel and LibreOffice open into columns with numbers as numbers. Only numbers (``int``, ``float``,
``Decimal``) get the decimal comma; text is written as it is, and neutralised the same in both.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from core import audit
from core.errors import ValidationError
from core.i18n import N_, _
from core.permissions import Actor

ENTITY = "export"  # the audit rows of exports (core.changes counts them as the "exports" domain)
_FORMULA_STARTS = frozenset("=+-@")
# Unicode categories that hide in front of a formula: controls, format characters (zero-width
# space, bidi marks, BOM) and every kind of space and separator.
_HIDING_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})  # i18n: not text
_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def starts_unsafely(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (or hide one behind its first character)."""
    if not text:
        return False
    first = text[0]
    return first in _FORMULA_STARTS or first.isspace() or unicodedata.category(first) in _HIDING_CATEGORIES


def neutralise_cell(value: Any) -> Any:
    """Text a spreadsheet shows as text: control characters dropped, and an apostrophe in front
    when it starts like a formula (see the module docstring); numbers stay numbers."""
    if not isinstance(value, str):
        return value
    unsafe = starts_unsafely(value)
    text = _DROPPED.sub("", value)
    return "'" + text if unsafe or starts_unsafely(text) else text


def unneutralise_cell(value: str) -> str:
    """Undo ``neutralise_cell``'s apostrophe, so an exported file imports back as it was."""
    if len(value) > 1 and value[0] == "'" and starts_unsafely(value[1:]):
        return value[1:]
    return value


class Dialect(StrEnum):
    """How a CSV file is written for the spreadsheet that opens it."""

    plain = "plain"  # comma, decimal point, UTF-8
    excel_de = "excel_de"  # semicolon, decimal comma, UTF-8 with a byte order mark


DIALECT_LABELS: dict[Dialect, str] = {
    Dialect.plain: N_("Plain CSV (comma, decimal point)"),
    Dialect.excel_de: N_("Excel (Germany)"),
}
_DELIMITERS = {Dialect.plain: ",", Dialect.excel_de: ";"}
BYTE_ORDER_MARK = "\ufeff"


def dialect_of(value: Dialect | str) -> Dialect:
    """A dialect by its code, or a message naming the ones there are."""
    try:
        return Dialect(value)
    except ValueError:
        raise ValidationError(
            _(
                "Unknown spreadsheet format {dialect!r}; choose one of {choices}.",
                dialect=str(value),
                choices=", ".join(d.value for d in Dialect),
            )
        ) from None


def _number_cell(value: Any, dialect: Dialect) -> Any:
    """A number as the dialect writes it (German: "79,9"); anything else unchanged. No grouping
    of thousands: "26000" is a number in every spreadsheet's locale."""
    if dialect != Dialect.excel_de or isinstance(value, bool) or not isinstance(value, float | Decimal):
        return value
    return repr(value).replace(".", ",") if isinstance(value, float) else str(value).replace(".", ",")


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, dialect: Dialect | str = Dialect.plain) -> str:
    """The rows as CSV with every cell neutralised, in ``dialect`` (see the module docstring).
    Lines end in CRLF (RFC 4180), so a cell holding a carriage return is quoted and cannot start a
    row of its own in a spreadsheet. In the German dialect the text starts with a byte order mark
    (encode it as UTF-8), which tells Excel the file is UTF-8."""
    dialect = dialect_of(dialect)
    buffer = io.StringIO()
    if dialect == Dialect.excel_de:
        buffer.write(BYTE_ORDER_MARK)
    writer = csv.DictWriter(
        buffer,
        fieldnames=list(columns),
        extrasaction="ignore",
        lineterminator="\r\n",
        delimiter=_DELIMITERS[dialect],
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {c: _number_cell(neutralise_cell("" if row.get(c) is None else row.get(c)), dialect) for c in columns}
        )
    return buffer.getvalue()


def describe(filters: Any) -> dict[str, Any]:
    """The filters of a screen (a dataclass) that narrow an export, for its audit row: only the
    ones set."""
    if not dataclasses.is_dataclass(filters) or isinstance(filters, type):
        return {}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(filters).items() if v}


def record_export(
    session: Session,
    *,
    actor: Actor,
    what: str,
    file_format: str,
    rows: int,
    details: Mapping[str, Any] | None = None,
) -> None:
    """The audit row of one export, in the caller's transaction: who, what, in which format, how
    many rows, and what narrowed it (period, filters). The export service has checked the role."""
    audit.record_change(
        session,
        actor=actor,
        action=f"{what}.export",
        entity=ENTITY,
        entity_id=None,
        after={"what": what, "format": file_format, "rows": rows, **(details or {})},
    )
