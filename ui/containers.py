"""Containers whose content runs only when it is shown.

Streamlit runs the content of every tab and expander on every run, shown or not. A screen that
reads data inside one pays for it on each run; these containers rerun when they are opened and
draw (and read) only then. ``st.session_state[key]`` holds whether it is open, so a test or a
link can open it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import TypeVar

import streamlit as st

T = TypeVar("T")


@contextlib.contextmanager
def lazy_expander(label: str, *, key: str, icon: str | None = None, expanded: bool = False) -> Iterator[bool]:
    """``with lazy_expander(label, key=…) as shown: if shown: …`` — an expander whose content is
    drawn only while it is open."""
    box = st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun")
    with box:
        yield bool(box.open)


def keep_widget_state(keys: Iterable[str]) -> None:
    """Streamlit forgets a widget's value when a run does not draw it (another tab is open);
    writing the value back before any widget exists keeps it."""
    for name in keys:
        if name in st.session_state:
            st.session_state[name] = st.session_state[name]


def unless_kept(key: str, default: T) -> T | None:
    """A widget's default, or none while ``keep_widget_state`` holds its value in the session:
    Streamlit takes the kept value either way, and warns when a widget has both."""
    return None if key in st.session_state else default
