"""The sign-in throttle: failed sign-ins counted per username, per client address and for
everyone together; a key that reaches its limit within the window is locked for one window.

A lock is never extended by the attempts made while it holds, so nobody can keep a person locked
out for longer than the window by hammering their name, and an address that sprays many names
locks itself, not them. An admin can lift a lock early.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, delete, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from core import audit
from core.errors import NotFoundError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.settings import SignInLimits
from core.users.rules import AUDIT_ENTITY, as_typed, limit, normalise_username
from db.models import SignInThrottle

_EVERYONE_WINDOW = dt.timedelta(minutes=1)


class Scope(StrEnum):
    everyone = "everyone"
    address = "address"
    username = "username"


@dataclass(frozen=True)
class ThrottleKey:
    scope: Scope
    key: str


@dataclass(frozen=True)
class Lock:
    scope: Scope
    key: str
    failures: int
    locked_until: dt.datetime


EVERYONE = ThrottleKey(Scope.everyone, "*")


def username_key(username: str) -> ThrottleKey:
    """The key of a username as typed: the same for a known and a made-up name."""
    return ThrottleKey(Scope.username, as_typed(normalise_username(username), length=limit("key", SignInThrottle)))


def keys_for(*, username: str, address: str | None) -> tuple[ThrottleKey, ...]:
    """The keys one attempt counts against, widest first (the order locks are looked up and
    rows are locked in, so two attempts never wait on each other in a circle)."""
    keys = [EVERYONE]
    if address:
        keys.append(ThrottleKey(Scope.address, _network(address)[: limit("key", SignInThrottle)]))
    keys.append(username_key(username))
    return tuple(keys)


def _network(address: str) -> str:
    # One IPv6 subscriber usually holds a whole /64: count the network, or it sprays unlimited.
    parsed = ipaddress.ip_address(address)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False)) if parsed.version == 6 else str(parsed)


def _rule(scope: str, limits: SignInLimits) -> tuple[int, dt.timedelta]:
    if scope == Scope.everyone:
        return limits.per_minute, _EVERYONE_WINDOW
    if scope == Scope.address:
        return limits.per_address, limits.window
    return limits.per_username, limits.window


def _matching(keys: Iterable[ThrottleKey]):
    return or_(*(and_(col(SignInThrottle.scope) == k.scope.value, col(SignInThrottle.key) == k.key) for k in keys))


def current_lock(
    *, session: Session, keys: Sequence[ThrottleKey], now: dt.datetime
) -> tuple[ThrottleKey, dt.timedelta] | None:
    """The widest of ``keys`` that is locked now, and for how long still (one statement)."""
    rows = session.exec(select(SignInThrottle).where(_matching(keys), col(SignInThrottle.locked_until) > now)).all()
    by_key = {ThrottleKey(Scope(r.scope), r.key): r for r in rows}
    for key in keys:
        row = by_key.get(key)
        if row is not None and row.locked_until is not None:
            return key, row.locked_until - now
    return None


def count_failure(
    *, session: Session, keys: Sequence[ThrottleKey], limits: SignInLimits, now: dt.datetime
) -> dt.timedelta | None:
    """Count one failed attempt against each key; the longest lock now holding among them, if any."""
    if not keys:
        return None
    table = SignInThrottle.__table__  # type: ignore[attr-defined]
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for key in keys:  # make sure each row exists, so the locking read below sees them all
        session.execute(
            insert(table)
            .values(scope=key.scope.value, key=key.key, failures=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=[table.c.scope, table.c.key])
        )
    rows = session.exec(select(SignInThrottle).where(_matching(keys)).with_for_update()).all()
    longest: dt.timedelta | None = None
    for row in sorted(rows, key=lambda r: [k.scope.value for k in keys].index(r.scope)):
        most, window = _rule(row.scope, limits)
        if row.locked_until is not None and row.locked_until > now:
            pass  # a lock holds its time and no longer
        else:
            if row.locked_until is not None or row.window_started_at + window <= now:
                row.failures, row.window_started_at, row.locked_until = 0, now, None
            row.failures += 1
            row.last_failure_at = now
            if row.failures >= most:
                row.locked_until = now + window
            session.add(row)
        if row.locked_until is not None and row.locked_until > now:
            remaining = row.locked_until - now
            longest = remaining if longest is None else max(longest, remaining)
    _forget_old(session, limits=limits, now=now)
    return longest


def clear(*, session: Session, key: ThrottleKey) -> None:
    """Forget a key's failures (a username that signed in correctly)."""
    session.execute(
        delete(SignInThrottle).where(col(SignInThrottle.scope) == key.scope.value, col(SignInThrottle.key) == key.key)
    )


def _forget_old(session: Session, *, limits: SignInLimits, now: dt.datetime) -> None:
    # Rows whose window passed without a lock count nothing any more; keep the table small even
    # when someone sprays thousands of made-up names.
    oldest = now - max(limits.window, _EVERYONE_WINDOW)
    session.execute(
        delete(SignInThrottle).where(
            col(SignInThrottle.window_started_at) < oldest,
            or_(col(SignInThrottle.locked_until).is_(None), col(SignInThrottle.locked_until) <= now),
        )
    )


def locks(*, session: Session) -> tuple[Lock, ...]:
    """Every lock set so far, newest end first (``in_force`` keeps those still holding)."""
    rows = session.exec(
        select(SignInThrottle)
        .where(col(SignInThrottle.locked_until).is_not(None))
        .order_by(col(SignInThrottle.locked_until).desc())
    )
    return tuple(Lock(Scope(r.scope), r.key, r.failures, r.locked_until) for r in rows if r.locked_until is not None)


def in_force(all_locks: Iterable[Lock], *, now: dt.datetime) -> list[Lock]:
    return [lock for lock in all_locks if lock.locked_until > now]


def lift(*, session: Session, actor: Actor, scope: Scope, key: str) -> None:
    """An admin lifts a lock before its time (and forgets the failures behind it)."""
    require(actor, Action.manage_users)
    throttle_key = username_key(key) if scope == Scope.username else ThrottleKey(scope, key)
    row = session.get(SignInThrottle, (throttle_key.scope.value, throttle_key.key))
    if row is None:
        raise NotFoundError(_("There is no sign-in lock on {scope} {key!r}.", scope=scope.value, key=key))
    session.delete(row)
    audit.record_change(
        session,
        actor=actor,
        action=f"{AUDIT_ENTITY}.lock_lifted",
        entity=AUDIT_ENTITY,
        entity_id=None,
        after={"scope": scope.value, "key": throttle_key.key, "failures": row.failures},
    )
