"""Admin: users (and their sessions and sign-in locks), channels, workspace settings, the audit log."""

import pandas as pd
import streamlit as st

from core import audit, workspace
from core.permissions import Action
from db.models import ChannelCreate, ChannelUpdate, WorkspaceUpdate
from ui import admin_users, reads
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("admin")
st.title("Admin")

tabs = st.tabs(["Users", "Channels", "Workspace", "Audit log"])

WATCH_LABEL = "Watch window after publishing (hours)"
WATCH_HELP = "Conversations on a post within this time go to the post's SLA owner."
MAX_WATCH = workspace.MAX_WATCH_WINDOW_HOURS

with tabs[0]:
    admin_users.render(ctx)

with tabs[1]:
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
            width="stretch",
        )
    else:
        st.info("No channels yet: add the first one below.")
    if ctx.can(Action.manage_channels):
        with st.form("admin_add_channel", clear_on_submit=True):
            st.subheader("Add a channel")
            name = st.text_input("Name", placeholder="Instagram")
            platform = st.text_input("Platform", placeholder="instagram")
            url = st.text_input("URL")
            limit = st.number_input("Daily post limit", min_value=1, max_value=50, value=3)
            watch = st.number_input(WATCH_LABEL, min_value=1, max_value=MAX_WATCH, value=48, help=WATCH_HELP)
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
                    success=f"Added {name}.",
                )
        if channels:
            st.subheader("Change a channel")
            chosen = st.selectbox("Channel", channels, format_func=lambda c: c.name, key="admin_channel_pick")
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

with tabs[2]:
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

with tabs[3]:
    if not ctx.can(Action.view_audit_log):
        st.info("Your role does not read the audit log.")
    else:
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
                width="stretch",
            )
