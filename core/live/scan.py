"""The SLA scan the worker runs every minute: the open conversations at risk or newly breached
that nobody was told about yet, in one query, each announced once.

The query is the SLA queue's own rule (``core.sla.queues``: the clock is running and the deadline
is at or before each policy's at-risk cut-off), limited to deadlines from ``BREACH_NEWS`` ago on
(an item breached last month is not news) and to conversations without the notification yet
(``NOT EXISTS`` on its unique key) — so a scan reads the few rows near their deadline through the
queue's index, never every conversation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, exists, literal, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from core import formats
from core.i18n import N_
from core.live.kinds import Kind
from core.live.notify import Announcement, announce, later
from core.live.subscribers import people_who_may
from core.permissions import Action
from core.sla.policies import PolicyBook
from core.sla.queue_clock import at_risk_clause, sla_open_clauses
from db.models import Channel, Conversation, Notification
from db.types import utcnow

BREACH_NEWS = dt.timedelta(hours=24)


def at_risk_key(conversation_id: int) -> str:
    return f"{Kind.sla_at_risk.value}:{conversation_id}"


def breached_key(conversation_id: int) -> str:
    return f"{Kind.sla_breached.value}:{conversation_id}"


@dataclass(frozen=True)
class Due:
    """A conversation the scan found: at risk, or breached."""

    id: int
    breached: bool
    author_handle: str
    channel: str
    deadline_at: dt.datetime
    assignee_id: int | None
    sla_policy_id: int | None


def _not_told(kind: Kind):
    key = literal(f"{kind.value}:") + cast(Conversation.id, String)
    return ~exists().where(col(Notification.dedupe_key) == key)


def find_due(session: Session, *, now: dt.datetime, book: PolicyBook | None = None) -> list[Due]:
    """The conversations to tell about now (one query over the queue's index)."""
    book = book or PolicyBook.load(session)
    c = Conversation
    running = sla_open_clauses()
    risky = at_risk_clause(session, now=now, book=book, base=running)
    due = col(c.deadline_at) <= now
    rows = session.execute(
        sql_select(
            col(c.id),
            due,
            col(c.author_handle),
            col(Channel.name),
            col(c.deadline_at),
            col(c.assignee_id),
            col(c.sla_policy_id),
        )
        .join(Channel, col(Channel.id) == c.channel_id)
        .where(
            *running,
            col(c.deadline_at) > now - BREACH_NEWS,
            or_(and_(due, _not_told(Kind.sla_breached)), and_(~due, risky, _not_told(Kind.sla_at_risk))),
        )
        .order_by(col(c.deadline_at))
    ).all()
    return [Due(*row) for row in rows]


def scan(session: Session, *, now: dt.datetime | None = None) -> tuple[int, int]:
    """Announce every conversation that just became at risk or breached; (at risk, breached) told."""
    now = now or utcnow()
    book = PolicyBook.load(session)
    found = find_due(session, now=now, book=book)
    if not found:
        return 0, 0
    workers = people_who_may(session, Action.work_conversations)
    leads = people_who_may(session, Action.manage_sla_policies)
    at_risk = breached = 0
    for item in found:
        calendar = book.calendar_of(item.sla_policy_id)
        local = item.deadline_at.astimezone(ZoneInfo(calendar.timezone)) if calendar else item.deadline_at
        owners = [item.assignee_id] if item.assignee_id is not None else workers
        if item.breached:
            announcement = Announcement(
                kind=Kind.sla_breached,
                key=breached_key(item.id),
                title=later(N_("SLA breached: {author} on {channel}"), author=item.author_handle, channel=item.channel),
                body=later(N_("The first reply was due {time}."), time=partial(formats.date_time, local)),
                entity="conversation",
                entity_id=item.id,
                urgent=True,
            )
            recipients = [*owners, *leads]
        else:
            announcement = Announcement(
                kind=Kind.sla_at_risk,
                key=at_risk_key(item.id),
                title=later(N_("SLA at risk: {author} on {channel}"), author=item.author_handle, channel=item.channel),
                body=later(N_("Reply before {time}."), time=partial(formats.date_time, local)),
                entity="conversation",
                entity_id=item.id,
            )
            recipients = owners
        told = announce(session, announcement, recipients=recipients, calendar=calendar, now=now)
        if told is not None:
            breached += item.breached
            at_risk += not item.breached
    return at_risk, breached
