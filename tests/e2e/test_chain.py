"""The chain in a real browser: a lead publishes a call for ideas and saves its link; support imports
two comments on it from a CSV export (their permalinks are on the post's link, as a platform export
gives them, so the import finds the post) and answers one; the post's dialog panel in the calendar
shows the two conversations, 1 of 2 answered.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from db.types import utcnow
from tests.e2e.conftest import (
    assert_no_exception,
    new_context,
    prepare_database,
    sign_in,
    start_app,
    stop_app,
    wait_for_app,
)
from tests.e2e.test_calendar import _choose, _type_segments

BERLIN = ZoneInfo("Europe/Berlin")
POST_URL = "https://www.instagram.com/p/DarkModeCall/"
CATEGORY = "dark mode request"


@pytest.fixture(scope="module")
def chain_app(tmp_path_factory, playwright_browser):
    """Our own server on a fresh demo: this test publishes a post and imports conversations."""
    folder = tmp_path_factory.mktemp("chain")
    app = start_app(prepare_database(folder / "chain.db"), folder / "streamlit.log")
    yield app
    stop_app(app)


def _comments_csv() -> bytes:
    received = utcnow().replace(microsecond=0)
    rows = [
        (
            "ig-c-9001",
            received - dt.timedelta(seconds=20),
            "@Ann.Example",
            "Please add a dark mode, my eyes hurt at night",
        ),
        ("ig-c-9002", received - dt.timedelta(seconds=10), "@bo_builder", "Is a dark theme planned for the app?"),
    ]
    lines = ["comment_id,created_at,username,message,permalink,type,topic"]
    for external_id, at, handle, text in rows:
        link = f"{POST_URL}c/{external_id}/"
        lines.append(f'{external_id},{at.isoformat()},{handle},"{text}",{link},question,{CATEGORY}')
    return ("\r\n".join(lines) + "\r\n").encode()


def _open_conversation(page, handle: str) -> None:
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("Work on", exact=True).click()
    page.get_by_role("option", name=re.compile(re.escape(handle))).click()
    wait_for_app(page)
    opener = main.get_by_test_id("stBaseButton-secondary").filter(has_text=re.compile("^Open$"))
    if opener.count():
        opener.click()
        wait_for_app(page)
    main.get_by_text(re.compile(r"#\d+ · question on Instagram · from " + re.escape(handle))).wait_for()


def test_a_published_post_gets_two_imported_comments_one_answered_and_its_dialog_shows_it(
    page, chain_app, playwright_browser
):
    # The lead drafts a call for ideas, schedules it three weeks out (a free day) and publishes it now.
    day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=21)
    title = f"Ideas for the product: the app at night ({day:%d %b})"
    sign_in(page, chain_app, "lead", at="calendar")
    page.get_by_role("tab", name="Post editor").click()
    wait_for_app(page)
    _choose(page, "Start from a template", "Ideas for the product")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Title", exact=True).press("Enter")
    page.get_by_role("tabpanel", name="Post editor").get_by_role("combobox", name="Channel", exact=True).click()
    page.get_by_role("option", name="Instagram", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Tone and rules checked", exact=True).click()
    _choose(page, "SLA owner (answers the comments)", "Sam Okafor")
    _type_segments(page, "Date", f"{day:%Y%m%d}", [day.year, day.month, day.day])
    _type_segments(page, "Time", "1030", [10, 30])
    page.get_by_text("Ready for approval.").wait_for()
    page.get_by_role("button", name="Save, approve and schedule").click()
    page.get_by_text("Post saved and scheduled.").wait_for()
    wait_for_app(page)
    page.get_by_role("button", name="Mark as published").click()
    page.get_by_text("Mark as published: done.").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    dialog = page.locator('[data-testid="stMetric"]')
    expect(dialog.filter(has_text="Conversations")).to_contain_text("0")
    page.get_by_label("The post's link on the platform", exact=True).fill(POST_URL)
    page.get_by_role("button", name="Save link").click()
    page.get_by_text("Link saved.").wait_for()
    wait_for_app(page)

    # Support, in a browser of their own: import the two comments, set their post, answer one.
    context = new_context(playwright_browser)
    try:
        desk = context.new_page()
        sign_in(desk, chain_app, "support", at="sla")
        main = desk.locator('[data-testid="stMain"]')
        main.get_by_role("tab", name="Import").click()
        wait_for_app(desk)
        desk.locator('input[type="file"]').set_input_files(
            files=[{"name": "instagram-comments.csv", "mimeType": "text/csv", "buffer": _comments_csv()}]
        )
        wait_for_app(desk)
        _choose(desk, "Channel of rows that name none", "Instagram")
        main.get_by_role("button", name="Import", exact=True).click()
        desk.get_by_text("Imported 2 rows: 2 new").wait_for()
        wait_for_app(desk)
        assert_no_exception(desk)

        main.get_by_role("tab", name=re.compile("^Queue")).first.click()
        wait_for_app(desk)
        desk.get_by_role("combobox", name="Category").first.click()  # the queue's filter, above the tabs
        desk.get_by_role("option", name=CATEGORY, exact=True).click()
        wait_for_app(desk)
        labels = main.locator('[data-testid="stRadio"] label')
        mine = labels.filter(has_text=re.compile(r"\(2\)")).first
        mine.click()
        wait_for_app(desk)
        _open_conversation(desk, "@bo_builder")
        expect(main.get_by_text(re.compile(r"On post #\d+ "))).to_be_visible()  # found by its link on import
        main.get_by_role("tab", name="Reply", exact=True).click()
        main.get_by_label("The reply as sent", exact=True).fill(
            "It is on our list: vote for it on the idea board, we will tell you."
        )
        main.get_by_role("button", name="Log reply").click()
        desk.get_by_text("Reply logged. The conversation stays open here").wait_for()
        wait_for_app(desk)
        expect(main.get_by_text("It is on our list: vote for it on the idea board")).to_be_visible()
        assert_no_exception(desk)
    finally:
        context.close()

    # The lead's open post, looked at again: its dialog panel shows both conversations, one answered.
    page.get_by_role("tab", name="Calendar").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Post editor").click()
    wait_for_app(page)
    page.get_by_text(re.compile(r"Post #\d+ · Published")).wait_for()
    expect(dialog.filter(has_text="Conversations")).to_contain_text("2")
    expect(dialog.filter(has_text=re.compile("^Answered"))).to_contain_text("1 of 2")
    # The other one still waits, and the watch window sends what comes in to the post's SLA owner.
    expect(
        page.get_by_text(
            re.compile(r"1 waiting for a reply · watch window open until .*: new conversations go to Sam Okafor")
        )
    ).to_be_visible()
    assert_no_exception(page)
