"""Escalation through RACI: an escalated conversation goes to the team's responsible person with a
deadline in the team's business time; R and A may act on it whatever their role (audited), and
on nothing else; C and I are told; the team and each person see their queue."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from core import audit, events
from core.errors import PermissionDenied, ValidationError
from core.sla import conversations, escalations, teams
from db.models import (
    BusinessCalendarRow,
    Conversation,
    ConversationStatus,
    EscalationTeamCreate,
    EscalationTeamUpdate,
    Raci,
)
from tests.factories import make_escalation_team, make_sla_conversation, make_sla_policy

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_9_TO_5 = {
    "timezone": "Europe/Berlin",
    "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
}
MONDAY_TO_SATURDAY_9_TO_5 = {
    "timezone": "Europe/Berlin",
    "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
}


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _calendar(session, definition: dict, name: str) -> BusinessCalendarRow:
    row = BusinessCalendarRow(name=name, definition=json.dumps(definition))
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def desk(session, team, channel):
    """Support works a Monday–Saturday desk; Legal works weekdays; Lea (lead) owns Legal and Carl
    (compliance) does its work; Cora (community) is consulted, Vera (viewer) informed."""
    make_sla_policy(session, minutes=120, calendar=MONDAY_TO_SATURDAY_9_TO_5)
    legal_hours = _calendar(session, WEEKDAYS_9_TO_5, "Legal office hours")
    legal = make_escalation_team(
        session,
        name="Legal & Privacy",
        owner_id=team["lead"].id,
        responsible_ids=(team["compliance"].id,),
        consulted_ids=(team["community"].id,),
        informed_ids=(team["viewer"].id,),
        calendar_id=legal_hours.id,
        deadline_minutes=480,
    )
    billing = make_escalation_team(session, name="Billing", owner_id=team["support"].id)
    complaint = make_sla_conversation(
        session,
        channel=channel,
        received_at=berlin("2025-03-07 10:00"),
        author_handle="@Jonas Becker",
        text="Please delete all my data, this is a formal GDPR request.",
        kind="complaint",
    )
    other = make_sla_conversation(
        session, channel=channel, received_at=berlin("2025-03-07 11:00"), author_handle="@mila.k", text="Invoice?"
    )
    session.commit()
    return dict(legal=legal, billing=billing, complaint=complaint, other=other)


def _escalate(session, actor, conversation, team, at: dt.datetime):
    return conversations.escalate(
        session=session,
        actor=actor,
        conversation_id=conversation.id,
        expected_version=conversation.version,
        team_id=team.id,
        reason="Formal data deletion request",
        now=at,
    )


@pytest.mark.parametrize(
    ("escalated", "team_calendar", "deadline"),
    [
        # Friday 15:00 + 8 business hours in the team's weekday calendar: 2 h on Friday, 6 h on Monday.
        ("2025-03-07 15:00", True, "2025-03-10 15:00"),
        # The same in the conversation's Monday–Saturday SLA calendar: Saturday 15:00.
        ("2025-03-07 15:00", False, "2025-03-08 15:00"),
        # Saturday morning in the weekday calendar: the clock starts on Monday at 9.
        ("2025-03-08 10:00", True, "2025-03-10 17:00"),
        # Exactly at closing time on Friday: nothing counts until Monday.
        ("2025-03-07 17:00", True, "2025-03-10 17:00"),
        # Across the clock change (Sunday 30 March): Friday 16:00 + 8 h → Monday 16:00 local.
        ("2025-03-28 16:00", True, "2025-03-31 16:00"),
    ],
)
def test_the_escalation_deadline_counts_business_time_across_the_weekend(
    session, team, desk, escalated, team_calendar, deadline
):
    legal = desk["legal"]
    if not team_calendar:
        legal.calendar_id = None
        session.commit()
    row = _escalate(session, team["support"], desk["complaint"], legal, berlin(escalated))
    assert row.escalation_deadline_at == berlin(deadline)
    assert row.escalated_at == berlin(escalated)


def test_escalating_assigns_the_responsible_person_and_tells_consulted_and_informed(session, team, desk, monkeypatch):
    told = []
    monkeypatch.setitem(events.SUBSCRIBERS, "escalated", ("tests.core.sla.test_escalations:_remember",))
    monkeypatch.setattr(f"{__name__}._SEEN", told)
    row = _escalate(session, team["support"], desk["complaint"], desk["legal"], berlin("2025-03-07 15:00"))
    assert (row.assignee_id, row.assignee) == (team["compliance"].id, "Carl Compliance")
    assert row.escalation_team == "Legal & Privacy" and row.escalation_owner == "Lea Lead"
    assert told == [(desk["complaint"].id, desk["legal"].id, team["support"].username)]
    lists = {
        who: escalations.escalations_for(session, user_id=team[who].id)
        for who in ("lead", "compliance", "community", "viewer", "support")
    }
    assert [i.conversation.id for i in lists["compliance"].act_on] == [desk["complaint"].id]
    assert [i.conversation.id for i in lists["lead"].act_on] == [desk["complaint"].id]
    assert lists["community"].act_on == () and [i.parts for i in lists["community"].told] == [(Raci.consulted,)]
    assert [i.parts for i in lists["viewer"].told] == [(Raci.informed,)]
    assert lists["support"].act_on == () and lists["support"].told == ()  # escalated by, but not on Legal
    queue = escalations.team_queue(session, team_id=desk["legal"].id)
    assert [(i.conversation.id, i.team) for i in queue] == [(desk["complaint"].id, "Legal & Privacy")]
    assert escalations.team_queue(session, team_id=desk["billing"].id) == []


_SEEN: list = []


def _remember(*, session, conversation, team, actor):
    _SEEN.append((conversation.id, team.id, actor.username))


@pytest.mark.parametrize("who", ["compliance", "lead"])
def test_responsible_and_accountable_act_on_the_escalated_conversation_whatever_their_role(session, team, desk, who):
    row = _escalate(session, team["support"], desk["complaint"], desk["legal"], berlin("2025-03-07 15:00"))
    actor = team[who]
    replied = conversations.log_reply(
        session=session,
        actor=actor,
        conversation_id=row.id,
        expected_version=row.version,
        replied_at=berlin("2025-03-10 09:30"),
        text="We have deleted your data and confirmed it by e-mail.",
        now=berlin("2025-03-10 10:00"),
    )
    resolved = conversations.resolve(
        session=session,
        actor=actor,
        conversation_id=row.id,
        expected_version=replied.version,
        now=berlin("2025-03-10 10:05"),
    )
    assert resolved.status == ConversationStatus.resolved
    assert escalations.within_deadline(resolved.escalation_deadline_at, resolved.resolved_at) is True
    rights = [
        (h.action, json.loads(h.after))
        for h in audit.history(session, entity="conversation", entity_id=row.id)
        if h.action == "conversation.scoped_right"
    ]
    part = "responsible" if who == "compliance" else "accountable"
    assert rights == [
        ("conversation.scoped_right", {"right": f"{part} for Legal & Privacy escalations", "used_for": action})
        for action in ("conversation.reply", "conversation.resolve")
    ]


@pytest.mark.parametrize("who", ["compliance", "lead"])
def test_the_scoped_right_is_refused_on_other_conversations(session, team, channel, desk, who):
    _escalate(session, team["support"], desk["complaint"], desk["legal"], berlin("2025-03-07 15:00"))
    billing = _escalate(session, team["support"], desk["other"], desk["billing"], berlin("2025-03-07 15:00"))
    never_escalated = make_sla_conversation(session, channel=channel, received_at=berlin("2025-03-07 12:00"))
    session.commit()
    for conversation_id, version in ((billing.id, billing.version), (never_escalated.id, 1)):
        with pytest.raises(PermissionDenied, match="escalated to a team you are responsible or accountable for"):
            conversations.log_reply(
                session=session,
                actor=team[who],
                conversation_id=conversation_id,
                expected_version=version,
                text="Done.",
                now=berlin("2025-03-10 10:00"),
            )
    session.expire_all()
    assert session.get(Conversation, billing.id).first_reply_at is None
    assert session.get(Conversation, never_escalated.id).first_reply_at is None


@pytest.mark.parametrize("who", ["community", "viewer"])
def test_consulted_and_informed_people_are_told_but_may_not_act(session, team, desk, who):
    row = _escalate(session, team["support"], desk["complaint"], desk["legal"], berlin("2025-03-07 15:00"))
    actor = team[who]
    if who == "community":
        # Community works conversations by role anyway: the role, not the RACI part, allows it.
        done = conversations.assign_to_me(
            session=session, actor=actor, conversation_id=row.id, expected_version=row.version
        )
        assert done.assignee_id == actor.id
        assert "conversation.scoped_right" not in [
            h.action for h in audit.history(session, entity="conversation", entity_id=row.id)
        ]
    else:
        with pytest.raises(PermissionDenied):
            conversations.assign_to_me(
                session=session, actor=actor, conversation_id=row.id, expected_version=row.version
            )


def test_a_team_without_a_calendar_on_a_conversation_without_a_policy_has_no_deadline(session, team, desk):
    desk["legal"].calendar_id = None
    unpoliced = desk["complaint"]
    unpoliced.sla_policy_id = None
    session.commit()
    row = _escalate(session, team["support"], unpoliced, desk["legal"], berlin("2025-03-07 15:00"))
    assert row.escalation_deadline_at is None
    assert escalations.overdue(row.escalation_deadline_at, resolved=False, now=berlin("2026-01-01 00:00")) is False


@pytest.mark.parametrize(
    ("deadline", "resolved", "within"),
    [
        ("2025-03-10 15:00", "2025-03-10 15:00", True),
        ("2025-03-10 15:00", "2025-03-10 15:01", False),
        ("2025-03-10 15:00", None, None),
        (None, "2025-03-10 15:00", None),
    ],
)
def test_resolved_within_the_deadline_counts_the_deadline_itself(deadline, resolved, within):
    as_instant = lambda text: berlin(text) if text else None  # noqa: E731
    assert escalations.within_deadline(as_instant(deadline), as_instant(resolved)) is within


def test_a_lead_sets_a_teams_raci_people_deadline_and_calendar(session, team, desk):
    created = teams.create_team(
        session=session,
        actor=team["lead"],
        team_in=EscalationTeamCreate(
            name="Product",
            owner_id=team["lead"].id,
            responsible_ids=[team["editor"].id, team["owner"].id],
            consulted_ids=[team["analyst"].id],
            informed_ids=[team["viewer"].id, team["admin"].id],
            deadline_minutes=960,
            calendar_id=desk["legal"].calendar_id,
        ),
    )
    assert [p.name for p in created.responsible] == ["Ed Editor", "Olga Owner"]
    assert [p.name for p in created.consulted] == ["Ana Analyst"]
    assert [p.name for p in created.informed] == ["Vera Viewer", "Ada Admin"]
    assert (created.deadline_minutes, created.calendar_name, created.owner) == (960, "Legal office hours", "Lea Lead")
    changed = teams.update_team(
        session=session,
        actor=team["lead"],
        team_id=created.id,
        expected_version=created.version,
        team_in=EscalationTeamUpdate(responsible_ids=[team["owner"].id], informed_ids=[]),
    )
    assert [p.name for p in changed.responsible] == ["Olga Owner"] and changed.informed == ()
    assert [p.name for p in changed.consulted] == ["Ana Analyst"]  # not given: kept
    actions = [row.action for row in audit.recent(session=session, entity="escalation_team_member")]
    assert actions.count("escalation_team.member_removed") == 3 and actions.count("escalation_team.member_added") == 5
    owner_only = teams.create_team(
        session=session, actor=team["lead"], team_in=EscalationTeamCreate(name="Ops", owner_id=team["support"].id)
    )
    assert [p.name for p in owner_only.responsible] == ["Sven Support"]  # the owner does the work


@pytest.mark.parametrize(
    ("minutes", "message"),
    [(0, "1 to"), (90.5, "whole number"), (60 * 24 * 31, "1 to")],
)
def test_a_teams_deadline_must_be_whole_business_minutes_in_range(session, team, minutes, message):
    with pytest.raises(ValidationError, match=message):
        teams.create_team(
            session=session,
            actor=team["lead"],
            team_in=EscalationTeamCreate(name="Ops", owner_id=team["lead"].id, deadline_minutes=minutes),
        )


def test_the_teams_list_counts_open_escalations_and_the_overdue_ones_at_a_moment(session, team, desk):
    _escalate(session, team["support"], desk["complaint"], desk["legal"], berlin("2025-03-07 15:00"))
    legal = next(t for t in teams.list_teams(session) if t.name == "Legal & Privacy")
    assert legal.open_escalations == 1
    assert legal.overdue_at(berlin("2025-03-10 14:59")) == 0
    assert legal.overdue_at(berlin("2025-03-10 15:00")) == 1
