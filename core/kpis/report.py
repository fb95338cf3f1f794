"""How KPIs read: values and changes formatted the same on every screen, the JSON and CSV
reports (``export_report``: the audited export of the screen and of ``python -m core kpis``), and a
channel found by its name for the command line."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from sqlmodel import Session

from core import exports, formats, i18n, workspace
from core.errors import ValidationError
from core.i18n import N_, _
from core.kpis.definitions import CALENDAR_MINUTES, DAYS, HOURS, MINUTES, PER_POST, PER_WEEK, PERCENT
from core.kpis.overview import compute_kpis
from core.kpis.periods import Period
from core.kpis.values import KpiValue
from core.permissions import Action, Actor, require

NO_DATA = N_("no data yet")
_PER_UNIT = (PER_WEEK, PER_POST)


def format_minutes(minutes: float) -> str:
    """Compact, for a card: 42 min · 3h 05m · 2d 04h (German: 3 Std. 05 Min.)."""
    return formats.minutes(minutes)


def format_value(value: float | None, unit: str) -> str:
    """How a KPI value reads in the screen (the same text everywhere), in the reader's language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _(NO_DATA)
    if unit in (MINUTES, CALENDAR_MINUTES):
        return formats.minutes(value)
    if unit == PERCENT:
        return formats.percent(value)
    if unit in _PER_UNIT:
        return formats.number(value, 1)
    if unit == DAYS:
        return formats.days(value)
    if unit == HOURS:
        return formats.hours(value)
    return formats.number(value)


def format_change(kpi: KpiValue) -> str | None:
    """The change against the previous period, signed ("-" first for a fall), or None."""
    change = kpi.change
    if change is None:
        return None
    if kpi.unit == PERCENT:
        return formats.percentage_points(change)
    sign = "-" if change < 0 else "+"
    size = abs(change)
    if kpi.unit in (MINUTES, CALENDAR_MINUTES):
        return sign + formats.minutes(size)
    if kpi.unit in _PER_UNIT:
        return sign + formats.number(size, 1)
    if kpi.unit == DAYS:
        return sign + formats.days(size)
    if kpi.unit == HOURS:
        return sign + formats.hours(size)
    return sign + formats.number(size)


CSV_COLUMNS = (
    "key",
    "label",
    "family",
    "unit",
    "better",
    "value",
    "previous",
    "change",
    "detail",
    "counts",
    "previous_counts",
)


def _counts_text(counts: Sequence[tuple[str, int]]) -> str:
    """The counts behind a share in one cell: ``met=40; breached=2``."""
    return "; ".join(f"{name}={count}" for name, count in counts)


def report(
    values: Sequence[KpiValue], *, period: Period, channel: str | None, generated_at: dt.datetime
) -> dict[str, Any]:
    """The KPIs as plain data for JSON: what a report or another tool consumes."""
    previous = period.previous()
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "previous_period": {"from": previous.start.isoformat(), "to": previous.end.isoformat()},
        "channel": channel,
        "generated_at": generated_at.isoformat(),
        "kpis": [v.as_dict() for v in values],
    }


def report_json(values: Sequence[KpiValue], *, period: Period, channel: str | None, generated_at: dt.datetime) -> str:
    return json.dumps(
        report(values, period=period, channel=channel, generated_at=generated_at), indent=2, ensure_ascii=False
    )


def report_csv(values: Sequence[KpiValue], *, dialect: exports.Dialect | str = exports.Dialect.plain) -> str:
    """The KPIs as a table for a spreadsheet: the label in the reader's language, keys, units and
    numbers as codes and numbers (in ``dialect``: German Excel reads "79,9")."""
    rows = (
        v.as_dict()
        | {
            "label": _(v.label),
            "counts": _counts_text(v.counts),
            "previous_counts": _counts_text(v.previous_counts),
        }
        for v in values
    )
    return exports.to_csv(rows, CSV_COLUMNS, dialect=dialect)


REPORT_FORMATS = ("csv", "json")


def export_report(
    *,
    session: Session,
    actor: Actor,
    period: Period,
    channel: str | None,
    file_format: str,
    now: dt.datetime,
    dialect: exports.Dialect | str = exports.Dialect.plain,
) -> str:
    """Every KPI of the period (and the one before) as CSV (in the spreadsheet ``dialect``) or
    JSON, for one channel (by name) or all; the export is audited in the caller's transaction.
    The JSON is for programs: keys, codes and numbers, labels and definitions in English."""
    require(actor, Action.export_data)
    if file_format not in REPORT_FORMATS:
        raise ValidationError(_("Unknown report format {format!r}; choose csv or json.", format=file_format))
    dialect = exports.dialect_of(dialect)
    channel_id = channel_id_by_name(session, channel) if channel else None
    # The JSON is read by programs: its detail lines stay English whoever exports it.
    with i18n.using(i18n.SOURCE_LANGUAGE) if file_format == "json" else nullcontext():
        values = compute_kpis(session, start=period.start, end=period.end, channel_id=channel_id, now=now)
    details: dict[str, Any] = {"from": period.start.isoformat(), "to": period.end.isoformat(), "channel": channel}
    if file_format == "csv":
        details["dialect"] = dialect.value
    exports.record_export(session, actor=actor, what="kpis", file_format=file_format, rows=len(values), details=details)
    if file_format == "json":
        return report_json(values, period=period, channel=channel, generated_at=now)
    return report_csv(values, dialect=dialect)


def channel_id_by_name(session: Session, name: str) -> int:
    """The id of a channel given by name (case-insensitive), or a message listing the names."""
    channels = workspace.list_channels(session, include_inactive=True)
    for channel in channels:
        if channel.name.casefold() == name.strip().casefold():
            return channel.id
    known = ", ".join(c.name for c in channels) or _("none yet")
    raise ValidationError(_("No channel named {name!r}. Channels: {known}.", name=name, known=known))
