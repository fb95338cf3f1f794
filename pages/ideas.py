"""Idea board: feedback from comments, forms and surveys becomes a prioritised backlog."""

import streamlit as st

from core.i18n import _
from core.permissions import Action
from ui import ideas_detail, ideas_import, ideas_view
from ui.frame import page_frame

ctx = page_frame("ideas")

st.title(_("Idea board"))
st.caption(
    _(
        "Ideas from comments, DMs, threads, forms and the monthly survey. Demand = distinct people who gave an idea; "
        "votes = the team's (one each). Quick wins go into the hot plan."
    )
)

if ctx.can(Action.log_idea):
    ideas_view.capture_form(ctx)
else:
    st.caption(_("You can read the whole board; logging, voting and triage are for the team."))

filters, sort = ideas_view.filter_bar(ctx)
ideas_view.merged_matches(filters)

selected = ideas_detail.selected_idea_id()
if selected:
    ideas_detail.detail_panel(ctx, selected)

mode = st.radio(
    _("View"),
    ideas_view.modes(ctx),
    format_func=lambda mode: _(ideas_view.MODES[mode]),
    horizontal=True,
    key="ideas_mode",
    label_visibility="collapsed",
)
if mode == ideas_view.BOARD:
    ideas_view.board(ctx, filters, sort)
elif mode == ideas_view.TABLE:
    ideas_view.table(ctx, filters, sort)
elif mode == ideas_view.MATRIX:
    ideas_view.matrix(ctx, filters)
elif mode == ideas_view.HOT_PLAN:
    ideas_view.hot_plan(ctx)
else:
    ideas_import.import_export(ctx, filters, sort)
