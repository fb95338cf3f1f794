"""A published post's dialog panel on the calendar (AppTest): its conversations, how many were
answered and within the SLA, the ideas from it, its goal, its watch window; its link is saved
there and refused when it is not a web link."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models import ConversationKind, Post, Role
from db.types import utcnow
from tests.factories import make_conversation, make_idea, make_ready_post
from tests.pages.apptest import texts
from tests.pages.german import english_left
from tests.pages.test_calendar import at_tab, button, german


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _published_with_dialog(session, team, channel) -> Post:
    now = utcnow().replace(microsecond=0)
    published = now - dt.timedelta(hours=3)
    post = make_ready_post(
        session,
        channel=channel,
        title="Which feature should come next?",
        sla_owner_id=team[Role.support].id,
        status="published",
        scheduled_at=published,
        published_at=published,
        micro_goal="30 poll votes",
        impressions=26000,
        next_step_conversions=41,
    )
    received = published + dt.timedelta(minutes=20)
    make_conversation(
        session,
        channel=channel,
        post_id=post.id,
        kind=ConversationKind.question,
        author_handle="@Ann Example",
        text="Will there be a dark mode?",
        received_at=received,
        deadline_at=received + dt.timedelta(hours=2),
        first_reply_at=received + dt.timedelta(minutes=30),
    )
    make_conversation(
        session,
        channel=channel,
        post_id=post.id,
        kind=ConversationKind.question,
        author_handle="@bo_builder",
        text="And an export to CSV?",
        received_at=received + dt.timedelta(minutes=5),
        deadline_at=received + dt.timedelta(hours=2, minutes=5),
    )
    make_conversation(
        session, channel=channel, post_id=post.id, kind=ConversationKind.praise, received_at=received, text="Love it"
    )
    make_idea(session, title="Dark mode", post_id=post.id)
    session.commit()
    return post


def test_the_lead_sees_a_posts_dialog_and_saves_its_link(team, channel, session, read):
    post = _published_with_dialog(session, team, channel)
    at = at_tab("lead", "Post editor", calendar_post_id=post.id)
    assert not at.exception, [e.message for e in at.exception]
    assert _metric(at, "Conversations") == "3"
    assert _metric(at, "Answered") == "1 of 2"  # the praise needs no reply
    assert _metric(at, "Within SLA") == "1 of 2"  # the unanswered one is past its deadline
    assert _metric(at, "Ideas") == "1"
    shown = texts(at)
    assert "goal: 30 poll votes — reached 41" in shown
    assert "1 waiting for a reply" in shown
    assert "watch window open until" in shown and "new conversations go to Sven Support" in shown
    assert "Dark mode (new)" in shown

    link = next(t for t in at.text_input if t.label == "The post's link on the platform")
    link.input("instagram.com/p/abc")
    at = button(at, "Save link").click().run()
    assert any("must start with https://" in e.value for e in at.error)
    with read() as s:
        assert s.get(Post, post.id).published_url == ""
    link = next(t for t in at.text_input if t.label == "The post's link on the platform")
    link.input("https://www.instagram.com/p/DarkModeCall/")
    at = button(at, "Save link").click().run()
    assert not at.exception
    assert "Link saved." in texts(at)
    # The editor reloaded the saved post: no "someone changed this post" for one's own save.
    assert not [w.value for w in at.warning if "changed this post" in w.value]
    with read() as s:
        assert s.get(Post, post.id).published_url == "https://www.instagram.com/p/DarkModeCall/"


def test_a_viewer_reads_the_dialog_without_the_link_form(team, channel, session):
    post = _published_with_dialog(session, team, channel)
    at = at_tab("viewer", "Post editor", calendar_post_id=post.id)
    assert not at.exception
    assert _metric(at, "Answered") == "1 of 2"
    assert "Save link" not in {b.label for b in at.button}


@pytest.mark.parametrize("username", ["lead", "viewer"])
def test_the_dialog_panel_reads_german(team, channel, session, username):
    post = _published_with_dialog(session, team, channel)
    at = german(username, "Post editor", calendar_post_id=post.id)
    assert not at.exception
    assert not english_left(at)
    assert _metric(at, "Gespräche") == "3"
    assert _metric(at, "Beantwortet") == "1 von 2"
    assert _metric(at, "Innerhalb der SLA") == "1 von 2"
    shown = texts(at)
    assert "1 wartet auf eine Antwort" in shown
    assert "Dark mode (neu)" in shown
    # The figures after publishing, German numbers: 41 of 26.000 impressions.
    assert _metric(at, "Conversion zum nächsten Schritt") == "0,16\u00a0%"
    assert ("Link speichern" in {b.label for b in at.button}) is (username == "lead")
