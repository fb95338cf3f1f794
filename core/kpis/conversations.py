"""The KPIs read from conversations: response times (median and p90, business and calendar
minutes), the SLA share, closed without escalation, replies stamped before the message, and UGC
per week and marked useful — counted in one pass over the covering index for a period and the one before."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Integer, and_, cast, exists, false, func, literal, or_, select, true, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from core.i18n import _, ngettext
from core.kpis.periods import Period
from core.kpis.sql import bucket_index, by_bucket, count_if, counts_of, in_range, period_bounds, ratio
from core.kpis.values import Measured
from db.models import Conversation, ConversationKind, ConversationStatus
from db.types import Unindexed

PERCENTILES = {"median": 0.5, "p90": 0.9}


def _needs_reply() -> ColumnElement[bool]:
    """Kind question or complaint and not marked "no reply needed".

    The mark is the status, and it outlives it: an item marked and then resolved keeps its
    reason and has no reply (marking is refused once answered; a later reply reopens it).
    """
    c = Conversation
    return and_(
        col(c.kind).in_((ConversationKind.question.value, ConversationKind.complaint.value)),
        col(c.status) != ConversationStatus.no_reply_needed.value,
        or_(col(c.first_reply_at).is_not(None), ~_has_no_reply_reason()),
    )


def needs_reply_condition() -> ColumnElement[bool]:
    """SPEC's "needs a reply" as a SQL condition (for the other KPI families)."""
    return _needs_reply()


class _HasNoReplyReason(FunctionElement):
    """Whether the conversation carries a "no reply needed" reason.

    On SQLite it is looked up by id in a second reference to the table, so the per-period figures
    keep reading the covering KPI index alone (the reason is not in it) and only the few unanswered
    items reach the lookup. PostgreSQL reads the column: the self-join made its planner expect far
    more rows than there are and spend longer compiling the query (JIT) than running it.
    """

    inherit_cache = True
    name = "has_no_reply_reason"
    type = Boolean()


@compiles(_HasNoReplyReason)
def _compile_reason(element, compiler, **kw):
    return compiler.process(Conversation.__table__.c.no_reply_reason != "", **kw)  # type: ignore[attr-defined]


@compiles(_HasNoReplyReason, "sqlite")
def _compile_reason_sqlite(element, compiler, **kw):
    marked = Conversation.__table__.alias("marked")  # type: ignore[attr-defined]
    lookup = exists(select(1).select_from(marked).where(marked.c.id == Conversation.id, marked.c.no_reply_reason != ""))
    return compiler.process(lookup, **kw)


def _has_no_reply_reason() -> ColumnElement[bool]:
    return _HasNoReplyReason()


def conversation_scope(lo: dt.datetime, hi: dt.datetime, channel_id: int | None) -> list[ColumnElement[bool]]:
    """Conversations received in ``[lo, hi)``, in one channel or all."""
    conditions = [in_range(col(Conversation.received_at), lo, hi)]
    if channel_id is not None:
        conditions.append(Unindexed(Conversation.channel_id) == channel_id)
    return conditions


def sla_counted() -> ColumnElement[bool]:
    """Conversations the SLA share judges: they need a reply, carry a deadline and have no reply
    stamped before the message."""
    c = Conversation
    return and_(_needs_reply(), col(c.reply_before_message) == false(), col(c.deadline_at).is_not(None))


def sla_conditions(now: dt.datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(met, breached) for conversations that need a reply and carry a deadline."""
    c = Conversation
    first_reply, deadline = col(c.first_reply_at), col(c.deadline_at)
    counted = sla_counted()
    met = and_(counted, first_reply.is_not(None), first_reply <= deadline)
    breached = and_(
        counted,
        or_(
            and_(first_reply.is_not(None), first_reply > deadline),
            and_(first_reply.is_(None), deadline <= now),
        ),
    )
    return met, breached


def _resolved_conditions() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    c = Conversation
    resolved = col(c.status) == ConversationStatus.resolved.value
    clean = and_(resolved, col(c.escalated_at).is_(None), col(c.escalation_team_id).is_(None))
    return resolved, clean


def conversation_columns(now: dt.datetime) -> list[ColumnElement[Any]]:
    """The per-period conversation counts, one pass over the covering index."""
    c = Conversation
    met, breached = sla_conditions(now)
    resolved, clean = _resolved_conditions()
    ugc = col(c.kind) == ConversationKind.ugc.value
    return [
        func.count().label("conversations"),
        count_if(_needs_reply()).label("needs_reply"),
        count_if(and_(_needs_reply(), col(c.reply_before_message) == true())).label("replies_before"),
        count_if(met).label("sla_met"),
        count_if(breached).label("sla_breached"),
        count_if(resolved).label("resolved"),
        count_if(clean).label("resolved_clean"),
        count_if(ugc).label("ugc"),
        count_if(and_(ugc, col(c.useful) == true())).label("ugc_useful"),
    ]


def conversation_kpis(counts: Mapping[str, int], *, weeks: float) -> dict[str, float | None]:
    """The conversation KPIs from the counts of one period (or one trend bucket)."""
    has_conversations = counts["conversations"] > 0
    return {
        "sla_share": ratio(counts["sla_met"], counts["sla_met"] + counts["sla_breached"], 100),
        "closed_without_escalation": ratio(counts["resolved_clean"], counts["resolved"], 100),
        "replies_before_message": float(counts["replies_before"]) if has_conversations else None,
        "ugc_per_week": counts["ugc"] / weeks if has_conversations else None,
        "ugc_useful_share": ratio(counts["ugc_useful"], counts["ugc"], 100),
    }


def _conversation_counts(
    session: Session, bounds: list[dt.datetime], channel_id: int | None, now: dt.datetime
) -> list[dict[str, int]]:
    """The counts of each period between ``bounds``, in one grouped statement."""
    index = bucket_index(col(Conversation.received_at), bounds).label("bucket")
    rows = by_bucket(
        session.execute(
            select(index, *conversation_columns(now))
            .where(*conversation_scope(bounds[0], bounds[-1], channel_id))
            .group_by(index)
        ),
        len(bounds) - 1,
    )
    empty = {column.name: 0 for column in conversation_columns(now)}
    return [empty if row is None else counts_of(row) for row in rows]


def answered_scope(lo: dt.datetime, hi: dt.datetime, channel_id: int | None) -> list[ColumnElement[bool]]:
    """Conversations of the period that need a reply and have one not stamped before the message."""
    c = Conversation
    return [
        *conversation_scope(lo, hi, channel_id),
        _needs_reply(),
        col(c.reply_before_message) == false(),
        col(c.business_minutes_to_reply).is_not(None),
        col(c.calendar_minutes_to_reply).is_not(None),
    ]


def _response_times(session: Session, bounds: list[dt.datetime], channel_id: int | None) -> list[dict[str, Any]]:
    """Median and p90 of business and calendar minutes to the first reply (see ``core.kpis``) of
    each period between ``bounds``: one statement for them all."""
    c = Conversation
    n = len(bounds) - 1
    scope = answered_scope(bounds[0], bounds[-1], channel_id)
    columns = {"business": col(c.business_minutes_to_reply), "calendar": col(c.calendar_minutes_to_reply)}
    index = bucket_index(col(c.received_at), bounds)
    none = {f"{name}_{p}": None for name in columns for p in PERCENTILES}
    out: list[dict[str, Any]] = [{"answered": 0} | none for __ in range(n)]
    if session.get_bind().dialect.name == "postgresql":
        selected = [
            func.percentile_cont(share).within_group(column).label(f"{name}_{p}")
            for name, column in columns.items()
            for p, share in PERCENTILES.items()
        ]
        rows = session.execute(
            select(index.label("bucket"), func.count().label("answered"), *selected).where(*scope).group_by(index)
        )
        for row in rows:
            found = dict(row._mapping)
            bucket = int(found.pop("bucket"))
            out[bucket] = {"answered": int(found.pop("answered"))} | {key: float(v) for key, v in found.items()}
        return out
    # SQLite: each value's rank in its period, and only the ranks either side of each percentile
    # read back; interpolated here as PostgreSQL's percentile_cont does.
    parts = []
    for name, column in columns.items():
        ranked = (
            select(
                index.label("bucket"),
                column.label("value"),
                func.row_number().over(partition_by=index, order_by=column).label("rank"),
                func.count().over(partition_by=index).label("n"),
            )
            .where(*scope)
            .subquery()
        )
        near = or_(
            *[
                and_(
                    ranked.c.rank >= cast(share * (ranked.c.n - 1), Integer),
                    ranked.c.rank <= cast(share * (ranked.c.n - 1), Integer) + 3,
                )
                for share in PERCENTILES.values()
            ]
        )
        parts.append(
            select(literal(name).label("name"), ranked.c.bucket, ranked.c.n, ranked.c.rank, ranked.c.value).where(near)
        )
    values: dict[tuple[str, int], dict[int, float]] = {}
    for name, bucket, answered, rank, value in session.execute(union_all(*parts)):
        out[int(bucket)]["answered"] = int(answered)
        values.setdefault((name, int(bucket)), {})[int(rank) - 1] = float(value)
    for bucket, figures in enumerate(out):
        answered = figures["answered"]
        for name in columns:
            for p, share in PERCENTILES.items():
                if not answered:
                    continue
                position = share * (answered - 1)
                lower = math.floor(position)
                ranked_values = values[(name, bucket)]
                value = ranked_values[lower]
                if lower + 1 in ranked_values and position > lower:
                    value += (position - lower) * (ranked_values[lower + 1] - value)
                figures[f"{name}_{p}"] = value
    return out


def measure(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime
) -> list[dict[str, Measured]]:
    """The conversation KPIs of consecutive periods (oldest first), with the detail each card shows."""
    bounds = period_bounds(periods, tz)
    counts = _conversation_counts(session, bounds, channel_id, now)
    times = _response_times(session, bounds, channel_id)
    return [_measured(period, conv, t) for period, conv, t in zip(periods, counts, times, strict=True)]


def _measured(period: Period, conv: dict[str, int], times: dict[str, Any]) -> dict[str, Measured]:
    out: dict[str, Measured] = {}
    has_conversations = conv["conversations"] > 0
    answered = times["answered"]
    flagged = conv["replies_before"]
    times_detail = ngettext("{count} answered conversation", "{count} answered conversations", answered) + (
        "; " + _("{count} with a reply stamped before the message left out", count=flagged) if flagged else ""
    )
    for key, column in (
        ("first_response_median", "business_median"),
        ("first_response_p90", "business_p90"),
        ("first_response_median_calendar", "calendar_median"),
        ("first_response_p90_calendar", "calendar_p90"),
    ):
        out[key] = Measured(
            times[column],
            times_detail if answered else "",
            counts=(("needing_reply", conv["needs_reply"]), ("answered", answered), ("replies_before", flagged)),
        )
    values = conversation_kpis(conv, weeks=period.weeks)
    met, breached = conv["sla_met"], conv["sla_breached"]
    out["sla_share"] = Measured(
        values["sla_share"],
        _("{met} met, {breached} breached", met=met, breached=breached) if met + breached else "",
        counts=(
            ("conversations", conv["conversations"]),
            ("needing_reply", conv["needs_reply"]),
            ("met", met),
            ("breached", breached),
        ),
    )
    resolved, clean = conv["resolved"], conv["resolved_clean"]
    out["closed_without_escalation"] = Measured(
        values["closed_without_escalation"],
        _("{clean} of {resolved} resolved", clean=clean, resolved=resolved) if resolved else "",
        counts=(("resolved", resolved), ("resolved_without_escalation", clean)),
    )
    out["replies_before_message"] = Measured(
        values["replies_before_message"], counts=(("conversations", conv["conversations"]),)
    )
    ugc, useful = conv["ugc"], conv["ugc_useful"]
    out["ugc_per_week"] = Measured(
        values["ugc_per_week"],
        _("{ugc} UGC in {days} days", ugc=ugc, days=period.days) if has_conversations else "",
        counts=(("ugc", ugc), ("days", period.days)),
    )
    out["ugc_useful_share"] = Measured(
        values["ugc_useful_share"],
        _("{useful} of {ugc} useful", useful=useful, ugc=ugc) if ugc else "",
        counts=(("ugc", ugc), ("useful", useful)),
    )
    return out
