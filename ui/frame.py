"""The frame of every page: page config, sign-in (through ``ui.auth``), role check, sidebar, demo
banner, flash messages.

Streamlit serves every file in ``pages/`` by URL on its own, so each page calls
``page_frame`` first; it stops the script before any data is read unless the visitor is signed
in and their role may open the page. On a rerun it runs two statements: the change counters and
the session check; everything else it shows comes from cached reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.engine import Engine

from core import workspace
from core.errors import DomainError
from core.live import notify
from core.permissions import Action, Actor, allowed
from core.settings import Settings, require_cookie_key
from core.text import escape_markdown
from db.engine import write_session
from ui import auth, reads, state
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
        Page("community", "pages/community.py", "Community", ":material/groups:", Action.view_community),
        Page("moderation", "pages/moderation.py", "Moderation", ":material/shield:", Action.view_moderation),
        Page("admin", "pages/admin.py", "Admin", ":material/settings:", Action.view_admin),
        # Every signed-in role has a profile (and reads the calendar, like home).
        Page("profile", "pages/profile.py", "Your profile", ":material/person:", Action.view_calendar),
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


def page_frame(page_key: str) -> PageContext:
    page = PAGES[page_key]
    st.set_page_config(page_title=f"{page.label} · Dialog Desk", page_icon="💬", layout="wide")
    try:
        settings = state.settings()
    except DomainError as error:
        show_error(error)  # our own configuration message
        st.stop()
    engine = state.engine()
    if not state.schema_is_current():
        st.error("The database is not at the newest schema. Run `make run`, or `python -m core migrate`, then reload.")
        st.stop()
    reads.refresh_versions()
    current = reads.read(workspace.state)
    if current == workspace.WorkspaceState.empty:
        _guided_start(engine, has_cookie_key=bool(settings.cookie_key))
        st.stop()
    is_demo = current == workspace.WorkspaceState.demo
    try:
        cookie_key = require_cookie_key(settings, is_demo=is_demo)
    except DomainError as error:
        show_error(error)  # our own configuration message
        st.stop()

    actor = auth.signed_in_actor(engine=engine, settings=settings, key=cookie_key, is_demo=is_demo)
    if actor is None:
        st.stop()
    _sidebar(actor, engine=engine, settings=settings)
    if is_demo:
        st.info("Demo workspace: the people, posts and conversations here are made up.", icon=":material/science:")
    if not allowed(actor, page.action):
        st.error(f"Your role ({actor.role}) cannot open {page.label}. Ask an admin if you need it.")
        st.stop()
    show_flashes()
    timezone = ZoneInfo(reads.read(workspace.info).timezone)
    return PageContext(engine=engine, actor=actor, timezone=timezone, is_demo=is_demo)


def _sidebar(actor: Actor, *, engine: Engine, settings: Settings) -> None:
    with st.sidebar:
        st.markdown("### Dialog Desk")
        for page in PAGES.values():
            if page.key != "profile" and allowed(actor, page.action):
                st.page_link(page.path, label=page.label, icon=page.icon)
        st.divider()
        st.caption(f"Signed in as **{escape_markdown(actor.label)}** · {actor.role}")
        profile = PAGES["profile"]
        st.page_link(profile.path, label=profile.label, icon=profile.icon)
        unread_count = reads.read(notify.unread_count, user_id=actor.id) if actor.id is not None else 0
        inbox_label = f"Inbox: {unread_count} unread" if unread_count else "Inbox"
        st.page_link(profile.path, label=inbox_label, icon=":material/notifications:")
        auth.sign_out_button(engine=engine, actor=actor)
        auth.sync_cookie(settings)


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
