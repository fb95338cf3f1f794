"""The SLA monitor in a real browser: support opens the queue on the demo workspace, sees the
breached items first and logs a reply; the breached count drops."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app


def _breached_count(main) -> int:
    label = main.locator('[data-testid="stRadio"] label').filter(has_text="Breached").first.inner_text()
    return int(re.search(r"\((\d+)\)", label).group(1))


def test_support_works_the_breached_queue_in_the_browser(page, live_app):
    sign_in(page, live_app, "support", at="sla")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="SLA monitor")).to_be_visible()
    wait_for_app(page)
    expect(main.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    before = _breached_count(main)
    assert before > 0  # the demo always has overdue items
    expect(main.get_by_text("Past the deadline without a reply", exact=False)).to_be_visible()

    main.get_by_role("button", name="Log reply").click()
    wait_for_app(page)
    expect(main.locator('[data-testid="stRadio"] label').filter(has_text=f"Breached ({before - 1})")).to_be_visible()
    assert_no_exception(page)

    main.get_by_role("tab", name="KPIs").click()
    expect(main.locator('[data-testid="stMetric"]').filter(has_text="Answered within SLA")).to_be_visible()
    expect(main.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    assert_no_exception(page)
