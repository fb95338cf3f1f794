"""The one reader of uploaded tables: encodings, separators, workbooks and JSON lines, limits,
the header, row numbers, and every way a file could corrupt data named by row and column."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest

from core import controls
from core.columns import RowCells, guess_columns
from core.errors import ValidationError
from core.i18n import using
from core.tabular import MAX_CELL_BYTES, RowErrors, Table, read_table
from core.timestamps import DATE_ORDER_LEAD, settle_date_order


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


def test_a_german_excel_csv_with_semicolons_decimal_commas_and_a_byte_order_mark_is_read():
    """What German Excel saves as "CSV UTF-8 (Trennzeichen-getrennt)": a BOM, semicolons, decimal
    commas and thousands points, CRLF line ends, a cell with a semicolon in quotes."""
    data = (
        "\ufeffNummer;Eingang;Betrag;Anteil;Notiz\r\n"
        "1;24.11.2026 14:05;1.234,56;79,9 %;Grüße, Anna\r\n"
        '2;25.11.2026 09:00;0,5;12,0 %;"Zitat; mit Semikolon"\r\n'
    ).encode("utf-8")
    table = read_table(data, file_name="Gespräche.csv")
    assert table.delimiter == ";" and table.file_format == "csv"
    assert table.columns == ("Nummer", "Eingang", "Betrag", "Anteil", "Notiz")  # no BOM in the first name
    assert table.rows == (
        ("1", "24.11.2026 14:05", "1.234,56", "79,9 %", "Grüße, Anna"),
        ("2", "25.11.2026 09:00", "0,5", "12,0 %", "Zitat; mit Semikolon"),
    )
    assert not table.problems


def test_a_refusal_reads_german_with_german_numbers():
    with using("de"), pytest.raises(ValidationError) as refused:
        read_table(b"a\n" + b"x\n" * 1500, max_rows=1000)
    assert str(refused.value) == "Die Datei hat 1.500 Zeilen; importiere höchstens 1.000 auf einmal."


def test_a_row_problem_reads_german_naming_the_counts():
    with using("de"):
        table = read_table(b"id;text\n1;Hallo;Welt\n")
    assert problems(table) == [(2, "")]
    assert table.problems[0].message.startswith("Die Zeile hat 3 Zellen, die Kopfzeile aber 2 Spalten")


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
        (b"a\n1\n2\n3\n", {"max_rows": 2}, "3 rows; import at most 2"),
        (b"a\n" + b"x\n" * 600_000, {"max_bytes": 1_000_000}, "split it into files under 1 MB"),
        (b"a,b\n" + b"\x00\x01\x02\x03" * 40, {}, "NUL bytes"),  # binary, not text
        (b"a,b\n1,2\n", {"file_name": "export.xls"}, "save the sheet as .xlsx"),
        (b"PK\x03\x04 not really a workbook", {}, "not an Excel workbook"),
        (b'"id,text\n1,2\n', {}, "header row is not readable"),
    ],
)
def test_bad_files_are_refused_with_what_to_fix(data, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        read_table(data, **kwargs)


def test_records_map_cells_to_columns():
    assert read_table(b"a,b\n1,\n").records() == [{"a": "1", "b": ""}]


def problems(table):
    return [(p.row, p.column) for p in table.problems]


def test_a_row_with_too_few_cells_is_a_problem_not_cut_text():
    # A bare carriage return inside an unquoted tweet splits its row in two.
    table = read_table(b"id,author,text,likes\n1,@ann,Fine,3\n2,@bo,First line\rsecond line,4\n3,@cy,Ok,5\n")
    assert problems(table) == [(3, ""), (4, "")]
    assert "3 of the header's 4 cells" in table.problems[0].message
    assert "more" not in table.problems[1].message and "2 of the header's 4 cells" in table.problems[1].message
    assert [row[0] for row in table.rows] == ["1", "3"]  # the split row is not passed on
    assert table.problem_count == 2


def test_a_row_with_too_many_cells_is_a_problem():
    table = read_table(b"id,text\n1,Hello, world\n2,Fine\n")
    assert problems(table) == [(2, "")]
    assert "3 cells but the header names 2" in table.problems[0].message


def test_an_unterminated_quote_is_named_and_swallows_nothing():
    table = read_table(b'id,text\n0,fine\n1,"Hello\n2,next row\n3,and another\n')
    assert problems(table) == [(3, "")]  # the row where the quote opens
    assert "never closed" in table.problems[0].message
    assert table.rows == (("0", "fine"),)  # the rows after it are not merged into anything


def test_a_quoted_cell_followed_by_text_is_named():
    table = read_table(b'id,text\n1,"Hello" world\n')
    assert problems(table) == [(2, "")] and 'e.g. "a"b' in table.problems[0].message


def test_a_cell_over_128_kib_is_a_problem_naming_row_and_column():
    big = b"x" * (MAX_CELL_BYTES + 1)
    table = read_table(b"id,text\n1,fine\n2," + big + b"\n3,fine\n")
    assert problems(table) == [(3, "text")]
    assert "at most 128 KiB" in table.problems[0].message
    assert [row[0] for row in table.rows] == ["1", "3"]


def test_a_column_name_used_twice_is_a_problem_on_the_header_row():
    table = read_table(b"id,text,id\n1,a,2\n")
    assert problems(table) == [(1, "id")]
    assert "used twice (columns 1 and 3)" in table.problems[0].message


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ('\x00=HYPERLINK("http://evil.example")', "U+0000 NUL"),
        ("@ann\x1b[31m", "U+001B"),
        ("bell\x07", "U+0007"),
        ("\u200b\u200b", "only of invisible characters"),
        ("\u2060\ufeff", "only of invisible characters"),
    ],
)
def test_control_characters_and_invisible_only_cells_are_problems(cell, message):
    table = read_table(f"id,author\n1,{cell}\n2,@fine\n".encode())
    assert problems(table) == [(2, "author")]
    assert message in table.problems[0].message
    assert table.rows == (("2", "@fine"),)


@pytest.mark.parametrize("cell", ["tab\there", '"two\nlines"', '"carriage\rreturn"', "emoji 👩\u200d💻", "x\u200b"])
def test_tabs_line_breaks_in_quotes_and_joined_emoji_are_fine(cell):
    table = read_table(f"id;text\n1;{cell}\n".encode())
    assert table.problems == () and len(table.rows) == 1


def test_problems_feed_an_importers_row_errors():
    table = read_table(b"id,text\n1\n2,\x00\n")
    errors = RowErrors()
    errors.include(table)
    assert [(e.row, e.column) for e in errors.items] == [(2, ""), (3, "text")] and errors.count == 2


# --- workbooks and JSON lines ---------------------------------------------------------------------


def workbook(*rows, sheets=1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Export"
    for row in rows:
        sheet.append(list(row))
    for n in range(1, sheets):
        book.create_sheet(f"Other {n}").append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_is_read_with_its_own_row_numbers():
    data = workbook(
        ["tweet_id", "created", "author", "likes", "score", "answered"],
        [119237, dt.datetime(2017, 10, 31, 22, 10, 47), "@Ann", 3, 0.5, True],
        [],
        [119238, "2017-11-01 09:00", "Doc James", None, None, False],
        sheets=2,
    )
    table = read_table(data, file_name="export.xlsx")
    assert table.file_format == "xlsx" and table.columns[:3] == ("tweet_id", "created", "author")
    assert table.rows == (
        ("119237", "2017-10-31 22:10:47", "@Ann", "3", "0.5", "true"),
        ("119238", "2017-11-01 09:00", "Doc James", "", "", "false"),
    )
    assert [table.row_number(i) for i in range(2)] == [2, 4] and table.blank_rows == 1
    assert table.note == "Read the first sheet, 'Export', of 2."
    assert read_table(data).file_format == "xlsx"  # recognised without the name too


def test_a_workbook_row_reaching_past_the_header_and_a_control_character_are_problems():
    data = workbook(["id", "text"], [1, "fine"], [2, "text", "stray"], [3, "\u200b"])
    table = read_table(data, file_name="x.xlsx")
    assert problems(table) == [(3, ""), (4, "text")]


def test_json_lines_are_read_key_by_key():
    lines = [
        {"id": 1, "author": "@Ann", "inbound": True, "text": "Hi"},
        {"id": 2.0, "author": "Doc James", "inbound": False, "tags": ["a", "b"]},
        {"id": 3, "author": None},
    ]
    data = "\n".join(json.dumps(line) for line in lines[:2]) + "\n\n" + json.dumps(lines[2]) + "\n"
    table = read_table(data.encode(), file_name="export.jsonl")
    assert table.file_format == "jsonl"
    assert table.columns == ("id", "author", "inbound", "text", "tags")
    assert table.rows == (
        ("1", "@Ann", "true", "Hi", ""),
        ("2", "Doc James", "false", "", '["a", "b"]'),
        ("3", "", "", "", ""),
    )
    assert [table.row_number(i) for i in range(3)] == [1, 2, 4]


def test_broken_json_lines_are_problems_naming_the_line():
    data = b'{"id": 1, "text": "fine"}\n{"id": 2, "text": \n[1, 2]\n{"id": 4, "text": "\\u0000x"}\n'
    table = read_table(data)
    assert problems(table) == [(2, ""), (3, ""), (4, "text")]
    assert "not valid JSON" in table.problems[0].message and "not a JSON object" in table.problems[1].message


def test_guessing_columns_matches_names_loosely_and_uses_each_column_once():
    columns = ["Created At", "User Name", "Message text", "Username"]
    hints = {"received": ["created_at"], "author": ["username", "user"], "text": ["text"]}
    assert guess_columns(columns, hints) == {"received": "Created At", "author": "User Name"}
    assert guess_columns(columns, hints, partial=True) == {
        "received": "Created At",
        "author": "User Name",
        "text": "Message text",
    }


def _starting_one_by_one(table: Table, column: str, lead: str) -> list[tuple[int, str, str]]:
    return [value for value in table.column_values(column) if re.match(lead, value[2])]


def test_the_cells_of_a_column_that_start_with_a_lead_are_found_with_their_spreadsheet_rows():
    data = (
        "Id,Sent\n"
        "1,2025-03-04 10:00\n"
        "2,03/04/2025 10:00\n"
        "\n"  # a blank row is a row in the spreadsheet
        '3,"see below\n03/04/2025 on the second line"\n'  # a later line of a cell is not its start
        "4,  13-04-2025\n"
        "5,1741082400\n"
        "6,4/3/25 9:00\n"
    )
    table = read_table(data.encode())
    found = list(table.column_values("Sent", lead=DATE_ORDER_LEAD))
    assert found == [(3, "Sent", "03/04/2025 10:00"), (6, "Sent", "  13-04-2025"), (8, "Sent", "4/3/25 9:00")]
    assert found == _starting_one_by_one(table, "Sent", DATE_ORDER_LEAD)
    assert list(table.column_values("Missing", lead=DATE_ORDER_LEAD)) == []


def test_a_cell_holding_the_joining_character_is_searched_alone_and_misses_nothing():
    table = Table(columns=("Sent",), rows=(("01/02/2025",), ("x\x0003/04/2025",), ("05/06/2025",)))
    assert list(table.column_values("Sent", lead=DATE_ORDER_LEAD)) == [
        (2, "Sent", "01/02/2025"),
        (4, "Sent", "05/06/2025"),
    ]


def test_a_column_of_iso_dates_settles_nothing_and_a_day_first_one_settles_the_order():
    rows = [f"msg-{n},2025-0{1 + n % 9}-1{n % 10}T10:00:00Z" for n in range(2000)]
    iso = read_table(("Id,Sent\n" + "\n".join(rows)).encode())
    assert settle_date_order(iso.column_values("Sent", lead=DATE_ORDER_LEAD)).chosen_by == "nothing to settle"
    mixed = read_table(("Id,Sent\n" + "\n".join(rows) + "\nlate,25/12/2025 10:00\n").encode())
    order = settle_date_order(mixed.column_values("Sent", lead=DATE_ORDER_LEAD))
    assert (order.order, order.evidence.row) == ("DMY", 2002)


def test_a_row_reader_gives_the_cells_of_the_plain_constructor_and_empty_unmapped_fields():
    positions = {"author": 2, "text": 0}
    mapping = {"author": "From", "text": "Body"}
    read = RowCells.reader(positions, mapping, ("author", "text", "channel", "post"))
    values = ("  Hello there ", "ignored", " Doc James ")
    cells = read(values)
    assert cells == RowCells(values, positions, mapping) | {"channel": "", "post": ""}
    assert (cells("author"), cells("text"), cells("channel"), cells("not a field")) == (
        "Doc James",
        "Hello there",
        "",
        "",
    )
    assert (cells.column("author"), cells.column("channel")) == ("From", "")
    assert read(("only one",)) == RowCells(("only one",), positions, mapping) == {"text": "only one"}
    single = RowCells.reader({"text": 0}, {"text": "Body"})
    assert single((" Hi ",)) == {"text": "Hi"}


@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "bare cr"])
def test_only_csv_line_ends_end_a_row_not_the_other_unicode_line_breaks(line_break):
    # str.splitlines breaks at all of these too; a CSV row does not.
    text = line_break.join(["id,text", "1,a\u2028b", "2,c\x85d", '3,"two' + line_break + 'lines"', "4,e\u2029f", ""])
    assert read_table(text).rows == (
        ("1", "a\u2028b"),
        ("2", "c\x85d"),
        ("3", "two" + line_break + "lines"),
        ("4", "e\u2029f"),
    )
    ascii_only = line_break.join(["id,text", "1,form\x0cfeed", "2,fine", ""])
    table = read_table(ascii_only)
    assert table.rows == (("2", "fine"),)
    assert [(problem.row, "control character" in problem.message) for problem in table.problems] == [(2, True)]


def test_row_errors_keep_the_first_ones_and_count_all():
    errors = RowErrors(limit=2)
    assert not errors
    for row in range(2, 7):
        errors.add(row, "text", "too long")
    assert errors.count == 5 and [e.row for e in errors.items] == [2, 3]


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u2066", "\U000e0041"])
@pytest.mark.parametrize("length", [10, 50_000], ids=["a-cell", "a-whole-file"])
def test_an_invisible_character_is_found_in_a_cell_and_in_a_whole_file(hidden, length):
    text = ("Grüße, Doc James; " * length)[:length]
    assert not controls.has_invisible(text)
    assert not controls.has_invisible(text.encode("ascii", "ignore").decode())
    assert controls.has_invisible(text[: length // 2] + hidden + text[length // 2 :])
    assert controls.strip_invisible(text + hidden) == text
