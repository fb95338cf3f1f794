"""Shared fixtures: a real, migrated database per test, on SQLite and (when configured) on a
real PostgreSQL server.

Every test that takes ``engine`` runs once per backend. The PostgreSQL leg reads its server from
``TEST_DATABASE_URL``; without it the leg is skipped locally, and fails under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401
from core.permissions import Actor
from db.engine import make_engine, read_session, write_session
from db.migrate import upgrade_to_head
from db.models import Channel, Role
from tests.factories import make_channel, make_user

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent
TEST_COOKIE_KEY = "test-cookie-key-that-is-long-enough-for-pyjwt-0123456789"


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip a test whose dependency is missing — except in CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A private database on the TEST_DATABASE_URL server for this test session, migrated once."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    require_or_skip(bool(url), "TEST_DATABASE_URL is not set: PostgreSQL leg not run")
    server = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"dialogdesk_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade_to_head(engine)
        yield engine
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.connect() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.commit()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "postgres":
        engine = request.getfixturevalue("postgres_engine")
        _truncate_all(engine)
        return engine.url.render_as_string(hide_password=False)
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "dialogdesk.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url, backend, request) -> Iterator[Engine]:
    if backend == "postgres":
        yield request.getfixturevalue("postgres_engine")
        return
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session for arranging and asserting; commit explicitly to make data visible to others."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def write(engine):
    """``with write() as s:`` — one committed unit of work, as the screens use it."""
    return lambda: write_session(engine)


@pytest.fixture
def read(engine):
    return lambda: read_session(engine)


@pytest.fixture
def sql_statements(engine):
    """``with sql_statements() as seen:`` — the SQL statements the test's engine runs inside the
    block (transaction control left out), to prove a read is not one query per row."""

    @contextlib.contextmanager
    def counting() -> Iterator[list[str]]:
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:
            if statement.strip().lower() not in ("begin", "commit", "rollback"):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


# --- the people and channels most tests need ---------------------------------------------------

TEAM_NAMES = {
    Role.admin: "Ada Admin",
    Role.lead: "Lea Lead",
    Role.editor: "Ed Editor",
    Role.community: "Cora Community",
    Role.support: "Sven Support",
    Role.analyst: "Ana Analyst",
    Role.compliance: "Carl Compliance",
    Role.viewer: "Vera Viewer",
}


@pytest.fixture
def team(write) -> dict[str, Actor]:
    """One person per role, signed up with the role's name as username (``team[Role.lead]`` or
    ``team["lead"]``), plus ``team["owner"]``: a second editor, Olga Owner."""
    with write() as s:
        people: dict[str, Actor] = {
            role: make_user(s, role, username=role.value, name=TEAM_NAMES[role]) for role in Role
        }
        people["owner"] = make_user(s, Role.editor, username="owner", name="Olga Owner")
    return people


@pytest.fixture
def channel(write, request) -> Channel:
    """Instagram, the channel most tests work in. Its daily post limit is 3 unless the test
    module says otherwise with ``pytestmark = pytest.mark.daily_post_limit(N)``."""
    marker = request.node.get_closest_marker("daily_post_limit")
    with write() as s:
        return make_channel(s, name="Instagram", daily_post_limit=marker.args[0] if marker else 3)
