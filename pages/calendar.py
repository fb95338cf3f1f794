"""Content calendar: Plan posts that invite a dialog."""

import streamlit as st

from ui.frame import page_frame

ctx = page_frame("calendar")

st.title("Content calendar")
st.caption("Plan posts that invite a dialog.")
