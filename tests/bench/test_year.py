"""The bench's generated year: anchored to its day, shaped like a team's real year, the small
scale a hundredth of the large one, and loadable into either backend as a working database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from bench import databases
from bench.year import SCALES, TIMEZONE, fingerprint, year_file, year_path
from core.permissions import Actor
from core.sla.conversations import log_conversation
from db.engine import make_engine, read_session, write_session
from db.models import Channel, Conversation, ConversationCreate, Role, User
from tests.conftest import require_or_skip

# A Wednesday morning in Berlin: the support desk is open, so the queues hold every SLA state.
NOW = dt.datetime(2026, 3, 18, 9, 30, tzinfo=dt.UTC)
SMALL = SCALES["2k"]


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    return year_file(SMALL, now=NOW, folder=tmp_path_factory.mktemp("year"))


def rows(path: Path, query: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def stamp(value: dt.datetime) -> str:
    # How SQLAlchemy stores an instant in SQLite (naive UTC, microseconds), so strings compare as instants.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("conversation", SMALL.conversations),
        ("post", SMALL.posts),
        ("idea", SMALL.ideas),
        ("vote", SMALL.votes),
        ("loop_item", SMALL.loop_items),
        ("audit_log", SMALL.audit_rows + 1),  # + the workspace's creation
        ("user", 48),
        ("channel", 4),
    ],
)
def test_the_year_holds_what_its_scale_says(year, table, expected):
    assert rows(year, f'SELECT COUNT(*) FROM "{table}"')[0][0] == expected


@pytest.mark.parametrize("field", ["conversations", "posts", "ideas", "votes", "loop_items", "audit_rows", "handles"])
def test_the_small_year_is_a_hundredth_of_the_large_one(field):
    assert getattr(SCALES["200k"], field) == 100 * getattr(SCALES["2k"], field)


def test_conversations_run_until_now_over_a_year(year):
    first, last = rows(year, "SELECT MIN(received_at), MAX(received_at) FROM conversation")[0]
    assert stamp(NOW - dt.timedelta(days=365)) <= first
    assert stamp(NOW - dt.timedelta(days=2)) <= last <= stamp(NOW)


def test_the_sla_queues_are_full_at_the_anchor(year):
    """Unanswered questions past their deadline, and replies only in the past."""
    breached = rows(
        year,
        "SELECT COUNT(*) FROM conversation WHERE status = 'open' AND first_reply_at IS NULL "
        f"AND kind IN ('question', 'complaint') AND deadline_at < '{stamp(NOW)}'",
    )[0][0]
    assert breached >= 5
    assert rows(year, f"SELECT COUNT(*) FROM conversation WHERE first_reply_at > '{stamp(NOW)}'")[0][0] == 0


def test_posts_are_planned_ahead_and_published_only_in_the_past(year):
    ahead = rows(year, f"SELECT COUNT(*) FROM post WHERE scheduled_at > '{stamp(NOW)}'")[0][0]
    assert ahead >= SMALL.posts * 0.03  # about a month of the 13 the posts span
    late = rows(year, f"SELECT COUNT(*) FROM post WHERE status = 'published' AND published_at > '{stamp(NOW)}'")
    assert late[0][0] == 0
    this_month = NOW.astimezone(TIMEZONE).strftime("%Y-%m")
    in_month = rows(year, f"SELECT COUNT(*) FROM post WHERE strftime('%Y-%m', scheduled_at) = '{this_month}'")
    assert in_month[0][0] >= 5  # the calendar's default month is not empty


def test_a_share_of_conversations_has_a_thread_that_starts_with_the_message(year):
    threads, total = rows(
        year, "SELECT COUNT(DISTINCT conversation_id), (SELECT COUNT(*) FROM conversation) FROM conversation_message"
    )[0]
    assert 0.15 <= threads / total <= 0.35
    mismatched = rows(
        year,
        "SELECT COUNT(*) FROM conversation_message m JOIN conversation c ON c.id = m.conversation_id "
        "WHERE (m.external_id LIKE '%-1' AND m.sent_at != c.received_at) "
        "OR (m.external_id LIKE '%-2' AND (m.sent_at != c.first_reply_at OR NOT m.from_team))",
    )
    assert mismatched[0][0] == 0


def test_conversations_linked_to_a_post_answer_one_published_before_on_their_channel(year):
    linked, total = rows(year, "SELECT COUNT(post_id), COUNT(*) FROM conversation")[0]
    assert 0.1 <= linked / total <= 0.4
    wrong = rows(
        year,
        "SELECT COUNT(*) FROM conversation c JOIN post p ON p.id = c.post_id "
        "WHERE p.published_at IS NULL OR p.published_at > c.received_at OR p.channel_id != c.channel_id",
    )
    assert wrong[0][0] == 0


def test_loop_items_close_loops_on_shipped_ideas(year):
    not_shipped = rows(
        year,
        "SELECT COUNT(*) FROM loop_item_idea li JOIN idea i ON i.id = li.idea_id "
        "WHERE i.status != 'shipped' OR i.shipped_at IS NULL",
    )
    assert not_shipped[0][0] == 0
    thanked_early = rows(
        year,
        "SELECT COUNT(*) FROM loop_thanks t JOIN loop_item l ON l.id = t.loop_item_id WHERE l.status = 'shipped'",
    )
    assert thanked_early[0][0] == 0


def test_the_file_is_reused_for_its_day_and_named_by_day_schema_and_generator(year):
    again = year_file(SMALL, now=NOW + dt.timedelta(hours=1), folder=year.parent)
    assert again == year
    tomorrow = year_path(SMALL, NOW.date() + dt.timedelta(days=1), year.parent)
    assert tomorrow != year
    assert fingerprint() in year.name
    bigger = dataclasses.replace(SMALL, name="other")
    assert year_path(bigger, NOW.date(), year.parent) != year


def test_the_year_loads_into_a_working_database(year, backend, database_url):
    """Every row arrives, instants stay instants, and the app can write on top (sequences set)."""
    databases.load(year, database_url)
    target = create_engine(database_url)
    expected = {
        name: rows(year, f'SELECT COUNT(*) FROM "{name}"')[0][0]
        for name in inspect(target).get_table_names()
        if name != "alembic_version"
    }
    with target.connect() as connection:
        for name, count in expected.items():
            assert connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar() == count, name
    target.dispose()

    engine = make_engine(database_url)
    with read_session(engine) as session:
        newest = session.exec(select(func.max(Conversation.id))).one()
        latest = session.exec(select(func.max(Conversation.received_at))).one()
        channel_id = session.exec(select(Channel.id).order_by(Channel.id)).first()
        user = session.exec(select(User).where(User.username == "support")).one()
    assert stamp(latest) == rows(year, "SELECT MAX(received_at) FROM conversation")[0][0]
    actor = Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name)
    with write_session(engine) as session:
        logged = log_conversation(
            session=session,
            actor=actor,
            conversation_in=ConversationCreate(
                channel_id=channel_id,
                author_handle="@New_Asker",
                text="Is the export broken?",
                received_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
            ),
        )
    assert logged.id > newest
    engine.dispose()


def test_an_older_schema_gets_the_rows_column_by_column(year, tmp_path):
    """A source at another revision is copied row by row into the target's own schema (what an
    older checkout gets), foreign keys between rows of one table included (merged ideas)."""
    source = tmp_path / "older.db"
    source.write_bytes(year.read_bytes())
    connection = sqlite3.connect(source)
    connection.execute("UPDATE alembic_version SET version_num = 'older'")
    connection.commit()
    connection.close()
    target = f"sqlite:///{tmp_path / 'target.db'}"
    how = databases.load(source, target)
    assert how.startswith("rows copied")
    path = tmp_path / "target.db"
    assert rows(path, "SELECT COUNT(*) FROM idea WHERE merged_into_id IS NOT NULL")[0][0] >= 1
    assert rows(path, "SELECT COUNT(*) FROM conversation")[0][0] == SMALL.conversations
    assert rows(path, "SELECT version_num FROM alembic_version")[0][0] != "older"
    assert rows(path, "PRAGMA foreign_key_check") == []


def test_a_postgresql_database_of_its_own_is_dropped_after_the_block():
    server = os.environ.get("TEST_DATABASE_URL", "")
    require_or_skip(bool(server), "TEST_DATABASE_URL is not set: PostgreSQL leg not run")
    with databases.postgres_database(server, label="test") as url:
        name = make_url(url).database
        assert name and name.startswith("dd_bench_test_")
        probe = create_engine(url)
        with probe.connect() as connection:
            assert connection.execute(text("SELECT current_database()")).scalar() == name
        probe.dispose()
    admin = create_engine(server)
    with admin.connect() as connection:
        left = connection.execute(text("SELECT COUNT(*) FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    admin.dispose()
    assert left == 0
