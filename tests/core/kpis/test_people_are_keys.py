"""One person however they spell their handle: "@Ann" on Instagram, "ann" in the forum and "＠ANN"
in a survey are one person in every count of people — active share, returns, the active-people
trend, an idea's demand, the hero of the week and the loop's thank-you ticks."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import ValidationError
from core.ideas.capture import add_givers, log_idea
from core.ideas.queries import get_idea
from core.ideas.triage import set_status
from core.kpis.digest import hero_suggestions
from core.kpis.trends import kpi_trends
from core.loop.items import create_loop_item, set_thanked
from core.loop.queries import get_loop_item
from db.models import AudienceSize, IdeaCreate, IdeaGiver, IdeaStatus, LoopItemCreate, Role
from tests.core.kpis.arrange import NOW, WEEK, berlin, compute
from tests.factories import make_channel, make_conversation, make_idea

SPELLINGS = ("@Ann", "ann", "＠ANN", " @ann\u200b")


@pytest.fixture
def ann_everywhere(session, channel):
    """Ann writes four times, each spelt differently, in two channels, and gives an idea; Bo once."""
    forum = make_channel(session, name="Forum")
    for n, spelling in enumerate(SPELLINGS):
        make_conversation(
            session, channel=channel if n % 2 else forum, received_at=berlin(4 + n, 10), author_handle=spelling
        )
    make_conversation(session, channel=channel, received_at=berlin(5, 11), author_handle="@Bo")
    idea = make_idea(session, channel_id=channel.id)
    session.add(IdeaGiver(idea_id=idea.id, handle="@ANN", channel_id=channel.id, given_at=berlin(9, 10)))
    for where in (channel, forum):
        session.add(
            AudienceSize(channel_id=where.id, period_start=WEEK[0], period_end=WEEK[1], size=50),
        )
    session.flush()
    return forum


def test_active_share_counts_ann_once(session, ann_everywhere):
    value = compute(session)["active_share"]
    assert value.value == pytest.approx(2 / 100 * 100)  # Ann and Bo of 50 + 50
    assert value.detail.startswith("2 active people")


def test_returns_see_one_new_person_who_came_back(session, ann_everywhere):
    values = compute(session)
    # New this week: Ann and Bo. Ann came back within a day (as "ann"), Bo never.
    assert values["returns_d7"].detail == "1 of 2 new people back within 7 days"


def test_a_person_seen_before_under_another_spelling_is_not_new(session, ann_everywhere, channel):
    make_conversation(session, channel=channel, received_at=berlin(20, 10, month=2), author_handle="@aNN")
    session.flush()
    assert compute(session)["returns_d7"].detail == "0 of 1 new people back within 7 days"


def test_the_active_share_trend_counts_ann_once_a_week(session, ann_everywhere):
    trend = kpi_trends(session, end=WEEK[1], grain="week", count=1, channel_id=None, now=NOW)
    series = {s.key: s.values for family in trend.families.values() for s in family}
    assert series["active_share"] == (pytest.approx(2.0),)


def test_the_hero_of_the_week_adds_up_every_spelling(session, channel):
    make_conversation(
        session, channel=channel, received_at=berlin(4, 10), author_handle="@Maker", kind="ugc", useful=True
    )
    make_conversation(
        session, channel=channel, received_at=berlin(5, 10), author_handle="maker", kind="ugc", useful=True
    )
    make_conversation(session, channel=channel, received_at=berlin(5, 10), author_handle="@Solo", best=True)
    session.flush()
    heroes = hero_suggestions(session, week_start=WEEK[0])
    assert [(h.useful_ugc, h.best) for h in heroes] == [(2, 0), (0, 1)]
    assert heroes[0].handle in ("@Maker", "maker")


def test_demand_counts_people_and_a_respelt_giver_is_not_added_twice(write, read, team):
    with write() as s:
        idea = log_idea(session=s, actor=team[Role.editor], idea_in=IdeaCreate(title="Dark mode", handles="@Ann, Bo"))
    with write() as s:
        added = add_givers(session=s, actor=team[Role.community], idea_id=idea.id, handles="ann\n＠ANN, @bo, Doc James")
    assert added == 1  # only Doc James is new
    with read() as s:
        assert get_idea(session=s, idea_id=idea.id).demand == 3


def test_thanking_ann_ticks_her_under_any_spelling(write, read, team):
    with write() as s:
        first = log_idea(session=s, actor=team[Role.editor], idea_in=IdeaCreate(title="Dark mode", handles="@Ann"))
        second = log_idea(
            session=s, actor=team[Role.editor], idea_in=IdeaCreate(title="Night theme", handles="ann, @Bo")
        )
    with write() as s:
        for idea_id in (first.id, second.id):
            for status in (IdeaStatus.valid, IdeaStatus.planned, IdeaStatus.in_progress):
                version = get_idea(session=s, idea_id=idea_id).version
                set_status(session=s, actor=team[Role.lead], idea_id=idea_id, status=status, expected_version=version)
    with write() as s:
        item = create_loop_item(
            session=s,
            actor=team[Role.lead],
            item_in=LoopItemCreate(
                what_changed="Dark mode is live", shipped_on=dt.date(2025, 6, 2), idea_ids=[first.id, second.id]
            ),
        )
    assert item.givers_count == 2  # Ann gave both ideas, Bo one
    with write() as s:
        view = set_thanked(session=s, actor=team[Role.community], loop_item_id=item.id, handles=["ANN"])
    assert (view.givers_count, view.thanked_count) == (2, 1)
    with write() as s:
        view = set_thanked(
            session=s, actor=team[Role.community], loop_item_id=item.id, handles=["＠ann"], thanked=False
        )
    assert view.thanked_count == 0
    with write() as s, pytest.raises(ValidationError, match="did not give"):
        set_thanked(session=s, actor=team[Role.community], loop_item_id=item.id, handles=["@zed"])
    with read() as s:
        assert get_loop_item(s, item.id).thanked_count == 0
