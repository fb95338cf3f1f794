"""Loop item commands: opening a loop for shipped ideas, correcting it, ticking givers as thanked,
and moving the status forward as the events arrive (the published announcement among them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from core import records, workspace
from core.errors import NotFoundError, ValidationError
from core.handles import stored_key
from core.i18n import N_, _
from core.ideas import triage
from core.local_time import local_today
from core.loop.people import idea_ids_of
from core.loop.queries import LoopItemView, get_loop_item, giver_keys, thanked_keys
from core.loop.rules import (
    advance_status,
    categories_text,
    check_shipped_on,
    parse_categories,
    status_rank,
    tidy_what_changed,
    validate_window,
)
from core.permissions import Action, Actor, require
from core.text import check_input_text, check_plain_texts
from db.models import (
    Idea,
    IdeaStatus,
    LoopItem,
    LoopItemCreate,
    LoopItemIdea,
    LoopItemUpdate,
    LoopStatus,
    LoopThanks,
    Post,
)
from db.types import utcnow


def _today(session: Session) -> dt.date:
    return local_today(utcnow(), workspace.timezone(session))


_LABELS = {"what_changed": N_("“what changed”")}


def create_loop_item(*, session: Session, actor: Actor, item_in: LoopItemCreate) -> LoopItemView:
    """Open a loop for one or more ideas. Ideas not shipped yet are marked shipped on the way
    (at the version the person loaded). The impact categories default to the ideas' categories."""
    require(actor, Action.manage_loop)
    check_input_text(item_in, labels={name: _(label) for name, label in _LABELS.items()})
    what_changed = tidy_what_changed(item_in.what_changed)
    check_shipped_on(item_in.shipped_on, today=_today(session))
    window = validate_window(item_in.impact_window_days)
    unique_ids = list(dict.fromkeys(item_in.idea_ids))
    if not unique_ids:
        raise ValidationError(_("Choose at least one idea this change answers."))
    chosen = {i.id: i for i in session.exec(select(Idea).where(col(Idea.id).in_(unique_ids))).all()}
    for idea_id in unique_ids:
        idea = chosen.get(idea_id)
        if idea is None:
            raise NotFoundError(_("Idea #{id} does not exist (any more).", id=idea_id))
        if idea.merged_into_id is not None:
            raise ValidationError(
                _(
                    "“{title}” was merged into idea #{id}; link that idea instead.",
                    title=idea.title,
                    id=idea.merged_into_id,
                )
            )
        answered = session.exec(select(LoopItemIdea.loop_item_id).where(LoopItemIdea.idea_id == idea_id)).first()
        if answered is not None:
            raise ValidationError(_("“{title}” is already answered by loop item #{id}.", title=idea.title, id=answered))
    for idea_id in unique_ids:
        idea = chosen[idea_id]
        if idea.status != IdeaStatus.shipped:
            triage.set_status(
                session=session,
                actor=actor,
                idea_id=idea_id,
                status=IdeaStatus.shipped.value,
                expected_version=item_in.idea_versions.get(idea_id, idea.version),
                reason=_("Shipped: {what}", what=what_changed),
            )
    if item_in.impact_categories is None:
        categories = parse_categories(chosen[i].category for i in unique_ids)
    else:
        categories = parse_categories(item_in.impact_categories)
    item = LoopItem(
        what_changed=what_changed,
        details=item_in.details.strip(),
        shipped_on=item_in.shipped_on,
        impact_categories=categories_text(categories),
        impact_window_days=window,
        created_by_id=actor.id,
    )
    records.create(session, item, actor=actor, action="loop_item.create")
    assert item.id is not None, "created with its id"
    for idea_id in unique_ids:
        session.add(LoopItemIdea(loop_item_id=item.id, idea_id=idea_id))
    session.flush()
    return get_loop_item(session, item.id)


def update_loop_item(
    *, session: Session, actor: Actor, loop_item_id: int, expected_version: int, item_in: LoopItemUpdate
) -> LoopItemView:
    """Correct what changed, the details or the shipped date (the fields given)."""
    require(actor, Action.manage_loop)
    check_input_text(item_in, labels={name: _(label) for name, label in _LABELS.items()})
    changes: dict[str, Any] = {}
    if item_in.what_changed is not None:
        changes["what_changed"] = tidy_what_changed(item_in.what_changed)
    if item_in.details is not None:
        changes["details"] = item_in.details.strip()
    if item_in.shipped_on is not None:
        check_shipped_on(item_in.shipped_on, today=_today(session))
        changes["shipped_on"] = item_in.shipped_on
    records.update_versioned(
        session,
        LoopItem,
        loop_item_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action="loop_item.update",
    )
    return get_loop_item(session, loop_item_id)


def advance(
    session: Session,
    item: LoopItem,
    *,
    actor: Actor,
    announced_at: dt.datetime | None = None,
    measured_at: dt.datetime | None = None,
    action: str,
) -> LoopItem:
    """Record the events given (announced, measured) and move the status forward as far as the
    events so far allow, in one versioned write."""
    assert item.id is not None, "a stored loop item"
    changes: dict[str, Any] = {}
    if announced_at is not None:
        changes["announced_at"] = announced_at
    if measured_at is not None:
        changes["measured_at"] = measured_at
    handles = set(giver_keys(session, idea_ids_of(session, item.id)))
    status = advance_status(
        item.status,
        announced=(announced_at or item.announced_at) is not None,
        all_thanked=handles <= thanked_keys(session, item.id),
        measured=(measured_at or item.measured_at) is not None,
    )
    if status != item.status:
        changes["status"] = status.value
    if not changes:
        return item
    return records.update_versioned(
        session, LoopItem, item.id, expected_version=item.version, changes=changes, actor=actor, action=action
    )


def set_thanked(
    *, session: Session, actor: Actor, loop_item_id: int, handles: Iterable[str], thanked: bool = True
) -> LoopItemView:
    """Tick (or untick) givers as thanked; all givers ticked moves the loop item forward.

    Unticking is refused once the loop item reached "givers thanked": the status never goes back.
    """
    require(actor, Action.thank_givers)
    handles = list(handles)
    check_plain_texts([(_("handles"), handles)])
    item = records.get_or_404(session, LoopItem, loop_item_id, what=_("Loop item"))
    wanted = {stored_key(h): h.strip() for h in handles if h.strip()}
    known = giver_keys(session, idea_ids_of(session, loop_item_id))
    unknown = [h for key, h in wanted.items() if key not in known]
    if unknown:
        raise ValidationError(_("{handles} did not give any idea of this loop item.", handles=", ".join(unknown)))
    already = thanked_keys(session, loop_item_id)
    if thanked:
        for key in wanted:
            if key not in already:
                records.create(
                    session,
                    LoopThanks(loop_item_id=loop_item_id, handle=known[key], handle_key=key, thanked_by_id=actor.id),
                    actor=actor,
                    action="loop_item.giver_thanked",
                )
        session.flush()
        advance(session, item, actor=actor, action="loop_item.thanked")
    else:
        to_remove = [key for key in wanted if key in already]
        if to_remove and status_rank(item.status) >= status_rank(LoopStatus.thanked):
            raise ValidationError(
                _("Every giver of this loop item was thanked and the loop is closed; ticks can no longer be removed.")
            )
        for row in session.exec(
            select(LoopThanks).where(LoopThanks.loop_item_id == loop_item_id, col(LoopThanks.handle_key).in_(to_remove))
        ).all():
            records.delete(session, row, actor=actor, action="loop_item.giver_unthanked")
        session.flush()
    return get_loop_item(session, loop_item_id)


def on_post_published(*, session: Session, post: Post, actor: Actor) -> None:
    """Mark loop items whose announcement this post is as announced (``core.events`` calls it
    when the content plan publishes a post)."""
    published_at = post.published_at or utcnow()
    items = session.exec(
        select(LoopItem).where(LoopItem.announcement_post_id == post.id, col(LoopItem.announced_at).is_(None))
    ).all()
    for item in items:
        advance(session, item, actor=actor, announced_at=published_at, action="loop_item.announced")
