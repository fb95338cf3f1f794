"""The imports' bulk insert: a load bigger than what a SQLite table holds builds the table's
indexes once after the rows; the indexes come back the same, stay consistent with the rows, and a
load that fails leaves them as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from core import import_batches
from core.sla import import_fields, imports
from db.models import Conversation, Role
from tests.factories import make_channel, make_sla_policy, make_user

NOW = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
ROWS = 60
SMALL_BIG_LOAD = 40  # the threshold, made small so a test file of a few dozen rows crosses it


def export(rows: int, *, first: int = 0) -> bytes:
    """An inbox export: mixed-case handles, display names with spaces, replies and closed times."""
    lines = ["Message ID,Created At,From,Body,First Response At,Closed At,Type"]
    for n in range(first, first + rows):
        received = dt.datetime(2025, 11, 3, 8, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=37 * n)
        replied = received + dt.timedelta(minutes=5 + n % 90)
        lines.append(
            f"msg-{n},{received:%Y-%m-%dT%H:%M:%SZ},{'@Ann' if n % 3 else 'Doc James'},"
            f'"Question {n}, about the export",{replied:%Y-%m-%dT%H:%M:%SZ},'
            f"{'' if n % 4 else f'{replied + dt.timedelta(hours=2):%Y-%m-%dT%H:%M:%SZ}'},question"
        )
    return ("\n".join(lines) + "\n").encode()


def stored_row(channel_id: int, external_id: str, instant: dt.datetime) -> dict:
    """A conversation as the imports hand it to the bulk insert: every column given."""
    return {
        "external_id": external_id,
        "channel_id": channel_id,
        "kind": "question",
        "author_handle": "@Ann",
        "author_key": "ann",
        "text": "",
        "link": "",
        "category": "",
        "received_at": instant,
        "status": "open",
        "no_reply_reason": "",
        "escalation_reason": "",
        "useful": False,
        "best": False,
        "engagement": 0,
        "reply_before_message": False,
        "created_at": instant,
        "version": 1,
    }


def indexes(engine) -> list[tuple[str, tuple[str, ...], bool]]:
    found = inspect(engine).get_indexes(Conversation.__tablename__)
    return sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found)


@pytest.fixture
def support_and_channel(write):
    with write() as s:
        support = make_user(s, Role.support, username="sam", name="Sam Support")
        channel = make_channel(s, name="Instagram")
        make_sla_policy(s, name="General", minutes=120)
    return support, channel


def run_import(write, actor, channel, data: bytes):
    mapping = import_fields.suggest_mapping(imports.read_csv(data).columns)
    options = import_fields.ImportOptions(channel_id=channel.id, mapping=mapping, file_name="inbox.csv")
    with write() as s:
        return imports.import_conversations(session=s, actor=actor, data=data, options=options, now=NOW)


def test_a_big_load_builds_the_same_indexes_after_the_rows_and_they_hold_every_row(
    engine, write, read, support_and_channel, sql_statements, monkeypatch, backend
):
    monkeypatch.setattr(import_batches, "BIG_LOAD", SMALL_BIG_LOAD)
    support, channel = support_and_channel
    before = indexes(engine)
    with sql_statements() as seen:
        report = run_import(write, support, channel, export(ROWS))
    assert report.ok and report.created == ROWS
    assert indexes(engine) == before
    dropped = [s for s in seen if s.lstrip().upper().startswith("DROP INDEX")]
    if backend == "sqlite":
        # every plain index went and came back; the unique one stayed and refused duplicates throughout
        assert len(dropped) == len([i for i in before if not i[2]]) > 5
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            # a KPI-style read uses the rebuilt index and finds every row
            plan = " ".join(
                str(row[-1])
                for row in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT count(*) FROM conversation WHERE author_key = 'ann'"
                )
            )
            assert "ix_conversation_author" in plan
    else:
        assert dropped == []  # PostgreSQL keeps its indexes
    with read() as s:
        per_person = dict(
            s.execute(select(Conversation.author_key, func.count()).group_by(Conversation.author_key)).all()
        )
    assert per_person == {"ann": 40, "doc james": 20}


def test_a_load_smaller_than_what_the_table_holds_keeps_the_indexes(
    engine, write, support_and_channel, sql_statements, monkeypatch
):
    monkeypatch.setattr(import_batches, "BIG_LOAD", SMALL_BIG_LOAD)
    support, channel = support_and_channel
    assert run_import(write, support, channel, export(ROWS)).created == ROWS
    with sql_statements() as seen:
        report = run_import(write, support, channel, export(SMALL_BIG_LOAD + 5, first=ROWS))
    assert report.created == SMALL_BIG_LOAD + 5
    assert not [s for s in seen if "DROP INDEX" in s.upper()]


def test_a_big_load_that_fails_leaves_the_indexes_as_they_were(engine, write, read, support_and_channel, monkeypatch):
    monkeypatch.setattr(import_batches, "BIG_LOAD", SMALL_BIG_LOAD)
    support, channel = support_and_channel
    before = indexes(engine)
    # the unique (channel, external id) refuses the 11th row
    rows = [stored_row(channel.id, f"dup-{n % 10}", NOW) for n in range(ROWS)]
    with pytest.raises(IntegrityError), write() as s:
        import_batches.bulk_insert(s.connection(), Conversation.__table__, rows)
    assert indexes(engine) == before
    with read() as s:
        assert s.execute(text("SELECT count(*) FROM conversation")).scalar_one() == 0


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2025, 3, 30, 1, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2017, 10, 31, 22, 10, 47, tzinfo=dt.UTC),
        dt.datetime(812, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 30, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ],
    ids=["microseconds", "whole-seconds", "year-812", "with-an-offset"],
)
def test_a_time_bulk_inserted_is_stored_exactly_as_the_orm_stores_it(engine, write, read, support_and_channel, instant):
    _support, channel = support_and_channel
    row = stored_row(channel.id, "bulk", instant)
    with write() as s:
        s.add(Conversation(**{**row, "external_id": "orm"}))
        s.flush()
        import_batches.bulk_insert(s.connection(), Conversation.__table__, [row])
    with read() as s:
        stored = dict(s.execute(text("SELECT external_id, received_at FROM conversation")).all())
        assert stored["bulk"] == stored["orm"]
        read_back = {c.external_id: c.received_at for c in s.exec(select(Conversation)).scalars()}
    assert read_back["bulk"] == read_back["orm"] == instant


def test_a_value_the_same_in_every_row_is_stored_as_a_bound_one_and_text_people_wrote_is_always_bound(
    engine, write, read, support_and_channel
):
    _support, channel = support_and_channel
    instant = dt.datetime(2025, 3, 30, 1, 59, 59, 999999, tzinfo=dt.UTC)
    same = {  # every row the same: a flag, a number, NULL, an empty text, a time, and text a person wrote
        "useful": True,
        "engagement": 3,
        "assignee_id": None,
        "link": "",
        "created_at": instant,
        "category": "O'Brien's shop'); DROP TABLE conversation; --",
    }
    rows = [{**stored_row(channel.id, f"bulk-{n}", instant + dt.timedelta(minutes=n)), **same} for n in range(3)]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with write() as s:
        for n in range(3):
            s.add(Conversation(**{**rows[n], "external_id": f"orm-{n}"}))
        s.flush()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            import_batches.bulk_insert(s.connection(), Conversation.__table__, rows)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    [insert] = [statement for statement in statements if statement.startswith("INSERT")]
    # Bound: what differs between rows, and text (the same "question", "@Ann", category, status in
    # every row). Flags, numbers, NULL, empty texts are written once into the statement, and so is
    # the time where the driver is sent text (SQLite); PostgreSQL is sent the datetime itself.
    differs_or_text = {"external_id", "received_at", "kind", "author_handle", "author_key", "category", "status"}
    if engine.dialect.name != "sqlite":
        differs_or_text.add("created_at")
    assert insert.count("?") + insert.count("%s") == len(differs_or_text)
    assert "O'Brien" not in insert and "DROP" not in insert
    columns = ", ".join(Conversation.__table__.c.keys())
    with read() as s:
        stored = {r.external_id: r for r in s.execute(text(f"SELECT {columns} FROM conversation")).all()}
    for n in range(3):
        bulk, orm = stored[f"bulk-{n}"]._asdict(), stored[f"orm-{n}"]._asdict()
        differ = {key for key in bulk if bulk[key] != orm[key]}
        assert differ == {"id", "external_id"}, {key: (bulk[key], orm[key]) for key in differ}
    assert stored["bulk-2"].category == same["category"]
