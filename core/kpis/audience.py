"""Audience sizes per channel and period: entered by the analyst (never overlapping within a
channel, versioned), and averaged over a KPI period as the denominator of the active share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import true
from sqlmodel import Session, col, select

from core import formats, records
from core.errors import ValidationError
from core.i18n import N_, _
from core.kpis.periods import Period
from core.permissions import Action, Actor, require
from db.models import AudienceSize, AudienceSizeCreate, AudienceSizeUpdate, Channel

MAX_AUDIENCE = 10_000_000_000
LIST_LIMIT = 200


@dataclass(frozen=True)
class AudienceView:
    id: int
    channel_id: int
    channel: str
    period_start: dt.date
    period_end: dt.date
    size: int
    version: int


def list_audience_sizes(session: Session, *, limit: int = LIST_LIMIT) -> list[AudienceView]:
    """The latest entries first."""
    rows = session.exec(
        select(AudienceSize, Channel.name)
        .join(Channel, col(Channel.id) == AudienceSize.channel_id)
        .order_by(col(AudienceSize.period_start).desc(), col(Channel.name))
        .limit(limit)
    ).all()
    return [_view(row, name) for row, name in rows]


def _view(row: AudienceSize, channel: str) -> AudienceView:
    assert row.id is not None, "a stored audience size"
    return AudienceView(row.id, row.channel_id, channel, row.period_start, row.period_end, row.size, row.version)


def _check(
    session: Session,
    *,
    channel_id: int,
    period_start: dt.date,
    period_end: dt.date,
    size: int | float,
    ignore_id: int | None,
) -> str:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise ValidationError(_("Choose a channel for the audience size."))
    if period_end < period_start:
        raise ValidationError(_("The audience period ends before it starts; swap the dates."))
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_AUDIENCE:
        raise ValidationError(_("The audience size is a whole number of people, at least 1."))
    overlapping = session.exec(
        select(AudienceSize).where(
            AudienceSize.channel_id == channel_id,
            col(AudienceSize.period_start) <= period_end,
            col(AudienceSize.period_end) >= period_start,
        )
    ).all()
    clash = next((row for row in overlapping if row.id != ignore_id), None)
    if clash is not None:
        raise ValidationError(
            _(
                "{channel} has an audience size for {start} – {end} ({size}) that overlaps these days; "
                "change that entry instead, or choose days it does not cover.",
                channel=channel.name,
                start=formats.date(clash.period_start),
                end=formats.date(clash.period_end),
                size=formats.number(clash.size),
            )
        )
    return channel.name


def add_audience_size(*, session: Session, actor: Actor, audience_in: AudienceSizeCreate) -> AudienceView:
    """Enter the audience of one channel for one period (periods of a channel may not overlap)."""
    require(actor, Action.manage_audience)
    name = _check(
        session,
        channel_id=audience_in.channel_id,
        period_start=audience_in.period_start,
        period_end=audience_in.period_end,
        size=audience_in.size,
        ignore_id=None,
    )
    row = AudienceSize.model_validate(audience_in)
    return _view(records.create(session, row, actor=actor, action="audience_size.create"), name)


def update_audience_size(
    *, session: Session, actor: Actor, audience_id: int, expected_version: int, audience_in: AudienceSizeUpdate
) -> AudienceView:
    """Change an entry's size or days (the fields given), at the version the analyst loaded."""
    require(actor, Action.manage_audience)
    row = records.get_or_404(session, AudienceSize, audience_id, what=N_("Audience size"))
    changes = audience_in.model_dump(exclude_unset=True, exclude_none=True)
    merged: dict[str, Any] = {
        "period_start": row.period_start,
        "period_end": row.period_end,
        "size": row.size,
    } | changes
    name = _check(session, channel_id=row.channel_id, ignore_id=audience_id, **merged)
    updated = records.update_versioned(
        session,
        AudienceSize,
        audience_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action="audience_size.update",
    )
    return _view(updated, name)


def delete_audience_size(*, session: Session, actor: Actor, audience_id: int) -> None:
    require(actor, Action.manage_audience)
    row = records.get_or_404(session, AudienceSize, audience_id, what=N_("Audience size"))
    records.delete(session, row, actor=actor, action="audience_size.delete")


# --- the denominator of the active share ------------------------------------------------------


@dataclass(frozen=True)
class AudienceRow:
    channel_id: int
    period_start: dt.date
    period_end: dt.date
    size: int


def audience_for(rows: Iterable[AudienceRow], period: Period) -> dict[int, float]:
    """Audience per channel for ``period``: each entry's size averaged over the period's days it covers."""
    weighted: dict[int, float] = {}
    covered: dict[int, int] = {}
    for row in rows:
        first, last = max(row.period_start, period.start), min(row.period_end, period.end)
        days = (last - first).days + 1
        if days <= 0:
            continue
        weighted[row.channel_id] = weighted.get(row.channel_id, 0.0) + row.size * days
        covered[row.channel_id] = covered.get(row.channel_id, 0) + days
    return {channel: weighted[channel] / covered[channel] for channel in weighted}


def audience_rows(session: Session, period: Period, channel_id: int | None) -> list[AudienceRow]:
    """The entries touching ``period`` (of one channel, or all)."""
    a = AudienceSize
    statement = select(col(a.channel_id), col(a.period_start), col(a.period_end), col(a.size)).where(
        col(a.period_start) <= period.end, col(a.period_end) >= period.start
    )
    if channel_id is not None:
        statement = statement.where(col(a.channel_id) == channel_id)
    return [AudienceRow(*row) for row in session.exec(statement)]


def active_channels(session: Session) -> tuple[tuple[int, str], ...]:
    """(id, name) of every active channel, by name."""
    statement = (
        select(col(Channel.id), col(Channel.name)).where(col(Channel.active) == true()).order_by(col(Channel.name))
    )
    return tuple((records.stored_id(cid), name) for cid, name in session.exec(statement))


def periods_audience(
    session: Session,
    periods: Sequence[Period],
    channel_id: int | None,
    *,
    rows: Sequence[AudienceRow] | None = None,
    channels: Sequence[tuple[int, str]] | None = None,
) -> list[tuple[float | None, list[str]]]:
    """For each of consecutive periods (oldest first): the audience for the period, and the names of
    active channels with no audience entered — read in two statements for them all, or none when
    the caller has read the entries (covering the periods, of the channel) and the active channels."""
    if rows is None:
        rows = audience_rows(session, Period(periods[0].start, periods[-1].end), channel_id)
    if channels is None:
        channels = active_channels(session)
    channels = [(cid, name) for cid, name in channels if channel_id is None or cid == channel_id]
    out: list[tuple[float | None, list[str]]] = []
    for period in periods:
        sizes = audience_for(rows, period)
        out.append(((sum(sizes.values()) or None), [name for cid, name in channels if cid not in sizes]))
    return out
