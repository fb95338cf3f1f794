"""The admin's live-operations tabs: the delivery log of e-mail and chat alerts, and the ingest
API's tokens (created — the token is shown once — and revoked)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import formats, workspace
from core.i18n import _
from core.live import outbox, tokens
from core.live.tokens import NewToken
from core.text import escape_markdown, plain_block, plain_text
from db.models import ApiTokenCreate
from ui import reads
from ui.actions import perform
from ui.frame import PageContext

_NEW_TOKEN = "admin_new_api_token"


def render_deliveries(ctx: PageContext) -> None:
    st.caption(
        _(
            "E-mail and team-chat alerts, newest first. Queued ones wait for their time or for the server to come "
            "back; the worker (python -m core worker) sends them."
        )
    )
    rows = reads.read(outbox.delivery_log, limit=300)
    if not rows:
        st.info(_("No e-mail or chat alerts yet."))
        return

    def when(value):
        return formats.date_time(value.astimezone(ctx.timezone)) if value else ""

    st.dataframe(
        pd.DataFrame(
            [
                {
                    _("created"): when(r.created_at),
                    _("to"): r.person,
                    _("channel"): r.channel,
                    _("status"): r.status,
                    _("attempts"): r.attempts,
                    _("next try"): when(r.next_attempt_at) if r.status == "queued" else "",
                    _("delivered"): when(r.delivered_at),
                    _("what"): r.title,
                    _("last error"): r.last_error,
                }
                for r in rows
            ]
        ),
        hide_index=True,
        placeholder="—",
        width="stretch",
    )


def render_tokens(ctx: PageContext) -> None:
    new = st.session_state.pop(_NEW_TOKEN, None)
    if new is not None:
        st.success(_("Copy the token now: it is not shown again."))
        st.code(plain_block(new), language=None)
    rows = reads.read(tokens.list_tokens)
    for view in rows:
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            used = (
                _("last used {when}", when=formats.date_time(view.last_used_at.astimezone(ctx.timezone)))
                if view.last_used_at
                else _("never used")
            )
            state = _("active") if view.active else _("revoked")
            left.markdown(f"**{escape_markdown(view.name)}** · {escape_markdown(view.channel)} · {state} · {used}")
            if view.active and right.button(_("Revoke"), key=f"admin_token_revoke_{view.id}"):
                _revoke(ctx, view.id)
    channels = reads.read(workspace.list_channels)
    if not channels:
        st.info(_("Add a channel first: a token belongs to one channel."))
        return
    by_id = {c.id: c.name for c in channels}
    with st.form("admin_token_new", clear_on_submit=True):
        st.markdown(_("**New token**"))
        channel_id = st.selectbox(_("Channel"), list(by_id), format_func=lambda i: plain_text(by_id[i]))
        name = st.text_input(_("What uses it"), placeholder=_("n8n Instagram flow"))
        if st.form_submit_button(_("Create token"), type="primary"):
            token_in = ApiTokenCreate(channel_id=channel_id, name=name)
            perform(
                ctx,
                lambda s: tokens.create_token(session=s, actor=ctx.actor, token_in=token_in),
                success=_("Token created."),
                then=_remember,
            )


def _remember(new: NewToken) -> None:
    st.session_state[_NEW_TOKEN] = new.token


def _revoke(ctx: PageContext, token_id: int) -> None:
    perform(
        ctx, lambda s: tokens.revoke_token(session=s, actor=ctx.actor, token_id=token_id), success=_("Token revoked.")
    )
