"""The credential check behind the sign-in form: throttle, password, one message, an audit row.

Unknown usernames, wrong passwords and deactivated accounts answer with the same message after
the same work (a password check each), and locks answer the same for known and unknown names, so
the form never tells whether a name exists.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass

from sqlmodel import Session, select

from core import audit
from core.errors import DomainError
from core.i18n import N_, _, ngettext
from core.permissions import Actor
from core.settings import SignInLimits
from core.users import throttle
from core.users.rules import (
    AUDIT_ENTITY,
    USERNAME_PATTERN,
    as_typed,
    check_password,
    limit,
    normalise_username,
    spend_a_password_check,
)
from db.models import AuditLog, Role, User

SIGN_IN_FAILED = N_("Username or password is incorrect.")
_USER_AGENT_IN_AUDIT = 120  # enough to tell browsers apart in the log


class SignInFailed(DomainError):
    """The sign-in was refused; the message is the same whatever the reason."""


@dataclass(frozen=True)
class Client:
    """Where an attempt comes from."""

    address: str | None = None
    user_agent: str = ""


def client_address(*, direct: str | None, forwarded: str | None = None) -> str | None:
    """The address to count failures against: from the trusted proxy header when it is configured
    and present (its last entry, the one the proxy itself added), else the connection's."""
    for candidate in reversed((forwarded or "").split(",")):
        if candidate.strip():
            return _address(candidate)
    return _address(direct or "")


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def locked_message(remaining: dt.timedelta) -> str:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return ngettext(
        "Too many failed sign-ins. Try again in {count} minute.",
        "Too many failed sign-ins. Try again in {count} minutes.",
        minutes,
    )


def authenticate(
    *, session: Session, username: str, password: str, client: Client, now: dt.datetime, limits: SignInLimits
) -> Actor:
    """The person behind a username and password, or ``SignInFailed``.

    Every attempt writes an audit row, and a failure counts against the throttle, in the caller's
    transaction: commit it also when this raises (catch the error inside the ``with`` block).
    """
    typed = as_typed(username, length=limit("actor", AuditLog))
    keys = throttle.keys_for(username=username, address=client.address)
    lock = throttle.current_lock(session=session, keys=keys, now=now)
    if lock is not None:
        blocked_by, remaining = lock
        # Attempts against a locked name still count for the address and everyone; attempts
        # from a locked address count for everyone only; none extends a lock.
        wider = keys[: keys.index(blocked_by)]
        throttle.count_failure(session=session, keys=wider, limits=limits, now=now)
        _audit(session, typed=typed, user=None, client=client, result="failed", reason=f"locked {blocked_by.scope}")
        raise SignInFailed(locked_message(remaining))

    name = normalise_username(username)
    # A name no account can have is not looked up (a NUL byte would not even reach PostgreSQL).
    user = session.exec(select(User).where(User.username == name)).first() if USERNAME_PATTERN.match(name) else None
    if user is None:
        spend_a_password_check(password, like=session.exec(select(User.password_hash).limit(1)).first())
        reason = "unknown username"  # i18n: not text (the audit's code)
    elif not check_password(password, user.password_hash):
        reason = "wrong password"  # i18n: not text
    elif not user.active:
        reason = "deactivated"
    else:
        throttle.clear(session=session, key=throttle.username_key(username))
        _audit(session, typed=typed, user=user, client=client, result="succeeded", reason="")
        assert user.id is not None
        return Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name, language=user.language)

    locked = throttle.count_failure(session=session, keys=keys, limits=limits, now=now)
    _audit(session, typed=typed, user=user, client=client, result="failed", reason=reason)
    raise SignInFailed(_(SIGN_IN_FAILED) if locked is None else locked_message(locked))


def _audit(session: Session, *, typed: str, user: User | None, client: Client, result: str, reason: str) -> None:
    # Who tried is not known on a failure: the row names the username as typed, no password.
    if user is not None and result == "succeeded":
        actor = Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name, language=user.language)
    else:
        actor = Actor(id=None, username=typed or "(empty)", role=Role.viewer)
    details = {
        "username": typed,
        "address": client.address or "",
        "user_agent": as_typed(client.user_agent, length=_USER_AGENT_IN_AUDIT),
    }
    if reason:
        details["reason"] = reason
    audit.record_change(
        session,
        actor=actor,
        action=f"{AUDIT_ENTITY}.{result}",
        entity=AUDIT_ENTITY,
        entity_id=None if user is None else user.id,
        after=details,
    )
