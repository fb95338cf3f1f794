"""The SLA rules of one conversation: the figures fixed when it is stored or first answered,
its status at a moment, the at-risk threshold and who needs a reply.

The week of Monday 2025-11-10 is plain CET with no German holidays; office hours are
09:00–13:00 and 14:00–18:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.sla.business_time import BusinessCalendar
from core.sla.figures import SlaStatus, at_risk_minutes, business_minutes_left, needs_reply, sla_figures, sla_status
from tests.factories import OFFICE_HOURS

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar.from_dict(OFFICE_HOURS)


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


# -- figures fixed on a conversation ----------------------------------------------------------


@pytest.mark.parametrize(
    "received, minutes, deadline, what",
    [
        ("2025-11-10 10:00", 120, "2025-11-10 12:00", "inside one morning"),
        ("2025-11-10 12:30", 120, "2025-11-10 15:30", "across the lunch break"),
        ("2025-11-14 17:00", 120, "2025-11-17 10:00", "across the weekend"),
        ("2025-11-15 11:00", 120, "2025-11-17 11:00", "received on a Saturday"),
        ("2025-11-10 16:00", 120, "2025-11-10 18:00", "deadline exactly at closing time"),
        ("2025-11-10 20:00", 30, "2025-11-11 09:30", "received at night"),
    ],
)
def test_the_deadline_is_counted_in_business_time(received, minutes, deadline, what):
    figures = sla_figures(
        received_at=berlin(received), first_reply_at=None, policy_id=1, first_response_minutes=minutes, calendar=OFFICE
    )
    assert figures.deadline_at == berlin(deadline), what
    assert figures.window_minutes == minutes
    assert figures.business_minutes_to_reply is None and not figures.reply_before_message


@pytest.mark.parametrize(
    "received, replied, business, calendar",
    [
        ("2025-11-10 10:00", "2025-11-10 11:00", 60, 60),
        ("2025-11-10 17:30", "2025-11-11 09:30", 60, 960),
        ("2025-11-10 20:00", "2025-11-11 08:30", 0, 750),  # answered before opening: 0 business minutes
        ("2025-11-14 17:45", "2025-11-17 09:15", 30, 3810),
    ],
)
def test_time_to_first_reply_is_fixed_in_business_and_calendar_minutes(received, replied, business, calendar):
    figures = sla_figures(
        received_at=berlin(received),
        first_reply_at=berlin(replied),
        policy_id=1,
        first_response_minutes=120,
        calendar=OFFICE,
    )
    assert figures.business_minutes_to_reply == pytest.approx(business)
    assert figures.calendar_minutes_to_reply == pytest.approx(calendar)


def test_a_reply_before_the_message_is_flagged_and_left_without_times():
    figures = sla_figures(
        received_at=berlin("2025-11-10 10:00"),
        first_reply_at=berlin("2025-11-10 09:55"),
        policy_id=1,
        first_response_minutes=120,
        calendar=OFFICE,
    )
    assert figures.reply_before_message
    assert figures.business_minutes_to_reply is None and figures.calendar_minutes_to_reply is None
    assert figures.deadline_at == berlin("2025-11-10 12:00")


def test_without_a_policy_there_is_no_deadline_but_calendar_time_is_kept():
    figures = sla_figures(
        received_at=berlin("2025-11-10 10:00"),
        first_reply_at=berlin("2025-11-10 10:30"),
        policy_id=None,
        first_response_minutes=None,
        calendar=None,
    )
    assert figures.deadline_at is None and figures.sla_policy_id is None
    assert figures.calendar_minutes_to_reply == 30


# -- status at a moment ---------------------------------------------------------------------------

DEADLINE = berlin("2025-11-10 12:00")
US = dt.timedelta(microseconds=1)


@pytest.mark.parametrize(
    "reply, now, left, expected",
    [
        (DEADLINE, DEADLINE + dt.timedelta(days=1), None, SlaStatus.met),  # a reply at the deadline itself is met
        (DEADLINE + US, DEADLINE + dt.timedelta(days=1), None, SlaStatus.breached),
        (None, DEADLINE, 0.0, SlaStatus.breached),  # no reply: breached once now >= deadline
        (None, DEADLINE - US, 30.0, SlaStatus.at_risk),  # exactly the threshold left: at risk
        (None, DEADLINE - dt.timedelta(hours=1), 30.01, SlaStatus.on_track),
    ],
)
def test_status_at_a_moment(reply, now, left, expected):
    status = sla_status(
        needs_reply=True,
        deadline_at=DEADLINE,
        first_reply_at=reply,
        reply_before_message=False,
        now=now,
        minutes_left=left,
        at_risk_threshold=30.0,
    )
    assert status == expected


@pytest.mark.parametrize(
    "needs, deadline, before",
    [(False, DEADLINE, False), (True, None, False), (True, DEADLINE, True)],
    ids=["nothing to answer", "no policy", "reply before the message"],
)
def test_status_is_not_applicable_outside_the_sla(needs, deadline, before):
    status = sla_status(
        needs_reply=needs, deadline_at=deadline, first_reply_at=None, reply_before_message=before, now=DEADLINE
    )
    assert status == SlaStatus.not_applicable


@pytest.mark.parametrize(
    "window, share, minimum, expected",
    [(120, 0.25, 15, 30), (60, 0.25, 15, 15), (40, 0.25, 15, 15), (480, 0.1, 15, 48), (120, 0.25, 0, 30)],
)
def test_at_risk_threshold_is_share_of_window_with_a_minimum(window, share, minimum, expected):
    assert at_risk_minutes(window, share=share, min_minutes=minimum) == expected


@pytest.mark.parametrize(
    "kind, status, expected",
    [
        ("question", "open", True),
        ("complaint", "waiting", True),
        ("question", "no_reply_needed", False),
        ("ugc", "open", False),
        ("praise", "open", False),
        ("other", "resolved", False),
    ],
)
def test_needs_a_reply(kind, status, expected):
    assert needs_reply(kind, status) is expected


def test_business_time_left_stops_outside_business_hours():
    received = berlin("2025-11-10 17:00")
    left = business_minutes_left(
        received_at=received, window_minutes=120, now=berlin("2025-11-11 08:00"), calendar=OFFICE
    )
    assert left == 60  # one business hour passed on Monday; the night does not count
    overdue = business_minutes_left(
        received_at=received, window_minutes=120, now=berlin("2025-11-11 11:00"), calendar=OFFICE
    )
    assert overdue == -60


@pytest.mark.parametrize(
    ("kind", "status", "reason", "replied", "expected"),
    [
        ("question", "open", "", False, True),
        ("complaint", "waiting", "", True, True),
        ("praise", "open", "", False, False),
        ("ugc", "open", "", False, False),
        ("question", "no_reply_needed", "Spam", False, False),
        # Marked, then resolved: the reason is kept and there is no reply, so still no reply needed.
        ("question", "resolved", "Spam", False, False),
        # A reply logged after all brings it back into the SLA.
        ("question", "resolved", "Spam", True, True),
    ],
)
def test_needs_reply_follows_the_mark_even_after_resolving(kind, status, reason, replied, expected):
    assert needs_reply(kind, status, no_reply_reason=reason, replied=replied) is expected
