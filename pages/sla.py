"""SLA monitor: questions and complaints answered within business hours (paper §5, §8).

Queues (breached / at risk / on track) sorted by deadline with the conversation worked on below
them, escalations by RACI, KPIs for a period, the quick-answer library, escalation teams,
policies and the CSV import.
"""

import streamlit as st

from core.i18n import N_, _
from core.permissions import Action
from core.sla import policies
from ui import sla_admin_view, sla_conversation, sla_escalations, sla_import_view, sla_view
from ui.frame import page_frame
from ui.reads import read

ctx = page_frame("sla")
sla_conversation.follow_links()
sla_view.keep_tab_state()

st.title(_("SLA monitor"))
st.caption(_("Every question and complaint gets a human answer within business hours; nothing waits unseen."))

if not read(policies.list_policies):
    st.warning(
        _("No SLA policy yet: conversations get no deadline. Add one on the Policies tab.")
        if ctx.can(Action.manage_sla_policies)
        else _("No SLA policy yet: conversations get no deadline. Ask a lead or admin to add one.")
    )

filters = sla_view.filters(ctx)
names = [sla_escalations.QUEUE_TAB, N_("Escalations"), N_("KPIs"), N_("Quick answers"), N_("Escalation teams")]
names.append(N_("Policies"))
if ctx.can(Action.import_conversations):
    names.append(N_("Import"))
# The tabs are labelled in the reader's language (the tab kept in the session is its label).
labels = [_(name) for name in names]
tabs = dict(zip(names, st.tabs(labels, key=sla_escalations.TAB_KEY, on_change="rerun"), strict=False))

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
