"""Ideas from conversations, in one action: a conversation becomes a new idea (its first sentence
as the title unless one is typed, its author as the giver, its link, channel, category and post
along), or adds its author to an existing idea. The idea lists the conversations it came from;
each conversation belongs to one idea at most (a merge keeps the link on the merged idea, so
undoing the merge stays exact).

The givers are recorded as having given the idea when they wrote the conversation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import records
from core.errors import ValidationError
from core.handles import HANDLE_MAX, Handle, stored_key
from core.i18n import _
from core.ideas.capture import record_givers, store_new_idea, unmerged_idea
from core.ideas.detail import SimilarIdea, merge_candidates, merged_subtree, similar_ideas
from core.ideas.queries import IdeaView, get_idea
from core.ideas.rules import title_from_text
from core.permissions import Action, Actor, require
from db.models import (
    Channel,
    Conversation,
    Idea,
    IdeaConversation,
    IdeaCreate,
    IdeaFromConversation,
    Post,
)


@dataclass(frozen=True)
class ConversationOfIdea:
    """A conversation an idea came from, as the idea detail lists it."""

    id: int
    idea_id: int  # the idea it is linked to (one merged into this one, or this one)
    channel: str
    author_handle: str
    text: str
    link: str
    received_at: dt.datetime
    status: str
    post_id: int | None
    post_title: str | None


@dataclass(frozen=True)
class AddedToIdea:
    idea_id: int
    conversation_id: int
    giver_added: bool


def _conversation(session: Session, conversation_id: int) -> Conversation:
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    linked = session.exec(
        select(IdeaConversation.idea_id).where(IdeaConversation.conversation_id == conversation_id)
    ).first()
    if linked is not None:
        raise ValidationError(
            _("Conversation #{id} is on idea #{idea} already; open that idea.", id=conversation_id, idea=linked)
        )
    if len(conversation.author_handle) > HANDLE_MAX:
        raise ValidationError(
            _("The author's handle is longer than {limit} characters; it cannot be a giver.", limit=HANDLE_MAX)
        )
    return conversation


def _link(session: Session, *, actor: Actor, idea_id: int, conversation_id: int) -> None:
    records.create(
        session,
        IdeaConversation(idea_id=idea_id, conversation_id=conversation_id, linked_by_id=actor.id),
        actor=actor,
        action="idea.conversation_linked",
    )


def suggested_title(session: Session, *, conversation_id: int) -> str:
    """The title a new idea from this conversation starts with (its first sentence)."""
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    return title_from_text(conversation.text)


def _author(conversation: Conversation) -> Handle:
    """The conversation's author as a giver: the same person the KPIs count (its stored key)."""
    return Handle(
        display=conversation.author_handle, key=conversation.author_key or stored_key(conversation.author_handle)
    )


def idea_from_conversation(*, session: Session, actor: Actor, idea_in: IdeaFromConversation) -> IdeaView:
    """Log a new idea from a conversation: the author becomes its giver; the conversation's link,
    channel, post and category (unless one is given) come along; the two are linked."""
    require(actor, Action.log_idea)
    conversation = _conversation(session, idea_in.conversation_id)
    idea = store_new_idea(
        session,
        actor=actor,
        idea_in=IdeaCreate(
            title=idea_in.title.strip() or title_from_text(conversation.text),
            description=idea_in.description.strip() or conversation.text,
            source=idea_in.source,
            channel_id=conversation.channel_id,
            source_url=conversation.link,
            category=conversation.category if idea_in.category is None else idea_in.category,
            post_id=conversation.post_id,
        ),
        handles=[_author(conversation)],
        given_at=conversation.received_at,
    )
    idea_id = records.stored_id(idea.id)
    _link(session, actor=actor, idea_id=idea_id, conversation_id=records.stored_id(conversation.id))
    session.flush()
    return get_idea(session=session, idea_id=idea_id)


def add_conversation_to_idea(*, session: Session, actor: Actor, idea_id: int, conversation_id: int) -> AddedToIdea:
    """Add a conversation to an existing idea: its author becomes a giver (unless they are one
    already) and the idea lists the conversation."""
    require(actor, Action.log_idea)
    unmerged_idea(session, idea_id)
    conversation = _conversation(session, conversation_id)
    added = record_givers(
        session,
        actor=actor,
        idea_id=idea_id,
        handles=[_author(conversation)],
        channel_id=conversation.channel_id,
        given_at=conversation.received_at,
    )
    _link(session, actor=actor, idea_id=idea_id, conversation_id=conversation_id)
    session.flush()
    return AddedToIdea(idea_id, conversation_id, added > 0)


def conversations_of_idea(session: Session, *, idea_id: int) -> list[ConversationOfIdea]:
    """The conversations an idea came from, its merged ideas' included, oldest first."""
    ids = merged_subtree(session, [idea_id])
    rows = session.exec(
        select(IdeaConversation.idea_id, Conversation, Channel.name, Post.title)
        .join(Conversation, col(Conversation.id) == col(IdeaConversation.conversation_id))
        .join(Channel, col(Channel.id) == col(Conversation.channel_id))
        .outerjoin(Post, col(Post.id) == col(Conversation.post_id))
        .where(col(IdeaConversation.idea_id).in_(ids))
        .order_by(col(Conversation.received_at), col(Conversation.id))
    ).all()
    return [
        ConversationOfIdea(
            id=records.stored_id(c.id),
            idea_id=linked_idea,
            channel=channel,
            author_handle=c.author_handle,
            text=c.text,
            link=c.link,
            received_at=c.received_at,
            status=c.status,
            post_id=c.post_id,
            post_title=post_title,
        )
        for linked_idea, c, channel, post_title in rows
    ]


def idea_of_conversation(session: Session, *, conversation_id: int) -> int | None:
    """The idea a conversation is linked to, followed to the idea it was merged into (if any)."""
    idea_id = session.exec(
        select(IdeaConversation.idea_id).where(IdeaConversation.conversation_id == conversation_id)
    ).first()
    seen: set[int] = set()
    while idea_id is not None and idea_id not in seen:
        seen.add(idea_id)
        merged_into = session.exec(select(Idea.merged_into_id).where(Idea.id == idea_id)).first()
        if merged_into is None:
            return idea_id
        idea_id = merged_into
    return idea_id


def idea_candidates(session: Session, *, conversation_id: int, text: str = "", limit: int = 20) -> list[SimilarIdea]:
    """Ideas a conversation could be added to: those whose titles look like its first sentence,
    or — when ``text`` is typed — those whose title contains it (or whose number it is)."""
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    if text.strip():
        return merge_candidates(session=session, idea_id=0, text=text, limit=limit)
    return similar_ideas(session=session, title=title_from_text(conversation.text), limit=limit)
