"""Sign-in, role navigation and direct URLs in a real browser against `streamlit run`."""

import pytest
from playwright.sync_api import expect

from core.permissions import allowed
from db.models import Role
from tests.e2e.conftest import assert_no_exception, prepare_database, sign_in, start_app, stop_app, wait_for_app
from ui.frame import PAGES

GUARDED = [key for key in PAGES if key != "home"]


def test_direct_urls_on_a_fresh_server_show_only_the_sign_in_form(page, tmp_path):
    app = start_app(prepare_database(tmp_path / "fresh.db"), tmp_path / "streamlit.log")
    try:
        for key in GUARDED:
            page.goto(app.page_url(key))
            page.get_by_role("button", name="Sign in").wait_for()
            wait_for_app(page)
            body = page.locator("body").inner_text()
            assert "Sign in to Dialog Desk" in body
            assert PAGES[key].label not in body, f"/{key} showed its title before sign-in"
            assert "Signed in as" not in body
            assert page.locator('[data-testid="stDataFrame"]').count() == 0
            assert_no_exception(page)
    finally:
        stop_app(app)


@pytest.mark.parametrize("role", [Role.lead, Role.support])
def test_a_user_visits_every_page_their_role_allows_and_signs_out(page, live_app, role):
    sign_in(page, live_app, role.value)
    sidebar = page.locator('[data-testid="stSidebar"]')
    for spec in PAGES.values():
        link = sidebar.locator("a").filter(has_text=spec.label)
        expect(link, f"{spec.label} link for {role}").to_have_count(1 if allowed(role, spec.action) else 0)

    for key, spec in PAGES.items():
        if key == "home" or not allowed(role, spec.action):
            continue
        page.locator('[data-testid="stSidebar"]').get_by_text(spec.label, exact=True).click()
        page.wait_for_url(f"**/{key}")
        page.get_by_role("heading", name=spec.label).first.wait_for()
        wait_for_app(page)
        assert_no_exception(page)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    page.goto(live_app.page_url("calendar"))
    page.get_by_role("button", name="Sign in").wait_for()
    assert "Signed in as" not in page.locator("body").inner_text()


def test_a_wrong_password_gets_the_same_message_as_an_unknown_user(page, live_app):
    messages = []
    for username, password in (("lead", "not-the-password"), ("nobody-here", "whatever-it-is")):
        page.goto(live_app.url)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        alert = page.locator('[data-testid="stAlert"]').first
        alert.wait_for()
        messages.append(alert.inner_text())
    assert messages[0] == messages[1] == "Username or password is incorrect."
