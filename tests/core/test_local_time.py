"""Local days and months in the workspace time zone, as UTC instants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core import local_time
from core.errors import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


@pytest.mark.parametrize(
    ("day", "hours"),
    [(dt.date(2026, 3, 29), 23), (dt.date(2026, 10, 25), 25), (dt.date(2026, 6, 1), 24)],
    ids=["spring forward", "fall back", "summer"],
)
def test_a_local_day_lasts_as_long_as_the_clock_says(day, hours):
    start, end = local_time.day_bounds(day, BERLIN)
    assert (end - start) == dt.timedelta(hours=hours)
    assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0)


def test_days_bounds_cover_first_to_last_inclusive():
    start, end = local_time.days_bounds(dt.date(2026, 3, 1), dt.date(2026, 3, 31), BERLIN)
    assert start == dt.datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert end == dt.datetime(2026, 3, 31, 22, tzinfo=UTC)


def test_local_today_and_day_follow_the_zone():
    late = dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert local_time.local_today(late, BERLIN) == dt.date(2026, 11, 25)
    assert local_time.local_day(late, ZoneInfo("America/New_York")) == dt.date(2026, 11, 24)
    with pytest.raises(ValidationError, match="time zone"):
        local_time.local_day(dt.datetime(2026, 11, 24, 12), BERLIN)


def test_a_wall_time_the_clock_skips_is_refused_and_a_repeated_one_is_the_first():
    with pytest.raises(ValidationError, match="does not exist in Europe/Berlin"):
        local_time.local_instant(dt.date(2026, 3, 29), dt.time(2, 30), BERLIN)
    repeated = local_time.local_instant(dt.date(2026, 10, 25), dt.time(2, 30), BERLIN)
    assert repeated == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_months():
    assert local_time.months_between(dt.date(2025, 11, 15), dt.date(2026, 2, 1)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert local_time.next_month(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert local_time.add_months(dt.date(2026, 1, 1), -2) == dt.date(2025, 11, 1)
