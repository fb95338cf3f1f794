"""Internal notes on a post, an idea or a conversation, with @mentions: ``@username`` in the text
(or a person picked from the suggestions) tells that person in their inbox — only them.

Comments are the team's own: no export, no public board reads this table. Each comment is in
the item's history too (an audit row on the item: "comment.add").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import audit
from core.changes import mark_changed
from core.errors import ValidationError
from core.i18n import N_, _
from core.live.kinds import Kind
from core.live.notify import Announcement, Text, announce, later
from core.permissions import Action, Actor, require
from core.records import get_or_404, stored_id
from core.text import check_plain_text
from db.models import Comment, CommentCreate, Conversation, Idea, Post, User, max_length
from db.types import utcnow

ITEMS: dict[str, type] = {"post": Post, "idea": Idea, "conversation": Conversation}
ITEM_LABELS = {"post": N_("Post"), "idea": N_("Idea"), "conversation": N_("Conversation")}
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9._-]*)")


def mentioned_usernames(text: str) -> list[str]:
    """The ``@username`` words of a text, case-folded, in order, once each (a trailing full stop
    or hyphen is punctuation, not part of the name)."""
    found: list[str] = []
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".-_").casefold()
        if name and name not in found:
            found.append(name)
    return found


@dataclass(frozen=True)
class CommentView:
    id: int
    author: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    name: str


def add_comment(
    *, session: Session, actor: Actor, comment_in: CommentCreate, also_mention: tuple[int, ...] = ()
) -> CommentView:
    """A note on an item; everyone mentioned (in the text, or picked: ``also_mention``) is told."""
    require(actor, Action.comment)
    model = ITEMS.get(comment_in.entity)
    if model is None:
        raise ValidationError(
            _("Comments go on a post, an idea or a conversation, not on {entity!r}.", entity=comment_in.entity)
        )
    item: object = get_or_404(session, model, comment_in.entity_id, what=_(ITEM_LABELS[comment_in.entity]))
    text = check_plain_text(comment_in.text, field=_("comment")).strip()
    if not text:
        raise ValidationError(_("Write the comment first."))
    limit = max_length(Comment, "text")
    if len(text) > limit:
        raise ValidationError(
            _("The comment is {length} characters long; keep it to {limit}.", length=len(text), limit=limit)
        )
    now = utcnow()
    comment = Comment(
        entity=comment_in.entity, entity_id=comment_in.entity_id, author_id=actor.id, text=text, created_at=now
    )
    session.add(comment)
    session.flush()
    mark_changed(session, entity="comment")
    audit.record_change(
        session,
        actor=actor,
        action="comment.add",
        entity=comment_in.entity,
        entity_id=comment_in.entity_id,
        after={"comment": comment.id, "text": text},
    )
    names = mentioned_usernames(text)
    people = session.exec(
        select(User.id, User.username).where(col(User.active), col(User.username).in_(_cased(session, names)))
    ).all()
    recipients = {user_id for user_id, __ in people if user_id is not None} | set(also_mention)
    if actor.id is not None:
        recipients.discard(actor.id)
    if recipients:
        title = _title_of(comment_in.entity, item)
        announce(
            session,
            Announcement(
                kind=Kind.mention,
                key=f"mention:{comment.id}",
                title=later(N_("{name} mentioned you on {item}"), name=actor.label, item=title),
                body=text[:300],
                entity=comment_in.entity,
                entity_id=comment_in.entity_id,
            ),
            recipients=sorted(recipients),
            now=now,
        )
    return CommentView(stored_id(comment.id), actor.label, text, now)


def _cased(session: Session, names: list[str]) -> list[str]:
    """The stored usernames that match ``names`` whatever their case."""
    if not names:
        return []
    wanted = set(names)
    return [u for u in session.exec(select(User.username).where(col(User.active))).all() if u.casefold() in wanted]


def _title_of(entity: str, item: object) -> Text | str:
    if isinstance(item, Post):
        return later(N_("the post '{title}'"), title=item.title)
    if isinstance(item, Idea):
        return later(N_("the idea '{title}'"), title=item.title)
    if isinstance(item, Conversation):
        return later(N_("{author}'s conversation"), author=item.author_handle)
    return entity


def comments_on(*, session: Session, entity: str, entity_id: int) -> tuple[CommentView, ...]:
    """The notes on one item, oldest first."""
    rows = session.exec(
        select(Comment, User)
        .join(User, col(User.id) == Comment.author_id, isouter=True)
        .where(Comment.entity == entity, Comment.entity_id == entity_id)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    return tuple(
        CommentView(stored_id(c.id), (u.name or u.username) if u else _("Command line"), c.text, c.created_at)
        for c, u in rows
    )


def people_to_mention(*, session: Session) -> tuple[Person, ...]:
    """The suggestions: every active person, by name."""
    rows = session.exec(select(User).where(col(User.active)).order_by(col(User.name), col(User.username))).all()
    return tuple(Person(stored_id(u.id), u.username, u.name or u.username) for u in rows)
