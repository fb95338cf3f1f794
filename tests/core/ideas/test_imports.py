"""Survey import: mapping, preview, all or nothing, never twice; givers are people split only on
the chosen separators ("Doc James" stays whole); dates read by the one reader (the order settled
by the file or asked for); one batch, one audit entry; and the command line."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from sqlmodel import func, select

from core.errors import ValidationError
from core.ideas.imports import (
    ImportMapping,
    SurveyOptions,
    guess_mapping,
    import_ideas,
    preview_import,
    read_columns,
)
from core.ideas.queries import board_page
from core.timestamps import DateOrderNeeded
from db.models import AuditLog, DataImport, Idea, IdeaGiver, Role
from tests.factories import make_channel

UTC = dt.UTC


def options(mapping, **changes) -> SurveyOptions:
    return SurveyOptions(mapping=mapping, **changes)


def test_the_mapping_is_guessed_from_column_names():
    mapping = guess_mapping(["Timestamp", "Your idea", "Why does it matter?", "Telegram username", "Channel"])
    assert mapping == ImportMapping(
        title="Your idea",
        description="Why does it matter?",
        handle="Telegram username",
        date="Timestamp",
        channel="Channel",
    )


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (
            ["Zeitstempel", "Deine Idee", "Warum ist sie dir wichtig?", "Instagram-Nutzername", "Kanal"],
            ImportMapping("Deine Idee", "Warum ist sie dir wichtig?", "Instagram-Nutzername", "Zeitstempel", "Kanal"),
        ),
        (
            ["Datum", "Dein Vorschlag", "Begründung", "Benutzername", "Plattform"],
            ImportMapping("Dein Vorschlag", "Begründung", "Benutzername", "Datum", "Plattform"),
        ),
    ],
)
def test_the_mapping_is_guessed_from_the_column_names_of_a_german_form(columns, expected):
    assert guess_mapping(columns) == expected


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
        preview = preview_import(session=s, data=SURVEY, options=options(MAPPING))
    assert (len(preview.rows), preview.repeated_in_file, preview.blank, preview.errors) == (2, 1, 1, ())
    assert preview.date_note == "Dates without an offset are read in Europe/Berlin, the workspace's time zone."
    with write() as s:
        result = import_ideas(session=s, actor=lead, data=SURVEY, options=options(MAPPING))
    assert (result.created, result.givers, result.repeated_in_file) == (2, 3, 1)
    with read() as s:
        rows = board_page(session=s, sort="oldest").rows
        assert [(r.title, r.demand, r.source, r.status) for r in rows] == [
            ("Dark mode", 1, "survey", "new"),
            ("Export to Excel", 2, "survey", "new"),
        ]
        assert rows[0].created_at == dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    with write() as s:
        again = import_ideas(session=s, actor=lead, data=SURVEY, options=options(MAPPING))
    assert (again.created, again.already_imported) == (0, 3)  # every data row of the file, repeats included
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2


# A survey whose supporters column lists display names, as the Wikimedia wishlist survey does.
WISHLIST = (
    b"Proposal,Supporters,Submitted\n"
    b'"Better diff view","Doc James, Daniel Mietchen, Ann",2025-03-01 10:00\n'
    b'"Watchlist expiry","Daniel Mietchen\nDoc James\ndoc  james",2025-03-02 10:00\n'
    b'"Dark mode","@Ann; Bo Li",2025-03-03 10:00\n'
)
WISHLIST_MAPPING = ImportMapping(title="Proposal", handle="Supporters", date="Submitted")


def test_a_display_name_giver_column_keeps_doc_james_whole(write, read, team):
    with write() as s:
        result = import_ideas(session=s, actor=team[Role.lead], data=WISHLIST, options=options(WISHLIST_MAPPING))
    assert (result.created, result.givers) == (3, 7)
    with read() as s:
        givers = s.exec(
            select(Idea.title, IdeaGiver.handle, IdeaGiver.handle_key).join(Idea, Idea.id == IdeaGiver.idea_id)
        ).all()
        demand = {r.title: r.demand for r in board_page(session=s, sort="oldest").rows}
    by_idea: dict[str, list[str]] = {}
    for title, handle, _ in givers:
        by_idea.setdefault(title, []).append(handle)
    assert sorted(by_idea["Better diff view"]) == ["Ann", "Daniel Mietchen", "Doc James"]
    assert sorted(by_idea["Watchlist expiry"]) == ["Daniel Mietchen", "Doc James"]  # "doc  james" is Doc James
    assert sorted(by_idea["Dark mode"]) == ["@Ann", "Bo Li"]
    assert "Daniel" not in {handle for _, handle, _ in givers} and "James" not in {h for _, h, _ in givers}
    assert {key for _, _, key in givers} == {"doc james", "daniel mietchen", "ann", "bo li"}
    assert demand == {"Better diff view": 3, "Watchlist expiry": 2, "Dark mode": 2}


def test_givers_split_on_the_separator_the_person_chose(read, team):
    data = b'Idea,People\nExport,"Smith, Ann | Doe, John"\n'
    mapping = ImportMapping(title="Idea", handle="People")
    with read() as s:
        preview = preview_import(session=s, data=data, options=options(mapping, separators="pipe"))
        default = preview_import(session=s, data=data, options=options(mapping))
    assert [h.display for h in preview.rows[0].handles] == ["Smith, Ann", "Doe, John"]
    assert [h.display for h in default.rows[0].handles] == ["Smith", "Ann | Doe", "John"]
    with read() as s, pytest.raises(ValidationError, match="never split on spaces"):
        preview_import(session=s, data=data, options=options(mapping, separators=" "))


MONTH_FIRST = b"Idea,Date\nDark mode,03/04/2026\nExport,05/06/2026\nWidgets,12/11/2026\n"


def test_a_month_day_year_file_with_all_days_up_to_12_is_refused_until_the_order_is_given(read, team):
    mapping = ImportMapping(title="Idea", date="Date")
    with read() as s, pytest.raises(DateOrderNeeded, match="3 dates like 03/04/2025"):
        preview_import(session=s, data=MONTH_FIRST.replace(b"12/11/2026", b"02/11/2026"), options=options(mapping))
    with read() as s:
        preview = preview_import(
            session=s,
            data=MONTH_FIRST.replace(b"12/11/2026", b"02/11/2026"),
            options=options(mapping, date_order="mdy"),
        )
    berlin_midnight = dt.datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # 4 March, local midnight
    assert preview.rows[0].given_at == berlin_midnight
    assert preview.date_note.startswith("Dates read as month/day/year, as chosen.")


def test_one_unambiguous_row_settles_the_order_and_the_preview_says_which(read, team):
    data = MONTH_FIRST.replace(b"12/11/2026", b"12/25/2025")
    with read() as s:
        preview = preview_import(session=s, data=data, options=options(ImportMapping(title="Idea", date="Date")))
    assert preview.date_note.startswith("Dates read as month/day/year: row 4 has 12/25/2025 (Date).")
    assert [r.given_at.date() for r in preview.rows] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 5, 5),
        dt.date(2025, 12, 24),
    ]


def test_an_import_with_a_bad_row_saves_nothing_and_names_row_and_column(write, read, team):
    data = (
        b"Idea,When,Channel,Who\n"
        b"Dark mode,2025-03-01,Insta,@ann\n"
        b",2025-03-01,Insta,@bo\n"
        b"Export,yesterday,Insta,@cy\n"
        b"Widget,2025-03-01,Fax,@dee\n"
        b"Search,2025-03-01,insta,\xe2\x80\x8b\n"  # a giver of one zero-width space
        b"\x00=HYPERLINK(1),2025-03-01,Insta,@ed\n"
    )
    mapping = ImportMapping(title="Idea", date="When", channel="Channel", handle="Who")
    with write() as s:
        make_channel(s, name="Insta")
    with read() as s:
        preview = preview_import(session=s, data=data, options=options(mapping))
    assert sorted((e.row, e.column) for e in preview.errors) == [
        (3, "Idea"),
        (4, "When"),
        (5, "Channel"),
        (6, "Who"),
        (7, "Idea"),
    ]
    messages = {e.row: e.message for e in preview.errors}
    assert "unknown channel 'Fax'" in messages[5]
    assert "invisible" in messages[6] and "U+0000 NUL" in messages[7]
    with (
        pytest.raises(ValidationError, match=r"Nothing was imported: 5 problems"),
        write() as s,
    ):
        import_ideas(session=s, actor=team[Role.lead], data=data, options=options(mapping))
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0
        assert s.exec(select(func.count()).select_from(DataImport)).one() == 0


def test_one_audit_entry_per_import_lists_what_it_created(write, read, team):
    with write() as s:
        result = import_ideas(
            session=s, actor=team[Role.lead], data=WISHLIST, options=options(WISHLIST_MAPPING, file_name="wishlist.csv")
        )
    with read() as s:
        entries = s.exec(select(AuditLog)).all()
        ideas = sorted(s.exec(select(Idea.id).where(Idea.import_id == result.import_id)).all())
        givers = sorted(s.exec(select(IdeaGiver.id).where(IdeaGiver.import_id == result.import_id)).all())
    imports = [e for e in entries if e.action == "idea.import"]
    assert len(imports) == 1 and not [e for e in entries if e.entity in ("idea", "idea_giver")]
    after = json.loads(imports[0].after)
    assert (imports[0].entity, imports[0].entity_id) == ("data_import", result.import_id)
    assert after["created_ids"] == {"idea": [[ideas[0], ideas[-1]]], "idea_giver": [[givers[0], givers[-1]]]}
    assert (after["created"], after["givers"], after["file"]) == (3, 7, "wishlist.csv")


def test_a_workbook_survey_imports_like_a_csv(write, read, team):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Proposal", "Supporters", "Submitted"])
    sheet.append(["Better diff view", "Doc James, Ann", dt.datetime(2025, 3, 1, 10, 0)])
    buffer = io.BytesIO()
    book.save(buffer)
    with write() as s:
        result = import_ideas(
            session=s,
            actor=team[Role.lead],
            data=buffer.getvalue(),
            options=options(WISHLIST_MAPPING, file_name="survey.xlsx"),
        )
    assert (result.created, result.givers) == (1, 2)


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
        preview_import(session=s, data=data, options=options(mapping))


def test_a_column_name_used_twice_is_a_problem_on_the_header_row(read):
    with read() as s:
        preview = preview_import(session=s, data=b"Idea,Idea\nx,y\n", options=options(ImportMapping(title="Idea")))
    assert [(e.row, e.column) for e in preview.errors] == [(1, "Idea")] and not preview.ok


def test_semicolon_separated_files_are_read():
    assert read_columns(b"Idee;Name\nDunkelmodus;@ann\n") == ["Idee", "Name"]


def test_a_spreadsheets_unicode_text_export_is_read(read):
    data = "Your idea\tUsername\nDunkelmodus für die App\t@ann\n".encode("utf-16")
    with read() as s:
        preview = preview_import(
            session=s, data=data, options=options(ImportMapping(title="Your idea", handle="Username"))
        )
    assert [(r.title, [h.display for h in r.handles]) for r in preview.rows] == [("Dunkelmodus für die App", ["@ann"])]


# --- the command line -----------------------------------------------------------------------------


def test_the_command_line_imports_once_and_exports_ideas(engine, read, team, tmp_path, capsys):
    from core.cli import main

    survey = tmp_path / "survey.csv"
    survey.write_bytes(SURVEY)
    assert main(["import-ideas", str(survey), "--dry-run"], engine=engine) == 0
    assert "2 new idea(s) with 3 giver(s)" in capsys.readouterr().out
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
    assert "row 3, column Idea: the title is empty" in capsys.readouterr().err
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0


def test_the_command_line_asks_for_the_date_order_and_takes_it(engine, read, team, tmp_path, capsys):
    from core.cli import main

    survey = tmp_path / "survey.csv"
    survey.write_bytes(MONTH_FIRST.replace(b"12/11/2026", b"02/11/2026"))
    assert main(["import-ideas", str(survey), "--title", "Idea", "--date", "Date"], engine=engine) == 1
    assert "Choose the date order" in capsys.readouterr().err
    assert (
        main(["import-ideas", str(survey), "--title", "Idea", "--date", "Date", "--date-order", "mdy"], engine=engine)
        == 0
    )
    with read() as s:
        assert sorted(d.month for d in s.exec(select(Idea.created_at)).all()) == [
            2,
            3,
            5,
        ]  # local midnight: the day before in UTC
