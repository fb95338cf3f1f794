"""Moderation in a real browser: flag a toxic conversation the word lists suggest, put its thread
in slow mode with the rule it enforces, and see it in the moderation KPIs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, prepare_database, sign_in, start_app, stop_app, wait_for_app


@pytest.fixture(scope="module")
def moderation_app(tmp_path_factory, playwright_browser):
    """Our own server on a fresh demo: this test flags and moderates, which the shared app's tests
    should not see."""
    folder = tmp_path_factory.mktemp("moderation")
    app = start_app(prepare_database(folder / "moderation.db"), folder / "streamlit.log")
    yield app
    stop_app(app)


def _metric_value(page, label: str):
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return metric.get_by_test_id("stMetricValue")


def _metric(page, label: str) -> str:
    return _metric_value(page, label).inner_text()


def _kpi(page, label: str) -> float:
    """A moderation KPI's value on the KPIs tab (its unit left off)."""
    page.get_by_role("tab", name="KPIs").click()
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    metric.wait_for()
    return float(metric.get_by_test_id("stMetricValue").inner_text().rstrip(" %h"))


def test_flag_a_toxic_conversation_slow_its_thread_and_see_it_in_the_kpis(page, moderation_app):
    sign_in(page, moderation_app, "community", at="moderation")
    page.get_by_role("heading", name="Moderation").first.wait_for()
    assert_no_exception(page)
    slow_before = int(_metric(page, "Threads in slow mode now"))
    flagged_before = _kpi(page, "Flagged share")
    share_before = _kpi(page, "Threads in slow mode")

    # The word lists suggest Rita's insult: flag it as they propose.
    page.get_by_role("tab", name="Suggested by the word lists").click()
    # The innermost block that holds Rita's text and a Flag button: her suggestion's card.
    suggestion = (
        page.get_by_test_id("stVerticalBlock")
        .filter(has_text="@Rude.Rita")
        .filter(has=page.get_by_role("button", name="Flag", exact=True))
        .last
    )
    expect(suggestion).to_contain_text("Suggested: Toxic")
    open_before = int(_metric(page, "Open flags"))
    suggestion.get_by_role("button", name="Flag", exact=True).click()
    expect(_metric_value(page, "Open flags")).to_have_text(str(open_before + 1))
    wait_for_app(page)
    page.get_by_text("Flagged: act on it under Flags.").wait_for()
    assert_no_exception(page)

    # The new flag is the one offered to act on: put the thread in slow mode.
    page.get_by_role("tab", name="Flags").click()
    expect(page.get_by_role("combobox", name="Act on")).to_have_value(re.compile(r"@Rude\.Rita: Where is my invoice"))
    page.get_by_test_id("stSelectbox").filter(has_text="Action").click()
    page.get_by_role("option", name="Thread in slow mode until …").click()
    page.get_by_label("Rule it enforces").fill("1. Be kind: no insults")
    page.get_by_role("button", name="Record the action").click()
    expect(_metric_value(page, "Threads in slow mode now")).to_have_text(str(slow_before + 1))
    wait_for_app(page)
    assert_no_exception(page)

    assert int(_metric(page, "Open flags")) == open_before  # the action closed the new flag
    assert _kpi(page, "Flagged share") > flagged_before
    assert _kpi(page, "Threads in slow mode") > share_before
