"""Every page enforces sign-in and its role itself (Streamlit serves each file by URL)."""

import pytest
from streamlit.testing.v1 import AppTest

from core import users
from core.permissions import CLI_ACTOR, allowed
from db.models import Role
from tests.factories import TEST_PASSWORD, ensure_workspace, make_user
from tests.pages.apptest import ROOT, open_page, texts
from ui.frame import PAGES

CASES = [(key, role) for key in PAGES for role in Role]


@pytest.mark.parametrize(("key", "role"), CASES, ids=[f"{k}-{r.value}" for k, r in CASES])
def test_page_shows_itself_only_to_roles_that_may_open_it(team, key, role):
    at = open_page(key, username=role.value)
    assert not at.exception
    page = PAGES[key]
    shown = texts(at)
    if allowed(role, page.action):
        assert not at.error, [e.value for e in at.error]
        assert "Signed in as" in shown
    else:
        assert at.error[0].value == f"Your role ({role.value}) cannot open {page.label}. Ask an admin if you need it."


@pytest.mark.parametrize("key", list(PAGES))
def test_anonymous_visitors_get_the_sign_in_form_and_nothing_else(team, key):
    at = open_page(key)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    shown = texts(at)
    assert "Sign in to Dialog Desk" in shown
    assert "Signed in as" not in shown
    assert not at.dataframe and not at.get("vega_lite_chart")
    if key != "home":
        assert PAGES[key].label not in shown


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_signing_in_through_the_real_form(team):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at = _sign_in(at, "lead", TEST_PASSWORD)
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert "Signed in as" in texts(at)


def test_wrong_password_and_unknown_user_get_the_same_message(team):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    wrong = _sign_in(at, "lead", "not-the-password").error[0].value
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    unknown = _sign_in(at, "nobody", "not-the-password").error[0].value
    assert wrong == unknown == users.SIGN_IN_FAILED


def test_five_failures_lock_the_username_even_with_the_right_password(team):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    for _ in range(5):
        at = _sign_in(at, "lead", "not-the-password")
    at = _sign_in(at, "lead", TEST_PASSWORD)
    assert at.session_state["authentication_status"] is False
    assert "Too many failed sign-ins" in at.error[0].value


def test_a_deactivated_user_is_signed_out_at_their_next_click(team, write):
    at = open_page("calendar", username="editor")
    assert "Signed in as" in texts(at)
    with write() as s:
        users.set_active(s, actor=CLI_ACTOR, username="editor", active=False)
    at.run()
    assert not at.exception
    assert "signed out" in at.warning[0].value
    assert "Signed in as" not in texts(at)
    assert not at.session_state["authentication_status"]


def test_a_password_change_signs_out_older_sessions(team, write):
    at = open_page("calendar", username="editor")
    assert "Signed in as" in texts(at)
    with write() as s:
        users.set_password(s, actor=CLI_ACTOR, username="editor", password="a-brand-new-password", rounds=4)
    at.run()
    assert "signed out" in at.warning[0].value


def test_an_empty_database_shows_the_guided_start(engine):
    at = open_page("calendar")
    assert not at.exception
    assert "Welcome to Dialog Desk" in texts(at)
    assert "python -m core users add" in at.code[0].value
    # A configured deployment (cookie key set) is not offered demo data.
    assert not [b for b in at.button if b.label == "Load the demo workspace"]


def test_without_a_cookie_key_the_guided_start_offers_the_demo_and_loads_it(engine, monkeypatch):
    monkeypatch.delenv("DIALOGDESK_COOKIE_KEY")
    at = open_page("home")
    load = next(b for b in at.button if b.label == "Load the demo workspace")
    at = load.click().run()
    assert not at.exception
    assert "Demo loaded" in texts(at)


def test_a_real_workspace_refuses_to_start_without_a_cookie_key(write, monkeypatch):
    with write() as s:
        ensure_workspace(s)
        make_user(s, Role.admin, username="root")
    monkeypatch.delenv("DIALOGDESK_COOKIE_KEY")
    at = open_page("home")
    assert not at.exception
    assert "DIALOGDESK_COOKIE_KEY is not set" in at.error[0].value
    assert not at.button


def test_the_demo_workspace_shows_a_banner(write):
    from core import demo

    with write() as s:
        demo.load_demo(s, password_rounds=4)
    at = open_page("home", username="lead")
    assert any("Demo workspace" in i.value for i in at.info)
