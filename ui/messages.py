"""How screens tell people things: domain errors as messages, and messages left for the next run."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from core.text import escape_markdown

FlashKind = Literal["success", "info", "warning"]
_FLASH_KEY = "dd_flash"


def show_error(error: Exception | str) -> None:
    """How every page shows a domain error: a message, never a traceback, and any user text
    quoted in it shown as typed (not as Markdown)."""
    lines = [escape_markdown(line) for line in str(error).splitlines() if line.strip()]
    st.error("  \\n".join(lines))


def flash(text: str, kind: FlashKind = "success") -> None:
    """Show ``text`` (Markdown: escape user text in it) at the top of the page's next run."""
    st.session_state.setdefault(_FLASH_KEY, []).append((kind, text))


def show_flashes() -> None:
    """Called by the page frame: the messages the previous run left."""
    for kind, text in st.session_state.pop(_FLASH_KEY, []):
        getattr(st, kind)(text)
