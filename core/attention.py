"""What needs the team's attention today: the counts on the home screen, each a SQL COUNT.

The counts can be cached until the data changes, not only for a minute: the one count that moves
with the clock (conversations past their deadline) is read as a ``DeadlineClock`` — how many
deadlines had passed when it was read and the next ones after that — so the screen counts it for
the moment it is drawn without another query.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.local_time import day_bounds, local_today
from core.loop.queries import to_announce
from db.models import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    Idea,
    IdeaStatus,
    Post,
    PostStatus,
)
from db.types import utcnow

_NEEDS_REPLY = (ConversationKind.question, ConversationKind.complaint)


# How many of the next deadlines a read keeps: the home screen counts from them for hours.
UPCOMING = 200


@dataclass(frozen=True)
class DeadlineClock:
    """Deadlines as read at ``read_at``: how many had passed, and the next ones (sorted)."""

    read_at: dt.datetime
    passed: int
    upcoming: tuple[dt.datetime, ...] = ()
    more: bool = False  # whether deadlines after the last of ``upcoming`` were left out

    def passed_at(self, now: dt.datetime) -> int | None:
        """How many deadlines have passed at ``now``; None once ``now`` is past what was read
        (read again)."""
        if now < self.read_at:
            return self.passed
        if self.more and now >= self.upcoming[-1]:
            return None
        return self.passed + bisect_right(self.upcoming, now)


@dataclass(frozen=True)
class Attention:
    deadlines: DeadlineClock = field(repr=False)
    waiting_for_reply: int
    posts_in_review: int
    posts_today: int
    blocked_posts: int
    new_ideas: int
    open_loops: int  # loop items whose announcement is not out yet
    shipped_without_loop: int = 0  # shipped ideas no loop item answers yet

    @property
    def breached(self) -> int:
        """Past the SLA without a reply, when the counts were read."""
        return self.deadlines.passed

    def breached_at(self, now: dt.datetime) -> int | None:
        """Past the SLA without a reply at ``now`` (None: read the counts again)."""
        return self.deadlines.passed_at(now)

    @property
    def to_announce(self) -> int:
        """Shipped and not yet announced: loop items not announced and shipped ideas without one."""
        return self.open_loops + self.shipped_without_loop


def _count(session: Session, statement) -> int:
    return int(session.exec(statement).one() or 0)


def _deadlines(session: Session, unanswered, now: dt.datetime) -> DeadlineClock:
    passed = _count(session, unanswered.where(col(Conversation.deadline_at) <= now))
    upcoming = session.exec(
        unanswered.with_only_columns(col(Conversation.deadline_at))
        .where(col(Conversation.deadline_at) > now)
        .order_by(col(Conversation.deadline_at))
        .limit(UPCOMING + 1)
    ).all()
    return DeadlineClock(now, passed, tuple(upcoming[:UPCOMING]), more=len(upcoming) > UPCOMING)


def attention(
    session: Session, *, tz: ZoneInfo, day: dt.date | None = None, now: dt.datetime | None = None
) -> Attention:
    """The counts of ``day`` (default: today in ``tz``), read at ``now`` (default: this instant)."""
    now = now or utcnow()
    unanswered = (
        select(func.count())
        .select_from(Conversation)
        .where(
            col(Conversation.kind).in_(_NEEDS_REPLY),
            col(Conversation.status).in_((ConversationStatus.open, ConversationStatus.waiting)),
            col(Conversation.first_reply_at).is_(None),
        )
    )
    day_start, day_end = day_bounds(day or local_today(now, tz), tz)
    announce = to_announce(session)
    return Attention(
        deadlines=_deadlines(session, unanswered, now),
        waiting_for_reply=_count(session, unanswered),
        posts_in_review=_count(
            session, select(func.count()).select_from(Post).where(Post.status == PostStatus.in_review)
        ),
        posts_today=_count(
            session,
            select(func.count())
            .select_from(Post)
            .where(
                col(Post.status).in_((PostStatus.scheduled, PostStatus.published)),
                col(Post.scheduled_at) >= day_start,
                col(Post.scheduled_at) < day_end,
            ),
        ),
        blocked_posts=_count(
            session,
            select(func.count())
            .select_from(Post)
            .where(Post.blocked_reason != "", col(Post.status).not_in((PostStatus.published, PostStatus.cancelled))),
        ),
        new_ideas=_count(
            session,
            select(func.count())
            .select_from(Idea)
            .where(Idea.status == IdeaStatus.new, col(Idea.merged_into_id).is_(None)),
        ),
        open_loops=announce.loop_items,
        shipped_without_loop=announce.ideas_without_loop,
    )
