"""Survey import (dates, mapping, preview, all or nothing, never twice), the CSV export and the command line."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from core.errors import ValidationError
from core.ideas.files import (
    ImportMapping,
    export_csv,
    guess_mapping,
    import_ideas,
    parse_date,
    preview_import,
    read_csv,
)
from core.ideas.queries import board_page
from db.models import Idea, Role
from tests.core.ideas.helpers import log
from tests.factories import make_channel

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-31", dt.datetime(2025, 3, 30, 22, 0, tzinfo=UTC)),
        ("2025-03-31 14:05", dt.datetime(2025, 3, 31, 12, 5, tzinfo=UTC)),
        ("31.03.2025", dt.datetime(2025, 3, 30, 22, 0, tzinfo=UTC)),
        ("03/31/2025 14:05:00", dt.datetime(2025, 3, 31, 12, 5, tzinfo=UTC)),
        ("2025-03-31T12:05:00Z", dt.datetime(2025, 3, 31, 12, 5, tzinfo=UTC)),
    ],
)
def test_import_dates_are_read_as_local_times(text, expected):
    assert parse_date(text, BERLIN) == expected


def test_an_unreadable_date_says_how_to_write_it():
    with pytest.raises(ValueError, match="use e.g. 2025-03-31"):
        parse_date("31/31/2025", BERLIN)


def test_the_mapping_is_guessed_from_column_names():
    mapping = guess_mapping(["Timestamp", "Your idea", "Why does it matter?", "Telegram username", "Channel"])
    assert mapping == ImportMapping(
        title="Your idea",
        description="Why does it matter?",
        handle="Telegram username",
        date="Timestamp",
        channel="Channel",
    )


# --- import and export ------------------------------------------------------------------------

SURVEY = (
    b"Timestamp,Your idea,Why,Username\n"
    b"2025-03-01 10:00,Dark mode,My eyes,@ann\n"
    b'2025-03-02 11:00,Export to Excel,,"@bo, @cy"\n'
    b",,,\n"
    b'2025-03-02 11:00,Export to Excel,,"@bo, @cy"\n'
)
MAPPING = ImportMapping(title="Your idea", description="Why", handle="Username", date="Timestamp")


def test_survey_results_import_once_and_a_reimport_adds_nothing(write, read, team):
    lead = team[Role.lead]
    with read() as s:
        preview = preview_import(session=s, data=SURVEY, mapping=MAPPING)
    assert (len(preview.rows), preview.repeated_in_file, preview.blank, preview.errors) == (2, 1, 1, ())
    with write() as s:
        result = import_ideas(session=s, actor=lead, data=SURVEY, mapping=MAPPING)
    assert (result.created, result.givers, result.repeated_in_file) == (2, 3, 1)
    with read() as s:
        rows = board_page(session=s, sort="oldest").rows
        assert [(r.title, r.demand, r.source, r.status) for r in rows] == [
            ("Dark mode", 1, "survey", "new"),
            ("Export to Excel", 2, "survey", "new"),
        ]
        assert rows[0].created_at == dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    with write() as s:
        again = import_ideas(session=s, actor=lead, data=SURVEY, mapping=MAPPING)
    assert (again.created, again.already_imported) == (0, 3)  # every data row of the file, repeats included
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2


def test_an_import_with_a_bad_row_saves_nothing_and_names_row_and_column(write, read, team):
    data = (
        b"Idea,When,Channel\n"
        b"Dark mode,2025-03-01,Insta\n"
        b",2025-03-01,Insta\n"
        b"Export,yesterday,Insta\n"
        b"Widget,2025-03-01,Fax\n"
    )
    mapping = ImportMapping(title="Idea", date="When", channel="Channel")
    with write() as s:
        make_channel(s, name="Insta")
    with read() as s:
        preview = preview_import(session=s, data=data, mapping=mapping)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "Idea"), (4, "When"), (5, "Channel")]
    assert "unknown channel 'Fax'" in preview.errors[2].message
    with (
        pytest.raises(ValidationError, match=r"Nothing was imported: 3 problem\(s\).*row 3, column 'Idea'"),
        write() as s,
    ):
        import_ideas(session=s, actor=team[Role.lead], data=data, mapping=mapping)
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0


@pytest.mark.parametrize(
    ("data", "mapping", "message"),
    [
        (b"", MAPPING, "empty"),
        # Not text (NUL bytes throughout; a file starting with \xff\xfe is read as UTF-16, see below).
        (b"\xff\x00bad" * 20, MAPPING, "NUL bytes"),
        (b"Idea,Other\nx,y\n", ImportMapping(title="Title"), "not in the file"),
        (b"Idea,Other\nx,y\n", ImportMapping(title="Idea", description="Idea"), "one field only"),
    ],
)
def test_unusable_files_and_mappings_are_explained(read, data, mapping, message):
    with pytest.raises(ValidationError, match=message), read() as s:
        preview_import(session=s, data=data, mapping=mapping)


def test_a_column_name_used_twice_is_a_problem_on_the_header_row(read):
    with read() as s:
        preview = preview_import(session=s, data=b"Idea,Idea\nx,y\n", mapping=ImportMapping(title="Idea"))
    assert [(e.row, e.column) for e in preview.errors] == [(1, "Idea")] and not preview.ok


def test_semicolon_separated_files_are_read():
    columns, rows = read_csv(b"Idee;Name\nDunkelmodus;@ann\n")
    assert columns == ["Idee", "Name"] and rows == [["Dunkelmodus", "@ann"]]


def test_a_spreadsheets_unicode_text_export_is_read(read):
    data = "Your idea\tUsername\nDunkelmodus für die App\t@ann\n".encode("utf-16")
    with read() as s:
        preview = preview_import(session=s, data=data, mapping=ImportMapping(title="Your idea", handle="Username"))
    assert [(r.title, [h.display for h in r.handles]) for r in preview.rows] == [("Dunkelmodus für die App", ["@ann"])]


def test_the_export_neutralises_formulas_and_lists_givers(write, read, team):
    log(write, team[Role.editor], title='=HYPERLINK("http://evil")', handles="@ann, @bo")
    with read() as s:
        text = export_csv(session=s, actor=team[Role.analyst])
    header, row = text.splitlines()[:2]
    assert header.split(",")[:4] == ["id", "title", "description", "status"]
    assert "'=HYPERLINK" in row and "@ann, @bo" in row


def test_the_command_line_imports_once_and_exports_ideas(engine, read, team, tmp_path, capsys):
    from core.cli import main

    survey = tmp_path / "survey.csv"
    survey.write_bytes(SURVEY)
    assert main(["import-ideas", str(survey), "--dry-run"], engine=engine) == 0
    assert "2 new idea(s)" in capsys.readouterr().out
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0
    assert main(["import-ideas", str(survey)], engine=engine) == 0
    assert main(["import-ideas", str(survey)], engine=engine) == 0
    assert "Imported 0 idea(s)" in capsys.readouterr().out
    target = tmp_path / "csv"
    assert main(["export-ideas", str(target)], engine=engine) == 0
    assert {"Dark mode", "Export to Excel"} <= {line.split(",")[1] for line in target.read_text().splitlines()[1:]}


def test_the_command_line_reports_bad_rows_and_writes_nothing(engine, read, tmp_path, capsys):
    from core.cli import main

    survey = tmp_path / "survey.csv"
    survey.write_text("Idea,When\nDark mode,2025-03-01\n,2025-03-02\n")
    assert main(["import-ideas", str(survey), "--title", "Idea", "--date", "When"], engine=engine) == 1
    assert "row 3, column 'Idea': the title is empty" in capsys.readouterr().err
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0
