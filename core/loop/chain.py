"""The chain view: for an idea or a loop item, one timeline from the post or conversation it came
from, through the team's votes, triage and shipping, to the announcement and the givers thanked —
with the time each step took.

Steps that have not happened yet are kept in the timeline without a time, so the screen shows
what is still to do. A loop item's timeline starts at the earliest step of any of its ideas (and
of the ideas merged into them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import formats, records
from core.i18n import _, ngettext
from core.ideas.detail import merged_subtree
from core.loop.people import idea_ids_of
from core.loop.queries import giver_keys, thanked_keys
from db.models import (
    AuditLog,
    Channel,
    Conversation,
    Idea,
    IdeaConversation,
    IdeaGiver,
    LoopItem,
    LoopItemIdea,
    LoopThanks,
    Post,
    User,
    Vote,
)


@dataclass(frozen=True)
class ChainStep:
    key: str
    label: str
    at: dt.datetime | None  # None: not happened (yet)
    detail: str
    took: dt.timedelta | None = None  # since the step before it that happened

    @property
    def done(self) -> bool:
        return self.at is not None


@dataclass(frozen=True)
class Chain:
    title: str
    steps: tuple[ChainStep, ...]
    idea_ids: tuple[int, ...]
    loop_item_id: int | None

    @property
    def total(self) -> dt.timedelta | None:
        """From the first step to the last one that happened."""
        done = [s.at for s in self.steps if s.at is not None]
        return max(done) - min(done) if len(done) > 1 else None


def with_durations(steps: Sequence[ChainStep]) -> tuple[ChainStep, ...]:
    """The steps with the time each took since the last earlier step that happened."""
    result: list[ChainStep] = []
    previous: dt.datetime | None = None
    for step in steps:
        took: dt.timedelta | None = step.at - previous if step.at is not None and previous is not None else None
        result.append(ChainStep(step.key, step.label, step.at, step.detail, took))
        if step.at is not None:
            previous = step.at
    return tuple(result)


def describe_duration(delta: dt.timedelta | None) -> str:
    """ "3 days 4 h", "5 h 20 min", "12 min" (a negative step, from corrected data, says so)."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    sign = "−" if minutes < 0 else ""
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = ngettext("{count} day", "{count} days", days)
        return sign + (_("{days} {hours} h", days=text, hours=hours) if hours else text)
    if hours:
        return sign + (
            _("{hours} h {minutes} min", hours=hours, minutes=f"{mins:02d}") if mins else _("{hours} h", hours=hours)
        )
    return sign + _("{minutes} min", minutes=mins)


def _excerpt(text: str, length: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def _origin_steps(session: Session, ids: set[int], ideas: Sequence[Idea]) -> list[ChainStep]:
    first_conversation = session.exec(
        select(Conversation, Channel.name)
        .join(IdeaConversation, col(IdeaConversation.conversation_id) == col(Conversation.id))
        .join(Channel, col(Channel.id) == col(Conversation.channel_id))
        .where(col(IdeaConversation.idea_id).in_(ids))
        .order_by(col(Conversation.received_at), col(Conversation.id))
    ).first()
    conversations = session.exec(
        select(func.count()).select_from(IdeaConversation).where(col(IdeaConversation.idea_id).in_(ids))
    ).one()
    post_ids = [i.post_id for i in ideas if i.post_id is not None]
    if first_conversation is not None and first_conversation[0].post_id is not None:
        post_ids.append(first_conversation[0].post_id)
    post = (
        session.exec(
            select(Post).where(col(Post.id).in_(post_ids)).order_by(col(Post.published_at), col(Post.id))
        ).first()
        if post_ids
        else None
    )
    steps = [
        ChainStep(
            "post",
            _("Post published"),
            post.published_at if post else None,
            f"#{post.id} “{post.title}”" if post else _("not from a post"),
        )
    ]
    if first_conversation is not None:
        conversation, channel = first_conversation
        more = (
            " " + ngettext("(+{count} more conversation)", "(+{count} more conversations)", conversations - 1)
            if conversations > 1
            else ""
        )
        steps.append(
            ChainStep(
                "asked",
                _("First asked"),
                conversation.received_at,
                _(
                    "{author} on {channel}: {excerpt}",
                    author=conversation.author_handle,
                    channel=channel,
                    excerpt=_excerpt(conversation.text),
                )
                + more,
            )
        )
    else:
        first_giver = session.exec(
            select(IdeaGiver.handle, IdeaGiver.given_at)
            .where(col(IdeaGiver.idea_id).in_(ids))
            .order_by(col(IdeaGiver.given_at), col(IdeaGiver.id))
        ).first()
        steps.append(
            ChainStep(
                "asked",
                _("First asked"),
                first_giver[1] if first_giver else None,
                _("{handle} gave the idea", handle=first_giver[0]) if first_giver else _("no giver recorded"),
            )
        )
    return steps


def _idea_steps(session: Session, ids: set[int], ideas: Sequence[Idea]) -> list[ChainStep]:
    names = {u.id: u.name or u.username for u in session.exec(select(User))}
    first = min(ideas, key=lambda i: (i.created_at, i.id or 0))
    votes = session.exec(select(func.count(), func.min(Vote.created_at)).where(col(Vote.idea_id).in_(ids))).one()
    status_times = dict(
        session.exec(
            select(AuditLog.action, func.min(AuditLog.at))
            .where(
                AuditLog.entity == "idea",
                col(AuditLog.entity_id).in_(ids),
                col(AuditLog.action).in_(["idea.status.planned", "idea.status.in_progress"]),
            )
            .group_by(col(AuditLog.action))
        ).all()
    )
    valid = [i.valid_at for i in ideas if i.valid_at is not None]
    shipped = [i.shipped_at for i in ideas if i.shipped_at is not None]
    logged_by = names.get(first.logged_by_id, "") if first.logged_by_id else ""
    return [
        ChainStep(
            "idea",
            _("Idea logged"),
            first.created_at,
            _("#{id} “{title}” by {name}", id=first.id, title=first.title, name=logged_by)
            if logged_by
            else f"#{first.id} “{first.title}”",
        ),
        ChainStep("votes", _("Team votes"), votes[1], ngettext("{count} vote", "{count} votes", votes[0])),
        ChainStep("valid", _("Triage: valid"), min(valid) if valid else None, _("a valid proposal")),
        ChainStep("planned", _("Planned"), status_times.get("idea.status.planned"), ""),
        ChainStep("in_progress", _("In progress"), status_times.get("idea.status.in_progress"), ""),
        ChainStep("shipped", _("Shipped"), max(shipped) if shipped else None, ""),
    ]


def _loop_steps(session: Session, item: LoopItem | None) -> list[ChainStep]:
    if item is None or item.id is None:
        return [
            ChainStep("loop", _("Loop opened"), None, _("no loop item yet: open one on “You asked, we did”")),
            ChainStep("announced", _("Announced"), None, ""),
            ChainStep("thanked", _("Givers thanked"), None, ""),
        ]
    post = session.get(Post, item.announcement_post_id) if item.announcement_post_id else None
    announcement = _("post #{id} “{title}”", id=post.id, title=post.title) if post else _("no announcement drafted yet")
    handles = set(giver_keys(session, idea_ids_of(session, item.id)))
    thanked = thanked_keys(session, item.id) & handles
    last_thanks = session.exec(
        select(func.max(LoopThanks.thanked_at)).where(
            LoopThanks.loop_item_id == item.id, col(LoopThanks.handle_key).in_(handles)
        )
    ).one()
    all_thanked = bool(handles) and thanked == handles
    return [
        ChainStep(
            "loop",
            _("Loop opened"),
            item.created_at,
            _("“{what}”, shipped {day}", what=item.what_changed, day=formats.date(item.shipped_on)),
        ),
        ChainStep("announced", _("Announced"), item.announced_at, announcement),
        ChainStep(
            "thanked",
            _("Givers thanked"),
            last_thanks if all_thanked else None,
            _("{thanked} of {total} thanked", thanked=len(thanked), total=len(handles)),
        ),
    ]


def _chain(session: Session, *, title: str, idea_ids: Sequence[int], item: LoopItem | None) -> Chain:
    ids = merged_subtree(session, idea_ids)
    ideas = list(session.exec(select(Idea).where(col(Idea.id).in_(ids))).all())
    steps = _origin_steps(session, ids, ideas) + _idea_steps(session, ids, ideas) + _loop_steps(session, item)
    return Chain(title, with_durations(steps), tuple(sorted(idea_ids)), None if item is None else item.id)


def idea_chain(session: Session, *, idea_id: int) -> Chain:
    """The chain of one idea (and the ideas merged into it), up to its loop item if it has one."""
    idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
    item = session.exec(
        select(LoopItem)
        .join(LoopItemIdea, col(LoopItemIdea.loop_item_id) == col(LoopItem.id))
        .where(LoopItemIdea.idea_id == idea_id)
        .order_by(col(LoopItem.id).desc())
    ).first()
    return _chain(session, title=idea.title, idea_ids=[idea_id], item=item)


def loop_item_chain(session: Session, *, loop_item_id: int) -> Chain:
    """The chain of a loop item: from the first post or conversation of any of its ideas."""
    item = records.get_or_404(session, LoopItem, loop_item_id, what=_("Loop item"))
    return _chain(session, title=item.what_changed, idea_ids=idea_ids_of(session, loop_item_id), item=item)
