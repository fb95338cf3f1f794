"""Next-step conversion over a period: per rubric, in total, and the posts that converted best."""

from __future__ import annotations

import pytest

from core.content_plan import conversion, queries
from tests.core.content_plan.times import berlin
from tests.factories import make_ready_post

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here


def test_conversion_per_rubric_is_summed_over_published_posts(read, session, team, channel, write):
    with read() as s:
        myth, retro = queries.rubric_id(s, "Myth vs fact"), queries.rubric_id(s, "Open retro")
    for rubric, impressions, conversions in ((myth, 1000, 10), (myth, 3000, 90), (retro, 500, 0)):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            rubric_id=rubric,
            status="published",
            scheduled_at=berlin(2031, 3, 5),
            published_at=berlin(2031, 3, 5),
            impressions=impressions,
            next_step_conversions=conversions,
        )
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        rubric_id=myth,
        status="scheduled",
        scheduled_at=berlin(2031, 3, 6),
        impressions=99,
    )
    session.commit()
    with read() as s:
        rows = {r.rubric: r for r in conversion.rubric_conversions(s, start=berlin(2031, 3, 1), end=berlin(2031, 4, 1))}
    assert set(rows) == {"Myth vs fact", "Open retro"}
    assert (
        rows["Myth vs fact"].posts,
        rows["Myth vs fact"].impressions,
        rows["Myth vs fact"].conversions,
        rows["Myth vs fact"].rate,
    ) == (2, 4000, 100, 0.025)
    assert rows["Open retro"].rate == 0.0


def test_the_totals_and_the_best_posts_come_from_the_published_posts(read, session, team, channel):
    with read() as s:
        myth = queries.rubric_id(s, "Myth vs fact")
    for title, step, impressions, conversions in (
        ("Low", "poll", 1000, 10),
        ("High", "thread", 1000, 90),
        ("No step", "", 2000, 0),
    ):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            rubric_id=myth,
            title=title,
            next_step_type=step,
            status="published",
            scheduled_at=berlin(2031, 3, 5),
            published_at=berlin(2031, 3, 5),
            impressions=impressions,
            next_step_conversions=conversions,
        )
    session.commit()
    with read() as s:
        summary = conversion.conversion_summary(s, start=berlin(2031, 3, 1), end=berlin(2031, 4, 1))
        best = conversion.best_converting_posts(s, start=berlin(2031, 3, 1), end=berlin(2031, 4, 1), limit=2)
        empty = conversion.conversion_summary(s, start=berlin(2031, 5, 1), end=berlin(2031, 6, 1))
    assert (summary.posts, summary.next_step_share, summary.rate) == (3, 2 / 3, 100 / 4000)
    assert [e.title for e in best] == ["High", "Low"]
    assert (empty.posts, empty.next_step_share, empty.rate) == (0, None, None)
