"""``core.kpis.clock.as_of``: the KPIs computed as of it are the KPIs of ``now``, at every instant
the clock moves them and between, so a screen may key its cached KPIs by it.

The day under test is Wednesday 12 March 2025 in Berlin (UTC+1), inside the month shown; office
hours 09:00–13:00 and 14:00–18:00, first reply within 120 business minutes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.kpis import clock
from core.kpis.overview import kpi_overview
from db.models import ConversationStatus, IdeaStatus
from tests.core.kpis.arrange import berlin
from tests.factories import make_conversation, make_escalation_team, make_idea, make_sla_conversation, make_sla_policy

MICRO = dt.timedelta(microseconds=1)
DAY_START = berlin(12, 0)


@pytest.fixture
def moving(session, team, channel):
    """Everything that moves a KPI with the clock on 12 March, and one thing that does not.
    Returns (instants that change a figure, instants that only may)."""
    make_sla_policy(session, minutes=120)
    unanswered = [
        make_sla_conversation(session, channel=channel, received_at=at, kind="question", author_handle=handle)
        for at, handle in (
            (berlin(11, 17), "@Night Owl"),  # due 10:00 on the 12th
            (berlin(12, 8, 15), "@Early Bird"),  # due 11:00
            (berlin(12, 12, 10), "@ann"),  # due 15:10 (lunch is not business time)
        )
    ]
    answered = make_sla_conversation(
        session,
        channel=channel,
        received_at=berlin(12, 9),
        first_reply_at=berlin(12, 12),  # past its 11:00 deadline: breached whatever the clock
        kind="complaint",
        author_handle="@Doc James",
    )
    billing = make_escalation_team(session, name="Billing", owner_id=team["support"].id)
    open_escalation = make_conversation(
        session,
        channel=channel,
        received_at=berlin(11, 9),
        first_reply_at=berlin(11, 9, 30),
        escalation_team_id=billing.id,
        escalated_at=berlin(11, 10),
        escalation_deadline_at=berlin(12, 15, 45),
        status=ConversationStatus.waiting,
    )
    resolved_escalation = make_conversation(  # resolved after its deadline: "no" whatever the clock
        session,
        channel=channel,
        received_at=berlin(11, 11),
        first_reply_at=berlin(11, 11, 5),
        escalation_team_id=billing.id,
        escalated_at=berlin(11, 12),
        escalation_deadline_at=berlin(12, 14, 10),
        resolved_at=berlin(12, 14, 20),
        status=ConversationStatus.resolved,
    )
    make_idea(
        session,
        title="Dark mode",
        status=IdeaStatus.shipped,
        created_at=berlin(1, 9, month=2),
        shipped_at=berlin(26, 16, 20, month=2),  # 14 days are over at 16:20 on the 12th
    )
    session.commit()
    deadlines = [c.deadline_at for c in unanswered]
    assert deadlines == [berlin(12, 10), berlin(12, 11), berlin(12, 15, 10)]  # the arrangement holds
    assert answered.deadline_at == berlin(12, 11)
    changing = [*deadlines, open_escalation.escalation_deadline_at, berlin(12, 16, 20)]
    return changing, [resolved_escalation.escalation_deadline_at, answered.deadline_at]


def overview(session, now):
    return kpi_overview(session, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), channel_id=None, now=now)


def test_the_kpis_as_of_the_clock_are_the_kpis_of_now_at_every_instant_that_moves_them(session, moving):
    changing, harmless = moving
    instants = sorted({DAY_START, *changing, *harmless})
    probes = sorted(
        {
            DAY_START,
            berlin(12, 23, 59, second=59, micro=999_999),
            *(at + delta for at in instants for delta in (-MICRO, dt.timedelta(0), MICRO, dt.timedelta(minutes=7))),
        }
    )
    for now in probes:
        if now < DAY_START:
            continue
        expected = max(at for at in instants if at <= now)
        assert clock.as_of(session, now=now) == expected, now
        assert overview(session, expected) == overview(session, now), now


def test_each_instant_it_names_does_move_a_figure(session, moving):
    """The other test would pass with a clock that names every minute; this one shows the
    instants matter: just before each, the KPIs differ from the KPIs at it."""
    changing, __ = moving
    for at in changing:
        assert overview(session, at - MICRO) != overview(session, at), at


def test_the_day_starts_the_clock_when_nothing_moved_yet(session, moving):
    early = berlin(12, 6, 30)
    assert clock.as_of(session, now=early) == DAY_START
    # Yesterday's deadlines and the ones to come do not count: the night owl's is at 10:00.
    assert clock.as_of(session, now=berlin(12, 9, 59)) == DAY_START


def test_a_workspace_with_nothing_due_takes_the_start_of_its_day(session, channel):
    now = dt.datetime(2025, 7, 1, 21, 30, tzinfo=dt.UTC)  # 23:30 in Berlin (summer time)
    assert clock.as_of(session, now=now) == dt.datetime(2025, 6, 30, 22, 0, tzinfo=dt.UTC)
