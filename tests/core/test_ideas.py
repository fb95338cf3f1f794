"""The idea board's rules: capture, votes, demand, merge and undo, status flow, scores, quick wins,
the hot plan, the valid-proposals count, board queries, CSV import and export."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from core import ideas
from core.errors import ConflictError, PermissionDenied, ValidationError
from core.ideas import BoardFilters, ImportMapping
from core.permissions import CLI_ACTOR
from db.models import AuditLog, Idea, IdeaGiver, IdeaStatus, Role, Vote
from tests.factories import make_channel, make_idea

S = IdeaStatus
UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")


def _log(write, actor, title="Dark mode for the app", handles="@ann, @bo", **fields) -> int:
    with write() as s:
        return ideas.log_idea(s, actor=actor, title=title, handles=handles, **fields).id


def _get(read, idea_id):
    with read() as s:
        return ideas.get_idea(s, idea_id=idea_id)


def _rows(read):
    """Every giver and vote row as (idea, who, origin): the exact state a merge must restore."""
    with read() as s:
        givers = sorted((g.idea_id, g.handle, g.origin_idea_id) for g in s.exec(select(IdeaGiver)))
        votes = sorted((v.idea_id, v.user_id, v.origin_idea_id) for v in s.exec(select(Vote)))
    return givers, votes


def _walk(write, actor, idea_id, *statuses, reason=""):
    for status in statuses:
        with write() as s:
            version = ideas.get_idea(s, idea_id=idea_id).version
            ideas.set_status(s, actor=actor, idea_id=idea_id, status=status, expected_version=version, reason=reason)


# --- pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.new, (S.valid, S.invalid)),
        (S.valid, (S.planned, S.declined)),
        (S.planned, (S.in_progress, S.declined)),
        (S.in_progress, (S.shipped, S.declined)),
        (S.invalid, (S.valid,)),
        (S.shipped, ()),
        (S.declined, ()),
    ],
)
def test_next_statuses_follow_the_flow(status, expected):
    assert ideas.next_statuses(status) == expected


ALL_PAIRS = [(a, b) for a, b in itertools.product(S, S) if a != b]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a.value}-{b.value}" for a, b in ALL_PAIRS])
def test_only_transitions_in_the_table_are_accepted(current, target):
    allowed = target in ideas.TRANSITIONS[current]
    if allowed:
        assert ideas.check_transition(current, target, reason="why") == "why"
    else:
        with pytest.raises(ValidationError, match="cannot become"):
            ideas.check_transition(current, target, reason="why")


@pytest.mark.parametrize("current", [S.valid, S.planned, S.in_progress])
def test_declining_needs_a_reason(current):
    with pytest.raises(ValidationError, match="Say why"):
        ideas.check_transition(current, S.declined, reason="   ")
    assert ideas.check_transition(current, S.declined, reason="  Too costly  ") == "Too costly"


@pytest.mark.parametrize(
    ("impact", "cost", "min_impact", "max_cost", "expected"),
    [
        (4, 2, 4, 2, True),  # exactly on both thresholds
        (5, 1, 4, 2, True),
        (3, 2, 4, 2, False),  # impact one below
        (4, 3, 4, 2, False),  # cost one above
        (5, 5, 4, 2, False),
        (1, 1, 4, 2, False),
        (None, 1, 4, 2, False),  # not scored yet
        (5, None, 4, 2, False),
        (5, 1, 5, 1, True),  # the lead's stricter rule
        (4, 1, 5, 1, False),
        (3, 3, 3, 3, True),  # a looser rule
    ],
)
def test_quick_win_classification_at_the_boundaries(impact, cost, min_impact, max_cost, expected):
    assert ideas.is_quick_win(impact, cost, min_impact, max_cost) is expected


@pytest.mark.parametrize(
    ("impact", "cost", "score"), [(5, 1, 25), (1, 5, 1), (4, 2, 16), (None, 2, None), (3, None, None)]
)
def test_priority_score_prefers_high_impact_and_low_cost(impact, cost, score):
    assert ideas.priority_score(impact, cost) == score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ann, @bo", ["@ann", "@bo"]),
        ("@ann;@bo\n@cy  @dee", ["@ann", "@bo", "@cy", "@dee"]),
        ("@Ann, @ann, @ANN", ["@Ann"]),
        ("  ", []),
        (["@ann, @bo", "@bo"], ["@ann", "@bo"]),
    ],
)
def test_handles_are_split_trimmed_and_not_repeated(text, expected):
    assert ideas.parse_handles(text) == expected


def test_a_handle_longer_than_the_column_is_refused():
    with pytest.raises(ValidationError, match="longer than 120"):
        ideas.parse_handles("@" + "x" * 130)


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("Dark mode for the mobile app", "dark mode in the app", True),
        ("Dark mode for the mobile app", "Dark-mode please!", True),
        ("Export reports as Excel", "Excel export of reports", True),
        ("Mute notifications at night", "mute notification at night", True),
        ("Dark mode for the mobile app", "Pay by bank transfer", False),
        ("Family plan", "Cheaper plan for students", False),
    ],
)
def test_similar_titles_score_above_the_threshold_and_others_below(a, b, alike):
    assert (ideas.title_similarity(a, b) >= ideas.SIMILARITY_THRESHOLD) is alike


def test_count_by_month_uses_local_months_and_lists_empty_ones():
    instants = [
        dt.datetime(2025, 1, 31, 23, 30, tzinfo=UTC),  # 1 Feb 00:30 in Berlin
        dt.datetime(2025, 1, 31, 22, 30, tzinfo=UTC),  # 31 Jan 23:30 in Berlin
        dt.datetime(2025, 3, 15, 12, 0, tzinfo=UTC),
        dt.datetime(2025, 5, 1, 12, 0, tzinfo=UTC),  # after the period
    ]
    counts = ideas.count_by_month(instants, BERLIN, dt.date(2025, 1, 1), dt.date(2025, 4, 30))
    assert counts == [
        (dt.date(2025, 1, 1), 1),
        (dt.date(2025, 2, 1), 1),
        (dt.date(2025, 3, 1), 1),
        (dt.date(2025, 4, 1), 0),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-31", dt.datetime(2025, 3, 30, 22, 0, tzinfo=UTC)),
        ("2025-03-31 14:05", dt.datetime(2025, 3, 31, 12, 5, tzinfo=UTC)),
        ("31.03.2025", dt.datetime(2025, 3, 30, 22, 0, tzinfo=UTC)),
        ("03/31/2025 14:05:00", dt.datetime(2025, 3, 31, 12, 5, tzinfo=UTC)),
        ("2025-03-31T12:05:00Z", dt.datetime(2025, 3, 31, 12, 5, tzinfo=UTC)),
    ],
)
def test_import_dates_are_read_as_local_times(text, expected):
    assert ideas.parse_date(text, BERLIN) == expected


def test_an_unreadable_date_says_how_to_write_it():
    with pytest.raises(ValueError, match="use e.g. 2025-03-31"):
        ideas.parse_date("31/31/2025", BERLIN)


def test_the_mapping_is_guessed_from_column_names():
    mapping = ideas.guess_mapping(["Timestamp", "Your idea", "Why does it matter?", "Telegram username", "Channel"])
    assert mapping == ImportMapping(
        title="Your idea",
        description="Why does it matter?",
        handle="Telegram username",
        date="Timestamp",
        channel="Channel",
    )


# --- capture, givers, votes -------------------------------------------------------------------


def test_a_team_member_logs_an_idea_with_its_givers(write, read, team):
    editor = team[Role.editor]
    with write() as s:
        channel_id = make_channel(s).id
    idea_id = _log(
        write,
        editor,
        title="  Dark   mode ",
        handles="@ann, @bo, @Ann",
        source="comment",
        channel_id=channel_id,
        source_url="https://example.com/c/1",
        category="mobile app",
        description="From the comments.",
    )
    idea = _get(read, idea_id)
    assert (idea.title, idea.status, idea.demand, idea.votes, idea.channel_id) == ("Dark mode", "new", 2, 0, channel_id)
    with read() as s:
        row = s.get(Idea, idea_id)
        assert row.logged_by_id == editor.id and row.category == "mobile app"
        assert [
            a.action for a in s.exec(select(AuditLog).where(AuditLog.entity == "idea", AuditLog.entity_id == idea_id))
        ] == ["idea.create"]
        assert (
            s.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "idea_giver.create")).one() == 2
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "short title"),
        ({"title": "x" * 201}, "under 200"),
        ({"source": "fax"}, "Unknown source"),
        ({"source_url": "example.com/x"}, "http"),
        ({"channel_id": 9999}, "does not exist"),
        ({"handles": "@" + "y" * 121}, "longer than 120"),
    ],
)
def test_bad_capture_input_says_what_to_fix_and_saves_nothing(write, read, team, fields, message):
    arguments = {"title": "Dark mode", "handles": "@ann"} | fields
    with pytest.raises(ValidationError, match=message), write() as s:
        ideas.log_idea(s, actor=team[Role.editor], **arguments)
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0


def test_one_vote_per_team_member_per_idea(write, read, team):
    idea_id = _log(write, team[Role.editor])
    for role in (Role.editor, Role.support):
        with write() as s:
            ideas.vote(s, actor=team[role], idea_id=idea_id)
    with pytest.raises(ValidationError, match="voted for idea .* already"), write() as s:
        ideas.vote(s, actor=team[Role.editor], idea_id=idea_id)
    assert _get(read, idea_id).votes == 2


def test_the_database_refuses_a_second_vote_row_too(write, team):
    idea_id = _log(write, team[Role.editor])
    with write() as s:
        s.add(Vote(idea_id=idea_id, user_id=team[Role.editor].id))
    with pytest.raises(IntegrityError), write() as s:
        s.add(Vote(idea_id=idea_id, user_id=team[Role.editor].id))
        s.flush()


def test_a_vote_can_be_withdrawn_and_given_again(write, read, team):
    editor = team[Role.editor]
    idea_id = _log(write, editor)
    with write() as s:
        ideas.vote(s, actor=editor, idea_id=idea_id)
    with write() as s:
        ideas.withdraw_vote(s, actor=editor, idea_id=idea_id)
    assert _get(read, idea_id).votes == 0
    with pytest.raises(ValidationError, match="no vote"), write() as s:
        ideas.withdraw_vote(s, actor=editor, idea_id=idea_id)
    with write() as s:
        ideas.vote(s, actor=editor, idea_id=idea_id)
    assert _get(read, idea_id).votes == 1


def test_the_command_line_cannot_vote(write, team):
    idea_id = _log(write, team[Role.editor])
    with pytest.raises(ValidationError, match="team members"), write() as s:
        ideas.vote(s, actor=CLI_ACTOR, idea_id=idea_id)


def test_demand_counts_distinct_givers(write, read, team):
    idea_id = _log(write, team[Role.editor], handles="@ann, @bo")
    with write() as s:
        added = ideas.add_givers(s, actor=team[Role.community], idea_id=idea_id, handles="@ANN @cy")
    assert added == 1
    assert _get(read, idea_id).demand == 3


def test_adding_support_to_a_similar_idea_instead_of_a_duplicate(write, read, team):
    editor = team[Role.editor]
    idea_id = _log(write, team[Role.lead], handles="@ann")
    with write() as s:
        result = ideas.add_support(s, actor=editor, idea_id=idea_id, handles="@ann, @zoe")
    assert (result.givers_added, result.vote_added) == (1, True)
    idea = _get(read, idea_id)
    assert (idea.demand, idea.votes) == (2, 1)
    with pytest.raises(ValidationError, match="Nothing to add"), write() as s:
        ideas.add_support(s, actor=editor, idea_id=idea_id, handles="@zoe")
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 1


# --- who may do what --------------------------------------------------------------------------

WRITES = {
    "log": lambda s, a, i, v: ideas.log_idea(s, actor=a, title="Another idea"),
    "vote": lambda s, a, i, v: ideas.vote(s, actor=a, idea_id=i),
    "add givers": lambda s, a, i, v: ideas.add_givers(s, actor=a, idea_id=i, handles="@new"),
    "status": lambda s, a, i, v: ideas.set_status(s, actor=a, idea_id=i, status="valid", expected_version=v),
    "scores": lambda s, a, i, v: ideas.set_scores(s, actor=a, idea_id=i, impact=5, cost=1, expected_version=v),
    "hot plan": lambda s, a, i, v: ideas.add_to_hot_plan(s, actor=a, idea_id=i),
    "thresholds": lambda s, a, i, v: ideas.set_quick_win_thresholds(
        s, actor=a, min_impact=5, max_cost=1, expected_version=1
    ),
    "merge": lambda s, a, i, v: ideas.merge(s, actor=a, source_id=i, target_id=i + 1, expected_version=v),
    "import": lambda s, a, i, v: ideas.import_ideas(s, actor=a, data=b"Idea\nX\n", mapping=ImportMapping(title="Idea")),
    "export": lambda s, a, i, v: ideas.export_csv(s, actor=a),
    "edit": lambda s, a, i, v: ideas.update_details(s, actor=a, idea_id=i, expected_version=v, title="New"),
    "withdraw vote": lambda s, a, i, v: ideas.withdraw_vote(s, actor=a, idea_id=i),
    "add support": lambda s, a, i, v: ideas.add_support(s, actor=a, idea_id=i, handles="@new"),
    "undo merge": lambda s, a, i, v: ideas.undo_merge(s, actor=a, idea_id=i, expected_version=v),
    "hot plan remove": lambda s, a, i, v: ideas.remove_from_hot_plan(s, actor=a, idea_id=i),
    "hot plan move": lambda s, a, i, v: ideas.move_in_hot_plan(s, actor=a, idea_id=i, offset=1),
}
TEAM_WRITES = {"log", "vote", "add givers", "withdraw vote", "add support"}
LEAD_WRITES = set(WRITES) - {"export"}


@pytest.mark.parametrize("what", list(WRITES))
def test_a_viewer_reads_but_changes_nothing(write, read, team, what):
    idea_id = _log(write, team[Role.lead])
    _log(write, team[Role.lead], title="Second")
    before = _rows(read)
    with pytest.raises(PermissionDenied, match=r"Your role \(viewer\)"), write() as s:
        WRITES[what](s, team[Role.viewer], idea_id, 1)
    assert _rows(read) == before
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2
        assert ideas.idea_detail(s, idea_id=idea_id).idea.title == "Dark mode for the app"


@pytest.mark.parametrize("role", [Role.editor, Role.community, Role.support, Role.analyst, Role.compliance])
@pytest.mark.parametrize("what", sorted(LEAD_WRITES - TEAM_WRITES - {"edit"}))
def test_team_members_other_than_the_lead_may_not_triage_or_import(write, team, role, what):
    idea_id = _log(write, team[Role.lead])
    _log(write, team[Role.lead], title="Second")
    with pytest.raises(PermissionDenied), write() as s:
        WRITES[what](s, team[role], idea_id, 1)


@pytest.mark.parametrize("role", [Role.lead, Role.admin])
def test_the_lead_and_the_admin_move_ideas_along_the_flow(write, read, team, role):
    idea_id = _log(write, team[Role.editor])
    _walk(write, team[role], idea_id, "valid", "planned", "in_progress", "shipped")
    idea = _get(read, idea_id)
    assert idea.status == "shipped" and idea.valid_at is not None and idea.shipped_at >= idea.valid_at
    with read() as s:
        actions = [h.action for h in ideas.idea_detail(s, idea_id=idea_id).history]
    assert actions == [
        "idea.create",
        "idea.status.valid",
        "idea.status.planned",
        "idea.status.in_progress",
        "idea.status.shipped",
    ]


def test_whoever_logged_an_idea_may_edit_its_text_but_not_someone_elses(write, read, team):
    idea_id = _log(write, team[Role.editor])
    with write() as s:
        ideas.update_details(s, actor=team[Role.editor], idea_id=idea_id, expected_version=1, category="mobile app")
    with pytest.raises(PermissionDenied), write() as s:
        ideas.update_details(s, actor=team[Role.support], idea_id=idea_id, expected_version=2, category="x")
    assert _get(read, idea_id).category == "mobile app"


# --- status flow ------------------------------------------------------------------------------


def test_a_declined_idea_keeps_its_reason(write, read, team):
    idea_id = _log(write, team[Role.editor])
    _walk(write, team[Role.lead], idea_id, "valid")
    with pytest.raises(ValidationError, match="Say why"):
        _walk(write, team[Role.lead], idea_id, "declined")
    _walk(write, team[Role.lead], idea_id, "declined", reason="Out of scope this year")
    idea = _get(read, idea_id)
    assert (idea.status, idea.status_reason) == ("declined", "Out of scope this year")
    with pytest.raises(ValidationError, match="cannot become"):
        _walk(write, team[Role.lead], idea_id, "planned")


def test_an_invalid_idea_can_be_reconsidered_and_then_counts_as_valid(write, read, team):
    idea_id = _log(write, team[Role.editor])
    _walk(write, team[Role.lead], idea_id, "invalid")
    assert _get(read, idea_id).valid_at is None
    _walk(write, team[Role.lead], idea_id, "valid")
    assert _get(read, idea_id).valid_at is not None


def test_a_status_change_over_a_newer_version_is_refused(write, read, team):
    idea_id = _log(write, team[Role.editor])
    _walk(write, team[Role.lead], idea_id, "valid")
    with pytest.raises(ConflictError, match="changed by"), write() as s:
        ideas.set_status(s, actor=team[Role.admin], idea_id=idea_id, status="planned", expected_version=1)
    assert _get(read, idea_id).status == "valid"


# --- scores, thresholds, quick wins, hot plan -------------------------------------------------


def test_scores_keep_who_scored_and_when(write, read, team):
    idea_id = _log(write, team[Role.editor])
    with write() as s:
        ideas.set_scores(s, actor=team[Role.lead], idea_id=idea_id, impact=5, cost=1, expected_version=1)
    with read() as s:
        detail = ideas.idea_detail(s, idea_id=idea_id)
    assert (detail.idea.impact, detail.idea.cost, detail.idea.quick_win, detail.idea.score) == (5, 1, True, 25)
    assert detail.scored_by == (team[Role.lead].name or team[Role.lead].username) and detail.scored_at is not None
    with read() as s:
        assert s.get(Idea, idea_id).scored_by_id == team[Role.lead].id
        assert [h.action for h in ideas.idea_detail(s, idea_id=idea_id).history][-1] == "idea.score"


@pytest.mark.parametrize(("impact", "cost"), [(0, 3), (6, 3), (3, 0), (3, 6), (2.5, 3), ("high", 3)])
def test_scores_outside_one_to_five_are_refused(write, team, impact, cost):
    idea_id = _log(write, team[Role.editor])
    with pytest.raises(ValidationError, match="1 to 5"), write() as s:
        ideas.set_scores(s, actor=team[Role.lead], idea_id=idea_id, impact=impact, cost=cost, expected_version=1)


def test_the_leads_thresholds_decide_what_is_a_quick_win(write, read, team):
    idea_id = _log(write, team[Role.editor])
    with write() as s:
        ideas.set_scores(s, actor=team[Role.lead], idea_id=idea_id, impact=4, cost=2, expected_version=1)
    assert _get(read, idea_id).quick_win
    with read() as s:
        version = ideas.thresholds(s).version
    with write() as s:
        ideas.set_quick_win_thresholds(s, actor=team[Role.lead], min_impact=5, max_cost=2, expected_version=version)
    assert not _get(read, idea_id).quick_win
    with read() as s:
        limits = ideas.thresholds(s)
        assert (limits.min_impact, limits.max_cost) == (5, 2)
        assert ideas.board_page(s, filters=BoardFilters(quick_wins_only=True)).total == 0


@pytest.mark.parametrize(("impact", "cost"), list(itertools.product(ideas.SCORES, ideas.SCORES)))
def test_the_board_query_classifies_quick_wins_exactly_like_the_rule(write, read, team, impact, cost):
    """The SQL filter and the matrix count agree with ``is_quick_win`` on every cell (boundaries included)."""
    idea_id = _log(write, team[Role.editor])
    with write() as s:
        ideas.set_scores(s, actor=team[Role.lead], idea_id=idea_id, impact=impact, cost=cost, expected_version=1)
    expected = ideas.is_quick_win(impact, cost, 4, 2)
    with read() as s:
        assert (ideas.thresholds(s).min_impact, ideas.thresholds(s).max_cost) == (4, 2)
        assert ideas.board_page(s, filters=BoardFilters(quick_wins_only=True)).total == int(expected)
        assert ideas.matrix(s).quick_wins == int(expected)
        assert ideas.get_idea(s, idea_id=idea_id).quick_win is expected


def _valid_quick_win(write, lead, title) -> int:
    idea_id = _log(write, lead, title=title)
    _walk(write, lead, idea_id, "valid")
    with write() as s:
        ideas.set_scores(s, actor=lead, idea_id=idea_id, impact=5, cost=1, expected_version=2)
    return idea_id


def test_the_hot_plan_is_a_short_ordered_list(write, read, team):
    lead = team[Role.lead]
    first, second, third = (_valid_quick_win(write, lead, f"Quick {n}") for n in range(3))
    for idea_id in (first, second, third):
        with write() as s:
            ideas.add_to_hot_plan(s, actor=lead, idea_id=idea_id)
    with write() as s:
        assert ideas.move_in_hot_plan(s, actor=lead, idea_id=third, offset=-1) == 2
    with read() as s:
        assert [i.id for i in ideas.hot_plan(s)] == [first, third, second]
        assert ideas.quick_wins(s) == []
    with pytest.raises(ValidationError, match="top of the hot plan"), write() as s:
        ideas.move_in_hot_plan(s, actor=lead, idea_id=first, offset=-1)
    with pytest.raises(ValidationError, match="already"), write() as s:
        ideas.add_to_hot_plan(s, actor=lead, idea_id=first)
    with write() as s:
        ideas.remove_from_hot_plan(s, actor=lead, idea_id=first)
    with read() as s:
        assert [(i.id, i.hot_plan_position) for i in ideas.hot_plan(s)] == [(third, 1), (second, 2)]
    _walk(write, lead, third, "planned", "in_progress", "shipped")
    with read() as s:
        assert [(i.id, i.hot_plan_position) for i in ideas.hot_plan(s)] == [(second, 1)]


def test_new_ideas_and_a_full_hot_plan_are_refused(write, team):
    lead = team[Role.lead]
    fresh = _log(write, lead, title="Not triaged")
    with pytest.raises(ValidationError, match="Mark it valid first"), write() as s:
        ideas.add_to_hot_plan(s, actor=lead, idea_id=fresh)
    for n in range(ideas.HOT_PLAN_LIMIT):
        idea_id = _valid_quick_win(write, lead, f"Win {n}")
        with write() as s:
            ideas.add_to_hot_plan(s, actor=lead, idea_id=idea_id)
    extra = _valid_quick_win(write, lead, "One too many")
    with pytest.raises(ValidationError, match="at most 10"), write() as s:
        ideas.add_to_hot_plan(s, actor=lead, idea_id=extra)


# --- merge and undo ---------------------------------------------------------------------------


def test_merge_moves_givers_and_votes_without_double_counting_and_undo_restores_exactly(write, read, team):
    lead, editor, support = team[Role.lead], team[Role.editor], team[Role.support]
    target = _log(write, editor, title="Dark mode", handles="@ann, @bo")
    source = _log(write, support, title="Dark theme please", handles="@ANN, @cy, @dee")
    with write() as s:
        ideas.vote(s, actor=editor, idea_id=target)
        ideas.vote(s, actor=editor, idea_id=source)
        ideas.vote(s, actor=support, idea_id=source)
    before = _rows(read)

    with write() as s:
        result = ideas.merge(s, actor=lead, source_id=source, target_id=target, expected_version=1)
    assert (result.givers_moved, result.votes_moved, result.givers_already_there, result.votes_already_there) == (
        2,
        1,
        1,
        1,
    )
    kept = _get(read, target)
    assert (kept.demand, kept.votes) == (4, 2)  # @ann once, @bo, @cy, @dee; editor once, support
    with read() as s:
        assert [i.id for i in ideas.board_page(s).rows] == [target]
        detail = ideas.idea_detail(s, idea_id=source)
        assert detail.merged_into == (target, "Dark mode") and detail.next_statuses == ()
        assert ideas.idea_detail(s, idea_id=target).merged_from == ((source, "Dark theme please"),)
        assert [h for h, _ in ideas.givers(s, [target])] == ["@ann", "@bo", "@cy", "@dee"]
        assert "idea.merge_in" in [h.action for h in ideas.idea_detail(s, idea_id=target).history]

    with write() as s:
        ideas.undo_merge(s, actor=lead, idea_id=source, expected_version=2)
    assert _rows(read) == before
    with read() as s:
        assert sorted(i.id for i in ideas.board_page(s).rows) == sorted([target, source])
        assert "idea.unmerge" in [h.action for h in ideas.idea_detail(s, idea_id=source).history]


def test_nested_merges_undo_one_step_at_a_time_in_any_order(write, read, team):
    lead, editor, support, community = team[Role.lead], team[Role.editor], team[Role.support], team[Role.community]
    a = _log(write, editor, title="A", handles="@ann")
    b = _log(write, editor, title="B", handles="@bo, @ann")
    c = _log(write, editor, title="C", handles="@cy, @bo, @ann")
    with write() as s:
        ideas.vote(s, actor=support, idea_id=c)
        ideas.vote(s, actor=community, idea_id=c)
        ideas.vote(s, actor=community, idea_id=b)
    initial = _rows(read)
    with write() as s:
        ideas.merge(s, actor=lead, source_id=c, target_id=b, expected_version=1)
    after_first = _rows(read)
    with write() as s:
        ideas.merge(s, actor=lead, source_id=b, target_id=a, expected_version=1)
    assert (_get(read, a).demand, _get(read, a).votes) == (3, 2)
    with read() as s:
        assert [h for h, _ in ideas.givers(s, [a])] == ["@ann", "@bo", "@cy"]

    # Undo the inner merge first: C's rows come back from A, B's stay on A.
    with write() as s:
        ideas.undo_merge(s, actor=lead, idea_id=c, expected_version=2)
    assert (_get(read, a).demand, _get(read, c).demand, _get(read, c).votes) == (2, 3, 2)
    with write() as s:
        ideas.undo_merge(s, actor=lead, idea_id=b, expected_version=2)
    assert _rows(read) == initial

    # And the other order.
    with write() as s:
        ideas.merge(s, actor=lead, source_id=c, target_id=b, expected_version=3)
    with write() as s:
        ideas.merge(s, actor=lead, source_id=b, target_id=a, expected_version=3)
    with write() as s:
        ideas.undo_merge(s, actor=lead, idea_id=b, expected_version=4)
    assert _rows(read) == after_first
    with write() as s:
        ideas.undo_merge(s, actor=lead, idea_id=c, expected_version=4)
    assert _rows(read) == initial


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("itself", "into itself"),
        ("source merged", "merged into .* already"),
        ("target merged", "itself merged"),
        ("in hot plan", "hot plan"),
    ],
)
def test_merges_that_would_lose_track_are_refused(write, team, case, message):
    lead = team[Role.lead]
    a, b, c = (_valid_quick_win(write, lead, title) for title in ("A", "B", "C"))
    source, target = b, a
    if case == "itself":
        target = b
    elif case == "source merged":
        with write() as s:
            ideas.merge(s, actor=lead, source_id=b, target_id=c, expected_version=3)
    elif case == "target merged":
        with write() as s:
            ideas.merge(s, actor=lead, source_id=a, target_id=c, expected_version=3)
    else:
        with write() as s:
            ideas.add_to_hot_plan(s, actor=lead, idea_id=b)
    with pytest.raises(ValidationError, match=message), write() as s:
        version = s.get(Idea, source).version
        ideas.merge(s, actor=lead, source_id=source, target_id=target, expected_version=version)


def test_a_merged_idea_takes_no_votes_givers_or_status_changes(write, team):
    lead = team[Role.lead]
    a, b = _log(write, lead, title="A"), _log(write, lead, title="B")
    with write() as s:
        ideas.merge(s, actor=lead, source_id=b, target_id=a, expected_version=1)
    for attempt in (
        lambda s: ideas.vote(s, actor=lead, idea_id=b),
        lambda s: ideas.add_givers(s, actor=lead, idea_id=b, handles="@x"),
        lambda s: ideas.set_status(s, actor=lead, idea_id=b, status="valid", expected_version=2),
    ):
        with pytest.raises(ValidationError, match="merged into"), write() as s:
            attempt(s)


# --- the KPI: valid proposals per month -------------------------------------------------------


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
    with read() as s:
        counts = ideas.valid_proposals_per_month(s, first=dt.date(2025, 1, 1), last=dt.date(2025, 4, 30), tz=BERLIN)
    assert counts == [
        (dt.date(2025, 1, 1), 2),
        (dt.date(2025, 2, 1), 1),
        (dt.date(2025, 3, 1), 2),
        (dt.date(2025, 4, 1), 0),
    ]


def test_marking_ideas_valid_feeds_the_monthly_count(write, read, team):
    for title in ("One", "Two"):
        idea_id = _log(write, team[Role.editor], title=title)
        _walk(write, team[Role.lead], idea_id, "valid")
    today = dt.datetime.now(BERLIN).date()
    with read() as s:
        counts = ideas.valid_proposals_per_month(s, first=today.replace(day=1), last=today, tz=BERLIN)
    assert counts == [(today.replace(day=1), 2)]


# --- board queries ----------------------------------------------------------------------------


@pytest.fixture
def board(write, team):
    """Four ideas with different demand, votes, scores, sources and channels."""
    lead = team[Role.lead]
    with write() as s:
        insta, tele = make_channel(s, name="Insta"), make_channel(s, name="Tele")
        rows = {
            "dark": ideas.log_idea(
                s, actor=lead, title="Dark mode", handles="@a @b @c", source="comment", channel_id=insta.id
            ),
            "export": ideas.log_idea(
                s,
                actor=lead,
                title="Export to Excel",
                description="CSV is not enough",
                handles="@a",
                source="survey",
                channel_id=tele.id,
            ),
            "passkey": ideas.log_idea(
                s, actor=lead, title="Passkey sign-in", handles="@a @b", source="dm", channel_id=insta.id
            ),
            "font": ideas.log_idea(s, actor=lead, title="Bigger font", source="team"),
        }
        ids = {k: v.id for k, v in rows.items()}
        for n, key in enumerate(("dark", "export", "passkey", "font")):
            s.get(Idea, ids[key]).created_at = dt.datetime(2025, 1, 1 + n, tzinfo=UTC)
        for role in (Role.editor, Role.support, Role.community):
            ideas.vote(s, actor=team[role], idea_id=ids["export"])
        ideas.vote(s, actor=team[Role.editor], idea_id=ids["passkey"])
    _walk(write, lead, ids["export"], "valid")
    _walk(write, lead, ids["passkey"], "valid")
    with write() as s:
        ideas.set_scores(s, actor=lead, idea_id=ids["export"], impact=5, cost=1, expected_version=2)
        ideas.set_scores(s, actor=lead, idea_id=ids["passkey"], impact=3, cost=4, expected_version=2)
    return ids


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("demand", ["dark", "passkey", "export", "font"]),
        ("votes", ["export", "passkey", "dark", "font"]),
        ("newest", ["font", "passkey", "export", "dark"]),
        ("oldest", ["dark", "export", "passkey", "font"]),
        ("score", ["export", "passkey", "dark", "font"]),
    ],
)
def test_the_table_sorts_by_demand_votes_age_and_score(read, board, sort, order):
    with read() as s:
        rows = ideas.board_page(s, sort=sort).rows
    assert [r.id for r in rows] == [board[k] for k in order]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (BoardFilters(statuses=("valid",)), {"export", "passkey"}),
        (BoardFilters(sources=("comment", "dm")), {"dark", "passkey"}),
        (BoardFilters(quick_wins_only=True), {"export"}),
        (BoardFilters(text="excel"), {"export"}),
        (BoardFilters(text="not enough"), {"export"}),  # the description counts too
        (BoardFilters(text="100%"), set()),  # wildcards are searched literally
        (BoardFilters(statuses=("new",), text="mode"), {"dark"}),
    ],
)
def test_board_filters(read, board, filters, expected):
    with read() as s:
        rows = ideas.board_page(s, filters=filters).rows
    assert {r.id for r in rows} == {board[k] for k in expected}


def test_channel_filter(read, board):
    with read() as s:
        channel = ideas.get_idea(s, idea_id=board["dark"]).channel_id
        assert {r.id for r in ideas.board_page(s, filters=BoardFilters(channel_ids=(channel,))).rows} == {
            board["dark"],
            board["passkey"],
        }


def test_kanban_columns_count_everything_but_show_a_few(read, board):
    with read() as s:
        columns = ideas.kanban(s, per_column=1)
    by_status = {c.status: c for c in columns}
    assert [c.status for c in columns] == ["new", "valid", "planned", "in_progress", "shipped"]
    assert (by_status["new"].count, len(by_status["new"].ideas)) == (2, 1)
    assert by_status["new"].ideas[0].id == board["dark"]  # highest demand first
    assert by_status["valid"].count == 2 and by_status["planned"].count == 0


def test_table_pages(read, board):
    with read() as s:
        first, second = ideas.board_page(s, page=1, page_size=3), ideas.board_page(s, page=2, page_size=3)
        beyond = ideas.board_page(s, page=9, page_size=3)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (4, 2, 3, 1)
    assert beyond.page == 2


def test_the_matrix_holds_scored_ideas_bounded_by_demand_plus_quick_wins(write, read, board, team):
    with read() as s:
        full = ideas.matrix(s)
        small = ideas.matrix(s, top_n=1)
    assert {p.id for p in full.points} == {board["export"], board["passkey"]}
    assert (full.scored, full.quick_wins) == (2, 1)
    # Top 1 by demand (passkey, 2 givers) plus the top quick win (export).
    assert {p.id for p in small.points} == {board["passkey"], board["export"]}


def test_similar_titles_are_found_but_merged_ideas_and_unrelated_ones_are_not(write, read, board, team):
    with read() as s:
        found = ideas.similar_ideas(s, title="dark-mode in the app")
        assert [m.id for m in found] == [board["dark"]] and found[0].demand == 3
        assert ideas.similar_ideas(s, title="Refund policy") == []
    with write() as s:
        ideas.merge(s, actor=team[Role.lead], source_id=board["dark"], target_id=board["font"], expected_version=1)
    with read() as s:
        assert ideas.similar_ideas(s, title="dark mode") == []


def test_category_suggestions_come_from_conversations_and_ideas(write, read, team):
    from tests.factories import make_conversation

    with write() as s:
        make_conversation(s, category="billing")
        make_conversation(s, category="Login")
        make_idea(s, category="mobile app")
    with read() as s:
        assert ideas.category_suggestions(s) == ["billing", "Login", "mobile app"]


# --- import and export ------------------------------------------------------------------------

SURVEY = (
    b"Timestamp,Your idea,Why,Username\n"
    b"2025-03-01 10:00,Dark mode,My eyes,@ann\n"
    b'2025-03-02 11:00,Export to Excel,,"@bo, @cy"\n'
    b",,,\n"
    b'2025-03-02 11:00,Export to Excel,,"@bo, @cy"\n'
)
MAPPING = ImportMapping(title="Your idea", description="Why", handle="Username", date="Timestamp")


def test_survey_results_import_once_and_a_reimport_adds_nothing(write, read, team):
    lead = team[Role.lead]
    with read() as s:
        preview = ideas.preview_import(s, data=SURVEY, mapping=MAPPING)
    assert (len(preview.rows), preview.repeated_in_file, preview.blank, preview.errors) == (2, 1, 1, ())
    with write() as s:
        result = ideas.import_ideas(s, actor=lead, data=SURVEY, mapping=MAPPING)
    assert (result.created, result.givers, result.repeated_in_file) == (2, 3, 1)
    with read() as s:
        rows = ideas.board_page(s, sort="oldest").rows
        assert [(r.title, r.demand, r.source, r.status) for r in rows] == [
            ("Dark mode", 1, "survey", "new"),
            ("Export to Excel", 2, "survey", "new"),
        ]
        assert rows[0].created_at == dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    with write() as s:
        again = ideas.import_ideas(s, actor=lead, data=SURVEY, mapping=MAPPING)
    assert (again.created, again.already_imported) == (0, 3)  # every data row of the file, repeats included
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2


def test_an_import_with_a_bad_row_saves_nothing_and_names_row_and_column(write, read, team):
    data = (
        b"Idea,When,Channel\n"
        b"Dark mode,2025-03-01,Insta\n"
        b",2025-03-01,Insta\n"
        b"Export,yesterday,Insta\n"
        b"Widget,2025-03-01,Fax\n"
    )
    mapping = ImportMapping(title="Idea", date="When", channel="Channel")
    with write() as s:
        make_channel(s, name="Insta")
    with read() as s:
        preview = ideas.preview_import(s, data=data, mapping=mapping)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "Idea"), (4, "When"), (5, "Channel")]
    assert "unknown channel 'Fax'" in preview.errors[2].message
    with (
        pytest.raises(ValidationError, match=r"Nothing was imported: 3 problem\(s\).*row 3, column 'Idea'"),
        write() as s,
    ):
        ideas.import_ideas(s, actor=team[Role.lead], data=data, mapping=mapping)
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0


@pytest.mark.parametrize(
    ("data", "mapping", "message"),
    [
        (b"", MAPPING, "empty"),
        (b"\xff\xfe\x00bad", MAPPING, "UTF-8"),
        (b"Idea,Idea\nx,y\n", ImportMapping(title="Idea"), "unique"),
        (b"Idea,Other\nx,y\n", ImportMapping(title="Title"), "not in the file"),
        (b"Idea,Other\nx,y\n", ImportMapping(title="Idea", description="Idea"), "one field only"),
    ],
)
def test_unusable_files_and_mappings_are_explained(read, data, mapping, message):
    with pytest.raises(ValidationError, match=message), read() as s:
        ideas.preview_import(s, data=data, mapping=mapping)


def test_semicolon_separated_files_are_read():
    columns, rows = ideas.read_csv(b"Idee;Name\nDunkelmodus;@ann\n")
    assert columns == ["Idee", "Name"] and rows == [["Dunkelmodus", "@ann"]]


def test_the_export_neutralises_formulas_and_lists_givers(write, read, team):
    _log(write, team[Role.editor], title='=HYPERLINK("http://evil")', handles="@ann, @bo")
    with read() as s:
        text = ideas.export_csv(s, actor=team[Role.analyst])
    header, row = text.splitlines()[:2]
    assert header.split(",")[:4] == ["id", "title", "description", "status"]
    assert "'=HYPERLINK" in row and "@ann, @bo" in row


def test_idea_detail_lists_givers_voters_and_history(write, read, team):
    idea_id = _log(write, team[Role.editor], handles="@ann")
    with write() as s:
        ideas.vote(s, actor=team[Role.support], idea_id=idea_id)
    _walk(write, team[Role.lead], idea_id, "valid")
    with read() as s:
        detail = ideas.idea_detail(s, idea_id=idea_id)
    assert [g.handle for g in detail.givers] == ["@ann"]
    assert [v.user_id for v in detail.voters] == [team[Role.support].id]
    assert [h.action for h in detail.history] == ["idea.create", "idea.status.valid"]
    assert "status: new → valid" in detail.history[1].changes
    assert detail.next_statuses == ("planned", "declined")


def test_status_counts_add_up_to_the_table_total_and_leave_merged_ideas_out(read, board):
    with read() as s:
        counts = ideas.status_counts(s)
        assert sum(counts.values()) == ideas.board_page(s).total == 4
        assert s.exec(select(func.count()).select_from(Idea).where(col(Idea.merged_into_id).is_(None))).one() == 4


def test_the_command_line_imports_once_and_exports_ideas(engine, read, team, tmp_path, capsys):
    from core.cli import main

    survey = tmp_path / "survey.csv"
    survey.write_bytes(SURVEY)
    assert main(["import-ideas", str(survey), "--dry-run"], engine=engine) == 0
    assert "2 new idea(s)" in capsys.readouterr().out
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0
    assert main(["import-ideas", str(survey)], engine=engine) == 0
    assert main(["import-ideas", str(survey)], engine=engine) == 0
    assert "Imported 0 idea(s)" in capsys.readouterr().out
    target = tmp_path / "ideas.csv"
    assert main(["export-ideas", str(target)], engine=engine) == 0
    assert {"Dark mode", "Export to Excel"} <= {line.split(",")[1] for line in target.read_text().splitlines()[1:]}


def test_the_command_line_reports_bad_rows_and_writes_nothing(engine, read, tmp_path, capsys):
    from core.cli import main

    survey = tmp_path / "survey.csv"
    survey.write_text("Idea,When\nDark mode,2025-03-01\n,2025-03-02\n")
    assert main(["import-ideas", str(survey), "--title", "Idea", "--date", "When"], engine=engine) == 1
    assert "row 3, column 'Idea': the title is empty" in capsys.readouterr().err
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0
