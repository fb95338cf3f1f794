"""The policy editor's table of intervals: a weekly schedule round-trips to a calendar definition,
and a bad row says what to fix."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from core.sla import calendars
from tests.factories import OFFICE_HOURS


def test_the_schedule_table_round_trips_to_a_calendar():
    rows = calendars.calendar_table(OFFICE_HOURS)
    assert rows[:2] == [
        {"day": "mon", "open": "09:00", "close": "13:00"},
        {"day": "mon", "open": "14:00", "close": "18:00"},
    ]
    definition = calendars.calendar_from_form(
        timezone="Europe/Berlin",
        intervals=rows + [{"day": None, "open": None, "close": None}],
        holidays_text="2025-12-24 Christmas Eve\n\n2025-12-31",
        country="de",
        subdivision="BY",
    )
    assert definition["weekly"] == OFFICE_HOURS["weekly"]
    assert definition["holidays"] == ["2025-12-24", "2025-12-31"]
    assert (definition["country"], definition["subdivision"]) == ("DE", "BY")


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"day": "", "open": "09:00", "close": "18:00"}], "no weekday"),
        ([{"day": "mon", "open": "18:00", "close": "09:00"}], "closes before it opens"),
        ([{"day": "mon", "open": "24:00", "close": "24:00"}], "24:00"),
    ],
)
def test_the_schedule_table_reports_what_to_fix(rows, message):
    with pytest.raises(ValidationError, match=message):
        calendars.calendar_from_form(timezone="Europe/Berlin", intervals=rows)
