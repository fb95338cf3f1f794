"""Writing posts: create and edit (typed inputs), every step of the status flow with the checks
that step needs, the compliance block, and the figures after publishing. Each write checks the
role, goes through ``core.records`` (audited, version-checked) and returns the post's read model.

Publishing announces ``core.events.post_published``; the domains that react (the loop) subscribe
there, so nothing here imports them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core import events, records
from core.content_plan import readiness, status
from core.content_plan.queries import EDITABLE_FIELDS, METRIC_FIELDS, PostView, view_of
from core.content_plan.rules import is_web_link
from core.content_plan.templates import TEMPLATES
from core.content_plan.validation import (
    check_metric_consistency,
    clean_fields,
    clean_metric,
    clean_published_at,
    clean_scheduled_at,
)
from core.errors import PermissionDenied, ValidationError
from core.i18n import _
from core.permissions import Action, Actor, allowed, require
from core.text import check_plain_text
from db.models import Post, PostCreate, PostMetrics, PostStatus, PostUpdate, Rubric, max_length
from db.types import utcnow


@dataclass(frozen=True)
class TransitionResult:
    post: PostView
    warnings: tuple[str, ...] = ()


# --- create and edit -------------------------------------------------------------------------


def create_post(*, session: Session, actor: Actor, post_in: PostCreate) -> PostView:
    """Create a draft owned by ``post_in.owner_id`` (the author when not given); the template's
    rubric is used when no rubric is given."""
    require(actor, Action.draft_post)
    values = post_in.model_dump()
    if not values["rubric_id"] and values["template"] in TEMPLATES:
        values["rubric_id"] = session.exec(
            select(Rubric.id).where(Rubric.name == TEMPLATES[values["template"]].rubric, col(Rubric.active).is_(True))
        ).first()
    clean = clean_fields(session, values, actor=actor, current=None)
    now = utcnow()
    post = Post(**clean, status=PostStatus.draft, created_by_id=actor.id, created_at=now, updated_at=now)
    records.create(session, post, actor=actor, action="post.create")
    return view_of(session, post)


def update_post(
    *, session: Session, actor: Actor, post_id: int, expected_version: int, post_in: PostUpdate
) -> PostView:
    """Change the fields set in ``post_in``. Approved and scheduled posts are re-checked
    (checklist, stop words, daily limit) so an edit cannot slip past the approval."""
    require(actor, Action.draft_post)
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    if not status.may_edit(actor, post.owner_id):
        raise PermissionDenied(_("You can edit only your own posts; ask a lead to change this one."))
    if post.status in status.FINAL:
        raise ValidationError(
            _(
                "A post with the status “{status}” can't be changed any more; enter its metrics instead.",
                status=_(status.STATUS_LABELS[post.status]),
            )
        )
    if post.status in status.APPROVED and not allowed(actor, Action.approve_post):
        raise PermissionDenied(_("This post is approved; ask a lead to send it back to draft before you change it."))
    clean = clean_fields(session, post_in.model_dump(exclude_unset=True), actor=actor, current=post)
    changes: dict[str, Any] = {k: v for k, v in clean.items() if getattr(post, k) != v}
    if not changes:
        return view_of(session, post)
    if post.status in status.APPROVED:
        merged = _content(post, changes)
        readiness.require_ready(session, merged, post_id=post.id)
        if post.status == PostStatus.scheduled:
            if merged.scheduled_at is None:
                raise ValidationError(_("A scheduled post needs its date and time; unschedule it first to clear them."))
            readiness.require_daily_slot(session, merged, post_id=post.id)
    changes["updated_at"] = utcnow()
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action="post.update"
    )
    return view_of(session, post)


def _content(post: Post, changes: dict[str, Any] | None = None) -> PostCreate:
    """What the author wrote on a saved post, with ``changes`` applied (not saved)."""
    saved = PostCreate.model_construct(**{name: getattr(post, name) for name in EDITABLE_FIELDS})
    return saved.model_copy(update=changes or {})


# --- the status flow -------------------------------------------------------------------------


def change_status(
    *,
    session: Session,
    actor: Actor,
    post_id: int,
    expected_version: int,
    target: str,
    scheduled_at: dt.datetime | None = None,
    published_at: dt.datetime | None = None,
) -> TransitionResult:
    """Move a post one step along the status flow, with every rule of that step checked.

    Publishing keeps the planned time (``scheduled_at``) and records when the post actually went
    out: ``published_at`` as the person says it, or now."""
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    current, target = PostStatus(post.status), PostStatus(target)
    refusal = status.refusal(actor, owner_id=post.owner_id, current=current, target=target)
    if refusal is not None:
        if not status.transition_allowed(current, target):
            raise ValidationError(refusal)
        raise PermissionDenied(refusal)
    blocked = status.blocked_refusal(post.blocked_reason, current, target)
    if blocked is not None:
        raise ValidationError(blocked)

    now = utcnow()
    changes: dict[str, Any] = {"status": target, "updated_at": now}
    warnings: list[str] = []
    if target == PostStatus.approved and current == PostStatus.in_review:
        warnings += readiness.require_ready(session, _content(post), post_id=post.id)
    elif target == PostStatus.scheduled:
        at = clean_scheduled_at(scheduled_at if scheduled_at is not None else post.scheduled_at)
        if at is None:
            raise ValidationError(_("Pick the date and time to publish before scheduling."))
        planned = _content(post, {"scheduled_at": at})
        warnings += readiness.require_ready(session, planned, post_id=post.id)
        readiness.require_daily_slot(session, planned, post_id=post.id)
        rhythm = readiness.rhythm_message(session, planned, post_id=post.id)
        warnings += [rhythm] if rhythm else []
        if at < now:
            warnings.append(readiness.PAST_TIME)
        changes["scheduled_at"] = at
    elif target == PostStatus.published:
        changes["published_at"] = clean_published_at(published_at, now=now)
    if current in status.ON_THE_PLAN or target in status.ON_THE_PLAN:
        changes["calendar_listed"] = True  # in the subscribers' calendars from now on
    step = status.step(current, target)
    action = step.action if step is not None else f"post.{target.value}"
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action=action
    )
    if target == PostStatus.published:
        events.post_published(session, post=post, actor=actor)
    events.post_status_changed(session, post=post, previous=current.value, actor=actor)
    return TransitionResult(view_of(session, post), tuple(warnings))


def submit_post(*, session: Session, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    return change_status(
        session=session, actor=actor, post_id=post_id, expected_version=expected_version, target=PostStatus.in_review
    )


def cancel_post(*, session: Session, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    return change_status(
        session=session, actor=actor, post_id=post_id, expected_version=expected_version, target=PostStatus.cancelled
    )


def advance_post(
    *,
    session: Session,
    actor: Actor,
    post_id: int,
    expected_version: int,
    target: str,
    scheduled_at: dt.datetime | None = None,
    published_at: dt.datetime | None = None,
) -> TransitionResult:
    """Walk a post forward through every step up to ``target`` in one transaction (e.g. a lead's
    "approve and schedule"); each step is checked and audited as if clicked on its own."""
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    steps = status.forward_steps(post.status, target)
    if not steps:
        raise ValidationError(
            _(
                "A post with the status “{status}” can't move forward to “{target}”.",
                status=_(status.STATUS_LABELS[post.status]),
                target=_(status.STATUS_LABELS[PostStatus(target)]),
            )
        )
    version, warnings = expected_version, []
    for step in steps:
        result = change_status(
            session=session,
            actor=actor,
            post_id=post_id,
            expected_version=version,
            target=step,
            scheduled_at=scheduled_at if step == PostStatus.scheduled else None,
            published_at=published_at if step == PostStatus.published else None,
        )
        version = result.post.version
        warnings += [w for w in result.warnings if w not in warnings]
    return TransitionResult(result.post, tuple(warnings))


# --- compliance ------------------------------------------------------------------------------


def block_post(*, session: Session, actor: Actor, post_id: int, expected_version: int, reason: str) -> PostView:
    """Compliance stops a post, with the reason shown on it until the block is lifted. A
    scheduled post is taken off the schedule (back to approved)."""
    require(actor, Action.block_post)
    reason = check_plain_text(reason or "", field=_("reason for the block")).strip()
    if not reason:
        raise ValidationError(_("Say why the post is blocked, so the team knows what to fix."))
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    if post.status in status.FINAL:
        raise ValidationError(
            _(
                "A post with the status “{status}” can't be blocked.",
                status=_(status.STATUS_LABELS[post.status]),
            )
        )
    now = utcnow()
    changes: dict[str, Any] = {
        "blocked_reason": reason,
        "blocked_by_id": actor.id,
        "blocked_at": now,
        "updated_at": now,
    }
    if post.status == PostStatus.scheduled:
        changes["status"] = PostStatus.approved
        changes["calendar_listed"] = True  # taken off the schedule: sent as cancelled
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action="post.block"
    )
    events.post_block_changed(session, post=post, blocked=True, actor=actor)
    return view_of(session, post)


def lift_block(*, session: Session, actor: Actor, post_id: int, expected_version: int) -> PostView:
    require(actor, Action.block_post)
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    if not post.blocked_reason:
        raise ValidationError(_("This post is not blocked."))
    changes = {"blocked_reason": "", "blocked_by_id": None, "blocked_at": None, "updated_at": utcnow()}
    post = records.update_versioned(
        session, Post, post_id, expected_version=expected_version, changes=changes, actor=actor, action="post.unblock"
    )
    events.post_block_changed(session, post=post, blocked=False, actor=actor)
    return view_of(session, post)


# --- metrics ---------------------------------------------------------------------------------


def record_metrics(
    *, session: Session, actor: Actor, post_id: int, expected_version: int, metrics_in: PostMetrics
) -> PostView:
    """Enter a published post's figures: those set in ``metrics_in`` change (None clears one)."""
    require(actor, Action.enter_post_metrics)
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    if post.status != PostStatus.published:
        raise ValidationError(_("Metrics are entered after publishing; this post is not published yet."))
    clean = {name: clean_metric(name, value) for name, value in metrics_in.model_dump(exclude_unset=True).items()}
    check_metric_consistency({**{n: getattr(post, n) for n in METRIC_FIELDS}, **clean})
    post = records.update_versioned(
        session,
        Post,
        post_id,
        expected_version=expected_version,
        changes={**clean, "updated_at": utcnow()},
        actor=actor,
        action="post.metrics",
    )
    return view_of(session, post)


def set_published_url(*, session: Session, actor: Actor, post_id: int, expected_version: int, url: str) -> PostView:
    """Where the published post can be read on the platform ("" clears it): the comments on it
    carry this link, so conversations are matched to the post by it."""
    require(actor, Action.enter_post_metrics)
    post = records.get_or_404(session, Post, post_id, what=_("Post"))
    if post.status != PostStatus.published:
        raise ValidationError(_("The link is the published post's; this post is not published yet."))
    url = (url or "").strip()
    limit = max_length(Post, "published_url")
    if url and not is_web_link(url):
        raise ValidationError(_("The post's link must start with https:// (or http://)."))
    if len(url) > limit:
        raise ValidationError(_("The link is longer than {limit} characters.", limit=limit))
    post = records.update_versioned(
        session,
        Post,
        post_id,
        expected_version=expected_version,
        changes={"published_url": url, "updated_at": utcnow()},
        actor=actor,
        action="post.published_url",
    )
    return view_of(session, post)
