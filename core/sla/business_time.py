"""Business time for the SLA: calendars, elapsed business time and deadlines.

This module owns the business calendar (a time zone, a weekly schedule of local ``[open, close)``
intervals and closed holiday dates) and the two questions the SLA asks of it: how much business
time lies between two instants (:meth:`BusinessCalendar.elapsed`) and when a given amount of
business time will have passed (:meth:`BusinessCalendar.deadline`). It is pure: plain values in,
plain values out, no database and no user interface.

Rules (see the product spec, "Business time for the SLA"):

* Instants are timezone-aware; naive datetimes are refused. Results are in UTC.
* Business time is real elapsed time (UTC arithmetic) inside the local open intervals, so a fully
  open 25-hour autumn day counts 25 hours and the spring day 23 hours.
* An interval bound is crossed at the first instant the local clock shows that wall time or a
  later one. For an ambiguous wall time (autumn, the hour shown twice) that is its first
  occurrence, i.e. ``fold=0``; a wall time that does not exist (the spring gap) moves forward to
  the end of the gap, e.g. a 02:30 bound on 2025-03-30 in Europe/Berlin means 03:00 CEST.
  Touching intervals (an overnight shift split at midnight) therefore always chain seamlessly.
* Holidays are whole local dates, closed all day: own dates plus, when ``country`` is set, that
  country's (and subdivision's) public holidays from the ``holidays`` package.
* Closing time itself is outside business hours; a deadline may fall exactly on a closing time.

Speed: nothing steps minute by minute; ``core.sla.business_time_engine`` sums whole days, weeks
and years arithmetically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import formats
from core.errors import ValidationError
from core.i18n import _, ngettext
from core.sla.business_time_engine import MINUTES_PER_DAY, Engine, Interval, _instant, _require_instant

__all__ = ["WEEKDAYS", "BusinessCalendar"]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TIME_PATTERN = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DICT_KEYS = ("timezone", "weekly", "holidays", "country", "subdivision")


@dataclass(frozen=True)
class BusinessCalendar:
    """An immutable business calendar; equal calendars compare and hash equal.

    Build one with :meth:`from_dict`; ``weekly`` holds seven tuples (Monday first) of local
    ``(open, close)`` minute intervals, sorted and non-overlapping.
    """

    timezone: str
    weekly: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()
    country: str | None = None
    subdivision: str | None = None
    _engine: Engine = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        zone = _zone(self.timezone)
        weekly = _check_weekly(self.weekly)
        holiday_dates = frozenset(_check_holiday(value) for value in self.holidays)
        country, subdivision = _check_country(self.country, self.subdivision)
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "holidays", holiday_dates)
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "subdivision", subdivision)
        engine = Engine(zone, weekly, holiday_dates, country, subdivision)
        object.__setattr__(self, "_engine", engine)

    # -- conversion -------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build a calendar from its stored form, refusing anything malformed with a clear message.

        ``{"timezone": "Europe/Berlin", "weekly": {"mon": [["09:00", "13:00"], ...], ...},
        "holidays": ["2025-12-24"], "country": "DE", "subdivision": "BY"}``; missing weekdays are
        closed, ``holidays``, ``country`` and ``subdivision`` are optional.
        """
        if not isinstance(data, Mapping):
            raise ValidationError(_("A business calendar must be a mapping of settings."))
        unknown = sorted(str(key) for key in data if key not in _DICT_KEYS)
        if unknown:
            raise ValidationError(
                ngettext(
                    "Unknown calendar setting {names}; expected {expected}.",
                    "Unknown calendar settings {names}; expected {expected}.",
                    len(unknown),
                    names=", ".join(unknown),
                    expected=", ".join(_DICT_KEYS),
                )
            )
        if "timezone" not in data:
            raise ValidationError(_("The calendar needs a time zone, e.g. 'Europe/Berlin'."))
        if "weekly" not in data:
            raise ValidationError(_("The calendar needs a weekly schedule of opening hours."))
        weekly_data = data["weekly"]
        if not isinstance(weekly_data, Mapping):
            raise ValidationError(_("The weekly schedule must map weekdays (mon … sun) to lists of [open, close]."))
        unknown_days = sorted(str(key) for key in weekly_data if key not in WEEKDAYS)
        if unknown_days:
            raise ValidationError(
                ngettext(
                    "Unknown weekday {names} in the weekly schedule; use {expected}.",
                    "Unknown weekdays {names} in the weekly schedule; use {expected}.",
                    len(unknown_days),
                    names=", ".join(unknown_days),
                    expected=", ".join(WEEKDAYS),
                )
            )
        weekly = tuple(
            tuple(_parse_interval(day, pair) for pair in _as_list(weekly_data.get(day) or [], day)) for day in WEEKDAYS
        )
        holiday_values = data.get("holidays") or []
        if isinstance(holiday_values, (str, bytes)) or not isinstance(holiday_values, Iterable):
            raise ValidationError(_("Holidays must be a list of dates written YYYY-MM-DD."))
        return cls(
            timezone=data["timezone"],
            weekly=weekly,
            holidays=frozenset(_check_holiday(value) for value in holiday_values),
            country=data.get("country"),
            subdivision=data.get("subdivision"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored form: ``BusinessCalendar.from_dict(cal.to_dict()) == cal``."""
        return {
            "timezone": self.timezone,
            "weekly": {
                day: [[_format_minutes(o), _format_minutes(c)] for o, c in intervals]
                for day, intervals in zip(WEEKDAYS, self.weekly, strict=False)
            },
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "country": self.country,
            "subdivision": self.subdivision,
        }

    # -- questions --------------------------------------------------------------------------

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two aware instants; ``end`` before ``start`` is an error."""
        return self._engine.elapsed(start, end)

    def deadline(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant (UTC) by which ``duration`` of business time has passed."""
        return self._engine.deadline(start, duration)

    def deadline_and_elapsed(
        self, start: datetime, duration: timedelta, end: datetime | None
    ) -> tuple[datetime, timedelta | None]:
        """``(deadline(start, duration), elapsed(start, end))`` in one go (None when ``end`` is None)."""
        return self._engine.deadline_and_elapsed(start, duration, end)

    def is_open(self, instant: datetime) -> bool:
        """Whether ``instant`` lies inside business hours (a closing time itself does not)."""
        return self._engine.is_open(instant)

    def next_opening(self, instant: datetime) -> datetime:
        """The earliest instant (UTC) at or after ``instant`` that is inside business hours."""
        return self._engine.next_opening(instant)

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The business hours between two aware instants as UTC ``[open, close)`` pairs, clipped
        to ``[start, end)`` (a day's hours follow its own clock: a clock change moves them in UTC)."""
        first = _instant(_require_instant(start, "start"))
        last = _instant(_require_instant(end, "end"))
        zone = self._engine.zone
        intervals: list[tuple[datetime, datetime]] = []
        day = first.astimezone(zone).date() - timedelta(days=1)
        while day <= last.astimezone(zone).date():
            _ordinal, _weekday, opens, closes, _closed = self._engine.day(day.toordinal())
            for o, c in zip(opens, closes, strict=True):
                lo = max(_instant(o), first)
                hi = min(_instant(c), last)
                if lo < hi:
                    if intervals and intervals[-1][1] == lo:  # an overnight stretch split at midnight
                        lo = intervals.pop()[0]
                    intervals.append((lo, hi))
            day += timedelta(days=1)
        return intervals


# -- validation helpers -----------------------------------------------------------------------


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ValidationError(_("The time zone must be an IANA name such as 'Europe/Berlin'."))
    try:
        return _load_zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'Europe'
        raise ValidationError(
            _("Unknown time zone '{name}'; use an IANA name such as 'Europe/Berlin'.", name=name)
        ) from None


@cache
def _load_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _as_list(value: object, day: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(
            _(
                'Opening hours for {day} must be a list of [open, close] pairs, e.g. [["09:00", "18:00"]].',
                day=day_name(day),
            )
        )
    return list(value)


def _parse_time(text: object, day: str) -> int:
    match = _TIME_PATTERN.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(
            _(
                "'{text}' on {day} is not a valid time; write HH:MM from 00:00 to 23:59 (or 24:00 as a closing time).",
                text=text,
                day=day_name(day),
            )
        )
    if match.group(3):
        return MINUTES_PER_DAY
    return int(match.group(1)) * 60 + int(match.group(2))


def _parse_interval(day: str, pair: object) -> Interval:
    if isinstance(pair, (str, bytes)) or not isinstance(pair, Iterable):
        raise ValidationError(
            _("Opening hours on {day} must be [open, close] pairs, got {pair!r}.", day=day_name(day), pair=pair)
        )
    values = list(pair)
    if len(values) != 2:
        raise ValidationError(
            _("Opening hours on {day} must be [open, close] pairs, got {pair!r}.", day=day_name(day), pair=pair)
        )
    opening, closing = (_parse_time(value, day) for value in values)
    if opening == MINUTES_PER_DAY:
        raise ValidationError(
            _("24:00 on {day} can only be a closing time; open at 00:00 of the next day instead.", day=day_name(day))
        )
    return opening, closing


def _check_weekly(weekly: object) -> tuple[tuple[Interval, ...], ...]:
    if not isinstance(weekly, tuple) or len(weekly) != 7:
        raise ValidationError(_("The weekly schedule must list seven days, Monday first."))
    result = []
    for day, intervals in zip(WEEKDAYS, weekly, strict=False):
        checked = []
        for interval in intervals:
            if not isinstance(interval, (tuple, list)) or len(interval) != 2:
                raise ValidationError(_("Opening hours on {day} must be (open, close) pairs.", day=day_name(day)))
            opening, closing = interval
            if not (isinstance(opening, int) and isinstance(closing, int)):
                raise ValidationError(_("Opening hours on {day} must be whole minutes.", day=day_name(day)))
            if not 0 <= opening < MINUTES_PER_DAY or not 0 < closing <= MINUTES_PER_DAY:
                raise ValidationError(_("Opening hours on {day} must lie between 00:00 and 24:00.", day=day_name(day)))
            if closing <= opening:
                raise ValidationError(
                    _(
                        "On {day} the interval {opening}–{closing} closes before it opens; write an overnight "
                        "shift as two intervals split at midnight.",
                        day=day_name(day),
                        opening=_format_minutes(opening),
                        closing=_format_minutes(closing),
                    )
                )
            checked.append((opening, closing))
        checked.sort()
        for (o1, c1), (o2, c2) in zip(checked, checked[1:], strict=False):
            if o2 < c1:
                raise ValidationError(
                    _(
                        "On {day} the intervals {first} and {second} overlap.",
                        day=day_name(day),
                        first=f"{_format_minutes(o1)}–{_format_minutes(c1)}",
                        second=f"{_format_minutes(o2)}–{_format_minutes(c2)}",
                    )
                )
        result.append(tuple(checked))
    if not any(result):
        raise ValidationError(_("The weekly schedule has no open hours; add at least one interval."))
    return tuple(result)


def _check_holiday(value: object) -> date:
    if isinstance(value, datetime):
        raise ValidationError(_("Holiday {value!r} must be a date, not a date and time.", value=value))
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_PATTERN.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(_("Holiday '{value}' is not a valid date; write it as YYYY-MM-DD.", value=value))


def _check_country(country: object, subdivision: object) -> tuple[str | None, str | None]:
    if country is None or country == "":
        if subdivision not in (None, ""):
            raise ValidationError(_("A holiday subdivision needs a country as well."))
        return None, None
    if not isinstance(country, str):
        raise ValidationError(_("The holiday country must be a code such as 'DE'."))
    if subdivision == "":
        subdivision = None
    if subdivision is not None and not isinstance(subdivision, str):
        raise ValidationError(_("The holiday subdivision must be a code such as 'BY'."))
    country = country.strip().upper()
    import holidays as holidays_package  # ~0.1 s of calendars, only where a country is checked (not on reads)

    try:
        holidays_package.country_holidays(country, subdiv=subdivision, years=())
    except NotImplementedError:
        if subdivision is None:
            raise ValidationError(
                _(
                    "No public holidays are known for country '{country}'; use an ISO 3166 code such as 'DE'.",
                    country=country,
                )
            ) from None
        raise ValidationError(
            _(
                "Country '{country}' has no subdivision '{subdivision}' in the holiday list.",
                country=country,
                subdivision=subdivision,
            )
        ) from None
    return country, subdivision


def day_name(day: str) -> str:
    """A weekday code (mon … sun) as the reader's language names it (an unknown code as it is)."""
    return formats.weekday_names("wide")[WEEKDAYS.index(day)] if day in WEEKDAYS else day


def _format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
