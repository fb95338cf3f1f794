"""Read models of people: the admin's list of users and one person's own profile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core.errors import NotFoundError
from core.i18n import _
from db.models import User


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    name: str
    email: str
    role: str
    active: bool
    version: int


@dataclass(frozen=True)
class Profile:
    """What the profile page shows a person about themselves."""

    username: str
    name: str
    email: str
    role: str
    password_changed_at: dt.datetime


def user_view(user: User) -> UserView:
    assert user.id is not None, "a stored user has an id"
    return UserView(user.id, user.username, user.name, user.email, user.role, user.active, user.version)


def list_users(*, session: Session) -> list[UserView]:
    return [user_view(u) for u in session.exec(select(User).order_by(col(User.username)))]


def profile(*, session: Session, user_id: int) -> Profile:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("Your account does not exist any more."))
    return Profile(user.username, user.name, user.email, user.role, user.password_changed_at)
