"""Who may do what on the idea board: the viewer reads only, the team logs and votes, the lead triages."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from core.errors import PermissionDenied
from core.ideas.capture import add_givers, add_support, log_idea, update_details, vote, withdraw_vote
from core.ideas.detail import idea_detail
from core.ideas.files import export_csv
from core.ideas.imports import ImportMapping, SurveyOptions, import_ideas
from core.ideas.merges import merge, undo_merge
from core.ideas.triage import (
    add_to_hot_plan,
    move_in_hot_plan,
    remove_from_hot_plan,
    set_quick_win_thresholds,
    set_scores,
    set_status,
)
from db.models import Idea, IdeaCreate, IdeaUpdate, Role
from tests.core.ideas.helpers import get, giver_and_vote_rows, log, walk

# --- who may do what --------------------------------------------------------------------------

WRITES = {
    "log": lambda s, a, i, v: log_idea(session=s, actor=a, idea_in=IdeaCreate(title="Another idea")),
    "vote": lambda s, a, i, v: vote(session=s, actor=a, idea_id=i),
    "add givers": lambda s, a, i, v: add_givers(session=s, actor=a, idea_id=i, handles="@new"),
    "status": lambda s, a, i, v: set_status(session=s, actor=a, idea_id=i, status="valid", expected_version=v),
    "scores": lambda s, a, i, v: set_scores(session=s, actor=a, idea_id=i, impact=5, cost=1, expected_version=v),
    "hot plan": lambda s, a, i, v: add_to_hot_plan(session=s, actor=a, idea_id=i),
    "thresholds": lambda s, a, i, v: set_quick_win_thresholds(
        session=s, actor=a, min_impact=5, max_cost=1, expected_version=1
    ),
    "merge": lambda s, a, i, v: merge(session=s, actor=a, source_id=i, target_id=i + 1, expected_version=v),
    "import": lambda s, a, i, v: import_ideas(
        session=s, actor=a, data=b"Idea\nX\n", options=SurveyOptions(mapping=ImportMapping(title="Idea"))
    ),
    "export": lambda s, a, i, v: export_csv(session=s, actor=a),
    "edit": lambda s, a, i, v: update_details(
        session=s, actor=a, idea_id=i, expected_version=v, idea_in=IdeaUpdate(title="New")
    ),
    "withdraw vote": lambda s, a, i, v: withdraw_vote(session=s, actor=a, idea_id=i),
    "add support": lambda s, a, i, v: add_support(session=s, actor=a, idea_id=i, handles="@new"),
    "undo merge": lambda s, a, i, v: undo_merge(session=s, actor=a, idea_id=i, expected_version=v),
    "hot plan remove": lambda s, a, i, v: remove_from_hot_plan(session=s, actor=a, idea_id=i),
    "hot plan move": lambda s, a, i, v: move_in_hot_plan(session=s, actor=a, idea_id=i, offset=1),
}
TEAM_WRITES = {"log", "vote", "add givers", "withdraw vote", "add support"}
LEAD_WRITES = set(WRITES) - {"export"}


@pytest.mark.parametrize("what", list(WRITES))
def test_a_viewer_reads_but_changes_nothing(write, read, team, what):
    idea_id = log(write, team[Role.lead])
    log(write, team[Role.lead], title="Second")
    before = giver_and_vote_rows(read)
    with pytest.raises(PermissionDenied, match=r"Your role \(viewer\)"), write() as s:
        WRITES[what](s, team[Role.viewer], idea_id, 1)
    assert giver_and_vote_rows(read) == before
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2
        assert idea_detail(session=s, idea_id=idea_id).idea.title == "Dark mode for the app"


@pytest.mark.parametrize("role", [Role.editor, Role.community, Role.support, Role.analyst, Role.compliance])
@pytest.mark.parametrize("what", sorted(LEAD_WRITES - TEAM_WRITES - {"edit"}))
def test_team_members_other_than_the_lead_may_not_triage_or_import(write, team, role, what):
    idea_id = log(write, team[Role.lead])
    log(write, team[Role.lead], title="Second")
    with pytest.raises(PermissionDenied), write() as s:
        WRITES[what](s, team[role], idea_id, 1)


@pytest.mark.parametrize("role", [Role.lead, Role.admin])
def test_the_lead_and_the_admin_move_ideas_along_the_flow(write, read, team, role):
    idea_id = log(write, team[Role.editor])
    walk(write, team[role], idea_id, "valid", "planned", "in_progress", "shipped")
    idea = get(read, idea_id)
    assert idea.status == "shipped" and idea.valid_at is not None and idea.shipped_at >= idea.valid_at
    with read() as s:
        actions = [h.action for h in idea_detail(session=s, idea_id=idea_id).history]
    assert actions == [
        "idea.create",
        "idea.status.valid",
        "idea.status.planned",
        "idea.status.in_progress",
        "idea.status.shipped",
    ]


def test_whoever_logged_an_idea_may_edit_its_text_but_not_someone_elses(write, read, team):
    idea_id = log(write, team[Role.editor])
    with write() as s:
        update_details(
            session=s,
            actor=team[Role.editor],
            idea_id=idea_id,
            expected_version=1,
            idea_in=IdeaUpdate(category="mobile app"),
        )
    with pytest.raises(PermissionDenied), write() as s:
        update_details(
            session=s, actor=team[Role.support], idea_id=idea_id, expected_version=2, idea_in=IdeaUpdate(category="x")
        )
    assert get(read, idea_id).category == "mobile app"
