"""Arranging KPI tests: Berlin times, every KPI of a period by key, answered conversations.

The workspace time zone is Europe/Berlin (UTC+1 in early March 2025). The period under test is
mostly the week Monday 3 – Sunday 9 March 2025; the previous period is 24 Feb – 2 Mar.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.kpis.overview import compute_kpis
from core.kpis.values import KpiValue
from tests.factories import make_conversation

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
WEEK = (dt.date(2025, 3, 3), dt.date(2025, 3, 9))
NOW = dt.datetime(2025, 3, 20, 12, tzinfo=UTC)


def berlin(day: int, hour: int, minute: int = 0, *, month: int = 3, second: int = 0, micro: int = 0) -> dt.datetime:
    """A local Berlin time in 2025, as the UTC instant the database stores."""
    return dt.datetime(2025, month, day, hour, minute, second, micro, tzinfo=BERLIN).astimezone(UTC)


def compute(session, start=WEEK[0], end=WEEK[1], *, channel=None, now=NOW) -> dict[str, KpiValue]:
    values = compute_kpis(session, start=start, end=end, channel_id=None if channel is None else channel.id, now=now)
    return {v.key: v for v in values}


def answered(session, channel, *, at, business, calendar, kind="question", **fields):
    """A conversation that needs a reply, answered with these stored SLA figures."""
    return make_conversation(
        session,
        channel=channel,
        received_at=at,
        kind=kind,
        first_reply_at=at + dt.timedelta(minutes=calendar),
        business_minutes_to_reply=business,
        calendar_minutes_to_reply=calendar,
        **fields,
    )
