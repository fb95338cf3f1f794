"""Comments with @mentions in AppTest: a note on a conversation, an idea or a post tells the
people mentioned (typed as @username, any case, or picked from the suggestions) in their inbox —
only them; the sidebar counts it, the profile lists it and marks it read; the note is in the
item's history; viewers read notes but write none."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from core import audit
from core.live import notify
from db.models import Comment, Role
from db.types import utcnow
from tests.factories import make_channel, make_conversation, make_idea
from tests.pages.apptest import open_page, texts
from tests.pages.german_checks import english_left, english_left_of

TEXT = "Can @LEAD check the refund rule before we answer? (not @nobody)"


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.fixture
def item(session, team):
    channel = make_channel(session, name="Instagram")
    conversation = make_conversation(
        session,
        channel=channel,
        author_handle="@Mila_K",
        text="Where is my refund?",
        received_at=utcnow() - dt.timedelta(hours=1),
    )
    idea = make_idea(session, title="Refund status in the app")
    session.commit()
    return {"conversation": conversation.id, "idea": idea.id}


def _comment(at, text, pick=()):
    _ok(at)
    box = next(t for t in at.text_area if t.label == "Comment (only the team sees it)")
    box.input(text)
    mention = next(m for m in at.multiselect if m.label == "Mention")
    for user_id in pick:
        mention.select(user_id)
    return _ok(next(b for b in at.button if b.label == "Add comment").click().run())


def _unread(read, team):
    with read() as s:
        return {name: notify.unread_count(session=s, user_id=actor.id) for name, actor in team.items()}


def test_a_mention_on_a_conversation_tells_the_mentioned_people_only(team, item, read):
    at = open_page("sla", username="support")
    at.session_state["sla_open"] = item["conversation"]
    at = _comment(at.run(), TEXT, pick=[team["owner"].id])
    assert "Comment added." in texts(at)
    assert TEXT in texts(at)
    unread = _unread(read, team)
    assert {name for name, count in unread.items() if count} == {Role.lead, "owner"}
    assert unread[Role.lead] == 1 and unread["owner"] == 1
    with read() as s:
        (entry,) = notify.inbox(session=s, user_id=team[Role.lead].id)
        assert entry.title == "Sven Support mentioned you on @Mila_K's conversation"
        assert entry.body == TEXT
        history = audit.history(s, entity="conversation", entity_id=item["conversation"])
        assert [h.action for h in history][-1] == "comment.add"
    # the lead sees it in the sidebar and on the profile page, and marks it read
    profile = _ok(open_page("profile", username="lead"))
    assert "Inbox: 1 unread" in [link.label for link in profile.get("page_link")]
    assert "Your inbox (1 unread)" in texts(profile)
    profile = _ok(next(b for b in profile.button if b.label == "Mark read").click().run())
    assert _unread(read, team)[Role.lead] == 0


def test_a_mention_on_an_idea_tells_the_mentioned_person(team, item, read):
    at = open_page("ideas", username="editor")
    at.session_state["ideas_selected"] = item["idea"]
    at = at.run()
    if not [t for t in at.text_area if t.label == "Comment (only the team sees it)"]:
        pytest.fail("the idea's detail has no comment box")
    _comment(at, "@analyst do we have numbers on this?")
    unread = _unread(read, team)
    assert {name for name, count in unread.items() if count} == {Role.analyst}


def test_viewers_read_comments_but_write_none(team, item, session):
    session.add(
        Comment(
            entity="conversation",
            entity_id=item["conversation"],
            author_id=team[Role.lead].id,
            text="Refunds take 5 days.",
        )
    )
    session.commit()
    at = open_page("sla", username="viewer")
    at.session_state["sla_open"] = item["conversation"]
    at = _ok(at.run())
    assert "Refunds take 5 days." in texts(at)
    assert not [t for t in at.text_area if t.label == "Comment (only the team sees it)"]
    assert session.exec(select(Comment)).all()


def test_the_inbox_opens_the_item_it_is_about(team, item):
    at = open_page("sla", username="support")
    at.session_state["sla_open"] = item["conversation"]
    _comment(at.run(), "@lead the customer asks for you")
    profile = _ok(open_page("profile", username="lead"))
    assert "sla_open" not in profile.session_state
    sla = _ok(next(b for b in profile.button if b.label == "Open on SLA monitor").click().run())
    assert "SLA monitor" in texts(sla)
    assert sla.session_state["sla_open"] == item["conversation"]
    assert "@lead the customer asks for you" in texts(sla)


def test_a_community_manager_chooses_the_digest_day_on_the_profile(team, read):
    from core.live import worker

    at = _ok(open_page("profile", username="community"))
    day = next(s for s in at.selectbox if s.label == "The weekly digest is announced on")
    day.set_value(4)
    at = _ok(at.run())
    at = _ok(next(b for b in at.button if b.label == "Save the digest day").click().run())
    assert "The digest is announced on Fridays." in texts(at)
    with read() as s:
        assert worker.digest_day(session=s) == 4
    viewer = _ok(open_page("profile", username="viewer"))
    assert not [s for s in viewer.selectbox if s.label == "The weekly digest is announced on"]


def test_comments_and_the_inbox_read_german(team, item, session, read):
    """Sven writes in German and mentions Lea, who reads German too; Olga, mentioned as well, reads
    the workspace's English: each inbox entry is in its reader's language."""
    from db.models import User

    lead = session.get(User, team[Role.lead].id)
    lead.language = "de"
    session.add(lead)
    session.commit()
    at = open_page("sla", username="support", language="de")
    at.session_state["sla_open"] = item["conversation"]
    at = _ok(at.run())
    assert not english_left(at)
    box = next(t for t in at.text_area if t.label == "Kommentar (nur das Team sieht ihn)")
    box.input("Kann @lead die Erstattungsregel prüfen? Und @OWNER bitte auch.")
    at = _ok(next(b for b in at.button if b.label == "Kommentar hinzufügen").click().run())
    assert "Kommentar hinzugefügt." in texts(at)
    assert not english_left(at)
    assert "Kommentare, intern (1)" in [e.label for e in at.expander]
    note = next(m.value for m in at.markdown if m.value.startswith(f"**{team[Role.support].label}** · "))
    assert re.fullmatch(
        rf"\*\*{re.escape(team[Role.support].label)}\*\* · \d{{2}}\.\d{{2}}\.\d{{4}} \d{{2}}:\d{{2}}", note
    )
    support = team[Role.support].label
    profile = _ok(open_page("profile", username="lead", language="de"))
    assert not english_left_of(profile, "ui/inbox_view.py", "core/live/kinds.py")
    assert "Dein Posteingang (1 ungelesen)" in texts(profile)
    assert f"● **{support} hat dich erwähnt bei dem Gespräch von @Mila\\_K**" in texts(profile)
    assert re.search(r"· \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", texts(profile))
    assert {"Als gelesen markieren", "Alle als gelesen markieren"} <= {b.label for b in profile.button}
    assert "Bei einem meiner Gespräche wurde die SLA überschritten" in [s.label for s in profile.selectbox]
    owner = _ok(open_page("profile", username="owner"))
    assert f"● **{support} mentioned you on @Mila\\_K's conversation**" in texts(owner)
