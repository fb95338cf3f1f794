"""Audience sizes per channel and period, entered by the analyst: the denominator of the active share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import records
from core.errors import ValidationError
from core.permissions import Action, Actor, require
from db.models import AudienceSize, Channel

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
        .join(Channel, Channel.id == AudienceSize.channel_id)  # type: ignore[arg-type]
        .order_by(col(AudienceSize.period_start).desc(), col(Channel.name))
        .limit(limit)
    ).all()
    return [_view(row, name) for row, name in rows]


def _view(row: AudienceSize, channel: str) -> AudienceView:
    return AudienceView(row.id, row.channel_id, channel, row.period_start, row.period_end, row.size, row.version)  # type: ignore[arg-type]


def _check(
    session: Session, *, channel_id: int, period_start: dt.date, period_end: dt.date, size: int, ignore_id: int | None
) -> str:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise ValidationError("Choose a channel for the audience size.")
    if period_end < period_start:
        raise ValidationError("The audience period ends before it starts; swap the dates.")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_AUDIENCE:
        raise ValidationError("The audience size is a whole number of people, at least 1.")
    overlapping = session.exec(
        select(AudienceSize).where(
            AudienceSize.channel_id == channel_id,
            AudienceSize.period_start <= period_end,
            AudienceSize.period_end >= period_start,
        )
    ).all()
    clash = next((row for row in overlapping if row.id != ignore_id), None)
    if clash is not None:
        raise ValidationError(
            f"{channel.name} has an audience size for {clash.period_start} – {clash.period_end} ({clash.size:,}) "
            "that overlaps these days; change that entry instead, or choose days it does not cover."
        )
    return channel.name


def add_audience_size(
    session: Session, *, actor: Actor, channel_id: int, period_start: dt.date, period_end: dt.date, size: int
) -> AudienceView:
    """Enter the audience of one channel for one period (periods of a channel may not overlap)."""
    require(actor, Action.manage_audience)
    name = _check(
        session, channel_id=channel_id, period_start=period_start, period_end=period_end, size=size, ignore_id=None
    )
    row = AudienceSize(channel_id=channel_id, period_start=period_start, period_end=period_end, size=size)
    return _view(records.create(session, row, actor=actor, action="audience_size.create"), name)


def update_audience_size(
    session: Session,
    *,
    actor: Actor,
    audience_id: int,
    expected_version: int,
    size: int,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> AudienceView:
    require(actor, Action.manage_audience)
    row = records.get_or_404(session, AudienceSize, audience_id, what="Audience size")
    start = period_start or row.period_start
    end = period_end or row.period_end
    name = _check(
        session, channel_id=row.channel_id, period_start=start, period_end=end, size=size, ignore_id=audience_id
    )
    updated = records.update_versioned(
        session,
        AudienceSize,
        audience_id,
        expected_version=expected_version,
        changes={"size": size, "period_start": start, "period_end": end},
        actor=actor,
        action="audience_size.update",
    )
    return _view(updated, name)


def delete_audience_size(session: Session, *, actor: Actor, audience_id: int) -> None:
    require(actor, Action.manage_audience)
    row = records.get_or_404(session, AudienceSize, audience_id, what="Audience size")
    records.delete(session, row, actor=actor, action="audience_size.delete")
