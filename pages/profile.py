"""Your profile: who you are here, your language, your own password, and the browsers you are
signed in on."""

import streamlit as st

from core import formats, i18n, workspace
from core.i18n import _
from core.permissions import role_label
from core.text import escape_markdown, plain_text
from core.users import accounts, queries, sessions
from core.users.rules import MIN_PASSWORD_LENGTH
from db.types import utcnow
from ui import auth, inbox_view, language, reads, state
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("profile")
assert ctx.actor.id is not None  # the frame lets only signed-in people through
st.title(_("Your profile"))

me = reads.read(queries.profile, user_id=ctx.actor.id)
st.markdown(f"**{escape_markdown(me.name or me.username)}** · {role_label(me.role)}")
st.caption(
    _(
        "Username {username} · e-mail {email} · password last changed {changed}",
        username=escape_markdown(me.username),
        email=escape_markdown(me.email) if me.email else _("(none)"),
        changed=formats.date_time(me.password_changed_at.astimezone(ctx.timezone)),
    )
)


def language_choice() -> None:
    """The language to read Dialog Desk in: one's own, or (None) the workspace's."""
    workspace_language = reads.read(workspace.info).language
    workspaces = ""  # the option "the workspace's": no choice of one's own (stored as None)
    choices = [workspaces, *i18n.LANGUAGES]

    def label(code: str) -> str:
        if code == workspaces:
            return _(
                "the workspace's ({language})", language=i18n.LANGUAGES.get(workspace_language, workspace_language)
            )
        return i18n.LANGUAGES[code]

    own = ctx.actor.language if ctx.actor.language in i18n.LANGUAGES else workspaces
    # Keyed by the saved choice: a change in the sidebar draws this box afresh with it.
    chosen = st.selectbox(
        _("Language"),
        choices,
        index=choices.index(own),
        format_func=lambda code: plain_text(label(code)),
        key=f"profile_language_{own or 'workspace'}",
    )
    if chosen is not None and chosen != own:
        language.use(chosen or workspace_language)
        perform(
            ctx,
            lambda s: accounts.set_own_language(session=s, actor=ctx.actor, language=chosen or None),
            success=_("Language saved."),
        )


language_choice()

inbox_view.show_inbox(ctx)
inbox_view.show_preferences(ctx)
inbox_view.show_digest_day(ctx)

st.subheader(_("Change your password"))
with st.form("profile_password", clear_on_submit=True):
    current = st.text_input(_("Current password"), type="password")
    new = st.text_input(
        _("New password"), type="password", help=_("At least {count} characters.", count=MIN_PASSWORD_LENGTH)
    )
    again = st.text_input(_("New password again"), type="password")
    if st.form_submit_button(_("Change password"), type="primary"):
        perform(
            ctx,
            lambda s: accounts.change_own_password(
                session=s,
                actor=ctx.actor,
                current_password=current,
                new_password=new,
                new_password_again=again,
                keep_session_id=auth.current_session_id(),
            ),
            success=_("Password changed. You stay signed in here; your other sessions were signed out."),
        )

st.subheader(_("Where you are signed in"))


def end_session(session_id: int) -> None:
    perform(
        ctx,
        lambda s: sessions.end_session(session=s, actor=ctx.actor, session_id=session_id, now=utcnow()),
        success=_("Session ended: that browser is signed out at its next click."),
    )


this_session = auth.current_session_id()
open_sessions = sessions.still_open(
    reads.read(sessions.active_sessions, user_id=ctx.actor.id), now=utcnow(), limits=state.settings().sessions
)
for view in open_sessions:
    with st.container(border=True):
        left, right = st.columns([4, 1], vertical_alignment="center")
        where = escape_markdown(sessions.browser_label(view.user_agent))
        left.markdown(_("**{browser}** · this session", browser=where) if view.id == this_session else f"**{where}**")
        signed_in = formats.date_time(view.created_at.astimezone(ctx.timezone))
        last_seen = formats.date_time(view.last_seen_at.astimezone(ctx.timezone))
        left.caption(
            _(
                "signed in {signed_in} · last seen {last_seen} · from {address}",
                signed_in=signed_in,
                last_seen=last_seen,
                address=escape_markdown(view.client_address),
            )
            if view.client_address
            else _("signed in {signed_in} · last seen {last_seen}", signed_in=signed_in, last_seen=last_seen)
        )
        if view.id != this_session and right.button(_("End"), key=f"profile_end_{view.id}"):
            end_session(view.id)
others = [v for v in open_sessions if v.id != this_session]
if this_session is not None and len(others) > 1 and st.button(_("End all other sessions")):
    keep: int = this_session
    perform(
        ctx,
        lambda s: sessions.end_other_sessions(session=s, actor=ctx.actor, keep_session_id=keep, now=utcnow()),
        success=_("Your other sessions were ended."),
    )
