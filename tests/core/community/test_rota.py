"""The on-call rota on the business calendar: who is on call, the gaps of the coming week."""

import datetime as dt
import json

import pytest

from core.community import rota
from core.errors import PermissionDenied, ValidationError
from db.models import BusinessCalendarRow, OnCallShiftCreate

UTC = dt.UTC
DAILY = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def calendar(write):
    with write() as s:
        s.add(BusinessCalendarRow(name="Community hours", definition=json.dumps(DAILY)))


def test_no_calendar_means_no_gaps_to_show(write, read, team):
    with read() as s:
        found = rota.rota(session=s, now=at(2026, 3, 25, 12))
    assert found.calendar is None and found.gaps == ()


def test_a_rota_written_in_utc_leaves_the_first_summer_mornings_open(calendar, write, read, team):
    # Shifts 07:00–21:00 UTC every day = 08:00–22:00 in Berlin only while it is winter time.
    with write() as s:
        for day in range(25, 32):
            rota.add_shift(
                session=s,
                actor=team["lead"],
                shift=OnCallShiftCreate(
                    user_id=team["community"].id, starts_at=at(2026, 3, day, 7), ends_at=at(2026, 3, day, 21)
                ),
            )
    with read() as s:
        found = rota.rota(session=s, now=at(2026, 3, 25, 0))
        on_call = rota.rota(session=s, now=at(2026, 3, 25, 12)).on_call
    assert found.calendar == "Community hours"
    # From Sunday 29 March (CEST) the local day opens at 06:00 UTC: one uncovered hour each morning.
    assert found.gaps == (
        (at(2026, 3, 29, 6), at(2026, 3, 29, 7)),
        (at(2026, 3, 30, 6), at(2026, 3, 30, 7)),
        (at(2026, 3, 31, 6), at(2026, 3, 31, 7)),
    )
    assert on_call == ("Cora Community",)


def test_shifts_are_checked(calendar, write, team):
    good = dict(user_id=team["community"].id, starts_at=at(2026, 3, 25, 7), ends_at=at(2026, 3, 25, 21))
    cases = [
        (dict(good, ends_at=at(2026, 3, 25, 6)), "ends before it starts"),
        (dict(good, ends_at=at(2026, 4, 5, 6)), "at most seven days"),
        (dict(good, user_id=team["editor"].id), "does not moderate"),
        (dict(good, starts_at=dt.datetime(2026, 3, 25, 7)), "time zone"),
    ]
    for fields, message in cases:
        with write() as s, pytest.raises(ValidationError, match=message):
            rota.add_shift(session=s, actor=team["lead"], shift=OnCallShiftCreate(**fields))
    with write() as s, pytest.raises(PermissionDenied):
        rota.add_shift(session=s, actor=team["community"], shift=OnCallShiftCreate(**good))
