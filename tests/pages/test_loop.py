"""The 'You asked, we did' screen in AppTest: open a loop, announce, thank, measure, export."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import streamlit as st
from sqlmodel import select

from core import loop, posts
from db.models import IdeaGiver, IdeaStatus, LoopItem, Post, Role
from db.types import utcnow
from tests.factories import make_channel, make_idea, make_user
from tests.pages.apptest import open_page, texts


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
    team = {role: make_user(session, role, username=f"the-{role.value}") for role in (Role.lead, Role.community, Role.viewer, Role.editor)}
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
        post_id = loop.get_loop_item(s, item.id).announcement_post_id
        draft = posts.get_post(s, post_id)
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

    lead = people[Role.lead]
    with write() as s:
        current = posts.get_post(s, post_id)
        current = posts.update_post(s, actor=lead, post_id=post_id, expected_version=current.version, fields={"tone_confirmed": True, "sla_owner_id": lead.id})
        posts.advance_post(s, actor=lead, post_id=post_id, expected_version=current.version, target="published", scheduled_at=utcnow())
    st.cache_data.clear()  # as ui.actions.perform does after the calendar's publish
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "status: announced" in shown
    assert "the loop item is announced" in shown


def test_the_community_manager_ticks_givers_and_sees_who_thanked_them(session, read, write, people):
    channel = make_channel(session, name="Telegram")
    idea = _idea(session, "@ann", "@bo", status=IdeaStatus.shipped, channel=channel)
    session.commit()
    with write() as s:
        item = loop.create_loop_item(s, actor=people[Role.lead], what_changed="Faster export", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea.id])

    at = open_page("loop", username="the-community")
    assert not at.exception
    assert at.code[0].value.startswith("@ann @bo Thank you for the idea!")
    assert [b.label for b in at.button if b.label in ("Open the loop", "Draft the announcement")] == []
    at.checkbox(key=f"loop_thank_{item.id}_@ann").check()
    at = _button(at, "Save thanks").click().run()
    assert not at.exception
    assert "1 of 2 givers thanked" in texts(at)
    with read() as s:
        thanked = {g.handle: g for g in loop.givers(s, loop_item_id=item.id)}
    assert thanked["@ann"].thanked and thanked["@ann"].thanked_by == people[Role.community].label
    assert not thanked["@bo"].thanked
    label = next(c.label for c in at.checkbox if c.key == f"loop_thank_{item.id}_@ann")
    assert "thanked by" in label


def test_viewers_read_the_loop_but_get_no_controls_to_change_it(session, write, people):
    idea = _idea(session, "@ann", status=IdeaStatus.shipped)
    make_channel(session)
    session.commit()
    with write() as s:
        loop.create_loop_item(s, actor=people[Role.lead], what_changed="Faster export", shipped_on=dt.date(2026, 3, 2), idea_ids=[idea.id])
    at = open_page("loop", username="the-viewer")
    assert not at.exception and not at.error
    shown = texts(at)
    assert "Faster export" in shown
    assert "Not announced yet. The lead drafts the announcement." in shown
    labels = {b.label for b in at.button}
    assert not labels & {"Open the loop", "Draft the announcement", "Draft as a post", "Save impact settings", "Record the measurement"}
    assert at.checkbox and all(c.disabled for c in at.checkbox)


def test_an_empty_loop_screen_says_what_to_do(session, people):
    at = open_page("loop", username="the-lead")
    assert not at.exception
    shown = texts(at)
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
        item = loop.create_loop_item(s, actor=people[Role.lead], what_changed="Offline *mode* ships", shipped_on=today, idea_ids=[idea.id])
        loop.set_impact(s, actor=people[Role.lead], loop_item_id=item.id, expected_version=item.version, nps_before=20, nps_after=30)
    at = open_page("loop", username="the-lead")
    assert not at.exception
    assert {d.label for d in at.get("download_button")} == {"Download .md", "Download the public board (.html)"}
    shown = texts(at)
    assert f"What we implemented in {today:%B %Y}" in shown
    assert r"Offline \*mode\* ships" in shown  # user text is escaped in the Markdown
    assert "NPS 20 → 30 (+10)" in shown
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")


def test_drafting_the_monthly_update_puts_a_post_in_the_calendar(session, read, write, people):
    channel = make_channel(session)
    idea = _idea(session, "@ann", status=IdeaStatus.shipped)
    session.commit()
    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date()  # the workspace's day
    with write() as s:
        loop.create_loop_item(s, actor=people[Role.lead], what_changed="Faster export", shipped_on=today, idea_ids=[idea.id])
    at = open_page("loop", username="the-lead")
    at = _button(at, "Draft as a post").click().run()
    assert not at.exception
    assert f"Drafted “What we implemented in {today:%B %Y}” in the content calendar" in texts(at)
    with read() as s:
        titles = s.exec(select(Post.title).where(Post.channel_id == channel.id)).all()
    assert titles == [f"What we implemented in {today:%B %Y}"]
