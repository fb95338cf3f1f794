"""The idea board screen, run as each kind of user: capture and vote, triage into the hot plan,
merge, import, and the viewer who reads everything and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from core import ideas
from db.models import Idea, IdeaGiver, Role, Vote
from tests.factories import make_channel, make_user
from tests.pages.apptest import open_page, texts


@pytest.fixture
def team(write):
    with write() as s:
        return {role: make_user(s, role, username=f"the-{role.value}") for role in Role}


def _idea(write, team, title="Dark mode for the mobile app", handles="@ann, @bo", *statuses, scores=None) -> int:
    lead = team[Role.lead]
    with write() as s:
        idea_id = ideas.log_idea(s, actor=team[Role.editor], title=title, handles=handles).id
    for status in statuses:
        with write() as s:
            version = ideas.get_idea(s, idea_id=idea_id).version
            ideas.set_status(s, actor=lead, idea_id=idea_id, status=status, expected_version=version)
    if scores:
        with write() as s:
            version = ideas.get_idea(s, idea_id=idea_id).version
            ideas.set_scores(s, actor=lead, idea_id=idea_id, impact=scores[0], cost=scores[1], expected_version=version)
    return idea_id


def _open_detail(at, idea_id):
    at.session_state["ideas_selected"] = idea_id
    return at.run()


def _labels(at) -> list[str]:
    """Button labels in the page itself (not the sidebar's sign-out)."""
    return [b.label for b in at.main.button]


def _idea_row(read, title):
    with read() as s:
        return s.exec(select(Idea).where(Idea.title == title)).first()


def test_an_empty_board_says_how_to_start(team):
    at = open_page("ideas", username="the-editor")
    assert not at.exception
    assert "No ideas yet. Log the first one above" in texts(at)


def test_a_team_member_logs_an_idea_and_votes_for_it(team, write, read):
    with write() as s:
        channel_id = make_channel(s, name="Telegram").id
    at = open_page("ideas", username="the-editor")
    at.text_input(key="ideas_new_title").input("Offline mode on the train")
    at.text_input(key="ideas_new_handles").input("@mila, @jonas")
    at.selectbox(key="ideas_new_source").set_value("dm")
    at.selectbox(key="ideas_new_channel").set_value(channel_id)
    at.text_input(key="ideas_new_link").input("https://t.me/c/1")
    at = at.button(key="ideas_log").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    idea = _idea_row(read, "Offline mode on the train")
    assert idea is not None and (idea.source, idea.channel_id, idea.source_url) == ("dm", channel_id, "https://t.me/c/1")
    assert [m.value for m in at.success if "logged" in m.value and "Offline mode on the train" in m.value]
    assert at.text_input(key="ideas_new_title").value == ""  # the form is ready for the next one
    assert "Offline mode on the train" in texts(at)

    at = at.button(key=f"ideas_open_{idea.id}").click().run()
    at = at.button(key=f"ideas_d_vote_{idea.id}").click().run()
    assert not at.exception
    with read() as s:
        assert s.exec(select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id)).one() == 1
        assert ideas.get_idea(s, idea_id=idea.id).demand == 2
    assert at.button(key=f"ideas_d_vote_{idea.id}").label == "Withdraw my vote"
    # The team member sees no triage.
    assert "Change status" not in _labels(at) and "Save scores" not in _labels(at)


def test_similar_titles_show_while_typing_and_add_support_instead_of_a_duplicate(team, write, read):
    idea_id = _idea(write, team, "Dark mode for the mobile app", "@ann")
    at = open_page("ideas", username="the-support")
    at.text_input(key="ideas_new_handles").input("@zoe")
    at = at.text_input(key="ideas_new_title").input("dark mode in the app").run()
    assert "Possible duplicates" in texts(at)
    at = at.button(key=f"ideas_support_{idea_id}").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 1
        view = ideas.get_idea(s, idea_id=idea_id)
    assert (view.demand, view.votes) == (2, 1)
    assert at.session_state["ideas_selected"] == idea_id  # the existing idea is opened


def test_the_lead_scores_an_idea_sees_a_quick_win_and_moves_it_into_the_hot_plan(team, write, read):
    idea_id = _idea(write, team, "Remember me for 30 days", "@ann", "valid")
    at = _open_detail(open_page("ideas", username="the-lead"), idea_id)
    at.select_slider(key=f"ideas_d_impact_{idea_id}").set_value(5)
    at.select_slider(key=f"ideas_d_cost_{idea_id}").set_value(1)
    at = at.button(key=f"ideas_d_save_scores_{idea_id}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "quick win" in texts(at)

    at = at.radio(key="ideas_mode").set_value("Impact/Cost matrix").run()
    assert at.get("vega_lite_chart"), "the matrix is drawn"
    assert "Showing all 1 scored ideas" in texts(at)
    at = at.button(key=f"ideas_qw_hot_{idea_id}").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert [i.id for i in ideas.hot_plan(s)] == [idea_id]

    at = at.radio(key="ideas_mode").set_value("Hot plan").run()
    assert "Remember me for 30 days" in texts(at)
    assert at.button(key=f"ideas_hp_up_{idea_id}").disabled


def test_declining_without_a_reason_is_refused_with_what_to_fix(team, write, read):
    idea_id = _idea(write, team, "Family plan", "@ann", "valid")
    at = _open_detail(open_page("ideas", username="the-lead"), idea_id)
    at.selectbox(key=f"ideas_d_status_{idea_id}").set_value("declined")
    at = at.button(key=f"ideas_d_set_status_{idea_id}").click().run()
    assert "Say why the idea is declined" in at.error[0].value
    at.text_input(key=f"ideas_d_reason_{idea_id}").input("Out of scope this year")
    at = at.button(key=f"ideas_d_set_status_{idea_id}").click().run()
    assert not at.error
    with read() as s:
        view = ideas.get_idea(s, idea_id=idea_id)
    assert (view.status, view.status_reason) == ("declined", "Out of scope this year")
    assert "Out of scope this year" in texts(at)


def test_the_lead_merges_a_duplicate_and_undoes_it(team, write, read):
    keep = _idea(write, team, "Dark mode for the mobile app", "@ann")
    duplicate = _idea(write, team, "Dark theme for the app", "@ann, @cy")
    at = _open_detail(open_page("ideas", username="the-lead"), duplicate)
    at.selectbox(key=f"ideas_d_merge_target_{duplicate}").set_value(keep)
    at = at.button(key=f"ideas_d_merge_{duplicate}").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert ideas.get_idea(s, idea_id=keep).demand == 2
    assert at.session_state["ideas_selected"] == keep
    at = _open_detail(at, duplicate)
    assert f"Merged into #{keep}" in texts(at)
    at = at.button(key="ideas_d_unmerge").click().run()
    assert not at.error
    with read() as s:
        assert ideas.get_idea(s, idea_id=keep).demand == 1
        assert ideas.get_idea(s, idea_id=duplicate).merged_into_id is None


def test_a_viewer_reads_everything_but_changes_nothing(team, write, read):
    idea_id = _idea(write, team, "Calendar sync", "@ann", "valid", scores=(5, 1))
    at = open_page("ideas", username="the-viewer")
    assert not at.exception and not at.error
    shown = texts(at)
    assert "Calendar sync" in shown and "You can read the whole board" in shown
    assert not [b for b in at.button if b.key == "ideas_log"]
    at = _open_detail(at, idea_id)
    assert "#1 · Calendar sync" in texts(at)
    assert [e.label for e in at.expander if e.label.startswith("History")] == ["History (3)"]
    assert set(_labels(at)) <= {"Open", "Close"}, _labels(at)
    for mode in ("Table", "Impact/Cost matrix", "Hot plan", "Import & export"):
        at = at.radio(key="ideas_mode").set_value(mode).run()
        assert not at.exception
        assert set(_labels(at)) <= {"Open", "Close"}, (mode, _labels(at))
    assert "reads the board" in texts(at)
    assert not at.file_uploader and not at.download_button


def test_the_table_lists_ideas_and_a_row_opens_one(team, write):
    for n in range(3):
        _idea(write, team, f"Idea number {n}", "@ann")
    at = open_page("ideas", username="the-analyst")
    at = at.radio(key="ideas_mode").set_value("Table").run()
    assert not at.exception
    assert "Ideas 1–3 of 3" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Title"]) and set(table["Title"]) == {"Idea number 0", "Idea number 1", "Idea number 2"}


def test_filters_narrow_the_board(team, write):
    _idea(write, team, "Dark mode", "@ann")
    _idea(write, team, "Export to Excel", "@bo", "valid")
    at = open_page("ideas", username="the-editor")
    at = at.text_input(key="ideas_f_text").input("excel").run()
    shown = texts(at)
    assert "Export to Excel" in shown and "Dark mode" not in shown
    at = at.text_input(key="ideas_f_text").input("").run()
    at = at.multiselect(key="ideas_f_status").select("new").run()
    shown = texts(at)
    assert "Dark mode" in shown and "Export to Excel" not in shown
    at = at.text_input(key="ideas_f_text").input("nothing like this").run()
    assert "No ideas match these filters" in texts(at)


def test_the_lead_imports_survey_results_with_a_preview_and_errors_first(team, read):
    bad = b"Timestamp,Your idea,Username\n2025-03-01,Dark mode,@ann\n2025-03-02,,@bo\n"
    good = b"Timestamp,Your idea,Username\n2025-03-01,Dark mode,@ann\n2025-03-02,Export to Excel,\"@bo, @cy\"\n"
    at = open_page("ideas", username="the-lead")
    at = at.radio(key="ideas_mode").set_value("Import & export").run()
    at = at.file_uploader(key="ideas_import_file_0").upload("survey.csv", bad, "text/csv").run()
    assert not at.exception
    assert "1 problem(s) to fix" in at.error[0].value
    assert at.button(key="ideas_import_go_0").disabled
    at = at.file_uploader(key="ideas_import_file_0").set_value(("survey.csv", good, "text/csv")).run()
    assert "2 new idea(s)" in texts(at)
    at = at.button(key="ideas_import_go_0").click().run()
    assert not at.exception and not at.error
    assert "Imported 2 idea(s) with 3 giver(s)" in texts(at)
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2
        assert s.exec(select(func.count()).select_from(IdeaGiver)).one() == 3
    # Re-importing the same file: nothing new.
    at = at.file_uploader(key="ideas_import_file_1").upload("survey.csv", good, "text/csv").run()
    assert "2 imported before (skipped)" in texts(at)
    assert at.button(key="ideas_import_go_1").disabled
