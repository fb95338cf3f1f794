"""The moderation KPIs: flagged share, time to moderate, repeat offenders and the share of threads
put in slow mode, for one period (a conversation belongs to the period it was received in, a flag
to the period it was raised in, an action to the period it was taken in)."""

from __future__ import annotations

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlmodel import Session, col

from core.community.members import merge_map
from core.i18n import _, ngettext
from core.kpis.conversations import conversation_scope
from core.kpis.definitions import KPIS, Family
from core.kpis.periods import Period
from core.kpis.sql import in_range, ratio
from core.kpis.values import KpiValue, Measured
from db.models import Conversation, ModerationAction, ModerationFlag, ModerationKind

# Actions that answer a member's behaviour (slow mode is about a thread, not one person).
_AGAINST_MEMBER = (ModerationKind.hidden, ModerationKind.deleted, ModerationKind.warned, ModerationKind.muted)


def _conversations(session: Session, lo: dt.datetime, hi: dt.datetime, channel_id: int | None) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(Conversation).where(*conversation_scope(lo, hi, channel_id))
        ).scalar_one()
    )


def _with(session: Session, model, lo: dt.datetime, hi: dt.datetime, channel_id: int | None, *conditions) -> int:
    statement = (
        select(func.count(distinct(model.conversation_id)))
        .join(Conversation, col(Conversation.id) == model.conversation_id)
        .where(*conversation_scope(lo, hi, channel_id), *conditions)
    )
    return int(session.execute(statement).scalar_one())


def measure(session: Session, lo: dt.datetime, hi: dt.datetime, channel_id: int | None) -> dict[str, Measured]:
    total = _conversations(session, lo, hi, channel_id)
    flagged = _with(session, ModerationFlag, lo, hi, channel_id, ~col(ModerationFlag.dismissed))
    slowed = _with(
        session, ModerationAction, lo, hi, channel_id, col(ModerationAction.kind) == ModerationKind.slow_mode
    )

    f = ModerationFlag
    scope = [in_range(col(f.flagged_at), lo, hi), col(f.closed_at).is_not(None)]
    source = select(col(f.flagged_at), col(f.closed_at)).where(*scope)
    if channel_id is not None:
        source = source.join(Conversation, col(Conversation.id) == f.conversation_id).where(
            col(Conversation.channel_id) == channel_id
        )
    hours = [(closed - flagged_at).total_seconds() / 3600 for flagged_at, closed in session.execute(source)]
    still_open = int(
        session.execute(
            select(func.count()).select_from(f).where(in_range(col(f.flagged_at), lo, hi), col(f.closed_at).is_(None))
        ).scalar_one()
    )

    roots = merge_map(session)
    a = ModerationAction
    counted = select(col(a.member_key), col(a.acted_at)).where(col(a.kind).in_(_AGAINST_MEMBER), col(a.acted_at) < hi)
    if channel_id is not None:
        counted = counted.join(Conversation, col(Conversation.id) == a.conversation_id).where(
            col(Conversation.channel_id) == channel_id
        )
    so_far: dict[str, int] = {}
    in_period: set[str] = set()
    for key, acted_at in session.execute(counted):
        member = roots.get(key, key)
        so_far[member] = so_far.get(member, 0) + 1
        if acted_at >= lo:
            in_period.add(member)
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
    current = measure(session, *period.utc_bounds(tz), channel_id)
    before = measure(session, *period.previous().utc_bounds(tz), channel_id)
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
