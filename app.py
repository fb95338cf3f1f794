"""Dialog Desk home: sign-in, then where the team's attention is needed today."""

import streamlit as st

from ui.frame import PAGES, page_frame

ctx = page_frame("home")

st.title("Dialog Desk")
st.write(
    f"Welcome, {ctx.actor.label}. Every post invites a dialog, every question gets an answer "
    "within the SLA, every idea is tracked until it ships — and we tell the people who asked."
)
columns = st.columns(3)
for index, key in enumerate(("calendar", "ideas", "sla", "loop", "kpis")):
    page = PAGES[key]
    if ctx.can(page.action):
        with columns[index % 3]:
            st.page_link(page.path, label=page.label, icon=page.icon)
