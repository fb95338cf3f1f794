"""German in a real browser: a lead switches the language in the sidebar; the calendar names the
month and the weekdays in German, the KPI cards write their shares with a decimal comma."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from core import formats, i18n
from tests.e2e.conftest import assert_no_exception, prepare_database, sign_in, start_app, stop_app, wait_for_app

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def language_app(tmp_path_factory, playwright_browser):
    """Our own server on a fresh demo: the lead's language choice is saved, and the shared
    ``live_app`` of the other browser tests must stay English."""
    folder = tmp_path_factory.mktemp("language")
    app = start_app(prepare_database(folder / "language.db"), folder / "streamlit.log")
    yield app
    stop_app(app)


def test_switching_to_german_in_the_sidebar_turns_the_calendar_and_the_kpi_cards_german(page, language_app):
    sign_in(page, language_app, "lead", at="calendar")
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_label("Language").click()
    page.get_by_role("option", name="Deutsch", exact=True).click()
    wait_for_app(page)
    sidebar.get_by_text("Angemeldet als").wait_for()
    assert_no_exception(page)

    today = dt.datetime.now(BERLIN).date()
    with i18n.using("de"):
        month = formats.month_year(today)
    assert month.split()[0] in {
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    }
    main = page.get_by_test_id("stMain")
    main.get_by_text(month, exact=True).first.wait_for()
    text = main.inner_text()
    heads = re.findall(r"^(Mo|Di|Mi|Do|Fr|Sa|So)$", text, re.MULTILINE)
    assert heads[:7] == ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"], heads[:7]
    assert "Mon" not in re.findall(r"^\w+$", text, re.MULTILINE)

    sidebar.get_by_text("KPI-Übersicht", exact=True).click()
    page.wait_for_url("**/kpis")
    wait_for_app(page)
    page.get_by_role("heading", name="KPI-Übersicht").first.wait_for()
    assert_no_exception(page)
    page.get_by_test_id("stMetricValue").filter(has_text="%").first.wait_for()
    cards = " ".join(page.get_by_test_id("stMetricValue").all_inner_texts())
    assert re.search(r"\d,\d\u00a0%", cards), cards  # "79,9 %": a decimal comma, a no-break space
    assert not re.search(r"\d\.\d\s?%", cards), cards

    # The choice is the lead's own: it holds after a reload.
    page.reload()
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_text("Angemeldet als").wait_for()
