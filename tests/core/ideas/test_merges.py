"""Merging duplicates without double counting, and undoing merges exactly (nested ones too)."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from core.ideas.capture import add_givers, vote
from core.ideas.detail import givers, idea_detail, merged_ideas_matching
from core.ideas.merges import merge, undo_merge
from core.ideas.queries import board_page
from core.ideas.triage import add_to_hot_plan, set_status
from db.models import Idea, Role
from tests.core.ideas.helpers import get, giver_and_vote_rows, log, valid_quick_win

# --- merge and undo ---------------------------------------------------------------------------


def test_merge_moves_givers_and_votes_without_double_counting_and_undo_restores_exactly(write, read, team):
    lead, editor, support = team[Role.lead], team[Role.editor], team[Role.support]
    target = log(write, editor, title="Dark mode", handles="@ann, @bo")
    source = log(write, support, title="Dark theme please", handles="@ANN, @cy, @dee")
    with write() as s:
        vote(session=s, actor=editor, idea_id=target)
        vote(session=s, actor=editor, idea_id=source)
        vote(session=s, actor=support, idea_id=source)
    before = giver_and_vote_rows(read)

    with write() as s:
        result = merge(session=s, actor=lead, source_id=source, target_id=target, expected_version=1)
    assert (result.givers_moved, result.votes_moved, result.givers_already_there, result.votes_already_there) == (
        2,
        1,
        1,
        1,
    )
    kept = get(read, target)
    assert (kept.demand, kept.votes) == (4, 2)  # @ann once, @bo, @cy, @dee; editor once, support
    with read() as s:
        assert [i.id for i in board_page(session=s).rows] == [target]
        detail = idea_detail(session=s, idea_id=source)
        assert detail.merged_into == (target, "Dark mode") and detail.next_statuses == ()
        assert idea_detail(session=s, idea_id=target).merged_from == ((source, "Dark theme please"),)
        assert [h for h, _ in givers(session=s, idea_ids=[target])] == ["@ann", "@bo", "@cy", "@dee"]
        assert "idea.merge_in" in [h.action for h in idea_detail(session=s, idea_id=target).history]

    with write() as s:
        undo_merge(session=s, actor=lead, idea_id=source, expected_version=2)
    assert giver_and_vote_rows(read) == before
    with read() as s:
        assert sorted(i.id for i in board_page(session=s).rows) == sorted([target, source])
        assert "idea.unmerge" in [h.action for h in idea_detail(session=s, idea_id=source).history]


def test_nested_merges_undo_one_step_at_a_time_in_any_order(write, read, team):
    lead, editor, support, community = team[Role.lead], team[Role.editor], team[Role.support], team[Role.community]
    a = log(write, editor, title="A", handles="@ann")
    b = log(write, editor, title="B", handles="@bo, @ann")
    c = log(write, editor, title="C", handles="@cy, @bo, @ann")
    with write() as s:
        vote(session=s, actor=support, idea_id=c)
        vote(session=s, actor=community, idea_id=c)
        vote(session=s, actor=community, idea_id=b)
    initial = giver_and_vote_rows(read)
    with write() as s:
        merge(session=s, actor=lead, source_id=c, target_id=b, expected_version=1)
    after_first = giver_and_vote_rows(read)
    with write() as s:
        merge(session=s, actor=lead, source_id=b, target_id=a, expected_version=1)
    assert (get(read, a).demand, get(read, a).votes) == (3, 2)
    with read() as s:
        assert [h for h, _ in givers(session=s, idea_ids=[a])] == ["@ann", "@bo", "@cy"]

    # Undo the inner merge first: C's rows come back from A, B's stay on A.
    with write() as s:
        undo_merge(session=s, actor=lead, idea_id=c, expected_version=2)
    assert (get(read, a).demand, get(read, c).demand, get(read, c).votes) == (2, 3, 2)
    with write() as s:
        undo_merge(session=s, actor=lead, idea_id=b, expected_version=2)
    assert giver_and_vote_rows(read) == initial

    # And the other order.
    with write() as s:
        merge(session=s, actor=lead, source_id=c, target_id=b, expected_version=3)
    with write() as s:
        merge(session=s, actor=lead, source_id=b, target_id=a, expected_version=3)
    with write() as s:
        undo_merge(session=s, actor=lead, idea_id=b, expected_version=4)
    assert giver_and_vote_rows(read) == after_first
    with write() as s:
        undo_merge(session=s, actor=lead, idea_id=c, expected_version=4)
    assert giver_and_vote_rows(read) == initial


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
    a, b, c = (valid_quick_win(write, lead, title) for title in ("A", "B", "C"))
    source, target = b, a
    if case == "itself":
        target = b
    elif case == "source merged":
        with write() as s:
            merge(session=s, actor=lead, source_id=b, target_id=c, expected_version=3)
    elif case == "target merged":
        with write() as s:
            merge(session=s, actor=lead, source_id=a, target_id=c, expected_version=3)
    else:
        with write() as s:
            add_to_hot_plan(session=s, actor=lead, idea_id=b)
    with pytest.raises(ValidationError, match=message), write() as s:
        version = s.get(Idea, source).version
        merge(session=s, actor=lead, source_id=source, target_id=target, expected_version=version)


def test_a_merged_idea_takes_no_votes_givers_or_status_changes(write, team):
    lead = team[Role.lead]
    a, b = log(write, lead, title="A"), log(write, lead, title="B")
    with write() as s:
        merge(session=s, actor=lead, source_id=b, target_id=a, expected_version=1)
    for attempt in (
        lambda s: vote(session=s, actor=lead, idea_id=b),
        lambda s: add_givers(session=s, actor=lead, idea_id=b, handles="@x"),
        lambda s: set_status(session=s, actor=lead, idea_id=b, status="valid", expected_version=2),
    ):
        with pytest.raises(ValidationError, match="merged into"), write() as s:
            attempt(s)


# --- finding a merged idea again ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("dark THEME", ["theme"]),  # the title, any case
        ("eyes hurt", ["theme"]),  # the description
        ("#{theme}", ["theme"]),  # its number, as the board shows it
        ("{theme}", ["theme"]),
        ("dark", ["theme", "colours"]),  # newest first
        ("Dark mode", []),  # the idea kept on the board is not a merged one
        ("   ", []),
    ],
)
def test_merged_ideas_are_found_by_title_description_or_number(write, read, team, search, found):
    lead, editor = team[Role.lead], team[Role.editor]
    target = log(write, editor, title="Dark mode for the mobile app", handles="@ann")
    ids = {
        "colours": log(write, editor, title="Darker colours at night", handles="@bo"),
        "theme": log(
            write, editor, title="Dark theme, please", handles="@cy", description="My eyes hurt at night, please."
        ),
    }
    for source in ids.values():
        with write() as s:
            merge(session=s, actor=lead, source_id=source, target_id=target, expected_version=1)
    with read() as s:
        matches = merged_ideas_matching(session=s, text=search.format(**ids))
    assert [m.id for m in matches] == [ids[name] for name in found]
    assert {(m.merged_into_id, m.merged_into_title) for m in matches} <= {(target, "Dark mode for the mobile app")}
