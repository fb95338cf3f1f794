"""'You asked, we did': loop items from shipped ideas to the announcement and thanked givers."""

from __future__ import annotations

from sqlmodel import Session, select

from core import records
from core.permissions import Actor
from db.models import LoopItem, LoopStatus, Post


def on_post_published(session: Session, *, post: Post, actor: Actor) -> None:
    """Mark loop items whose announcement this post is as announced (called by the calendar)."""
    items = session.exec(
        select(LoopItem).where(LoopItem.announcement_post_id == post.id, LoopItem.status == LoopStatus.shipped)
    ).all()
    for item in items:
        records.update_versioned(
            session,
            LoopItem,
            item.id,  # type: ignore[arg-type]
            expected_version=item.version,
            changes={"status": LoopStatus.announced, "announced_at": post.published_at},
            actor=actor,
            action="loop_item.announced",
        )
