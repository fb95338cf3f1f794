"""The profile page: every role sees who they are, changes their own password and ends sessions;
and the page frame, on a rerun, runs only the change-counter read and the session check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from core.settings import SessionLimits
from core.users import sessions
from core.users.rules import check_password
from core.users.sessions import EndReason
from db.models import Role, User
from db.types import utcnow
from tests.conftest import TEST_COOKIE_KEY
from tests.factories import TEST_PASSWORD
from tests.pages.apptest import open_page, start_session_for, texts
from ui import auth

NEW_PASSWORD = "a-brand-new-password"


def _check(read, token: str) -> sessions.SessionCheck:
    with read() as s:
        return sessions.check_session(session=s, token=token, key=TEST_COOKIE_KEY, now=utcnow(), limits=SessionLimits())


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_their_profile_and_this_session(team, role):
    at = open_page("profile", username=role.value)
    assert not at.exception and not at.error
    shown = texts(at)
    assert "Your profile" in shown
    assert team[role].name in shown
    assert f"Username {role.value}" in shown
    assert "Change your password" in shown
    assert "this session" in shown
    # Only other sessions can be ended here; this one is ended with "Sign out".
    assert not [b for b in at.button if b.label == "End"]


def test_changing_the_password_keeps_this_session_and_ends_the_others(team, read):
    at = open_page("profile", username="editor")
    other = start_session_for("editor")
    fields = {t.label: t for t in at.text_input}
    fields["Current password"].input(TEST_PASSWORD)
    fields["New password"].input(NEW_PASSWORD)
    fields["New password again"].input(NEW_PASSWORD)
    at = _button(at, "Change password").click().run()
    assert not at.exception and not at.error
    assert "Password changed" in texts(at)
    assert "Signed in as" in texts(at)
    with read() as s:
        user = s.exec(select(User).where(User.username == "editor")).one()
        assert check_password(NEW_PASSWORD, user.password_hash)
    assert _check(read, other).ended == EndReason.password
    at.run()
    assert "Signed in as" in texts(at)


@pytest.mark.parametrize(
    ("current", "again", "message"),
    [
        ("not-my-password", NEW_PASSWORD, "current password is not right"),
        (TEST_PASSWORD, "something-else-entirely", "two new passwords differ"),
    ],
)
def test_a_wrong_current_password_or_a_mistyped_new_one_changes_nothing(team, read, current, again, message):
    at = open_page("profile", username="analyst")
    other = start_session_for("analyst")
    fields = {t.label: t for t in at.text_input}
    fields["Current password"].input(current)
    fields["New password"].input(NEW_PASSWORD)
    fields["New password again"].input(again)
    at = _button(at, "Change password").click().run()
    assert not at.exception
    assert message in at.error[0].value
    with read() as s:
        user = s.exec(select(User).where(User.username == "analyst")).one()
        assert check_password(TEST_PASSWORD, user.password_hash)
    assert _check(read, other).actor is not None


def test_ending_another_session_signs_that_browser_out(team, read):
    other = start_session_for("support")
    at = open_page("profile", username="support")
    assert len([b for b in at.button if b.label == "End"]) == 1
    at = _button(at, "End").click().run()
    assert not at.exception and not at.error
    assert "Session ended" in texts(at)
    assert _check(read, other).ended == EndReason.ended
    elsewhere = open_page("calendar")
    elsewhere.session_state[auth.SESSION_TOKEN] = other
    elsewhere.run()
    assert "Signed in as" not in texts(elsewhere)
    assert "ended from your profile" in elsewhere.warning[0].value


def test_ending_all_other_sessions(team, read):
    others = [start_session_for("lead") for _ in range(2)]
    at = open_page("profile", username="lead")
    at = _button(at, "End all other sessions").click().run()
    assert not at.exception and not at.error
    assert [_check(read, token).ended for token in others] == [EndReason.ended, EndReason.ended]
    assert "Signed in as" in texts(at)


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL statements every engine runs inside the block (transaction control left out)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            statements.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


@pytest.mark.parametrize("key", ["profile", "admin"])
def test_a_rerun_queries_only_the_change_counters_and_the_session(team, key):
    at = open_page(key, username="admin")
    assert not at.exception and "Signed in as" in texts(at)
    with counted_statements() as statements:
        at.run()
    assert not at.exception and "Signed in as" in texts(at)
    assert len(statements) == 2, statements
    assert "FROM data_version" in statements[0]
    assert "FROM user_session JOIN" in statements[1]
