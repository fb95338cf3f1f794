"""What the domains announce (``core.events``), turned into notifications for the people concerned.

Each subscriber runs in the announcing transaction, so a refused action tells nobody. The actor
is never told about their own action.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.i18n import N_
from core.live.kinds import Kind
from core.live.notify import Announcement, announce, later
from core.permissions import Action, Actor, allowed
from core.sla.calendars import calendar_from_json
from db.models import BusinessCalendarRow, EscalationTeamMember, IdeaStatus, PostStatus, Role, User


def people_who_may(session: Session, action: Action) -> list[int]:
    """Active people whose role may do ``action``: admins only when no other role has someone."""
    rows = session.exec(select(User.id, User.role).where(col(User.active))).all()
    others = [user_id for user_id, role in rows if role != Role.admin and allowed(Role(role), action)]
    if others:
        return [i for i in others if i is not None]
    return [user_id for user_id, role in rows if role == Role.admin and user_id is not None]


def _others(people: list[int | None], actor: Actor) -> list[int | None]:
    return [p for p in people if p is not None and p != actor.id]


def on_escalated(session: Session, *, conversation: Any, team: Any, actor: Actor) -> None:
    members = session.exec(select(EscalationTeamMember.user_id).where(EscalationTeamMember.team_id == team.id)).all()
    calendar = None
    if team.calendar_id is not None:
        row = session.get(BusinessCalendarRow, team.calendar_id)
        calendar = calendar_from_json(row.definition) if row is not None else None
    handle = conversation.author_handle
    announce(
        session,
        Announcement(
            kind=Kind.escalated,
            key=f"escalated:{conversation.id}:{team.id}:{conversation.escalated_at or ''}",
            title=later(N_("Escalated to {team}: {author}'s conversation"), team=team.name, author=handle),
            body=conversation.escalation_reason or "",
            entity="conversation",
            entity_id=conversation.id,
        ),
        recipients=_others([*members, team.owner_id], actor),
        calendar=calendar,
    )


def on_post_status_changed(session: Session, *, post: Any, previous: str, actor: Actor) -> None:
    if post.status == PostStatus.in_review:
        announce(
            session,
            Announcement(
                kind=Kind.review_requested,
                key=f"review:{post.id}:{post.version}",
                title=later(N_("Review requested: {title}"), title=post.title),
                body=later(N_("{name} asks for a review."), name=actor.label),
                entity="post",
                entity_id=post.id,
            ),
            recipients=_others(list(people_who_may(session, Action.approve_post)), actor),
        )
    elif post.status == PostStatus.approved and previous == PostStatus.in_review:
        announce(
            session,
            Announcement(
                kind=Kind.approval_given,
                key=f"approved:{post.id}:{post.version}",
                title=later(N_("Approved: {title}"), title=post.title),
                body=later(N_("{name} approved it."), name=actor.label),
                entity="post",
                entity_id=post.id,
            ),
            recipients=_others([post.owner_id, post.created_by_id], actor),
        )


def on_post_block_changed(session: Session, *, post: Any, blocked: bool, actor: Actor) -> None:
    announce(
        session,
        Announcement(
            kind=Kind.post_blocked if blocked else Kind.post_unblocked,
            key=f"{'blocked' if blocked else 'unblocked'}:{post.id}:{post.version}",
            title=later(N_("Blocked: {title}") if blocked else N_("Block lifted: {title}"), title=post.title),
            body=post.blocked_reason if blocked else later(N_("{name} lifted the block."), name=actor.label),
            entity="post",
            entity_id=post.id,
        ),
        recipients=_others([post.owner_id, post.created_by_id], actor),
    )


def on_idea_status_changed(session: Session, *, idea: Any, previous: str, actor: Actor) -> None:
    if idea.status != IdeaStatus.shipped or previous == IdeaStatus.shipped:
        return
    announce(
        session,
        Announcement(
            kind=Kind.idea_shipped,
            key=f"shipped:{idea.id}",
            title=later(N_("Shipped: {title}"), title=idea.title),
            body=later(N_("An idea you logged was shipped.")),
            entity="idea",
            entity_id=idea.id,
        ),
        recipients=_others([idea.logged_by_id], actor),
    )
