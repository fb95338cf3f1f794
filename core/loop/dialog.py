"""A post's dialog and a conversation's place in the chain, as the screens show them.

A published post shows its dialog: the conversations on it (answered, within the SLA, still
open), its UGC, the ideas that came from it, and the next-step conversions against its
micro-interaction goal ("goal: 30 poll votes — reached 41"). A conversation shows the post it
answers, the idea it became part of and, once that idea shipped, the loop item — with a
ready-to-copy "it's done" reply naming the announcement.

Everything that depends on the moment (breached or not yet due) is worked out from the stored
instants when the screen draws them (``at``), so these read models stay cached until the data
changes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import formats, i18n, records, workspace
from core.i18n import _
from core.ideas.from_conversations import idea_of_conversation
from core.sla.figures import SlaStatus, needs_reply, sla_status
from core.sla.watch import watch_window_end
from db.models import (
    Channel,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Idea,
    IdeaConversation,
    LoopItem,
    LoopItemIdea,
    Post,
    PostStatus,
    User,
)

# --- the micro-interaction goal ----------------------------------------------------------------

_NUMBER = re.compile(r"\d[\d,.\u202f\u00a0 ]*\d|\d")


def goal_target(micro_goal: str) -> int | None:
    """The number a micro-interaction goal names ("30 poll votes" → 30; "1,000 views" → 1000),
    or None when it names none."""
    match = _NUMBER.search(micro_goal or "")
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    return int(digits) if digits else None


def goal_progress(micro_goal: str, conversions: int | None) -> str:
    """The goal against the next-step conversions entered: "goal: 30 poll votes — reached 41"."""
    goal = " ".join((micro_goal or "").split())
    if not goal:
        if conversions:
            return _("no micro-interaction goal set — {count} next-step conversions", count=formats.number(conversions))
        return _("no micro-interaction goal set")
    if conversions is None:
        return _("goal: {goal} — conversions not entered yet", goal=goal)
    target = goal_target(goal)
    shown = formats.number(conversions)
    if target is None:
        return _("goal: {goal} — {count} next-step conversions", goal=goal, count=shown)
    if conversions >= target:
        return _("goal: {goal} — reached {count}", goal=goal, count=shown)
    return _("goal: {goal} — so far {count}", goal=goal, count=shown)


# --- a post's dialog ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogConversation:
    id: int
    author_handle: str
    kind: str
    text: str
    status: str
    received_at: dt.datetime
    first_reply_at: dt.datetime | None
    deadline_at: dt.datetime | None
    reply_before_message: bool
    needs_reply: bool
    useful: bool
    idea_id: int | None

    def sla_at(self, now: dt.datetime) -> SlaStatus:
        """Met / breached / on track at ``now`` (not applicable when no reply is needed)."""
        return sla_status(
            needs_reply=self.needs_reply,
            deadline_at=self.deadline_at,
            first_reply_at=self.first_reply_at,
            reply_before_message=self.reply_before_message,
            now=now,
        )

    @property
    def waiting(self) -> bool:
        """Needs a reply, has none, and is still open."""
        return (
            self.needs_reply
            and self.first_reply_at is None
            and self.status in (ConversationStatus.open, ConversationStatus.waiting)
        )


@dataclass(frozen=True)
class DialogIdea:
    id: int
    title: str
    status: str


@dataclass(frozen=True)
class PostDialog:
    post_id: int
    title: str
    status: str
    channel: str
    published_at: dt.datetime | None
    published_url: str
    sla_owner: str
    watch_until: dt.datetime | None
    micro_goal: str
    next_step_conversions: int | None
    impressions: int | None
    conversations: tuple[DialogConversation, ...]
    ideas: tuple[DialogIdea, ...]

    @property
    def needing_reply(self) -> tuple[DialogConversation, ...]:
        return tuple(c for c in self.conversations if c.needs_reply)

    @property
    def answered(self) -> int:
        return sum(1 for c in self.needing_reply if c.first_reply_at is not None)

    @property
    def waiting(self) -> int:
        return sum(1 for c in self.conversations if c.waiting)

    @property
    def ugc(self) -> int:
        return sum(1 for c in self.conversations if c.kind == ConversationKind.ugc)

    @property
    def useful_ugc(self) -> int:
        return sum(1 for c in self.conversations if c.kind == ConversationKind.ugc and c.useful)

    def counts_at(self, now: dt.datetime) -> dict[SlaStatus, int]:
        counts = {status: 0 for status in SlaStatus}
        for conversation in self.needing_reply:
            counts[conversation.sla_at(now)] += 1
        return counts

    def fully_answered_within_sla(self, now: dt.datetime) -> bool | None:
        """Every conversation that needs a reply answered within its SLA: True; one breached:
        False; nothing to answer, or some still open and not due: None (not decided yet)."""
        counts = self.counts_at(now)
        if counts[SlaStatus.breached]:
            return False
        if counts[SlaStatus.on_track] or counts[SlaStatus.at_risk] or not counts[SlaStatus.met]:
            return None
        return True

    @property
    def goal(self) -> str:
        return goal_progress(self.micro_goal, self.next_step_conversions)

    def watching(self, now: dt.datetime) -> bool:
        return self.watch_until is not None and now < self.watch_until


def _ideas_of_post(session: Session, post_id: int, conversation_ids: list[int]) -> list[DialogIdea]:
    direct = select(Idea.id).where(Idea.post_id == post_id)
    via = select(IdeaConversation.idea_id).where(col(IdeaConversation.conversation_id).in_(conversation_ids))
    ids = set(session.exec(direct).all()) | (set(session.exec(via).all()) if conversation_ids else set())
    if not ids:
        return []
    rows = session.exec(
        select(Idea.id, Idea.title, Idea.status).where(col(Idea.id).in_(ids)).order_by(col(Idea.created_at))
    ).all()
    return [DialogIdea(records.stored_id(i), title, status) for i, title, status in rows]


def post_dialog(session: Session, *, post_id: int) -> PostDialog:
    """The dialog a post created: its conversations, answered and open ones, UGC, the ideas that
    came from it and its conversions against the goal."""
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    channel = session.get(Channel, post.channel_id)
    owner = session.get(User, post.sla_owner_id) if post.sla_owner_id else None
    rows = session.exec(
        select(Conversation, IdeaConversation.idea_id)
        .outerjoin(IdeaConversation, col(IdeaConversation.conversation_id) == col(Conversation.id))
        .where(Conversation.post_id == post_id)
        .order_by(col(Conversation.received_at), col(Conversation.id))
    ).all()
    conversations = tuple(
        DialogConversation(
            id=records.stored_id(c.id),
            author_handle=c.author_handle,
            kind=c.kind,
            text=c.text,
            status=c.status,
            received_at=c.received_at,
            first_reply_at=c.first_reply_at,
            deadline_at=c.deadline_at,
            reply_before_message=c.reply_before_message,
            needs_reply=needs_reply(
                c.kind, c.status, no_reply_reason=c.no_reply_reason, replied=c.first_reply_at is not None
            ),
            useful=c.useful,
            idea_id=idea_id,
        )
        for c, idea_id in rows
    )
    published = post.published_at if post.status == PostStatus.published else None
    hours = channel.watch_window_hours if channel is not None else 0
    return PostDialog(
        post_id=post_id,
        title=post.title,
        status=post.status,
        channel=channel.name if channel else "",
        published_at=published,
        published_url=post.published_url,
        sla_owner=(owner.name or owner.username) if owner else "",
        watch_until=watch_window_end(published, hours) if published is not None else None,
        micro_goal=post.micro_goal,
        next_step_conversions=post.next_step_conversions,
        impressions=post.impressions,
        conversations=conversations,
        ideas=tuple(_ideas_of_post(session, post_id, [c.id for c in conversations])),
    )


# --- a conversation's place in the chain --------------------------------------------------------


@dataclass(frozen=True)
class LinkedPost:
    id: int
    title: str
    published_at: dt.datetime | None
    published_url: str


@dataclass(frozen=True)
class LinkedLoopItem:
    id: int
    what_changed: str
    status: str
    announcement_post_id: int | None
    announcement_title: str
    announcement_url: str
    announced_at: dt.datetime | None


@dataclass(frozen=True)
class ConversationLinks:
    """Where a conversation sits in the chain: its post, its idea, the idea's loop item."""

    conversation_id: int
    author_handle: str
    post: LinkedPost | None
    idea: DialogIdea | None
    merged_from: int | None  # the idea it was linked to, when that one was merged into ``idea``
    loop_item: LinkedLoopItem | None
    language: str = i18n.SOURCE_LANGUAGE  # the workspace's: the reply goes to the community

    @property
    def done_reply(self) -> str:
        """A ready-to-copy "it's done" answer once the loop item is announced ("" before), in the
        workspace's language."""
        item = self.loop_item
        if item is None or item.announced_at is None:
            return ""
        with i18n.using(self.language):
            text = _(
                "{handle} Thank you for asking! It is done: {what}.", handle=self.author_handle, what=item.what_changed
            )
            if item.announcement_url:
                text += " " + _("Here is the announcement: {url}", url=item.announcement_url)
        return text


def _linked_post(session: Session, post_id: int | None) -> LinkedPost | None:
    post = session.get(Post, post_id) if post_id is not None else None
    if post is None:
        return None
    return LinkedPost(records.stored_id(post.id), post.title, post.published_at, post.published_url)


def _loop_item_of(session: Session, idea_id: int) -> LinkedLoopItem | None:
    item = session.exec(
        select(LoopItem)
        .join(LoopItemIdea, col(LoopItemIdea.loop_item_id) == col(LoopItem.id))
        .where(LoopItemIdea.idea_id == idea_id)
        .order_by(col(LoopItem.id).desc())
    ).first()
    if item is None:
        return None
    post = _linked_post(session, item.announcement_post_id)
    return LinkedLoopItem(
        id=records.stored_id(item.id),
        what_changed=item.what_changed,
        status=item.status,
        announcement_post_id=item.announcement_post_id,
        announcement_title=post.title if post else "",
        announcement_url=post.published_url if post else "",
        announced_at=item.announced_at,
    )


def conversation_links(session: Session, *, conversation_id: int) -> ConversationLinks:
    """The conversation's post, its idea (followed through merges) and that idea's loop item."""
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    linked = session.exec(
        select(IdeaConversation.idea_id).where(IdeaConversation.conversation_id == conversation_id)
    ).first()
    idea_id = idea_of_conversation(session, conversation_id=conversation_id)
    idea = session.get(Idea, idea_id) if idea_id is not None else None
    return ConversationLinks(
        conversation_id=conversation_id,
        author_handle=conversation.author_handle,
        post=_linked_post(session, conversation.post_id),
        idea=DialogIdea(records.stored_id(idea.id), idea.title, idea.status) if idea else None,
        merged_from=linked if linked is not None and linked != idea_id else None,
        loop_item=_loop_item_of(session, idea_id) if idea_id is not None else None,
        language=workspace.language(session),
    )
