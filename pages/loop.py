"""You asked, we did: close the loop from a shipped idea to the announcement, the thanked
givers, the monthly update and the measured impact."""

import streamlit as st

from core import formats
from core.i18n import N_, _
from core.local_time import local_today
from core.loop.impact import impact_not_measured_count
from core.loop.queries import open_loops, to_announce
from core.permissions import Action
from db.types import utcnow
from ui import loop_view as view
from ui import loop_wording
from ui.frame import page_frame
from ui.reads import read

ctx = page_frame("loop")
view.keep_tab_state()
today = local_today(utcnow(), ctx.timezone)

st.title(_("You asked, we did"))
st.caption(_("Close the loop with the people who asked: announce what changed, thank them, show the effect."))

open_items = read(open_loops)
overdue = read(impact_not_measured_count, today=today)
announce = read(to_announce)
metrics = st.columns(4)
metrics[0].metric(_("Open loops"), formats.number(len(open_items)))
metrics[1].metric(
    _("To announce"),
    formats.number(announce.total),
    help=_(
        "Loop items not announced yet: {items}. Shipped ideas without a loop item: {ideas}.",
        items=announce.loop_items,
        ideas=announce.ideas_without_loop,
    ),
)
metrics[2].metric(_("Givers to thank"), formats.number(sum(i.givers_count - i.thanked_count for i in open_items)))
metrics[3].metric(_("Impact not measured"), formats.number(overdue))

# Only the open tab's content runs (each tab reads its own data when it is drawn).
SECTIONS = {
    "open": N_("Open loops"),
    "closed": N_("Closed loops"),
    "monthly": N_("Monthly update"),
    "impact": N_("Impact"),
    "board": N_("Public board"),
}
if ctx.can(Action.manage_content_rules):  # the lead's wording of the generated texts
    SECTIONS["wording"] = N_("Wording")
labels = {code: _(label) for code, label in SECTIONS.items()}
tabs = dict(zip(labels, st.tabs(list(labels.values()), key=view.TAB_KEY, on_change="rerun"), strict=True))

with tabs["open"]:
    if tabs["open"].open:
        view.open_loops_tab(ctx, open_items, announce, today)

for code, draw in (
    ("closed", view.closed_timeline),
    ("monthly", view.monthly_section),
    ("impact", view.impact_section),
    ("board", view.public_board_section),
    ("wording", loop_wording.wording_section),
):
    if code in tabs:
        with tabs[code]:
            if tabs[code].open:
                draw(ctx, today)
