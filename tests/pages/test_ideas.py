"""The idea board screen, run as each kind of user: capture and vote, triage into the hot plan,
merge, import, and the viewer who reads everything and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlmodel import func, select

from core import i18n
from core.ideas.capture import log_idea, vote
from core.ideas.queries import get_idea, hot_plan, thresholds
from core.ideas.triage import add_to_hot_plan, set_scores, set_status
from db.models import Idea, IdeaCreate, IdeaGiver, Role, Vote
from tests.factories import make_channel
from tests.pages.apptest import open_page, texts
from tests.pages.charts import valid_charts
from tests.pages.german import english_left


def _idea(write, team, title="Dark mode for the mobile app", handles="@ann, @bo", *statuses, scores=None) -> int:
    lead = team[Role.lead]
    with write() as s:
        idea_id = log_idea(session=s, actor=team[Role.editor], idea_in=IdeaCreate(title=title, handles=handles)).id
    for status in statuses:
        with write() as s:
            version = get_idea(session=s, idea_id=idea_id).version
            set_status(session=s, actor=lead, idea_id=idea_id, status=status, expected_version=version)
    if scores:
        with write() as s:
            version = get_idea(session=s, idea_id=idea_id).version
            set_scores(
                session=s, actor=lead, idea_id=idea_id, impact=scores[0], cost=scores[1], expected_version=version
            )
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
    at = open_page("ideas", username="editor")
    assert not at.exception
    assert "No ideas yet. Log the first one above" in texts(at)


def test_a_team_member_logs_an_idea_and_votes_for_it(team, write, read):
    with write() as s:
        channel_id = make_channel(s, name="Telegram").id
    at = open_page("ideas", username="editor")
    at.text_input(key="ideas_new_title").input("Offline mode on the train")
    at.text_input(key="ideas_new_handles").input("@mila, @jonas")
    at.selectbox(key="ideas_new_source").set_value("dm")
    at.selectbox(key="ideas_new_channel").set_value(channel_id)
    at.text_input(key="ideas_new_link").input("https://t.me/c/1")
    at = at.button(key="ideas_log").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    idea = _idea_row(read, "Offline mode on the train")
    assert idea is not None and (idea.source, idea.channel_id, idea.source_url) == (
        "dm",
        channel_id,
        "https://t.me/c/1",
    )
    assert [m.value for m in at.success if "logged" in m.value and "Offline mode on the train" in m.value]
    assert at.text_input(key="ideas_new_title").value == ""  # the form is ready for the next one
    assert "Offline mode on the train" in texts(at)

    at = at.button(key=f"ideas_open_{idea.id}").click().run()
    at = at.button(key=f"ideas_d_vote_{idea.id}").click().run()
    assert not at.exception
    with read() as s:
        assert s.exec(select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id)).one() == 1
        assert get_idea(session=s, idea_id=idea.id).demand == 2
    assert at.button(key=f"ideas_d_vote_{idea.id}").label == "Withdraw my vote"
    # The team member sees no triage.
    assert "Change status" not in _labels(at) and "Save scores" not in _labels(at)


def test_similar_titles_show_while_typing_and_add_support_instead_of_a_duplicate(team, write, read):
    idea_id = _idea(write, team, "Dark mode for the mobile app", "@ann")
    at = open_page("ideas", username="support")
    at.text_input(key="ideas_new_handles").input("@zoe")
    at = at.text_input(key="ideas_new_title").input("dark mode in the app").run()
    assert "Possible duplicates" in texts(at)
    at = at.button(key=f"ideas_support_{idea_id}").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 1
        view = get_idea(session=s, idea_id=idea_id)
    assert (view.demand, view.votes) == (2, 1)
    assert at.session_state["ideas_selected"] == idea_id  # the existing idea is opened


def test_the_lead_scores_an_idea_sees_a_quick_win_and_moves_it_into_the_hot_plan(team, write, read):
    idea_id = _idea(write, team, "Remember me for 30 days", "@ann", "valid")
    at = _open_detail(open_page("ideas", username="lead"), idea_id)
    at.select_slider(key=f"ideas_d_impact_{idea_id}").set_value(5)
    at.select_slider(key=f"ideas_d_cost_{idea_id}").set_value(1)
    at = at.button(key=f"ideas_d_save_scores_{idea_id}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "quick win" in texts(at)

    at = at.radio(key="ideas_mode").set_value("matrix").run()
    assert valid_charts(at), "the matrix is drawn"
    assert "Showing all 1 scored ideas" in texts(at)
    at = at.button(key=f"ideas_qw_hot_{idea_id}").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert [i.id for i in hot_plan(session=s)] == [idea_id]

    at = at.radio(key="ideas_mode").set_value("hot_plan").run()
    assert "Remember me for 30 days" in texts(at)
    assert at.button(key=f"ideas_hp_up_{idea_id}").disabled


def test_declining_without_a_reason_is_refused_with_what_to_fix(team, write, read):
    idea_id = _idea(write, team, "Family plan", "@ann", "valid")
    at = _open_detail(open_page("ideas", username="lead"), idea_id)
    at.selectbox(key=f"ideas_d_status_{idea_id}").set_value("declined")
    at = at.button(key=f"ideas_d_set_status_{idea_id}").click().run()
    assert "Say why the idea is declined" in at.error[0].value
    at.text_input(key=f"ideas_d_reason_{idea_id}").input("Out of scope this year")
    at = at.button(key=f"ideas_d_set_status_{idea_id}").click().run()
    assert not at.error
    with read() as s:
        view = get_idea(session=s, idea_id=idea_id)
    assert (view.status, view.status_reason) == ("declined", "Out of scope this year")
    assert "Out of scope this year" in texts(at)


def test_the_lead_merges_a_duplicate_and_undoes_it(team, write, read):
    keep = _idea(write, team, "Dark mode for the mobile app", "@ann")
    duplicate = _idea(write, team, "Dark theme for the app", "@ann, @cy")
    at = _open_detail(open_page("ideas", username="lead"), duplicate)
    at.selectbox(key=f"ideas_d_merge_target_{duplicate}").set_value(keep)
    at = at.button(key=f"ideas_d_merge_{duplicate}").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert get_idea(session=s, idea_id=keep).demand == 2
    assert at.session_state["ideas_selected"] == keep
    at = _open_detail(at, duplicate)
    assert f"Merged into #{keep}" in texts(at)
    at = at.button(key="ideas_d_unmerge").click().run()
    assert not at.error
    with read() as s:
        assert get_idea(session=s, idea_id=keep).demand == 1
        assert get_idea(session=s, idea_id=duplicate).merged_into_id is None


def test_a_viewer_reads_everything_but_changes_nothing(team, write, read):
    idea_id = _idea(write, team, "Calendar sync", "@ann", "valid", scores=(5, 1))
    at = open_page("ideas", username="viewer")
    assert not at.exception and not at.error
    shown = texts(at)
    assert "Calendar sync" in shown and "You can read the whole board" in shown
    assert not [b for b in at.button if b.key == "ideas_log"]
    at = _open_detail(at, idea_id)
    assert "#1 · Calendar sync" in texts(at)
    assert [e.label for e in at.expander if e.label.startswith("History")] == ["History (3)"]
    assert set(_labels(at)) <= {"Open", "Close"}, _labels(at)
    # Only the views the viewer has a use for: no "Import & export" that would say "not for you".
    assert "Import & export" not in at.radio(key="ideas_mode").options
    for mode in ("table", "matrix", "hot_plan"):
        at = at.radio(key="ideas_mode").set_value(mode).run()
        assert not at.exception
        assert set(_labels(at)) <= {"Open", "Close"}, (mode, _labels(at))
    assert not at.file_uploader and not at.download_button


def test_the_table_lists_ideas_and_a_row_opens_one(team, write):
    for n in range(3):
        _idea(write, team, f"Idea number {n}", "@ann")
    at = open_page("ideas", username="analyst")
    at = at.radio(key="ideas_mode").set_value("table").run()
    assert not at.exception
    assert "Ideas 1–3 of 3" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Title"]) and set(table["Title"]) == {"Idea number 0", "Idea number 1", "Idea number 2"}


def test_filters_narrow_the_board(team, write):
    _idea(write, team, "Dark mode", "@ann")
    _idea(write, team, "Export to Excel", "@bo", "valid")
    at = open_page("ideas", username="editor")
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
    good = b'Timestamp,Your idea,Username\n2025-03-01,Dark mode,@ann\n2025-03-02,Export to Excel,"@bo, @cy"\n'
    at = open_page("ideas", username="lead")
    at = at.radio(key="ideas_mode").set_value("files").run()
    at = at.file_uploader(key="ideas_import_file_0").upload("survey.csv", bad, "text/csv").run()
    assert not at.exception
    assert "1 problem to fix" in at.error[0].value
    assert at.button(key="ideas_import_go_0").disabled
    at = at.file_uploader(key="ideas_import_file_0").set_value(("survey.csv", good, "text/csv")).run()
    assert "2 new ideas" in texts(at)
    at = at.button(key="ideas_import_go_0").click().run()
    assert not at.exception and not at.error
    assert "Imported 2 ideas. Givers recorded: 3." in texts(at)
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2
        assert s.exec(select(func.count()).select_from(IdeaGiver)).one() == 3
    # Re-importing the same file: nothing new.
    at = at.file_uploader(key="ideas_import_file_1").upload("survey.csv", good, "text/csv").run()
    assert "2 imported before (skipped)" in texts(at)
    assert at.button(key="ideas_import_go_1").disabled


def test_a_team_member_withdraws_a_vote_and_may_vote_again(team, write, read):
    idea_id = _idea(write, team, "Offline mode", "@ann")
    at = _open_detail(open_page("ideas", username="community"), idea_id)
    at = at.button(key=f"ideas_d_vote_{idea_id}").click().run()
    at = at.button(key=f"ideas_d_vote_{idea_id}").click().run()
    assert not at.exception and not at.error
    assert at.button(key=f"ideas_d_vote_{idea_id}").label == "Vote"
    with read() as s:
        assert get_idea(session=s, idea_id=idea_id).votes == 0
    at = at.button(key=f"ideas_d_vote_{idea_id}").click().run()
    with read() as s:
        assert get_idea(session=s, idea_id=idea_id).votes == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ideas_new_title": "   "}, "Give the idea a short title"),
        ({"ideas_new_link": "example.com/post/1"}, "should start with http:// or https://"),
        ({"ideas_new_handles": "@" + "x" * 130}, "longer than 120 characters"),
    ],
)
def test_bad_capture_input_says_what_to_fix_saves_nothing_and_keeps_the_form(team, read, fields, message):
    typed = {
        "ideas_new_title": "Offline mode on the train",
        "ideas_new_handles": "@mila",
        "ideas_new_link": "",
    } | fields
    at = open_page("ideas", username="editor")
    for key, value in typed.items():
        at.text_input(key=key).input(value)
    at = at.button(key="ideas_log").click().run()
    assert not at.exception
    assert [e.value for e in at.error if message in e.value], [e.value for e in at.error]
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 0
    for key, value in typed.items():
        assert at.text_input(key=key).value == value  # nothing typed is lost


def test_a_second_users_newer_change_is_refused_not_overwritten(team, write, read):
    idea_id = _idea(write, team, "Calendar sync", "@ann", "valid")
    at = _open_detail(open_page("ideas", username="lead"), idea_id)
    with write() as s:  # the admin moves the idea on while the lead looks at it
        set_status(session=s, actor=team[Role.admin], idea_id=idea_id, status="planned", expected_version=2)
    at.select_slider(key=f"ideas_d_impact_{idea_id}").set_value(5)
    at.select_slider(key=f"ideas_d_cost_{idea_id}").set_value(1)
    at = at.button(key=f"ideas_d_save_scores_{idea_id}").click().run()
    assert not at.exception
    assert [e.value for e in at.error if "changed by" in e.value], [e.value for e in at.error]
    with read() as s:
        view = get_idea(session=s, idea_id=idea_id)
    assert (view.status, view.impact, view.cost) == ("planned", None, None)
    # The page now shows the newer version, so saving again works.
    at.select_slider(key=f"ideas_d_impact_{idea_id}").set_value(5)
    at.select_slider(key=f"ideas_d_cost_{idea_id}").set_value(1)
    at = at.button(key=f"ideas_d_save_scores_{idea_id}").click().run()
    assert not at.error, [e.value for e in at.error]
    with read() as s:
        assert (get_idea(session=s, idea_id=idea_id).impact, get_idea(session=s, idea_id=idea_id).cost) == (5, 1)


def test_a_new_quick_win_is_marked_valid_before_it_can_enter_the_hot_plan(team, write):
    fresh = _idea(write, team, "Keyboard shortcuts", "@ann", scores=(5, 1))
    valid = _idea(write, team, "Bulk archive", "@bo", "valid", scores=(5, 2))
    at = open_page("ideas", username="lead")
    at = at.radio(key="ideas_mode").set_value("matrix").run()
    assert not at.exception
    assert at.button(key=f"ideas_qw_hot_{fresh}").disabled
    assert not at.button(key=f"ideas_qw_hot_{valid}").disabled


def test_the_matrix_sizes_dots_by_demand_colours_them_by_status_and_draws_the_quick_win_lines(team, write):
    _idea(write, team, "Keyboard shortcuts", "@ann, @bo, @cy", "valid", scores=(5, 1))
    _idea(write, team, "Rewrite the app", "@ann", "valid", scores=(2, 5))
    at = open_page("ideas", username="viewer")
    at = at.radio(key="ideas_mode").set_value("matrix").run()
    assert not at.exception
    spec = valid_charts(at)[0]
    layers = spec["layer"]
    dots = next(layer for layer in layers if layer["mark"]["type"] == "circle")
    assert dots["encoding"]["size"]["field"] == "demand"
    assert dots["encoding"]["color"]["field"] == "status"
    assert {"title", "demand", "votes", "impact", "cost", "status"} <= {t["field"] for t in dots["encoding"]["tooltip"]}
    rules = [layer for layer in layers if layer["mark"]["type"] == "rule"]
    positions = sorted(v for layer in rules for v in [*layer["data"]["values"][0].values()])
    assert positions == [2.5, 3.5]  # cost ≤ 2 and impact ≥ 4 (the default rule), between the cells


def test_the_lead_changes_the_quick_win_rule_on_the_matrix(team, write, read):
    idea_id = _idea(write, team, "Keyboard shortcuts", "@ann", "valid", scores=(4, 2))
    at = open_page("ideas", username="lead")
    at = at.radio(key="ideas_mode").set_value("matrix").run()
    assert at.button(key=f"ideas_qw_hot_{idea_id}")
    at.number_input(key="ideas_min_impact").set_value(5)
    at = at.button(key="ideas_save_rule").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with read() as s:
        limits = thresholds(session=s)
        assert (limits.min_impact, limits.max_cost) == (5, 2)
    assert "Quick win: impact ≥ 5 and cost ≤ 2" in texts(at)
    assert not [b for b in at.main.button if b.key == f"ideas_qw_hot_{idea_id}"]


def test_the_detail_shows_givers_votes_history_and_the_link_and_an_analyst_exports_but_cannot_import(team, write):
    with write() as s:
        idea_in = IdeaCreate(title="Calendar sync", handles="@ann, @bo", source_url="https://t.me/c/7")
        idea_id = log_idea(session=s, actor=team[Role.editor], idea_in=idea_in).id
        vote(session=s, actor=team[Role.support], idea_id=idea_id)
    at = _open_detail(open_page("ideas", username="analyst"), idea_id)
    assert not at.exception
    givers = at.dataframe[0].value
    assert list(givers["Handle"]) == ["@ann", "@bo"]
    shown = texts(at)
    assert "Givers** (2)" in shown and "Team votes** (1)" in shown and "Sven Support" in shown
    assert [e.label for e in at.expander if e.label.startswith("History")] == ["History (1)"]  # the idea record: logged
    links = at.get("link_button")
    assert [b.proto.url for b in links] == ["https://t.me/c/7"]
    at = at.radio(key="ideas_mode").set_value("files").run()
    assert not at.exception
    assert not at.file_uploader and [b for b in at.button if b.key == "ideas_export"]


def test_log_idea_asks_first_when_similar_ideas_exist(team, write, read):
    existing = _idea(write, team, "Dark mode for the mobile app", "@ann")
    at = open_page("ideas", username="community")
    at.text_input(key="ideas_new_handles").input("@Zoe_K")
    at = at.text_input(key="ideas_new_title").input("Dark mode in the mobile app").run()
    assert "Possible duplicates" in texts(at)
    at = at.button(key="ideas_log").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 1  # nothing logged yet
    assert any(f"This looks like #{existing}" in w.value for w in at.warning)
    assert at.text_input(key="ideas_new_title").value == "Dark mode in the mobile app"  # nothing typed is lost
    # It is a different idea after all: logged on the second, explicit click.
    at = at.button(key="ideas_log_anyway").click().run()
    assert not at.exception and not at.error
    with read() as s:
        titles = sorted(s.exec(select(Idea.title)).all())
    assert titles == ["Dark mode for the mobile app", "Dark mode in the mobile app"]


def test_log_idea_without_similar_ideas_logs_at_once(team, write, read):
    _idea(write, team, "Dark mode for the mobile app", "@ann")
    at = open_page("ideas", username="community")
    at = at.text_input(key="ideas_new_title").input("Invoices with our VAT number").run()
    at = at.button(key="ideas_log").click().run()
    assert not at.exception and not at.error
    assert not [b for b in at.button if b.key == "ideas_log_anyway"]
    with read() as s:
        assert s.exec(select(func.count()).select_from(Idea)).one() == 2


def test_a_merged_idea_is_found_by_the_search_and_its_merge_undone_from_it(team, write, read):
    keep = _idea(write, team, "Dark mode for the mobile app", "@ann")
    duplicate = _idea(write, team, "Dark theme, please", "@ann, @cy")
    at = _open_detail(open_page("ideas", username="lead"), duplicate)
    at.selectbox(key=f"ideas_d_merge_target_{duplicate}").set_value(keep)
    at = at.button(key=f"ideas_d_merge_{duplicate}").click().run()
    assert not at.exception and not at.error
    # Someone else, later: the duplicate is off the board, yet the search finds it.
    at = open_page("ideas", username="lead")
    at = at.text_input(key="ideas_f_text").input("dark theme").run()
    assert f"#{duplicate} Dark theme, please → merged into #{keep}" in texts(at).replace("\\", "")
    at = at.button(key=f"ideas_merged_open_{duplicate}").click().run()
    assert at.session_state["ideas_selected"] == duplicate
    assert f"Merged into #{keep}" in texts(at)
    at = at.button(key="ideas_d_unmerge").click().run()
    assert not at.exception and not at.error
    with read() as s:
        assert get_idea(session=s, idea_id=duplicate).merged_into_id is None
        assert get_idea(session=s, idea_id=keep).demand == 1
    # By number, too.
    at = open_page("ideas", username="viewer")
    at = at.text_input(key="ideas_f_text").input(f"#{duplicate}").run()
    assert not [b for b in at.button if b.key == f"ideas_merged_open_{duplicate}"]  # not merged any more


# --- in German ---------------------------------------------------------------------------------


# The loop's chain, drawn inside the idea's detail, is translated with the loop's screens.
NOT_OURS = ("Die Kette: von der ersten Frage bis zum Dank",)


@pytest.fixture
def german_reader(monkeypatch) -> Iterator[None]:
    """The test's side in German too: AppTest formats a widget's options with its ``format_func``
    in the test's thread (the page runs in its own, in the signed-in user's language)."""
    with i18n.using("de"):
        yield


def _german_board(write, team) -> dict[str, int]:
    """A board a German team would have: a shipped idea logged in March, a scored quick win in
    the hot plan, a new one; titles as the community wrote them (in German)."""
    shipped = _idea(write, team, "Dunkelmodus für die App", "@Mila_K, @jonas.b, Doc James", "valid", "planned")
    quick = _idea(write, team, "Kalender-Export als ICS", "@ann", "valid", scores=(5, 1))
    fresh = _idea(write, team, "Sprachnachrichten im Chat", "@zoe")
    lead = team[Role.lead]
    with write() as s:
        for status in ("in_progress", "shipped"):
            version = get_idea(session=s, idea_id=shipped).version
            set_status(session=s, actor=lead, idea_id=shipped, status=status, expected_version=version)
        add_to_hot_plan(session=s, actor=lead, idea_id=quick)
    with write() as s:
        row = s.get(Idea, shipped)
        row.created_at = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.UTC)
        row.shipped_at = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
        s.add(row)
    return {"shipped": shipped, "quick": quick, "fresh": fresh}


@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_the_board_and_its_views_read_german(team, write, role, german_reader):
    ideas = _german_board(write, team)
    at = open_page("ideas", username=role, language="de")
    assert not at.exception
    assert not english_left(at), english_left(at)
    shown = texts(at)
    assert "Ideenboard" in shown and "Umgesetzt" in shown and "3 Ideengebende" in shown
    assert at.radio(key="ideas_mode").options[:4] == ["Board", "Tabelle", "Wirkung/Aufwand-Matrix", "Hot Plan"]
    for mode in ("table", "matrix", "hot_plan"):
        at = at.radio(key="ideas_mode").set_value(mode).run()
        assert not at.exception
        assert not english_left(at), (mode, english_left(at))
        if mode == "table":
            table = at.dataframe[0].value
            assert {"Titel", "Nachfrage", "Stimmen", "Erfasst"} <= set(table.columns)
            logged = dict(zip(table["Titel"], table["Erfasst"], strict=True))
            assert str(logged["Dunkelmodus für die App"]).startswith("2026-03-14")  # shown as 14.03.2026
        if mode == "matrix":
            spec = valid_charts(at)[0]
            assert spec["config"]["locale"]["number"]["decimal"] == ","
            assert spec["config"]["locale"]["time"]["months"][2] == "März"
            dots = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")
            assert dots["encoding"]["x"]["title"] == "Aufwand (1 günstig … 5 teuer)"
            assert dots["encoding"]["y"]["title"] == "Wirkung (1 gering … 5 hoch)"
            assert "Quick Win: Wirkung ≥ 4 und Aufwand ≤ 2" in texts(at)
        if mode == "hot_plan":
            assert "Kalender-Export als ICS" in texts(at) and "Hot Plan" in texts(at)
    assert ideas["fresh"]


@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_the_idea_detail_reads_german_with_german_dates(team, write, role, german_reader):
    ideas = _german_board(write, team)
    at = _open_detail(open_page("ideas", username=role, language="de"), ideas["shipped"])
    assert not at.exception
    assert not english_left(at), english_left(at)
    shown = texts(at)
    assert "erfasst 14.03.2026" in shown and "umgesetzt am 24.11.2026" in shown
    assert "Quelle: Team" in shown and "Umgesetzt ist endgültig." in shown or role == "viewer"
    assert [e.label for e in at.expander if e.label.startswith("Verlauf")] == ["Verlauf (5)"]
    givers = at.dataframe[0].value
    assert list(givers.columns) == ["Handle", "Kanal", "Eingebracht", "Verschoben von"]
    history = next(t.value for t in at.dataframe if "Änderungen" in t.value.columns)
    assert list(history["Änderungen"])[0] == "angelegt"  # the idea's first record: logged
    at = _open_detail(at, ideas["quick"])
    assert not english_left(at), english_left(at)
    assert "Im Hot Plan auf Position 1." in texts(at) or role == "viewer"


def test_a_refusal_from_the_core_reads_german(team, write, german_reader):
    idea_id = _idea(write, team, "Familienabo", "@ann", "valid")
    at = _open_detail(open_page("ideas", username="lead", language="de"), idea_id)
    at.selectbox(key=f"ideas_d_status_{idea_id}").set_value("declined")
    at = at.button(key=f"ideas_d_set_status_{idea_id}").click().run()
    assert [e.value for e in at.error] == [
        "Sag, warum die Idee abgelehnt wird; der Grund wird gespeichert und bei der Idee angezeigt."
    ]


@pytest.mark.parametrize("role", ["lead", "analyst"])
def test_the_import_and_export_tab_reads_german_with_german_counts(team, role, german_reader):
    rows = "".join(f"14.03.2026,Wunsch Nummer {n},@fan_{n}\n" for n in range(1200))
    survey = ("Zeitstempel,Deine Idee,Nutzername\n" + rows).encode()
    at = open_page("ideas", username=role, language="de", state={"ideas_mode": "files"})
    assert not at.exception
    assert not english_left(at), english_left(at)
    assert [b.label for b in at.main.button if b.key == "ideas_export"] == ["Ideen als CSV exportieren"]
    if role == "analyst":
        assert not at.file_uploader  # the analyst exports, never imports
        return
    at = at.file_uploader(key="ideas_import_file_0").upload("umfrage.csv", survey, "text/csv").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not english_left(at), english_left(at)
    assert "1.200 neue Ideen" in texts(at)
    assert at.button(key="ideas_import_go_0").label == "1.200 Ideen importieren"
