"""The admin's Users tab: people, their roles and passwords, deactivation, sign-outs and locks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import formats
from core.i18n import N_, _
from core.permissions import ROLE_LABELS, Action, role_label
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
        st.info(_("Only admins manage users."))
        return
    people = reads.read(queries.list_users)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    _("username"): u.username,
                    _("name"): u.name,
                    _("role"): role_label(u.role),
                    _("active"): u.active,
                    _("e-mail"): u.email,
                }
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
        st.subheader(_("Add a user"))
        username = st.text_input(_("Username"), key=f"admin_new_username_{fresh}", max_chars=limit("username"))
        name = st.text_input(_("Full name"), key=f"admin_new_name_{fresh}", max_chars=limit("name"))
        email = st.text_input(_("E-mail"), key=f"admin_new_email_{fresh}", max_chars=limit("email"))
        role = st.selectbox(
            _("Role"),
            [r.value for r in Role],
            index=2,
            format_func=lambda role: plain_text(_role_option(role)),
            key=f"admin_new_role_{fresh}",
        )
        password = st.text_input(
            _("Initial password"),
            type="password",
            key=f"admin_new_password_{fresh}",
            help=_("At least {count} characters; they can change it on their profile page.", count=MIN_PASSWORD_LENGTH),
        )
        if st.form_submit_button(_("Add user"), type="primary"):
            user_in = UserCreate(username=username, name=name, email=email, role=role, password=password)
            perform(
                ctx,
                lambda s: accounts.create_user(session=s, actor=ctx.actor, user_in=user_in),
                success=_("Added {name}.", name=escape_markdown(username)),
                then=lambda __: start_afresh(_ADD_USER_FORM),
            )


def _role_option(role: str) -> str:
    """A role in the picker: its name in the reader's language (the code's value as stored)."""
    return role_label(role) if role in ROLE_LABELS else role


def start_afresh(counter: str) -> None:
    """After a save: the form behind ``counter`` is drawn with new, empty widgets on the next run."""
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def _change_user(ctx: PageContext, people: list[queries.UserView]) -> None:
    st.subheader(_("Change a user"))
    chosen = st.selectbox(_("User"), [u.username for u in people], key="admin_user_pick")
    current = next((u for u in people if u.username == chosen), None)
    if current is None or chosen is None:
        return
    # The fields belong to the picked user as saved: another user, or any save to this one (it
    # bumps the version), draws them afresh, so a role picked but not saved for one person never
    # shows up on another, and a password set is not left in the field.
    fields = f"{current.username}_{current.version}"
    roles = [r.value for r in Role]
    new_role = st.selectbox(
        _("Role"),
        roles,
        index=roles.index(current.role),
        format_func=lambda role: plain_text(_role_option(role)),
        key=f"admin_user_role_{fields}",
    )
    if st.button(_("Save role"), disabled=new_role == current.role):
        perform(
            ctx,
            lambda s: accounts.set_role(
                session=s, actor=ctx.actor, username=chosen, role=new_role, expected_version=current.version
            ),
            success=_("{name} is now {role}.", name=escape_markdown(chosen), role=role_label(new_role)),
        )
    new_password = st.text_input(_("New password"), type="password", key=f"admin_user_password_{fields}")
    if st.button(_("Set password"), disabled=not new_password):
        perform(
            ctx,
            lambda s: accounts.set_password(session=s, actor=ctx.actor, username=chosen, password=new_password),
            success=_("Password set; their sessions are signed out."),
        )
    label = _("Deactivate") if current.active else _("Activate again")
    done = (
        _("{name}: deactivated.", name=escape_markdown(chosen))
        if current.active
        else _("{name}: active again.", name=escape_markdown(chosen))
    )
    if st.button(label):
        perform(
            ctx,
            lambda s: accounts.set_active(session=s, actor=ctx.actor, username=chosen, active=not current.active),
            success=done,
        )
    if st.button(_("Sign out everywhere"), help=_("End every session of this user, in every browser.")):
        perform(
            ctx,
            lambda s: sessions.sign_out_everywhere(session=s, actor=ctx.actor, username=chosen, now=utcnow()),
            success=_("{name} is signed out everywhere.", name=escape_markdown(chosen)),
        )


def _locks(ctx: PageContext) -> None:
    st.subheader(_("Sign-in locks"))
    locked = throttle.in_force(reads.read(throttle.locks), now=utcnow())
    if not locked:
        st.caption(_("Nobody is locked out. Too many failed sign-ins lock a username or an address for a while."))
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    _("locked"): _scope_label(lock.scope),
                    _("name or address"): lock.key,
                    _("failed sign-ins"): lock.failures,
                    _("until"): formats.date_time(lock.locked_until.astimezone(ctx.timezone)),
                }
                for lock in locked
            ]
        ),
        hide_index=True,
        placeholder="—",
        width="stretch",
    )
    chosen = st.selectbox(
        _("Lock"), locked, format_func=lambda lock: plain_text(f"{_scope_label(lock.scope)} {lock.key}")
    )
    if chosen is not None and st.button(_("Lift lock")):
        perform(
            ctx,
            lambda s: throttle.lift(session=s, actor=ctx.actor, scope=chosen.scope, key=chosen.key),
            success=_("Lock lifted."),
        )


_SCOPE_LABELS = {
    throttle.Scope.username: N_("username"),
    throttle.Scope.address: N_("address"),
    throttle.Scope.everyone: N_("everyone"),
}


def _scope_label(scope: throttle.Scope) -> str:
    label = _SCOPE_LABELS.get(scope)
    return _(label) if label else scope.value
