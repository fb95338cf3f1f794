"""SLA monitor: Questions answered within business hours."""

import streamlit as st

from ui.frame import page_frame

ctx = page_frame("sla")

st.title("SLA monitor")
st.caption("Questions answered within business hours.")
