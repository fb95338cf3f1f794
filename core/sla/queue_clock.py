"""When the SLA queues change by the clock alone: the running clocks, each (policy, window)'s
at-risk cut-off at an instant (remaining ≤ T ⇔ deadline ≤ calendar.deadline(now, T)), and the next
instant at which an item moves between queues. ``core.sla.queues`` counts and pages with these; the
live scan tells people with them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, or_
from sqlmodel import Session, col, select

from core.sla.business_time import BusinessCalendar
from core.sla.figures import NEEDS_REPLY_KINDS, OPEN_STATUSES
from core.sla.policies import PolicyBook
from db.models import Conversation


def sla_open_clauses() -> list[Any]:
    """Open items whose SLA clock is running: need a reply, none yet, and a deadline."""
    c = Conversation
    return [
        col(c.status).in_([s.value for s in OPEN_STATUSES]),
        col(c.kind).in_([k.value for k in NEEDS_REPLY_KINDS]),
        col(c.first_reply_at).is_(None),
        col(c.deadline_at).is_not(None),
    ]


@dataclass(frozen=True)
class Cutoff:
    """One (policy, window) of the running clocks at ``now``: its items are at risk when their
    deadline is at or before ``at`` (remaining ≤ T ⇔ deadline ≤ calendar.deadline(now, T))."""

    policy_id: int
    window: float
    calendar: BusinessCalendar
    allowed: dt.timedelta
    at: dt.datetime


def cutoffs(session: Session, *, now: dt.datetime, book: PolicyBook, base: list[Any]) -> list[Cutoff]:
    c = Conversation
    pairs = session.exec(
        select(c.sla_policy_id, c.window_minutes).where(*base, col(c.deadline_at) > now).distinct()
    ).all()
    found = []
    for policy_id, window in pairs:
        calendar = book.calendar_of(policy_id)
        if policy_id is None or calendar is None or window is None:
            continue
        threshold = book.threshold(policy_id, window)
        if threshold <= 0:
            continue
        allowed = dt.timedelta(minutes=threshold)
        found.append(Cutoff(policy_id, window, calendar, allowed, calendar.deadline(now, allowed)))
    return found


def at_risk_clause(session: Session, *, now: dt.datetime, book: PolicyBook, base: list[Any]) -> Any:
    """The SQL test "at risk at ``now``" for the items ``base`` selects (the live scan uses it too)."""
    return cutoff_clause(cutoffs(session, now=now, book=book, base=base))


def cutoff_clause(cutoffs: list[Cutoff]) -> Any:
    c = Conversation
    parts = [
        and_(col(c.sla_policy_id) == cut.policy_id, col(c.window_minutes) == cut.window, col(c.deadline_at) <= cut.at)
        for cut in cutoffs
    ]
    return or_(*parts) if parts else false()


def next_change(session: Session, *, now: dt.datetime, running: list[Any], cutoffs: list[Cutoff]) -> dt.datetime | None:
    """The first instant after ``now`` at which an item of the running clocks changes queue: the
    next deadline, or the next item to fall to its at-risk threshold. Per (policy, window) the item
    with the nearest deadline past the cut-off gets there first (business time left grows with the
    deadline); its instant is found on the engine's own ``elapsed`` (no reverse arithmetic that could
    disagree with it at a clock change)."""
    c = Conversation
    later: list[dt.datetime] = []
    next_deadline = session.exec(select(func.min(c.deadline_at)).where(*running, col(c.deadline_at) > now)).one()
    if next_deadline is not None:
        later.append(next_deadline)
    if cutoffs:
        by_pair = {(cut.policy_id, cut.window): cut for cut in cutoffs}
        past_cutoff = or_(
            *(
                and_(
                    col(c.sla_policy_id) == cut.policy_id,
                    col(c.window_minutes) == cut.window,
                    col(c.deadline_at) > cut.at,
                )
                for cut in cutoffs
            )
        )
        nearest = session.exec(
            select(c.sla_policy_id, c.window_minutes, func.min(c.deadline_at))
            .where(*running, past_cutoff)
            .group_by(col(c.sla_policy_id), col(c.window_minutes))
        ).all()
        for policy_id, window, deadline in nearest:
            cut = by_pair.get((policy_id, window)) if policy_id is not None and window is not None else None
            if cut is not None and deadline is not None:
                later.append(_falls_to(cut.calendar, deadline, cut.allowed, after=now))
    return min(later) if later else None


def _falls_to(
    calendar: BusinessCalendar, deadline: dt.datetime, allowed: dt.timedelta, *, after: dt.datetime
) -> dt.datetime:
    """The earliest instant after ``after`` from which at most ``allowed`` business time is left
    before ``deadline`` (``after`` itself has more). Business time left only shrinks as time goes
    on, so the instant is found by halving the span, to the microsecond."""
    low, high = after, deadline  # more than ``allowed`` left at low; none left at high
    step = dt.timedelta(microseconds=1)
    while high - low > step:
        middle = low + (high - low) / 2
        if calendar.elapsed(middle, deadline) <= allowed:
            high = middle
        else:
            low = middle
    return high
