"""Users, passwords and sign-in throttling.

Passwords are stored as bcrypt hashes only. Sign-in failures are counted per username, known or
unknown, so a locked account and a made-up name answer the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import bcrypt
from sqlmodel import Session, col, select

from core import records
from core.errors import NotFoundError, ValidationError
from core.permissions import Action, Actor, require
from db.models import LoginThrottle, Role, User
from db.types import utcnow

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
BCRYPT_ROUNDS = 12
SIGN_IN_FAILED = "Username or password is incorrect."


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    name: str
    email: str
    role: str
    active: bool
    version: int


def _view(user: User) -> UserView:
    return UserView(user.id, user.username, user.name, user.email, user.role, user.active, user.version)  # type: ignore[arg-type]


def hash_password(password: str, *, rounds: int = BCRYPT_ROUNDS) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() != password:
        raise ValidationError("The password must not start or end with spaces.")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(f"Unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}.") from None


def _get_by_username(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None:
        raise NotFoundError(f"There is no user {username!r}.")
    return user


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    name: str = "",
    email: str = "",
    rounds: int = BCRYPT_ROUNDS,
) -> UserView:
    require(actor, Action.manage_users)
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise ValidationError(
            "The username must be 2–64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise ValidationError(f"{email!r} is not an e-mail address.")
    validate_password(password)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise ValidationError(f"The username {username!r} is taken.")
    user = User(
        username=username,
        name=name.strip(),
        email=email.strip(),
        role=_parse_role(role),
        password_hash=hash_password(password, rounds=rounds),
    )
    return _view(records.create(session, user, actor=actor, action="user.create"))


def list_users(session: Session) -> list[UserView]:
    return [_view(u) for u in session.exec(select(User).order_by(col(User.username)))]


def count_users(session: Session) -> int:
    return len(session.exec(select(User.id)).all())


def _update(
    session: Session, user: User, *, actor: Actor, action: str, changes: dict, expected_version: int | None
) -> UserView:
    updated = records.update_versioned(
        session,
        User,
        user.id,  # type: ignore[arg-type]
        expected_version=user.version if expected_version is None else expected_version,
        changes=changes,
        actor=actor,
        action=action,
    )
    return _view(updated)


def set_role(
    session: Session, *, actor: Actor, username: str, role: str, expected_version: int | None = None
) -> UserView:
    require(actor, Action.manage_users)
    user = _get_by_username(session, username)
    new_role = _parse_role(role)
    if user.role == Role.admin and new_role != Role.admin:
        _ensure_another_active_admin(session, user)
    return _update(
        session,
        user,
        actor=actor,
        action="user.set_role",
        changes={"role": new_role},
        expected_version=expected_version,
    )


def set_password(
    session: Session, *, actor: Actor, username: str, password: str, rounds: int = BCRYPT_ROUNDS
) -> UserView:
    """Set a new password; sessions signed in before the change are signed out."""
    user = _get_by_username(session, username)
    if actor.id != user.id:
        require(actor, Action.manage_users)
    validate_password(password)
    changes = {"password_hash": hash_password(password, rounds=rounds), "password_changed_at": utcnow()}
    view = _update(session, user, actor=actor, action="user.set_password", changes=changes, expected_version=None)
    clear_failures(session, username=user.username)
    return view


def set_active(session: Session, *, actor: Actor, username: str, active: bool) -> UserView:
    require(actor, Action.manage_users)
    user = _get_by_username(session, username)
    if not active and user.role == Role.admin:
        _ensure_another_active_admin(session, user)
    if not active and actor.id == user.id:
        raise ValidationError("You cannot deactivate yourself.")
    action = "user.activate" if active else "user.deactivate"
    return _update(session, user, actor=actor, action=action, changes={"active": active}, expected_version=None)


def _ensure_another_active_admin(session: Session, user: User) -> None:
    others = session.exec(
        select(User.id).where(User.role == Role.admin, User.active == True, User.id != user.id)  # noqa: E712
    ).all()
    if not others:
        raise ValidationError("This is the last active admin; make someone else admin first.")


def actor_for(session: Session, username: str | None) -> Actor | None:
    """The active user behind a signed-in username, or None (unknown or deactivated)."""
    if not username:
        return None
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None or not user.active:
        return None
    return Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name)


def password_changed_at(session: Session, username: str) -> dt.datetime | None:
    return session.exec(select(User.password_changed_at).where(User.username == normalise_username(username))).first()


def sign_in_credentials(session: Session) -> dict:
    """Credentials for streamlit-authenticator, built from the database: active users only."""
    users = session.exec(select(User).where(User.active == True)).all()  # noqa: E712
    return {
        "usernames": {
            u.username: {"name": u.name or u.username, "email": u.email, "password": u.password_hash, "roles": [u.role]}
            for u in users
        }
    }


# --- throttling -------------------------------------------------------------------------------


def lock_remaining(session: Session, *, username: str, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long this username stays locked, or None when it may try to sign in."""
    now = now or utcnow()
    row = session.get(LoginThrottle, normalise_username(username)[:64])
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until - now


def record_failure(
    session: Session, *, username: str, max_failures: int, lockout: dt.timedelta, now: dt.datetime | None = None
) -> dt.timedelta | None:
    """Count a failed sign-in; returns the lock time when this failure locks the username."""
    now = now or utcnow()
    key = normalise_username(username)[:64]
    row = session.get(LoginThrottle, key) or LoginThrottle(username=key)
    if row.locked_until is not None and row.locked_until <= now:
        row.failures = 0
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    locked = None
    if row.failures >= max_failures:
        row.locked_until = now + lockout
        locked = lockout
    session.add(row)
    return locked


def clear_failures(session: Session, *, username: str) -> None:
    row = session.get(LoginThrottle, normalise_username(username)[:64])
    if row is not None:
        session.delete(row)
