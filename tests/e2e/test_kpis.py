"""The KPI overview in a real browser: a manager reads the cards, switches to a week, opens the weekly
digest's tab and downloads the digest."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, sign_in, wait_for_app


def test_a_viewer_reads_the_overview_switches_to_a_week_and_downloads_the_digest(page, live_app):
    sign_in(page, live_app, "viewer", at="kpis")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="KPI overview")).to_be_visible()
    # The card itself (exactly), not "Posts whose dialog was answered within SLA" of the chain.
    expect(main.locator("strong").filter(has_text=re.compile(r"^Answered within SLA$"))).to_be_visible()
    expect(main.locator('[data-testid="stMetric"]').first).to_be_visible()
    # The last complete month against the calendar month before it.
    expect(main.get_by_text("against the previous calendar month:", exact=False).first).to_be_visible()

    main.locator("[data-testid=stButtonGroup] button").filter(has_text="Week").first.click()
    wait_for_app(page)
    expect(main.get_by_text("against the 7 days before", exact=False).first).to_be_visible()
    assert_no_exception(page)

    # While Streamlit replaces the month's elements with the week's, both may be on the page.
    wait_for_app(page)
    main.get_by_role("tab", name="Weekly digest").click()
    wait_for_app(page)
    download_button = main.get_by_role("button", name="Download the digest (Markdown)")
    expect(download_button).to_have_count(1)
    # An export is an action: the click runs the audited export, then the file is offered for saving.
    download_button.click()
    wait_for_app(page)
    assert_no_exception(page)
    save_button = main.get_by_role("button", name=re.compile(r"Save digest-.*\.md"))
    expect(save_button).to_have_count(1)
    with page.expect_download() as download_info:
        save_button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("digest-") and download.suggested_filename.endswith(".md")
    assert "# Digest of the week" in Path(download.path()).read_text(encoding="utf-8")
