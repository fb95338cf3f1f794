"""Everything that leaves the workspace as a file goes through here: one rule that keeps
spreadsheet cells from running as formulas, one CSV writer, and the audit row of every export
(who exported what, in which format, how many rows).

A cell is neutralised (an apostrophe put in front, which spreadsheets show as text) when its first
character is a control character (NUL included: LibreOffice drops it and then runs what follows),
any kind of space or invisible format character (tab, NBSP, U+2000…, zero-width space), or one of
``= + - @``. Control characters other than tab, line feed and carriage return are dropped from
every cell: no one typed them, and they break the programs that read the file.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlmodel import Session

from core import audit
from core.permissions import Actor

ENTITY = "export"  # the audit rows of exports (core.changes counts them as the "exports" domain)
_FORMULA_STARTS = frozenset("=+-@")
# Unicode categories that hide in front of a formula: controls, format characters (zero-width
# space, bidi marks, BOM) and every kind of space and separator.
_HIDING_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
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


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """The rows as CSV with every cell neutralised. Lines end in CRLF (RFC 4180), so a cell holding
    a carriage return is quoted and cannot start a row of its own in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: neutralise_cell("" if row.get(c) is None else row.get(c)) for c in columns})
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
