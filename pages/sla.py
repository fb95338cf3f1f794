"""SLA monitor: questions and complaints answered within business hours (paper §5, §8).

Queues (breached / at risk / on track) sorted by deadline, the actions on a conversation, KPIs
for a period, the quick-answer library, escalation teams, policies and the CSV import.
"""

import streamlit as st

from core.permissions import Action
from core.sla import policies
from ui import sla_admin_view, sla_import_view, sla_view
from ui.frame import page_frame
from ui.reads import read

ctx = page_frame("sla")

st.title("SLA monitor")
st.caption("Every question and complaint gets a human answer within business hours; nothing waits unseen.")

if not read(policies.list_policies):
    st.warning(
        "No SLA policy yet: conversations get no deadline. "
        + ("Add one on the Policies tab." if ctx.can(Action.manage_sla_policies) else "Ask a lead or admin to add one.")
    )

filters = sla_view.filters(ctx)
names = ["Queue", "KPIs", "Quick answers", "Escalation teams", "Policies"]
if ctx.can(Action.import_conversations):
    names.append("Import")
tabs = dict(zip(names, st.tabs(names), strict=False))

with tabs["Queue"]:
    sla_view.render_queue(ctx, filters)
with tabs["KPIs"]:
    sla_view.render_kpis(ctx, filters)
with tabs["Quick answers"]:
    sla_admin_view.render_library(ctx)
with tabs["Escalation teams"]:
    sla_admin_view.render_teams(ctx)
with tabs["Policies"]:
    sla_admin_view.render_policies(ctx)
if "Import" in tabs:
    with tabs["Import"]:
        sla_import_view.render_import(ctx)
