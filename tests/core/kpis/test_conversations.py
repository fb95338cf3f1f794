"""The conversation KPIs on small hand-made data sets, each answer worked out in the test."""

from __future__ import annotations

import datetime as dt

import pytest

from core.sla import conversations
from db.models import EscalationTeam, Role
from tests.core.kpis.arrange import answered, berlin, compute
from tests.factories import make_conversation, make_user


def test_response_times_interpolate_median_and_p90_and_leave_out_data_problems(session, channel):
    for business, calendar in ((10, 15), (20, 25), (40, 200), (30, 100)):
        answered(session, channel, at=berlin(4, 10), business=business, calendar=calendar)
    # Left out: a reply stamped before the message, a "no reply needed" item, UGC, an open question.
    make_conversation(
        session,
        channel=channel,
        received_at=berlin(4, 11),
        kind="question",
        first_reply_at=berlin(4, 10),
        reply_before_message=True,
    )
    answered(session, channel, at=berlin(5, 10), business=999, calendar=999, status="no_reply_needed")
    answered(session, channel, at=berlin(5, 10), business=999, calendar=999, kind="ugc")
    make_conversation(session, channel=channel, received_at=berlin(5, 12), kind="complaint")

    values = compute(session)
    # Sorted business minutes 10, 20, 30, 40: median between 20 and 30; p90 at position 0.9·3 = 2.7.
    assert values["first_response_median"].value == pytest.approx(25.0)
    assert values["first_response_p90"].value == pytest.approx(30 + 0.7 * 10)
    # Calendar minutes 15, 25, 100, 200.
    assert values["first_response_median_calendar"].value == pytest.approx(62.5)
    assert values["first_response_p90_calendar"].value == pytest.approx(100 + 0.7 * 100)
    assert values["replies_before_message"].value == 1
    assert "4 answered" in values["first_response_median"].detail
    assert "1 with a reply stamped before the message left out" in values["first_response_median"].detail


def test_one_answered_conversation_is_its_own_median_and_p90(session, channel):
    answered(session, channel, at=berlin(3, 9), business=7.5, calendar=8)
    values = compute(session)
    assert values["first_response_median"].value == values["first_response_p90"].value == 7.5


def test_the_period_is_local_days_in_the_workspace_time_zone(session, channel):
    # Monday 00:30 in Berlin is Sunday 23:30 UTC: it belongs to the week starting that Monday;
    # Sunday 23:30 in Berlin (22:30 UTC) is the last moment of the week; Monday after is outside.
    answered(session, channel, at=berlin(3, 0, 30), business=10, calendar=10)
    answered(session, channel, at=berlin(9, 23, 30), business=20, calendar=20)
    answered(session, channel, at=berlin(10, 0, 0), business=500, calendar=500)
    answered(session, channel, at=berlin(2, 23, 59), business=700, calendar=700)
    values = compute(session)
    assert values["first_response_median"].value == pytest.approx(15.0)
    assert values["first_response_median"].previous == pytest.approx(700.0)


def test_sla_share_counts_met_and_breached_and_leaves_out_open_not_due_and_no_reply_needed(session, channel):
    now = berlin(6, 12)
    deadline = berlin(4, 12)

    def item(**fields):
        fields.setdefault("kind", "question")
        return make_conversation(
            session, channel=channel, received_at=berlin(4, 10), deadline_at=fields.pop("deadline", deadline), **fields
        )

    item(first_reply_at=berlin(4, 11))  # met
    item(first_reply_at=deadline)  # met: a reply at the deadline itself is within the SLA
    item(first_reply_at=berlin(4, 12, 1), kind="complaint")  # breached: late
    item()  # breached: no reply and the deadline has passed
    item(deadline=berlin(7, 9))  # open, not due yet: in neither
    item(first_reply_at=berlin(5, 9), status="no_reply_needed")  # no reply needed: in neither
    item(first_reply_at=berlin(4, 9), reply_before_message=True)  # data problem: in neither
    item(first_reply_at=berlin(4, 11), deadline=None)  # no policy applied: in neither
    item(kind="praise")  # praise needs no reply

    values = compute(session, now=now)
    assert values["sla_share"].value == pytest.approx(50.0)
    assert values["sla_share"].detail == "2 met, 2 breached"
    # Later, the open item's deadline passes without a reply: it counts as breached.
    assert compute(session, now=berlin(7, 9))["sla_share"].value == pytest.approx(40.0)


def test_a_conversation_marked_no_reply_needed_stays_out_of_the_sla_share_once_resolved(session, channel):
    # The SLA monitor's own flow: mark "no reply needed" (reason kept), then resolve it. Its status
    # is "resolved" now, but it was marked: it must not turn into a breach when its deadline passes.
    support = make_user(session, Role.support)
    deadline = berlin(4, 12)
    spam = make_conversation(session, channel=channel, received_at=berlin(4, 10), kind="question", deadline_at=deadline)
    marked = conversations.mark_no_reply_needed(
        session=session,
        actor=support,
        conversation_id=spam.id,
        expected_version=spam.version,
        reason="Spam, nothing to answer",
    )
    conversations.resolve(
        session=session, actor=support, conversation_id=spam.id, expected_version=marked.version, now=berlin(4, 11)
    )
    # One real breach beside it: the same deadline, never answered.
    make_conversation(session, channel=channel, received_at=berlin(4, 10), kind="complaint", deadline_at=deadline)
    make_conversation(
        session,
        channel=channel,
        received_at=berlin(4, 10),
        kind="question",
        deadline_at=deadline,
        first_reply_at=berlin(4, 11),
    )  # met

    value = compute(session, now=berlin(6, 12))["sla_share"]
    assert value.detail == "1 met, 1 breached"
    assert value.value == pytest.approx(50.0)


def test_closed_without_escalation_is_the_share_of_resolved_never_escalated(session, channel):
    for fields in (
        {},
        {"kind": "praise"},
        {"escalated_at": berlin(4, 12)},
        {"escalation_team_id": None, "escalated_at": None, "escalation_reason": "asked the team"},
    ):
        make_conversation(
            session, channel=channel, received_at=berlin(4, 10), status="resolved", resolved_at=berlin(4, 13), **fields
        )

    team = EscalationTeam(name="Billing")
    session.add(team)
    session.flush()
    make_conversation(
        session, channel=channel, received_at=berlin(4, 10), status="resolved", escalation_team_id=team.id
    )
    make_conversation(session, channel=channel, received_at=berlin(4, 10), status="waiting")  # not resolved
    values = compute(session)
    # Resolved: 5; escalated: the one with a time and the one with a team → 3 of 5.
    assert values["closed_without_escalation"].value == pytest.approx(60.0)
    assert values["closed_without_escalation"].detail == "3 of 5 resolved"


def test_ugc_per_week_and_the_share_marked_useful(session, channel):
    start, end = dt.date(2025, 3, 3), dt.date(2025, 3, 16)  # two weeks
    for useful in (True, True, False):
        make_conversation(session, channel=channel, received_at=berlin(10, 10), kind="ugc", useful=useful)
    make_conversation(session, channel=channel, received_at=berlin(10, 10), kind="question", useful=True)
    values = compute(session, start, end)
    assert values["ugc_per_week"].value == pytest.approx(1.5)
    assert values["ugc_useful_share"].value == pytest.approx(200 / 3)
