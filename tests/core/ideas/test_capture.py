"""Capturing ideas: logging with givers, bad input, votes (one each), demand and support instead of duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from core.errors import ValidationError
from core.ideas.capture import add_givers, add_support, log_idea, vote, withdraw_vote
from core.permissions import CLI_ACTOR
from db.models import AuditLog, Idea, IdeaCreate, Role, Vote
from tests.core.ideas.helpers import get, log
from tests.factories import make_channel

# --- capture, givers, votes -------------------------------------------------------------------


def test_a_team_member_logs_an_idea_with_its_givers(write, read, team):
    editor = team[Role.editor]
    with write() as s:
        channel_id = make_channel(s).id
    idea_id = log(
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
    idea = get(read, idea_id)
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
        log_idea(session=s, actor=team[Role.editor], idea_in=IdeaCreate(**arguments))
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0


def test_one_vote_per_team_member_per_idea(write, read, team):
    idea_id = log(write, team[Role.editor])
    for role in (Role.editor, Role.support):
        with write() as s:
            vote(session=s, actor=team[role], idea_id=idea_id)
    with pytest.raises(ValidationError, match="voted for idea .* already"), write() as s:
        vote(session=s, actor=team[Role.editor], idea_id=idea_id)
    assert get(read, idea_id).votes == 2


def test_the_database_refuses_a_second_vote_row_too(write, team):
    idea_id = log(write, team[Role.editor])
    with write() as s:
        s.add(Vote(idea_id=idea_id, user_id=team[Role.editor].id))
    with pytest.raises(IntegrityError), write() as s:
        s.add(Vote(idea_id=idea_id, user_id=team[Role.editor].id))
        s.flush()


def test_a_vote_can_be_withdrawn_and_given_again(write, read, team):
    editor = team[Role.editor]
    idea_id = log(write, editor)
    with write() as s:
        vote(session=s, actor=editor, idea_id=idea_id)
    with write() as s:
        withdraw_vote(session=s, actor=editor, idea_id=idea_id)
    assert get(read, idea_id).votes == 0
    with pytest.raises(ValidationError, match="no vote"), write() as s:
        withdraw_vote(session=s, actor=editor, idea_id=idea_id)
    with write() as s:
        vote(session=s, actor=editor, idea_id=idea_id)
    assert get(read, idea_id).votes == 1


def test_the_command_line_cannot_vote(write, team):
    idea_id = log(write, team[Role.editor])
    with pytest.raises(ValidationError, match="team members"), write() as s:
        vote(session=s, actor=CLI_ACTOR, idea_id=idea_id)


def test_demand_counts_distinct_givers(write, read, team):
    idea_id = log(write, team[Role.editor], handles="@ann, @bo")
    with write() as s:
        added = add_givers(session=s, actor=team[Role.community], idea_id=idea_id, handles="@ANN, @cy")
    assert added == 1
    assert get(read, idea_id).demand == 3


def test_adding_support_to_a_similar_idea_instead_of_a_duplicate(write, read, team):
    editor = team[Role.editor]
    idea_id = log(write, team[Role.lead], handles="@ann")
    with write() as s:
        result = add_support(session=s, actor=editor, idea_id=idea_id, handles="@ann, @zoe")
    assert (result.givers_added, result.vote_added) == (1, True)
    idea = get(read, idea_id)
    assert (idea.demand, idea.votes) == (2, 1)
    with pytest.raises(ValidationError, match="Nothing to add"), write() as s:
        add_support(session=s, actor=editor, idea_id=idea_id, handles="@zoe")
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 1
