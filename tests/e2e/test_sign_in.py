"""Sign-in, role navigation and direct URLs in a real browser against `streamlit run`; sessions
that end on the server: replayed, forged and deactivated cookies land on the sign-in form."""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from core.permissions import allowed
from core.settings import load_settings
from db.models import Role
from tests.conftest import ROOT, TEST_COOKIE_KEY
from tests.e2e.conftest import (
    LiveApp,
    assert_no_exception,
    new_context,
    prepare_database,
    sign_in,
    start_app,
    stop_app,
    wait_for_app,
)
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


COOKIE = load_settings({}).cookie_name


def _old_style_token(**claims) -> str:
    """A JWT as the previous sign-in cookie held it, signed (HS256) with the app's cookie key."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(TEST_COOKIE_KEY.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _session_cookie(context, *, timeout_s: float = 10) -> dict:
    """The session cookie once the browser has stored it (the component writes it after the page
    is drawn)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == COOKIE]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {COOKIE} cookie after {timeout_s} s")


def _fresh_page(browser, app: LiveApp, *, cookie_value: str):
    context = new_context(browser)
    context.add_cookies([{"name": COOKIE, "value": cookie_value, "url": app.url}])
    return context, context.new_page()


def _lands_on_the_sign_in_form(page, app: LiveApp, key: str = "calendar") -> str:
    page.goto(app.page_url(key))
    page.get_by_role("button", name="Sign in").wait_for()
    wait_for_app(page)
    body = page.locator("body").inner_text()
    assert "Sign in to Dialog Desk" in body and "Signed in as" not in body
    assert_no_exception(page)
    return body


def test_a_cookie_copied_before_signing_out_opens_nothing_afterwards(page, playwright_browser, live_app):
    sign_in(page, live_app, "analyst")
    cookie = _session_cookie(page.context)
    assert not cookie["httpOnly"]  # Streamlit cannot set HttpOnly cookies from a script (see ui/auth.py)
    assert cookie["sameSite"] == "Strict" and len(cookie["value"]) == 43

    # While the session is open, the copy works in another browser: the replay below is real.
    context, copy = _fresh_page(playwright_browser, live_app, cookie_value=cookie["value"])
    copy.goto(live_app.page_url("calendar"))
    copy.get_by_text("Signed in as").wait_for()
    context.close()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    context, copy = _fresh_page(playwright_browser, live_app, cookie_value=cookie["value"])
    try:
        _lands_on_the_sign_in_form(copy, live_app)
    finally:
        context.close()


@pytest.mark.parametrize(
    "value",
    [
        "not-a-session",
        # {"alg": "none"} and {"username": "admin", "exp_date": far future}, unsigned.
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VybmFtZSI6ImFkbWluIiwiZXhwX2RhdGUiOjQxMDI0NDQ4MDB9.",
        # The old cookie format, correctly signed with the app's key: no longer a way in.
        _old_style_token(username="admin", exp_date=4102444800),
        "A" * 43,
        "%00%ff\\u0000garbage",
    ],
    ids=["garbage", "alg-none", "old-jwt-format", "made-up-id", "escapes"],
)
def test_a_forged_or_garbled_cookie_lands_on_the_sign_in_form(playwright_browser, live_app, value):
    context, page = _fresh_page(playwright_browser, live_app, cookie_value=value)
    try:
        body = _lands_on_the_sign_in_form(page, live_app)
        assert "signed out" not in body  # nobody ended a session: no note
    finally:
        context.close()


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """A server of its own: these tests deactivate people."""
    folder = tmp_path_factory.mktemp("own")
    app = start_app(prepare_database(folder / "own.db"), folder / "streamlit.log")
    yield app
    stop_app(app)


def _cli(app: LiveApp, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=app.database_url)
    subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def test_a_deactivated_user_sees_the_sign_in_form_with_a_note_at_their_next_click(page, own_app):
    sign_in(page, own_app, "editor")
    cookie = _session_cookie(page.context)
    _cli(own_app, "users", "deactivate", "editor")
    page.locator('[data-testid="stSidebar"]').get_by_text("Idea board", exact=True).click()
    page.get_by_role("button", name="Sign in").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    alert = page.locator('[data-testid="stAlert"]').first
    assert alert.inner_text() == "Your account was deactivated, so you were signed out."
    assert "Signed in as" not in page.locator("body").inner_text()

    # Activated again, the old cookie still opens nothing: its session ended for good.
    _cli(own_app, "users", "activate", "editor")
    page.context.add_cookies([{"name": COOKIE, "value": cookie["value"], "url": own_app.url}])
    _lands_on_the_sign_in_form(page, own_app)
    assert "deactivated" in page.locator('[data-testid="stAlert"]').first.inner_text()
