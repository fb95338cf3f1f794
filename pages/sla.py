"""SLA monitor: questions and complaints answered within business hours (paper §5, §8).

Queues (breached / at risk / on track) sorted by deadline with the conversation worked on below
them, escalations by RACI, KPIs for a period, the quick-answer library, escalation teams,
policies and the CSV import.
"""

import streamlit as st

from core.permissions import Action
from core.sla import policies
from ui import sla_admin_view, sla_conversation, sla_escalations, sla_import_view, sla_view
from ui.frame import page_frame
from ui.reads import read

ctx = page_frame("sla")
sla_conversation.follow_links()
sla_view.keep_tab_state()

st.title("SLA monitor")
st.caption("Every question and complaint gets a human answer within business hours; nothing waits unseen.")

if not read(policies.list_policies):
    st.warning(
        "No SLA policy yet: conversations get no deadline. "
        + ("Add one on the Policies tab." if ctx.can(Action.manage_sla_policies) else "Ask a lead or admin to add one.")
    )

filters = sla_view.filters(ctx)
names = [sla_escalations.QUEUE_TAB, "Escalations", "KPIs", "Quick answers", "Escalation teams", "Policies"]
if ctx.can(Action.import_conversations):
    names.append("Import")
tabs = dict(zip(names, st.tabs(names, key=sla_escalations.TAB_KEY, on_change="rerun"), strict=False))

# Only the open tab's content runs: each tab reads its own data when it is drawn.
draw = {
    sla_escalations.QUEUE_TAB: lambda: sla_view.render_queue(ctx, filters),
    "Escalations": lambda: sla_escalations.render_escalations(ctx),
    "KPIs": lambda: sla_view.render_kpis(ctx, filters),
    "Quick answers": lambda: sla_admin_view.render_library(ctx),
    "Escalation teams": lambda: sla_escalations.render_teams(ctx),
    "Policies": lambda: sla_admin_view.render_policies(ctx),
    "Import": lambda: sla_import_view.render_import(ctx),
}
for name, tab in tabs.items():
    with tab:
        if tab.open:
            draw[name]()
