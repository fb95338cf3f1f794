"""The lead's triage: the status flow, scores, the quick-win rule and the hot plan, and the ideas
that became valid as the KPI overview counts them per month."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from core.errors import ConflictError, ValidationError
from core.ideas.detail import idea_detail
from core.ideas.queries import BoardFilters, board_page, get_idea, hot_plan, matrix, quick_wins, thresholds
from core.ideas.rules import HOT_PLAN_LIMIT, SCORES, is_quick_win
from core.ideas.triage import (
    add_to_hot_plan,
    move_in_hot_plan,
    remove_from_hot_plan,
    set_quick_win_thresholds,
    set_scores,
    set_status,
)
from core.kpis import overview, values
from db.models import Idea, IdeaStatus, Role
from db.types import utcnow
from tests.core.ideas.helpers import get, log, valid_quick_win, walk
from tests.factories import make_idea

S = IdeaStatus
UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")

# --- status flow ------------------------------------------------------------------------------


def test_a_declined_idea_keeps_its_reason(write, read, team):
    idea_id = log(write, team[Role.editor])
    walk(write, team[Role.lead], idea_id, "valid")
    with pytest.raises(ValidationError, match="Say why"):
        walk(write, team[Role.lead], idea_id, "declined")
    walk(write, team[Role.lead], idea_id, "declined", reason="Out of scope this year")
    idea = get(read, idea_id)
    assert (idea.status, idea.status_reason) == ("declined", "Out of scope this year")
    with pytest.raises(ValidationError, match="cannot become"):
        walk(write, team[Role.lead], idea_id, "planned")


def test_an_invalid_idea_can_be_reconsidered_and_then_counts_as_valid(write, read, team):
    idea_id = log(write, team[Role.editor])
    walk(write, team[Role.lead], idea_id, "invalid")
    assert get(read, idea_id).valid_at is None
    walk(write, team[Role.lead], idea_id, "valid")
    assert get(read, idea_id).valid_at is not None


def test_a_status_change_over_a_newer_version_is_refused(write, read, team):
    idea_id = log(write, team[Role.editor])
    walk(write, team[Role.lead], idea_id, "valid")
    with pytest.raises(ConflictError, match="changed by"), write() as s:
        set_status(session=s, actor=team[Role.admin], idea_id=idea_id, status="planned", expected_version=1)
    assert get(read, idea_id).status == "valid"


# --- scores, thresholds, quick wins, hot plan -------------------------------------------------


def test_scores_keep_who_scored_and_when(write, read, team):
    idea_id = log(write, team[Role.editor])
    with write() as s:
        set_scores(session=s, actor=team[Role.lead], idea_id=idea_id, impact=5, cost=1, expected_version=1)
    with read() as s:
        detail = idea_detail(session=s, idea_id=idea_id)
    assert (detail.idea.impact, detail.idea.cost, detail.idea.quick_win, detail.idea.score) == (5, 1, True, 25)
    assert detail.scored_by == (team[Role.lead].name or team[Role.lead].username) and detail.scored_at is not None
    with read() as s:
        assert s.get(Idea, idea_id).scored_by_id == team[Role.lead].id
        assert [h.action for h in idea_detail(session=s, idea_id=idea_id).history][-1] == "idea.score"


@pytest.mark.parametrize(("impact", "cost"), [(0, 3), (6, 3), (3, 0), (3, 6), (2.5, 3), ("high", 3)])
def test_scores_outside_one_to_five_are_refused(write, team, impact, cost):
    idea_id = log(write, team[Role.editor])
    with pytest.raises(ValidationError, match="1 to 5"), write() as s:
        set_scores(session=s, actor=team[Role.lead], idea_id=idea_id, impact=impact, cost=cost, expected_version=1)


def test_the_leads_thresholds_decide_what_is_a_quick_win(write, read, team):
    idea_id = log(write, team[Role.editor])
    with write() as s:
        set_scores(session=s, actor=team[Role.lead], idea_id=idea_id, impact=4, cost=2, expected_version=1)
    assert get(read, idea_id).quick_win
    with read() as s:
        version = thresholds(session=s).version
    with write() as s:
        set_quick_win_thresholds(session=s, actor=team[Role.lead], min_impact=5, max_cost=2, expected_version=version)
    assert not get(read, idea_id).quick_win
    with read() as s:
        limits = thresholds(session=s)
        assert (limits.min_impact, limits.max_cost) == (5, 2)
        assert board_page(session=s, filters=BoardFilters(quick_wins_only=True)).total == 0


@pytest.mark.parametrize(("impact", "cost"), list(itertools.product(SCORES, SCORES)))
def test_the_board_query_classifies_quick_wins_exactly_like_the_rule(write, read, team, impact, cost):
    """The SQL filter and the matrix count agree with ``is_quick_win`` on every cell (boundaries included)."""
    idea_id = log(write, team[Role.editor])
    with write() as s:
        set_scores(session=s, actor=team[Role.lead], idea_id=idea_id, impact=impact, cost=cost, expected_version=1)
    expected = is_quick_win(impact, cost, 4, 2)
    with read() as s:
        assert (thresholds(session=s).min_impact, thresholds(session=s).max_cost) == (4, 2)
        assert board_page(session=s, filters=BoardFilters(quick_wins_only=True)).total == int(expected)
        assert matrix(session=s).quick_wins == int(expected)
        assert get_idea(session=s, idea_id=idea_id).quick_win is expected


def test_the_hot_plan_is_a_short_ordered_list(write, read, team):
    lead = team[Role.lead]
    first, second, third = (valid_quick_win(write, lead, f"Quick {n}") for n in range(3))
    for idea_id in (first, second, third):
        with write() as s:
            add_to_hot_plan(session=s, actor=lead, idea_id=idea_id)
    with write() as s:
        assert move_in_hot_plan(session=s, actor=lead, idea_id=third, offset=-1) == 2
    with read() as s:
        assert [i.id for i in hot_plan(session=s)] == [first, third, second]
        assert quick_wins(session=s) == []
    with pytest.raises(ValidationError, match="top of the hot plan"), write() as s:
        move_in_hot_plan(session=s, actor=lead, idea_id=first, offset=-1)
    with pytest.raises(ValidationError, match="already"), write() as s:
        add_to_hot_plan(session=s, actor=lead, idea_id=first)
    with write() as s:
        remove_from_hot_plan(session=s, actor=lead, idea_id=first)
    with read() as s:
        assert [(i.id, i.hot_plan_position) for i in hot_plan(session=s)] == [(third, 1), (second, 2)]
    walk(write, lead, third, "planned", "in_progress", "shipped")
    with read() as s:
        assert [(i.id, i.hot_plan_position) for i in hot_plan(session=s)] == [(second, 1)]


def test_new_ideas_and_a_full_hot_plan_are_refused(write, team):
    lead = team[Role.lead]
    fresh = log(write, lead, title="Not triaged")
    with pytest.raises(ValidationError, match="Mark it valid first"), write() as s:
        add_to_hot_plan(session=s, actor=lead, idea_id=fresh)
    for n in range(HOT_PLAN_LIMIT):
        idea_id = valid_quick_win(write, lead, f"Win {n}")
        with write() as s:
            add_to_hot_plan(session=s, actor=lead, idea_id=idea_id)
    extra = valid_quick_win(write, lead, "One too many")
    with pytest.raises(ValidationError, match="at most 10"), write() as s:
        add_to_hot_plan(session=s, actor=lead, idea_id=extra)


# --- valid proposals per month (the KPI overview counts them) ---------------------------------


def _valid_proposals(read, first: dt.date, last: dt.date) -> values.KpiValue:
    with read() as s:
        values = overview.compute_kpis(s, start=first, end=last, channel_id=None, now=utcnow())
    return next(v for v in values if v.key == "valid_proposals")


def test_valid_proposals_are_counted_per_local_month_without_merged_duplicates(write, read):
    with write() as s:
        for valid_at in (
            dt.datetime(2025, 1, 10, 9, 0, tzinfo=UTC),
            dt.datetime(2025, 1, 31, 22, 30, tzinfo=UTC),  # still January in Berlin
            dt.datetime(2025, 1, 31, 23, 30, tzinfo=UTC),  # already February in Berlin
            dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
        ):
            make_idea(s, status=S.planned, valid_at=valid_at)
        kept = make_idea(s, status=S.valid, valid_at=dt.datetime(2025, 3, 4, 9, 0, tzinfo=UTC))
        make_idea(s, status=S.valid, valid_at=dt.datetime(2025, 3, 5, 9, 0, tzinfo=UTC), merged_into_id=kept.id)
        make_idea(s, status=S.new)
        make_idea(s, status=S.valid, valid_at=dt.datetime(2024, 12, 31, 22, 59, tzinfo=UTC))  # 31 Dec in Berlin
    counts = _valid_proposals(read, dt.date(2025, 1, 1), dt.date(2025, 4, 30)).breakdown
    assert counts == (("2025-01", 2.0), ("2025-02", 1.0), ("2025-03", 2.0), ("2025-04", 0.0))


def test_marking_ideas_valid_feeds_the_monthly_count(write, read, team):
    for title in ("One", "Two"):
        idea_id = log(write, team[Role.editor], title=title)
        walk(write, team[Role.lead], idea_id, "valid")
    today = dt.datetime.now(BERLIN).date()
    counts = _valid_proposals(read, today.replace(day=1), today).breakdown
    assert counts == ((today.strftime("%Y-%m"), 2.0),)
