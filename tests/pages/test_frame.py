"""Every page enforces sign-in and its role itself (Streamlit serves each file by URL)."""

import json

import pytest
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from core.permissions import CLI_ACTOR, allowed, role_label
from core.settings import SessionLimits
from core.text import unescape_markdown
from core.users import accounts, sessions, sign_in
from db.models import AuditLog, Role
from db.types import utcnow
from tests.conftest import TEST_COOKIE_KEY
from tests.factories import TEST_PASSWORD, ensure_workspace, make_user
from tests.pages.apptest import ROOT, open_page, texts
from ui import auth
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
        assert (
            at.error[0].value
            == f"Your role ({role_label(role)}) cannot open {page.label}. Ask an admin if you need it."
        )


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


def signed_in(at: AppTest) -> bool:
    """Whether this browser session holds a server-side session (what the sign-in form leaves)."""
    return auth.SESSION_TOKEN in at.session_state


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_signing_in_through_the_real_form(team):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at = _sign_in(at, "lead", TEST_PASSWORD)
    assert not at.exception
    assert signed_in(at) is True
    assert "Signed in as" in texts(at)


def test_wrong_password_and_unknown_user_get_the_same_message(team):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    wrong = _sign_in(at, "lead", "not-the-password").error[0].value
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    unknown = _sign_in(at, "nobody", "not-the-password").error[0].value
    assert wrong == unknown == sign_in.SIGN_IN_FAILED


def test_five_failures_lock_the_username_even_with_the_right_password(team):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    for _ in range(5):
        at = _sign_in(at, "lead", "not-the-password")
    at = _sign_in(at, "lead", TEST_PASSWORD)
    assert signed_in(at) is False
    assert "Too many failed sign-ins" in at.error[0].value


def test_a_deactivated_user_is_signed_out_at_their_next_click(team, write):
    at = open_page("calendar", username="editor")
    assert "Signed in as" in texts(at)
    with write() as s:
        accounts.set_active(session=s, actor=CLI_ACTOR, username="editor", active=False)
    at.run()
    assert not at.exception
    assert "signed out" in at.warning[0].value
    assert "Signed in as" not in texts(at)
    assert not signed_in(at)


def test_a_password_change_signs_out_older_sessions(team, write):
    at = open_page("calendar", username="editor")
    assert "Signed in as" in texts(at)
    with write() as s:
        accounts.set_password(session=s, actor=CLI_ACTOR, username="editor", password="a-brand-new-password", rounds=4)
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
    # Shown escaped (its "$(…)" and underscores stay as typed): what the reader sees
    assert "DIALOGDESK_COOKIE_KEY is not set" in unescape_markdown(at.error[0].value)
    assert not at.button


def test_the_demo_workspace_shows_a_banner(write):
    from core import demo

    with write() as s:
        demo.load_demo(s, password_rounds=4)
    at = open_page("home", username="lead")
    assert any("Demo workspace" in i.value for i in at.info)


def test_the_demo_sign_in_page_lists_the_demo_sign_ins(write):
    from core import demo

    with write() as s:
        demo.load_demo(s, password_rounds=4)
    at = open_page("calendar")
    assert not at.exception
    assert "they are also in the README" in texts(at)
    table = at.table[0].value
    assert list(table["username"]) == [u for u, _, _ in demo.DEMO_SIGN_INS]
    assert list(table["password"]) == [p for _, p, _ in demo.DEMO_SIGN_INS]
    assert [b.label for b in at.button] == ["Sign in"]


def test_a_real_workspace_never_shows_demo_sign_ins(team):
    at = open_page("home")
    assert "README" not in texts(at)
    assert not at.table


def test_sign_ins_through_the_form_are_audited_without_the_password(team, read):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at = _sign_in(at, "Lead", "not-the-password")
    at = _sign_in(at, "lead", TEST_PASSWORD)
    assert signed_in(at)
    with read() as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "sign_in").order_by(col(AuditLog.id))).all()
    assert [(r.action, r.actor) for r in rows] == [("sign_in.failed", "Lead"), ("sign_in.succeeded", "lead")]
    assert json.loads(rows[0].after)["reason"] == "wrong password"
    assert all(TEST_PASSWORD not in (r.after or "") and "not-the-password" not in (r.after or "") for r in rows)


def test_signing_out_ends_the_session_on_the_server(team, read):
    at = open_page("calendar", username="community")
    token = at.session_state[auth.SESSION_TOKEN]
    at = next(b for b in at.button if b.label == "Sign out").click().run()
    assert not at.exception and not signed_in(at)
    assert "You are signed out." in texts(at)
    with read() as s:
        check = sessions.check_session(
            session=s, token=token, key=TEST_COOKIE_KEY, now=utcnow(), limits=SessionLimits()
        )
    assert check.actor is None and check.ended == sessions.EndReason.signed_out
