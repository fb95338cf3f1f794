"""Test factories: build real rows through the core, with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlmodel import Session

from core import workspace
from core.permissions import CLI_ACTOR, Actor
from core.users import accounts
from db.models import Channel, Conversation, Idea, Post, Role, UserCreate

_counter = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery"
UTC = dt.UTC


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def ensure_workspace(session: Session, *, timezone_name: str = "Europe/Berlin", is_demo: bool = False) -> None:
    workspace.ensure_workspace(session=session, actor=CLI_ACTOR, timezone_name=timezone_name, is_demo=is_demo)


def make_user(
    session: Session,
    role: Role | str = Role.editor,
    *,
    username: str | None = None,
    password: str = TEST_PASSWORD,
    name: str = "",
) -> Actor:
    """A committed-ready user (low bcrypt cost for speed); returns the Actor to act as."""
    ensure_workspace(session)
    role = Role(role)
    user_in = UserCreate(username=username or unique(role.value), password=password, role=role, name=name)
    view = accounts.create_user(session=session, actor=CLI_ACTOR, user_in=user_in, rounds=4)
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


def make_conversation(
    session: Session, *, channel: Channel | None = None, received_at: dt.datetime | None = None, **fields
) -> Conversation:
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


def make_ready_post(
    session: Session, *, channel: Channel | None = None, sla_owner_id: int | None = None, **fields
) -> Post:
    """A post row (any status) whose checklist passes; ``fields`` override anything."""
    channel = channel or make_channel(session)
    values = ready_post_fields(channel, sla_owner_id=sla_owner_id, **fields)
    values.pop("channel_id")
    return make_post(session, channel=channel, **values)


# --- SLA monitor ------------------------------------------------------------------------------

OFFICE_HOURS = {
    "timezone": "Europe/Berlin",
    "weekly": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
}


def make_sla_policy(
    session: Session,
    *,
    minutes: int = 120,
    calendar: dict | None = None,
    channel: Channel | None = None,
    kind: str | None = None,
    **fields,
):
    """A business calendar (office hours in Berlin unless given) and a policy on it."""
    import json

    from db.models import BusinessCalendarRow, SlaPolicy

    row = BusinessCalendarRow(name=unique("Calendar "), definition=json.dumps(calendar or OFFICE_HOURS))
    session.add(row)
    session.flush()
    policy = SlaPolicy(
        name=fields.pop("name", unique("Policy ")),
        calendar_id=row.id,
        first_response_minutes=minutes,
        channel_id=None if channel is None else channel.id,
        kind=kind,
        **fields,
    )
    session.add(policy)
    session.flush()
    return policy


def make_sla_conversation(
    session: Session, *, channel: Channel | None = None, received_at: dt.datetime, **fields
) -> Conversation:
    """A conversation stored as the core stores it: the fitting policy fixes its SLA figures."""
    from core.sla import policies

    channel = channel or make_channel(session)
    conversation = Conversation(
        channel_id=channel.id,
        author_handle=fields.pop("author_handle", unique("@person")),
        received_at=received_at,
        **fields,
    )
    policies.store_conversation_figures(session, conversation)
    session.add(conversation)
    session.flush()
    return conversation


def make_escalation_team(
    session: Session,
    *,
    owner_id: int | None,
    name: str | None = None,
    description: str = "",
    responsible_ids: tuple[int, ...] | None = None,
    consulted_ids: tuple[int, ...] = (),
    informed_ids: tuple[int, ...] = (),
    **fields,
):
    """A team whose owner does the work too unless ``responsible_ids`` names other people."""
    from db.models import EscalationTeam, EscalationTeamMember, Raci

    team = EscalationTeam(name=name or unique("Team "), owner_id=owner_id, description=description, **fields)
    session.add(team)
    session.flush()
    responsible = responsible_ids if responsible_ids is not None else ((owner_id,) if owner_id is not None else ())
    for raci, people in (
        (Raci.responsible, responsible),
        (Raci.consulted, consulted_ids),
        (Raci.informed, informed_ids),
    ):
        for user_id in people:
            session.add(EscalationTeamMember(team_id=team.id, user_id=user_id, raci=raci))
    session.flush()
    return team


def make_quick_answer(session: Session, **fields):
    from db.models import QuickAnswer

    answer = QuickAnswer(
        title=fields.pop("title", unique("Answer ")), text=fields.pop("text", "Here is how it works."), **fields
    )
    session.add(answer)
    session.flush()
    return answer
