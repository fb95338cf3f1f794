"""Admin: Users, channels and workspace rules."""

import streamlit as st

from ui.frame import page_frame

ctx = page_frame("admin")

st.title("Admin")
st.caption("Users, channels and workspace rules.")
