"""The 'You asked, we did' screen in AppTest: open a loop, announce, thank, measure, export."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.content_plan import posts
from core.content_plan.queries import get_post
from core.loop.announce import draft_announcement
from core.loop.impact import set_impact
from core.loop.items import create_loop_item, set_thanked
from core.loop.queries import get_loop_item, givers
from core.text import unescape_markdown
from db.models import IdeaGiver, IdeaStatus, LoopItem, LoopItemCreate, LoopItemImpact, Post, PostUpdate, Role
from tests.factories import make_channel, make_idea, make_user
from tests.pages.apptest import open_page, show, texts, texts_of_tabs
from tests.pages.charts import valid_charts

LOOP_TABS = ["Open loops", "Closed loops", "Monthly update", "Impact", "Public board"]


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _idea(session, *handles, status=IdeaStatus.in_progress, channel=None, **fields):
    idea = make_idea(session, status=status, **fields)
    for handle in handles:
        session.add(IdeaGiver(idea_id=idea.id, handle=handle, channel_id=channel.id if channel else None))
    session.flush()
    return idea


@pytest.fixture
def people(session):
    team = {
        role: make_user(session, role, username=f"the-{role.value}")
        for role in (Role.lead, Role.community, Role.viewer, Role.editor)
    }
    session.commit()
    return team


def test_the_lead_ships_an_idea_announces_it_and_publishing_marks_it_announced(session, read, write, people):
    channel = make_channel(session, name="Instagram")
    idea = _idea(session, "@ann", "@bo", channel=channel, title="Dark mode", category="mobile app")
    session.commit()

    at = open_page("loop", username="the-lead")
    assert not at.exception
    at.multiselect(key="loop_new_ideas").set_value([idea.id])
    at.text_input(key="loop_new_what").input("Dark mode is live in the app")
    at = _button(at, "Open the loop").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Loop opened: Dark mode is live in the app" in texts(at)
    with read() as s:
        item = s.exec(select(LoopItem)).one()
        assert s.get(type(idea), idea.id).status == IdeaStatus.shipped

    at = _button(at, "Draft the announcement").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Drafted “You asked, we did: Dark mode is live in the app” in the content calendar" in texts(at)
    with read() as s:
        post_id = get_loop_item(s, item.id).announcement_post_id
        draft = get_post(s, post_id)
    assert draft.status == "draft" and draft.rubric_name == "You asked, we did" and draft.channel_name == "Instagram"
    assert "Thank you @ann and @bo" in draft.body

    # The calendar lists the draft (not scheduled yet); opening it shows the body crediting the givers.
    calendar = open_page("calendar", username="the-lead")
    assert not calendar.exception
    listed = [b for b in calendar.button if "You asked, we did: Dark mode is live in the app" in b.label]
    assert len(listed) == 1 and "Draft" in listed[0].label
    calendar = listed[0].click().run()
    assert not calendar.exception
    assert any("Thank you @ann and @bo" in area.value for area in calendar.text_area)

    # The loop screen does not count a draft as an announcement.
    at.run()
    assert not at.exception
    assert "status: shipped" in texts(at) and "the loop item is announced" not in texts(at)

    # Publishing goes through the calendar screen as a lead would do it: the checklist items the
    # draft still lacks, "Approve and schedule", then "Mark as published".
    calendar.checkbox(key="calendar_e_tone_confirmed").check()
    calendar.selectbox(key="calendar_e_sla_owner_id").set_value(people[Role.lead].id)
    calendar.date_input(key="calendar_e_date").set_value(dt.datetime.now(ZoneInfo("Europe/Berlin")).date())
    calendar = _button(calendar, "Approve and schedule").click().run()
    assert not calendar.exception, [e.message for e in calendar.exception]
    assert "Approved and scheduled." in texts(calendar), texts(calendar)
    with read() as s:
        assert get_post(s, post_id).status == "scheduled"
        assert get_loop_item(s, item.id).status == "shipped"  # scheduled is not published
    calendar = _button(calendar, "Mark as published").click().run()
    assert not calendar.exception, [e.message for e in calendar.exception]
    assert "Mark as published: done." in texts(calendar)

    with read() as s:
        published = get_post(s, post_id)
        announced = get_loop_item(s, item.id)
    assert published.status == "published"
    assert announced.status == "announced" and announced.announced_at == published.published_at
    at.run()  # the calendar's publish cleared the read caches, as every write does
    assert not at.exception
    shown = texts(at)
    assert "status: announced" in shown
    assert "the loop item is announced" in shown
    assert "Draft the announcement" not in {b.label for b in at.button}


def test_the_community_manager_ticks_givers_and_sees_who_thanked_them(session, read, write, people):
    channel = make_channel(session, name="Telegram")
    idea = _idea(session, "@ann", "@bo", status=IdeaStatus.shipped, channel=channel)
    session.commit()
    with write() as s:
        item = create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(what_changed="Faster export", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea.id]),
        )

    at = open_page("loop", username="the-community")
    assert not at.exception
    assert at.code[0].value.startswith("@ann @bo Thank you for the idea!")
    assert [b.label for b in at.button if b.label in ("Open the loop", "Draft the announcement")] == []
    at.checkbox(key=f"loop_thank_{item.id}_@ann").check()
    at = _button(at, "Save thanks").click().run()
    assert not at.exception
    assert "1 of 2 givers thanked" in texts(at)
    with read() as s:
        thanked = {g.handle: g for g in givers(s, loop_item_id=item.id)}
    assert thanked["@ann"].thanked and thanked["@ann"].thanked_by == people[Role.community].label
    assert not thanked["@bo"].thanked
    label = next(c.label for c in at.checkbox if c.key == f"loop_thank_{item.id}_@ann")
    assert "thanked by" in label


def test_viewers_read_the_loop_but_get_no_controls_to_change_it(session, write, people):
    idea = _idea(session, "@ann", status=IdeaStatus.shipped)
    make_channel(session)
    session.commit()
    with write() as s:
        create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(what_changed="Faster export", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea.id]),
        )
    at = open_page("loop", username="the-viewer")
    assert not at.exception and not at.error
    shown = texts(at)
    assert "Faster export" in shown
    assert "Not announced yet. The lead drafts the announcement." in shown
    labels = {b.label for b in at.button}
    assert not labels & {
        "Open the loop",
        "Draft the announcement",
        "Draft as a post",
        "Save impact settings",
        "Record the measurement",
    }
    # Who was thanked is a list to read, not a form of greyed-out ticks and a greyed-out save.
    assert not at.checkbox and "Save thanks" not in labels
    assert "@ann" in shown


def test_an_empty_loop_screen_says_what_to_do(session, people):
    at = open_page("loop", username="the-lead")
    assert not at.exception
    shown = texts_of_tabs(at, "loop_tab", LOOP_TABS)
    assert not at.exception
    assert "No open loops" in shown
    assert "No shipped idea is waiting for its loop" in shown
    assert "No closed loops yet" in shown
    assert "No loop items yet" in shown
    assert "Nothing shipped in" in shown


def test_monthly_update_public_board_and_impact_chart_are_on_the_screen(session, write, people):
    idea = _idea(session, "@ann", status=IdeaStatus.shipped, title="Offline <b>mode</b>")
    session.commit()
    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date()  # the workspace's day
    with write() as s:
        item = create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(what_changed="Offline *mode* ships", shipped_on=today, idea_ids=[idea.id]),
        )
        set_impact(
            session=s,
            actor=people[Role.lead],
            loop_item_id=item.id,
            expected_version=item.version,
            impact_in=LoopItemImpact(nps_before=20, nps_after=30),
        )
    at = open_page("loop", username="the-lead")
    assert not at.exception
    # Exports are actions: each button runs its core export (audited), then offers the file.
    downloads = set()
    for tab in LOOP_TABS:
        at = show(at, {"loop_tab": tab})
        downloads |= {b.label for b in at.button if b.key.startswith("loop_") and b.key.endswith("_download")}
    assert downloads == {
        "Download the update (Markdown)",
        "Download the public board (.html)",
    }
    shown = texts_of_tabs(at, "loop_tab", LOOP_TABS)
    assert f"What we implemented in {today:%B %Y}" in shown
    assert r"Offline \*mode\* ships" in shown  # user text is escaped in the Markdown
    assert "NPS 20 → 30 (+10)" in shown
    at = show(at, {"loop_tab": "Impact"})
    assert valid_charts(at)


def test_drafting_the_monthly_update_puts_a_post_in_the_calendar(session, read, write, people):
    channel = make_channel(session)
    idea = _idea(session, "@ann", status=IdeaStatus.shipped)
    session.commit()
    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date()  # the workspace's day
    with write() as s:
        create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(what_changed="Faster export", shipped_on=today, idea_ids=[idea.id]),
        )
    at = show(open_page("loop", username="the-lead"), {"loop_tab": "Monthly update"})
    at = _button(at, "Draft as a post").click().run()
    assert not at.exception
    assert f"Drafted “What we implemented in {today:%B %Y}” in the content calendar" in texts(at)
    with read() as s:
        titles = s.exec(select(Post.title).where(Post.channel_id == channel.id)).all()
    assert titles == [f"What we implemented in {today:%B %Y}"]


def test_user_text_in_the_success_messages_is_shown_as_text(session, people):
    make_channel(session)
    idea = _idea(session, "@ann", status=IdeaStatus.shipped)
    session.commit()
    at = open_page("loop", username="the-lead")
    at.multiselect(key="loop_new_ideas").set_value([idea.id])
    at.text_input(key="loop_new_what").input("Export *now* [ships](http://evil.example)")
    at = _button(at, "Open the loop").click().run()
    assert not at.exception
    assert (
        at.success[0].value
        == "Loop opened: Export \\*now\\* \\[ships\\](http:\u2060//evil.example). Next: draft the announcement."
    )
    at = _button(at, "Draft the announcement").click().run()
    assert not at.exception
    assert at.success[0].value.startswith(
        "Drafted “You asked, we did: Export \\*now\\* \\[ships\\](http:\u2060//evil.example)”"
    )


def test_a_second_leads_newer_change_refuses_the_stale_announcement(session, read, write, people):
    make_channel(session)
    idea = _idea(session, "@ann", status=IdeaStatus.shipped)
    session.commit()
    with write() as s:
        item = create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(what_changed="Faster export", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea.id]),
        )
    at = open_page("loop", username="the-lead")
    assert not at.exception
    other_lead = make_user(session, Role.lead, username="the-other-lead")
    session.commit()
    with write() as s:  # the other lead saves impact settings while the first has the page open
        set_impact(
            session=s,
            actor=other_lead,
            loop_item_id=item.id,
            expected_version=item.version,
            impact_in=LoopItemImpact(impact_categories=["export"]),
        )
    at = _button(at, "Draft the announcement").click().run()
    assert not at.exception
    assert any("changed after you opened it" in e.value for e in at.error)
    with read() as s:
        assert s.exec(select(Post)).all() == []
        assert get_loop_item(s, item.id).announcement_post_id is None


def test_a_closed_loop_appears_on_the_timeline_with_its_local_announcement_day(session, write, people):
    channel = make_channel(session)
    idea = _idea(session, "@ann", status=IdeaStatus.shipped, channel=channel)
    session.commit()
    lead = people[Role.lead]
    with write() as s:
        item = create_loop_item(
            session=s,
            actor=lead,
            item_in=LoopItemCreate(what_changed="Faster *export*", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea.id]),
        )
        post = draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel.id, expected_version=item.version
        )
        post = posts.update_post(
            session=s,
            actor=lead,
            post_id=post.id,
            expected_version=post.version,
            post_in=PostUpdate(tone_confirmed=True, sla_owner_id=lead.id),
        )
        # It went out at 23:30 UTC on 9 March: already 10 March in the workspace (Europe/Berlin).
        went_out = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)
        posts.advance_post(
            session=s,
            actor=lead,
            post_id=post.id,
            expected_version=post.version,
            target="published",
            scheduled_at=went_out,
            published_at=went_out,  # publishing records when it went out (the plan stays as planned)
        )
        set_thanked(session=s, actor=lead, loop_item_id=item.id, handles=["@ann"])
    at = open_page("loop", username="the-viewer")
    assert not at.exception
    shown = texts_of_tabs(at, "loop_tab", LOOP_TABS)
    assert "No closed loops yet" not in shown
    assert r"**2026-03-10** · Faster \*export\*" in shown
    assert "1 of 1 giver thanked · givers thanked" in shown
    assert "No open loops" in shown


def test_shipped_ideas_without_a_loop_item_are_listed_to_announce_and_the_form_starts_empty(session, write, people):
    make_channel(session)
    _idea(session, "@ann", status=IdeaStatus.shipped, title="Offline mode")
    answered = _idea(session, "@bo", status=IdeaStatus.shipped, title="Faster export")
    session.commit()
    with write() as s:
        create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(
                what_changed="Faster export", shipped_on=dt.date(2026, 3, 2), idea_ids=[answered.id]
            ),
        )
    at = open_page("loop", username="the-lead")
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "To announce") == "2"  # the item and the idea
    assert "Shipped, no loop item yet** (1)" in texts(at)
    listed = next(df.value for df in at.dataframe if "shipped" in df.value.columns)
    assert list(listed["idea"]) == ["Offline mode"]
    form = at.multiselect(key="loop_new_ideas")
    assert form.value == []  # nothing preselected: the loop links exactly what is picked
    assert [o for o in form.options if "Offline mode" in o] == ["Offline mode (shipped)"]


def test_only_the_open_tab_is_drawn(session, write, people):
    idea = _idea(session, "@ann", status=IdeaStatus.shipped)
    session.commit()
    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date()
    with write() as s:
        create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(what_changed="Faster export", shipped_on=today, idea_ids=[idea.id]),
        )
    at = open_page("loop", username="the-lead")
    assert not at.exception
    assert "Draft as a post" not in {b.label for b in at.button}  # the monthly update did not run
    assert any(s.label == "Work on" for s in at.selectbox)
    monthly = show(at, {"loop_tab": "Monthly update"})
    assert not monthly.exception
    assert "Draft as a post" in {b.label for b in monthly.button}
    assert not any(s.label == "Work on" for s in monthly.selectbox)


# --- German, and the lead's wording of the generated texts ----------------------------------------

GERMAN_TABS = ["Offene Loops", "Geschlossene Loops", "Monatsupdate", "Wirkung", "Öffentliches Board"]


@pytest.fixture
def english_left(monkeypatch):
    """``tests.pages.german.english_left``; it reads a table's headers with
    ``getattr(value, "columns", [value.name])``, whose default is evaluated for a DataFrame too
    (which has no ``name``): a DataFrame gets one for the check."""
    import pandas as pd

    from tests.pages import german

    monkeypatch.setattr(pd.DataFrame, "name", None, raising=False)
    return german.english_left


def _german_workspace(write):
    """Generated texts follow the workspace's language: a German team's workspace is German."""
    from db.models import Workspace

    with write() as s:
        row = s.exec(select(Workspace)).first() or Workspace()
        row.language = "de"
        s.add(row)


def _german_loop(session, write, people):
    """In a German workspace, a loop on a shipped idea (two givers, one thanked), its NPS before
    and after entered."""
    _german_workspace(write)
    channel = make_channel(session, name="Instagram")
    idea = _idea(session, "@Anna Weiss", "@bo_K", status=IdeaStatus.shipped, channel=channel, title="Dunkles Design")
    session.commit()
    with write() as s:
        item = create_loop_item(
            session=s,
            actor=people[Role.lead],
            item_in=LoopItemCreate(
                what_changed="Dunkelmodus in der Handy-App", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea.id]
            ),
        )
        item = set_impact(
            session=s,
            actor=people[Role.lead],
            loop_item_id=item.id,
            expected_version=item.version,
            impact_in=LoopItemImpact(nps_before=12.5, nps_after=40.5),
        )
        set_thanked(session=s, actor=people[Role.lead], loop_item_id=item.id, handles=["@Anna Weiss"])
    return item


@pytest.mark.parametrize("username", ["the-lead", "the-viewer"])
def test_the_loop_page_reads_german_with_german_dates_and_numbers(session, write, people, username, english_left):
    _german_loop(session, write, people)
    at = open_page("loop", username=username, language="de")
    assert not at.exception, [e.message for e in at.exception]
    shown = []
    for tab in GERMAN_TABS:
        at = show(at, {"loop_tab": tab})
        assert not at.exception, [e.message for e in at.exception]
        assert not english_left(at), (tab, english_left(at))
        shown.append(texts(at))
    everything = "\n".join(shown)
    assert "Ihr habt gefragt, wir haben geliefert" in everything and "Offene Loops" in everything
    assert "Umgesetzt am 02.03.2026 · Status: umgesetzt" in everything  # the open loop's German date
    assert "NPS 12,5 → 40,5 (+28)" in everything  # the impact's German decimal sign
    assert "1 von 2 gedankt." in everything


def _open_wording(at, key: str, language: str):
    at = show(at, {"loop_tab": "Wording"})
    at.selectbox(key="loop_wording_key").set_value(key)
    at.selectbox(key="loop_wording_language").set_value(language)
    return at.run()


def test_the_lead_rewords_the_german_thank_you_with_a_checked_preview_and_goes_back(session, read, write, people):
    from core.text_templates import wording

    at = open_page("loop", username="the-lead")
    assert "Wording" in [tab.label for tab in at.tabs]
    at = _open_wording(at, "thank_you", "de")
    assert not at.exception, [e.message for e in at.exception]
    area = at.text_area[0]
    assert area.value.startswith("{handles} Danke für die Idee!")  # the shipped German
    assert {"{handles}", "{asked}", "{what_changed}", "{next_step}"} <= set(at.dataframe[0].value.iloc[:, 0])
    area.input("{handles} Tausend Dank, {name}!").run()
    warning = unescape_markdown(" ".join(w.value for w in at.warning))
    assert "Unknown placeholders: {name}" in warning and "{what_changed}" in warning
    at.text_area[0].input("{handles} Tausend Dank! Erledigt: {what_changed}.").run()
    assert not at.warning
    assert "@AnnaK @ben_w Tausend Dank! Erledigt: Der Dunkelmodus ist in der App verfügbar." in [
        c.value for c in at.code
    ]
    at = _button(at, "Save the wording").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Saved the wording of “Thank-you reply”." in texts(at)
    with read() as s:
        stored = wording(s, key="thank_you", language="de")
    assert stored.stored and stored.body == "{handles} Tausend Dank! Erledigt: {what_changed}."
    at = _open_wording(at, "thank_you", "de")
    at = _button(at, "Back to the shipped wording").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with read() as s:
        assert not wording(s, key="thank_you", language="de").stored


def test_a_refused_wording_is_not_saved_and_says_why(session, read, people):
    from db.models import TextTemplate

    at = _open_wording(open_page("loop", username="the-lead"), "board_footer", "en")
    at.text_area[0].input("Updated {date:%d.%m.}").run()
    at = _button(at, "Save the wording").click().run()
    assert "The placeholder {date:%d.%m.} has a format" in unescape_markdown(texts(at))
    with read() as s:
        assert s.exec(select(TextTemplate)).first() is None


@pytest.mark.parametrize("username", ["the-viewer", "the-community", "the-editor"])
def test_roles_that_may_not_change_the_wording_do_not_see_it(session, people, username):
    at = open_page("loop", username=username)
    assert not at.exception
    assert "Wording" not in [tab.label for tab in at.tabs]
    assert not [w for w in at.text_area if w.key and w.key.startswith("loop_wording")]


def test_the_lead_edits_the_wording_in_german_too(session, write, people, english_left):
    _german_workspace(write)
    at = open_page("loop", username="the-lead", language="de", state={"loop_tab": "Wortlaut"})
    assert not at.exception, [e.message for e in at.exception]
    assert not english_left(at), english_left(at)
    assert "Ankündigung: Titel" in [o for o in at.selectbox(key="loop_wording_key").options]
