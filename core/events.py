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
    "escalated": (),
}


def post_published(session: Session, *, post: Any, actor: Actor) -> None:
    """A post's status became published (``post`` is the ``db.models.Post`` row)."""
    _notify("post_published", session=session, post=post, actor=actor)


def escalated(session: Session, *, conversation: Any, team: Any, actor: Actor) -> None:
    """A conversation was escalated (``conversation`` and ``team`` are the ``db.models`` rows)."""
    _notify("escalated", session=session, conversation=conversation, team=team, actor=actor)


def subscriber(target: str):
    """The function a ``module:function`` subscriber entry names."""
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def _notify(event: str, **fields: Any) -> None:
    for target in SUBSCRIBERS[event]:
        subscriber(target)(**fields)
