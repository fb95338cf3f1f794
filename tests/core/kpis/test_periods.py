"""KPI periods: weeks, months and quarters, the period before, local-day bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import ValidationError
from core.kpis.periods import Period, PeriodKind, default_period, period_containing, recent_periods
from tests.core.kpis.arrange import BERLIN, UTC


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (PeriodKind.week, dt.date(2025, 3, 5), dt.date(2025, 3, 3), dt.date(2025, 3, 9)),
        (PeriodKind.week, dt.date(2025, 3, 9), dt.date(2025, 3, 3), dt.date(2025, 3, 9)),
        (PeriodKind.month, dt.date(2024, 2, 10), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (PeriodKind.quarter, dt.date(2025, 11, 30), dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ],
)
def test_week_month_and_quarter_contain_the_day(kind, day, start, end):
    period = period_containing(kind, day)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        ((2025, 3, 3), (2025, 3, 9), ((2025, 2, 24), (2025, 3, 2))),
        # A month's previous period has the same length (31 days), not the calendar month before.
        ((2025, 3, 1), (2025, 3, 31), ((2025, 1, 29), (2025, 2, 28))),
        ((2025, 1, 1), (2025, 1, 1), ((2024, 12, 31), (2024, 12, 31))),
    ],
)
def test_the_previous_period_is_the_same_length_just_before(start, end, previous):
    period = Period(dt.date(*start), dt.date(*end))
    assert period.previous() == Period(dt.date(*previous[0]), dt.date(*previous[1]))
    assert period.previous().days == period.days


def test_a_period_ending_before_it_starts_is_refused_with_what_to_fix():
    with pytest.raises(ValidationError, match="swap the dates"):
        Period(dt.date(2025, 3, 9), dt.date(2025, 3, 3))


def test_utc_bounds_are_local_midnights_and_follow_the_clock_change():
    # 30 March 2025: Berlin moves to summer time, the day has 23 hours.
    lo, hi = Period(dt.date(2025, 3, 30), dt.date(2025, 3, 30)).utc_bounds(BERLIN)
    assert lo == dt.datetime(2025, 3, 29, 23, tzinfo=UTC)
    assert hi == dt.datetime(2025, 3, 30, 22, tzinfo=UTC)


def test_recent_periods_end_today_and_the_default_is_the_last_complete_one():
    today = dt.date(2025, 3, 5)
    weeks = recent_periods(PeriodKind.week, today, count=3)
    assert weeks[0] == Period(dt.date(2025, 3, 3), dt.date(2025, 3, 5))  # running week, to date
    assert weeks[1] == Period(dt.date(2025, 2, 24), dt.date(2025, 3, 2))
    assert default_period(PeriodKind.month, today) == Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28))


def test_months_of_a_period_are_clipped_to_it():
    months = Period(dt.date(2025, 1, 20), dt.date(2025, 3, 2)).months()
    assert [(m.start, m.end) for m in months] == [
        (dt.date(2025, 1, 20), dt.date(2025, 1, 31)),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 2)),
    ]
