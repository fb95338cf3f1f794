"""Test factories: build real rows through the core, with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlmodel import Session

from core import users, workspace
from core.permissions import CLI_ACTOR, Actor
from db.models import Channel, Conversation, Idea, Post, Role

_counter = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery"
UTC = dt.timezone.utc


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def ensure_workspace(session: Session, *, timezone_name: str = "Europe/Berlin", is_demo: bool = False) -> None:
    workspace.ensure_workspace(session, actor=CLI_ACTOR, timezone_name=timezone_name, is_demo=is_demo)


def make_user(session: Session, role: Role | str = Role.editor, *, username: str | None = None, password: str = TEST_PASSWORD, name: str = "") -> Actor:
    """A committed-ready user (low bcrypt cost for speed); returns the Actor to act as."""
    ensure_workspace(session)
    role = Role(role)
    view = users.create_user(
        session, actor=CLI_ACTOR, username=username or unique(role.value), password=password, role=role, name=name, rounds=4
    )
    return Actor(id=view.id, username=view.username, role=role, name=view.name)


def make_channel(session: Session, *, name: str | None = None, daily_post_limit: int = 3) -> Channel:
    channel = Channel(name=name or unique("Channel "), platform="instagram", daily_post_limit=daily_post_limit)
    session.add(channel)
    session.flush()
    return channel


def make_post(session: Session, *, channel: Channel | None = None, **fields) -> Post:
    channel = channel or make_channel(session)
    post = Post(title=fields.pop("title", unique("Post ")), channel_id=channel.id, **fields)
    session.add(post)
    session.flush()
    return post


def make_idea(session: Session, **fields) -> Idea:
    idea = Idea(title=fields.pop("title", unique("Idea ")), **fields)
    session.add(idea)
    session.flush()
    return idea


def make_conversation(session: Session, *, channel: Channel | None = None, received_at: dt.datetime | None = None, **fields) -> Conversation:
    channel = channel or make_channel(session)
    conversation = Conversation(
        channel_id=channel.id,
        author_handle=fields.pop("author_handle", unique("@person")),
        received_at=received_at or dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
        **fields,
    )
    session.add(conversation)
    session.flush()
    return conversation


# --- content calendar -------------------------------------------------------------------------


def ready_post_fields(channel: Channel, *, sla_owner_id: int | None, **overrides) -> dict:
    """Fields of a text post that passes the pre-publication checklist (for ``posts.create_post``)."""
    fields = dict(
        title=unique("Ready post "),
        body="We explain it in plain words and want to hear from you.",
        channel_id=channel.id,
        format="text",
        cognitive_load="low",
        next_step_type="comment_prompt",
        next_step_text="Which topic should we cover next?",
        micro_goal="30 comments with topics",
        tone_confirmed=True,
        sla_owner_id=sla_owner_id,
    )
    fields.update(overrides)
    return fields


def make_ready_post(session: Session, *, channel: Channel | None = None, sla_owner_id: int | None = None, **fields) -> Post:
    """A post row (any status) whose checklist passes; ``fields`` override anything."""
    channel = channel or make_channel(session)
    values = ready_post_fields(channel, sla_owner_id=sla_owner_id, **fields)
    values.pop("channel_id")
    return make_post(session, channel=channel, **values)

