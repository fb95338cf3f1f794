"""What needs the team's attention today: the counts on the home screen, each a SQL COUNT."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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

_NEEDS_REPLY = (ConversationKind.question, ConversationKind.complaint)


@dataclass(frozen=True)
class Attention:
    breached: int
    waiting_for_reply: int
    posts_in_review: int
    posts_today: int
    blocked_posts: int
    new_ideas: int
    open_loops: int  # loop items whose announcement is not out yet
    shipped_without_loop: int = 0  # shipped ideas no loop item answers yet

    @property
    def to_announce(self) -> int:
        """Shipped and not yet announced: loop items not announced and shipped ideas without one."""
        return self.open_loops + self.shipped_without_loop


def _count(session: Session, statement) -> int:
    return int(session.exec(statement).one() or 0)


def attention(session: Session, *, now: dt.datetime, tz: ZoneInfo) -> Attention:
    unanswered = (
        select(func.count())
        .select_from(Conversation)
        .where(
            col(Conversation.kind).in_(_NEEDS_REPLY),
            col(Conversation.status).in_((ConversationStatus.open, ConversationStatus.waiting)),
            col(Conversation.first_reply_at).is_(None),
        )
    )
    day_start, day_end = day_bounds(local_today(now, tz), tz)
    announce = to_announce(session)
    return Attention(
        breached=_count(session, unanswered.where(col(Conversation.deadline_at) <= now)),
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
