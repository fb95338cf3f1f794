"""The post status flow, written once: which status may follow which, each step's audit action
and button label, who may take it, whether a compliance block stops it, and who may edit a post
in each status. The commands enforce it; the screen asks it which buttons to offer.

Draft → in review → approved → scheduled → published, or cancelled. Editors draft and submit
their own posts; only lead/admin approve, schedule and publish; compliance blocks with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from core.i18n import N_, _
from core.permissions import Action, Actor, allowed
from db.models import PostStatus

S = PostStatus

STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        S.draft: N_("Draft"),
        S.in_review: N_("In review"),
        S.approved: N_("Approved"),
        S.scheduled: N_("Scheduled"),
        S.published: N_("Published"),
        S.cancelled: N_("Cancelled"),
    }
)

#: Statuses a post never leaves: what went out (or was dropped) stays as it was.
FINAL: tuple[PostStatus, ...] = (S.published, S.cancelled)
#: Statuses past the approval: only an approver may still change the post.
APPROVED: tuple[PostStatus, ...] = (S.approved, S.scheduled)
#: Statuses that hold a slot on the plan: counted by the daily limit, exported to calendars.
ON_THE_PLAN: tuple[PostStatus, ...] = (S.scheduled, S.published)
#: The way forward from each status to publication (used by "approve and schedule").
FORWARD_PATH: tuple[PostStatus, ...] = (S.draft, S.in_review, S.approved, S.scheduled, S.published)


class Taker(StrEnum):
    """Who may take a step."""

    approver = "approver"  # a lead or admin
    owner = "owner"  # the post's owner, when their role drafts posts
    any_editor = "any_editor"  # a role that drafts posts and may edit everyone's


@dataclass(frozen=True)
class Step:
    """One allowed move of a post from ``current`` to ``target``."""

    current: PostStatus
    target: PostStatus
    action: str  # the audit log's name for it
    label: str  # the button that takes it (marked; ``button_label`` translates it)
    takers: frozenset[Taker]
    refusal: str  # why someone else may not (marked); "{role}" is the actor's role
    owner_label: str = ""  # the button's label for an owner who is not an approver, when different
    stopped_by_block: bool = False  # a compliance block stops it (a step towards publication)


_APPROVER = frozenset({Taker.approver})
_APPROVER_OR_OWNER = frozenset({Taker.approver, Taker.owner})
_CANCEL = N_("Only a lead can cancel this post; owners can cancel their own drafts.")
_SEND_BACK = N_("Only a lead can send an approved post back; owners can withdraw posts that are in review.")

STEPS: tuple[Step, ...] = (
    Step(
        S.draft,
        S.in_review,
        "post.submit",
        N_("Submit for review"),
        frozenset({Taker.approver, Taker.owner, Taker.any_editor}),
        N_("Only the post's owner or a lead can submit it for review."),
    ),
    Step(S.draft, S.cancelled, "post.cancelled", N_("Cancel post"), _APPROVER_OR_OWNER, _CANCEL),
    Step(
        S.in_review,
        S.approved,
        "post.approve",
        N_("Approve"),
        _APPROVER,
        N_("Only a lead or admin can approve posts (your role: {role})."),
        stopped_by_block=True,
    ),
    Step(
        S.in_review,
        S.draft,
        "post.send_back",
        N_("Send back to draft"),
        _APPROVER_OR_OWNER,
        _SEND_BACK,
        owner_label=N_("Withdraw from review"),
    ),
    Step(S.in_review, S.cancelled, "post.cancelled", N_("Cancel post"), _APPROVER, _CANCEL),
    Step(
        S.approved,
        S.scheduled,
        "post.schedule",
        N_("Schedule"),
        _APPROVER,
        N_("Only a lead or admin can schedule posts (your role: {role})."),
        stopped_by_block=True,
    ),
    Step(S.approved, S.draft, "post.send_back", N_("Send back to draft"), _APPROVER, _SEND_BACK),
    Step(S.approved, S.cancelled, "post.cancelled", N_("Cancel post"), _APPROVER, _CANCEL),
    Step(
        S.scheduled,
        S.published,
        "post.publish",
        N_("Mark as published"),
        _APPROVER,
        N_("Only a lead or admin can publish posts (your role: {role})."),
        stopped_by_block=True,
    ),
    Step(
        S.scheduled,
        S.approved,
        "post.unschedule",
        N_("Take off the schedule"),
        _APPROVER,
        N_("Only a lead or admin can take a post off the schedule (your role: {role})."),
    ),
    Step(S.scheduled, S.cancelled, "post.cancelled", N_("Cancel post"), _APPROVER, _CANCEL),
)
_BY_MOVE: Mapping[tuple[str, str], Step] = MappingProxyType({(s.current, s.target): s for s in STEPS})


class PostState(Protocol):
    """What the flow needs to know of a post (a saved row or a read model)."""

    @property
    def status(self) -> str: ...

    @property
    def owner_id(self) -> int | None: ...

    @property
    def blocked_reason(self) -> str: ...


def step(current: str, target: str) -> Step | None:
    """The step from ``current`` to ``target``, or None when the flow has no such step."""
    return _BY_MOVE.get((current, target))


def transition_allowed(current: str, target: str) -> bool:
    return (current, target) in _BY_MOVE


def next_statuses(current: str) -> list[PostStatus]:
    """The statuses that may follow ``current``, in the order the screen offers them."""
    return [s.target for s in STEPS if s.current == current]


def forward_steps(current: str, target: str) -> list[PostStatus]:
    """The statuses to pass through from ``current`` up to ``target`` along the forward path."""
    if current not in FORWARD_PATH or target not in FORWARD_PATH:
        return []
    start, end = FORWARD_PATH.index(PostStatus(current)), FORWARD_PATH.index(PostStatus(target))
    return list(FORWARD_PATH[start + 1 : end + 1])


def _takers(actor: Actor, owner_id: int | None) -> set[Taker]:
    drafter = allowed(actor, Action.draft_post)
    takers = set()
    if allowed(actor, Action.approve_post):
        takers.add(Taker.approver)
    if drafter and owner_id is not None and owner_id == actor.id:
        takers.add(Taker.owner)
    if drafter and allowed(actor, Action.edit_any_post):
        takers.add(Taker.any_editor)
    return takers


def refusal(actor: Actor, *, owner_id: int | None, current: str, target: str) -> str | None:
    """Why ``actor`` may not move a post from ``current`` to ``target`` (None when they may)."""
    move = step(current, target)
    if move is None:
        return _(
            "A post in “{current}” can't become “{target}”.",
            current=_(STATUS_LABELS[current]),
            target=_(STATUS_LABELS[target]),
        )
    if move.takers & _takers(actor, owner_id):
        return None
    return _(move.refusal, role=actor.role)


def blocked_refusal(blocked_reason: str, current: str, target: str) -> str | None:
    """A compliance block stops every step towards publication (taking a post off the schedule
    stays possible)."""
    move = step(current, target)
    if blocked_reason and move is not None and move.stopped_by_block:
        return _("Blocked by compliance: {reason} The block must be lifted first.", reason=blocked_reason)
    return None


def allowed_transitions(actor: Actor, post: PostState) -> list[PostStatus]:
    """The statuses ``actor`` may move ``post`` to (for the screen's buttons; the core re-checks)."""
    return [
        target
        for target in next_statuses(post.status)
        if refusal(actor, owner_id=post.owner_id, current=post.status, target=target) is None
        and blocked_refusal(post.blocked_reason, post.status, target) is None
    ]


def button_label(actor: Actor, current: str, target: str) -> str:
    """The label of the button that moves a post from ``current`` to ``target`` for ``actor``, in
    the current language."""
    move = step(current, target)
    if move is None:
        return _(STATUS_LABELS[target])
    if move.owner_label and not allowed(actor, Action.approve_post):
        return _(move.owner_label)
    return _(move.label)


def may_fast_track(actor: Actor, post: PostState) -> bool:
    """Whether ``actor`` may take an open post through approval to the schedule in one go."""
    return allowed(actor, Action.approve_post) and post.status in (S.draft, S.in_review) and not post.blocked_reason


def may_edit(actor: Actor, owner_id: int | None) -> bool:
    """Whether ``actor``'s role lets them change this owner's posts at all."""
    if allowed(actor, Action.edit_any_post):
        return True
    return allowed(actor, Action.draft_post) and owner_id is not None and owner_id == actor.id


def editable_by(actor: Actor, post: PostState) -> bool:
    """Whether ``actor`` may change this post's fields now (the screen greys the form out otherwise)."""
    if post.status in FINAL or not may_edit(actor, post.owner_id):
        return False
    return post.status not in APPROVED or allowed(actor, Action.approve_post)
