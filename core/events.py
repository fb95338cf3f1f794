"""What happened in one domain that other domains act on, in the same transaction.

A domain announces an event by calling its function here; the subscribers are listed by module
path and imported when the event happens, so the announcing domain never imports the domains that
react to it (the content plan publishes a post; the loop marks the announcement as sent). Every
subscriber takes the event's fields as keyword arguments and runs in the caller's transaction.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sqlmodel import Session

from core.permissions import Actor

SUBSCRIBERS: dict[str, tuple[str, ...]] = {
    # A post went out: a "You asked, we did" announcement marks its loop item as announced.
    "post_published": ("core.loop.items:on_post_published",),
    # A conversation was escalated to a team: its consulted and informed people are told (the
    # in-app lists read the table; delivery subscribes here).
    "escalated": ("core.live.subscribers:on_escalated",),
    # A post moved along its status flow (review requested, approved, …): the people concerned are told.
    "post_status_changed": ("core.live.subscribers:on_post_status_changed",),
    # Compliance blocked a post or lifted the block.
    "post_block_changed": ("core.live.subscribers:on_post_block_changed",),
    # An idea's status changed (shipped: the person who logged it is told).
    "idea_status_changed": ("core.live.subscribers:on_idea_status_changed",),
}


def post_published(session: Session, *, post: Any, actor: Actor) -> None:
    """A post's status became published (``post`` is the ``db.models.Post`` row)."""
    _notify("post_published", session=session, post=post, actor=actor)


def escalated(session: Session, *, conversation: Any, team: Any, actor: Actor) -> None:
    """A conversation was escalated (``conversation`` and ``team`` are the ``db.models`` rows)."""
    _notify("escalated", session=session, conversation=conversation, team=team, actor=actor)


def post_status_changed(session: Session, *, post: Any, previous: str, actor: Actor) -> None:
    """A post's status changed from ``previous`` to ``post.status``."""
    _notify("post_status_changed", session=session, post=post, previous=previous, actor=actor)


def post_block_changed(session: Session, *, post: Any, blocked: bool, actor: Actor) -> None:
    """Compliance blocked a post (``blocked``) or lifted its block."""
    _notify("post_block_changed", session=session, post=post, blocked=blocked, actor=actor)


def idea_status_changed(session: Session, *, idea: Any, previous: str, actor: Actor) -> None:
    """An idea's status changed from ``previous`` to ``idea.status``."""
    _notify("idea_status_changed", session=session, idea=idea, previous=previous, actor=actor)


def subscriber(target: str):
    """The function a ``module:function`` subscriber entry names."""
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def _notify(event: str, **fields: Any) -> None:
    for target in SUBSCRIBERS[event]:
        subscriber(target)(**fields)
