"""Capturing ideas: logging one with its givers, adding givers and support, the team's votes, and
editing what an idea says.

Demand is the number of distinct givers (people in the community); votes are the team's, one per
member. An idea merged into another takes neither: they go to the idea it was merged into.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import records
from core.errors import ValidationError
from core.handles import Handle
from core.i18n import _
from core.ideas.queries import IdeaView, get_idea
from core.ideas.rules import S, clean_category, clean_source, clean_title, clean_url, parse_handles
from core.permissions import Action, Actor, allowed, require
from core.text import check_input_text, check_plain_texts
from db.models import Channel, Idea, IdeaCreate, IdeaGiver, IdeaUpdate, Post, PostStatus, Vote
from db.types import utcnow


@dataclass(frozen=True)
class SupportResult:
    idea_id: int
    givers_added: int
    vote_added: bool


# --- shared by the board's commands -----------------------------------------------------------


def unmerged_idea(session: Session, idea_id: int) -> Idea:
    """The idea, unless it was merged into another (then what to do instead)."""
    idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
    if idea.merged_into_id is not None:
        raise ValidationError(
            _(
                "Idea #{id} was merged into #{target}; add to that one instead.",
                id=idea_id,
                target=idea.merged_into_id,
            )
        )
    return idea


def check_post(session: Session, post_id: int | None) -> int | None:
    """``post_id`` if the post exists and is published (None stays None): ideas come from posts that are out."""
    if post_id is None:
        return None
    post = session.get(Post, post_id)
    if post is None:
        raise ValidationError(_("Post #{id} does not exist; pick the post from the list.", id=post_id))
    if post.status != PostStatus.published:
        raise ValidationError(
            _(
                "Post #{id} “{title}” is not published; ideas come from posts that are out.",
                id=post_id,
                title=post.title,
            )
        )
    return post_id


def check_channel(session: Session, channel_id: int | None) -> int | None:
    """``channel_id`` if the channel exists (None stays None)."""
    if channel_id is None:
        return None
    if session.get(Channel, channel_id) is None:
        raise ValidationError(_("Channel #{id} does not exist; pick one from the list.", id=channel_id))
    return channel_id


def record_givers(
    session: Session,
    *,
    actor: Actor,
    idea_id: int,
    handles: Sequence[Handle],
    channel_id: int | None,
    given_at: dt.datetime | None = None,
) -> int:
    """Add these (parsed) people as givers of the idea, skipping those on it already (by key:
    "@Ann" is on it when "@ann" is); how many were added."""
    query = select(IdeaGiver.handle_key).where(col(IdeaGiver.idea_id) == idea_id)
    existing = set(session.exec(query).all())
    added = 0
    for handle in handles:
        if handle.key in existing:
            continue
        existing.add(handle.key)
        giver = IdeaGiver(
            idea_id=idea_id,
            handle=handle.display,
            handle_key=handle.key,
            channel_id=channel_id,
            given_at=given_at or utcnow(),
        )
        records.create(session, giver, actor=actor, action="idea_giver.create")
        added += 1
    return added


# --- commands ---------------------------------------------------------------------------------


def store_new_idea(
    session: Session, *, actor: Actor, idea_in: IdeaCreate, handles: Sequence[Handle], given_at: dt.datetime | None
) -> Idea:
    """Insert a checked new idea and its (parsed) givers (for the guarded services that log ideas)."""
    check_input_text(idea_in)
    idea = Idea(
        title=clean_title(idea_in.title),
        description=(idea_in.description or "").strip(),
        source=clean_source(idea_in.source),
        channel_id=check_channel(session, idea_in.channel_id),
        source_url=clean_url(idea_in.source_url),
        category=clean_category(idea_in.category),
        post_id=check_post(session, idea_in.post_id),
        status=S.new,
        logged_by_id=actor.id,
    )
    records.create(session, idea, actor=actor, action="idea.create")
    record_givers(
        session,
        actor=actor,
        idea_id=records.stored_id(idea.id),
        handles=handles,
        channel_id=idea.channel_id,
        given_at=given_at or idea.created_at,
    )
    session.flush()
    return idea


def log_idea(*, session: Session, actor: Actor, idea_in: IdeaCreate) -> IdeaView:
    """Log a new idea with the people who gave it; it starts as "new"."""
    require(actor, Action.log_idea)
    check_input_text(idea_in)  # before the handles are read, so a bad character is named by its field
    idea = store_new_idea(session, actor=actor, idea_in=idea_in, handles=parse_handles(idea_in.handles), given_at=None)
    return get_idea(session=session, idea_id=records.stored_id(idea.id))


def add_givers(
    *, session: Session, actor: Actor, idea_id: int, handles: str | Sequence[str], channel_id: int | None = None
) -> int:
    """Add people who gave (or asked for) this idea; handles already there are skipped. Returns how many were added."""
    require(actor, Action.log_idea)
    check_plain_texts([("handles", handles)])
    idea = unmerged_idea(session, idea_id)
    parsed = parse_handles(handles)
    if not parsed:
        raise ValidationError(_("Type at least one handle (e.g. @mila) of a person who gave the idea."))
    return record_givers(
        session,
        actor=actor,
        idea_id=idea_id,
        handles=parsed,
        channel_id=check_channel(session, channel_id) or idea.channel_id,
    )


def _has_voted(session: Session, actor: Actor, idea_id: int) -> bool:
    query = select(Vote.id).where(col(Vote.idea_id) == idea_id, col(Vote.user_id) == actor.id)
    return session.exec(query).first() is not None


def vote(*, session: Session, actor: Actor, idea_id: int) -> None:
    """One vote per team member per idea."""
    require(actor, Action.vote_idea)
    if actor.id is None:
        raise ValidationError(_("Votes belong to team members; sign in as yourself to vote."))
    unmerged_idea(session, idea_id)
    if _has_voted(session, actor, idea_id):
        raise ValidationError(_("You have voted for idea #{id} already (one vote per person).", id=idea_id))
    try:
        with session.begin_nested():
            records.create(session, Vote(idea_id=idea_id, user_id=actor.id), actor=actor, action="vote.create")
    except IntegrityError:
        raise ValidationError(_("You have voted for idea #{id} already (one vote per person).", id=idea_id)) from None


def withdraw_vote(*, session: Session, actor: Actor, idea_id: int) -> None:
    require(actor, Action.vote_idea)
    row = session.exec(select(Vote).where(col(Vote.idea_id) == idea_id, col(Vote.user_id) == actor.id)).first()
    if row is None:
        raise ValidationError(_("You have no vote on idea #{id} to withdraw.", id=idea_id))
    records.delete(session, row, actor=actor, action="vote.delete")


def add_support(
    *, session: Session, actor: Actor, idea_id: int, handles: str | Sequence[str] = (), with_vote: bool = True
) -> SupportResult:
    """Instead of logging a duplicate: add the givers to the existing idea and (if not yet) the actor's vote."""
    require(actor, Action.log_idea)
    check_plain_texts([("handles", handles)])
    idea = unmerged_idea(session, idea_id)
    parsed = parse_handles(handles)
    added = (
        record_givers(session, actor=actor, idea_id=idea_id, handles=parsed, channel_id=idea.channel_id)
        if parsed
        else 0
    )
    voted = False
    if (
        with_vote
        and actor.id is not None
        and allowed(actor, Action.vote_idea)
        and not _has_voted(session, actor, idea_id)
    ):
        vote(session=session, actor=actor, idea_id=idea_id)
        voted = True
    if not added and not voted:
        raise ValidationError(
            _(
                "Nothing to add to idea #{id}: those givers are on it already and you have voted for it.",
                id=idea_id,
            )
            if parsed
            else _("You have voted for idea #{id} already; type the givers' handles to add them.", id=idea_id)
        )
    return SupportResult(idea_id, added, voted)


def update_details(
    *, session: Session, actor: Actor, idea_id: int, expected_version: int, idea_in: IdeaUpdate
) -> IdeaView:
    """Edit what the idea says (lead/admin, or the person who logged it): the fields set in ``idea_in``."""
    idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
    if not (
        allowed(actor, Action.triage_idea)
        or (allowed(actor, Action.log_idea) and actor.id is not None and idea.logged_by_id == actor.id)
    ):
        require(actor, Action.triage_idea)
    check_input_text(idea_in)
    given = idea_in.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    # The text fields cannot be empty in the table: None there means "leave as it is".
    if given.get("title") is not None:
        changes["title"] = clean_title(given["title"])
    if given.get("description") is not None:
        changes["description"] = given["description"].strip()
    if given.get("category") is not None:
        changes["category"] = clean_category(given["category"])
    if "channel_id" in given:
        changes["channel_id"] = check_channel(session, given["channel_id"])
    if given.get("source_url") is not None:
        changes["source_url"] = clean_url(given["source_url"])
    if "post_id" in given:
        changes["post_id"] = check_post(session, given["post_id"])
    records.update_versioned(
        session, Idea, idea_id, expected_version=expected_version, changes=changes, actor=actor, action="idea.update"
    )
    return get_idea(session=session, idea_id=idea_id)
