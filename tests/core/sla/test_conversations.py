"""Working conversations: log one by hand, assign, the first reply that stops the clock, quick
answers counted, escalation to a team with its RACI owner, resolve, "no reply needed" with a
reason, UGC marks. Every action is versioned and audited."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from core import audit
from core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from core.sla import conversations, figures, queues, teams
from db.models import (
    Conversation,
    ConversationCreate,
    ConversationStatus,
    EscalationTeamCreate,
    EscalationTeamUpdate,
    QuickAnswer,
    Role,
)
from tests.factories import (
    make_channel,
    make_escalation_team,
    make_quick_answer,
    make_sla_conversation,
    make_sla_policy,
    make_user,
)

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


NOW = berlin("2025-11-11 11:00")


@pytest.fixture
def world(session):
    support = make_user(session, Role.support, name="Sam")
    make_sla_policy(session, minutes=120)
    channel = make_channel(session)
    question = make_sla_conversation(
        session, channel=channel, received_at=berlin("2025-11-10 17:30"), category="billing"
    )
    session.commit()
    return support, channel, question


def test_the_first_reply_stops_the_clock_with_business_and_calendar_minutes(session, world):
    support, _, question = world
    row = conversations.log_reply(
        session=session,
        actor=support,
        conversation_id=question.id,
        expected_version=question.version,
        replied_at=berlin("2025-11-11 09:30"),
        now=NOW,
    )
    assert row.first_reply_at == berlin("2025-11-11 09:30")
    assert row.business_minutes_to_reply == pytest.approx(60)  # 30 min Monday evening + 30 min Tuesday
    assert row.calendar_minutes_to_reply == pytest.approx(960)
    assert row.sla_status == figures.SlaStatus.met
    assert row.status == ConversationStatus.waiting
    assert row.assignee_id == support.id  # whoever answers an unassigned item takes it


def test_a_reply_exactly_at_the_deadline_is_met_and_a_later_one_breached(session, world):
    support, channel, question = world
    assert question.deadline_at == berlin("2025-11-11 10:30")
    on_time = conversations.log_reply(
        session=session,
        actor=support,
        conversation_id=question.id,
        expected_version=question.version,
        replied_at=question.deadline_at,
        now=NOW,
    )
    assert on_time.sla_status == figures.SlaStatus.met
    late = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 17:30"))
    row = conversations.log_reply(
        session=session,
        actor=support,
        conversation_id=late.id,
        expected_version=late.version,
        replied_at=late.deadline_at + dt.timedelta(seconds=1),
        now=NOW,
    )
    assert row.sla_status == figures.SlaStatus.breached


def test_the_quick_answer_used_is_recorded_and_counted_per_reply(session, world):
    support, _, question = world
    answer = make_quick_answer(session, title="Where is my invoice?", category="billing")
    other = make_quick_answer(session, title="Refunds", category="billing")
    first = conversations.log_reply(
        session=session,
        actor=support,
        conversation_id=question.id,
        expected_version=question.version,
        replied_at=berlin("2025-11-11 09:30"),
        quick_answer_id=answer.id,
        now=NOW,
    )
    assert first.quick_answer == "Where is my invoice?"
    second = conversations.log_reply(
        session=session,
        actor=support,
        conversation_id=question.id,
        expected_version=first.version,
        quick_answer_id=other.id,
        now=NOW,
    )
    assert second.first_reply_at == berlin("2025-11-11 09:30")  # a later reply does not move the first
    assert second.quick_answer == "Refunds"
    session.expire_all()
    assert session.get(QuickAnswer, answer.id).use_count == 1
    assert session.get(QuickAnswer, other.id).use_count == 1


@pytest.mark.parametrize(
    "replied_at, message",
    [
        (berlin("2025-11-10 17:00"), "before the message"),
        (NOW + dt.timedelta(hours=1), "in the future"),
        (dt.datetime(2025, 11, 11, 9, 0), "time zone"),
    ],
)
def test_an_impossible_reply_time_is_refused_and_nothing_changes(session, world, replied_at, message):
    support, _, question = world
    with pytest.raises(ValidationError, match=message):
        conversations.log_reply(
            session=session,
            actor=support,
            conversation_id=question.id,
            expected_version=question.version,
            replied_at=replied_at,
            now=NOW,
        )
    session.rollback()
    assert session.get(Conversation, question.id).first_reply_at is None


def test_an_unknown_quick_answer_is_refused(session, world):
    support, _, question = world
    with pytest.raises(NotFoundError, match="Quick answer"):
        conversations.log_reply(
            session=session,
            actor=support,
            conversation_id=question.id,
            expected_version=question.version,
            quick_answer_id=9999,
            now=NOW,
        )


@pytest.mark.parametrize(
    "role, may",
    [
        (Role.support, True),
        (Role.community, True),
        (Role.admin, True),
        (Role.lead, False),
        (Role.editor, False),
        (Role.analyst, False),
        (Role.compliance, False),
        (Role.viewer, False),
    ],
)
def test_support_and_community_work_the_queue(session, world, role, may):
    _, _, question = world
    actor = make_user(session, role)
    if may:
        row = conversations.assign_to_me(
            session=session, actor=actor, conversation_id=question.id, expected_version=question.version
        )
        assert row.assignee_id == actor.id
    else:
        with pytest.raises(PermissionDenied):
            conversations.assign_to_me(
                session=session, actor=actor, conversation_id=question.id, expected_version=question.version
            )


WORK_ACTIONS = {
    "log a conversation": lambda s, a, q, t: conversations.log_conversation(
        session=s,
        actor=a,
        conversation_in=ConversationCreate(
            channel_id=q.channel_id, author_handle="@x", received_at=berlin("2025-11-11 10:00")
        ),
        now=NOW,
    ),
    "log a reply": lambda s, a, q, t: conversations.log_reply(
        session=s, actor=a, conversation_id=q.id, expected_version=q.version, now=NOW
    ),
    "escalate": lambda s, a, q, t: conversations.escalate(
        session=s, actor=a, conversation_id=q.id, expected_version=q.version, team_id=t.id, reason="Needs billing"
    ),
    "resolve": lambda s, a, q, t: conversations.resolve(
        session=s, actor=a, conversation_id=q.id, expected_version=q.version
    ),
    "no reply needed": lambda s, a, q, t: conversations.mark_no_reply_needed(
        session=s, actor=a, conversation_id=q.id, expected_version=q.version, reason="spam"
    ),
    "mark best": lambda s, a, q, t: conversations.mark_ugc(
        session=s, actor=a, conversation_id=q.id, expected_version=q.version, best=True
    ),
    "create a team": lambda s, a, q, t: teams.create_team(
        session=s, actor=a, team_in=EscalationTeamCreate(name="Mine", owner_id=a.id)
    ),
    "edit a team": lambda s, a, q, t: teams.update_team(
        session=s,
        actor=a,
        team_id=t.id,
        expected_version=t.version,
        team_in=EscalationTeamUpdate(name="Renamed", owner_id=a.id),
    ),
}


@pytest.mark.parametrize("role", [Role.viewer, Role.analyst, Role.editor, Role.compliance])
@pytest.mark.parametrize("action", list(WORK_ACTIONS))
def test_roles_that_only_read_the_queue_are_refused_every_action_in_core(session, world, role, action):
    support, _, question = world
    team = make_escalation_team(session, owner_id=support.id)
    actor = make_user(session, role)
    before = audit.history(session, entity="conversation", entity_id=question.id)
    with pytest.raises(PermissionDenied):
        WORK_ACTIONS[action](session, actor, question, team)
    session.refresh(question)
    assert question.version == 1 and question.first_reply_at is None and question.status == ConversationStatus.open
    assert audit.history(session, entity="conversation", entity_id=question.id) == before


def test_two_people_acting_on_the_same_version_the_second_is_refused(session, world, write, read):
    support, _, question = world
    colleague = make_user(session, Role.community)
    session.commit()
    loaded = question.version  # both opened this version
    with write() as s:
        conversations.assign_to_me(session=s, actor=support, conversation_id=question.id, expected_version=loaded)
    with pytest.raises(ConflictError), write() as s:
        conversations.assign_to_me(session=s, actor=colleague, conversation_id=question.id, expected_version=loaded)
    with read() as s:
        assert s.get(Conversation, question.id).assignee_id == support.id


def test_escalation_records_team_when_and_why_and_shows_the_owner(session, world):
    support, _, question = world
    lead = make_user(session, Role.lead, name="Lena")
    team = make_escalation_team(session, owner_id=lead.id, name="Billing")
    with pytest.raises(ValidationError, match="why"):
        conversations.escalate(
            session=session,
            actor=support,
            conversation_id=question.id,
            expected_version=question.version,
            team_id=team.id,
            reason=" ",
        )
    row = conversations.escalate(
        session=session,
        actor=support,
        conversation_id=question.id,
        expected_version=question.version,
        team_id=team.id,
        reason="Double charge, needs a refund",
        now=NOW,
    )
    assert (row.escalation_team, row.escalation_owner, row.escalation_reason) == (
        "Billing",
        "Lena",
        "Double charge, needs a refund",
    )
    assert row.escalated_at == NOW
    entry = audit.history(session, entity="conversation", entity_id=question.id)[-1]
    assert entry.action == "conversation.escalate" and entry.actor == support.username
    listed = teams.list_teams(session)
    assert [(t.name, t.owner, t.open_escalations) for t in listed] == [("Billing", "Lena", 1)]


def test_resolve_needs_a_reply_first_for_items_that_need_one(session, world):
    support, _, question = world
    with pytest.raises(ValidationError, match="log the reply first"):
        conversations.resolve(
            session=session, actor=support, conversation_id=question.id, expected_version=question.version
        )
    replied = conversations.log_reply(
        session=session, actor=support, conversation_id=question.id, expected_version=question.version, now=NOW
    )
    row = conversations.resolve(
        session=session, actor=support, conversation_id=question.id, expected_version=replied.version, now=NOW
    )
    assert row.status == ConversationStatus.resolved and row.resolved_at == NOW
    with pytest.raises(ValidationError, match="resolved already"):
        conversations.resolve(session=session, actor=support, conversation_id=question.id, expected_version=row.version)


def test_ugc_resolves_without_a_reply(session, world):
    support, channel, _ = world
    ugc = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 10:00"), kind="ugc")
    assert (
        conversations.resolve(
            session=session, actor=support, conversation_id=ugc.id, expected_version=ugc.version
        ).status
        == "resolved"
    )


def test_no_reply_needed_requires_a_reason_and_is_audited(session, world):
    support, _, question = world
    with pytest.raises(ValidationError, match="reason"):
        conversations.mark_no_reply_needed(
            session=session, actor=support, conversation_id=question.id, expected_version=question.version, reason=""
        )
    row = conversations.mark_no_reply_needed(
        session=session,
        actor=support,
        conversation_id=question.id,
        expected_version=question.version,
        reason="Spam link",
    )
    assert row.status == ConversationStatus.no_reply_needed and not row.needs_reply
    assert row.sla_status == figures.SlaStatus.not_applicable
    entry = audit.history(session, entity="conversation", entity_id=question.id)[-1]
    assert entry.action == "conversation.no_reply_needed"
    assert json.loads(entry.after)["no_reply_reason"] == "Spam link"
    assert queues.queue_counts(session, now=NOW).breached == 0


def test_an_answered_conversation_cannot_be_marked_no_reply_needed(session, world):
    support, _, question = world
    replied = conversations.log_reply(
        session=session, actor=support, conversation_id=question.id, expected_version=question.version, now=NOW
    )
    with pytest.raises(ValidationError, match="answered already"):
        conversations.mark_no_reply_needed(
            session=session, actor=support, conversation_id=question.id, expected_version=replied.version, reason="Spam"
        )


def test_only_ugc_is_marked_useful_and_anything_can_be_best(session, world):
    support, channel, question = world
    with pytest.raises(ValidationError, match="user-generated"):
        conversations.mark_ugc(
            session=session, actor=support, conversation_id=question.id, expected_version=question.version, useful=True
        )
    best = conversations.mark_ugc(
        session=session, actor=support, conversation_id=question.id, expected_version=question.version, best=True
    )
    assert best.best and not best.useful
    ugc = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 10:00"), kind="ugc")
    assert conversations.mark_ugc(
        session=session, actor=support, conversation_id=ugc.id, expected_version=ugc.version, useful=True
    ).useful


def test_a_logged_conversation_gets_the_kind_specific_policy(session, world):
    support, channel, _ = world
    make_sla_policy(session, minutes=60, kind="complaint")
    row = conversations.log_conversation(
        session=session,
        actor=support,
        conversation_in=ConversationCreate(
            channel_id=channel.id,
            author_handle="@mila",
            received_at=berlin("2025-11-11 10:00"),
            kind="complaint",
            text="Charged twice!",
        ),
        now=NOW,
    )
    assert row.window_minutes == 60 and row.deadline_at == berlin("2025-11-11 11:00")
    assert row.sla_status == figures.SlaStatus.breached  # now == deadline


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"author_handle": " "}, "author"),
        ({"kind": "rumour"}, "Unknown kind"),
        ({"received_at": NOW + dt.timedelta(hours=2)}, "future"),
        ({"link": "javascript:alert(1)"}, "https://"),
        ({"channel_id": 999}, "Channel #999"),
    ],
)
def test_logging_a_conversation_validates_its_input(session, world, fields, message):
    support, channel, _ = world
    arguments = dict(channel_id=channel.id, author_handle="@mila", received_at=berlin("2025-11-11 10:00")) | fields
    with pytest.raises(ValidationError, match=message):
        conversations.log_conversation(
            session=session, actor=support, conversation_in=ConversationCreate(**arguments), now=NOW
        )


@pytest.mark.parametrize(
    "replied_at, message",
    [
        (
            berlin("2025-11-10 17:00"),
            r"^Die Antwortzeit 10\.11\.2025 16:00 UTC liegt vor dem Eingang der Nachricht "
            r"\(\d{2}\.11\.2025 \d{2}:\d{2} UTC\); prüfe Datum und Uhrzeit\.$",
        ),
        (NOW + dt.timedelta(hours=1), r"^Die Antwortzeit 11\.11\.2025 11:00 UTC liegt in der Zukunft"),
        (dt.datetime(2025, 11, 11, 9, 0), r"^Die Antwortzeit braucht ein Datum, eine Uhrzeit und eine Zeitzone\.$"),
    ],
)
def test_a_refused_reply_time_is_explained_in_german_with_german_dates(session, world, replied_at, message):
    from core.i18n import using

    support, __, question = world
    with using("de"), pytest.raises(ValidationError, match=message):
        conversations.log_reply(
            session=session,
            actor=support,
            conversation_id=question.id,
            expected_version=question.version,
            replied_at=replied_at,
            now=NOW,
        )
