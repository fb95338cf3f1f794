"""The calendar screen in AppTest: views, the editor with its live checklist, the status actions
per role, the compliance block and the rules tab."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import workspace
from core.content_plan import house_rules, posts, queries
from db.models import Post, PostMetrics, Role, StopWord, WorkspaceUpdate
from tests.factories import make_channel, make_ready_post
from tests.pages.apptest import open_page, texts
from tests.pages.charts import valid_charts
from tests.pages.german import english_left
from ui import calendar_editor, calendar_view

BERLIN = ZoneInfo("Europe/Berlin")


def next_month_day(day: int = 12) -> dt.date:
    today = dt.datetime.now(BERLIN).date()
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=day)


def at_tab(username: str, tab: str, **state):
    at = open_page("calendar", username=username)
    at.session_state["calendar_tab"] = tab
    for name, value in state.items():
        at.session_state[name] = value
    return at.run()


def button(at, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


def labels(at) -> list[str]:
    return [b.label for b in at.button]


def checklist_marks(at) -> dict[str, str]:
    marks = {}
    for element in at.markdown:
        for mark, state in ((calendar_editor.OK_MARK, "ok"), (calendar_editor.MISSING_MARK, "missing")):
            if element.value.startswith(mark):
                marks[element.value.split("**")[1].replace("\\", "")] = state
    return marks


def test_a_lead_creates_a_post_from_a_template_fixes_the_checklist_and_approves_it(team, channel, read):
    at = at_tab("lead", "Post editor")
    assert not at.exception
    at.selectbox(key="calendar_e_template_pick").set_value("how_it_works").run()
    assert at.selectbox(key="calendar_e_format").value == "video"
    assert "45–90 seconds" in at.text_area(key="calendar_e_body").value
    assert at.text_area(key="calendar_e_next_step_text").value == "Leave your question, we are collecting the FAQ."
    at.text_input(key="calendar_e_title").set_value("How notifications decide what to send").run()
    marks = checklist_marks(at)
    assert marks["A next step with its text"] == "ok"
    assert marks["Accessibility for the format (Video)"] == "missing"
    assert marks["Community rules and tone of voice checked"] == "missing"
    assert "Video needs subtitles, timecodes." in texts(at)

    button(at, "Save draft").click().run()
    assert not at.exception
    assert "Draft saved." in texts(at)
    with read() as s:
        saved = s.exec(select(Post)).one()
        assert queries.get_post(s, saved.id).rubric_name == "How it works"
    assert (saved.status, saved.template, saved.format) == ("draft", "how_it_works", "video")

    button(at, "Submit for review").click().run()
    assert "Submit for review: done." in texts(at)
    button(at, "Approve").click().run()
    refused = " ".join(e.value for e in at.error)
    assert (
        "Not ready for approval" in refused and "Video needs subtitles, timecodes" in refused and "SLA owner" in refused
    )
    with read() as s:
        assert s.get(Post, saved.id).status == "in_review"

    at.checkbox(key="calendar_e_subtitles").check()
    at.checkbox(key="calendar_e_timecodes").check()
    at.checkbox(key="calendar_e_tone_confirmed").check()
    at.selectbox(key="calendar_e_sla_owner_id").set_value(team["support"].id).run()
    assert set(checklist_marks(at).values()) == {"ok"}
    assert "Ready for approval." in texts(at)
    button(at, "Approve").click().run()
    assert not at.exception
    assert "Approve: done." in texts(at)
    with read() as s:
        approved = s.get(Post, saved.id)
    assert (approved.status, approved.subtitles, approved.tone_confirmed) == ("approved", True, True)


def test_the_checklist_follows_unsaved_form_values(team, channel, read):
    at = at_tab("lead", "Post editor")
    at.text_input(key="calendar_e_link_url").set_value("https://example.com/faq").run()
    assert checklist_marks(at)["UTM tags on every link"] == "missing"
    at.checkbox(key="calendar_e_sponsored").check().run()
    assert "The post is sponsored: add the ad/partnership label." in texts(at)
    at.text_input(key="calendar_e_utm_campaign").set_value("spring faq").run()
    button(at, "Add UTM tags to the link").click().run()
    assert at.text_input(key="calendar_e_link_url").value.endswith(
        "utm_source=instagram&utm_medium=social&utm_campaign=spring_faq"
    )
    assert checklist_marks(at)["UTM tags on every link"] == "ok"
    with read() as s:
        assert s.exec(select(Post)).all() == []


def test_unsaved_edits_and_the_chosen_month_survive_a_look_at_another_tab(team, channel):
    at = at_tab("lead", "Calendar")
    at.date_input(key="calendar_anchor").set_value(dt.date(2031, 1, 15)).run()
    at.session_state["calendar_tab"] = "Post editor"
    at.run()
    at.text_input(key="calendar_e_title").set_value("Half-written").run()
    at.session_state["calendar_tab"] = "Calendar"
    at.run()
    assert [s.value for s in at.subheader][0] == "January 2031"
    at.session_state["calendar_tab"] = "Post editor"
    at.run()
    assert at.text_input(key="calendar_e_title").value == "Half-written"
    assert not at.exception


def test_guards_show_while_editing(team, channel, session):
    session.add(StopWord(word="guaranteed", mode="block"))
    day = next_month_day()
    for hour in (9, 12, 15):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            status="scheduled",
            scheduled_at=dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN),
            cognitive_load="high",
        )
    session.commit()
    at = at_tab("lead", "Post editor")
    at.text_input(key="calendar_e_title").set_value("Guaranteed answers").run()
    at.date_input(key="calendar_e_date").set_value(day).run()
    problems = " ".join(e.value for e in at.error)
    assert "Stop words block publication" in problems and "guaranteed" in problems
    assert "Scheduling will be refused" in problems and "Instagram allows 3 posts a day" in problems


def test_an_editor_cannot_approve(team, channel, session):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, owner_id=team["editor"].id, status="in_review"
    )
    session.commit()
    at = at_tab("editor", "Post editor", calendar_post_id=post.id)
    assert not at.exception
    assert "Approve" not in labels(at) and "Approve and schedule" not in labels(at)
    assert "Withdraw from review" in labels(at)
    assert "Rules" not in [t.label for t in at.tabs]


def test_an_editor_submits_a_new_post_for_review(team, channel, read):
    at = at_tab("editor", "Post editor")
    assert "Save, approve and schedule" not in labels(at)
    at.text_input(key="calendar_e_title").set_value("Question of the week").run()
    button(at, "Save and submit for review").click().run()
    assert not at.exception
    with read() as s:
        post = s.exec(select(Post)).one()
    assert (post.status, post.owner_id) == ("in_review", team["editor"].id)


def test_compliance_blocks_a_post_and_the_block_shows(team, channel, session, read):
    day = next_month_day()
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        owner_id=team["editor"].id,
        status="in_review",
        title="Partner week",
        scheduled_at=dt.datetime.combine(day, dt.time(10), tzinfo=BERLIN),
    )
    session.commit()
    at = at_tab("compliance", "Post editor", calendar_post_id=post.id)
    assert not at.exception
    assert "Save changes" not in labels(at)
    at.text_input(key="calendar_e_block_reason").set_value("The bank partnership needs the ad label.").run()
    button(at, "Block this post").click().run()
    assert not at.exception
    assert any(
        "Blocked by compliance" in e.value and "bank partnership needs the ad label" in e.value for e in at.error
    )
    with read() as s:
        assert s.get(Post, post.id).blocked_reason == "The bank partnership needs the ad label."

    lead = at_tab("lead", "Post editor", calendar_post_id=post.id)
    assert any(e.value.startswith("Blocked by compliance (") and "needs the ad label" in e.value for e in lead.error)
    assert "Approve" not in labels(lead) and "Approve and schedule" not in labels(lead)
    week = at_tab("lead", "Calendar", calendar_anchor=day, calendar_mode=calendar_view.WEEK)
    assert any(b.label.startswith(":red-badge[:material/block: 10:00]") for b in week.button)


def test_the_month_view_shows_posts_by_local_day_and_the_week_view_opens_them(team, channel, session):
    day = next_month_day(20)
    late = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        title="*Late* [x](http://y)",
        scheduled_at=dt.datetime.combine(day, dt.time(23, 30), tzinfo=BERLIN),
    )
    session.commit()
    at = at_tab("viewer", "Calendar", calendar_anchor=day)
    assert not at.exception
    cells = [m.value for m in at.markdown if "23:30" in m.value]
    # shown as typed, not as a link (a word joiner after "http:" keeps it from becoming a bare one)
    assert cells == [r":blue-badge[23:30] :small[\*Late\* \[x\](http:" + "\u2060" + "//y)]"]
    assert "1 post in this view" in texts(at)

    button(at, str(f"**{day.day}**")).click().run()
    assert at.session_state["calendar_mode"] == calendar_view.WEEK
    opener = at.button(key=f"calendar_open_{late.id}")
    opener.click().run()
    assert not at.exception
    assert f"Post #{late.id} · Scheduled" in texts(at)
    assert at.text_input(key="calendar_e_title").disabled  # the viewer reads only
    assert "Save changes" not in labels(at)


def test_filters_narrow_the_calendar(team, channel, session):
    other = make_channel(session, name="Telegram")
    day = next_month_day()
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        title="On Instagram",
        scheduled_at=dt.datetime.combine(day, dt.time(9), tzinfo=BERLIN),
    )
    make_ready_post(
        session,
        channel=other,
        sla_owner_id=team["support"].id,
        title="On Telegram",
        scheduled_at=dt.datetime.combine(day, dt.time(11), tzinfo=BERLIN),
    )
    session.commit()
    at = at_tab("lead", "Calendar", calendar_anchor=day)
    assert "2 posts in this view" in texts(at)
    at.multiselect(key="calendar_f_channels").set_value([other.id]).run()
    assert "1 post in this view" in texts(at)
    assert any("On Telegram" in m.value for m in at.markdown) and not any(
        "On Instagram" in m.value for m in at.markdown
    )


def test_a_lead_schedules_from_the_editor_and_the_calendar_jumps_to_the_post(team, channel, read):
    day = next_month_day(9)
    at = at_tab("lead", "Post editor")
    at.selectbox(key="calendar_e_template_pick").set_value("ideas_for_the_product").run()
    at.text_input(key="calendar_e_title").set_value("Tell us what to build").run()
    at.checkbox(key="calendar_e_tone_confirmed").check()
    at.selectbox(key="calendar_e_sla_owner_id").set_value(team["support"].id)
    at.date_input(key="calendar_e_date").set_value(day)
    at.time_input(key="calendar_e_time").set_value(dt.time(11, 15)).run()
    button(at, "Save, approve and schedule").click().run()
    assert not at.exception
    assert "Post saved and scheduled." in texts(at)
    with read() as s:
        post = s.exec(select(Post)).one()
    assert post.status == "scheduled" and post.scheduled_at == dt.datetime.combine(day, dt.time(11, 15), tzinfo=BERLIN)
    at.session_state["calendar_tab"] = "Calendar"
    at.run()
    assert at.session_state["calendar_anchor"] == day
    assert any("Tell us what to build" in m.value and "11:15" in m.value for m in at.markdown)


def test_published_posts_take_metrics_and_show_their_conversion(team, channel, session, read):
    analyst = team[Role.analyst]
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=dt.datetime(2025, 3, 3, 9, tzinfo=BERLIN),
        published_at=dt.datetime(2025, 3, 3, 9, tzinfo=BERLIN),
    )
    session.commit()
    at = at_tab(analyst.username, "Post editor", calendar_post_id=post.id)
    at.number_input(key=f"calendar_e_m_impressions_{post.version}").set_value(4000)
    at.number_input(key=f"calendar_e_m_next_step_conversions_{post.version}").set_value(100)
    at.button(key="FormSubmitter:calendar_e_metrics_form-Save metrics").click().run()
    assert not at.exception
    assert "Metrics saved." in texts(at)
    assert any(m.value == "2.50\u00a0%" for m in at.metric)
    with read() as s:
        assert (s.get(Post, post.id).impressions, s.get(Post, post.id).next_step_conversions) == (4000, 100)


def test_a_lead_manages_stop_words_in_the_rules_tab(team, channel, read):
    at = at_tab("lead", "Rules")
    assert not at.exception
    assert "No stop words yet" in texts(at)
    form_inputs = [t for t in at.text_input if t.label == "Word or phrase"]
    form_inputs[0].set_value("miracle cure")
    at.button(key="FormSubmitter:calendar_r_word-Add stop word").click().run()
    assert not at.exception
    with read() as s:
        assert [(w.word, w.mode) for w in house_rules.list_stop_words(s)] == [("miracle cure", "warn")]


def test_the_insights_tab_shows_conversion_per_rubric(team, channel, session, read):
    with read() as s:
        myth = queries.rubric_id(s, "Myth vs fact")
    day = dt.datetime.now(BERLIN).date().replace(day=10)
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        rubric_id=myth,
        status="published",
        scheduled_at=dt.datetime.combine(day, dt.time(9), tzinfo=BERLIN),
        published_at=dt.datetime.combine(day, dt.time(9), tzinfo=BERLIN),
        impressions=2000,
        next_step_conversions=40,
    )
    session.commit()
    at = at_tab("lead", "Insights", calendar_anchor=day)
    assert not at.exception
    assert any(m.value == "2.00\u00a0%" for m in at.metric)
    assert valid_charts(at)


def test_an_empty_workspace_without_channels_says_what_to_do(team):
    at = open_page("calendar", username="lead")
    assert not at.exception
    assert "There are no channels yet" in texts(at)


def test_a_signed_out_visitor_sees_no_calendar(team, channel):
    at = open_page("calendar")
    assert not at.exception
    assert "Content calendar" not in [t.value for t in at.title]


@pytest.mark.parametrize(
    ("username", "downloads"),
    [("lead", {"Calendar file (.ics)", "Posts as CSV"}), ("editor", {"Calendar file (.ics)"})],
)
def test_exports_are_offered_by_role(team, channel, username, downloads):
    at = at_tab(username, "Import & export")
    assert not at.exception
    # An export is an action: a button runs it through the core, then its file is offered.
    assert {b.label for b in at.button if b.key.startswith("calendar_x_")} == downloads
    assert at.get("download_button") == []


def test_a_csv_import_with_bad_rows_saves_nothing_and_lists_each_row_and_column(team, channel, read):
    bad = b"title,channel,scheduled_at\nGood one,Instagram,2031-03-10 10:00\n,Instagram,\nThird,Nowhere,2031-02-30 09:00\n"
    at = at_tab("lead", "Import & export")
    at.file_uploader(key="calendar_i_posts").upload("posts.csv", bad, "text/csv").run()
    at.button(key="calendar_i_posts_go").click().run()
    assert not at.exception
    assert any("Nothing was imported: 3 problems." in e.value for e in at.error)
    report = at.dataframe[0].value
    assert list(zip(report["Row"], report["Column"], strict=True)) == [
        (3, "title"),
        (4, "channel"),
        (4, "scheduled_at"),
    ]
    with read() as s:
        assert s.exec(select(Post)).all() == []

    good = b"title;channel;scheduled_at\nGood one;Instagram;2031-03-10 10:00\nSecond;instagram;\n"
    at.file_uploader(key="calendar_i_posts").upload("posts.csv", good, "text/csv").run()
    at.button(key="calendar_i_posts_go").click().run()
    assert "Imported: 2 new posts." in texts(at)
    with read() as s:
        assert sorted(p.title for p in s.exec(select(Post))) == ["Good one", "Second"]


def test_a_time_skipped_by_the_clock_change_is_refused_and_nothing_is_saved(team, channel, read):
    at = at_tab("lead", "Post editor")
    at.text_input(key="calendar_e_title").set_value("Spring forward")
    at.date_input(key="calendar_e_date").set_value(dt.date(2031, 3, 30))
    at.time_input(key="calendar_e_time").set_value(dt.time(2, 30)).run()
    assert any("does not exist in Europe/Berlin" in e.value for e in at.error)
    button(at, "Save draft").click().run()
    assert not at.exception
    assert "Draft saved." not in texts(at)
    with read() as s:
        assert s.exec(select(Post)).all() == []


def test_a_skipped_time_does_not_clear_a_saved_date(team, channel, session, read):
    planned = dt.datetime(2031, 3, 29, 10, tzinfo=BERLIN)
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, owner_id=team["lead"].id, scheduled_at=planned
    )
    session.commit()
    at = at_tab("lead", "Post editor", calendar_post_id=post.id)
    at.date_input(key="calendar_e_date").set_value(dt.date(2031, 3, 30))
    at.time_input(key="calendar_e_time").set_value(dt.time(2, 30)).run()
    button(at, "Save changes").click().run()
    assert not at.exception
    assert any("does not exist in Europe/Berlin" in e.value for e in at.error)
    with read() as s:
        assert s.get(Post, post.id).scheduled_at == planned


def test_user_text_in_guard_messages_is_shown_as_typed(team, channel, session, read):
    day = next_month_day()
    for hour in (9, 12, 15):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            status="scheduled",
            title="[Win](http://evil.example) **now**",
            scheduled_at=dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN),
        )
    session.commit()
    at = at_tab("lead", "Post editor")
    at.text_input(key="calendar_e_title").set_value("Fourth").run()
    at.date_input(key="calendar_e_date").set_value(day).run()
    refused = [e.value for e in at.error if "Scheduling will be refused" in e.value]
    assert refused and all("\\[Win\\](http:\u2060//evil.example) \\*\\*now\\*\\*" in r for r in refused)

    # The core's refusal on saving quotes the same titles; it is shown as typed too.
    at.selectbox(key="calendar_e_template_pick").set_value("ideas_for_the_product").run()
    at.text_input(key="calendar_e_title").set_value("Fourth")
    at.checkbox(key="calendar_e_tone_confirmed").check()
    at.selectbox(key="calendar_e_sla_owner_id").set_value(team["support"].id).run()
    button(at, "Save, approve and schedule").click().run()
    assert not at.exception
    saved = [
        e.value for e in at.error if "allows 3 posts a day" in e.value and "Scheduling will be refused" not in e.value
    ]
    assert saved and "\\[Win\\](http:\u2060//evil.example) \\*\\*now\\*\\*" in saved[0]
    with read() as s:
        assert s.exec(select(Post).where(Post.title == "Fourth")).all() == []


def test_metrics_typed_over_a_newer_save_are_refused_not_lost(team, channel, session, write, read):
    analyst = team[Role.analyst]
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=dt.datetime(2025, 3, 3, 9, tzinfo=BERLIN),
        published_at=dt.datetime(2025, 3, 3, 9, tzinfo=BERLIN),
    )
    session.commit()
    at = at_tab(analyst.username, "Post editor", calendar_post_id=post.id)
    at.number_input(key=f"calendar_e_m_impressions_{post.version}").set_value(4000)
    with write() as s:  # the lead enters other figures meanwhile
        posts.record_metrics(
            session=s,
            actor=team["lead"],
            post_id=post.id,
            expected_version=post.version,
            metrics_in=PostMetrics(impressions=1500),
        )
    at.button(key="FormSubmitter:calendar_e_metrics_form-Save metrics").click().run()
    assert not at.exception
    assert "Metrics saved." not in texts(at)
    assert any("changed" in e.value for e in at.error)
    with read() as s:
        assert s.get(Post, post.id).impressions == 1500


def test_a_busy_days_tooltip_lists_the_first_titles_and_how_many_more_the_week_shows(team, channel, session):
    day = next_month_day(12)
    for minute in range(18):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            status="scheduled",
            title=f"Busy post {minute:02d}",
            scheduled_at=dt.datetime.combine(day, dt.time(8, minute * 3), tzinfo=BERLIN),
        )
    session.commit()
    at = at_tab("viewer", "Calendar", calendar_anchor=day)
    assert not at.exception
    tips = [m.proto.help for m in at.markdown if "Busy post 00" in m.proto.help]
    assert len(tips) == 1
    lines = tips[0].split("  \n")
    assert [line.split(" · ")[0] for line in lines[:-1]] == [
        f"08:{minute * 3:02d} Busy post {minute:02d}" for minute in range(calendar_view.TOOLTIP_POSTS)
    ]
    assert lines[-1] == f"+{18 - calendar_view.TOOLTIP_POSTS} more: open the week"


def test_the_rhythm_strip_warns_about_a_run_of_high_load_posts(team, channel, session):
    day = next_month_day(10)
    for hour in (9, 12, 15):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            status="scheduled",
            cognitive_load="high",
            scheduled_at=dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN),
        )
    session.commit()
    at = at_tab("viewer", "Calendar", calendar_anchor=day)
    assert not at.exception
    assert any(w.value.startswith("More than 2 high-load posts in a row in: Instagram") for w in at.warning)
    assert valid_charts(at), "the strip is drawn"
    light = at_tab("viewer", "Calendar", calendar_anchor=day + dt.timedelta(days=7))
    assert not any("high-load posts in a row" in w.value for w in light.warning)


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("title", False, ["Apple", "Mango", "Zebra"]),
        ("title", True, ["Zebra", "Mango", "Apple"]),
        ("scheduled_at", False, ["Mango", "Zebra", "Apple"]),
    ],
)
def test_the_list_sorts_by_the_chosen_column(team, channel, session, sort, descending, expected):
    day = next_month_day()
    for hour, title in ((9, "Mango"), (11, "Zebra"), (13, "Apple")):
        make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            title=title,
            scheduled_at=dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN),
        )
    session.commit()
    at = at_tab("lead", "Calendar", calendar_anchor=day)
    at.selectbox(key="calendar_sort").set_value(sort)
    at.toggle(key="calendar_desc").set_value(descending).run()
    assert not at.exception
    assert list(at.dataframe[0].value["Title"]) == expected


def _success_texts(at) -> list[str]:
    return [m.value for m in at.success]


def test_marking_a_post_published_keeps_its_planned_time_and_shows_both(team, channel, session, read):
    planned = dt.datetime.combine(dt.datetime.now(BERLIN).date() + dt.timedelta(days=2), dt.time(15), tzinfo=BERLIN)
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=planned
    )
    session.commit()
    at = at_tab("lead", "Post editor", calendar_post_id=post.id)
    assert not at.exception
    # A scheduled post is past approval: the panel does not offer it for approval again.
    assert "Ready for approval." not in _success_texts(at)
    assert "Checked and scheduled." in _success_texts(at)
    # It went out early: the person says when (proposed: now, as the plan is still ahead).
    went_out = dt.datetime.now(BERLIN).replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    at.date_input(key=f"calendar_e_out_day_{post.id}_{post.version}").set_value(went_out.date())
    at.time_input(key=f"calendar_e_out_time_{post.id}_{post.version}").set_value(went_out.time())
    at = button(at, "Mark as published").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with read() as s:
        saved = s.get(Post, post.id)
    assert (saved.status, saved.scheduled_at, saved.published_at) == ("published", planned, went_out)
    caption = " ".join(c.value for c in at.caption)
    assert f"planned {planned:%Y-%m-%d %H:%M} · went out {went_out:%Y-%m-%d %H:%M}" in caption
    # Out now: nothing to approve, and its planned time is not "in the past" of anything.
    assert "Ready for approval." not in _success_texts(at)
    assert not [w.value for w in at.warning if "in the past" in w.value]


def test_a_published_post_never_says_ready_for_approval_beside_a_past_time(team, channel, session):
    planned = dt.datetime(2025, 3, 3, 15, tzinfo=BERLIN)
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=planned,
        published_at=planned + dt.timedelta(minutes=2),
    )
    session.commit()
    at = at_tab("lead", "Post editor", calendar_post_id=post.id)
    assert not at.exception
    assert "Ready for approval." not in _success_texts(at)
    assert not [w.value for w in at.warning if "in the past" in w.value]
    assert "planned 2025-03-03 15:00 · went out 2025-03-03 15:02" in " ".join(c.value for c in at.caption)


# --- in German -------------------------------------------------------------------------------------

NOVEMBER_24 = dt.date(2026, 11, 24)


def german(username: str, tab: str = "Calendar", **state):
    """The calendar as ``username`` reads it in German; ``tab`` by its English name (the page shows
    the same tab in the reader's language)."""
    return open_page("calendar", username=username, language="de", state={"calendar_tab": tab, **state})


def a_scheduled_post(session, team, channel, **fields) -> Post:
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        title="Wie Exporte funktionieren",
        scheduled_at=dt.datetime.combine(NOVEMBER_24, dt.time(10, 0), tzinfo=BERLIN),
        **fields,
    )
    session.commit()
    return post


@pytest.mark.parametrize("username", ["lead", "viewer"])
def test_the_month_reads_german_with_month_and_weekday_names_and_the_week_in_german_dates(
    team, channel, session, username
):
    a_scheduled_post(session, team, channel)
    at = german(username, calendar_anchor=NOVEMBER_24)
    assert not at.exception
    assert not english_left(at)
    assert [s.value for s in at.subheader][0] == "November 2026"
    heads = [m.value for m in at.markdown if m.value.startswith("**") and len(m.value) <= 6]
    assert heads[:7] == ["**Mo**", "**Di**", "**Mi**", "**Do**", "**Fr**", "**Sa**", "**So**"]
    assert "1 Beitrag in dieser Ansicht · Seite 1 von 1" in texts(at)
    assert [t.label for t in at.tabs][0] == "Kalender"

    at.session_state["calendar_mode"] = calendar_view.WEEK
    at.run()
    assert not at.exception
    assert not english_left(at)
    assert [s.value for s in at.subheader][0] == "Woche 23. Nov. – 29.11.2026"
    # Each day's heading, the one that is today (in Berlin, if this week holds it) as a badge.
    headings = [
        found.group(1) or found.group(2)
        for m in at.markdown
        if (found := re.fullmatch(r"\*\*(\w\w \d+\. Nov\.)\*\*|:primary-badge\[(\w\w \d+\. Nov\.) · heute\]", m.value))
    ]
    assert headings == [
        "Mo 23. Nov.",
        "Di 24. Nov.",
        "Mi 25. Nov.",
        "Do 26. Nov.",
        "Fr 27. Nov.",
        "Sa 28. Nov.",
        "So 29. Nov.",
    ]
    badges = [m.value for m in at.markdown if m.value.startswith(":primary-badge[")]
    assert all(badge.endswith(" · heute]") for badge in badges) and len(badges) <= 1


def test_this_weeks_today_badge_reads_german(team, channel, session):
    today = dt.datetime.now(BERLIN).date()
    at = german("lead", calendar_anchor=today, calendar_mode=calendar_view.WEEK)
    assert not at.exception
    assert not english_left(at)
    badges = [m.value for m in at.markdown if m.value.startswith(":primary-badge[")]
    if dt.datetime.now(BERLIN).date() == today:  # not across midnight, when the week may have moved on
        assert len(badges) == 1 and badges[0].endswith(" · heute]"), badges


@pytest.mark.parametrize("username", ["lead", "viewer"])
def test_the_editor_reads_german_with_german_dates_and_checklist(team, channel, session, username):
    post = a_scheduled_post(session, team, channel, format="video", subtitles=True, timecodes=False)
    at = german(username, "Post editor", calendar_post_id=post.id)
    assert not at.exception
    assert not english_left(at)
    page = texts(at)
    assert f"Beitrag #{post.id} · Geplant" in page
    assert "geplant 24.11.2026 10:00" in page
    assert "Video braucht: Timecodes." in page
    assert at.date_input(key="calendar_e_date").value == NOVEMBER_24


@pytest.mark.parametrize(("username", "tab"), [("lead", "Insights"), ("analyst", "Insights"), ("lead", "Rules")])
def test_insights_and_rules_read_german_with_german_numbers(team, channel, session, read, username, tab):
    with read() as s:
        myth = queries.rubric_id(s, "Myth vs fact")
    make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        rubric_id=myth,
        status="published",
        scheduled_at=dt.datetime.combine(NOVEMBER_24, dt.time(9), tzinfo=BERLIN),
        published_at=dt.datetime.combine(NOVEMBER_24, dt.time(9), tzinfo=BERLIN),
        impressions=26000,
        next_step_conversions=520,
    )
    session.commit()
    at = german(username, tab, calendar_anchor=NOVEMBER_24)
    assert not at.exception
    assert not english_left(at)
    if tab == "Insights":
        assert any(m.value == "2,00\u00a0%" for m in at.metric)
        assert any(m.value == "100\u00a0%" for m in at.metric)  # every published post had a next step
        table = next(d.value for d in at.dataframe if "Impressionen" in d.value.columns)
        assert list(table["Rubrik"]) == ["Mythos vs. Fakt"]  # the built-in rubric, shown translated
    else:
        assert "Noch keine Stoppwörter" in texts(at)
        assert [b.label for b in at.button if b.key == "calendar_r_shipped_load"] == ["Liste laden"]


def test_import_and_export_read_german(team, channel):
    at = german("lead", "Import & export")
    assert not at.exception
    assert not english_left(at)
    assert "Beiträge importieren" in texts(at)


def test_a_lead_loads_the_shipped_german_stop_words_with_one_click(team, channel, read):
    at = german("lead", "Rules")
    at.selectbox(key="calendar_r_shipped_language").set_value("de")
    at.button(key="calendar_r_shipped_load").click().run()
    assert not at.exception
    shipped = house_rules.shipped_stop_words("de")
    assert f"{len(shipped)} Stoppwörter hinzugefügt." in texts(at)
    with read() as s:
        assert {w.word for w in house_rules.list_stop_words(s)} == {word for word, _mode in shipped}
    at.button(key="calendar_r_shipped_load").click().run()
    assert "Jedes Wort dieser Liste steht schon auf deiner." in texts(at)


@pytest.mark.parametrize(
    ("workspace_language", "body_line", "step_text"),
    [
        ("de", "Folie 1 – Mythos:", "Welchen Mythos sollen wir als Nächstes auseinandernehmen?"),
        ("en", "Slide 1 — Myth:", "Which myth should we take apart next?"),
    ],
)
def test_a_template_prefills_the_post_in_the_workspaces_language_not_the_readers(
    team, channel, write, workspace_language, body_line, step_text
):
    with write() as s:
        info = workspace.info(s)
        workspace.update_settings(
            session=s,
            actor=team["admin"],
            expected_version=info.version,
            settings_in=WorkspaceUpdate(language=workspace_language),
        )
    at = german("lead", "Post editor")
    template = at.selectbox(key="calendar_e_template_pick")
    assert "Mythen entlarven" in template.options  # the reader's language
    template.set_value("myth_busting").run()
    assert not at.exception
    assert at.text_area(key="calendar_e_body").value.startswith(body_line)
    assert at.text_area(key="calendar_e_next_step_text").value.startswith(step_text)
    assert "Rubrik: Mythos vs. Fakt." in texts(at)
