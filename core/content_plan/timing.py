"""Times on the content plan in the workspace time zone: the month and week the calendar shows,
and wall times as people type them in (imports) or read them (screens, exports)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.errors import ValidationError
from core.i18n import _
from core.local_time import local_instant, month_start, next_month

UTC = dt.UTC
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def month_grid(anchor: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the Monday-to-Sunday grid that shows ``anchor``'s month."""
    first = month_start(anchor)
    last = next_month(anchor) - dt.timedelta(days=1)
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


def week_of(anchor: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ``anchor``'s week."""
    monday = anchor - dt.timedelta(days=anchor.weekday())
    return monday, monday + dt.timedelta(days=6)


def parse_local_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """Parse 'YYYY-MM-DD HH:MM' (workspace local time) or an ISO 8601 time with an offset."""
    text = (text or "").strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or (parsed.tzinfo is None and not any(_fits(text, f) for f in _LOCAL_FORMATS)):
        raise ValidationError(
            _("{text!r} is not a date and time; write YYYY-MM-DD HH:MM ({zone} time).", text=text, zone=tz.key)
        )
    if parsed.tzinfo is None:
        return local_instant(parsed.date(), parsed.time(), tz)
    return parsed.astimezone(UTC)


def _fits(text: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def format_local(instant: dt.datetime | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as the workspace's wall time ("" for none)."""
    return "" if instant is None else instant.astimezone(tz).strftime(fmt)


def iso_local(instant: dt.datetime | None, tz: ZoneInfo) -> str:
    """An instant as 'YYYY-MM-DD HH:MM+01:00' in the workspace zone ("" for none), as exports write it."""
    return "" if instant is None else instant.astimezone(tz).isoformat(sep=" ", timespec="minutes")
