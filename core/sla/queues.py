"""The SLA monitor's read models: the queues (breached / at risk / on track / follow-up), their
counts and pages, the filters, one conversation as the screens show it, and the data problems.

Queues classify breached vs not in SQL (``deadline_at <= now``) and at risk vs on track in SQL
too, by turning each policy's threshold into a cut-off instant with the engine
(remaining ≤ T ⇔ deadline ≤ calendar.deadline(now, T)); business time left is computed with the
engine for the rows shown only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select

from core.records import stored_id
from core.sla import queue_clock
from core.sla.business_time import BusinessCalendar
from core.sla.figures import (
    DEFAULT_AT_RISK_MIN_MINUTES,
    OPEN_STATUSES,
    SlaStatus,
    business_minutes_left,
    needs_reply,
    sla_status,
)
from core.sla.policies import PolicyBook
from db.models import Channel, Conversation, ConversationKind, EscalationTeam, Post, QuickAnswer, SlaPolicy, User
from db.types import utcnow

QUEUE_PAGE_SIZE = 50


class Queue(StrEnum):
    breached = "breached"
    at_risk = "at_risk"
    on_track = "on_track"
    follow_up = "follow_up"  # still open but outside the SLA clock: replied, or nothing to answer


@dataclass(frozen=True)
class QueueFilters:
    """Filters of the queue and the KPIs; None means "all"."""

    channel_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False  # only conversations nobody has taken
    category: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class ConversationRow:
    """One conversation as the screens show it, with its SLA status at ``now``."""

    id: int
    version: int
    external_id: str | None
    channel_id: int
    channel: str
    kind: str
    author_handle: str
    text: str
    link: str
    category: str
    status: str
    received_at: dt.datetime
    deadline_at: dt.datetime | None
    first_reply_at: dt.datetime | None
    resolved_at: dt.datetime | None
    window_minutes: float | None
    business_minutes_to_reply: float | None
    calendar_minutes_to_reply: float | None
    business_minutes_left: float | None
    sla_status: SlaStatus
    reply_before_message: bool
    no_reply_reason: str
    assignee_id: int | None
    assignee: str | None
    escalation_team_id: int | None
    escalation_team: str | None
    escalation_owner: str | None
    escalated_at: dt.datetime | None
    escalation_reason: str
    escalation_deadline_at: dt.datetime | None
    quick_answer_id: int | None
    quick_answer: str | None
    useful: bool
    best: bool
    sla_policy: str | None
    post_id: int | None
    post_title: str | None  # the post it answers (published posts keep their titles)
    sla_policy_id: int | None = None

    @property
    def needs_reply(self) -> bool:
        return needs_reply(
            self.kind, self.status, no_reply_reason=self.no_reply_reason, replied=self.first_reply_at is not None
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class QueuePage:
    queue: Queue
    items: tuple[ConversationRow, ...]
    total: int
    offset: int
    limit: int
    # The business calendar of each policy of the rows: business time left is counted again for
    # the moment the page is shown (the rows themselves hold until ``QueueCounts.valid_until``).
    calendars: dict[int, BusinessCalendar] = field(default_factory=dict)

    def minutes_left(self, item: ConversationRow, now: dt.datetime) -> float | None:
        """The item's business time left at ``now`` (None when no SLA clock runs for it)."""
        calendar = self.calendars.get(item.sla_policy_id) if item.sla_policy_id is not None else None
        if item.business_minutes_left is None or calendar is None or item.window_minutes is None:
            return item.business_minutes_left
        return business_minutes_left(
            received_at=item.received_at, window_minutes=item.window_minutes, now=now, calendar=calendar
        )


@dataclass(frozen=True)
class QueueCounts:
    breached: int
    at_risk: int
    on_track: int
    follow_up: int
    # The first instant after the count at which the clock alone moves an item from one queue to
    # another (a deadline passes, or an item's business time left falls to its policy's at-risk
    # threshold); None when no clock is running. Until then the counts, and which items each
    # queue holds, stay as read: a screen may keep them without asking again every minute.
    valid_until: dt.datetime | None = None

    def of(self, queue: Queue) -> int:
        return getattr(self, queue.value)


_Assignee = aliased(User, name="assignee")
_Owner = aliased(User, name="team_owner")


def _row_select():
    c = Conversation
    return (
        sql_select(
            c,
            col(Channel.name),
            col(_Assignee.name),
            col(_Assignee.username),
            col(EscalationTeam.name),
            col(_Owner.name),
            col(_Owner.username),
            col(QuickAnswer.title),
            col(SlaPolicy.name),
            col(Post.title),
        )
        .join(Channel, col(Channel.id) == col(c.channel_id))
        .join(_Assignee, col(_Assignee.id) == col(c.assignee_id), isouter=True)
        .join(EscalationTeam, col(EscalationTeam.id) == col(c.escalation_team_id), isouter=True)
        .join(_Owner, col(_Owner.id) == col(EscalationTeam.owner_id), isouter=True)
        .join(QuickAnswer, col(QuickAnswer.id) == col(c.quick_answer_id), isouter=True)
        .join(SlaPolicy, col(SlaPolicy.id) == col(c.sla_policy_id), isouter=True)
        .join(Post, col(Post.id) == col(c.post_id), isouter=True)
    )


def _rows(session: Session, statement: Executable, *, now: dt.datetime, book: PolicyBook) -> list[ConversationRow]:
    result = []
    for (
        c,
        channel,
        assignee_name,
        assignee_username,
        team,
        owner_name,
        owner_username,
        answer,
        policy_name,
        post_title,
    ) in session.execute(statement):
        reply_needed = needs_reply(
            c.kind, c.status, no_reply_reason=c.no_reply_reason, replied=c.first_reply_at is not None
        )
        left = None
        threshold: float = DEFAULT_AT_RISK_MIN_MINUTES
        calendar = book.calendar_of(c.sla_policy_id)
        if reply_needed and c.deadline_at is not None and c.first_reply_at is None and c.window_minutes is not None:
            if calendar is not None:
                left = business_minutes_left(
                    received_at=c.received_at, window_minutes=c.window_minutes, now=now, calendar=calendar
                )
            threshold = book.threshold(c.sla_policy_id, c.window_minutes)
        status = sla_status(
            needs_reply=reply_needed,
            deadline_at=c.deadline_at,
            first_reply_at=c.first_reply_at,
            reply_before_message=c.reply_before_message,
            now=now,
            minutes_left=left,
            at_risk_threshold=threshold,
        )
        result.append(
            ConversationRow(
                id=c.id,
                version=c.version,
                external_id=c.external_id,
                channel_id=c.channel_id,
                channel=channel,
                kind=c.kind,
                author_handle=c.author_handle,
                text=c.text,
                link=c.link,
                category=c.category,
                status=c.status,
                received_at=c.received_at,
                deadline_at=c.deadline_at,
                first_reply_at=c.first_reply_at,
                resolved_at=c.resolved_at,
                window_minutes=c.window_minutes,
                business_minutes_to_reply=c.business_minutes_to_reply,
                calendar_minutes_to_reply=c.calendar_minutes_to_reply,
                business_minutes_left=left,
                sla_status=status,
                reply_before_message=c.reply_before_message,
                no_reply_reason=c.no_reply_reason,
                assignee_id=c.assignee_id,
                assignee=(assignee_name or assignee_username) if c.assignee_id else None,
                escalation_team_id=c.escalation_team_id,
                escalation_team=team,
                escalation_owner=(owner_name or owner_username) if (owner_name or owner_username) else None,
                escalated_at=c.escalated_at,
                escalation_reason=c.escalation_reason,
                escalation_deadline_at=c.escalation_deadline_at,
                quick_answer_id=c.quick_answer_id,
                quick_answer=answer,
                useful=c.useful,
                best=c.best,
                sla_policy=policy_name,
                post_id=c.post_id,
                post_title=post_title,
                sla_policy_id=c.sla_policy_id,
            )
        )
    return result


def conversation_rows(session: Session, *, ids: Sequence[int], now: dt.datetime | None = None) -> list[ConversationRow]:
    """Given conversations as the screens show them (in the order of ``ids``)."""
    if not ids:
        return []
    now = now or utcnow()
    rows = _rows(
        session, _row_select().where(col(Conversation.id).in_(list(ids))), now=now, book=PolicyBook.load(session)
    )
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def _filter_clauses(filters: QueueFilters | None) -> list[Any]:
    clauses: list[Any] = []
    if filters is None:
        return clauses
    if filters.channel_id is not None:
        clauses.append(col(Conversation.channel_id) == filters.channel_id)
    if filters.assignee_id is not None:
        clauses.append(col(Conversation.assignee_id) == filters.assignee_id)
    if filters.unassigned:
        clauses.append(col(Conversation.assignee_id).is_(None))
    if filters.category:
        clauses.append(col(Conversation.category) == filters.category)
    if filters.kind:
        clauses.append(col(Conversation.kind) == filters.kind)
    return clauses


def _queue_where(
    session: Session, queue: Queue, *, now: dt.datetime, filters: QueueFilters | None, book: PolicyBook
) -> list[Any]:
    c = Conversation
    open_sla = queue_clock.sla_open_clauses() + _filter_clauses(filters)
    if queue == Queue.breached:
        return open_sla + [col(c.deadline_at) <= now]
    if queue in (Queue.at_risk, Queue.on_track):
        risky = queue_clock.at_risk_clause(session, now=now, book=book, base=open_sla)
        return open_sla + [col(c.deadline_at) > now, risky if queue == Queue.at_risk else ~risky]
    # follow-up: open, but no SLA clock running
    running = and_(*queue_clock.sla_open_clauses())
    return [col(c.status).in_([s.value for s in OPEN_STATUSES]), ~running] + _filter_clauses(filters)


def queue_counts(
    session: Session, *, now: dt.datetime | None = None, filters: QueueFilters | None = None
) -> QueueCounts:
    """How many open items each queue holds, counted in SQL: the running clocks split by deadline
    and risk, and follow-up as the rest of the open items."""
    now = now or utcnow()
    book = PolicyBook.load(session)
    c = Conversation
    running = queue_clock.sla_open_clauses() + _filter_clauses(filters)
    cutoffs = queue_clock.cutoffs(session, now=now, book=book, base=running)
    risky = queue_clock.cutoff_clause(cutoffs)
    due = col(c.deadline_at) <= now
    breached, at_risk, on_track = session.exec(
        select(
            func.count().filter(due),
            func.count().filter(and_(~due, risky)),
            func.count().filter(and_(~due, ~risky)),
        ).where(*running)
    ).one()
    open_total = session.exec(
        select(func.count()).where(col(c.status).in_([s.value for s in OPEN_STATUSES]), *_filter_clauses(filters))
    ).one()
    return QueueCounts(
        breached=breached,
        at_risk=at_risk,
        on_track=on_track,
        follow_up=open_total - breached - at_risk - on_track,
        valid_until=queue_clock.next_change(session, now=now, running=running, cutoffs=cutoffs)
        if breached + at_risk + on_track
        else None,
    )


def queue_page(
    session: Session,
    *,
    queue: Queue | str,
    now: dt.datetime | None = None,
    filters: QueueFilters | None = None,
    limit: int = QUEUE_PAGE_SIZE,
    offset: int = 0,
    total: int | None = None,
) -> QueuePage:
    """One page of a queue, nearest deadline first, with business time left for these rows only
    (``total`` may be passed when the caller has counted already)."""
    queue = Queue(queue)
    now = now or utcnow()
    limit = max(1, min(int(limit), 500))
    offset = max(0, int(offset))
    book = PolicyBook.load(session)
    where = _queue_where(session, queue, now=now, filters=filters, book=book)
    if total is None:
        total = session.exec(select(func.count()).select_from(Conversation).where(*where)).one()
    c = Conversation
    if queue == Queue.follow_up:
        order = [case((col(c.deadline_at).is_(None), 1), else_=0), col(c.deadline_at), col(c.received_at), col(c.id)]
    else:
        order = [col(c.deadline_at), col(c.id)]
    statement = _row_select().where(*where).order_by(*order).limit(limit).offset(offset)
    items = tuple(_rows(session, statement, now=now, book=book))
    calendars = {
        item.sla_policy_id: calendar
        for item in items
        if item.sla_policy_id is not None and (calendar := book.calendar_of(item.sla_policy_id)) is not None
    }
    return QueuePage(queue=queue, items=items, total=total, offset=offset, limit=limit, calendars=calendars)


@dataclass(frozen=True)
class FilterOptions:
    channels: tuple[tuple[int, str], ...]
    assignees: tuple[tuple[int, str], ...]
    categories: tuple[str, ...]
    kinds: tuple[str, ...] = tuple(k.value for k in ConversationKind)


def filter_options(session: Session) -> FilterOptions:
    """The choices for the queue filters: channels, people who work conversations, categories."""
    channels = tuple(
        (stored_id(cid), name)
        for cid, name in session.exec(select(Channel.id, Channel.name).order_by(col(Channel.name)))
    )
    people = session.exec(
        select(User.id, User.name, User.username).where(col(User.active).is_(True)).order_by(col(User.username))
    ).all()
    categories = tuple(
        c
        for c in session.exec(
            select(Conversation.category)
            .where(Conversation.category != "")
            .distinct()
            .order_by(col(Conversation.category))
        )
        if c
    )
    return FilterOptions(
        channels=channels,
        assignees=tuple((stored_id(uid), name or username) for uid, name, username in people),
        categories=categories,
    )


def data_problems(session: Session, *, limit: int = 50, now: dt.datetime | None = None) -> list[ConversationRow]:
    """Conversations whose first reply is stamped before the message (flagged, never hidden)."""
    statement = (
        _row_select()
        .where(col(Conversation.reply_before_message).is_(True))
        .order_by(col(Conversation.received_at).desc())
        .limit(limit)
    )
    return _rows(session, statement, now=now or utcnow(), book=PolicyBook.load(session))
