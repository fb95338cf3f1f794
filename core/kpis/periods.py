"""KPI periods: inclusive ranges of local dates (a week, month, quarter or custom range), the
period of equal length just before, and the periods a person picks from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from core import formats
from core.errors import ValidationError
from core.i18n import _
from core.local_time import add_months, days_bounds, next_month


class PeriodKind(StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"
    custom = "custom"


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of local dates."""

    start: dt.date
    end: dt.date
    kind: PeriodKind = field(default=PeriodKind.custom, compare=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                _(
                    "The period ends ({end}) before it starts ({start}); swap the dates.",
                    end=formats.date(self.end),
                    start=formats.date(self.start),
                )
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    @property
    def calendar_months(self) -> int:
        """How many whole calendar months the period is (0 when it does not start on a first and
        end on a last day of a month)."""
        if self.start.day != 1 or next_month(self.end) - dt.timedelta(days=1) != self.end:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The period just before: as many calendar months before a period of whole calendar
        months (March against February), else the period of equal length just before."""
        months = self.calendar_months
        if months:
            return Period(add_months(self.start, -months), self.start - dt.timedelta(days=1), self.kind)
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1), self.kind)

    def utc_bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """``[local midnight of start, local midnight after end)`` as UTC instants."""
        return days_bounds(self.start, self.end, tz)

    def clipped(self, last_day: dt.date) -> Period:
        """The part up to ``last_day`` (a period still running compares to-date with the same length)."""
        return self if self.end <= last_day or self.start > last_day else Period(self.start, last_day, self.kind)

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.week:
            iso = self.start.isocalendar()
            return _(
                "Week {week}, {year} · {first} – {last}",
                week=iso.week,
                year=iso.year,
                first=formats.short_date(self.start),
                last=formats.short_date(self.end),
            )
        if self.kind == PeriodKind.month and self.start.day == 1:
            return formats.month_year(self.start)
        if self.kind == PeriodKind.quarter and self.start.day == 1:
            return _("Q{quarter} {year}", quarter=(self.start.month - 1) // 3 + 1, year=self.start.year)
        return f"{formats.date(self.start)} – {formats.date(self.end)}"

    def months(self) -> list[Period]:
        """The calendar months the period touches, each clipped to the period."""
        months, first = [], self.start.replace(day=1)
        while first <= self.end:
            following = next_month(first)
            months.append(
                Period(max(first, self.start), min(following - dt.timedelta(days=1), self.end), PeriodKind.month)
            )
            first = following
        return months


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            _("{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-06-01.", text=text)
        ) from None


def period_containing(kind: PeriodKind | str, day: dt.date) -> Period:
    """The week (Monday–Sunday), month or quarter that contains ``day``."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.week:
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6), kind)
    if kind == PeriodKind.month:
        start = day.replace(day=1)
        return Period(start, next_month(start) - dt.timedelta(days=1), kind)
    if kind == PeriodKind.quarter:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(start, add_months(start, 3) - dt.timedelta(days=1), kind)
    raise ValidationError(_("A custom period has no fixed length: give its first and last day."))


MAX_PERIODS = 1000  # the picker's floor: twenty years of weeks


def recent_periods(
    kind: PeriodKind | str, today: dt.date, count: int = 12, *, back_to: dt.date | None = None
) -> list[Period]:
    """The ``count`` latest weeks, months or quarters, newest first; the running one ends today.
    With ``back_to`` (the first day with data), also every older one down to the one holding it."""
    periods: list[Period] = []
    day = today
    while len(periods) < MAX_PERIODS:
        period = period_containing(kind, day)
        periods.append(period.clipped(today))
        day = period.start - dt.timedelta(days=1)
        if len(periods) >= count and (back_to is None or period.start <= back_to):
            break
    return periods


def default_period(kind: PeriodKind | str, today: dt.date) -> Period:
    """The last complete week, month or quarter: the one a manager compares first."""
    running = period_containing(kind, today)
    return period_containing(kind, running.start - dt.timedelta(days=1))
