"""The lead's triage: moving ideas along the status flow, impact/cost scores, the quick-win rule,
and the hot plan (a short ordered list of what the team does next)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from core import events, records
from core.errors import NotFoundError, ValidationError
from core.i18n import _
from core.ideas.capture import unmerged_idea
from core.ideas.queries import IdeaView, Thresholds, get_idea, thresholds
from core.ideas.rules import HOT_PLAN_LIMIT, HOT_PLAN_STATUSES, S, check_transition, status_label, validate_score
from core.permissions import Action, Actor, require
from core.text import check_plain_text
from db.models import Idea, IdeaStatus, Workspace
from db.types import utcnow


def set_status(
    *, session: Session, actor: Actor, idea_id: int, status: str, expected_version: int, reason: str = ""
) -> IdeaView:
    """Move an idea along the flow (lead/admin). Becoming valid stamps ``valid_at``; shipping stamps
    ``shipped_at``; declining needs a reason, which is kept. Shipped or declined ideas leave the hot plan."""
    require(actor, Action.triage_idea)
    check_plain_text(reason or "", field="reason")
    idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
    if idea.merged_into_id is not None:
        raise ValidationError(
            _(
                "Idea #{id} is merged into #{target}; undo the merge to change its status.",
                id=idea_id,
                target=idea.merged_into_id,
            )
        )
    previous = idea.status
    reason = check_transition(idea.status, status, reason)
    target = IdeaStatus(status)
    now = utcnow()
    changes: dict[str, Any] = {"status": target, "status_reason": reason}
    if target == S.valid:
        changes["valid_at"] = now
    if target == S.shipped:
        changes["shipped_at"] = now
    leaves_plan = target not in HOT_PLAN_STATUSES and idea.hot_plan_position is not None
    if leaves_plan:
        changes["hot_plan_position"] = None
    idea = records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action=f"idea.status.{target.value}",
    )
    events.idea_status_changed(session, idea=idea, previous=previous, actor=actor)
    if leaves_plan:
        _renumber_hot_plan(session, actor=actor)
    return get_idea(session=session, idea_id=idea_id)


def set_scores(
    *, session: Session, actor: Actor, idea_id: int, impact: int, cost: int, expected_version: int
) -> IdeaView:
    """Score impact and cost (1–5 each); who scored and when is kept."""
    require(actor, Action.triage_idea)
    impact = validate_score(impact, _("Impact"))
    cost = validate_score(cost, _("Cost"))
    unmerged_idea(session, idea_id)
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=expected_version,
        changes={"impact": impact, "cost": cost, "scored_by_id": actor.id, "scored_at": utcnow()},
        actor=actor,
        action="idea.score",
    )
    return get_idea(session=session, idea_id=idea_id)


def set_quick_win_thresholds(
    *, session: Session, actor: Actor, min_impact: int, max_cost: int, expected_version: int
) -> Thresholds:
    """The lead's quick-win rule: impact ≥ min_impact and cost ≤ max_cost (needs ``triage_idea``)."""
    require(actor, Action.triage_idea)
    min_impact = validate_score(min_impact, _("The minimum impact"))
    max_cost = validate_score(max_cost, _("The maximum cost"))
    workspace_id = session.exec(select(Workspace.id).order_by(col(Workspace.id))).first()
    if workspace_id is None:
        raise NotFoundError(_("The workspace is not set up yet."))
    records.update_versioned(
        session,
        Workspace,
        workspace_id,
        expected_version=expected_version,
        changes={"quick_win_min_impact": min_impact, "quick_win_max_cost": max_cost},
        actor=actor,
        action="workspace.quick_win_thresholds",
    )
    return thresholds(session=session)


# --- the hot plan -----------------------------------------------------------------------------


def _hot_plan_rows(session: Session) -> list[Idea]:
    statement = (
        select(Idea)
        .where(col(Idea.hot_plan_position).is_not(None), col(Idea.merged_into_id).is_(None))
        .order_by(col(Idea.hot_plan_position), col(Idea.id))
    )
    return list(session.exec(statement).all())


def _renumber_hot_plan(session: Session, *, actor: Actor, order: Sequence[int] | None = None) -> None:
    """Positions 1, 2, … in ``order`` (by default the current one), closing any gap."""
    rows = {row.id: row for row in _hot_plan_rows(session) if row.id is not None}
    ids = list(order) if order is not None else list(rows)
    for position, idea_id in enumerate(ids, start=1):
        row = rows[idea_id]
        if row.hot_plan_position != position:
            records.update_versioned(
                session,
                Idea,
                idea_id,
                expected_version=row.version,
                changes={"hot_plan_position": position},
                actor=actor,
                action="idea.hot_plan_move",
            )


def add_to_hot_plan(*, session: Session, actor: Actor, idea_id: int, expected_version: int | None = None) -> int:
    """Put an idea at the end of the hot plan (one action); returns its position."""
    require(actor, Action.triage_idea)
    idea = unmerged_idea(session, idea_id)
    if idea.hot_plan_position is not None:
        raise ValidationError(
            _(
                "Idea #{id} is in the hot plan already (position {position}).",
                id=idea_id,
                position=idea.hot_plan_position,
            )
        )
    if idea.status not in HOT_PLAN_STATUSES:
        if idea.status == S.new:
            raise ValidationError(
                _(
                    "Only valid, planned or in-progress ideas go into the hot plan; idea #{id} is new. "
                    "Mark it valid first.",
                    id=idea_id,
                )
            )
        raise ValidationError(
            _(
                "Only valid, planned or in-progress ideas go into the hot plan; idea #{id} has the status “{status}”.",
                id=idea_id,
                status=status_label(idea.status),
            )
        )
    current = _hot_plan_rows(session)
    if len(current) >= HOT_PLAN_LIMIT:
        raise ValidationError(
            _(
                "The hot plan is a short list of at most {limit} ideas; ship or remove one before adding another.",
                limit=HOT_PLAN_LIMIT,
            )
        )
    position = len(current) + 1
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=idea.version if expected_version is None else expected_version,
        changes={"hot_plan_position": position},
        actor=actor,
        action="idea.hot_plan_add",
    )
    _renumber_hot_plan(session, actor=actor)
    return position


def remove_from_hot_plan(*, session: Session, actor: Actor, idea_id: int) -> None:
    require(actor, Action.triage_idea)
    idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
    if idea.hot_plan_position is None:
        raise ValidationError(_("Idea #{id} is not in the hot plan.", id=idea_id))
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=idea.version,
        changes={"hot_plan_position": None},
        actor=actor,
        action="idea.hot_plan_remove",
    )
    _renumber_hot_plan(session, actor=actor)


def move_in_hot_plan(*, session: Session, actor: Actor, idea_id: int, offset: int) -> int:
    """Move an idea up (offset −1) or down (+1) the hot plan; returns its new position."""
    require(actor, Action.triage_idea)
    ids = [row.id for row in _hot_plan_rows(session) if row.id is not None]
    if idea_id not in ids:
        raise ValidationError(_("Idea #{id} is not in the hot plan.", id=idea_id))
    index = ids.index(idea_id)
    new_index = min(max(index + offset, 0), len(ids) - 1)
    if new_index == index:
        raise ValidationError(
            _("Idea #{id} is at the top of the hot plan already.", id=idea_id)
            if offset < 0
            else _("Idea #{id} is at the bottom of the hot plan already.", id=idea_id)
        )
    ids.insert(new_index, ids.pop(index))
    _renumber_hot_plan(session, actor=actor, order=ids)
    return new_index + 1
