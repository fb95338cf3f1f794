"""You asked, we did: Close the loop with the people who asked."""

import streamlit as st

from ui.frame import page_frame

ctx = page_frame("loop")

st.title("You asked, we did")
st.caption("Close the loop with the people who asked.")
