"""The content and display KPIs of published posts with their metrics entered."""

from __future__ import annotations

import pytest

from db.models import PostStatus
from tests.core.kpis.arrange import berlin, compute
from tests.factories import make_post


def test_post_kpis_use_published_posts_of_the_period_with_metrics_entered(session, channel):
    def post(at, status=PostStatus.published, **fields):
        return make_post(
            session,
            channel=channel,
            status=status,
            scheduled_at=at,
            published_at=at if status == PostStatus.published else None,
            **fields,
        )

    post(
        berlin(4, 9),
        next_step_type="poll",
        impressions=1000,
        reactions=50,
        saves=5,
        guide_clicks=5,
        next_step_conversions=10,
    )
    post(berlin(5, 9), next_step_type="form")  # metrics not entered yet
    post(berlin(6, 9), impressions=500, reactions=30, saves=20, guide_clicks=None)
    post(berlin(7, 9), status=PostStatus.scheduled, next_step_type="poll", impressions=9999)
    post(
        berlin(27, 9, month=2), next_step_type="poll", impressions=100, saves=1, guide_clicks=1, next_step_conversions=4
    )

    values = compute(session)
    assert values["next_step_share"].value == pytest.approx(200 / 3)
    assert values["next_step_conversion"].value == pytest.approx(1.0)  # 10 of 1000
    assert values["content_utility"].value == pytest.approx((5 + 5 + 20) / 2)
    assert values["published_posts"].value == 3
    assert values["impressions"].value == 1500
    assert values["reactions"].value == 80
    assert values["next_step_conversion"].previous == pytest.approx(4.0)
    assert values["published_posts"].previous == 1


def test_content_utility_counts_saves_and_clicks_entered_before_the_impressions(session, channel):
    def post(at, **fields):
        return make_post(
            session, channel=channel, status=PostStatus.published, scheduled_at=at, published_at=at, **fields
        )

    post(berlin(4, 9), impressions=800, saves=3, guide_clicks=None)
    post(berlin(5, 9), saves=6, guide_clicks=4)  # impressions not known yet: its saves and clicks still count
    post(berlin(6, 9))  # nothing entered yet: left out, not a zero
    values = compute(session)
    assert values["content_utility"].value == pytest.approx((3 + 6 + 4) / 2)
    assert values["content_utility"].detail == "13 saves and clicks on 2 posts"
    # The display KPIs and conversions still read the posts with impressions only.
    assert values["impressions"].value == 800
