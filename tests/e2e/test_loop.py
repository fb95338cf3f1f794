"""'You asked, we did' in a real browser: from a shipped idea to the drafted announcement in the calendar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import assert_no_exception, prepare_database, sign_in, start_app, stop_app, wait_for_app

WHAT_CHANGED = "Undo is here: deleted items come back with one tap"


@pytest.fixture(scope="module")
def loop_app(tmp_path_factory, playwright_browser):
    """Our own server on a fresh demo: this test adds a loop item and a draft post, which the
    shared ``live_app`` of the other browser tests should not see."""
    folder = tmp_path_factory.mktemp("loop")
    app = start_app(prepare_database(folder / "loop.db"), folder / "streamlit.log")
    yield app
    stop_app(app)


def test_from_a_shipped_idea_to_the_drafted_announcement_in_the_calendar(page, loop_app):
    sign_in(page, loop_app, "lead", at="loop")
    page.get_by_role("heading", name="You asked, we did").first.wait_for()
    assert_no_exception(page)

    # The demo's newest shipped idea has no loop item yet: open its loop. The form starts empty,
    # so the loop links exactly the ideas picked.
    page.get_by_text("New loop item from shipped ideas").click()
    wait_for_app(page)  # a rerun under way would close the list just opened
    ideas = page.get_by_test_id("stMultiSelect").filter(has_text="Ideas this change answers")
    assert ideas.get_by_text(re.compile(r"\(shipped\)")).count() == 0, "nothing is preselected"
    option = page.get_by_role("option", name=re.compile(r"\(shipped\)")).first
    for _ in range(3):  # open the list until its options show (a late rerun may close it once)
        ideas.click()
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            wait_for_app(page)
    option.click()
    page.keyboard.press("Escape")
    assert ideas.get_by_text(re.compile(r"\(shipped\)")).count() == 1
    page.get_by_label("What changed").fill(WHAT_CHANGED)
    page.get_by_role("button", name="Open the loop").click()
    page.get_by_text(f"Loop opened: {WHAT_CHANGED}").wait_for()
    wait_for_app(page)

    page.get_by_role("button", name="Draft the announcement").click()
    page.get_by_text(re.compile(r"Drafted “You asked, we did: .*” in the content calendar")).wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert "Announcement: post #" in page.locator("body").inner_text()

    page.locator('[data-testid="stSidebar"]').get_by_text("Content calendar", exact=True).click()
    page.wait_for_url("**/calendar")
    wait_for_app(page)
    assert_no_exception(page)
    # A new draft has no date yet: the calendar lists it under "Not scheduled yet".
    page.get_by_text(re.compile(r"Not scheduled yet")).click()
    draft = page.get_by_role("button", name=re.compile(f"You asked, we did: {re.escape(WHAT_CHANGED)}"))
    draft.wait_for()
    assert "Draft" in draft.inner_text()
    draft.click()
    wait_for_app(page)
    body = page.locator("textarea").filter(has_text="you gave us the idea")
    body.first.wait_for()
    assert WHAT_CHANGED in body.first.input_value()
    assert_no_exception(page)
