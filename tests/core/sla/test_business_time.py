"""Business time for the SLA: elapsed time, deadlines and calendar validation.

Expected values in the tables are worked out by hand from the calendars below; the property
tests compare the engine against itself and against a slow reference that walks every local day.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.i18n import using
from core.sla.business_time import WEEKDAYS, BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")
UTC = UTC
H = timedelta(hours=1)
M = timedelta(minutes=1)

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
SPLIT_DAY = [["09:00", "13:00"], ["14:00", "18:00"]]

OFFICE_DICT = {"timezone": "Europe/Berlin", "weekly": {day: SPLIT_DAY for day in WORKDAYS}}
OFFICE = BusinessCalendar.from_dict(OFFICE_DICT)
OFFICE_DE = BusinessCalendar.from_dict({**OFFICE_DICT, "country": "DE"})
OFFICE_BY = BusinessCalendar.from_dict({**OFFICE_DICT, "country": "DE", "subdivision": "BY"})
OFFICE_OWN_HOLIDAY = BusinessCalendar.from_dict({**OFFICE_DICT, "holidays": ["2025-12-24"]})
# Every night 22:00–06:00, written as two intervals split at midnight.
NIGHT_DICT = {
    "timezone": "Europe/Berlin",
    "weekly": {day: [["00:00", "06:00"], ["22:00", "24:00"]] for day in WEEKDAYS},
}
NIGHT = BusinessCalendar.from_dict(NIGHT_DICT)
ALWAYS_DICT = {"timezone": "Europe/Berlin", "weekly": {day: [["00:00", "24:00"]] for day in WEEKDAYS}}
ALWAYS = BusinessCalendar.from_dict(ALWAYS_DICT)
# Bounds inside the Berlin clock changes (02:00–03:00 is skipped in spring, repeated in autumn).
EARLY_DICT = {"timezone": "Europe/Berlin", "weekly": {day: [["02:30", "05:00"]] for day in WEEKDAYS}}
EARLY = BusinessCalendar.from_dict(EARLY_DICT)
SMALL_HOURS_DICT = {"timezone": "Europe/Berlin", "weekly": {day: [["00:00", "02:30"]] for day in WEEKDAYS}}
SMALL_HOURS = BusinessCalendar.from_dict(SMALL_HOURS_DICT)


def berlin(text: str) -> datetime:
    """A Berlin wall time, e.g. ``berlin("2025-11-10 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- elapsed ----------------------------------------------------------------------------------
# The week of Monday 2025-11-10 is plain CET (UTC+1) with no German holidays.

ELAPSED_CASES = [
    # (calendar, start, end, expected, what it protects)
    (OFFICE, berlin("2025-11-10 10:00"), berlin("2025-11-10 11:30"), 90 * M, "same morning"),
    (OFFICE, berlin("2025-11-10 12:30"), berlin("2025-11-10 14:30"), 1 * H, "across the lunch break"),
    (OFFICE, berlin("2025-11-10 13:15"), berlin("2025-11-10 15:00"), 1 * H, "start in the lunch break"),
    (OFFICE, berlin("2025-11-10 13:10"), berlin("2025-11-10 13:50"), timedelta(0), "inside the lunch break"),
    (OFFICE, berlin("2025-11-10 07:00"), berlin("2025-11-10 09:45"), 45 * M, "start before opening"),
    (OFFICE, berlin("2025-11-10 17:00"), berlin("2025-11-10 20:00"), 1 * H, "end after closing"),
    (OFFICE, berlin("2025-11-10 17:00"), berlin("2025-11-11 10:00"), 2 * H, "across a night"),
    (OFFICE, berlin("2025-11-14 16:00"), berlin("2025-11-17 10:00"), 3 * H, "across a weekend"),
    (OFFICE, berlin("2025-11-15 10:00"), berlin("2025-11-16 20:00"), timedelta(0), "inside a weekend"),
    (OFFICE, berlin("2025-11-15 12:00"), berlin("2025-11-17 09:30"), 30 * M, "start on a weekend"),
    (OFFICE, berlin("2025-11-10 18:00"), berlin("2025-11-11 09:00"), timedelta(0), "closing to opening"),
    (OFFICE, berlin("2025-11-10 09:00"), berlin("2025-11-10 18:00"), 8 * H, "opening to closing"),
    (OFFICE, berlin("2025-11-10 09:00"), berlin("2025-11-17 09:00"), 40 * H, "one whole week"),
    (OFFICE, berlin("2025-11-12 15:00"), berlin("2025-11-26 11:00"), 77 * H, "two weeks and a bit"),
    (OFFICE, utc("2025-11-10 08:00"), utc("2025-11-10 09:00"), 1 * H, "UTC input"),
    (
        OFFICE,
        berlin("2025-11-10 10:00:00.000001"),
        berlin("2025-11-10 10:00:01"),
        timedelta(microseconds=999_999),
        "microseconds",
    ),
    # 2024 has 262 weekdays, 2025 has 261; 523 × 8 h.
    (OFFICE, berlin("2024-01-01 00:00"), berlin("2026-01-01 00:00"), 4184 * H, "two years"),
    # Holidays: 25 and 26 December 2025 are German public holidays (Thursday, Friday).
    (OFFICE_DE, berlin("2025-12-24 17:00"), berlin("2025-12-29 10:00"), 2 * H, "over Christmas, DE"),
    (OFFICE, berlin("2025-12-24 17:00"), berlin("2025-12-29 10:00"), 18 * H, "same span, no holidays"),
    (OFFICE_DE, berlin("2025-12-25 10:00"), berlin("2025-12-26 17:00"), timedelta(0), "inside holidays"),
    (OFFICE_DE, berlin("2025-12-31 17:00"), berlin("2026-01-02 09:30"), 90 * M, "New Year's Day"),
    (OFFICE_OWN_HOLIDAY, berlin("2025-12-23 17:00"), berlin("2025-12-24 17:00"), 1 * H, "own holiday"),
    (OFFICE_OWN_HOLIDAY, berlin("2025-12-23 17:00"), berlin("2025-12-25 10:00"), 2 * H, "after own holiday"),
    # 6 January (Epiphany) and 19 June 2025 (Corpus Christi) are holidays in Bavaria only.
    (OFFICE_DE, berlin("2025-01-03 17:00"), berlin("2025-01-07 09:00"), 9 * H, "Epiphany, DE"),
    (OFFICE_BY, berlin("2025-01-03 17:00"), berlin("2025-01-07 09:00"), 1 * H, "Epiphany, DE-BY"),
    (OFFICE_DE, berlin("2025-06-18 17:00"), berlin("2025-06-20 10:00"), 10 * H, "Corpus Christi, DE"),
    (OFFICE_BY, berlin("2025-06-18 17:00"), berlin("2025-06-20 10:00"), 2 * H, "Corpus Christi, DE-BY"),
    # 2025: 261 weekdays, 9 national holidays on weekdays, 2 more in Bavaria.
    (OFFICE_DE, berlin("2025-01-01 00:00"), berlin("2026-01-01 00:00"), 2016 * H, "year 2025, DE"),
    (OFFICE_BY, berlin("2025-01-01 00:00"), berlin("2026-01-01 00:00"), 2000 * H, "year 2025, DE-BY"),
    # Overnight shifts chain across midnight.
    (NIGHT, berlin("2025-11-10 23:00"), berlin("2025-11-11 01:00"), 2 * H, "night shift over midnight"),
    (NIGHT, berlin("2025-11-10 21:00"), berlin("2025-11-11 07:00"), 8 * H, "whole night shift"),
    (NIGHT, berlin("2025-11-11 05:00"), berlin("2025-11-11 23:00"), 2 * H, "end and start of two nights"),
    (NIGHT, berlin("2025-10-25 22:00"), berlin("2025-10-26 06:00"), 9 * H, "autumn night counts 9 h"),
    (NIGHT, berlin("2025-03-29 22:00"), berlin("2025-03-30 06:00"), 7 * H, "spring night counts 7 h"),
    # Clock changes in Europe/Berlin: 2025-03-30 has 23 hours, 2025-10-26 has 25.
    (ALWAYS, berlin("2025-03-30 00:00"), berlin("2025-03-31 00:00"), 23 * H, "spring day, always open"),
    (ALWAYS, berlin("2025-10-26 00:00"), berlin("2025-10-27 00:00"), 25 * H, "autumn day, always open"),
    (ALWAYS, berlin("2025-03-29 12:00"), berlin("2025-03-30 12:00"), 23 * H, "noon to noon over spring"),
    (ALWAYS, berlin("2025-01-01 00:00"), berlin("2026-01-01 00:00"), 8760 * H, "whole year, always open"),
    # A 02:30 bound in the spring gap moves forward to 03:00 CEST; in autumn 02:30 is the first one.
    (EARLY, berlin("2025-03-29 00:00"), berlin("2025-03-29 12:00"), 150 * M, "02:30–05:00 plain day"),
    (EARLY, berlin("2025-03-30 00:00"), berlin("2025-03-30 12:00"), 2 * H, "02:30–05:00 spring day"),
    (EARLY, berlin("2025-10-26 00:00"), berlin("2025-10-26 12:00"), 210 * M, "02:30–05:00 autumn day"),
    (SMALL_HOURS, berlin("2025-03-30 00:00"), berlin("2025-03-30 12:00"), 2 * H, "00:00–02:30 spring"),
    (SMALL_HOURS, berlin("2025-10-26 00:00"), berlin("2025-10-26 12:00"), 150 * M, "00:00–02:30 autumn"),
]


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [case[:4] for case in ELAPSED_CASES],
    ids=[case[4] for case in ELAPSED_CASES],
)
def test_elapsed_counts_business_time_only(calendar, start, end, expected):
    assert calendar.elapsed(start, end) == expected


@pytest.mark.parametrize(
    "instant",
    [
        berlin("2025-11-10 10:00"),
        berlin("2025-11-10 13:30"),
        berlin("2025-11-15 12:00"),
        berlin("2025-11-10 18:00"),
    ],
    ids=["open", "lunch", "weekend", "closing time"],
)
def test_elapsed_of_an_empty_span_is_zero(instant):
    assert OFFICE.elapsed(instant, instant) == timedelta(0)


# -- deadline ---------------------------------------------------------------------------------

DEADLINE_CASES = [
    # (calendar, start, duration, expected, what it protects)
    (OFFICE, berlin("2025-11-10 10:00"), 2 * H, berlin("2025-11-10 12:00"), "same morning"),
    (OFFICE, berlin("2025-11-10 12:00"), 1 * H, berlin("2025-11-10 13:00"), "on the lunch closing"),
    (OFFICE, berlin("2025-11-10 12:00"), 2 * H, berlin("2025-11-10 15:00"), "over the lunch break"),
    (OFFICE, berlin("2025-11-10 17:00"), 1 * H, berlin("2025-11-10 18:00"), "on the evening closing"),
    (OFFICE, berlin("2025-11-10 17:00"), 2 * H, berlin("2025-11-11 10:00"), "over a night"),
    (OFFICE, berlin("2025-11-14 17:00"), 2 * H, berlin("2025-11-17 10:00"), "over a weekend"),
    (OFFICE, berlin("2025-11-15 12:00"), 30 * M, berlin("2025-11-17 09:30"), "start on a weekend"),
    (OFFICE, berlin("2025-11-10 07:00"), 8 * H, berlin("2025-11-10 18:00"), "start before opening"),
    (OFFICE, berlin("2025-11-10 18:00"), 1 * M, berlin("2025-11-11 09:01"), "start at closing time"),
    (OFFICE, berlin("2025-11-10 09:00"), 40 * H, berlin("2025-11-14 18:00"), "one week, on Friday closing"),
    (OFFICE, berlin("2025-11-10 09:00"), 41 * H, berlin("2025-11-17 10:00"), "one week and an hour"),
    (OFFICE, berlin("2025-11-10 09:00"), 400 * H, berlin("2026-01-16 18:00"), "ten weeks"),
    (OFFICE_DE, berlin("2025-12-24 17:00"), 2 * H, berlin("2025-12-29 10:00"), "over Christmas, DE"),
    (OFFICE_OWN_HOLIDAY, berlin("2025-12-23 17:00"), 2 * H, berlin("2025-12-25 10:00"), "own holiday"),
    (OFFICE_BY, berlin("2025-01-03 17:00"), 2 * H, berlin("2025-01-07 10:00"), "Epiphany, DE-BY"),
    # 25 business days from 1 December 2025: 22 left in the year after the holidays, then 5–7 Jan.
    (OFFICE_DE, berlin("2025-12-01 09:00"), 200 * H, berlin("2026-01-07 18:00"), "25 days over the new year"),
    (OFFICE_DE, berlin("2025-01-01 00:00"), 2016 * H, berlin("2025-12-31 18:00"), "a whole year, DE"),
    (NIGHT, berlin("2025-11-10 23:00"), 1 * H, berlin("2025-11-11 00:00"), "on midnight, shifts chain"),
    (NIGHT, berlin("2025-11-10 23:00"), 2 * H, berlin("2025-11-11 01:00"), "past midnight"),
    (NIGHT, berlin("2025-11-10 22:00"), 8 * H, berlin("2025-11-11 06:00"), "on the morning closing"),
    (NIGHT, berlin("2025-10-25 22:00"), 8 * H, berlin("2025-10-26 05:00"), "autumn night"),
    (ALWAYS, berlin("2025-10-26 00:00"), 24 * H, berlin("2025-10-26 23:00"), "24 h on the 25-hour day"),
    (ALWAYS, berlin("2025-03-30 00:00"), 23 * H, berlin("2025-03-31 00:00"), "23 h fill the spring day"),
    (EARLY, berlin("2025-03-30 00:00"), 1 * H, utc("2025-03-30 02:00"), "spring gap opening is 03:00"),
    (EARLY, berlin("2025-10-26 00:00"), 1 * H, utc("2025-10-26 01:30"), "autumn opening at first 02:30"),
]


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"),
    [case[:4] for case in DEADLINE_CASES],
    ids=[case[4] for case in DEADLINE_CASES],
)
def test_deadline_is_the_earliest_instant_reaching_the_duration(calendar, start, duration, expected):
    due = calendar.deadline(start, duration)
    assert due == expected
    assert due.tzinfo is UTC


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"),
    [case[:4] for case in DEADLINE_CASES],
    ids=[case[4] for case in DEADLINE_CASES],
)
def test_a_reply_exactly_at_the_deadline_is_within_the_sla(calendar, start, duration, expected):
    assert calendar.elapsed(start, expected) == duration
    assert calendar.elapsed(start, expected - timedelta(microseconds=1)) < duration


# -- is_open and next_opening -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "instant", "is_open", "next_opening"),
    [
        (OFFICE, berlin("2025-11-10 09:00"), True, berlin("2025-11-10 09:00")),
        (OFFICE, berlin("2025-11-10 12:59"), True, berlin("2025-11-10 12:59")),
        (OFFICE, berlin("2025-11-10 13:00"), False, berlin("2025-11-10 14:00")),
        (OFFICE, berlin("2025-11-10 18:00"), False, berlin("2025-11-11 09:00")),
        (OFFICE, berlin("2025-11-14 18:30"), False, berlin("2025-11-17 09:00")),
        (OFFICE_DE, berlin("2025-12-24 18:00"), False, berlin("2025-12-29 09:00")),
        (NIGHT, berlin("2025-11-11 00:00"), True, berlin("2025-11-11 00:00")),
        (NIGHT, berlin("2025-11-11 06:00"), False, berlin("2025-11-11 22:00")),
        (EARLY, utc("2025-03-30 00:45"), False, utc("2025-03-30 01:00")),
        (EARLY, utc("2025-03-30 01:15"), True, utc("2025-03-30 01:15")),
    ],
)
def test_is_open_and_next_opening(calendar, instant, is_open, next_opening):
    assert calendar.is_open(instant) is is_open
    assert calendar.next_opening(instant) == next_opening


# -- the calendar as a value ------------------------------------------------------------------


def test_to_dict_round_trips():
    data = {
        "timezone": "Europe/Berlin",
        "weekly": {
            "mon": [["09:00", "13:00"], ["14:00", "18:00"]],
            "tue": [["09:00", "18:00"]],
            "wed": [],
            "thu": [["00:00", "06:00"], ["22:00", "24:00"]],
            "fri": [["09:00", "12:00"]],
            "sat": [],
            "sun": [],
        },
        "holidays": ["2025-12-24", "2025-12-31"],
        "country": "DE",
        "subdivision": "BY",
    }
    calendar = BusinessCalendar.from_dict(data)
    assert calendar.to_dict() == data
    assert BusinessCalendar.from_dict(calendar.to_dict()) == calendar


def test_missing_weekdays_are_closed_and_intervals_are_sorted():
    calendar = BusinessCalendar.from_dict(
        {"timezone": "UTC", "weekly": {"tue": [["14:00", "18:00"], ["09:00", "13:00"]]}}
    )
    weekly = calendar.to_dict()["weekly"]
    assert weekly["tue"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert [weekly[day] for day in WEEKDAYS if day != "tue"] == [[]] * 6
    assert calendar.to_dict()["country"] is None


def test_equal_calendars_are_equal_hashable_and_frozen():
    again = BusinessCalendar.from_dict({**OFFICE_DICT, "country": "DE"})
    assert again == OFFICE_DE
    assert hash(again) == hash(OFFICE_DE)
    assert {OFFICE_DE: "cached"}[again] == "cached"
    assert again != OFFICE
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.timezone = "UTC"  # type: ignore[misc]


# -- refusals ---------------------------------------------------------------------------------

INVALID_CALENDARS = [
    ({**OFFICE_DICT, "weekly": {"mon": [["8:0", "18:00"]]}}, "'8:0' on Monday is not a valid time"),
    ({**OFFICE_DICT, "weekly": {"mon": [["9:00", "18:00"]]}}, "'9:00' on Monday is not a valid time"),
    ({**OFFICE_DICT, "weekly": {"mon": [["09:00", "24:10"]]}}, "'24:10' on Monday is not a valid time"),
    ({**OFFICE_DICT, "weekly": {"mon": [["09:00", "25:00"]]}}, "'25:00' on Monday is not a valid time"),
    ({**OFFICE_DICT, "weekly": {"mon": [["09:60", "18:00"]]}}, "'09:60' on Monday is not a valid time"),
    ({**OFFICE_DICT, "weekly": {"mon": [[9, 18]]}}, "'9' on Monday is not a valid time"),
    ({**OFFICE_DICT, "weekly": {"mon": [["18:00", "09:00"]]}}, "closes before it opens"),
    ({**OFFICE_DICT, "weekly": {"mon": [["09:00", "09:00"]]}}, "closes before it opens"),
    ({**OFFICE_DICT, "weekly": {"mon": [["22:00", "06:00"]]}}, "two intervals split at midnight"),
    ({**OFFICE_DICT, "weekly": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "overlap"),
    ({**OFFICE_DICT, "weekly": {"mon": [["09:00", "18:00"], ["10:00", "11:00"]]}}, "overlap"),
    ({**OFFICE_DICT, "weekly": {"mon": [["24:00", "24:00"]]}}, "24:00 on Monday can only be a closing time"),
    ({**OFFICE_DICT, "weekly": {"mon": [["09:00"]]}}, "must be \\[open, close\\] pairs"),
    ({**OFFICE_DICT, "weekly": {"mon": "09:00-18:00"}}, "must be a list of \\[open, close\\] pairs"),
    ({**OFFICE_DICT, "weekly": {"monday": SPLIT_DAY}}, "Unknown weekday monday"),
    ({**OFFICE_DICT, "weekly": {"Mon": SPLIT_DAY}}, "Unknown weekday Mon"),
    ({**OFFICE_DICT, "weekly": {}}, "no open hours"),
    ({**OFFICE_DICT, "weekly": {day: [] for day in WEEKDAYS}}, "no open hours"),
    ({**OFFICE_DICT, "weekly": [["09:00", "18:00"]]}, "must map weekdays"),
    ({**OFFICE_DICT, "timezone": "Mars/Olympus_Mons"}, "Unknown time zone 'Mars/Olympus_Mons'"),
    ({**OFFICE_DICT, "timezone": "CEST+2"}, "Unknown time zone"),
    ({**OFFICE_DICT, "timezone": "../etc/passwd"}, "Unknown time zone"),
    ({**OFFICE_DICT, "timezone": "Europe"}, "Unknown time zone 'Europe'"),
    ({**OFFICE_DICT, "timezone": ""}, "IANA name"),
    ({"weekly": OFFICE_DICT["weekly"]}, "needs a time zone"),
    ({"timezone": "Europe/Berlin"}, "needs a weekly schedule"),
    ({**OFFICE_DICT, "holidays": ["2025-13-01"]}, "Holiday '2025-13-01' is not a valid date"),
    ({**OFFICE_DICT, "holidays": ["2025-02-30"]}, "Holiday '2025-02-30' is not a valid date"),
    ({**OFFICE_DICT, "holidays": ["25.12.2025"]}, "Holiday '25.12.2025' is not a valid date"),
    ({**OFFICE_DICT, "holidays": ["20251225"]}, "Holiday '20251225' is not a valid date"),
    ({**OFFICE_DICT, "holidays": [20251225]}, "Holiday '20251225' is not a valid date"),
    ({**OFFICE_DICT, "holidays": "2025-12-25"}, "list of dates"),
    ({**OFFICE_DICT, "country": "XX"}, "No public holidays are known for country 'XX'"),
    ({**OFFICE_DICT, "country": "DE", "subdivision": "ZZ"}, "Country 'DE' has no subdivision 'ZZ'"),
    ({**OFFICE_DICT, "subdivision": "BY"}, "subdivision needs a country"),
    ({**OFFICE_DICT, "holiday": ["2025-12-25"]}, "Unknown calendar setting holiday"),
    (["Europe/Berlin"], "must be a mapping"),
]


@pytest.mark.parametrize(("data", "message"), INVALID_CALENDARS, ids=[message for _, message in INVALID_CALENDARS])
def test_invalid_calendars_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError, match=message):
        BusinessCalendar.from_dict(data)


def test_validation_error_is_a_value_error():
    with pytest.raises(ValueError):
        BusinessCalendar.from_dict({**OFFICE_DICT, "timezone": "Nowhere/Town"})


def test_country_code_is_normalised_to_upper_case():
    assert BusinessCalendar.from_dict({**OFFICE_DICT, "country": "de"}) == OFFICE_DE


NAIVE = datetime(2025, 11, 10, 10, 0)
AWARE = berlin("2025-11-10 10:00")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: OFFICE.elapsed(NAIVE, AWARE), "has no time zone"),
        (lambda: OFFICE.elapsed(AWARE, NAIVE + H), "has no time zone"),
        (lambda: OFFICE.deadline(NAIVE, H), "has no time zone"),
        (lambda: OFFICE.is_open(NAIVE), "has no time zone"),
        (lambda: OFFICE.next_opening(NAIVE), "has no time zone"),
        (lambda: OFFICE.elapsed(AWARE, AWARE - M), "is before the start"),
        (lambda: OFFICE.elapsed(AWARE, AWARE - timedelta(microseconds=1)), "is before the start"),
        (lambda: OFFICE.deadline(AWARE, timedelta(0)), "must be positive"),
        (lambda: OFFICE.deadline(AWARE, -H), "must be positive"),
        (lambda: OFFICE.deadline(AWARE, 2), "must be a timedelta"),
        (lambda: OFFICE.elapsed(date(2025, 11, 10), AWARE), "must be a date and time"),
        (lambda: OFFICE.elapsed("2025-11-10T10:00Z", AWARE), "must be a date and time"),
        (lambda: OFFICE.deadline(AWARE, timedelta(days=999_999_999)), "beyond the supported range"),
    ],
    ids=[
        "naive start",
        "naive end",
        "naive deadline start",
        "naive is_open",
        "naive next_opening",
        "end before start",
        "end a microsecond before start",
        "zero duration",
        "negative duration",
        "duration not a timedelta",
        "a date, not a datetime",
        "a string",
        "deadline past year 9999",
    ],
)
def test_invalid_questions_are_refused(call, message):
    with pytest.raises(ValidationError, match=message):
        call()


# -- long spans stay cheap --------------------------------------------------------------------


def test_decades_are_summed_by_weeks_not_walked_day_by_day():
    calendar = BusinessCalendar.from_dict({**OFFICE_DICT, "country": "DE"})
    start = berlin("2000-01-03 09:00")
    end = berlin("2049-12-31 18:00")
    total = calendar.elapsed(start, end)
    assert calendar.deadline(start, total) == end
    # 50 years hold about 18,000 days; only the irregular ones (holidays, clock changes) and the
    # two ends were ever turned into day records.
    assert len(calendar._engine.days) < 50 * 20
    assert total == reference_elapsed(dict(OFFICE_DICT, country="DE"), start, end)


# -- properties and the reference implementation ----------------------------------------------


def reference_bound(zone: ZoneInfo, day: date, minutes: int) -> datetime:
    """The first UTC instant at which the local clock shows ``day`` + ``minutes`` or later."""
    wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    shown = [
        candidate.astimezone(UTC)
        for candidate in (wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1))
        if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
    ]
    if shown:
        return min(shown)
    # A gap: step forward from a minute before it until the clock has jumped past the wall time.
    moment = wall.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(second=0, microsecond=0)
    while moment.astimezone(zone).replace(tzinfo=None) < wall:
        moment += timedelta(seconds=1)
    return moment


def reference_intervals(data: dict, first: date, last: date):
    """Every open interval of the local days ``first`` .. ``last`` in UTC, in order."""
    zone = ZoneInfo(data["timezone"])
    own = {date.fromisoformat(text) for text in data.get("holidays", [])}
    public = holidays.country_holidays(data["country"], subdiv=data.get("subdivision")) if data.get("country") else {}
    day = first
    while day <= last:
        if day not in own and day not in public:
            for opening, closing in data["weekly"].get(WEEKDAYS[day.weekday()], []):
                o = reference_bound(zone, day, _minutes(opening))
                c = reference_bound(zone, day, _minutes(closing))
                if c > o:
                    yield o, c
        day += timedelta(days=1)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def reference_elapsed(data: dict, start: datetime, end: datetime) -> timedelta:
    zone = ZoneInfo(data["timezone"])
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    total = timedelta(0)
    for o, c in reference_intervals(data, first, last):
        total += max(timedelta(0), min(c, end) - max(o, start))
    return total


def reference_deadline(data: dict, start: datetime, duration: timedelta) -> datetime:
    zone = ZoneInfo(data["timezone"])
    day = start.astimezone(zone).date() - timedelta(days=1)
    while True:
        for o, c in reference_intervals(data, day, day):
            available = c - max(o, start)
            if available <= timedelta(0):
                continue
            if duration <= available:
                return max(o, start) + duration
            duration -= available
        day += timedelta(days=1)


PROPERTY_CALENDARS = {
    "office DE": dict(OFFICE_DICT, country="DE"),
    "office BY with own dates": dict(
        OFFICE_DICT, country="DE", subdivision="BY", holidays=["2025-12-24", "2026-07-01"]
    ),
    "nights": NIGHT_DICT,
    "always open": ALWAYS_DICT,
    "bounds in the clock changes": {
        "timezone": "Europe/Berlin",
        "weekly": {
            "sat": [["01:00", "02:30"]],
            "sun": [["02:15", "02:45"], ["03:00", "24:00"]],
            "mon": [["00:00", "09:00"]],
        },
    },
    "New York with US holidays": {
        "timezone": "America/New_York",
        "weekly": {day: [["08:00", "12:00"], ["12:30", "17:30"]] for day in WORKDAYS},
        "country": "US",
    },
    "Lord Howe half-hour DST": {
        "timezone": "Australia/Lord_Howe",
        "weekly": {
            "sun": [["00:00", "03:00"]],
            "mon": [["01:45", "02:15"], ["09:00", "17:00"]],
            "sat": [["10:00", "14:00"]],
        },
    },
    "Santiago, clock changes at midnight": {
        "timezone": "America/Santiago",
        "weekly": {day: [["00:00", "01:00"], ["23:00", "24:00"]] for day in WEEKDAYS} | {"wed": [["09:00", "18:00"]]},
        "country": "CL",
    },
    "Kolkata, no DST": {
        "timezone": "Asia/Kolkata",
        "weekly": {
            "mon": [["10:00", "19:00"]],
            "thu": [["10:00", "19:00"]],
            "sat": [["10:00", "13:30"]],
        },
        "country": "IN",
    },
}
CALENDARS = {name: BusinessCalendar.from_dict(data) for name, data in PROPERTY_CALENDARS.items()}

calendar_names = st.sampled_from(sorted(PROPERTY_CALENDARS))
# Clock changes in the zones above, and Christmas: random instants rarely land near them.
INTERESTING_DAYS = [
    utc(text)
    for text in (
        "2025-03-30 00:00",
        "2025-10-26 00:00",
        "2025-03-09 06:00",
        "2025-11-02 06:00",
        "2025-04-05 14:00",
        "2025-10-04 15:00",
        "2025-04-06 03:00",
        "2025-09-07 04:00",
        "2025-12-25 00:00",
    )
]
instants = st.one_of(
    st.integers(
        min_value=int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()),
        max_value=int(datetime(2027, 1, 1, tzinfo=UTC).timestamp()),
    ).map(lambda seconds: datetime.fromtimestamp(seconds, UTC)),
    st.builds(
        lambda day, seconds: day + timedelta(seconds=seconds),
        st.sampled_from(INTERESTING_DAYS),
        st.integers(min_value=-2 * 86_400, max_value=2 * 86_400),
    ),
)
durations = st.integers(min_value=1, max_value=3000 * 60).map(lambda minutes: timedelta(minutes=minutes))
offsets = st.integers(min_value=0, max_value=100 * 86_400).map(lambda seconds: timedelta(seconds=seconds))
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(name=calendar_names, start=instants, duration=durations)
def test_elapsed_until_the_deadline_is_the_duration(name, start, duration):
    calendar = CALENDARS[name]
    due = calendar.deadline(start, duration)
    assert calendar.elapsed(start, due) == duration
    assert calendar.elapsed(start, due - timedelta(microseconds=1)) < duration


@PROPERTY_SETTINGS
@given(name=calendar_names, start=instants, first=offsets, second=offsets)
def test_elapsed_adds_up_over_a_split_point(name, start, first, second):
    calendar = CALENDARS[name]
    middle = start + first
    end = middle + second
    assert calendar.elapsed(start, end) == calendar.elapsed(start, middle) + calendar.elapsed(middle, end)


@PROPERTY_SETTINGS
@given(name=calendar_names, start=instants, length=offsets)
def test_elapsed_never_exceeds_wall_time(name, start, length):
    assert timedelta(0) <= CALENDARS[name].elapsed(start, start + length) <= length


@PROPERTY_SETTINGS
@given(name=calendar_names, start=instants, shorter=durations, extra=durations)
def test_deadline_grows_with_the_duration(name, start, shorter, extra):
    calendar = CALENDARS[name]
    assert calendar.deadline(start, shorter) < calendar.deadline(start, shorter + extra)


@PROPERTY_SETTINGS
@given(name=calendar_names, start=instants, length=offsets)
def test_elapsed_matches_the_day_by_day_reference(name, start, length):
    end = start + length
    assert CALENDARS[name].elapsed(start, end) == reference_elapsed(PROPERTY_CALENDARS[name], start, end)


@PROPERTY_SETTINGS
@given(name=calendar_names, start=instants, duration=durations)
def test_deadline_matches_the_day_by_day_reference(name, start, duration):
    expected = reference_deadline(PROPERTY_CALENDARS[name], start, duration)
    assert CALENDARS[name].deadline(start, duration) == expected


@PROPERTY_SETTINGS
@given(name=calendar_names, start=instants, duration=durations, length=offsets)
def test_deadline_and_elapsed_together_match_each_asked_alone(name, start, duration, length):
    calendar = CALENDARS[name]
    end = start + length
    assert calendar.deadline_and_elapsed(start, duration, end) == (
        calendar.deadline(start, duration),
        calendar.elapsed(start, end),
    )
    assert calendar.deadline_and_elapsed(start, duration, None) == (calendar.deadline(start, duration), None)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-03-28 23:00", "2025-03-29 00:00"),  # a reply at the next local midnight
        ("2025-03-29 22:59", "2025-03-29 23:00"),  # the spring night, on UTC's side of midnight
        ("2025-10-25 21:59", "2025-10-26 03:00"),  # across the autumn clock change
        ("2025-06-02 10:00", "2025-06-02 10:00"),  # no time at all
    ],
)
def test_deadline_and_elapsed_at_day_edges(start, end):
    for calendar in CALENDARS.values():
        together = calendar.deadline_and_elapsed(utc(start), H, utc(end))
        assert together == (calendar.deadline(utc(start), H), calendar.elapsed(utc(start), utc(end)))


def test_deadline_and_elapsed_refuse_an_end_before_the_start():
    with pytest.raises(ValidationError, match="before the start"):
        OFFICE.deadline_and_elapsed(utc("2025-06-02 10:00"), H, utc("2025-06-02 09:00"))


@PROPERTY_SETTINGS
@given(name=calendar_names, instant=instants)
def test_next_opening_is_open_and_nothing_before_it_is(name, instant):
    calendar = CALENDARS[name]
    opening = calendar.next_opening(instant)
    assert opening >= instant
    assert calendar.is_open(opening)
    assert calendar.elapsed(instant, opening) == timedelta(0)


def test_a_refused_calendar_names_the_weekday_in_the_readers_language():
    data = {**OFFICE_DICT, "weekly": {"tue": [["09:00", "13:00"], ["12:00", "18:00"]]}}
    with using("de"), pytest.raises(ValidationError) as refused:
        BusinessCalendar.from_dict(data)
    assert str(refused.value) == "Am Dienstag überschneiden sich die Zeiträume 09:00–13:00 und 12:00–18:00."
    with pytest.raises(ValidationError, match="On Tuesday the intervals 09:00–13:00 and 12:00–18:00 overlap"):
        BusinessCalendar.from_dict(data)
