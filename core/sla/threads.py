"""A conversation's thread: the message that opened it and every message after it, the team's
replies kept as text (typed, from a quick answer, imported or pushed by the ingest API).

The opening message is the conversation's own text (stored on the conversation); the messages
after it are ``conversation_message`` rows. An import that also stores the opening message as a
row (same platform id, or same time and text) shows it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import records
from core.errors import ValidationError
from core.i18n import _
from core.permissions import Actor
from db.models import Conversation, ConversationMessage, MessageSource, QuickAnswer, User, max_length


@dataclass(frozen=True)
class Message:
    """One message of a thread as the screens show it."""

    sent_at: dt.datetime
    from_team: bool
    author: str  # the community member's handle, or the team member's name
    text: str
    source: str  # MessageSource, or "opening" for the message that started the conversation
    quick_answer: str  # the quick answer's title when one was used

    @property
    def text_missing(self) -> bool:
        return not self.text.strip()


OPENING = "opening"


def clean_reply_text(text: str) -> str:
    """A reply's text as it is kept: trimmed, within the column's limit."""
    tidy = (text or "").strip()
    limit = max_length(ConversationMessage, "text")
    if len(tidy) > limit:
        raise ValidationError(
            _("The reply is {length} characters long; keep it to {limit}.", length=len(tidy), limit=limit)
        )
    return tidy


def add_team_reply(
    session: Session,
    *,
    actor: Actor,
    conversation_id: int,
    sent_at: dt.datetime,
    text: str,
    quick_answer_id: int | None,
) -> ConversationMessage:
    """Keep a reply the team sent as a message of the thread (called by the guarded services
    that log replies; audited). A quick answer's text stands in when nothing was typed."""
    source = MessageSource.typed
    if quick_answer_id is not None:
        source = MessageSource.quick_answer
        if not text:
            answer = session.get(QuickAnswer, quick_answer_id)
            text = "" if answer is None else answer.text
    message = ConversationMessage(
        conversation_id=conversation_id,
        sent_at=sent_at,
        from_team=True,
        user_id=actor.id,
        text=text,
        quick_answer_id=quick_answer_id,
        source=source,
    )
    return records.create(session, message, actor=actor, action="conversation.message")


def _is_opening(row: ConversationMessage, conversation: Conversation) -> bool:
    if row.from_team:
        return False
    if row.external_id is not None and row.external_id == conversation.external_id:
        return True
    return row.sent_at == conversation.received_at and row.text.strip() == conversation.text.strip()


def thread(session: Session, *, conversation_id: int) -> tuple[Message, ...]:
    """The conversation's messages, oldest first, the opening one included."""
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    rows = session.exec(
        select(ConversationMessage, User.name, User.username, QuickAnswer.title)
        .outerjoin(User, col(User.id) == col(ConversationMessage.user_id))
        .outerjoin(QuickAnswer, col(QuickAnswer.id) == col(ConversationMessage.quick_answer_id))
        .where(ConversationMessage.conversation_id == conversation_id)
        .order_by(col(ConversationMessage.sent_at), col(ConversationMessage.id))
    ).all()
    messages = [Message(conversation.received_at, False, conversation.author_handle, conversation.text, OPENING, "")]
    for row, name, username, answer in rows:
        if _is_opening(row, conversation):
            continue
        author = (
            (name or username or _("the team")) if row.from_team else (row.author_handle or conversation.author_handle)
        )
        messages.append(Message(row.sent_at, row.from_team, author, row.text, row.source, answer or ""))
    return tuple(messages)


def first_team_replies(session: Session, conversation_ids: list[int]) -> dict[int, str]:
    """The text of each conversation's first team reply that has one (the digest's answers)."""
    if not conversation_ids:
        return {}
    rows = session.exec(
        select(ConversationMessage.conversation_id, ConversationMessage.text)
        .where(
            col(ConversationMessage.conversation_id).in_(conversation_ids),
            col(ConversationMessage.from_team).is_(True),
            col(ConversationMessage.text) != "",
        )
        .order_by(col(ConversationMessage.sent_at), col(ConversationMessage.id))
    ).all()
    replies: dict[int, str] = {}
    for conversation_id, text in rows:
        replies.setdefault(conversation_id, text)
    return replies
