"""Admin: users (and their sessions and sign-in locks), channels, workspace settings, the audit log,
the delivery log of alerts and the ingest API's tokens."""

import pandas as pd
import streamlit as st

from core import audit, formats, i18n, workspace
from core.i18n import N_, _
from core.permissions import Action
from core.text import escape_markdown, plain_text
from db.models import ChannelCreate, ChannelUpdate, WorkspaceUpdate
from ui import admin_live, admin_users, reads
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("admin")
st.title(_("Admin"))

# Only what the role can do: the users tab is an admin's, the audit log a reader's of it.
shown = [
    (code, label)
    for code, label, action in (
        ("users", _("Users"), Action.manage_users),
        ("channels", _("Channels"), Action.view_admin),
        ("workspace", _("Workspace"), Action.view_admin),
        ("audit", _("Audit log"), Action.view_audit_log),
        ("deliveries", _("Deliveries"), Action.view_admin),
        ("tokens", _("API tokens"), Action.manage_api_tokens),
    )
    if ctx.can(action)
]
tabs = dict(zip([code for code, _label in shown], st.tabs([label for _code, label in shown]), strict=True))

WATCH_LABEL = _("Watch window after publishing (hours)")
WATCH_HELP = _("Conversations on a post within this time go to the post's SLA owner.")
MAX_WATCH = workspace.MAX_WATCH_WINDOW_HOURS
# The audit log's records by kind (the code as stored → its name).
ENTITY_LABELS = {
    "post": N_("post"),
    "idea": N_("idea"),
    "conversation": N_("conversation"),
    "loop_item": N_("loop item"),
    "user": N_("user"),
    "sign_in": N_("sign-in"),
    "channel": N_("channel"),
    "sla_policy": N_("SLA policy"),
    "workspace": N_("workspace"),
}


def entity_label(code: str) -> str:
    return _(ENTITY_LABELS[code]) if code in ENTITY_LABELS else code


if "users" in tabs:
    with tabs["users"]:
        admin_users.render(ctx)

with tabs["channels"]:
    channels = reads.read(workspace.list_channels, include_inactive=True)
    if channels:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _("channel"): c.name,
                        _("platform"): c.platform,
                        _("daily post limit"): c.daily_post_limit,
                        _("watch window (h)"): c.watch_window_hours,
                        _("active"): c.active,
                        _("url"): c.url,
                    }
                    for c in channels
                ]
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    else:
        st.info(_("No channels yet: add the first one below."))
    if ctx.can(Action.manage_channels):
        # A refused channel keeps what was typed; a saved one starts a fresh form.
        fresh = st.session_state.get("admin_add_channel_form", 0)
        with st.form(f"admin_add_channel_{fresh}"):
            st.subheader(_("Add a channel"))
            name = st.text_input(
                _("Name"),
                placeholder="Instagram",  # i18n: not text
                key=f"admin_channel_name_{fresh}",
            )
            platform = st.text_input(_("Platform"), placeholder="instagram", key=f"admin_channel_platform_{fresh}")
            url = st.text_input(_("URL"), key=f"admin_channel_url_{fresh}")
            limit = st.number_input(
                _("Daily post limit"), min_value=1, max_value=50, value=3, key=f"admin_channel_limit_{fresh}"
            )
            watch = st.number_input(
                WATCH_LABEL,
                min_value=1,
                max_value=MAX_WATCH,
                value=48,
                help=WATCH_HELP,
                key=f"admin_channel_watch_{fresh}",
            )
            if st.form_submit_button(_("Add channel"), type="primary"):
                perform(
                    ctx,
                    lambda s: workspace.create_channel(
                        session=s,
                        actor=ctx.actor,
                        channel_in=ChannelCreate(
                            name=name,
                            platform=platform,
                            url=url,
                            daily_post_limit=int(limit),
                            watch_window_hours=int(watch),
                        ),
                    ),
                    success=_("Added {name}.", name=escape_markdown(name)),
                    then=lambda _: admin_users.start_afresh("admin_add_channel_form"),
                )
        if channels:
            st.subheader(_("Change a channel"))
            chosen = st.selectbox(
                _("Channel"), channels, format_func=lambda c: plain_text(c.name), key="admin_channel_pick"
            )
            with st.form("admin_edit_channel"):
                limit = st.number_input(_("Daily post limit"), min_value=1, max_value=50, value=chosen.daily_post_limit)
                watch = st.number_input(
                    WATCH_LABEL, min_value=1, max_value=MAX_WATCH, value=chosen.watch_window_hours, help=WATCH_HELP
                )
                active = st.checkbox(_("Active"), value=chosen.active)
                if st.form_submit_button(_("Save channel")):
                    perform(
                        ctx,
                        lambda s: workspace.update_channel(
                            session=s,
                            actor=ctx.actor,
                            channel_id=chosen.id,
                            expected_version=chosen.version,
                            channel_in=ChannelUpdate(
                                daily_post_limit=int(limit), watch_window_hours=int(watch), active=active
                            ),
                        ),
                        success=_("Channel saved."),
                    )

with tabs["workspace"]:
    info = reads.read(workspace.info)
    with st.form("admin_workspace"):
        name = st.text_input(_("Workspace name"), value=info.name)
        tz = st.text_input(
            _("Time zone (IANA name)"),
            value=info.timezone,
            help=_("Periods, calendars and daily limits use this zone."),
        )
        run_limit = st.number_input(
            _("Rhythm: most high-load posts in a row per channel"),
            min_value=1,
            max_value=10,
            value=info.high_load_run_limit,
        )
        languages = list(i18n.LANGUAGES)
        workspace_language = st.selectbox(
            _("Language"),
            languages,
            index=languages.index(info.language) if info.language in languages else 0,
            format_func=i18n.LANGUAGES.__getitem__,
            help=_("Generated texts are written in it, and everyone reads it who has not chosen their own."),
        )
        if st.form_submit_button(_("Save workspace"), disabled=not ctx.can(Action.manage_content_rules)):
            perform(
                ctx,
                lambda s: workspace.update_settings(
                    session=s,
                    actor=ctx.actor,
                    expected_version=info.version,
                    settings_in=WorkspaceUpdate(
                        name=name, timezone=tz, high_load_run_limit=int(run_limit), language=workspace_language
                    ),
                ),
                # Said in the language the page is drawn in next: the new one, unless the admin chose theirs.
                success=i18n.translated(N_("Workspace saved."), ctx.actor.language or workspace_language),
            )

with tabs["deliveries"]:
    admin_live.render_deliveries(ctx)

if "tokens" in tabs:
    with tabs["tokens"]:
        admin_live.render_tokens(ctx)

if "audit" in tabs:
    with tabs["audit"]:
        entity = st.selectbox(
            _("Entity"),
            [None, *ENTITY_LABELS],
            format_func=lambda code: plain_text(_(ENTITY_LABELS[code]) if code else _("(all)")),
        )
        rows = reads.read(audit.recent, limit=300, entity=entity)
        if not rows:
            st.info(_("Nothing recorded yet."))
        else:
            when, who, action, record, after = _("when"), _("who"), _("action"), _("record"), _("after")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            when: formats.date_time(r.at.astimezone(ctx.timezone)),
                            who: r.actor,
                            action: r.action,
                            record: f"{entity_label(r.entity)} #{r.entity_id}"
                            if r.entity_id
                            else entity_label(r.entity),
                            after: r.after,
                        }
                        for r in rows
                    ]
                ),
                hide_index=True,
                placeholder="—",
                width="stretch",
                column_config={
                    when: st.column_config.TextColumn(width=120),
                    who: st.column_config.TextColumn(width=110),
                    action: st.column_config.TextColumn(width=150),
                    record: st.column_config.TextColumn(width=130),
                    after: st.column_config.TextColumn(width=400),
                },
            )
