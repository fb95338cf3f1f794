"""The people of one loop item: its givers, to thank (with who thanked them, when), and the people
who answered the calls for ideas behind it, to tell — read together, in a bounded number of
statements whatever the number of ideas, calls and answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import records
from core.handles import stored_key
from core.i18n import N_, _
from core.ideas.detail import merged_subtree, subtree_givers
from db.models import (
    Channel,
    Conversation,
    Idea,
    IdeaConversation,
    LoopItem,
    LoopItemIdea,
    LoopThanks,
    Post,
    PostStatus,
    Rubric,
    User,
)

NO_CHANNEL = N_("No channel")
CALL_RUBRIC = "Ideas for the product"  # i18n: not text (the built-in rubric's stored name)


@dataclass(frozen=True)
class Giver:
    handle: str
    channel_id: int | None
    channel: str
    thanked: bool
    thanked_by: str
    thanked_at: dt.datetime | None


@dataclass(frozen=True)
class Call:
    """A published "Ideas for the product" post that collected one of a loop item's ideas, with the
    people who answered it and did not give one of the loop item's ideas."""

    post_id: int
    title: str
    published_url: str
    respondents: tuple[tuple[str, str], ...]  # (handle, channel)


@dataclass(frozen=True)
class ItemPeople:
    givers: tuple[Giver, ...]
    calls: tuple[Call, ...]


def idea_ids_of(session: Session, loop_item_id: int) -> list[int]:
    return list(session.exec(select(LoopItemIdea.idea_id).where(LoopItemIdea.loop_item_id == loop_item_id)).all())


def item_people(session: Session, *, loop_item_id: int) -> ItemPeople:
    """The loop item's givers (deduplicated union over its ideas and the ideas merged into them)
    with who thanked them, when; and the calls for ideas behind it with who answered them."""
    idea_ids = idea_ids_of(session, loop_item_id)
    if not idea_ids:  # a loop item answers at least one idea: is there one?
        records.get_or_404(session, LoopItem, loop_item_id, what=_("Loop item"))
        return ItemPeople((), ())
    ideas = merged_subtree(session, idea_ids)
    pairs = subtree_givers(session, ideas)
    channel_names: dict[int | None, str] = dict(session.exec(select(Channel.id, Channel.name)).all())
    return ItemPeople(
        tuple(_givers(session, loop_item_id, pairs, channel_names)),
        tuple(_calls(session, ideas, {stored_key(handle) for handle, __ in pairs}, channel_names)),
    )


def givers(session: Session, *, loop_item_id: int) -> list[Giver]:
    """The loop item's givers with who thanked them, when (see ``item_people``)."""
    return list(item_people(session, loop_item_id=loop_item_id).givers)


def calls_answered(session: Session, *, loop_item_id: int) -> list[Call]:
    """The calls for ideas behind a loop item and who answered them (see ``item_people``)."""
    return list(item_people(session, loop_item_id=loop_item_id).calls)


def _channel(channel_names: dict[int | None, str], channel_id: int | None) -> str:
    return channel_names.get(channel_id, _(NO_CHANNEL)) if channel_id is not None else _(NO_CHANNEL)


def _givers(
    session: Session, loop_item_id: int, pairs: list[tuple[str, int | None]], channel_names: dict[int | None, str]
) -> list[Giver]:
    thanks = {
        key: (name or username or "", at)
        for key, at, name, username in session.exec(
            select(LoopThanks.handle_key, LoopThanks.thanked_at, User.name, User.username)
            .outerjoin(User, col(User.id) == LoopThanks.thanked_by_id)
            .where(LoopThanks.loop_item_id == loop_item_id)
        ).all()
    }
    result = []
    for handle, channel_id in sorted(pairs, key=lambda p: stored_key(p[0])):
        key = stored_key(handle)
        by, at = thanks.get(key, ("", None))
        result.append(Giver(handle, channel_id, _channel(channel_names, channel_id), key in thanks, by, at))
    return result


def _calls(
    session: Session, ideas: Iterable[int], giver_keys: set[str], channel_names: dict[int | None, str]
) -> list[Call]:
    """The calls for ideas behind these ideas and who answered them (the givers left out: they
    are thanked as givers), each person once, first answer first."""
    ideas = list(ideas)
    via_conversations = (
        select(Conversation.post_id)
        .join(IdeaConversation, col(IdeaConversation.conversation_id) == col(Conversation.id))
        .where(col(IdeaConversation.idea_id).in_(ideas))
    )
    via_ideas = select(Idea.post_id).where(col(Idea.id).in_(ideas))
    post_ids = {post_id for (post_id,) in session.execute(via_ideas.union(via_conversations)) if post_id is not None}
    if not post_ids:
        return []
    posts = session.exec(
        select(Post)
        .join(Rubric, col(Rubric.id) == col(Post.rubric_id))
        .where(col(Post.id).in_(post_ids), Rubric.name == CALL_RUBRIC, Post.status == PostStatus.published)
        .order_by(col(Post.published_at), col(Post.id))
    ).all()
    if not posts:
        return []
    answers: dict[int, list[tuple[str, str, int | None]]] = {}
    for post_id, handle, key, channel_id in session.exec(
        select(Conversation.post_id, Conversation.author_handle, Conversation.author_key, Conversation.channel_id)
        .where(col(Conversation.post_id).in_([post.id for post in posts]))
        .order_by(col(Conversation.received_at), col(Conversation.id))
    ):
        if post_id is not None:
            answers.setdefault(post_id, []).append((handle, key, channel_id))
    calls = []
    for post in posts:
        seen: set[str] = set()
        people = []
        for author, author_key, author_channel in answers.get(records.stored_id(post.id), []):
            if author_key in giver_keys or author_key in seen:
                continue
            seen.add(author_key)
            people.append((author, _channel(channel_names, author_channel)))
        calls.append(Call(records.stored_id(post.id), post.title, post.published_url, tuple(people)))
    return calls
