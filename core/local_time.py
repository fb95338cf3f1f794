"""Local days and months in the workspace time zone, as UTC instants for queries.

A local day is [its midnight, the next midnight): 23 or 25 hours on clock-change days. Every
period, window and "today" in Dialog Desk is built from these.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core import formats
from core.errors import ValidationError
from core.i18n import _

UTC = dt.UTC


def require_aware(instant: dt.datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValidationError(_("A time without a time zone was given; times must be time-zone aware."))


def local_today(now: dt.datetime, tz: ZoneInfo) -> dt.date:
    """Today's date where the workspace is."""
    return now.astimezone(tz).date()


def local_day(instant: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The local date of an instant."""
    require_aware(instant)
    return instant.astimezone(tz).date()


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant at which a local day starts."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of one local day as UTC instants."""
    return local_midnight(day, tz), local_midnight(day + dt.timedelta(days=1), tz)


def days_bounds(first: dt.date, last: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start of ``first``, start of the day after ``last``) as UTC instants."""
    return local_midnight(first, tz), local_midnight(last + dt.timedelta(days=1), tz)


def local_instant(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall time. A wall time skipped by the clock change is refused;
    a repeated one (autumn) means its first occurrence."""
    local = dt.datetime.combine(day, clock.replace(tzinfo=None, fold=0), tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            _(
                "{day} {time} does not exist in {zone}: the clocks jump forward then. Pick another time.",
                day=formats.date(day),
                time=formats.time(clock),
                zone=tz.key,
            )
        )
    return instant


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def add_months(first: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``first``'s month."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from ``first``'s month to ``last``'s, inclusive."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months
