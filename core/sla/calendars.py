"""Business calendars as the database stores them (JSON) and as the policy editor shows them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from core import formats
from core.errors import ValidationError
from core.i18n import _
from core.sla.business_time import WEEKDAYS, BusinessCalendar


@lru_cache(maxsize=256)
def _calendar_from_text(text: str) -> BusinessCalendar:
    return BusinessCalendar.from_dict(json.loads(text))


def calendar_from_json(definition: str | Mapping[str, Any]) -> BusinessCalendar:
    """The engine's calendar for a stored definition (parsed calendars are shared: they are immutable)."""
    if isinstance(definition, str):
        try:
            return _calendar_from_text(definition)
        except json.JSONDecodeError:
            raise ValidationError(
                _("The stored calendar is not valid JSON; save the policy's calendar again.")
            ) from None
    return BusinessCalendar.from_dict(definition)


def stored_definition(calendar: BusinessCalendar) -> str:
    """The JSON a calendar is stored as (normalised, so equal calendars store equal text)."""
    return json.dumps(calendar.to_dict(), sort_keys=True)


def calendar_table(definition: Mapping[str, Any]) -> list[dict[str, str]]:
    """The weekly schedule as rows of intervals (day, open, close), Monday first."""
    weekly = definition.get("weekly") or {}
    return [
        {"day": day, "open": str(opening), "close": str(closing)}
        for day in WEEKDAYS
        for opening, closing in (weekly.get(day) or [])
    ]


def calendar_from_form(
    *,
    timezone: str,
    intervals: Iterable[Mapping[str, Any]],
    holidays_text: str = "",
    country: str | None = None,
    subdivision: str | None = None,
) -> dict[str, Any]:
    """A calendar definition from the editor's table of intervals and its holiday lines (one
    YYYY-MM-DD per line; text after the date is a note). The engine validates the result."""
    weekly: dict[str, list[list[str]]] = {}
    for number, row in enumerate(intervals, start=1):
        day = str(row.get("day") or "").strip().lower()[:3]
        opening = str(row.get("open") or "").strip()
        closing = str(row.get("close") or "").strip()
        if not (day or opening or closing):
            continue  # an empty row the editor left
        if day not in WEEKDAYS:
            raise ValidationError(
                _(
                    "Row {number} of the schedule has no weekday; pick one of {days}.",
                    number=number,
                    days=", ".join(formats.weekday_names("wide")),
                )
            )
        weekly.setdefault(day, []).append([opening, closing])
    holidays = []
    for line in holidays_text.splitlines():
        token = line.strip().split(" ")[0] if line.strip() else ""
        if token:
            holidays.append(token)
    definition: dict[str, Any] = {"timezone": (timezone or "").strip(), "weekly": weekly, "holidays": holidays}
    if country and country.strip():
        definition["country"] = country.strip().upper()
        if subdivision and subdivision.strip():
            definition["subdivision"] = subdivision.strip()
    BusinessCalendar.from_dict(definition)  # the engine's message says what to fix
    return definition


_DAY_RANGE = re.compile(r"^([a-z]{3})(?:-([a-z]{3}))?$")
_INTERVAL = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")


def _days(text: str) -> list[str]:
    """Weekdays written as "mon-fri", "sat", "mon,wed,fri" or "daily"."""
    if text in ("daily", "every-day", "everyday", "all"):
        return list(WEEKDAYS)
    days: list[str] = []
    for part in text.split(","):
        match = _DAY_RANGE.match(part.strip()[:3] if "-" not in part else part.strip())
        first = match.group(1)[:3] if match else ""
        last = (match.group(2) or first) if match else ""
        if first not in WEEKDAYS or last not in WEEKDAYS:
            raise ValidationError(
                _(
                    "{part!r} is not a weekday or a range of them; write e.g. mon-fri, sat or mon,wed.",
                    part=part.strip(),
                )
            )
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
        if end < start:
            raise ValidationError(
                _("{part!r} runs backwards; write the days in week order (mon-fri).", part=part.strip())
            )
        days.extend(WEEKDAYS[start : end + 1])
    return days


def weekly_from_hours(hours: Iterable[str]) -> dict[str, list[list[str]]]:
    """Weekly hours from lines like "mon-fri 09:00-18:00", "sat 10:00-14:00" or a split shift
    "mon-fri 08:00-12:00 13:00-17:00" (an overnight shift is two lines split at midnight)."""
    weekly: dict[str, list[list[str]]] = {}
    for line in hours:
        parts = line.replace(",", " ").split() if re.search(r"\d", line) else []
        if not parts:
            raise ValidationError(_("{line!r} names no hours; write e.g. 'mon-fri 09:00-18:00'.", line=line))
        day_words = []
        while parts and not _INTERVAL.match(parts[0]):
            day_words.append(parts.pop(0).lower())
        if not day_words or not parts:
            raise ValidationError(_("{line!r} needs days and hours, e.g. 'mon-fri 09:00-18:00'.", line=line))
        days = _days(",".join(day_words))
        for part in parts:
            match = _INTERVAL.match(part)
            if match is None:
                raise ValidationError(
                    _("{part!r} in {line!r} is not opening-closing hours like 09:00-18:00.", part=part, line=line)
                )
            opening, closing = (value.zfill(5) for value in match.groups())
            for day in days:
                weekly.setdefault(day, []).append([opening, closing])
    return weekly


def calendar_from_hours(
    *,
    timezone: str,
    hours: Iterable[str],
    holidays: Iterable[str] = (),
    country: str | None = None,
    subdivision: str | None = None,
) -> BusinessCalendar:
    """A business calendar as people write it on the command line or in a set-up file."""
    definition: dict[str, Any] = {
        "timezone": (timezone or "").strip(),
        "weekly": weekly_from_hours(hours),
        "holidays": [str(day).strip() for day in holidays if str(day).strip()],
    }
    if country and country.strip():
        definition["country"] = country.strip().upper()
        if subdivision and subdivision.strip():
            definition["subdivision"] = subdivision.strip().upper()
    return BusinessCalendar.from_dict(definition)
