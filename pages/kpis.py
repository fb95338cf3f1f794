"""KPI overview: Dialog KPIs, period against period."""

import streamlit as st

from ui.frame import page_frame

ctx = page_frame("kpis")

st.title("KPI overview")
st.caption("Dialog KPIs, period against period.")
