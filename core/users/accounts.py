"""Changing people's accounts: create, role, password, deactivation (each audited and versioned).

A password change and a deactivation end the person's open sessions in the same transaction, so
a browser signed in before them is signed out at its next click.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from core import i18n, records
from core.errors import NotFoundError, ValidationError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.text import check_plain_texts
from core.users import sessions, throttle
from core.users.queries import UserView, user_view
from core.users.rules import (
    BCRYPT_ROUNDS,
    check_password,
    hash_password,
    normalise_username,
    parse_role,
    validate_email,
    validate_name,
    validate_password,
    validate_username,
)
from db.models import Role, User, UserCreate
from db.types import utcnow


def _get_by_username(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None:
        raise NotFoundError(_("There is no user {username!r}.", username=username))
    return user


def _update(
    session: Session, user: User, *, actor: Actor, action: str, changes: dict[str, Any], expected_version: int | None
) -> User:
    assert user.id is not None
    return records.update_versioned(
        session,
        User,
        user.id,
        expected_version=user.version if expected_version is None else expected_version,
        changes=changes,
        actor=actor,
        action=action,
    )


def create_user(*, session: Session, actor: Actor, user_in: UserCreate, rounds: int = BCRYPT_ROUNDS) -> UserView:
    require(actor, Action.manage_users)
    check_plain_texts(
        ((_("username"), user_in.username), (_("name"), user_in.name), (_("e-mail address"), user_in.email))
    )
    username = validate_username(user_in.username)
    email = validate_email(user_in.email)
    name = validate_name(user_in.name)
    validate_password(user_in.password)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise ValidationError(_("The username {username!r} is taken.", username=username))
    user = User(
        username=username,
        name=name,
        email=email,
        role=parse_role(user_in.role),
        password_hash=hash_password(user_in.password, rounds=rounds),
    )
    return user_view(records.create(session, user, actor=actor, action="user.create"))


def set_role(
    *, session: Session, actor: Actor, username: str, role: str, expected_version: int | None = None
) -> UserView:
    require(actor, Action.manage_users)
    user = _get_by_username(session, username)
    new_role = parse_role(role)
    if user.role == Role.admin and new_role != Role.admin:
        _ensure_another_active_admin(session, user)
    changes = {"role": new_role}
    return user_view(
        _update(session, user, actor=actor, action="user.set_role", changes=changes, expected_version=expected_version)
    )


def set_password(
    *, session: Session, actor: Actor, username: str, password: str, rounds: int = BCRYPT_ROUNDS
) -> UserView:
    """Set someone's password (an admin, the command line); every session of theirs ends."""
    user = _get_by_username(session, username)
    if actor.id != user.id:
        require(actor, Action.manage_users)
    validate_password(password)
    return _new_password(session, user, actor=actor, password=password, action="user.set_password", rounds=rounds)


def change_own_password(
    *,
    session: Session,
    actor: Actor,
    current_password: str,
    new_password: str,
    new_password_again: str,
    keep_session_id: int | None,
    rounds: int = BCRYPT_ROUNDS,
) -> UserView:
    """A person changes their own password; their other sessions end, ``keep_session_id`` stays."""
    user = session.get(User, actor.id) if actor.id is not None else None
    if user is None:
        raise NotFoundError(_("Your account does not exist any more."))
    if not check_password(current_password, user.password_hash):
        raise ValidationError(_("Your current password is not right; nothing was changed."))
    if new_password != new_password_again:
        raise ValidationError(_("The two new passwords differ; nothing was changed."))
    validate_password(new_password)
    if new_password == current_password:
        raise ValidationError(_("The new password is your current one; choose another."))
    return _new_password(
        session,
        user,
        actor=actor,
        password=new_password,
        action="user.change_password",
        rounds=rounds,
        keep_session_id=keep_session_id,
    )


def set_own_language(*, session: Session, actor: Actor, language: str | None) -> UserView:
    """A person chooses the language they read Dialog Desk in (None: the workspace's)."""
    user = session.get(User, actor.id) if actor.id is not None else None
    if user is None:
        raise NotFoundError(_("Your account does not exist any more."))
    if language is not None:
        language = i18n.check_language(language)
    if user.language != language:
        records.update_versioned(
            session,
            User,
            records.stored_id(user.id),
            expected_version=user.version,
            changes={"language": language},
            actor=actor,
            action="user.set_language",
        )
    return user_view(user)


def _new_password(
    session: Session,
    user: User,
    *,
    actor: Actor,
    password: str,
    action: str,
    rounds: int,
    keep_session_id: int | None = None,
) -> UserView:
    now = utcnow()
    changes = {"password_hash": hash_password(password, rounds=rounds), "password_changed_at": now}
    updated = _update(session, user, actor=actor, action=action, changes=changes, expected_version=None)
    assert updated.id is not None
    sessions.revoke_all(
        session=session,
        user_id=updated.id,
        reason=sessions.EndReason.password,
        now=now,
        keep_session_id=keep_session_id,
    )
    throttle.clear(session=session, key=throttle.username_key(updated.username))  # a new password lifts a lock
    return user_view(updated)


def set_active(*, session: Session, actor: Actor, username: str, active: bool) -> UserView:
    """Deactivate a person (every session of theirs ends) or let them sign in again."""
    require(actor, Action.manage_users)
    user = _get_by_username(session, username)
    if not active and user.role == Role.admin:
        _ensure_another_active_admin(session, user)
    if not active and actor.id == user.id:
        raise ValidationError(_("You cannot deactivate yourself."))
    action = "user.activate" if active else "user.deactivate"
    updated = _update(session, user, actor=actor, action=action, changes={"active": active}, expected_version=None)
    if not active:
        assert updated.id is not None
        sessions.revoke_all(session=session, user_id=updated.id, reason=sessions.EndReason.deactivated, now=utcnow())
    return user_view(updated)


def _ensure_another_active_admin(session: Session, user: User) -> None:
    others = session.exec(
        select(User.id).where(User.role == Role.admin, User.active == True, User.id != user.id)  # noqa: E712
    ).all()
    if not others:
        raise ValidationError(_("This is the last active admin; make someone else admin first."))
