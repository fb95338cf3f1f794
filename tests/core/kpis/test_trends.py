"""KPI trends: each bucket counted with the same rules as the period figures."""

from __future__ import annotations

import datetime as dt

from core.kpis.trends import Grain, kpi_trends
from tests.core.kpis.arrange import NOW, answered, berlin, compute
from tests.factories import make_conversation


def test_weekly_trend_medians_match_the_kpi_of_each_week(session, channel):
    answered(session, channel, at=berlin(4, 10), business=10, calendar=10)
    answered(session, channel, at=berlin(4, 11), business=30, calendar=30)
    answered(session, channel, at=berlin(11, 10), business=5, calendar=5)
    answered(session, channel, at=berlin(11, 10), business=6, calendar=6)
    answered(session, channel, at=berlin(12, 10), business=100, calendar=100)
    make_conversation(session, channel=channel, received_at=berlin(12, 10), kind="ugc", useful=True)
    trend = kpi_trends(session, end=dt.date(2025, 3, 16), grain=Grain.week, count=3, channel_id=None, now=NOW)
    assert [b.start for b in trend.buckets] == [dt.date(2025, 2, 24), dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    series = {s.key: s.values for family in trend.families.values() for s in family}
    assert series["first_response_median"] == (None, 20.0, 6.0)
    for bucket, expected in zip(trend.buckets[1:], series["first_response_median"][1:], strict=True):
        assert compute(session, bucket.start, bucket.end)["first_response_median"].value == expected
    assert series["ugc_per_week"] == (None, 0.0, 1.0)
    assert series["ugc_useful_share"] == (None, None, 100.0)
