"""The idea board in a real browser: log an idea from the board screen, score it, and find it
in the Impact/Cost matrix (by hovering the chart until its tooltip names the idea)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

TITLE = "Reply templates we can share in threads"


def _hover_until_tooltip(page, chart, text: str, *, region: tuple[float, float, float, float], step: int = 6) -> bool:
    """Move the mouse over part of the chart until the Vega tooltip shows ``text``."""
    box = chart.bounding_box()
    assert box, "the matrix is not on screen"
    tooltip = page.locator("#vg-tooltip-element")
    left, top, right, bottom = region
    y = box["y"] + box["height"] * top
    while y <= box["y"] + box["height"] * bottom:
        x = box["x"] + box["width"] * left
        while x <= box["x"] + box["width"] * right:
            page.mouse.move(x, y)
            x += step
            if tooltip.count() and tooltip.is_visible() and text in tooltip.inner_text():
                return True
        y += step
    return False


def test_an_idea_logged_on_the_board_is_found_in_the_matrix(live_app, page):
    sign_in(page, live_app, "lead", at="ideas")
    page.goto(live_app.page_url("ideas"))
    wait_for_app(page)

    page.get_by_role("textbox", name="What did people ask for?").fill(TITLE)
    page.get_by_role("textbox", name="Who gave it (handles)").fill("@mila, @jonas, @sofia")
    page.get_by_role("button", name="Log idea").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text(re.compile(r"Idea #\d+ logged: " + re.escape(TITLE))).wait_for()
    page.get_by_text(TITLE).nth(1).wait_for()  # the page reran: the board shows it too

    # Find it on the board and open it.
    page.get_by_role("textbox", name="Search").fill("Reply templates we can share")
    page.get_by_role("textbox", name="Search").press("Enter")
    wait_for_app(page)
    # (select boxes have toggles named "Open" too: match the button's text)
    open_buttons = page.get_by_role("button", name="Open", exact=True).filter(has_text=re.compile(r"^Open$"))
    expect(open_buttons).to_have_count(1)  # the search leaves only the new idea on the board
    open_buttons.click()
    wait_for_app(page)
    page.get_by_role("heading", name=re.compile(re.escape(TITLE))).wait_for()

    # Score it as a quick win: impact 3 → 5, cost 3 → 1.
    sliders = page.get_by_role("slider")
    sliders.nth(0).focus()
    sliders.nth(0).press("ArrowRight")
    sliders.nth(0).press("ArrowRight")
    sliders.nth(1).focus()
    sliders.nth(1).press("ArrowLeft")
    sliders.nth(1).press("ArrowLeft")
    page.get_by_role("button", name="Save scores").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text("impact 5 · cost 1").first.wait_for()

    # The matrix, filtered to this idea, holds it in the quick-win corner.
    page.get_by_text("Impact/Cost matrix", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Showing all 1 scored ideas matching the filters").wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert _hover_until_tooltip(page, chart, TITLE, region=(0.0, 0.0, 0.45, 0.4)), (
        "no dot in the quick-win corner shows the idea"
    )
    assert_no_exception(page)
