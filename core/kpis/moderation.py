"""The moderation KPIs: flagged share, time to moderate, repeat offenders and the share of threads
put in slow mode, for one period (a conversation belongs to the period it was received in, a flag
to the period it was raised in, an action to the period it was taken in)."""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select, true
from sqlmodel import Session, col

from core.community.members import merge_map
from core.i18n import _, ngettext
from core.kpis.conversations import conversation_scope
from core.kpis.definitions import KPIS, Family
from core.kpis.periods import Period
from core.kpis.sql import bucket_index, count_if, in_range, period_bounds, ratio
from core.kpis.values import KpiValue, Measured
from db.models import Conversation, ModerationAction, ModerationFlag, ModerationKind

# Actions that answer a member's behaviour (slow mode is about a thread, not one person).
_AGAINST_MEMBER = (ModerationKind.hidden, ModerationKind.deleted, ModerationKind.warned, ModerationKind.muted)


def _conversation_counts(
    session: Session, bounds: list[dt.datetime], channel_id: int | None
) -> list[tuple[int, int, int]]:
    """(conversations, of them flagged and not dismissed, of them put in slow mode) of each period
    between ``bounds``, in one grouped statement."""
    c, f, a = Conversation, ModerationFlag, ModerationAction
    flagged = exists(select(1).where(col(f.conversation_id) == col(c.id), ~col(f.dismissed)))
    slowed = exists(select(1).where(col(a.conversation_id) == col(c.id), col(a.kind) == ModerationKind.slow_mode))
    index = bucket_index(col(c.received_at), bounds).label("bucket")
    rows = session.execute(
        select(index, func.count(), count_if(flagged), count_if(slowed))
        .where(*conversation_scope(bounds[0], bounds[-1], channel_id))
        .group_by(index)
    )
    out = [(0, 0, 0)] * (len(bounds) - 1)
    for bucket, total, flagged_count, slowed_count in rows:
        out[int(bucket)] = (int(total), int(flagged_count or 0), int(slowed_count or 0))
    return out


def _flags(session: Session, bounds: list[dt.datetime], channel_id: int | None) -> list[tuple[list[float], int]]:
    """(hours from flag to closing of the closed flags in the channel, flags still open in any
    channel) of each period between ``bounds``, from one statement."""
    f = ModerationFlag
    in_channel: Any = true() if channel_id is None else col(Conversation.channel_id) == channel_id
    rows = session.execute(
        select(col(f.flagged_at), col(f.closed_at), in_channel)
        .join(Conversation, col(Conversation.id) == f.conversation_id)
        .where(in_range(col(f.flagged_at), bounds[0], bounds[-1]))
    )
    out: list[tuple[list[float], int]] = [([], 0) for __ in range(len(bounds) - 1)]
    for flagged_at, closed, counted in rows:
        bucket = bisect.bisect_right(bounds, flagged_at) - 1
        hours, still_open = out[bucket]
        if closed is None:
            out[bucket] = (hours, still_open + 1)
        elif counted:
            hours.append((closed - flagged_at).total_seconds() / 3600)
    return out


def _acted_on(
    session: Session, bounds: list[dt.datetime], channel_id: int | None
) -> list[tuple[set[str], dict[str, int]]]:
    """(members acted on in the period, actions against each member up to its end) of each period
    between ``bounds``: one statement reads the actions up to the last end."""
    roots = merge_map(session)
    a = ModerationAction
    counted = select(col(a.member_key), col(a.acted_at)).where(
        col(a.kind).in_(_AGAINST_MEMBER), col(a.acted_at) < bounds[-1]
    )
    if channel_id is not None:
        counted = counted.join(Conversation, col(Conversation.id) == a.conversation_id).where(
            col(Conversation.channel_id) == channel_id
        )
    out: list[tuple[set[str], dict[str, int]]] = [(set(), {}) for __ in range(len(bounds) - 1)]
    for key, acted_at in session.execute(counted):
        member = roots.get(key, key)
        for bucket, (in_period, so_far) in enumerate(out):
            lo, hi = bounds[bucket], bounds[bucket + 1]
            if acted_at < hi:
                so_far[member] = so_far.get(member, 0) + 1
                if acted_at >= lo:
                    in_period.add(member)
    return out


def measure(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None
) -> list[dict[str, Measured]]:
    """The moderation KPIs of consecutive periods (oldest first), read for them all at once."""
    bounds = period_bounds(periods, tz)
    return [
        _measured(counts, flags, acted)
        for counts, flags, acted in zip(
            _conversation_counts(session, bounds, channel_id),
            _flags(session, bounds, channel_id),
            _acted_on(session, bounds, channel_id),
            strict=True,
        )
    ]


def _measured(
    counts: tuple[int, int, int], flags: tuple[list[float], int], acted: tuple[set[str], dict[str, int]]
) -> dict[str, Measured]:
    total, flagged, slowed = counts
    hours, still_open = flags
    in_period, so_far = acted
    repeat = sorted(m for m in in_period if so_far[m] > 1)

    return {
        "flagged_share": Measured(
            ratio(flagged, total, 100),
            _("{flagged} of {total} conversations", flagged=flagged, total=total),
            counts=(("flagged", flagged), ("conversations", total)),
        ),
        "time_to_moderate": Measured(
            statistics.median(hours) if hours else None,
            ngettext(
                "{count} flag moderated, {open} still open",
                "{count} flags moderated, {open} still open",
                len(hours),
                open=still_open,
            ),
            counts=(("moderated", len(hours)), ("open", still_open)),
        ),
        "repeat_offenders": Measured(
            float(len(repeat)) if in_period else (0.0 if total else None),
            ngettext(
                "{repeat} of {count} member acted on had been acted on before",
                "{repeat} of {count} members acted on had been acted on before",
                len(in_period),
                repeat=len(repeat),
            ),
            counts=(("repeat", len(repeat)), ("acted_on", len(in_period))),
        ),
        "slow_mode_share": Measured(
            ratio(slowed, total, 100),
            _("{slowed} of {total} threads", slowed=slowed, total=total),
            counts=(("slow_mode", slowed), ("conversations", total)),
        ),
    }


def moderation_kpis(
    session: Session, *, start: dt.date, end: dt.date, tz_name: str, channel_id: int | None = None
) -> tuple[KpiValue, ...]:
    """The moderation KPIs of the period ``start``–``end`` (local dates) beside the period before."""
    period = Period(start, end)
    tz = ZoneInfo(tz_name)
    before, current = measure(session, (period.previous(), period), tz, channel_id)
    return tuple(
        KpiValue(
            definition=d,
            value=current[d.key].value,
            previous=before[d.key].value,
            detail=current[d.key].detail,
            counts=current[d.key].counts,
            previous_counts=before[d.key].counts,
        )
        for d in KPIS
        if d.family == Family.moderation
    )
