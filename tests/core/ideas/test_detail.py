"""One idea up close: its detail, look-alike titles and category suggestions."""

from __future__ import annotations

from core.ideas.capture import vote
from core.ideas.detail import category_suggestions, idea_detail, similar_ideas
from core.ideas.merges import merge
from db.models import Role
from tests.core.ideas.helpers import log, walk
from tests.factories import make_idea


def test_similar_titles_are_found_but_merged_ideas_and_unrelated_ones_are_not(write, read, board, team):
    with read() as s:
        found = similar_ideas(session=s, title="dark-mode in the app")
        assert [m.id for m in found] == [board["dark"]] and found[0].demand == 3
        assert similar_ideas(session=s, title="Refund policy") == []
    with write() as s:
        merge(session=s, actor=team[Role.lead], source_id=board["dark"], target_id=board["font"], expected_version=1)
    with read() as s:
        assert similar_ideas(session=s, title="dark mode") == []


def test_category_suggestions_come_from_conversations_and_ideas(write, read, team):
    from tests.factories import make_conversation

    with write() as s:
        make_conversation(s, category="billing")
        make_conversation(s, category="Login")
        make_idea(s, category="mobile app")
    with read() as s:
        assert category_suggestions(session=s) == ["billing", "Login", "mobile app"]


def test_idea_detail_lists_givers_voters_and_history(write, read, team):
    idea_id = log(write, team[Role.editor], handles="@ann")
    with write() as s:
        vote(session=s, actor=team[Role.support], idea_id=idea_id)
    walk(write, team[Role.lead], idea_id, "valid")
    with read() as s:
        detail = idea_detail(session=s, idea_id=idea_id)
    assert [g.handle for g in detail.givers] == ["@ann"]
    assert [v.user_id for v in detail.voters] == [team[Role.support].id]
    assert [h.action for h in detail.history] == ["idea.create", "idea.status.valid"]
    assert "status: new → valid" in detail.history[1].changes
    assert detail.next_statuses == ("planned", "declined")
