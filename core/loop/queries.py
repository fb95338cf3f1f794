"""Read models of the loop: loop items with their ideas, givers and announcement, the open and
closed lists, the givers to thank with their replies, and the ideas waiting for a loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import i18n, records, text_templates
from core.handles import stored_key
from core.i18n import _
from core.ideas.detail import givers as idea_givers
from core.ideas.detail import merged_subtrees
from core.loop.people import Call, Giver, calls_answered, givers
from core.loop.rules import OPEN_STATUSES, STATUS_LABELS, call_reply, parse_categories, thank_you_reply
from db.models import (
    Conversation,
    Idea,
    IdeaGiver,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    LoopStatus,
    LoopThanks,
    Post,
    PostStatus,
)

LIST_LIMIT = 50


@dataclass(frozen=True)
class LinkedIdea:
    id: int
    title: str
    status: str
    category: str
    votes: int


@dataclass(frozen=True)
class LoopItemView:
    id: int
    what_changed: str
    details: str
    shipped_on: dt.date
    status: str
    version: int
    ideas: tuple[LinkedIdea, ...]
    givers_count: int
    thanked_count: int
    announcement_post_id: int | None
    announcement_title: str
    announcement_status: str
    announced_at: dt.datetime | None
    nps_before: float | None
    nps_after: float | None
    impact_categories: tuple[str, ...]
    impact_window_days: int
    measured_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def status_label(self) -> str:
        return _(STATUS_LABELS[LoopStatus(self.status)])

    @property
    def announced(self) -> bool:
        return self.announced_at is not None

    @property
    def can_draft_announcement(self) -> bool:
        return self.announcement_post_id is None or self.announcement_status == PostStatus.cancelled


@dataclass(frozen=True)
class IdeaChoice:
    """An idea offered for a new loop item."""

    id: int
    title: str
    status: str
    category: str
    shipped_at: dt.datetime | None
    version: int


def _linked_ideas(session: Session, loop_item_ids: Sequence[int]) -> dict[int, list[LinkedIdea]]:
    if not loop_item_ids:
        return {}
    rows = session.exec(
        select(LoopItemIdea.loop_item_id, Idea, col(Idea.votes))
        .join(Idea, col(Idea.id) == LoopItemIdea.idea_id)
        .where(col(LoopItemIdea.loop_item_id).in_(loop_item_ids))
        .order_by(col(Idea.title))
    ).all()
    linked: dict[int, list[LinkedIdea]] = {}
    for loop_item_id, idea, vote_count in rows:
        assert idea.id is not None, "a stored idea"
        linked.setdefault(loop_item_id, []).append(
            LinkedIdea(idea.id, idea.title, idea.status, idea.category, int(vote_count))
        )
    return linked


def giver_keys(session: Session, idea_ids: Sequence[int]) -> dict[str, str]:
    """Everyone who gave one of these ideas (or an idea merged into them): key → handle as first written."""
    if not idea_ids:
        return {}
    return {stored_key(handle): handle for handle, __ in idea_givers(session=session, idea_ids=list(idea_ids))}


def thanked_keys(session: Session, loop_item_id: int) -> set[str]:
    """The keys of the people thanked for this loop item ("@Ann" thanked is "@ann" thanked)."""
    return set(session.exec(select(LoopThanks.handle_key).where(LoopThanks.loop_item_id == loop_item_id)).all())


@dataclass(frozen=True)
class GiverKeys:
    """The keys of a loop item's givers (over its ideas and the ideas merged into them) and of
    the givers thanked for it."""

    givers: frozenset[str]
    thanked: frozenset[str]


def giver_keys_of_items(session: Session, loop_item_ids: Sequence[int]) -> dict[int, GiverKeys]:
    """Givers and thanked givers of many loop items in a bounded number of queries (not one per item)."""
    ids = list(set(loop_item_ids))
    if not ids:
        return {}
    ideas_of: dict[int, set[int]] = {item_id: set() for item_id in ids}
    for item_id, idea_id in session.exec(
        select(LoopItemIdea.loop_item_id, LoopItemIdea.idea_id).where(col(LoopItemIdea.loop_item_id).in_(ids))
    ):
        ideas_of[item_id].add(idea_id)
    subtrees = merged_subtrees(session, set().union(*ideas_of.values()))
    keys_of_idea: dict[int, set[str]] = {}
    every_idea = set().union(*subtrees.values()) if subtrees else set()
    if every_idea:
        for idea_id, key in session.exec(
            select(IdeaGiver.idea_id, IdeaGiver.handle_key).where(col(IdeaGiver.idea_id).in_(every_idea))
        ):
            keys_of_idea.setdefault(idea_id, set()).add(key)
    thanked_of: dict[int, set[str]] = {}
    for item_id, key in session.exec(
        select(LoopThanks.loop_item_id, LoopThanks.handle_key).where(col(LoopThanks.loop_item_id).in_(ids))
    ):
        thanked_of.setdefault(item_id, set()).add(key)
    result = {}
    for item_id, idea_ids in ideas_of.items():
        keys = {key for root in idea_ids for idea in subtrees[root] for key in keys_of_idea.get(idea, ())}
        result[item_id] = GiverKeys(frozenset(keys), frozenset(thanked_of.get(item_id, set()) & keys))
    return result


def _announcements(session: Session, items: Sequence[LoopItem]) -> dict[int, tuple[str, str]]:
    post_ids = {item.announcement_post_id for item in items if item.announcement_post_id is not None}
    if not post_ids:
        return {}
    rows = session.exec(select(Post.id, Post.title, Post.status).where(col(Post.id).in_(post_ids))).all()
    return {post_id: (title, status) for post_id, title, status in rows if post_id is not None}


def _view(
    item: LoopItem,
    linked_ideas: dict[int, list[LinkedIdea]],
    keys: dict[int, GiverKeys],
    announcements: dict[int, tuple[str, str]],
) -> LoopItemView:
    assert item.id is not None, "a stored loop item"
    linked = linked_ideas.get(item.id, [])
    people = keys.get(item.id, GiverKeys(frozenset(), frozenset()))
    post_title, post_status = "", ""
    if item.announcement_post_id is not None:
        post_title, post_status = announcements.get(item.announcement_post_id, ("", ""))
    return LoopItemView(
        id=item.id,
        what_changed=item.what_changed,
        details=item.details,
        shipped_on=item.shipped_on,
        status=item.status,
        version=item.version,
        ideas=tuple(linked),
        givers_count=len(people.givers),
        thanked_count=len(people.thanked),
        announcement_post_id=item.announcement_post_id,
        announcement_title=post_title,
        announcement_status=post_status,
        announced_at=item.announced_at,
        nps_before=item.nps_before,
        nps_after=item.nps_after,
        impact_categories=parse_categories(item.impact_categories),
        impact_window_days=item.impact_window_days,
        measured_at=item.measured_at,
        created_at=item.created_at,
    )


def views(session: Session, items: Sequence[LoopItem]) -> list[LoopItemView]:
    """Loop items as read models, in a bounded number of queries however many items there are."""
    ids = [item.id for item in items if item.id is not None]
    linked = _linked_ideas(session, ids)
    keys = giver_keys_of_items(session, ids)
    announcements = _announcements(session, items)
    return [_view(item, linked, keys, announcements) for item in items]


def get_loop_item(session: Session, loop_item_id: int) -> LoopItemView:
    item = records.get_or_404(session, LoopItem, loop_item_id, what=_("Loop item"))
    return views(session, [item])[0]


def open_loops(session: Session, *, limit: int = LIST_LIMIT) -> list[LoopItemView]:
    """Loop items not announced yet, or announced with givers still to thank; oldest shipped first."""
    items = session.exec(
        select(LoopItem)
        .where(col(LoopItem.status).in_(OPEN_STATUSES))
        .order_by(col(LoopItem.shipped_on), col(LoopItem.id))
        .limit(limit)
    ).all()
    return views(session, list(items))


def closed_loops(session: Session, *, limit: int = LIST_LIMIT, offset: int = 0) -> list[LoopItemView]:
    """Loop items announced with every giver thanked, newest announcement first (a timeline).
    A giver added to one of its ideas later does not reopen it: the status never goes back."""
    items = session.exec(
        select(LoopItem)
        .where(col(LoopItem.status).notin_(OPEN_STATUSES))
        .order_by(col(LoopItem.announced_at).desc(), col(LoopItem.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return views(session, list(items))


def recent_loop_items(session: Session, *, limit: int = LIST_LIMIT) -> list[LoopItemView]:
    """Every loop item, newest shipped first (for the impact view)."""
    items = session.exec(
        select(LoopItem).order_by(col(LoopItem.shipped_on).desc(), col(LoopItem.id).desc()).limit(limit)
    ).all()
    return views(session, list(items))


def call_replies(session: Session, *, loop_item_id: int) -> dict[str, str]:
    """One ready-to-copy reply per call and channel for the people who answered it (in the
    workspace's language and wording)."""
    return call_reply_texts(
        get_loop_item(session, loop_item_id),
        calls_answered(session, loop_item_id=loop_item_id),
        wording=text_templates.workspace_wordings(session),
    )


def call_reply_texts(
    view: LoopItemView, calls: Sequence[Call], *, wording: text_templates.WorkspaceWordings | None = None
) -> dict[str, str]:
    """The replies of ``call_replies`` from what a screen has already read (``wording``: the
    workspace's language and wording, ``text_templates.workspace_wordings``)."""
    wording = wording or text_templates.WorkspaceWordings()
    replies: dict[str, str] = {}
    with i18n.using(wording.language):
        for call in calls:
            by_channel: dict[str, list[str]] = {}
            for handle, channel in call.respondents:
                by_channel.setdefault(channel, []).append(handle)
            for channel, handles in sorted(by_channel.items()):
                replies[f"{call.title} · {channel}"] = call_reply(
                    handles=handles, what_changed=view.what_changed, call_title=call.title, templates=wording.templates
                )
    return replies


# --- to announce ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToAnnounce:
    """What is shipped and not yet announced: loop items without a published announcement, and
    shipped ideas no loop item answers yet (each a loop to open)."""

    loop_items: int
    ideas_without_loop: int

    @property
    def total(self) -> int:
        return self.loop_items + self.ideas_without_loop


def to_announce(session: Session) -> ToAnnounce:
    linked = select(LoopItemIdea.idea_id).where(LoopItemIdea.idea_id == Idea.id)
    ideas = session.exec(
        select(func.count())
        .select_from(Idea)
        .where(Idea.status == IdeaStatus.shipped, col(Idea.merged_into_id).is_(None), ~linked.exists())
    ).one()
    items = session.exec(select(func.count()).select_from(LoopItem).where(LoopItem.status == LoopStatus.shipped)).one()
    return ToAnnounce(int(items), int(ideas))


def thank_you_replies(session: Session, *, loop_item_id: int, idea_form_url: str = "") -> dict[str, str]:
    """One ready-to-copy thank-you reply per channel, naming that channel's givers."""
    view = get_loop_item(session, loop_item_id)
    return thank_you_texts(
        view,
        givers(session, loop_item_id=loop_item_id),
        idea_form_url=idea_form_url,
        wording=text_templates.workspace_wordings(session),
    )


def thank_you_texts(
    view: LoopItemView,
    people: Sequence[Giver],
    *,
    idea_form_url: str = "",
    wording: text_templates.WorkspaceWordings | None = None,
) -> dict[str, str]:
    """The replies of ``thank_you_replies`` from what a screen has already read (``wording``: the
    workspace's language and wording, ``text_templates.workspace_wordings``)."""
    wording = wording or text_templates.WorkspaceWordings()
    by_channel: dict[str, list[str]] = {}
    for giver in people:
        by_channel.setdefault(giver.channel, []).append(giver.handle)
    titles = [i.title for i in view.ideas]
    with i18n.using(wording.language):
        return {
            channel: thank_you_reply(
                handles=handles,
                what_changed=view.what_changed,
                idea_titles=titles,
                idea_form_url=idea_form_url,
                templates=wording.templates,
            )
            for channel, handles in sorted(by_channel.items())
        }


def _idea_choices(session: Session, status: IdeaStatus, *, newest_shipped_first: bool, limit: int) -> list[IdeaChoice]:
    linked = select(LoopItemIdea.idea_id).where(LoopItemIdea.idea_id == Idea.id)
    order = (col(Idea.shipped_at).desc(), col(Idea.id).desc()) if newest_shipped_first else (col(Idea.title),)
    rows = session.exec(
        select(Idea)
        .where(Idea.status == status, col(Idea.merged_into_id).is_(None), ~linked.exists())
        .order_by(*order)
        .limit(limit)
    ).all()
    return [IdeaChoice(i.id, i.title, i.status, i.category, i.shipped_at, i.version) for i in rows if i.id is not None]


def shipped_ideas_without_loop_item(session: Session, *, limit: int = 200) -> list[IdeaChoice]:
    """Shipped ideas (not merged away) that no loop item answers yet: loops still to open."""
    return _idea_choices(session, IdeaStatus.shipped, newest_shipped_first=True, limit=limit)


def ideas_to_ship(session: Session, *, limit: int = 200) -> list[IdeaChoice]:
    """In-progress ideas (not merged away, not answered yet): shipping them here opens their loop."""
    return _idea_choices(session, IdeaStatus.in_progress, newest_shipped_first=False, limit=limit)


def conversation_categories(session: Session, *, limit: int = 200) -> list[str]:
    """Categories in use (conversations and ideas), to choose the impact categories from."""
    names = set(records.distinct_values(session, col(Conversation.category), limit=limit))
    names |= set(session.exec(select(Idea.category).where(Idea.category != "").distinct().limit(limit)).all())
    return sorted(names)
