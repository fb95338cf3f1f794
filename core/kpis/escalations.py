"""The escalation KPIs (paper §5, §14: escalation through RACI): escalations per team, the time
to resolve after an escalation, and the share resolved within the team's deadline.

An escalation belongs to the period of its escalation time (``escalated_at``). The time to resolve
is wall-clock hours from the escalation to the resolution (what the person waited), over the
period's escalations resolved by now; the deadline share is resolved at or before the escalation
deadline ÷ (that + resolved after it + still open past it at ``now``), over escalations that have a
deadline — open ones not yet due are in neither side, as in the SLA share.
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from core import formats
from core.i18n import _, ngettext
from core.kpis.periods import Period
from core.kpis.sql import in_range, period_bounds, ratio
from core.kpis.values import Measured
from db.models import Conversation, ConversationStatus, EscalationTeam
from db.types import Unindexed

HOUR = dt.timedelta(hours=1)


def deadline_verdict(
    deadline_at: dt.datetime | None, resolved_at: dt.datetime | None, *, resolved: bool, now: dt.datetime
) -> bool | None:
    """Within the deadline (True), past it (False), or not decided (None: no deadline, or open
    and not due yet)."""
    if deadline_at is None:
        return None
    if resolved and resolved_at is not None:
        return resolved_at <= deadline_at
    return False if now >= deadline_at else None


class _Team:
    def __init__(self) -> None:
        self.count = 0
        self.hours: list[float] = []
        self.verdicts: list[bool | None] = []

    def line(self, name: str) -> str:
        within, late = self.verdicts.count(True), self.verdicts.count(False)
        parts = [ngettext("{team}: {count} escalation", "{team}: {count} escalations", self.count, team=name)]
        if self.hours:
            parts.append(
                _(
                    "{resolved} resolved, median {hours}",
                    resolved=len(self.hours),
                    hours=formats.hours(statistics.median(self.hours)),
                )
            )
        if within + late:
            parts.append(_("{within} of {total} within the deadline", within=within, total=within + late))
        return " · ".join(parts)


def measure(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None, now: dt.datetime
) -> list[dict[str, Measured]]:
    """The escalation KPIs of consecutive periods (oldest first), with a line per team: one
    statement reads the escalations of them all."""
    bounds = period_bounds(periods, tz)
    c = Conversation
    conditions = [in_range(col(c.escalated_at), bounds[0], bounds[-1]), col(c.escalation_team_id).is_not(None)]
    if channel_id is not None:
        conditions.append(Unindexed(c.channel_id) == channel_id)
    rows = session.execute(
        select(
            col(EscalationTeam.name),
            col(c.escalated_at),
            col(c.resolved_at),
            col(c.status),
            col(c.escalation_deadline_at),
        )
        .join(EscalationTeam, col(EscalationTeam.id) == col(c.escalation_team_id))
        .where(*conditions)
    ).all()
    per_period: list[list[Any]] = [[] for __ in periods]
    for row in rows:
        per_period[bisect.bisect_right(bounds, row[1]) - 1].append(row)
    teams_exist: list[bool] = []

    def any_teams() -> bool:
        if not teams_exist:
            teams_exist.append(_any_teams(session))
        return teams_exist[0]

    return [_measured(period_rows, now, any_teams) for period_rows in per_period]


def _measured(rows: list[Any], now: dt.datetime, any_teams: Callable[[], bool]) -> dict[str, Measured]:
    teams: dict[str, _Team] = defaultdict(_Team)
    for team, escalated_at, resolved_at, status, deadline_at in rows:
        figures = teams[team]
        figures.count += 1
        resolved = status == ConversationStatus.resolved and resolved_at is not None
        if resolved:
            figures.hours.append((resolved_at - escalated_at) / HOUR)
        figures.verdicts.append(deadline_verdict(deadline_at, resolved_at, resolved=resolved, now=now))
    hours = [h for t in teams.values() for h in t.hours]
    verdicts = [v for t in teams.values() for v in t.verdicts]
    within, late = verdicts.count(True), verdicts.count(False)
    notes = tuple(teams[name].line(name) for name in sorted(teams, key=lambda n: (-teams[n].count, n.lower())))
    total = len(rows)
    return {
        "escalations": Measured(
            float(total) if total or any_teams() else None,
            ngettext("{count} team", "{count} teams", len(teams)) if total else "",
            notes=notes,
        ),
        "escalation_resolve_hours": Measured(
            statistics.median(hours) if hours else None,
            _("{resolved} of {total} resolved", resolved=len(hours), total=total) if total else "",
        ),
        "escalation_within_deadline": Measured(
            ratio(within, within + late, 100),
            _("{within} within, {late} past the deadline", within=within, late=late) if within + late else "",
        ),
    }


def _any_teams(session: Session) -> bool:
    return session.execute(select(col(EscalationTeam.id)).limit(1)).first() is not None
