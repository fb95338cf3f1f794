"""You asked, we did: close the loop from a shipped idea to the announcement, the thanked
givers, the monthly update and the measured impact."""

import streamlit as st

from core.local_time import local_today
from core.loop.impact import impact_not_measured
from core.loop.queries import open_loops, to_announce
from core.permissions import Action
from core.text import plain_text
from db.types import utcnow
from ui import loop_view as view
from ui.frame import page_frame
from ui.reads import read

ctx = page_frame("loop")
today = local_today(utcnow(), ctx.timezone)

st.title("You asked, we did")
st.caption("Close the loop with the people who asked: announce what changed, thank them, show the effect.")

open_items = read(open_loops)
overdue = read(impact_not_measured, today=today)
announce = read(to_announce)
metrics = st.columns(4)
metrics[0].metric("Open loops", len(open_items))
metrics[1].metric(
    "To announce",
    announce.total,
    help=f"{announce.loop_items} loop item(s) not announced yet, {announce.ideas_without_loop} shipped idea(s) without a loop item",
)
metrics[2].metric("Givers to thank", sum(i.givers_count - i.thanked_count for i in open_items))
metrics[3].metric("Impact not measured", len(overdue))

tabs = st.tabs(["Open loops", "Closed loops", "Monthly update", "Impact", "Public board"])

with tabs[0]:
    if ctx.can(Action.manage_loop):
        with st.expander("New loop item from shipped ideas", expanded=not open_items):
            view.new_loop_item_form(ctx, today)
    view.shipped_without_loop(ctx)
    if not open_items and not announce.ideas_without_loop:
        st.info("No open loops: every shipped idea is announced and its givers are thanked.")
    elif not open_items:
        st.info("No loop is open yet: open one for the shipped ideas above.")
    else:
        st.dataframe(view.overview_rows(open_items), hide_index=True, placeholder="—", width="stretch")
        ids = [i.id for i in open_items]
        if st.session_state.get(view.PICK) not in ids:
            st.session_state[view.PICK] = ids[0]
        by_id = {i.id: i for i in open_items}
        works = ctx.can(Action.manage_loop) or ctx.can(Action.thank_givers)
        picked = st.selectbox(
            "Work on" if works else "Show",
            ids,
            format_func=lambda i: plain_text(f"{by_id[i].what_changed} ({by_id[i].status_label})"),
            key=view.PICK,
        )
        view.loop_item_panel(ctx, by_id[picked], today)

with tabs[1]:
    view.closed_timeline(ctx, today)

with tabs[2]:
    view.monthly_section(ctx, today)

with tabs[3]:
    view.impact_section(ctx, today)

with tabs[4]:
    view.public_board_section(ctx, today)
