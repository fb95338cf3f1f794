"""Your profile: who you are here, your own password, and the browsers you are signed in on."""

import streamlit as st

from core.text import escape_markdown
from core.users import accounts, queries, sessions
from core.users.rules import MIN_PASSWORD_LENGTH
from db.types import utcnow
from ui import auth, inbox_view, reads, state
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("profile")
assert ctx.actor.id is not None  # the frame lets only signed-in people through
st.title("Your profile")

me = reads.read(queries.profile, user_id=ctx.actor.id)
st.markdown(f"**{escape_markdown(me.name or me.username)}** · {me.role}")
st.caption(
    f"Username {escape_markdown(me.username)} · e-mail {escape_markdown(me.email) if me.email else '(none)'} · "
    f"password last changed {me.password_changed_at.astimezone(ctx.timezone):%Y-%m-%d %H:%M}"
)
# The language switch (a later issue) goes here.

inbox_view.show_inbox(ctx)
inbox_view.show_preferences(ctx)
inbox_view.show_digest_day(ctx)

st.subheader("Change your password")
with st.form("profile_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password")
    new = st.text_input("New password", type="password", help=f"At least {MIN_PASSWORD_LENGTH} characters.")
    again = st.text_input("New password again", type="password")
    if st.form_submit_button("Change password", type="primary"):
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
            success="Password changed. You stay signed in here; your other sessions were signed out.",
        )

st.subheader("Where you are signed in")


def end_session(session_id: int) -> None:
    perform(
        ctx,
        lambda s: sessions.end_session(session=s, actor=ctx.actor, session_id=session_id, now=utcnow()),
        success="Session ended: that browser is signed out at its next click.",
    )


this_session = auth.current_session_id()
open_sessions = sessions.still_open(
    reads.read(sessions.active_sessions, user_id=ctx.actor.id), now=utcnow(), limits=state.settings().sessions
)
for view in open_sessions:
    with st.container(border=True):
        left, right = st.columns([4, 1], vertical_alignment="center")
        where = escape_markdown(sessions.browser_label(view.user_agent))
        address = f" · from {escape_markdown(view.client_address)}" if view.client_address else ""
        left.markdown(f"**{where}**{' · this session' if view.id == this_session else ''}")
        left.caption(
            f"signed in {view.created_at.astimezone(ctx.timezone):%Y-%m-%d %H:%M} · "
            f"last seen {view.last_seen_at.astimezone(ctx.timezone):%Y-%m-%d %H:%M}{address}"
        )
        if view.id != this_session and right.button("End", key=f"profile_end_{view.id}"):
            end_session(view.id)
others = [v for v in open_sessions if v.id != this_session]
if this_session is not None and len(others) > 1 and st.button("End all other sessions"):
    keep: int = this_session
    perform(
        ctx,
        lambda s: sessions.end_other_sessions(session=s, actor=ctx.actor, keep_session_id=keep, now=utcnow()),
        success="Your other sessions were ended.",
    )
