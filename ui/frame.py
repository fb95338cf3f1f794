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
from core.i18n import N_, _
from core.live import notify
from core.permissions import Action, Actor, allowed, role_label
from core.settings import Settings, require_cookie_key
from core.text import escape_markdown
from db.engine import write_session
from ui import auth, language, reads, state
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
        Page("home", "app.py", N_("Home"), ":material/home:", Action.view_calendar),
        Page(
            "calendar", "pages/calendar.py", N_("Content calendar"), ":material/calendar_month:", Action.view_calendar
        ),
        Page("ideas", "pages/ideas.py", N_("Idea board"), ":material/lightbulb:", Action.view_ideas),
        Page("sla", "pages/sla.py", N_("SLA monitor"), ":material/timer:", Action.view_sla),
        Page("loop", "pages/loop.py", N_("You asked, we did"), ":material/campaign:", Action.view_loop),
        Page("kpis", "pages/kpis.py", N_("KPI overview"), ":material/monitoring:", Action.view_kpis),
        Page("community", "pages/community.py", N_("Community"), ":material/groups:", Action.view_community),
        Page("moderation", "pages/moderation.py", N_("Moderation"), ":material/shield:", Action.view_moderation),
        Page("admin", "pages/admin.py", N_("Admin"), ":material/settings:", Action.view_admin),
        # Every signed-in role has a profile (and reads the calendar, like home).
        Page("profile", "pages/profile.py", N_("Your profile"), ":material/person:", Action.view_calendar),
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
    language.install()
    try:
        settings = state.settings()
    except DomainError as error:
        show_error(error)  # our own configuration message
        st.stop()
    engine = state.engine()
    if not state.schema_is_current():
        st.error(
            _("The database is not at the newest schema. Run `make run`, or `python -m core migrate`, then reload.")
        )
        st.stop()
    reads.refresh_versions()
    workspace_info = reads.read(workspace.info)
    language.use(workspace_info.language)  # until someone signs in: the workspace's
    st.set_page_config(page_title=_("{page} · Dialog Desk", page=_(page.label)), page_icon="💬", layout="wide")
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
    language.use(actor.language or workspace_info.language)
    timezone = ZoneInfo(workspace_info.timezone)
    context = PageContext(engine=engine, actor=actor, timezone=timezone, is_demo=is_demo)
    _sidebar(context, settings=settings)
    if is_demo:
        st.info(_("Demo workspace: the people, posts and conversations here are made up."), icon=":material/science:")
    if not allowed(actor, page.action):
        st.error(
            _(
                "Your role ({role}) cannot open {page}. Ask an admin if you need it.",
                role=role_label(actor.role),
                page=_(page.label),
            )
        )
        st.stop()
    show_flashes()
    return context


def _sidebar(ctx: PageContext, *, settings: Settings) -> None:
    actor = ctx.actor
    with st.sidebar:
        st.markdown("### Dialog Desk")  # i18n: not text
        for page in PAGES.values():
            if page.key != "profile" and allowed(actor, page.action):
                st.page_link(page.path, label=_(page.label), icon=page.icon)
        st.divider()
        st.caption(
            _("Signed in as **{name}** · {role}", name=escape_markdown(actor.label), role=role_label(actor.role))
        )
        profile = PAGES["profile"]
        st.page_link(profile.path, label=_(profile.label), icon=profile.icon)
        unread_count = reads.read(notify.unread_count, user_id=actor.id) if actor.id is not None else 0
        inbox_label = _("Inbox: {count} unread", count=unread_count) if unread_count else _("Inbox")
        st.page_link(profile.path, label=inbox_label, icon=":material/notifications:")
        language.switcher(ctx)
        auth.sign_out_button(engine=ctx.engine, actor=actor)
        auth.sync_cookie(settings)


def _guided_start(engine: Engine, *, has_cookie_key: bool) -> None:
    st.title(_("Welcome to Dialog Desk"))
    st.write(
        _(
            "This workspace is empty. Dialog Desk plans content that invites a dialog, keeps the "
            "community's questions within the SLA, tracks ideas until they ship and closes the loop "
            "with *You asked, we did*."
        )
    )
    st.subheader(_("Start a real workspace"))
    st.code(
        _("python -m core users add YOUR_NAME --role admin --name 'Your Name'"),
        language="bash",
    )
    st.caption(_("You are asked for the password; then reload this page and sign in."))
    if has_cookie_key:
        return
    st.subheader(_("Or look around first"))
    st.write(_("Load the demo workspace: a made-up team with eight weeks of posts, ideas and conversations."))
    if st.button(_("Load the demo workspace"), type="primary"):
        from core import demo  # imported here: only the guided start needs it

        with st.spinner(_("Loading the demo workspace…")):
            try:
                with write_session(engine) as session:
                    demo.load_demo(session)
            except DomainError as error:
                show_error(error)
                return
        reads.forget_everything()
        st.success(_("Demo loaded. Sign in with one of these:"))
        st.table(
            {
                _("username"): [username for username, __, ___ in demo.DEMO_SIGN_INS],
                _("password"): [password for __, password, ___ in demo.DEMO_SIGN_INS],
                _("role"): [role_label(role) for __, ___, role in demo.DEMO_SIGN_INS],
            }
        )
        st.button(_("Continue to sign-in"))
