"""KPI periods: weeks, months and quarters, the period before, local-day bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from core import i18n
from core.errors import ValidationError
from core.kpis.overview import first_data_day
from core.kpis.periods import Period, PeriodKind, default_period, period_containing, recent_periods
from tests.core.kpis.arrange import BERLIN, UTC
from tests.factories import ensure_workspace, make_conversation


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
        ((2025, 1, 1), (2025, 1, 1), ((2024, 12, 31), (2024, 12, 31))),
        # A month running to date compares with the same number of days just before.
        ((2025, 3, 1), (2025, 3, 17), ((2025, 2, 12), (2025, 2, 28))),
    ],
)
def test_the_previous_period_is_the_same_length_just_before(start, end, previous):
    period = Period(dt.date(*start), dt.date(*end))
    assert period.previous() == Period(dt.date(*previous[0]), dt.date(*previous[1]))
    assert period.previous().days == period.days
    assert period.calendar_months == 0


@pytest.mark.parametrize(
    ("start", "end", "previous", "months"),
    [
        # A calendar month compares with the calendar month before, whatever their lengths.
        ((2025, 3, 1), (2025, 3, 31), ((2025, 2, 1), (2025, 2, 28)), 1),
        ((2024, 3, 1), (2024, 3, 31), ((2024, 2, 1), (2024, 2, 29)), 1),
        ((2025, 1, 1), (2025, 1, 31), ((2024, 12, 1), (2024, 12, 31)), 1),
        ((2025, 2, 1), (2025, 2, 28), ((2025, 1, 1), (2025, 1, 31)), 1),
        # A quarter (or any run of whole months) with as many months before.
        ((2025, 4, 1), (2025, 6, 30), ((2025, 1, 1), (2025, 3, 31)), 3),
    ],
)
def test_a_calendar_month_compares_with_the_previous_calendar_month(start, end, previous, months):
    period = Period(dt.date(*start), dt.date(*end))
    assert period.calendar_months == months
    assert period.previous() == Period(dt.date(*previous[0]), dt.date(*previous[1]))


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


@pytest.mark.parametrize(
    ("kind", "first_day", "count", "oldest_start"),
    [
        # Years of imported history: the picker reaches the month of the first conversation.
        (PeriodKind.month, dt.date(2017, 10, 31), 12 * 8 + 9, dt.date(2017, 10, 1)),
        (PeriodKind.quarter, dt.date(2020, 2, 10), 26, dt.date(2020, 1, 1)),
        # Recent data only: still the twelve latest.
        (PeriodKind.month, dt.date(2026, 5, 1), 12, dt.date(2025, 7, 1)),
    ],
)
def test_the_period_picker_reaches_back_to_the_first_day_with_data(kind, first_day, count, oldest_start):
    today = dt.date(2026, 6, 15)
    periods = recent_periods(kind, today, count=12, back_to=first_day)
    assert len(periods) == count
    assert periods[-1].start == oldest_start
    assert periods[0].end == today


def test_the_first_day_with_data_is_the_earliest_conversation_post_or_idea(session):
    ensure_workspace(session)
    assert first_data_day(session) is None
    make_conversation(session, received_at=dt.datetime(2017, 10, 31, 23, 30, tzinfo=UTC))
    make_conversation(session, received_at=dt.datetime(2025, 1, 1, 9, tzinfo=UTC))
    session.commit()
    assert first_data_day(session) == dt.date(2017, 11, 1)  # half past midnight in Berlin


@pytest.mark.parametrize(
    ("period", "english", "german"),
    [
        (period_containing("month", dt.date(2027, 3, 9)), "March 2027", "März 2027"),
        (period_containing("quarter", dt.date(2026, 11, 24)), "Q4 2026", "Q4 2026"),
        (
            period_containing("week", dt.date(2026, 11, 24)),
            "Week 48, 2026 · 23 Nov – 29 Nov",
            "KW 48, 2026 · 23. Nov. – 29. Nov.",
        ),
        (Period(dt.date(2026, 11, 3), dt.date(2026, 12, 2)), "2026-11-03 – 2026-12-02", "03.11.2026 – 02.12.2026"),
    ],
)
def test_a_period_is_named_in_the_readers_language(period, english, german):
    assert period.label == english
    with i18n.using("de"):
        assert period.label == german


def test_a_period_that_ends_before_it_starts_says_so_in_german():
    with (
        i18n.using("de"),
        pytest.raises(ValidationError, match=r"endet \(01\.03\.2026\), bevor er beginnt \(09\.03\.2026\)"),
    ):
        Period(dt.date(2026, 3, 9), dt.date(2026, 3, 1))
