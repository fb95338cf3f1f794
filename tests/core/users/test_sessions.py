"""Server-side sessions: a random id kept only as a keyed hash, idle and absolute timeouts, and
every way a session ends (sign-out, profile, password change, deactivation, an admin)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select

from core.errors import NotFoundError, PermissionDenied
from core.permissions import CLI_ACTOR
from core.settings import SessionLimits
from core.users import accounts, sessions
from core.users.sessions import EndReason
from db.models import AuditLog, Role, UserSession
from tests.factories import TEST_PASSWORD, make_user

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
KEY = "session-key-that-is-long-enough-0123456789"
LIMITS = SessionLimits(idle=dt.timedelta(hours=2), absolute=dt.timedelta(days=1))


@pytest.fixture
def people(write):
    with write() as s:
        return {role: make_user(s, role, username=role.value) for role in (Role.admin, Role.editor, Role.lead)}


def start(write, actor, *, now: dt.datetime = NOW, user_agent: str = "", address: str | None = None):
    with write() as s:
        return sessions.start_session(
            session=s, user_id=actor.id, key=KEY, now=now, limits=LIMITS, user_agent=user_agent, client_address=address
        )


def check(read, token: str, *, now: dt.datetime = NOW, key: str = KEY, limits: SessionLimits = LIMITS):
    with read() as s:
        return sessions.check_session(session=s, token=token, key=key, now=now, limits=limits)


def test_a_new_session_signs_its_person_in_and_stores_only_a_keyed_hash(people, write, read):
    started = start(write, people[Role.editor], user_agent="Firefox/140.0 (Windows)", address="203.0.113.7")
    result = check(read, started.token)
    assert result.actor == people[Role.editor] and result.session_id == started.id
    assert result.ended is None and not result.touch_due
    assert started.expires_at == NOW + LIMITS.absolute
    with read() as s:
        row = s.get(UserSession, started.id)
    assert started.token not in row.token_hash and len(row.token_hash) == 64
    assert (row.user_agent, row.client_address, row.revoked_at) == ("Firefox/140.0 (Windows)", "203.0.113.7", None)
    assert len(started.token) == 43  # 256 random bits


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VybmFtZSI6ImFkbWluIiwiZXhwX2RhdGUiOjk5OTk5OTk5OTl9.",
        "A" * 43,
        "A" * 42 + "!",
        "A" * 44,
        "\x00" * 43,
    ],
    ids=["empty", "garbage", "alg-none-jwt", "unknown-id", "bad-character", "too-long", "nul-bytes"],
)
def test_a_forged_or_malformed_id_signs_nobody_in_and_names_no_reason(people, read, token):
    assert check(read, token) == sessions.SessionCheck()


def test_an_id_hashed_with_another_key_signs_nobody_in(people, write, read):
    started = start(write, people[Role.editor])
    assert check(read, started.token, key="another-key-that-is-long-enough-987654321").actor is None


def test_a_session_idle_too_long_expires_and_use_keeps_it_alive(people, write, read):
    started = start(write, people[Role.editor])
    assert not check(read, started.token, now=NOW + dt.timedelta(seconds=59)).touch_due
    later = NOW + dt.timedelta(hours=1, minutes=59)
    assert check(read, started.token, now=later).touch_due
    with write() as s:
        sessions.touch_session(session=s, session_id=started.id, now=later)
    assert check(read, started.token, now=later + dt.timedelta(hours=1)).actor is not None
    assert check(read, started.token, now=later + LIMITS.idle).ended == EndReason.expired


def test_a_session_ends_at_its_absolute_limit_however_much_it_is_used(people, write, read):
    started = start(write, people[Role.editor])
    for hours in range(1, 24):
        with write() as s:
            sessions.touch_session(session=s, session_id=started.id, now=NOW + dt.timedelta(hours=hours))
    assert check(read, started.token, now=NOW + dt.timedelta(hours=23, minutes=59)).actor is not None
    assert check(read, started.token, now=NOW + LIMITS.absolute).ended == EndReason.expired
    # A lower limit set later applies to sessions already open.
    shorter = SessionLimits(idle=LIMITS.idle, absolute=dt.timedelta(hours=3))
    assert check(read, started.token, now=NOW + dt.timedelta(hours=3), limits=shorter).ended == EndReason.expired


def test_signing_out_ends_the_session_and_is_audited(people, write, read):
    editor = people[Role.editor]
    started, other = start(write, editor), start(write, editor)
    with write() as s:
        sessions.sign_out(session=s, actor=editor, session_id=started.id, now=NOW)
    assert check(read, started.token) == sessions.SessionCheck(session_id=started.id, ended=EndReason.signed_out)
    assert check(read, other.token).actor == editor
    with read() as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "sign_in.signed_out")).one()
    assert (row.actor, row.entity, row.entity_id, json.loads(row.after)) == (
        "editor",
        "sign_in",
        editor.id,
        {"session": started.id},
    )


def test_a_person_ends_only_their_own_sessions(people, write, read):
    editor, lead = people[Role.editor], people[Role.lead]
    mine, theirs = start(write, editor), start(write, lead)
    with write() as s, pytest.raises(NotFoundError):
        sessions.end_session(session=s, actor=editor, session_id=theirs.id, now=NOW)
    with write() as s:
        sessions.end_session(session=s, actor=editor, session_id=mine.id, now=NOW)
    assert check(read, mine.token).ended == EndReason.ended
    assert check(read, theirs.token).actor == lead


def test_an_admin_password_change_ends_every_session(people, write, read):
    tokens = [start(write, people[Role.editor]).token for _ in range(2)]
    with write() as s:
        accounts.set_password(session=s, actor=CLI_ACTOR, username="editor", password="a-brand-new-password", rounds=4)
    assert [check(read, t).ended for t in tokens] == [EndReason.password, EndReason.password]


def test_changing_ones_own_password_keeps_this_session(people, write, read):
    editor = people[Role.editor]
    this, other = start(write, editor), start(write, editor)
    with write() as s:
        accounts.change_own_password(
            session=s,
            actor=editor,
            current_password=TEST_PASSWORD,
            new_password="a-brand-new-password",
            new_password_again="a-brand-new-password",
            keep_session_id=this.id,
            rounds=4,
        )
    assert check(read, this.token).actor == editor
    assert check(read, other.token).ended == EndReason.password


def test_deactivation_ends_every_session_for_good(people, write, read):
    started = start(write, people[Role.editor])
    with write() as s:
        accounts.set_active(session=s, actor=CLI_ACTOR, username="editor", active=False)
    assert check(read, started.token).ended == EndReason.deactivated
    with write() as s:
        accounts.set_active(session=s, actor=CLI_ACTOR, username="editor", active=True)
    assert check(read, started.token).ended == EndReason.deactivated  # activated again: still ended


def test_an_admin_signs_a_person_out_everywhere(people, write, read):
    tokens = [start(write, people[Role.lead]).token for _ in range(3)]
    with write() as s, pytest.raises(PermissionDenied):
        sessions.sign_out_everywhere(session=s, actor=people[Role.editor], username="lead", now=NOW)
    with write() as s:
        assert sessions.sign_out_everywhere(session=s, actor=people[Role.admin], username="LEAD", now=NOW) == 3
    assert {check(read, t).ended for t in tokens} == {EndReason.everywhere}
    with write() as s, pytest.raises(NotFoundError, match="no user 'ghost'"):
        sessions.sign_out_everywhere(session=s, actor=people[Role.admin], username="ghost", now=NOW)


def test_the_profile_lists_open_sessions_newest_first(people, write, read):
    editor = people[Role.editor]
    old = start(write, editor, now=NOW - dt.timedelta(hours=5))  # idle for five hours: timed out
    ended = start(write, editor, now=NOW - dt.timedelta(hours=1))
    current = start(write, editor, now=NOW)
    with write() as s:
        sessions.end_session(session=s, actor=editor, session_id=ended.id, now=NOW)
    with read() as s:
        views = sessions.active_sessions(session=s, user_id=editor.id)
    assert [v.id for v in views] == [current.id, old.id]
    assert [v.id for v in sessions.still_open(views, now=NOW, limits=LIMITS)] == [current.id]


def test_a_new_session_clears_the_persons_sessions_past_their_end(people, write, read):
    editor = people[Role.editor]
    old = start(write, editor, now=NOW - dt.timedelta(days=3))
    assert check(read, old.token).ended == EndReason.expired
    new = start(write, editor)
    assert check(read, old.token) == sessions.SessionCheck()  # gone, not just expired
    with read() as s:
        assert [r.id for r in s.exec(select(UserSession))] == [new.id]


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0 Safari/537.36 Edg/139.0",
            "Edge (Windows)",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/139.0 Safari/537.36",
            "Chrome (Linux)",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari/604.1",
            "Safari (iPhone)",
        ),
        ("Mozilla/5.0 (Android 15; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0", "Firefox (Android)"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15",
            "Safari (macOS)",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", "Unknown browser"),
    ],
)
def test_a_session_is_shown_by_its_browser(user_agent, label):
    assert sessions.browser_label(user_agent) == label
