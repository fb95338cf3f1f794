"""CSV import of platform exports: the file and the mapping, the explicit time zone for naive
timestamps, a row-level report that names row and column, all-or-nothing, idempotent re-imports,
SLA figures per row, progress, and the command line that uses the same code."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from core import cli
from core.errors import PermissionDenied, ValidationError
from core.sla import figures, import_fields, import_rows, imports, policies
from db.models import AuditLog, Conversation, Role
from tests.factories import make_channel, make_sla_policy, make_user

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- the file and the mapping ---------------------------------------------------------------------


def test_header_names_suggest_a_mapping():
    columns = (
        "Message ID",
        "Created At",
        "From",
        "Body",
        "First Response At",
        "Closed At",
        "Permalink",
        "Type",
        "Topic",
        "Likes",
    )
    assert import_fields.suggest_mapping(columns) == {
        "external_id": "Message ID",
        "received": "Created At",
        "author": "From",
        "text": "Body",
        "replied": "First Response At",
        "resolved": "Closed At",
        "link": "Permalink",
        "kind": "Type",
        "category": "Topic",
    }


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfid;created;user\n1;2025-11-10 10:00;@a\n",  # UTF-8 with BOM, semicolons
        "id\tcreated\tuser\n1\t2025-11-10 10:00\t@a\n".encode("cp1252"),
        b"id,created,user\r\n1,2025-11-10 10:00,@a\r\n\r\n",
        "id\tcreated\tuser\n1\t2025-11-10 10:00\t@a\n".encode("utf-16"),
    ],
    ids=["bom-semicolon", "tab-cp1252", "crlf-blank-line", "utf16-unicode-text"],
)
def test_common_csv_dialects_are_read(data):
    csv_file = import_rows.read_csv(data)
    assert csv_file.columns == ("id", "created", "user")
    assert csv_file.rows == (("1", "2025-11-10 10:00", "@a"),)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"PK\x03\x04\x00\x00", "not an Excel workbook"),
        (b"id,created\n" + b"\x00\x01\x02\x03" * 40, "not plain text"),
    ],
)
def test_unreadable_files_are_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        import_rows.read_csv(data)


def test_the_command_line_mapping_is_parsed_and_checked():
    assert import_fields.parse_mapping("received=Created at, author=User") == {
        "received": "Created at",
        "author": "User",
    }
    with pytest.raises(ValidationError, match="Unknown field 'sender'"):
        import_fields.parse_mapping("sender=User")
    with pytest.raises(ValidationError, match="field=column"):
        import_fields.parse_mapping("received")


# -- importing ----------------------------------------------------------------------------------


@pytest.fixture
def setup(session):
    support = make_user(session, Role.support)
    channel = make_channel(session, name="Instagram")
    make_sla_policy(session, minutes=120)
    make_sla_policy(session, minutes=60, kind="complaint")
    session.commit()
    return support, channel


MAPPING = {
    "external_id": "id",
    "received": "created",
    "author": "user",
    "text": "message",
    "replied": "replied",
    "resolved": "resolved",
    "kind": "type",
}


def options(channel, **changes) -> import_fields.ImportOptions:
    values = dict(channel_id=channel.id, mapping=MAPPING, timezone="Europe/Berlin", date_order="DMY")
    values.update(changes)
    return import_fields.ImportOptions(**values)


def count(session) -> int:
    return session.exec(select(func.count()).select_from(Conversation)).one()


MESSY = """id,created,user,message,replied,resolved,type
m1,2025-11-10T10:00:00+01:00,@anna,How do I export?,2025-11-10 11:00,,question
m2,10/11/2025 10:00,@ben,Charged twice,,,complaint
m3,yesterday,@cara,Hi,,,question
m4,2025-11-10 10:00,,No author here,,,question
m5,2025-11-10 10:00,@dan,Text,2025-13-01 10:00,,question
m6,1762766100,@eve,Text,,,rumour
m1,2025-11-10 10:05,@fay,Same id again,,,question
m8,2025-11-10 10:00,@gus,Closed before it came,,2025-11-09 10:00,question
m9,2025-11-10,@hal,No time,,,question
"""


def test_a_messy_file_gets_a_row_level_report_and_nothing_is_imported(session, setup):
    support, channel = setup
    report = imports.import_conversations(session=session, actor=support, data=MESSY, options=options(channel), now=NOW)
    session.commit()
    assert not report.ok and not report.written
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (4, "created"),  # 'yesterday'
        (5, "user"),  # empty author
        (6, "replied"),  # month 13
        (7, "type"),  # unknown kind
        (8, "id"),  # duplicate of row 2
        (9, "resolved"),  # resolved before received
        (10, "created"),  # date without time
    }
    assert report.error_count == 7
    duplicate = next(e for e in report.errors if e.row == 8)
    assert "Row 2" in duplicate.message
    assert count(session) == 0
    assert session.exec(select(AuditLog).where(AuditLog.action == "conversation.import")).first() is None


def test_missing_columns_are_reported_on_the_header_row(session, setup):
    support, channel = setup
    mapping = {"received": "created_at", "external_id": "id", "text": "id"}
    report = imports.import_conversations(
        session=session, actor=support, data=MESSY, options=options(channel, mapping=mapping), now=NOW
    )
    assert count(session) == 0
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert set(messages) == {(1, "created_at"), (1, ""), (1, "id")}
    assert "not in the file" in messages[(1, "created_at")]
    assert "Author handle" in messages[(1, "")]
    assert "more than one field" in messages[(1, "id")]


def test_naive_timestamps_need_an_explicitly_chosen_time_zone(session, setup):
    support, channel = setup
    data = "id,created,user\nx1,2025-11-10 10:00,@a\nx2,2025-11-10T10:00:00+01:00,@b\n"
    mapping = {"external_id": "id", "received": "created", "author": "user"}
    report = imports.import_conversations(
        session=session, actor=support, data=data, options=options(channel, mapping=mapping, timezone=None), now=NOW
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "created")]
    assert count(session) == 0
    report = imports.import_conversations(
        session=session,
        actor=support,
        data=data,
        options=options(channel, mapping=mapping, timezone="America/New_York"),
        now=NOW,
    )
    assert report.ok and report.created == 2
    stored = dict(session.exec(select(Conversation.external_id, Conversation.received_at)).all())
    assert stored == {"x1": utc("2025-11-10 15:00"), "x2": utc("2025-11-10 09:00")}


@pytest.mark.parametrize("zone", ["Berlin", "Europe", "Europe/"])
def test_an_unknown_time_zone_is_refused(session, setup, zone):
    support, channel = setup
    with pytest.raises(ValidationError, match="Unknown time zone"):
        imports.import_conversations(
            session=session, actor=support, data=MESSY, options=options(channel, timezone=zone), now=NOW
        )


def _good_file(rows: int) -> str:
    lines = ["id,created,user,message,replied,resolved,type"]
    start = dt.datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
    for n in range(rows):
        received = start + dt.timedelta(minutes=37 * n)
        replied = "" if n % 5 == 0 else (received + dt.timedelta(minutes=15 + n % 400)).strftime("%Y-%m-%dT%H:%M:%SZ")
        resolved = "" if n % 3 else (received + dt.timedelta(days=2)).strftime("%d.%m.%Y %H:%M") if replied else ""
        kind = ("question", "complaint", "ugc", "praise")[n % 4]
        local = received.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S") if n % 2 else received.isoformat()
        lines.append(f'ext-{n},{local},@user{n % 97},"Message {n}, with a comma",{replied},{resolved},{kind}')
    return "\n".join(lines) + "\n"


def test_a_good_file_imports_with_sla_figures_per_row_and_progress(session, setup):
    support, channel = setup
    calls = []
    report = imports.import_conversations(
        session=session,
        actor=support,
        data=_good_file(3000),
        options=options(channel, file_name="export.csv"),
        progress=lambda done, total, stage: calls.append((done, total, stage)),
        now=NOW,
    )
    session.commit()
    assert report.ok and report.written
    assert (report.created, report.updated, report.unchanged) == (3000, 0, 0)
    assert count(session) == 3000
    assert calls and calls[-1] == (3000, 3000, "Saving")
    book = policies.PolicyBook.load(session)
    for conversation in session.exec(
        select(Conversation).where(Conversation.external_id.in_(["ext-1", "ext-2", "ext-5", "ext-999"]))
    ):
        policy = book.for_conversation(channel_id=channel.id, kind=conversation.kind)
        expected = figures.sla_figures(
            received_at=conversation.received_at,
            first_reply_at=conversation.first_reply_at,
            policy_id=policy.id,
            first_response_minutes=policy.first_response_minutes,
            calendar=policy.calendar,
        )
        assert conversation.sla_policy_id == policy.id
        assert conversation.deadline_at == expected.deadline_at
        assert conversation.business_minutes_to_reply == pytest.approx(expected.business_minutes_to_reply)
    complaint = session.exec(select(Conversation).where(Conversation.external_id == "ext-1")).one()
    assert complaint.kind == "complaint" and complaint.window_minutes == 60
    assert complaint.text == "Message 1, with a comma" and complaint.status == "waiting"
    # One audit entry for the whole import, naming its batch and listing what it created.
    entry = session.exec(select(AuditLog).where(AuditLog.action == "conversation.import")).one()
    assert (entry.entity, entry.entity_id) == ("data_import", report.import_id)
    ids = sorted(session.exec(select(Conversation.id).where(Conversation.import_id == report.import_id)).all())
    assert len(ids) == 3000
    assert json.loads(entry.after) | {"mapping": None} == {
        "channel": "Instagram",
        "file": "export.csv",
        "rows": 3000,
        "created": 3000,
        "updated": 0,
        "unchanged": 0,
        "archived": 0,
        "messages": 0,
        "channels_created": [],
        "mapping": None,
        "timezone": "Europe/Berlin",
        "date_order": "DMY",
        "history_days": None,
        "import_id": report.import_id,
        "created_ids": {"conversation": [[ids[0], ids[-1]]]},
    }
    assert session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "conversation")).one() == 0


def test_re_importing_is_idempotent_and_only_fills_in_what_is_missing(session, setup):
    support, channel = setup
    first = "id,created,user,replied,resolved\na,2025-11-10 10:00,@a,,\nb,2025-11-10 10:00,@b,2025-11-10 10:30,\n"
    mapping = {
        "external_id": "id",
        "received": "created",
        "author": "user",
        "replied": "replied",
        "resolved": "resolved",
    }
    imports.import_conversations(
        session=session, actor=support, data=first, options=options(channel, mapping=mapping), now=NOW
    )
    session.commit()
    again = imports.import_conversations(
        session=session, actor=support, data=first, options=options(channel, mapping=mapping), now=NOW
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    later = (
        "id,created,user,replied,resolved\n"
        "a,2025-11-10 10:00,@a,2025-11-10 14:30,\n"  # the reply arrived meanwhile
        "b,2025-11-10 10:00,@b,2025-11-10 11:45,2025-11-11 09:00\n"  # a different reply time is not taken; resolved is
        "c,2025-11-10 12:00,@c,,\n"
    )
    report = imports.import_conversations(
        session=session, actor=support, data=later, options=options(channel, mapping=mapping), now=NOW
    )
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (1, 2, 0)
    assert count(session) == 3
    rows = {c.external_id: c for c in session.exec(select(Conversation))}
    assert rows["a"].first_reply_at == utc("2025-11-10 13:30")
    assert rows["a"].business_minutes_to_reply == pytest.approx(210)  # 10–13 plus 14–14:30
    assert rows["a"].status == "waiting" and rows["a"].version == 2
    assert rows["b"].first_reply_at == utc("2025-11-10 09:30") and rows["b"].status == "resolved"


def test_without_an_id_column_a_stable_id_keeps_re_imports_idempotent(session, setup):
    support, channel = setup
    data = "created,user,message\n2025-11-10 10:00,@a,Hello\n2025-11-10 10:00,@b,Hello\n"
    mapping = {"received": "created", "author": "user", "text": "message"}
    assert (
        imports.import_conversations(
            session=session, actor=support, data=data, options=options(channel, mapping=mapping), now=NOW
        ).created
        == 2
    )
    session.commit()
    assert (
        imports.import_conversations(
            session=session, actor=support, data=data, options=options(channel, mapping=mapping), now=NOW
        ).unchanged
        == 2
    )
    assert count(session) == 2


def test_the_same_external_id_in_another_channel_is_another_conversation(session, setup):
    support, channel = setup
    other = make_channel(session, name="Telegram")
    data = "id,created,user\n1,2025-11-10 10:00,@a\n"
    mapping = {"external_id": "id", "received": "created", "author": "user"}
    imports.import_conversations(
        session=session, actor=support, data=data, options=options(channel, mapping=mapping), now=NOW
    )
    imports.import_conversations(
        session=session, actor=support, data=data, options=options(other, mapping=mapping), now=NOW
    )
    assert count(session) == 2


def test_a_reply_before_the_message_is_imported_and_flagged(session, setup):
    support, channel = setup
    data = "id,created,user,replied\n1,2025-11-10 10:00,@a,2025-11-10 09:50\n"
    mapping = {"external_id": "id", "received": "created", "author": "user", "replied": "replied"}
    assert imports.import_conversations(
        session=session, actor=support, data=data, options=options(channel, mapping=mapping), now=NOW
    ).ok
    stored = session.exec(select(Conversation)).one()
    assert stored.reply_before_message and stored.business_minutes_to_reply is None


def test_preview_checks_everything_and_writes_nothing(session, setup):
    support, channel = setup
    report = imports.preview_import(
        session=session, actor=support, data=_good_file(50), options=options(channel), now=NOW, limit=5
    )
    assert report.ok and not report.written
    assert report.total_rows == 50 and report.created == 50 and len(report.preview) == 5
    assert report.preview[0].external_id == "ext-0" and report.preview[0].received_at == utc("2025-06-02 06:00")
    assert count(session) == 0


@pytest.mark.parametrize("role", [Role.community, Role.lead, Role.viewer])
def test_only_support_and_admin_import(session, setup, role):
    _, channel = setup
    actor = make_user(session, role)
    with pytest.raises(PermissionDenied):
        imports.import_conversations(session=session, actor=actor, data=MESSY, options=options(channel), now=NOW)


# -- the command line -----------------------------------------------------------------------------


def test_the_command_line_imports_with_the_same_code(engine, setup, tmp_path, capsys, read):
    _, channel = setup
    good = tmp_path / "export.csv"
    good.write_text("id,created,user,type\nc1,2025-11-10 10:00,@a,complaint\nc2,2025-11-10T10:00:00Z,@b,question\n")
    argv = [
        "import-conversations",
        str(good),
        "--channel",
        "instagram",
        "--map",
        "external_id=id,received=created,author=user,kind=type",
        "--timezone",
        "Europe/Berlin",
    ]
    assert cli.main(argv, engine=engine) == 0
    assert "2 new" in capsys.readouterr().out
    assert cli.main(argv, engine=engine) == 0
    assert "2 known already" in capsys.readouterr().out
    with read() as s:
        assert count(s) == 2

    bad = tmp_path / "bad.csv"
    bad.write_text("id,created,user\nz1,2025-11-10 10:00,@a\nz2,not a date 10:00,@b\n")
    assert (
        cli.main(
            ["import-conversations", str(bad), "--channel", "Instagram", "--timezone", "Europe/Berlin"], engine=engine
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "Nothing was imported: 1 problem(s)" in err and "row 3, column created" in err
    assert (
        cli.main(["import-conversations", str(bad), "--channel", "Instagram"], engine=engine) == 1
    )  # naive, no zone chosen
    assert "choose the time zone" in capsys.readouterr().err
    assert cli.main(["import-conversations", str(good), "--channel", "Nowhere"], engine=engine) == 1
    assert "No channel named 'Nowhere'" in capsys.readouterr().err
    with read() as s:
        assert count(s) == 2


def _big_file(rows: int) -> str:
    """A clean export in mixed formats: UTC ISO, Berlin wall times with dashes and with dots."""
    lines = ["id,created,user,message,replied,resolved,type"]
    start = dt.datetime(2025, 1, 6, 6, 0, tzinfo=UTC)
    for n in range(rows):
        received = start + dt.timedelta(minutes=3 * n + n % 3)
        replied = "" if n % 5 == 0 else (received + dt.timedelta(minutes=5 + n % 300)).strftime("%Y-%m-%dT%H:%M:%SZ")
        resolved = (
            (received + dt.timedelta(days=2)).astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
            if replied and n % 3 == 0
            else ""
        )
        created = received.isoformat() if n % 2 else received.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(
            f'big-{n},{created},@user{n % 997},"Message {n}, with a comma",{replied},{resolved},{("question", "complaint", "ugc", "praise")[n % 4]}'
        )
    return "\n".join(lines) + "\n"


def test_a_good_file_of_100_000_rows_imports_in_one_go(session, setup):
    support, channel = setup
    later = dt.datetime(2026, 1, 5, tzinfo=UTC)
    report = imports.import_conversations(
        session=session, actor=support, data=_big_file(100_000), options=options(channel), now=later
    )
    session.commit()
    assert report.ok and report.written and report.created == 100_000
    assert count(session) == 100_000
    windows = dict(
        session.exec(select(Conversation.window_minutes, func.count()).group_by(Conversation.window_minutes)).all()
    )
    assert windows == {60: 25_000, 120: 75_000}  # complaints get their own policy, every row its figures
    again = imports.import_conversations(
        session=session, actor=support, data=_big_file(100_000), options=options(channel), now=later
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 100_000)
