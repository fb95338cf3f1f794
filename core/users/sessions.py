"""Server-side sessions: started at sign-in, checked on every page run, ended by signing out, from
the profile page, by a password change, a deactivation or an admin, or by their timeouts.

The browser holds only a random session id (256 bits); the table keeps an HMAC of it keyed with
the cookie key, so neither a copied cookie of an ended session nor a copy of the table signs
anyone in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from core import audit
from core.changes import mark_changed
from core.errors import NotFoundError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.settings import SessionLimits
from core.users.rules import AUDIT_ENTITY, as_typed, limit, normalise_username
from db.models import Role, User, UserSession

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # what secrets.token_urlsafe(32) makes


class EndReason(StrEnum):
    """Why a session stopped working (stored in ``revoked_reason``; ``expired`` is computed)."""

    signed_out = "signed_out"  # its person signed out, in this window or another
    ended = "ended"  # its person ended it from the profile page of another session
    password = "password"  # the password was changed
    deactivated = "deactivated"
    everywhere = "everywhere"  # an admin signed its person out everywhere
    expired = "expired"  # idle or absolute timeout


@dataclass(frozen=True)
class StartedSession:
    id: int
    token: str  # goes to the browser's cookie, never stored
    expires_at: dt.datetime


@dataclass(frozen=True)
class SessionCheck:
    """The answer for a cookie: who is signed in with it, or why nobody is (``ended`` None and
    no actor: the id is unknown, forged or malformed)."""

    actor: Actor | None = None
    session_id: int | None = None
    ended: EndReason | None = None
    touch_due: bool = False


@dataclass(frozen=True)
class SessionView:
    id: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    user_agent: str
    client_address: str


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str, *, key: str) -> str:
    return hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()


def has_expired(
    *,
    created_at: dt.datetime,
    last_seen_at: dt.datetime,
    expires_at: dt.datetime,
    now: dt.datetime,
    limits: SessionLimits,
) -> bool:
    """Idle too long, or older than the absolute limit (today's limit, if it was lowered)."""
    return now >= min(expires_at, created_at + limits.absolute) or now - last_seen_at >= limits.idle


def start_session(
    *,
    session: Session,
    user_id: int,
    key: str,
    now: dt.datetime,
    limits: SessionLimits,
    user_agent: str = "",
    client_address: str | None = None,
) -> StartedSession:
    """A new session for a person who just proved who they are."""
    # Sessions past their absolute end are of no use any more, not even to explain a sign-out.
    session.execute(delete(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.expires_at) < now))
    token = new_token()
    record = UserSession(
        token_hash=token_digest(token, key=key),
        user_id=user_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + limits.absolute,
        user_agent=as_typed(user_agent, length=limit("user_agent", UserSession)),
        client_address=as_typed(client_address or "", length=limit("client_address", UserSession)),
    )
    session.add(record)
    session.flush()
    assert record.id is not None
    mark_changed(session, entity=AUDIT_ENTITY)
    return StartedSession(id=record.id, token=token, expires_at=record.expires_at)


def check_session(*, session: Session, token: str, key: str, now: dt.datetime, limits: SessionLimits) -> SessionCheck:
    """Who the cookie ``token`` signs in, in one statement (the page frame runs it on every run)."""
    if not _TOKEN.match(token):
        return SessionCheck()
    row = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(UserSession.token_hash == token_digest(token, key=key))
    ).first()
    if row is None:
        return SessionCheck()
    record, user = row
    if record.revoked_at is not None:
        known = record.revoked_reason in EndReason.__members__
        return SessionCheck(session_id=record.id, ended=EndReason(record.revoked_reason) if known else EndReason.ended)
    if not user.active:
        return SessionCheck(session_id=record.id, ended=EndReason.deactivated)
    if has_expired(
        created_at=record.created_at,
        last_seen_at=record.last_seen_at,
        expires_at=record.expires_at,
        now=now,
        limits=limits,
    ):
        return SessionCheck(session_id=record.id, ended=EndReason.expired)
    actor = Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name, language=user.language)
    return SessionCheck(actor=actor, session_id=record.id, touch_due=now - record.last_seen_at >= limits.touch_every)


def touch_session(*, session: Session, session_id: int, now: dt.datetime) -> None:
    """Note that the session was used (for the idle timeout); not audited, changes no cache."""
    session.execute(
        update(UserSession)
        .where(col(UserSession.id) == session_id, col(UserSession.revoked_at).is_(None))
        .values(last_seen_at=now)
    )


def revoke_all(
    *, session: Session, user_id: int, reason: EndReason, now: dt.datetime, keep_session_id: int | None = None
) -> int:
    """End every open session of a person (but ``keep_session_id``); how many were ended."""
    statement = (
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason=reason.value)
    )
    if keep_session_id is not None:
        statement = statement.where(col(UserSession.id) != keep_session_id)
    ended = session.connection().execute(statement).rowcount
    mark_changed(session, entity=AUDIT_ENTITY)
    return ended


def sign_out(*, session: Session, actor: Actor, session_id: int, now: dt.datetime) -> None:
    """The person signs out of this session."""
    _end(session, actor=actor, session_id=session_id, reason=EndReason.signed_out, now=now)


def end_session(*, session: Session, actor: Actor, session_id: int, now: dt.datetime) -> None:
    """The person ends one of their sessions (another browser, a lost phone) from their profile."""
    _end(session, actor=actor, session_id=session_id, reason=EndReason.ended, now=now)


def end_other_sessions(*, session: Session, actor: Actor, keep_session_id: int, now: dt.datetime) -> int:
    assert actor.id is not None, "only a signed-in person has sessions"
    ended = revoke_all(
        session=session, user_id=actor.id, reason=EndReason.ended, now=now, keep_session_id=keep_session_id
    )
    _audit(session, actor=actor, action="sessions_ended", user_id=actor.id, after={"sessions": ended})
    return ended


def sign_out_everywhere(*, session: Session, actor: Actor, username: str, now: dt.datetime) -> int:
    """An admin ends every session of a person (a lost laptop, a leaving colleague)."""
    require(actor, Action.manage_users)
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None or user.id is None:
        raise NotFoundError(_("There is no user {username!r}.", username=username))
    ended = revoke_all(session=session, user_id=user.id, reason=EndReason.everywhere, now=now)
    _audit(session, actor=actor, action="signed_out_everywhere", user_id=user.id, after={"sessions": ended})
    return ended


def _end(session: Session, *, actor: Actor, session_id: int, reason: EndReason, now: dt.datetime) -> None:
    record = session.get(UserSession, session_id)
    if record is None or record.user_id != actor.id:
        raise NotFoundError(_("That session does not exist (any more)."))
    if record.revoked_at is None:
        record.revoked_at = now
        record.revoked_reason = reason.value
        session.add(record)
    _audit(session, actor=actor, action=reason.value, user_id=record.user_id, after={"session": session_id})


def _audit(session: Session, *, actor: Actor, action: str, user_id: int, after: dict[str, object]) -> None:
    audit.record_change(
        session, actor=actor, action=f"{AUDIT_ENTITY}.{action}", entity=AUDIT_ENTITY, entity_id=user_id, after=after
    )


def active_sessions(*, session: Session, user_id: int) -> tuple[SessionView, ...]:
    """A person's sessions that nobody ended, newest first (``still_open`` drops the timed-out)."""
    rows = session.exec(
        select(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .order_by(col(UserSession.created_at).desc(), col(UserSession.id).desc())
    )
    return tuple(
        SessionView(r.id, r.created_at, r.last_seen_at, r.expires_at, r.user_agent, r.client_address)
        for r in rows
        if r.id is not None
    )


def still_open(views: Iterable[SessionView], *, now: dt.datetime, limits: SessionLimits) -> list[SessionView]:
    return [
        v
        for v in views
        if not has_expired(
            created_at=v.created_at, last_seen_at=v.last_seen_at, expires_at=v.expires_at, now=now, limits=limits
        )
    ]


# Marks in a User-Agent header, most specific first (Edge and Opera also say Chrome; Chrome says
# Safari; Android says Linux; iPhones say Mac OS X).
_BROWSERS = (
    ("Edg/", "Edge"),  # i18n: not text
    ("OPR/", "Opera"),  # i18n: not text
    ("Firefox/", "Firefox"),  # i18n: not text
    ("Chrome/", "Chrome"),  # i18n: not text
    ("Safari/", "Safari"),  # i18n: not text
)
_SYSTEMS = (
    ("Windows", "Windows"),  # i18n: not text
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),  # i18n: not text
    ("Mac OS X", "macOS"),  # i18n: not text
    ("Linux", "Linux"),  # i18n: not text
)


def browser_label(user_agent: str) -> str:
    """A short name for a session's browser, e.g. "Firefox (Windows)" (the same in every language)."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} ({system})"
    return browser or system or user_agent[:60] or _("Unknown browser")
