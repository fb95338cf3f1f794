"""Times on the plan: wall times skipped or repeated by the clock change, typed-in times, the
month and week the calendar shows."""

from __future__ import annotations

import datetime as dt

import pytest

from core import local_time
from core.content_plan import timing
from core.errors import ValidationError
from tests.core.content_plan.times import BERLIN, UTC

# --- local times -----------------------------------------------------------------------------------


def test_local_instant_refuses_a_wall_time_skipped_by_the_clock_change():
    with pytest.raises(ValidationError, match="does not exist in Europe/Berlin"):
        local_time.local_instant(dt.date(2025, 3, 30), dt.time(2, 30), BERLIN)


def test_local_instant_takes_the_first_of_a_repeated_wall_time():
    assert local_time.local_instant(dt.date(2025, 10, 26), dt.time(2, 30), BERLIN) == dt.datetime(
        2025, 10, 26, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-10 23:30", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
        ("2025-03-10T23:30", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
        ("2025-07-10 23:30", dt.datetime(2025, 7, 10, 21, 30, tzinfo=UTC)),
        ("2025-03-10 23:30+01:00", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
        ("2025-03-10T22:30:00Z", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
    ],
)
def test_parse_local_datetime_reads_workspace_time_or_explicit_offsets(text, expected):
    assert timing.parse_local_datetime(text, BERLIN) == expected


@pytest.mark.parametrize("text", ["2025-03-10", "10.03.2025 12:00", "tomorrow", "2025-13-01 10:00", "2025-03-30 02:30"])
def test_parse_local_datetime_refuses_unclear_times(text):
    with pytest.raises(ValidationError):
        timing.parse_local_datetime(text, BERLIN)


def test_month_grid_runs_monday_to_sunday_around_the_month():
    assert timing.month_grid(dt.date(2025, 3, 17)) == (dt.date(2025, 2, 24), dt.date(2025, 4, 6))
    assert timing.week_of(dt.date(2025, 3, 13)) == (dt.date(2025, 3, 10), dt.date(2025, 3, 16))
