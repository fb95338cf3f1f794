"""The content calendar in a real browser: a lead creates and schedules a post, and it appears in
the month view."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app

BERLIN = ZoneInfo("Europe/Berlin")


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its visible text."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def _type_segments(page, label: str, digits: str, values: list[int]) -> None:
    """Type into a Streamlit date or time field (one spin button per part: year, month, …) and
    make sure it shows ``values``: a rerun started by the field before may still redraw this one
    with its old value, so typing is repeated until the value holds."""
    parts = page.get_by_label(label, exact=True).get_by_role("spinbutton")
    expect(parts).to_have_count(len(values))
    shown: list[str | None] = []
    for _attempt in range(3):
        parts.first.click()
        page.keyboard.type(digits)
        page.keyboard.press("Tab")
        wait_for_app(page)
        page.wait_for_timeout(500)
        wait_for_app(page)
        shown = [parts.nth(i).get_attribute("aria-valuenow") for i in range(len(values))]
        if shown == [str(v) for v in values]:
            return
    raise AssertionError(f"{label} shows {shown}, not {values}")


def test_a_lead_creates_and_schedules_a_post_and_it_appears_in_the_month_view(page, live_app):
    # The demo plans two weeks ahead; three weeks out the channel's day is free.
    day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=21)
    title = f"Browser-made post {day:%d %b}"
    sign_in(page, live_app, "lead", at="calendar")
    wait_for_app(page)
    page.get_by_role("tab", name="Post editor").click()
    wait_for_app(page)

    _choose(page, "Start from a template", "Ideas for the product")
    expect(page.get_by_label("Next step text")).to_have_value(re.compile("^Fill in the proposal form"))
    checklist = page.locator('[data-testid="stMarkdownContainer"]')
    expect(checklist.filter(has_text="Read the post against the community rules")).to_have_count(1)
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Title", exact=True).press("Enter")
    page.get_by_text("Tone and rules checked", exact=True).click()
    expect(checklist.filter(has_text="Read the post against the community rules")).to_have_count(0)
    _choose(page, "SLA owner (answers the comments)", "Sam Okafor")
    expect(checklist.filter(has_text="Pick who answers the comments")).to_have_count(0)
    _type_segments(page, "Date", f"{day:%Y%m%d}", [day.year, day.month, day.day])
    _type_segments(page, "Time", "1115", [11, 15])

    # The checklist beside the form already says the post is ready, before anything is saved.
    page.get_by_text("Ready for approval.").wait_for()
    page.get_by_role("button", name="Save, approve and schedule").click()
    page.get_by_text("Post saved and scheduled.").wait_for()
    page.get_by_text(f"scheduled {day:%Y-%m-%d} 11:15").wait_for()
    wait_for_app(page)
    assert_no_exception(page)

    page.get_by_role("tab", name="Calendar").click()
    wait_for_app(page)
    page.get_by_role("heading", name=f"{day:%B %Y}").wait_for()
    cell = page.locator('[data-testid="stMarkdownContainer"]').filter(
        has_text=re.compile(r"11:15\s*" + re.escape(title[:20]))
    )
    cell.first.wait_for()
    assert cell.count() == 1
    assert_no_exception(page)
