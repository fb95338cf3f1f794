"""KPI trends: the KPIs of each family per week or month, for a run of buckets ending at a day,
each bucket counted in one grouped query per family (the same rules as the period figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from core import formats, workspace
from core.i18n import _
from core.kpis.audience import AudienceRow, audience_for, audience_rows
from core.kpis.community import people_per_bucket
from core.kpis.content import post_columns, post_kpis, published_scope
from core.kpis.conversations import answered_scope, conversation_columns, conversation_kpis, conversation_scope
from core.kpis.definitions import KPI_BY_KEY, Family
from core.kpis.periods import Period, PeriodKind, recent_periods
from core.kpis.product import has_ideas_and_loop_items, idea_scope, loop_scope
from core.kpis.sql import bucket_counts, bucket_index, check_now, counts_of, ratio
from db.models import Conversation, Idea, LoopItem, Post


class Grain(StrEnum):
    week = "week"
    month = "month"


TREND_KEYS: dict[Family, tuple[str, ...]] = {
    Family.speed: ("first_response_median", "sla_share", "closed_without_escalation"),
    Family.community: ("active_share", "ugc_per_week", "ugc_useful_share"),
    Family.content: ("next_step_share", "next_step_conversion", "content_utility"),
    Family.product: ("valid_proposals", "implemented_improvements"),
}


@dataclass(frozen=True)
class TrendSeries:
    key: str
    label: str
    unit: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    grain: Grain
    buckets: tuple[Period, ...]
    families: dict[Family, tuple[TrendSeries, ...]]

    def label(self, bucket: Period) -> str:
        """A bucket on the chart's axis, in the reader's language: 24 Nov / 24. Nov. · November 2026."""
        return formats.short_date(bucket.start) if self.grain == Grain.week else formats.month_year(bucket.start)

    def rows(self, family: Family) -> list[dict[str, Any]]:
        """Long-form rows (bucket start, KPI, unit, value) for a chart; missing values left out."""
        return [
            {
                "bucket": bucket.start,
                "label": self.label(bucket),
                "kpi": _(series.label),
                "unit": series.unit,
                "value": value,
            }
            for series in self.families.get(family, ())
            for bucket, value in zip(self.buckets, series.values, strict=True)
            if value is not None
        ]


def trend_buckets(end: dt.date, grain: Grain | str, count: int) -> list[Period]:
    """``count`` weeks or months ending with the one containing ``end`` (the last clipped to ``end``), oldest first."""
    kind = PeriodKind.week if Grain(grain) == Grain.week else PeriodKind.month
    return list(reversed(recent_periods(kind, end, count)))


def grain_for(period: Period) -> Grain:
    """Weekly trends for periods up to about two months, monthly ones beyond."""
    return Grain.week if period.days <= 62 else Grain.month


def kpi_trends(
    session: Session,
    *,
    end: dt.date,
    grain: Grain | str,
    count: int = 12,
    channel_id: int | None,
    now: dt.datetime,
    families: Collection[Family] | None = None,
) -> Trend:
    """The KPIs of each family (or of ``families`` only, running only their queries) per week or
    month, for ``count`` buckets ending at ``end``."""
    check_now(now)
    return trends_in(
        session,
        workspace.timezone(session),
        end=end,
        grain=grain,
        count=count,
        channel_id=channel_id,
        now=now,
        families=families,
    )


def trends_in(
    session: Session,
    tz: ZoneInfo,
    *,
    end: dt.date,
    grain: Grain | str,
    count: int,
    channel_id: int | None,
    now: dt.datetime,
    families: Collection[Family] | None = None,
    audience: Sequence[AudienceRow] | None = None,
    exist: tuple[bool, bool] | None = None,
) -> Trend:
    """``kpi_trends`` in the workspace's time zone ``tz`` (a caller that has it read already; so
    too the audience entries covering the buckets and ``has_ideas_and_loop_items``, if given)."""
    grain = Grain(grain)
    buckets = trend_buckets(end, grain, count)
    bounds = [buckets[0].utc_bounds(tz)[0]] + [b.utc_bounds(tz)[1] for b in buckets]
    wanted = {f for f in (families if families is not None else TREND_KEYS) if f in TREND_KEYS}
    values: dict[str, list[float | None]] = {}
    if wanted & {Family.speed, Family.community}:
        values |= _conversation_trends(session, buckets, bounds, channel_id, now, speed=Family.speed in wanted)
    if Family.community in wanted:
        people = people_per_bucket(session, bounds, channel_id)
        rows = (
            audience
            if audience is not None
            else audience_rows(session, Period(buckets[0].start, buckets[-1].end), channel_id)
        )
        values["active_share"] = [
            ratio(people.get(i, 0), sum(audience_for(rows, b).values()), 100) for i, b in enumerate(buckets)
        ]
    if Family.content in wanted:
        values |= _content_trends(session, buckets, bounds, channel_id)
    if Family.product in wanted:
        values |= _product_trends(session, buckets, bounds, channel_id, exist)
    families_shown = {
        family: tuple(TrendSeries(key, KPI_BY_KEY[key].label, KPI_BY_KEY[key].unit, tuple(values[key])) for key in keys)
        for family, keys in TREND_KEYS.items()
        if family in wanted
    }
    return Trend(grain=grain, buckets=tuple(buckets), families=families_shown)


def _conversation_trends(
    session: Session,
    buckets: list[Period],
    bounds: list[dt.datetime],
    channel_id: int | None,
    now: dt.datetime,
    *,
    speed: bool,
) -> dict[str, list[float | None]]:
    lo, hi, n = bounds[0], bounds[-1], len(buckets)
    values: dict[str, list[float | None]] = {}
    conversation_bucket = bucket_index(col(Conversation.received_at), bounds).label("bucket")
    conv = {
        int(row.bucket): conversation_kpis(counts_of(row), weeks=buckets[int(row.bucket)].weeks)
        for row in session.execute(
            select(conversation_bucket, *conversation_columns(now))
            .where(*conversation_scope(lo, hi, channel_id))
            .group_by(conversation_bucket)
        )
    }
    if speed:
        medians = _bucket_medians(session, bounds, lo, hi, channel_id)
        values["first_response_median"] = [medians.get(i) for i in range(n)]
    for key in ("sla_share", "closed_without_escalation", "ugc_per_week", "ugc_useful_share"):
        values[key] = [conv[i][key] if i in conv else None for i in range(n)]
    return values


def _content_trends(
    session: Session, buckets: list[Period], bounds: list[dt.datetime], channel_id: int | None
) -> dict[str, list[float | None]]:
    lo, hi, n = bounds[0], bounds[-1], len(buckets)
    values: dict[str, list[float | None]] = {}
    post_bucket = bucket_index(col(Post.published_at), bounds).label("bucket")
    posts = {
        int(row.bucket): post_kpis(counts_of(row))
        for row in session.execute(
            select(post_bucket, *post_columns()).where(*published_scope(lo, hi, channel_id)).group_by(post_bucket)
        )
    }
    for key in ("next_step_share", "next_step_conversion", "content_utility"):
        values[key] = [posts[i][key] if i in posts else None for i in range(n)]
    return values


def _product_trends(
    session: Session,
    buckets: list[Period],
    bounds: list[dt.datetime],
    channel_id: int | None,
    exist: tuple[bool, bool] | None,
) -> dict[str, list[float | None]]:
    n = len(buckets)
    values: dict[str, list[float | None]] = {}
    ideas, has_loop = exist if exist is not None else has_ideas_and_loop_items(session)
    valid = bucket_counts(session, col(Idea.valid_at), bounds, idea_scope(channel_id)) if ideas else {}
    values["valid_proposals"] = [float(valid.get(i, 0)) if ideas else None for i in range(n)]
    date_bounds = [buckets[0].start] + [b.end + dt.timedelta(days=1) for b in buckets]
    shipped = bucket_counts(session, col(LoopItem.shipped_on), date_bounds, loop_scope(channel_id)) if has_loop else {}
    values["implemented_improvements"] = [float(shipped.get(i, 0)) if has_loop else None for i in range(n)]
    return values


def _bucket_medians(
    session: Session, bounds: list[dt.datetime], lo: dt.datetime, hi: dt.datetime, channel_id: int | None
) -> dict[int, float]:
    """Median business minutes per bucket: the mean of the one or two middle values (the same
    linear interpolation as the headline median), with window functions on both backends."""
    c = Conversation
    index = bucket_index(col(c.received_at), bounds)
    minutes = col(c.business_minutes_to_reply)
    ranked = (
        select(
            index.label("bucket"),
            minutes.label("minutes"),
            func.row_number().over(partition_by=index, order_by=minutes).label("rank"),
            func.count().over(partition_by=index).label("n"),
        )
        .where(*answered_scope(lo, hi, channel_id))
        .subquery()
    )
    middle = or_(ranked.c.rank == (ranked.c.n - 1) // 2 + 1, ranked.c.rank == ranked.c.n // 2 + 1)
    rows = session.execute(select(ranked.c.bucket, func.avg(ranked.c.minutes)).where(middle).group_by(ranked.c.bucket))
    return {int(index): float(value) for index, value in rows}
