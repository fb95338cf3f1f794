"""The product footprint KPIs: valid proposals per month (by the day ideas became valid) and the
improvements shipped from them ('You asked, we did' loop items per month, with their measured effect)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from core import formats
from core.i18n import _
from core.kpis.periods import Period
from core.kpis.sql import bucket_counts, bucket_index
from core.kpis.values import Measured
from core.loop.impact import IMPACT_FIELDS, ImpactFacts, impact_columns, impacts_of
from core.loop.rules import Impact
from db.models import Idea, LoopItem, LoopItemIdea
from db.types import Unindexed

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


def has_ideas_and_loop_items(session: Session) -> tuple[bool, bool]:
    """Whether any idea and any loop item exist (before either, the product figures are "no data"), in one statement."""
    row = session.execute(select(select(col(Idea.id)).exists(), select(col(LoopItem.id)).exists())).one()
    return bool(row[0]), bool(row[1])


def _per_period(months: list[list[Period]], counts: dict[int, int]) -> list[tuple[int, tuple[tuple[str, float], ...]]]:
    """(total, breakdown by month) of each period, from counts by index in all periods' months."""
    out, first = [], 0
    for period_months in months:
        period_counts = [counts.get(first + i, 0) for i in range(len(period_months))]
        breakdown = tuple(
            (m.start.strftime("%Y-%m"), float(n)) for m, n in zip(period_months, period_counts, strict=True)
        )
        out.append((sum(period_counts), breakdown))
        first += len(period_months)
    return out


def _valid_proposals(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, *, ideas: bool
) -> list[Measured]:
    """Valid proposals of each period by month: one grouped statement over the months of them all."""
    if not ideas:
        return [Measured(None) for __ in periods]
    months = [period.months() for period in periods]
    every_month = [m for period_months in months for m in period_months]
    bounds = [every_month[0].utc_bounds(tz)[0]] + [m.utc_bounds(tz)[1] for m in every_month]
    counts = bucket_counts(session, col(Idea.valid_at), bounds, idea_scope(channel_id))
    return [Measured(float(total), breakdown=breakdown) for total, breakdown in _per_period(months, counts)]


def _latest_items(
    session: Session, periods: Sequence[Period], channel_id: int | None
) -> list[list[tuple[str, ImpactFacts]]]:
    """The ``MAX_LISTED_IMPROVEMENTS`` latest loop items shipped in each period, newest first, with
    what their effect is worked out from: one statement ranks them within their period."""
    bounds = [periods[0].start] + [p.end + dt.timedelta(days=1) for p in periods]
    shipped_on = col(LoopItem.shipped_on)
    index = bucket_index(shipped_on, bounds)
    ranked = (
        select(
            index.label("bucket"),
            col(LoopItem.what_changed).label("what"),
            *impact_columns(),
            func.row_number()
            .over(partition_by=index, order_by=(shipped_on.desc(), col(LoopItem.id).desc()))
            .label("rank"),
        )
        .where(shipped_on >= bounds[0], shipped_on < bounds[-1], *loop_scope(channel_id))
        .subquery()
    )
    facts = [ranked.c[name] for name in IMPACT_FIELDS]
    rows = session.execute(
        select(ranked.c.bucket, ranked.c.what, *facts)
        .where(ranked.c.rank <= MAX_LISTED_IMPROVEMENTS)
        .order_by(ranked.c.bucket, ranked.c.rank)
    )
    out: list[list[tuple[str, ImpactFacts]]] = [[] for __ in periods]
    for bucket, what, *item in rows:
        out[int(bucket)].append((what, ImpactFacts(*item)))
    return out


def _improvements(
    session: Session,
    periods: Sequence[Period],
    tz: ZoneInfo,
    channel_id: int | None,
    today: dt.date,
    *,
    loop_items: bool,
) -> list[Measured]:
    """Improvements shipped in each period by month, with the latest listed and their effects:
    the same statements for every period."""
    if not loop_items:
        return [Measured(None) for __ in periods]
    months = [period.months() for period in periods]
    every_month = [m for period_months in months for m in period_months]
    bounds = [every_month[0].start] + [m.end + dt.timedelta(days=1) for m in every_month]
    counts = bucket_counts(session, col(LoopItem.shipped_on), bounds, loop_scope(channel_id))
    latest = _latest_items(session, periods, channel_id)
    effects = impacts_of(session, [facts for items in latest for __, facts in items], today=today, tz=tz)
    return [
        _improvements_measured(items, effects, total, breakdown)
        for (total, breakdown), items in zip(_per_period(months, counts), latest, strict=True)
    ]


def _improvements_measured(
    items: list[tuple[str, ImpactFacts]],
    effects: dict[int, Impact],
    total: int,
    breakdown: tuple[tuple[str, float], ...],
) -> Measured:
    notes, measured = [], 0
    for what, facts in items:
        shipped_on, effect = facts.shipped_on, effects[facts.id]
        measured += effect.measured
        summary = effect.summary if effect.kind != "none" else _("effect not measured: nothing to measure set")
        notes.append(f"{formats.date(shipped_on)}: {what} — {summary}")
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
    session: Session,
    periods: Sequence[Period],
    tz: ZoneInfo,
    channel_id: int | None,
    today: dt.date,
    *,
    exist: tuple[bool, bool] | None = None,
) -> list[dict[str, Measured]]:
    """The product footprint of consecutive periods, oldest first (``today`` decides which effects
    are complete; ``exist``: ``has_ideas_and_loop_items`` as the caller read it already)."""
    ideas, loop_items = exist if exist is not None else has_ideas_and_loop_items(session)
    return [
        {"valid_proposals": valid, "implemented_improvements": improvements}
        for valid, improvements in zip(
            _valid_proposals(session, periods, tz, channel_id, ideas=ideas),
            _improvements(session, periods, tz, channel_id, today, loop_items=loop_items),
            strict=True,
        )
    ]
