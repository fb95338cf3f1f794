"""Users: bcrypt hashes only, validation, roles, deactivation and the sign-in throttle."""

import datetime as dt

import pytest
from sqlmodel import select

from core import users
from core.errors import PermissionDenied, ValidationError
from core.permissions import CLI_ACTOR
from db.models import Role, User
from tests.factories import TEST_PASSWORD, make_user

UTC = dt.UTC


def test_a_new_user_has_a_bcrypt_hash_and_no_plain_password(engine, write, read):
    with write() as s:
        make_user(s, Role.support, username="sam")
    with read() as s:
        user = s.exec(select(User).where(User.username == "sam")).one()
    assert user.password_hash.startswith("$2b$")
    assert TEST_PASSWORD not in user.password_hash
    assert users.check_password(TEST_PASSWORD, user.password_hash)
    assert not users.check_password("wrong-password", user.password_hash)


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
        users.create_user(s, actor=CLI_ACTOR, username=username, password=password, role=role, rounds=4)


def test_usernames_are_unique_case_insensitively(engine, write):
    with write() as s:
        make_user(s, username="lena")
        with pytest.raises(ValidationError, match="taken"):
            users.create_user(s, actor=CLI_ACTOR, username="LENA", password=TEST_PASSWORD, role="lead", rounds=4)


def test_only_admins_manage_users(engine, write):
    with write() as s:
        lead = make_user(s, Role.lead)
        with pytest.raises(PermissionDenied):
            users.create_user(s, actor=lead, username="newbie", password=TEST_PASSWORD, role="editor", rounds=4)
        with pytest.raises(PermissionDenied):
            users.set_role(s, actor=lead, username=lead.username, role="admin")


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(engine, write):
    with write() as s:
        admin = make_user(s, Role.admin, username="root")
        with pytest.raises(ValidationError, match="last active admin"):
            users.set_role(s, actor=CLI_ACTOR, username="root", role="viewer")
        with pytest.raises(ValidationError, match="last active admin"):
            users.set_active(s, actor=CLI_ACTOR, username="root", active=False)
        make_user(s, Role.admin, username="second")
        users.set_role(s, actor=CLI_ACTOR, username="root", role="viewer")
    assert admin.username == "root"


def test_a_deactivated_user_has_no_actor_and_no_credentials(engine, write, read):
    with write() as s:
        make_user(s, Role.editor, username="eddie")
    with write() as s:
        users.set_active(s, actor=CLI_ACTOR, username="eddie", active=False)
    with read() as s:
        assert users.actor_for(s, "eddie") is None
        assert "eddie" not in users.sign_in_credentials(s)["usernames"]


def test_changing_a_password_moves_password_changed_at(engine, write, read):
    with write() as s:
        make_user(s, Role.editor, username="eddie")
    with read() as s:
        before = users.password_changed_at(s, "eddie")
    with write() as s:
        users.set_password(s, actor=CLI_ACTOR, username="eddie", password="another-good-password", rounds=4)
    with read() as s:
        assert users.password_changed_at(s, "eddie") > before


@pytest.mark.parametrize("username", ["lena", "nobody-at-all"])
def test_sign_in_failures_lock_a_username_known_or_not_until_the_lock_expires(engine, write, read, username):
    now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    lockout = dt.timedelta(minutes=15)
    with write() as s:
        make_user(s, Role.lead, username="lena")
        for attempt in range(1, 5):
            assert users.record_failure(s, username=username, max_failures=5, lockout=lockout, now=now) is None, attempt
        assert users.lock_remaining(s, username=username, now=now) is None
        assert users.record_failure(s, username=username, max_failures=5, lockout=lockout, now=now) == lockout
    with read() as s:
        assert users.lock_remaining(s, username=username, now=now + dt.timedelta(minutes=14)) == dt.timedelta(minutes=1)
        assert users.lock_remaining(s, username=username, now=now + lockout) is None
    with write() as s:  # after the lock expires the count starts again
        later = now + lockout + dt.timedelta(seconds=1)
        assert users.record_failure(s, username=username, max_failures=5, lockout=lockout, now=later) is None
