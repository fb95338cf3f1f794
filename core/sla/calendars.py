"""Business calendars as the database stores them (JSON) and as the policy editor shows them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from core.errors import ValidationError
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
            raise ValidationError("The stored calendar is not valid JSON; save the policy's calendar again.") from None
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
            raise ValidationError(f"Row {number} of the schedule has no weekday; pick one of {', '.join(WEEKDAYS)}.")
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
