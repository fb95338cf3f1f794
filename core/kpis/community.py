"""The community KPIs read from people: the active share (distinct people who wrote or gave an
idea, against the audience entered) and returns D7/D30 of the people first seen in the period.
A person is a handle key (``core.handles``): "@Ann" on Instagram and "@ann" in a survey are one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from core import formats
from core.i18n import _, ngettext
from core.kpis.audience import AudienceRow, periods_audience
from core.kpis.conversations import conversation_scope
from core.kpis.periods import Period
from core.kpis.sql import bucket_index, count_if, in_range, period_bounds, plus_hours, ratio
from core.kpis.values import Measured
from db.models import Conversation, Idea, IdeaGiver
from db.types import Unindexed


def giver_scope(lo: dt.datetime, hi: dt.datetime, channel_id: int | None) -> tuple[Any, list[ColumnElement[bool]]]:
    """Idea givers in ``[lo, hi)``; an idea giver's channel is the one recorded on it, else its idea's."""
    g = IdeaGiver
    conditions = [in_range(col(g.given_at), lo, hi)]
    source: Any = IdeaGiver
    if channel_id is not None:
        source = IdeaGiver.__table__.join(Idea.__table__, col(Idea.id) == g.idea_id)  # type: ignore[attr-defined]
        conditions.append(func.coalesce(g.channel_id, Idea.channel_id) == channel_id)
    return source, conditions


def people_per_bucket(session: Session, bounds: Sequence[dt.datetime], channel_id: int | None) -> dict[int, int]:
    """Distinct people who wrote or gave an idea in each range of ``bounds``, by range index: one statement."""
    c, g = Conversation, IdeaGiver
    lo, hi = bounds[0], bounds[-1]
    source, giver_conditions = giver_scope(lo, hi, channel_id)
    both = union_all(
        select(bucket_index(col(c.received_at), bounds).label("bucket"), col(c.author_key).label("handle")).where(
            *conversation_scope(lo, hi, channel_id)
        ),
        select(bucket_index(col(g.given_at), bounds).label("bucket"), col(g.handle_key).label("handle"))
        .select_from(source)
        .where(*giver_conditions),
    ).subquery()
    rows = session.execute(select(both.c.bucket, func.count(func.distinct(both.c.handle))).group_by(both.c.bucket))
    return {int(index): int(count) for index, count in rows}


def _returns(session: Session, bounds: Sequence[dt.datetime], channel_id: int | None) -> list[tuple[int, int, int]]:
    """(people first seen in the period, of them back within 7 days, within 30 days) of each
    period between ``bounds``, in one statement: a person is new in the period of their first
    interaction in ``[bounds[0], bounds[-1])`` if they had none before ``bounds[0]``."""
    c, g = Conversation, IdeaGiver
    lo, hi = bounds[0], bounds[-1]
    source, giver_conditions = giver_scope(lo, hi, channel_id)
    firsts_in_period = union_all(
        select(col(c.author_key).label("handle"), func.min(c.received_at).label("first_at"))
        .where(*conversation_scope(lo, hi, channel_id))
        .group_by(col(c.author_key)),
        select(col(g.handle_key).label("handle"), func.min(g.given_at).label("first_at"))
        .select_from(source)
        .where(*giver_conditions)
        .group_by(col(g.handle_key)),
    ).subquery("firsts_in_period")
    firsts = (
        select(firsts_in_period.c.handle, func.min(firsts_in_period.c.first_at).label("first_at"))
        .group_by(firsts_in_period.c.handle)
        .subquery("firsts")
    )

    def interactions(start_after: Any, up_to: Any = None) -> ColumnElement[bool]:
        """Whether the person has a conversation or idea in (start_after, up_to] / before ``lo``."""
        conv_alias = Conversation.__table__.alias()  # type: ignore[attr-defined]
        giver_alias = IdeaGiver.__table__.alias()  # type: ignore[attr-defined]
        idea_alias = Idea.__table__.alias()  # type: ignore[attr-defined]
        if start_after is None:
            conv_when = conv_alias.c.received_at < lo
            giver_when = giver_alias.c.given_at < lo
        else:
            conv_when = and_(conv_alias.c.received_at > start_after, conv_alias.c.received_at <= up_to)
            giver_when = and_(giver_alias.c.given_at > start_after, giver_alias.c.given_at <= up_to)
        conv_where = [conv_alias.c.author_key == firsts.c.handle, conv_when]
        giver_where = [giver_alias.c.handle_key == firsts.c.handle, giver_when]
        giver_from: Any = giver_alias
        if channel_id is not None:
            conv_where.append(Unindexed(conv_alias.c.channel_id) == channel_id)
            giver_from = giver_alias.join(idea_alias, idea_alias.c.id == giver_alias.c.idea_id)
            giver_where.append(func.coalesce(giver_alias.c.channel_id, idea_alias.c.channel_id) == channel_id)
        return or_(
            exists(select(1).select_from(conv_alias).where(*conv_where)),
            exists(select(1).select_from(giver_from).where(*giver_where)),
        )

    first_at = firsts.c.first_at
    index = bucket_index(first_at, bounds)
    rows = session.execute(
        select(
            index,
            func.count(),
            count_if(interactions(first_at, plus_hours(session, first_at, 7 * 24))),
            count_if(interactions(first_at, plus_hours(session, first_at, 30 * 24))),
        )
        .select_from(firsts)
        .where(~interactions(None))
        .group_by(index)
    )
    out = [(0, 0, 0)] * (len(bounds) - 1)
    for bucket, newcomers, back7, back30 in rows:
        out[int(bucket)] = (int(newcomers), int(back7 or 0), int(back30 or 0))
    return out


def measure(
    session: Session,
    periods: Sequence[Period],
    tz: ZoneInfo,
    channel_id: int | None,
    *,
    audience: Sequence[AudienceRow] | None = None,
    channels: Sequence[tuple[int, str]] | None = None,
) -> list[dict[str, Measured]]:
    """The community KPIs of consecutive periods (oldest first) read from people (UGC is counted
    with the conversations); ``audience`` and ``channels``: as read by the caller already."""
    bounds = period_bounds(periods, tz)
    people = people_per_bucket(session, bounds, channel_id)
    audiences = periods_audience(session, periods, channel_id, rows=audience, channels=channels)
    returns = _returns(session, bounds, channel_id)
    return [_measured(period, people.get(i, 0), audiences[i], returns[i]) for i, period in enumerate(periods)]


def _measured(
    period: Period,
    people: int,
    audience_and_missing: tuple[float | None, list[str]],
    returns: tuple[int, int, int],
) -> dict[str, Measured]:
    out: dict[str, Measured] = {}
    audience, missing = audience_and_missing
    detail = (
        ngettext(
            "{count} active person of {audience}",
            "{count} active people of {audience}",
            people,
            audience=formats.number(audience),
        )
        if audience
        else ""
    )
    if missing:
        detail += ("; " if detail else "") + _("no audience size for {channels}", channels=", ".join(missing))
    out["active_share"] = Measured(
        ratio(people, audience, 100), detail, counts=(("active_people", people), ("audience", round(audience or 0)))
    )
    newcomers, back7, back30 = returns
    out["returns_d7"] = Measured(
        ratio(back7, newcomers, 100),
        _("{back} of {new} new people back within 7 days", back=back7, new=newcomers) if newcomers else "",
        counts=(("new_people", newcomers), ("back_within_7_days", back7)),
    )
    out["returns_d30"] = Measured(
        ratio(back30, newcomers, 100),
        _("{back} of {new} new people back within 30 days", back=back30, new=newcomers) if newcomers else "",
        counts=(("new_people", newcomers), ("back_within_30_days", back30)),
    )
    return out
