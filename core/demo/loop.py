"""The demo's "You asked, we did" loop: loop items in every state, with their announcement
posts and thanked givers, written with the loop's own rules."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from core.demo.builder import DemoBuilder
from core.loop import rules
from core.records import stored_id
from db.models import (
    Channel,
    Idea,
    IdeaGiver,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    LoopStatus,
    LoopThanks,
    Post,
    PostStatus,
    User,
)

IDEA_FORM_URL = "https://example.com/ideas?utm_source=instagram&utm_medium=social&utm_campaign=you_asked_we_did"


def add_loop_items(demo: DemoBuilder, *, users: dict[str, User], channels: list[Channel], ideas: list[Idea]) -> None:
    """Loops in every state: the oldest shipped idea closed (announced, every giver thanked,
    impact measured), the next announced with thanks half done, the newest shipped without a
    loop item yet — the lead's next job on the screen. Decided by ``today`` alone."""
    session = demo.session
    shipped = sorted(
        (i for i in ideas if i.status == IdeaStatus.shipped), key=lambda i: (_shipped_at(i), stored_id(i.id))
    )
    rubric = demo.rubrics()["You asked, we did"]
    midnight = demo.local(demo.today, 0)
    for n, idea in enumerate(shipped[:-1] if len(shipped) > 1 else shipped):
        shipped_at = _shipped_at(idea)
        shipped_on = shipped_at.astimezone(demo.tz).date()
        what_changed = f"{idea.title} is live"
        item = LoopItem(
            what_changed=what_changed,
            details="Built from your comments and the monthly survey.",
            shipped_on=shipped_on,
            status=LoopStatus.shipped,
            impact_categories=idea.category,
            created_by_id=users["lead"].id,
            created_at=shipped_at,
        )
        demo.create(item, action="loop_item.create")
        item_id = stored_id(item.id)
        session.add(LoopItemIdea(loop_item_id=item_id, idea_id=stored_id(idea.id)))
        givers = list(
            session.exec(select(IdeaGiver.handle).where(IdeaGiver.idea_id == idea.id).order_by(col(IdeaGiver.id))).all()
        )
        when = min(demo.local(shipped_on + dt.timedelta(days=1), 12), midnight - dt.timedelta(hours=6))
        published = when > shipped_at
        if not published:
            when = demo.local(demo.today + dt.timedelta(days=1), 12)
        title, body = rules.announcement_text(
            what_changed=what_changed,
            details=item.details,
            idea_titles=[idea.title],
            handles=givers,
            idea_form_url=IDEA_FORM_URL,
        )
        post = Post(
            title=title,
            body=body,
            channel_id=stored_id(channels[0].id),
            rubric_id=rubric.id,
            format="carousel",
            cognitive_load="low",
            owner_id=users["lead"].id,
            sla_owner_id=users["community"].id,
            status=PostStatus.published if published else PostStatus.scheduled,
            scheduled_at=when,
            published_at=when if published else None,
            next_step_type="form",
            next_step_text=rules.NEXT_STEP_TEXT,
            micro_goal="20 new proposals for what to improve next",
            link_url=IDEA_FORM_URL,
            tone_confirmed=True,
            alt_text="Screenshot of the new feature",
            contrast_confirmed=True,
            created_by_id=users["lead"].id,
        )
        demo.create(post, action="post.create")
        item.announcement_post_id = post.id
        if not published:
            continue
        item.announced_at = when
        thanked = givers if n == 0 else givers[: len(givers) // 2]
        for k, handle in enumerate(thanked):
            session.add(
                LoopThanks(
                    loop_item_id=item_id,
                    handle=handle,
                    thanked_by_id=users["community"].id,
                    thanked_at=min(when + dt.timedelta(hours=2 + k), midnight - dt.timedelta(minutes=30 - k)),
                )
            )
        measured_at = demo.local(shipped_on + dt.timedelta(days=item.impact_window_days + 1), 10)
        if n == 0 and measured_at >= midnight:
            # Not 30 days yet: the team asked for the NPS around the release instead.
            item.nps_before, item.nps_after = 31.0, 38.0
            measured_at = min(when + dt.timedelta(hours=8), midnight - dt.timedelta(hours=1))
        item.measured_at = measured_at if n == 0 and measured_at < midnight else None
        all_thanked = len(thanked) == len(givers)
        item.status = rules.advance_status(
            item.status, announced=True, all_thanked=all_thanked, measured=item.measured_at is not None
        )
    session.flush()


def _shipped_at(idea: Idea) -> dt.datetime:
    if idea.shipped_at is None:
        raise AssertionError("a shipped idea without its shipped day")
    return idea.shipped_at
