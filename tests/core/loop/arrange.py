"""Arranging loop tests: ideas with givers, a loop opened on them, an announcement published."""

from __future__ import annotations

import datetime as dt

from core.content_plan import posts
from core.content_plan.queries import get_post
from core.loop.items import create_loop_item
from db.models import IdeaGiver, IdeaStatus, LoopItemCreate, PostUpdate
from db.types import utcnow
from tests.factories import make_idea


def idea_with_givers(session, *handles, channel=None, status=IdeaStatus.shipped, **fields):
    idea = make_idea(session, status=status, **fields)
    for handle in handles:
        session.add(IdeaGiver(idea_id=idea.id, handle=handle, channel_id=channel.id if channel else None))
    session.flush()
    return idea


def open_loop(write, lead, *idea_ids, shipped_on=dt.date(2026, 3, 2), **kwargs):
    with write() as s:
        return create_loop_item(
            session=s,
            actor=lead,
            item_in=LoopItemCreate(
                what_changed="Dark mode is live", shipped_on=shipped_on, idea_ids=list(idea_ids), **kwargs
            ),
        )


def publish(write, lead, post_id):
    """Walk the announcement through the calendar's checklist and approval to published."""
    with write() as s:
        post = get_post(s, post_id)
        post = posts.update_post(
            session=s,
            actor=lead,
            post_id=post_id,
            expected_version=post.version,
            post_in=PostUpdate(tone_confirmed=True, sla_owner_id=lead.id),
        )
        posts.advance_post(
            session=s,
            actor=lead,
            post_id=post_id,
            expected_version=post.version,
            target="published",
            scheduled_at=utcnow(),
        )
