"""The one reader of uploaded tables: encodings, separators, limits, the header, row numbers."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from core.tabular import RowErrors, guess_columns, read_table


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"id,text\n1,Hello\n", ","),
        (b"id;text\n1;Hallo, Welt\n", ";"),
        (b"id\ttext\n1\tHello; there\n", "\t"),
        ("\ufeffid,text\n1,Grüße\n".encode(), ","),
        ("id,text\n1,Grüße\n".encode("utf-16"), ","),
        ("id;text\n1;Grüße\n".encode("cp1252"), ";"),
    ],
    ids=["comma", "semicolon", "tab", "utf-8 bom", "utf-16", "windows-1252"],
)
def test_encodings_and_separators_as_spreadsheets_write_them(data, delimiter):
    table = read_table(data)
    assert table.delimiter == delimiter
    assert table.columns == ("id", "text")
    assert table.rows[0][0] == "1" and table.rows[0][1] in ("Hello", "Hallo, Welt", "Hello; there", "Grüße")


def test_row_numbers_are_the_rows_a_spreadsheet_shows_with_blank_rows_counted_and_line_breaks_in_cells_not():
    table = read_table(b'id,text\n1,"two\nlines"\n\n2,after\n')
    assert table.rows == (("1", "two\nlines"), ("2", "after"))
    assert [table.row_number(i) for i in range(2)] == [2, 4]
    assert table.blank_rows == 1


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        (b"", {}, "empty"),
        (b"   \n", {"empty_message": "Nothing in the survey file."}, "Nothing in the survey file"),
        (b",,\n1,2,3\n", {}, "header row is empty"),
        (b"a,b,a\n1,2,3\n", {"unique_columns": True}, "these repeat: a"),
        (b"a\n1\n2\n3\n", {"max_rows": 2}, "3 rows; import at most 2"),
        (b"a\n" + b"x\n" * 600_000, {"max_bytes": 1_000_000}, "split it into files under 1 MB"),
        (b"a,b\n1,\x002\n", {}, "NUL bytes"),
    ],
)
def test_bad_files_are_refused_with_what_to_fix(data, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        read_table(data, **kwargs)


def test_records_fill_missing_cells():
    assert read_table(b"a,b\n1\n").records() == [{"a": "1", "b": ""}]


def test_guessing_columns_matches_names_loosely_and_uses_each_column_once():
    columns = ["Created At", "User Name", "Message text", "Username"]
    hints = {"received": ["created_at"], "author": ["username", "user"], "text": ["text"]}
    assert guess_columns(columns, hints) == {"received": "Created At", "author": "User Name"}
    assert guess_columns(columns, hints, partial=True) == {
        "received": "Created At",
        "author": "User Name",
        "text": "Message text",
    }


def test_row_errors_keep_the_first_ones_and_count_all():
    errors = RowErrors(limit=2)
    assert not errors
    for row in range(2, 7):
        errors.add(row, "text", "too long")
    assert errors.count == 5 and [e.row for e in errors.items] == [2, 3]
