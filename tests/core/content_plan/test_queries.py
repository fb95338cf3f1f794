"""What the content plan shows: rubric lookup, a post's history, the calendar window, the paged
list, undated posts and the rhythm of a week."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import audit
from core.content_plan import posts, queries
from core.errors import NotFoundError
from db.models import PostCreate, Workspace
from tests.core.content_plan.times import UTC, berlin
from tests.factories import make_channel, make_conversation, make_ready_post

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here


def test_rubric_lookup_by_name(read, team):
    with read() as s:
        assert queries.rubric_id(s, "Open retro") == queries.rubric_id(s, "open retro")
        with pytest.raises(NotFoundError, match="no rubric called"):
            queries.rubric_id(s, "Horoscopes")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_the_post_history_shows_times_in_the_workspace_time_zone(write, read, session, team, channel, zone):
    session.exec(select(Workspace)).one().timezone = zone
    session.commit()
    with write() as s:
        view = posts.create_post(session=s, actor=team["lead"], post_in=PostCreate(title="T", channel_id=channel.id))
    with read() as s:
        stamped = audit.history(s, entity="post", entity_id=view.id)[0].at
        rows = queries.post_history(s, post_id=view.id)
    local = stamped.astimezone(ZoneInfo(zone))
    assert rows == [queries.HistoryRow(at=local.strftime("%Y-%m-%d %H:%M"), who=team["lead"].username, what="create")]


# --- windows, lists, figures -------------------------------------------------------------------------


def test_window_queries_are_bounded_filtered_sorted_and_paged(read, session, team, channel):
    other = make_channel(session, name="Telegram")
    for day in range(1, 31):
        make_ready_post(
            session,
            channel=channel if day % 2 else other,
            sla_owner_id=team["support"].id,
            title=f"Day {day:02d}",
            scheduled_at=berlin(2031, 3, day, 10),
            status="scheduled",
        )
    make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, title="April", scheduled_at=berlin(2031, 4, 1, 0, 30)
    )
    make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, title="Undated")
    session.commit()
    start, end = berlin(2031, 3, 1).astimezone(UTC), berlin(2031, 4, 1).astimezone(UTC)
    with read() as s:
        entries = queries.calendar_entries(s, start=start, end=end)
        odd = queries.calendar_entries(s, start=start, end=end, filters=queries.PostFilter(channel_ids=(channel.id,)))
        page2 = queries.list_posts(s, start=start, end=end, sort="title", descending=True, page=2, page_size=10)
        undated = queries.unscheduled_posts(s)
    assert len(entries) == 30 and entries[0].title == "Day 01" and entries[-1].title == "Day 30"
    assert len(odd) == 15 and all(e.channel_name == "Instagram" for e in odd)
    assert (page2.total, page2.pages, [r.title for r in page2.rows][:2]) == (30, 3, ["Day 20", "Day 19"])
    assert [e.title for e in undated] == ["Undated"]


def test_the_list_ranks_posts_by_the_dialog_they_created(read, session, team, channel):
    quiet, busy, some = (
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            title=title,
            scheduled_at=berlin(2031, 3, day, 10),
            published_at=berlin(2031, 3, day, 10),
            status="published",
            impressions=impressions,
        )
        for title, day, impressions in (("Quiet", 2, 9000), ("Busy", 3, 100), ("Some", 4, 500))
    )
    for post, count in ((busy, 3), (some, 1)):
        for n in range(count):
            make_conversation(session, channel=channel, post_id=post.id, received_at=berlin(2031, 3, 5, 9 + n))
    make_conversation(session, channel=channel, received_at=berlin(2031, 3, 5, 9))  # on no post
    session.commit()
    start, end = berlin(2031, 3, 1).astimezone(UTC), berlin(2031, 4, 1).astimezone(UTC)
    with read() as s:
        ranked = queries.list_posts(s, start=start, end=end, sort="dialog", descending=True)
        by_reach = queries.list_posts(s, start=start, end=end, sort="impressions", descending=True)
    assert [(r.title, r.conversations) for r in ranked.rows] == [("Busy", 3), ("Some", 1), ("Quiet", 0)]
    assert [r.title for r in by_reach.rows] == ["Quiet", "Some", "Busy"]


def test_rhythm_points_mark_runs_over_the_limit_per_channel(read, session, team, channel):
    for hour, load in ((8, "high"), (10, "high"), (12, "high"), (14, "low")):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            cognitive_load=load,
            scheduled_at=berlin(2031, 3, 10, hour),
        )
    session.commit()
    with read() as s:
        entries = queries.calendar_entries(s, start=berlin(2031, 3, 10), end=berlin(2031, 3, 11))
    points = queries.rhythm_points(entries, limit=2)
    assert [p.over_limit for p in points] == [True, True, True, False]
