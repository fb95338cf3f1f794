"""The admin's Users tab: people, their roles and passwords, deactivation, sign-outs and locks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.permissions import Action
from core.text import escape_markdown, plain_text
from core.users import accounts, queries, sessions, throttle
from core.users.rules import MIN_PASSWORD_LENGTH, limit
from db.models import Role, UserCreate
from db.types import utcnow
from ui import reads
from ui.actions import perform
from ui.frame import PageContext

_ADD_USER_FORM = "admin_add_user_form"


def render(ctx: PageContext) -> None:
    if not ctx.can(Action.manage_users):
        st.info("Only admins manage users.")
        return
    people = reads.read(queries.list_users)
    st.dataframe(
        pd.DataFrame(
            [
                {"username": u.username, "name": u.name, "role": u.role, "active": u.active, "e-mail": u.email}
                for u in people
            ]
        ),
        hide_index=True,
        placeholder="—",
        width="stretch",
    )
    left, right = st.columns(2)
    with left:
        _add_user(ctx)
    with right:
        _change_user(ctx, people)
    _locks(ctx)


def _add_user(ctx: PageContext) -> None:
    # Not ``clear_on_submit``: a refused user (a too-short password, a taken name) keeps what was
    # typed. A saved one starts a fresh form: the next run draws new widgets.
    fresh = st.session_state.get(_ADD_USER_FORM, 0)
    with st.form(f"admin_add_user_{fresh}"):
        st.subheader("Add a user")
        username = st.text_input("Username", key=f"admin_new_username_{fresh}", max_chars=limit("username"))
        name = st.text_input("Full name", key=f"admin_new_name_{fresh}", max_chars=limit("name"))
        email = st.text_input("E-mail", key=f"admin_new_email_{fresh}", max_chars=limit("email"))
        role = st.selectbox("Role", [r.value for r in Role], index=2, key=f"admin_new_role_{fresh}")
        password = st.text_input(
            "Initial password",
            type="password",
            key=f"admin_new_password_{fresh}",
            help=f"At least {MIN_PASSWORD_LENGTH} characters; they can change it on their profile page.",
        )
        if st.form_submit_button("Add user", type="primary"):
            user_in = UserCreate(username=username, name=name, email=email, role=role, password=password)
            perform(
                ctx,
                lambda s: accounts.create_user(session=s, actor=ctx.actor, user_in=user_in),
                success=f"Added {escape_markdown(username)}.",
                then=lambda _: start_afresh(_ADD_USER_FORM),
            )


def start_afresh(counter: str) -> None:
    """After a save: the form behind ``counter`` is drawn with new, empty widgets on the next run."""
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def _change_user(ctx: PageContext, people: list[queries.UserView]) -> None:
    st.subheader("Change a user")
    chosen = st.selectbox("User", [u.username for u in people], key="admin_user_pick")
    current = next((u for u in people if u.username == chosen), None)
    if current is None or chosen is None:
        return
    # The fields belong to the picked user as saved: another user, or any save to this one (it
    # bumps the version), draws them afresh, so a role picked but not saved for one person never
    # shows up on another, and a password set is not left in the field.
    fields = f"{current.username}_{current.version}"
    roles = [r.value for r in Role]
    new_role = st.selectbox("Role", roles, index=roles.index(current.role), key=f"admin_user_role_{fields}")
    if st.button("Save role", disabled=new_role == current.role):
        perform(
            ctx,
            lambda s: accounts.set_role(
                session=s, actor=ctx.actor, username=chosen, role=new_role, expected_version=current.version
            ),
            success=f"{escape_markdown(chosen)} is now {new_role}.",
        )
    new_password = st.text_input("New password", type="password", key=f"admin_user_password_{fields}")
    if st.button("Set password", disabled=not new_password):
        perform(
            ctx,
            lambda s: accounts.set_password(session=s, actor=ctx.actor, username=chosen, password=new_password),
            success="Password set; their sessions are signed out.",
        )
    label = "Deactivate" if current.active else "Activate again"
    if st.button(label):
        perform(
            ctx,
            lambda s: accounts.set_active(session=s, actor=ctx.actor, username=chosen, active=not current.active),
            success=f"{escape_markdown(chosen)}: {label.lower()} done.",
        )
    if st.button("Sign out everywhere", help="End every session of this user, in every browser."):
        perform(
            ctx,
            lambda s: sessions.sign_out_everywhere(session=s, actor=ctx.actor, username=chosen, now=utcnow()),
            success=f"{escape_markdown(chosen)} is signed out everywhere.",
        )


def _locks(ctx: PageContext) -> None:
    st.subheader("Sign-in locks")
    locked = throttle.in_force(reads.read(throttle.locks), now=utcnow())
    if not locked:
        st.caption("Nobody is locked out. Too many failed sign-ins lock a username or an address for a while.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "locked": lock.scope.value,
                    "name or address": lock.key,
                    "failed sign-ins": lock.failures,
                    "until": lock.locked_until.astimezone(ctx.timezone).strftime("%Y-%m-%d %H:%M"),
                }
                for lock in locked
            ]
        ),
        hide_index=True,
        placeholder="—",
        width="stretch",
    )
    chosen = st.selectbox("Lock", locked, format_func=lambda lock: plain_text(f"{lock.scope.value} {lock.key}"))
    if chosen is not None and st.button("Lift lock"):
        perform(
            ctx,
            lambda s: throttle.lift(session=s, actor=ctx.actor, scope=chosen.scope, key=chosen.key),
            success="Lock lifted.",
        )
