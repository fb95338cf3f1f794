"""You asked, we did: close the loop from a shipped idea to the announcement, the thanked
givers, the monthly update and the measured impact."""

import streamlit as st

from core.local_time import local_today
from core.loop.impact import impact_not_measured
from core.loop.queries import open_loops, to_announce
from db.types import utcnow
from ui import loop_view as view
from ui.frame import page_frame
from ui.reads import read

ctx = page_frame("loop")
view.keep_tab_state()
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

# Only the open tab's content runs (each tab reads its own data when it is drawn).
names = ["Open loops", "Closed loops", "Monthly update", "Impact", "Public board"]
tabs = dict(zip(names, st.tabs(names, key=view.TAB_KEY, on_change="rerun"), strict=True))

with tabs["Open loops"]:
    if tabs["Open loops"].open:
        view.open_loops_tab(ctx, open_items, announce, today)

for name, draw in (
    ("Closed loops", view.closed_timeline),
    ("Monthly update", view.monthly_section),
    ("Impact", view.impact_section),
    ("Public board", view.public_board_section),
):
    with tabs[name]:
        if tabs[name].open:
            draw(ctx, today)
