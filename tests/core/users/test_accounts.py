"""Accounts: bcrypt hashes only, validation, roles, deactivation, password changes."""

import datetime as dt

import pytest
from sqlmodel import select

from core.errors import PermissionDenied, ValidationError
from core.i18n import using
from core.permissions import CLI_ACTOR
from core.settings import SessionLimits, SignInLimits
from core.users import accounts, queries, sessions, throttle
from core.users.rules import check_password
from core.users.sign_in import SIGN_IN_FAILED, Client, SignInFailed, authenticate
from db.models import Role, User, UserCreate
from tests.factories import TEST_PASSWORD, make_user

UTC = dt.UTC
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KEY = "k" * 40


def test_a_new_user_has_a_bcrypt_hash_and_no_plain_password(engine, write, read):
    with write() as s:
        make_user(s, Role.support, username="sam")
    with read() as s:
        user = s.exec(select(User).where(User.username == "sam")).one()
    assert user.password_hash.startswith("$2b$")
    assert TEST_PASSWORD not in user.password_hash
    assert check_password(TEST_PASSWORD, user.password_hash)
    assert not check_password("wrong-password", user.password_hash)


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("x", TEST_PASSWORD, "editor", "2–64 characters"),
        ("has space", TEST_PASSWORD, "editor", "2–64 characters"),
        ("okname", "short", "editor", "at least 10 characters"),
        ("okname", TEST_PASSWORD, "boss", "Unknown role 'boss'"),
    ],
)
def test_invalid_users_are_refused_with_a_message(engine, write, username, password, role, message):
    with write() as s, pytest.raises(ValidationError, match=message):
        accounts.create_user(session=s, actor=CLI_ACTOR, user_in=_new(username, password, role), rounds=4)


def test_usernames_are_unique_case_insensitively(engine, write):
    with write() as s:
        make_user(s, username="lena")
        with pytest.raises(ValidationError, match="taken"):
            accounts.create_user(session=s, actor=CLI_ACTOR, user_in=_new("LENA", TEST_PASSWORD, "lead"), rounds=4)


def test_only_admins_manage_users(engine, write):
    with write() as s:
        lead = make_user(s, Role.lead)
        with pytest.raises(PermissionDenied):
            accounts.create_user(session=s, actor=lead, user_in=_new("newbie", TEST_PASSWORD, "editor"), rounds=4)
        with pytest.raises(PermissionDenied):
            accounts.set_role(session=s, actor=lead, username=lead.username, role="admin")


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(engine, write):
    with write() as s:
        admin = make_user(s, Role.admin, username="root")
        with pytest.raises(ValidationError, match="last active admin"):
            accounts.set_role(session=s, actor=CLI_ACTOR, username="root", role="viewer")
        with pytest.raises(ValidationError, match="last active admin"):
            accounts.set_active(session=s, actor=CLI_ACTOR, username="root", active=False)
        make_user(s, Role.admin, username="second")
        accounts.set_role(session=s, actor=CLI_ACTOR, username="root", role="viewer")
    assert admin.username == "root"


def test_a_deactivated_user_has_no_actor_and_cannot_sign_in(engine, write, read):
    # (Was: no actor for the username, and not among the sign-in credentials.)
    with write() as s:
        eddie = make_user(s, Role.editor, username="eddie")
        started = sessions.start_session(session=s, user_id=eddie.id, key=KEY, now=NOW, limits=SessionLimits())
    with write() as s:
        accounts.set_active(session=s, actor=CLI_ACTOR, username="eddie", active=False)
    with read() as s:
        check = sessions.check_session(session=s, token=started.token, key=KEY, now=NOW, limits=SessionLimits())
        assert check.actor is None
    with write() as s, pytest.raises(SignInFailed, match=SIGN_IN_FAILED):
        authenticate(
            session=s, username="eddie", password=TEST_PASSWORD, client=Client(), now=NOW, limits=SignInLimits()
        )


def test_changing_a_password_moves_password_changed_at(engine, write, read):
    with write() as s:
        eddie = make_user(s, Role.editor, username="eddie")
    with read() as s:
        before = queries.profile(session=s, user_id=eddie.id).password_changed_at
    with write() as s:
        accounts.set_password(session=s, actor=CLI_ACTOR, username="eddie", password="another-good-password", rounds=4)
    with read() as s:
        assert queries.profile(session=s, user_id=eddie.id).password_changed_at > before


def _remaining(session, username: str, now: dt.datetime) -> dt.timedelta | None:
    lock = throttle.current_lock(session=session, keys=[throttle.username_key(username)], now=now)
    return None if lock is None else lock[1]


@pytest.mark.parametrize("username", ["lena", "nobody-at-all"])
def test_sign_in_failures_lock_a_username_known_or_not_until_the_lock_expires(engine, write, read, username):
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    lockout = dt.timedelta(minutes=15)
    limits = SignInLimits(per_username=5, window=lockout)
    keys = [throttle.username_key(username)]
    with write() as s:
        make_user(s, Role.lead, username="lena")
        for attempt in range(1, 5):
            assert throttle.count_failure(session=s, keys=keys, limits=limits, now=now) is None, attempt
        assert _remaining(s, username, now) is None
        assert throttle.count_failure(session=s, keys=keys, limits=limits, now=now) == lockout
    with read() as s:
        assert _remaining(s, username, now + dt.timedelta(minutes=14)) == dt.timedelta(minutes=1)
        assert _remaining(s, username, now + lockout) is None
    with write() as s:  # after the lock expires the count starts again
        later = now + lockout + dt.timedelta(seconds=1)
        assert throttle.count_failure(session=s, keys=keys, limits=limits, now=later) is None


def _new(username: str, password: str, role: str) -> UserCreate:
    return UserCreate(username=username, password=password, role=role)


@pytest.mark.parametrize(
    ("password", "german"),
    [
        ("short", "Das Passwort muss mindestens 10 Zeichen haben."),
        (" padded-password ", "Das Passwort darf nicht mit Leerzeichen beginnen oder enden."),
    ],
)
def test_a_refused_password_is_explained_in_german(write, password, german):
    with write() as s:
        make_user(s, Role.admin, username="root")
    with using("de"), write() as s, pytest.raises(ValidationError) as refused:
        accounts.create_user(
            session=s,
            actor=CLI_ACTOR,
            user_in=UserCreate(username="Jonas.K", name="Jonas Keller", role=Role.editor, password=password),
            rounds=4,
        )
    assert str(refused.value) == german
