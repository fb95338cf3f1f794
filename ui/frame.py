"""The frame of every page: page config, sign-in, role check, sidebar, demo banner.

Streamlit serves every file in ``pages/`` by URL on its own, so each page calls
``page_frame`` first; it stops the script before any data is read unless the visitor is signed
in and their role may open the page.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy.engine import Engine

from core import users, workspace
from core.errors import DomainError
from core.permissions import Action, Actor, allowed
from core.settings import require_cookie_key
from db.engine import write_session
from db.types import utcnow
from ui import reads, state
from ui.messages import show_error, show_flashes


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    label: str
    icon: str
    action: Action


PAGES: dict[str, Page] = {
    p.key: p
    for p in (
        Page("home", "app.py", "Home", ":material/home:", Action.view_calendar),
        Page("calendar", "pages/calendar.py", "Content calendar", ":material/calendar_month:", Action.view_calendar),
        Page("ideas", "pages/ideas.py", "Idea board", ":material/lightbulb:", Action.view_ideas),
        Page("sla", "pages/sla.py", "SLA monitor", ":material/timer:", Action.view_sla),
        Page("loop", "pages/loop.py", "You asked, we did", ":material/campaign:", Action.view_loop),
        Page("kpis", "pages/kpis.py", "KPI overview", ":material/monitoring:", Action.view_kpis),
        Page("admin", "pages/admin.py", "Admin", ":material/settings:", Action.view_admin),
    )
}


@dataclass(frozen=True)
class PageContext:
    engine: Engine
    actor: Actor
    timezone: ZoneInfo
    is_demo: bool

    def can(self, action: Action) -> bool:
        return allowed(self.actor, action)


_AUTH_AT = "dd_auth_at"
_LOCK_NOTE = "dd_lock_note"


def page_frame(page_key: str) -> PageContext:
    page = PAGES[page_key]
    st.set_page_config(page_title=f"{page.label} · Dialog Desk", page_icon="💬", layout="wide")
    settings = state.settings()
    engine = state.engine()
    if not state.schema_is_current():
        st.error("The database is not at the newest schema. Run `make run`, or `python -m core migrate`, then reload.")
        st.stop()
    reads.refresh_versions()
    current = reads.read(workspace.state)
    tz_name = reads.read(workspace.info).timezone
    if current == workspace.WorkspaceState.empty:
        _guided_start(engine, has_cookie_key=bool(settings.cookie_key))
        st.stop()
    try:
        cookie_key = require_cookie_key(settings, is_demo=current == workspace.WorkspaceState.demo)
    except DomainError as error:
        st.error(str(error))  # our own configuration message, no user text in it
        st.stop()

    authenticator = _authenticator(engine, settings, cookie_key)
    actor = _signed_in_actor(engine, authenticator, settings.login_sleep_seconds)
    if actor is None:
        st.stop()
    _sidebar(actor, authenticator, settings.login_sleep_seconds)
    if current == workspace.WorkspaceState.demo:
        st.info("Demo workspace: the people, posts and conversations here are made up.", icon=":material/science:")
    if not allowed(actor, page.action):
        st.error(f"Your role ({actor.role}) cannot open {page.label}. Ask an admin if you need it.")
        st.stop()
    show_flashes()
    return PageContext(
        engine=engine, actor=actor, timezone=ZoneInfo(tz_name), is_demo=current == workspace.WorkspaceState.demo
    )


def _authenticator(engine: Engine, settings, cookie_key: str) -> stauth.Authenticate:
    credentials = reads.read(users.sign_in_credentials)
    authenticator = stauth.Authenticate(
        credentials,
        settings.cookie_name,
        cookie_key,
        settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=settings.login_sleep_seconds,
    )
    model = authenticator.authentication_controller.authentication_model
    library_check = model.check_credentials

    def throttled_check(username: str, password: str) -> bool:
        # Count failures per username, known or not; a locked name is not even checked.
        with write_session(engine) as session:
            remaining = users.lock_remaining(session, username=username)
            if remaining is not None:
                st.session_state[_LOCK_NOTE] = remaining
                return False
            ok = bool(library_check(username, password))
            if ok:
                users.clear_failures(session, username=username)
            else:
                locked = users.record_failure(
                    session,
                    username=username,
                    max_failures=settings.max_failed_logins,
                    lockout=dt.timedelta(minutes=settings.lockout_minutes),
                )
                if locked is not None:
                    st.session_state[_LOCK_NOTE] = locked
            return ok

    model.check_credentials = throttled_check
    return authenticator


def _signed_in_actor(engine: Engine, authenticator: stauth.Authenticate, pause: float) -> Actor | None:
    st.session_state.pop(_LOCK_NOTE, None)
    try:
        authenticator.login(
            location="main", key="dd_login", fields={"Form name": "Sign in to Dialog Desk", "Login": "Sign in"}
        )
    except Exception:  # the library raises on a malformed cookie or a removed user
        authenticator.logout(location="unrendered")
        st.session_state.pop(_AUTH_AT, None)
        st.warning("Please sign in again.")
        return None
    status = st.session_state.get("authentication_status")
    if status is False:
        lock = st.session_state.get(_LOCK_NOTE)
        if lock is not None:
            minutes = max(1, round(lock.total_seconds() / 60))
            st.error(f"Too many failed sign-ins for this username. Try again in {minutes} minute(s).")
        else:
            st.error(users.SIGN_IN_FAILED)
        return None
    if not status:
        return None

    username = st.session_state.get("username")
    actor = reads.read(users.actor_for, username=username)
    changed_at = reads.read(users.password_changed_at, username=username) if actor else None
    if _AUTH_AT not in st.session_state:
        token = authenticator.cookie_controller.get_cookie()
        if token:
            issued = token["exp_date"] - authenticator.cookie_controller.cookie_model.cookie_expiry_days * 86400
            st.session_state[_AUTH_AT] = dt.datetime.fromtimestamp(issued, dt.UTC)
        else:
            st.session_state[_AUTH_AT] = utcnow()
            if actor is not None and pause:
                # Give the cookie component a moment to store the cookie before the rerun.
                time.sleep(pause)
                st.rerun()
    if actor is None or (changed_at is not None and changed_at > st.session_state[_AUTH_AT]):
        authenticator.logout(location="unrendered")
        st.session_state.pop(_AUTH_AT, None)
        st.warning("Your account was changed or deactivated; you have been signed out.")
        return None
    return actor


def _sidebar(actor: Actor, authenticator: stauth.Authenticate, pause: float) -> None:
    with st.sidebar:
        st.markdown("### Dialog Desk")
        st.caption(f"Signed in as **{actor.label}** · {actor.role}")
        for page in PAGES.values():
            if allowed(actor, page.action):
                st.page_link(page.path, label=page.label, icon=page.icon)
        st.divider()
        authenticator.logout("Sign out", location="sidebar", key="dd_sign_out")
    if not st.session_state.get("authentication_status"):
        st.session_state.pop(_AUTH_AT, None)
        if pause:
            time.sleep(pause)
        st.rerun()


def _guided_start(engine: Engine, *, has_cookie_key: bool) -> None:
    st.title("Welcome to Dialog Desk")
    st.write(
        "This workspace is empty. Dialog Desk plans content that invites a dialog, keeps the "
        "community's questions within the SLA, tracks ideas until they ship and closes the loop "
        "with *You asked, we did*."
    )
    st.subheader("Start a real workspace")
    st.code("python -m core users add YOUR_NAME --role admin --name 'Your Name'", language="bash")
    st.caption("You are asked for the password; then reload this page and sign in.")
    if has_cookie_key:
        return
    st.subheader("Or look around first")
    st.write("Load the demo workspace: a made-up team with eight weeks of posts, ideas and conversations.")
    if st.button("Load the demo workspace", type="primary"):
        from core import demo  # imported here: only the guided start needs it

        with st.spinner("Loading the demo workspace…"):
            try:
                with write_session(engine) as session:
                    demo.load_demo(session)
            except DomainError as error:
                show_error(error)
                return
        reads.forget_everything()
        st.success("Demo loaded. Sign in with one of these:")
        st.table(
            {
                "username": [u for u, _, _ in demo.DEMO_SIGN_INS],
                "password": [p for _, p, _ in demo.DEMO_SIGN_INS],
                "role": [r for _, _, r in demo.DEMO_SIGN_INS],
            }
        )
        st.button("Continue to sign-in")
