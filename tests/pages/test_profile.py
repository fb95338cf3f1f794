"""The profile page: every role sees who they are, changes their own password and ends sessions;
and the page frame, on a rerun, runs only the change-counter read and the session check."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from core import workspace
from core.settings import SessionLimits
from core.users import sessions
from core.users.rules import check_password
from core.users.sessions import EndReason
from db.models import AuditLog, Role, User, WorkspaceUpdate
from db.types import utcnow
from tests.conftest import TEST_COOKIE_KEY
from tests.factories import TEST_PASSWORD
from tests.pages.apptest import open_page, start_session_for, texts
from tests.pages.german import english_left
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


# --- language ----------------------------------------------------------------------------------


def _language_of(read, username: str) -> str | None:
    with read() as s:
        return s.exec(select(User).where(User.username == username)).one().language


def _language_changes(read, username: str) -> list[str | None]:
    with read() as s:
        user_id = s.exec(select(User.id).where(User.username == username)).one()
        rows = s.exec(
            select(AuditLog)
            .where(AuditLog.action == "user.set_language", AuditLog.entity_id == user_id)
            .order_by(col(AuditLog.id))
        ).all()
        return [json.loads(row.after)["language"] for row in rows]


@pytest.mark.parametrize("role", [Role.editor, Role.compliance])
def test_the_profile_reads_german_with_german_dates(team, role):
    at = open_page("profile", username=role.value, language="de")
    assert not at.exception and not at.error
    assert not english_left(at)
    shown = texts(at)
    assert "Dein Profil" in shown
    assert "Passwort ändern" in shown
    assert re.search(r"Passwort zuletzt geändert \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", shown)
    assert re.search(r"angemeldet \d{2}\.\d{2}\.\d{4} \d{2}:\d{2} · zuletzt aktiv \d{2}\.\d{2}\.\d{4}", shown)
    assert [t.label for t in at.text_input][-3:] == [
        "Aktuelles Passwort",
        "Neues Passwort",
        "Neues Passwort wiederholen",
    ]


def test_a_wrong_current_password_is_refused_in_german(team, read):
    at = open_page("profile", username="analyst", language="de")
    fields = {t.label: t for t in at.text_input}
    fields["Aktuelles Passwort"].input("not-my-password")
    fields["Neues Passwort"].input(NEW_PASSWORD)
    fields["Neues Passwort wiederholen"].input(NEW_PASSWORD)
    at = _button(at, "Passwort ändern").click().run()
    assert [e.value for e in at.error] == ["Dein aktuelles Passwort stimmt nicht; nichts wurde geändert."]
    with read() as s:
        assert check_password(TEST_PASSWORD, s.exec(select(User).where(User.username == "analyst")).one().password_hash)


def test_choosing_a_language_on_the_profile_saves_it_and_the_workspaces_means_no_choice(team, write, read):
    with write() as s:
        info = workspace.info(s)
        workspace.update_settings(
            session=s, actor=team["admin"], expected_version=info.version, settings_in=WorkspaceUpdate(language="de")
        )
    at = open_page("profile", username="support")
    assert not at.exception
    # No choice of their own: the workspace's German, in the sidebar's switch as well.
    choice = next(box for box in at.main.selectbox if box.label == "Sprache")
    assert choice.value == ""  # the workspace's
    assert choice.options == ["die des Arbeitsbereichs (Deutsch)", "English", "Deutsch"]
    assert at.sidebar.selectbox[0].value == "de"

    at = choice.set_value("en").run()
    assert not at.exception and not at.error
    assert _language_of(read, "support") == "en"
    assert "Language saved." in texts(at)
    assert "Your profile" in texts(at)
    assert at.sidebar.selectbox[0].value == "en"

    choice = next(box for box in at.main.selectbox if box.label == "Language")
    assert choice.options[0] == "the workspace's (Deutsch)"
    at = choice.set_value("").run()
    assert not at.exception and not at.error
    assert _language_of(read, "support") is None
    assert "Sprache gespeichert." in texts(at)
    assert at.sidebar.selectbox[0].value == "de"
    assert _language_changes(read, "support") == ["en", None]


def test_switching_the_language_in_the_sidebar_saves_it_and_the_next_page_is_german(team, read):
    at = open_page("profile", username="editor")
    assert "Your profile" in texts(at)
    switch = at.sidebar.selectbox[0]
    assert (switch.label, switch.value) == ("Language", "en")
    at = switch.set_value("de").run()
    assert not at.exception and not at.error
    assert _language_of(read, "editor") == "de"
    assert _language_changes(read, "editor") == ["de"]
    assert "Dein Profil" in texts(at)
    # The profile's own choice follows the switch rather than switching it back.
    assert next(box for box in at.main.selectbox if box.label == "Sprache").value == "de"
    at.run()
    assert _language_of(read, "editor") == "de"

    next_page = open_page("home", username="editor")
    assert not next_page.exception
    assert "Braucht heute Aufmerksamkeit" in texts(next_page)
    assert next_page.sidebar.selectbox[0].value == "de"
    assert not english_left(next_page)
