"""The product footprint KPIs: valid proposals per month (by the day ideas became valid) and the
improvements shipped from them ('You asked, we did' loop items per month, with their measured effect)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from core import formats
from core.i18n import _
from core.kpis.periods import Period
from core.kpis.sql import Unindexed, bucket_counts
from core.kpis.values import Measured
from core.loop.impact import impacts
from db.models import Idea, LoopItem, LoopItemIdea

MAX_LISTED_IMPROVEMENTS = 12


def idea_scope(channel_id: int | None) -> list[ColumnElement[bool]]:
    """Ideas that count (not merged into another), in one channel or all."""
    conditions: list[ColumnElement[bool]] = [Unindexed(Idea.merged_into_id).is_(None)]
    if channel_id is not None:
        conditions.append(Unindexed(Idea.channel_id) == channel_id)
    return conditions


def loop_scope(channel_id: int | None) -> list[ColumnElement[bool]]:
    """With a channel: loop items answering at least one idea from that channel."""
    if channel_id is None:
        return []
    return [
        exists(
            select(1)
            .select_from(LoopItemIdea.__table__.join(Idea.__table__, col(Idea.id) == LoopItemIdea.idea_id))  # type: ignore[attr-defined]
            .where(col(LoopItemIdea.loop_item_id) == LoopItem.id, col(Idea.channel_id) == channel_id)
        )
    ]


def has_ideas(session: Session) -> bool:
    return session.execute(select(col(Idea.id)).limit(1)).first() is not None


def has_loop_items(session: Session) -> bool:
    return session.execute(select(col(LoopItem.id)).limit(1)).first() is not None


def _valid_proposals(session: Session, period: Period, tz: ZoneInfo, channel_id: int | None) -> Measured:
    if not has_ideas(session):
        return Measured(None)
    months = period.months()
    bounds = [months[0].utc_bounds(tz)[0]] + [m.utc_bounds(tz)[1] for m in months]
    counts = bucket_counts(session, col(Idea.valid_at), bounds, idea_scope(channel_id))
    breakdown = tuple((m.start.strftime("%Y-%m"), float(counts.get(i, 0))) for i, m in enumerate(months))
    return Measured(float(sum(counts.values())), breakdown=breakdown)


def _improvements(session: Session, period: Period, channel_id: int | None, today: dt.date) -> Measured:
    if not has_loop_items(session):
        return Measured(None)
    months = period.months()
    bounds = [months[0].start] + [m.end + dt.timedelta(days=1) for m in months]
    counts = bucket_counts(session, col(LoopItem.shipped_on), bounds, loop_scope(channel_id))
    breakdown = tuple((m.start.strftime("%Y-%m"), float(counts.get(i, 0))) for i, m in enumerate(months))
    items = session.execute(
        select(col(LoopItem.id), col(LoopItem.what_changed), col(LoopItem.shipped_on))
        .where(
            col(LoopItem.shipped_on) >= period.start,
            col(LoopItem.shipped_on) <= period.end,
            *loop_scope(channel_id),
        )
        .order_by(col(LoopItem.shipped_on).desc(), col(LoopItem.id).desc())
        .limit(MAX_LISTED_IMPROVEMENTS)
    ).all()
    notes, measured = [], 0
    effects = impacts(session, loop_item_ids=[item_id for item_id, *__ in items], today=today)
    for item_id, what, shipped_on in items:
        effect = effects[item_id]
        measured += effect.measured
        summary = effect.summary if effect.kind != "none" else _("effect not measured: nothing to measure set")
        notes.append(f"{formats.date(shipped_on)}: {what} — {summary}")
    total = sum(counts.values())
    detail = ""
    if items and total > len(items):
        detail = _(
            "{measured} of the {listed} listed with a measured effect (the {listed} latest of {total} listed)",
            measured=measured,
            listed=len(items),
            total=total,
        )
    elif items:
        detail = _("{measured} of the {listed} listed with a measured effect", measured=measured, listed=len(items))
    return Measured(float(total), detail=detail, breakdown=breakdown, notes=tuple(notes))


def measure(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, today: dt.date
) -> list[dict[str, Measured]]:
    """The product footprint of consecutive periods, oldest first (``today`` decides which effects are complete)."""
    return [
        {
            "valid_proposals": _valid_proposals(session, period, tz, channel_id),
            "implemented_improvements": _improvements(session, period, channel_id, today),
        }
        for period in periods
    ]
