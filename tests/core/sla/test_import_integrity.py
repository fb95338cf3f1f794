"""Import integrity: each bad file a hostile tester (or a real export) brings gives a row-level
error naming row and column, and imports nothing — on the screen's path and on the command line,
never a traceback."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import select

from core.sla import import_fields, imports
from db.models import Conversation, Role
from tests.factories import make_channel, make_sla_policy, make_user
from tests.test_cli import run_cli

NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
HEADER = "id,created,user,message\n"
GOOD = "g1,2025-11-10 10:00,@anna,Hello\n"
BAD_FILES = {
    # An unterminated quote would swallow the rows after it into one cell.
    "unterminated quote": (GOOD + 'b1,2025-11-10 11:00,@ben,"Charged twice\nb2,2025-11-10 12:00,@cy,Hi\n', 3, ""),
    "cell over 128 KiB": (GOOD + "b1,2025-11-10 11:00,@ben," + "x" * (128 * 1024 + 1) + "\n", 3, "message"),
    "too few cells": (GOOD + "b1,2025-11-10 11:00,@ben\n", 3, ""),
    "too many cells": (GOOD + "b1,2025-11-10 11:00,@ben,Hi,extra\n", 3, ""),
    "NUL in a cell": (GOOD + 'b1,2025-11-10 11:00,@ben,"\x00=HYPERLINK(""http://evil.example"")"\n', 3, "message"),
    "other control character": (GOOD + "b1,2025-11-10 11:00,@ben,Hi\x1b[31m\n", 3, "message"),
    "zero-width-only author": (GOOD + "b1,2025-11-10 11:00,\u200b\u200d,Hi\n", 3, "user"),
    "naive time in the autumn hour": (GOOD + "b1,2025-10-26 02:30,@ben,Hi\n", 3, "created"),
    "naive time in the spring gap": (GOOD + "b1,2025-03-30 02:30,@ben,Hi\n", 3, "created"),
}


@pytest.fixture
def setup(session):
    support = make_user(session, Role.support)
    channel = make_channel(session, name="Instagram")
    make_sla_policy(session, minutes=120)
    session.commit()
    return support, channel


def options(channel) -> import_fields.ImportOptions:
    mapping = {"external_id": "id", "received": "created", "author": "user", "text": "message"}
    return import_fields.ImportOptions(channel_id=channel.id, mapping=mapping, timezone="Europe/Berlin")


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_each_bad_file_names_row_and_column_and_imports_nothing(session, setup, case):
    support, channel = setup
    body, row, column = BAD_FILES[case]
    report = imports.import_conversations(
        session=session, actor=support, data=(HEADER + body).encode(), options=options(channel), now=NOW
    )
    session.commit()
    assert not report.written and report.error_count >= 1
    first = report.errors[0]
    assert first.row == row
    if column:
        assert first.column == column
    assert session.exec(select(func.count()).select_from(Conversation)).one() == 0


def test_a_duplicated_header_is_an_error_on_row_1(session, setup):
    support, channel = setup
    data = b"id,created,user,user\ng1,2025-11-10 10:00,@anna,@ann\n"
    report = imports.import_conversations(session=session, actor=support, data=data, options=options(channel), now=NOW)
    assert not report.written and report.errors[0].row == 1 and "user" in report.errors[0].message


@pytest.mark.parametrize("case", ["cell over 128 KiB", "NUL in a cell", "unterminated quote"])
def test_the_command_line_reports_the_row_never_a_traceback(engine, setup, tmp_path, case, read):
    body, row, _ = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    path.write_bytes((HEADER + body).encode())
    code, _, err = run_cli(engine, "import-conversations", str(path), "--channel", "Instagram", "--timezone", "UTC")
    assert code == 1
    assert f"row {row}" in err and "Traceback" not in err
    with read() as s:
        assert s.exec(select(func.count()).select_from(Conversation)).one() == 0
