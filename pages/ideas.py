"""Idea board: Ideas from the community, prioritised."""

import streamlit as st

from ui.frame import page_frame

ctx = page_frame("ideas")

st.title("Idea board")
st.caption("Ideas from the community, prioritised.")
