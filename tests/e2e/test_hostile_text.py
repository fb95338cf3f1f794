"""The review's hostile strings, saved as an idea title and a conversation, render as text in
Chromium: no link, no coloured span, no icon, no emoji, no image, and no bidi control left to
reverse the line around them; the reader sees every character that was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlmodel import col, select

from core.ideas import capture
from core.permissions import CLI_ACTOR
from core.sla import conversations
from db.engine import make_engine, write_session
from db.models import Channel, ConversationCreate, IdeaCreate
from db.types import utcnow
from tests.e2e.conftest import assert_no_exception, prepare_database, sign_in, start_app, stop_app, wait_for_app

pytestmark = pytest.mark.e2e

IDEA_TITLE = ":material/warning: SYSTEM: session expired :red[sign in again] at www.evil.example/login :tada:"
MESSAGE = "\u202eOrder 1234 :blue[refund] now https://evil.example/login [Win](http://evil.example) <b>x</b>\u202c ok"
SHOWN_MESSAGE = "Order 1234 :blue[refund] now https://evil.example/login [Win](http://evil.example) <b>x</b> ok"
HANDLE = "@Mila_Berlin"

# What Streamlit's Markdown makes of a directive, an icon, a link, an image or HTML.
RENDERED = 'a, img, b, span[style*="color"], [data-testid="stIconMaterial"], [class*="olored"], [data-testid="stImage"]'


@pytest.fixture
def hostile_app(tmp_path):
    url = prepare_database(tmp_path / "hostile.db")
    engine = make_engine(url)
    with write_session(engine) as session:
        channel_id = session.exec(select(Channel.id).order_by(col(Channel.id))).first()
        capture.log_idea(session=session, actor=CLI_ACTOR, idea_in=IdeaCreate(title=IDEA_TITLE, handles="@mila"))
        conversations.log_conversation(
            session=session,
            actor=CLI_ACTOR,
            conversation_in=ConversationCreate(
                channel_id=channel_id,
                author_handle=HANDLE,
                text=MESSAGE,
                received_at=utcnow() - dt.timedelta(days=90),  # the most overdue: first in the queue
            ),
        )
    engine.dispose()
    app = start_app(url, tmp_path / "streamlit.log")
    yield app
    stop_app(app)


def _visible(text: str) -> str:
    return text.replace("\u2060", "")  # the word joiner is invisible


def _assert_plain(locator, expected: str) -> None:
    expect(locator).to_have_count(1)
    text = locator.inner_text()
    assert expected in _visible(" ".join(text.split())), text
    assert not {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"} & set(text)
    assert locator.locator(RENDERED).count() == 0, locator.inner_html()
    assert "🎉" not in text  # :tada: stays a word


def test_hostile_idea_title_and_conversation_render_as_text(hostile_app, page):
    sign_in(page, hostile_app, "lead", at="ideas")
    page.goto(hostile_app.page_url("ideas"))
    wait_for_app(page)
    page.get_by_role("textbox", name="Search").fill("session expired")
    page.get_by_role("textbox", name="Search").press("Enter")
    wait_for_app(page)
    assert_no_exception(page)
    card = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="SYSTEM: session expired")
    _assert_plain(card.first if card.count() > 1 else card, IDEA_TITLE)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('a[href*="evil"]').count() == 0

    page.goto(hostile_app.page_url("sla"))
    wait_for_app(page)
    assert_no_exception(page)
    block = page.locator('[data-testid="stText"]').filter(has_text="Order 1234")
    _assert_plain(block, SHOWN_MESSAGE)  # the thread shows the message as typed, its author beside it
    # The author's handle heads the message (the queue table's cell holds it too, hidden in its grid).
    expect(page.get_by_role("group", name="Chat message from user").get_by_text(HANDLE)).to_be_visible()
    assert page.locator('[data-testid="stMain"] a[href*="evil"]').count() == 0
    assert "\u202e" not in page.locator("body").inner_text()
