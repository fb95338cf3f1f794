"""When the KPIs last moved on their own: the instant a screen can compute them as of.

Between two writes the KPIs change with the clock at a few known instants only:

* an unanswered conversation's reply deadline passes (its SLA verdict turns from "not due yet" to
  "breached": the speed family, the chain's posts and the trends);
* an open escalation's deadline passes (the escalations' deadline share);
* 14 days pass since an idea shipped (announced within 14 days: from "not over yet" to "no");
* the workspace's day changes (the improvements' impact windows count in days).

So the KPIs at ``now`` are exactly the KPIs at ``as_of(now)``, the latest of those instants up to
``now`` (at the earliest the start of the workspace's day). A screen that keys its cached KPIs by
that instant computes them again when one of them passes or the data changes, not every minute.
``tests/core/kpis/test_clock.py`` checks the equality at every such instant and between them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlmodel import Session, col

from core import workspace
from core.kpis.chain import ANNOUNCE_WITHIN
from core.kpis.sql import check_now
from core.local_time import local_midnight, local_today
from db.models import Conversation, Idea


def as_of(session: Session, *, now: dt.datetime) -> dt.datetime:
    """The latest instant up to ``now`` at which a KPI can have changed without a write (see the
    module's text); every KPI and trend computed as of it equals the one computed at ``now``."""
    check_now(now)
    tz = workspace.timezone(session)
    day_start = local_midnight(local_today(now, tz), tz)
    c, i = Conversation, Idea
    deadline, escalation_deadline = col(c.deadline_at), col(c.escalation_deadline_at)
    # One statement: each part reads today's instants only, through an index.
    passed_deadline = (
        select(func.max(deadline))
        .where(deadline > day_start, deadline <= now, col(c.first_reply_at).is_(None))
        .scalar_subquery()
    )
    passed_escalation = (
        select(func.max(escalation_deadline))
        .where(
            # Ids start at 1: a range SQLite's planner seeks in the escalation index (it scans the
            # table for IS NOT NULL, having no statistics).
            col(c.escalation_team_id) >= 1,
            escalation_deadline > day_start,
            escalation_deadline <= now,
        )
        .scalar_subquery()
    )
    shipped = col(i.shipped_at)
    announce_over = (
        select(func.max(shipped))
        .where(shipped > day_start - ANNOUNCE_WITHIN, shipped <= now - ANNOUNCE_WITHIN)
        .scalar_subquery()
    )
    row = session.execute(select(passed_deadline, passed_escalation, announce_over)).one()
    deadline_passed, escalation_passed, shipped_before = row
    instants = [day_start, deadline_passed, escalation_passed]
    if shipped_before is not None:
        instants.append(shipped_before + ANNOUNCE_WITHIN)
    return max(instant for instant in instants if instant is not None)
