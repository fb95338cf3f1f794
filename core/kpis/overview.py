"""Every KPI of a period beside the period of equal length just before: what the KPI overview,
the SLA monitor and ``python -m core kpis`` show, and the overview's read model with its trends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session, col

from core import workspace
from core.kpis import chain, community, content, conversations, escalations, moderation, product
from core.kpis.audience import AudienceRow, audience_rows
from core.kpis.definitions import KPIS, Family
from core.kpis.periods import Period
from core.kpis.product import has_ideas_and_loop_items
from core.kpis.sql import check_now
from core.kpis.trends import Trend, grain_for, trend_buckets, trends_in
from core.kpis.values import KpiValue, Measured
from core.local_time import local_day, local_today
from db.models import Conversation, Idea, Post

TREND_COUNT = 12


@dataclass(frozen=True)
class Given:
    """What a read model has read already for several of its measurements (None: each reads it):
    the audience entries covering every period and trend bucket of the read, the active channels
    (id, name) and whether any idea and any loop item exist."""

    audience: Sequence[AudienceRow] | None = None
    channels: Sequence[tuple[int, str]] | None = None
    exist: tuple[bool, bool] | None = None


NOTHING_GIVEN = Given()

Measure = Callable[[Session, Sequence[Period], ZoneInfo, int | None, dt.datetime, Given], list[dict[str, Measured]]]


def _conversations(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime, given: Given
):
    return conversations.measure(session, periods, tz, channel_id, now)


def _community(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime, given: Given
):
    return community.measure(session, periods, tz, channel_id, audience=given.audience, channels=given.channels)


def _content(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime, given: Given
):
    return content.measure(session, periods, tz, channel_id)


def _product(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime, given: Given
):
    return product.measure(session, periods, tz, channel_id, local_today(now, tz), exist=given.exist)


def _escalations(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime, given: Given
):
    return escalations.measure(session, periods, tz, channel_id, now)


def _chain(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime, given: Given
):
    return chain.measure(session, periods, tz, channel_id, now)


def _moderation(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime, given: Given
):
    return moderation.measure(session, periods, tz, channel_id)


# Which families each measuring module gives figures of: a screen that shows one family runs only
# the modules it needs (tests/core/kpis check the map against every KPI's family). Each module
# measures consecutive periods (oldest first) together, in the same statements.
SOURCES: tuple[tuple[frozenset[Family], Measure], ...] = (
    (frozenset({Family.speed, Family.community}), _conversations),
    (frozenset({Family.community}), _community),
    (frozenset({Family.content, Family.display}), _content),
    (frozenset({Family.product}), _product),
    (frozenset({Family.speed}), _escalations),
    (frozenset({Family.chain}), _chain),
    (frozenset({Family.moderation}), _moderation),
)


def _measure(
    session: Session,
    periods: Sequence[Period],
    tz: ZoneInfo,
    channel_id: int | None,
    now: dt.datetime,
    families: frozenset[Family],
    given: Given,
) -> list[dict[str, Measured]]:
    measured: list[dict[str, Measured]] = [{} for __ in periods]
    for gives, measure in SOURCES:
        if gives & families:
            for into, figures in zip(measured, measure(session, periods, tz, channel_id, now, given), strict=True):
                into |= figures
    return measured


def compute_kpis(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    channel_id: int | None,
    now: dt.datetime,
    families: Collection[Family] | None = None,
) -> list[KpiValue]:
    """The KPIs for the period ``start``–``end`` (inclusive local dates) and the period of equal
    length just before, optionally for one channel; ``now`` decides which open items are overdue.
    Every KPI, or only those of ``families`` (and only their queries run)."""
    check_now(now)
    return _compute_kpis(session, workspace.timezone(session), Period(start, end), channel_id, now, families)


def _compute_kpis(
    session: Session,
    tz: ZoneInfo,
    period: Period,
    channel_id: int | None,
    now: dt.datetime,
    families: Collection[Family] | None = None,
    given: Given = NOTHING_GIVEN,
) -> list[KpiValue]:
    wanted = frozenset(families) if families is not None else frozenset(Family)
    before, current = _measure(session, (period.previous(), period), tz, channel_id, now, wanted, given)
    return [
        KpiValue(
            definition=d,
            value=current[d.key].value,
            previous=before[d.key].value,
            detail=current[d.key].detail,
            breakdown=current[d.key].breakdown,
            notes=current[d.key].notes,
            counts=current[d.key].counts,
            previous_counts=before[d.key].counts,
        )
        for d in KPIS
        if d.family in wanted
    ]


def first_data_day(session: Session) -> dt.date | None:
    """The local day of the earliest conversation, published post or idea (None without any):
    how far back the KPI period picker reaches, imported years of history included."""
    firsts = session.execute(
        select(
            *[
                select(func.min(column)).scalar_subquery()
                for column in (col(Conversation.received_at), col(Post.published_at), col(Idea.created_at))
            ]
        )
    ).one()
    instants = [i if i.tzinfo else i.replace(tzinfo=dt.UTC) for i in firsts if i is not None]
    return local_day(min(instants), workspace.timezone(session)) if instants else None


@dataclass(frozen=True)
class KpiOverview:
    """The overview of one period: every KPI against the period before, and the trends up to its end."""

    values: tuple[KpiValue, ...]
    trend: Trend


def kpi_overview(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    channel_id: int | None,
    now: dt.datetime,
    active_channels: tuple[tuple[int, str], ...] | None = None,
) -> KpiOverview:
    """Every KPI of the period and the trends of the weeks (or months, for a long period) up to its
    end. ``active_channels``: (id, name) of the active channels by name, if the caller read them."""
    check_now(now)
    tz = workspace.timezone(session)  # read once for both
    period = Period(start, end)
    grain = grain_for(period)
    # The figures and the trends share what both need, read once over the periods and buckets.
    span = Period(min(period.previous().start, trend_buckets(end, grain, TREND_COUNT)[0].start), end)
    given = Given(
        audience=audience_rows(session, span, channel_id),
        channels=active_channels,
        exist=has_ideas_and_loop_items(session),
    )
    values = _compute_kpis(session, tz, period, channel_id, now, given=given)
    trend = trends_in(
        session,
        tz,
        end=end,
        grain=grain,
        count=TREND_COUNT,
        channel_id=channel_id,
        now=now,
        audience=given.audience,
        exist=given.exist,
    )
    return KpiOverview(tuple(values), trend)
