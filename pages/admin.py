"""Admin: users (and their sessions and sign-in locks), channels, workspace settings, the audit log,
the delivery log of alerts and the ingest API's tokens."""

import pandas as pd
import streamlit as st

from core import audit, workspace
from core.permissions import Action
from core.text import escape_markdown, plain_text
from db.models import ChannelCreate, ChannelUpdate, WorkspaceUpdate
from ui import admin_live, admin_users, reads
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("admin")
st.title("Admin")

# Only what the role can do: the users tab is an admin's, the audit log a reader's of it.
names = [
    name
    for name, action in (
        ("Users", Action.manage_users),
        ("Channels", Action.view_admin),
        ("Workspace", Action.view_admin),
        ("Audit log", Action.view_audit_log),
        ("Deliveries", Action.view_admin),
        ("API tokens", Action.manage_api_tokens),
    )
    if ctx.can(action)
]
tabs = dict(zip(names, st.tabs(names), strict=True))

WATCH_LABEL = "Watch window after publishing (hours)"
WATCH_HELP = "Conversations on a post within this time go to the post's SLA owner."
MAX_WATCH = workspace.MAX_WATCH_WINDOW_HOURS

if "Users" in tabs:
    with tabs["Users"]:
        admin_users.render(ctx)

with tabs["Channels"]:
    channels = reads.read(workspace.list_channels, include_inactive=True)
    if channels:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "channel": c.name,
                        "platform": c.platform,
                        "daily post limit": c.daily_post_limit,
                        "watch window (h)": c.watch_window_hours,
                        "active": c.active,
                        "url": c.url,
                    }
                    for c in channels
                ]
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    else:
        st.info("No channels yet: add the first one below.")
    if ctx.can(Action.manage_channels):
        # A refused channel keeps what was typed; a saved one starts a fresh form.
        fresh = st.session_state.get("admin_add_channel_form", 0)
        with st.form(f"admin_add_channel_{fresh}"):
            st.subheader("Add a channel")
            name = st.text_input("Name", placeholder="Instagram", key=f"admin_channel_name_{fresh}")
            platform = st.text_input("Platform", placeholder="instagram", key=f"admin_channel_platform_{fresh}")
            url = st.text_input("URL", key=f"admin_channel_url_{fresh}")
            limit = st.number_input(
                "Daily post limit", min_value=1, max_value=50, value=3, key=f"admin_channel_limit_{fresh}"
            )
            watch = st.number_input(
                WATCH_LABEL,
                min_value=1,
                max_value=MAX_WATCH,
                value=48,
                help=WATCH_HELP,
                key=f"admin_channel_watch_{fresh}",
            )
            if st.form_submit_button("Add channel", type="primary"):
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
                    success=f"Added {escape_markdown(name)}.",
                    then=lambda _: admin_users.start_afresh("admin_add_channel_form"),
                )
        if channels:
            st.subheader("Change a channel")
            chosen = st.selectbox(
                "Channel", channels, format_func=lambda c: plain_text(c.name), key="admin_channel_pick"
            )
            with st.form("admin_edit_channel"):
                limit = st.number_input("Daily post limit", min_value=1, max_value=50, value=chosen.daily_post_limit)
                watch = st.number_input(
                    WATCH_LABEL, min_value=1, max_value=MAX_WATCH, value=chosen.watch_window_hours, help=WATCH_HELP
                )
                active = st.checkbox("Active", value=chosen.active)
                if st.form_submit_button("Save channel"):
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
                        success="Channel saved.",
                    )

with tabs["Workspace"]:
    info = reads.read(workspace.info)
    with st.form("admin_workspace"):
        name = st.text_input("Workspace name", value=info.name)
        tz = st.text_input(
            "Time zone (IANA name)", value=info.timezone, help="Periods, calendars and daily limits use this zone."
        )
        run_limit = st.number_input(
            "Rhythm: most high-load posts in a row per channel",
            min_value=1,
            max_value=10,
            value=info.high_load_run_limit,
        )
        if st.form_submit_button("Save workspace", disabled=not ctx.can(Action.manage_content_rules)):
            perform(
                ctx,
                lambda s: workspace.update_settings(
                    session=s,
                    actor=ctx.actor,
                    expected_version=info.version,
                    settings_in=WorkspaceUpdate(name=name, timezone=tz, high_load_run_limit=int(run_limit)),
                ),
                success="Workspace saved.",
            )

with tabs["Deliveries"]:
    admin_live.render_deliveries(ctx)

if "API tokens" in tabs:
    with tabs["API tokens"]:
        admin_live.render_tokens(ctx)

if "Audit log" in tabs:
    with tabs["Audit log"]:
        entity = st.selectbox(
            "Entity",
            [
                "(all)",
                "post",
                "idea",
                "conversation",
                "loop_item",
                "user",
                "sign_in",
                "channel",
                "sla_policy",
                "workspace",
            ],
        )
        rows = reads.read(audit.recent, limit=300, entity=None if entity == "(all)" else entity)
        if not rows:
            st.info("Nothing recorded yet.")
        else:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "when": r.at.astimezone(ctx.timezone).strftime("%Y-%m-%d %H:%M"),
                            "who": r.actor,
                            "action": r.action,
                            "record": f"{r.entity} #{r.entity_id}" if r.entity_id else r.entity,
                            "after": r.after,
                        }
                        for r in rows
                    ]
                ),
                hide_index=True,
                placeholder="—",
                width="stretch",
                column_config={
                    "when": st.column_config.TextColumn(width=120),
                    "who": st.column_config.TextColumn(width=110),
                    "action": st.column_config.TextColumn(width=150),
                    "record": st.column_config.TextColumn(width=130),
                    "after": st.column_config.TextColumn(width=400),
                },
            )
