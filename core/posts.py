"""Transitional: the content plan's old module name; the code lives in ``core.content_plan``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

# Transitional: names other domains still import from here; the lead removes this after the merge.
from core.content_plan import posts as _commands
from core.content_plan.posts import TransitionResult
from core.content_plan.queries import PostView, get_post, rubric_id, unscheduled_posts
from core.content_plan.templates import TEMPLATES, template_defaults
from core.content_plan.validation import post_create, post_update
from core.permissions import Actor

__all__ = [
    "TEMPLATES",
    "PostView",
    "TransitionResult",
    "advance_post",
    "cancel_post",
    "create_post",
    "get_post",
    "rubric_id",
    "template_defaults",
    "unscheduled_posts",
    "update_post",
]


def create_post(session: Session, *, actor: Actor, fields: Mapping[str, Any]) -> PostView:
    """Old call form of ``core.content_plan.posts.create_post`` (fields read by ``validation.post_create``)."""
    return _commands.create_post(session=session, actor=actor, post_in=post_create(fields))


def update_post(
    session: Session, *, actor: Actor, post_id: int, expected_version: int, fields: Mapping[str, Any]
) -> PostView:
    """Old call form of ``core.content_plan.posts.update_post`` (fields read by ``validation.post_update``)."""
    return _commands.update_post(
        session=session, actor=actor, post_id=post_id, expected_version=expected_version, post_in=post_update(fields)
    )


def advance_post(
    session: Session,
    *,
    actor: Actor,
    post_id: int,
    expected_version: int,
    target: str,
    scheduled_at: dt.datetime | None = None,
) -> TransitionResult:
    """Old call form of ``core.content_plan.posts.advance_post``."""
    return _commands.advance_post(
        session=session,
        actor=actor,
        post_id=post_id,
        expected_version=expected_version,
        target=target,
        scheduled_at=scheduled_at,
    )


def cancel_post(session: Session, *, actor: Actor, post_id: int, expected_version: int) -> TransitionResult:
    """Old call form of ``core.content_plan.posts.cancel_post``."""
    return _commands.cancel_post(session=session, actor=actor, post_id=post_id, expected_version=expected_version)
