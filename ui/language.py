"""The language a visitor reads: the workspace's until they sign in, then their own choice.

``core.i18n`` asks the resolver installed here on every message it translates, so a fragment that
reruns alone still speaks the language the page was drawn in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import i18n
from core.i18n import _
from core.users import accounts

if TYPE_CHECKING:
    from ui.frame import PageContext

_KEY = "language"


def _from_session() -> str | None:
    if get_script_run_ctx(suppress_warning=True) is None:  # not a screen's thread (the worker, a test)
        return None
    value = st.session_state.get(_KEY)
    return value if isinstance(value, str) else None


def install() -> None:
    """Let ``core.i18n`` ask the screen which language it runs in (idempotent)."""
    i18n.set_resolver(_from_session)


def use(language: str | None) -> None:
    """From now on (this run and the following ones) messages are in ``language``."""
    st.session_state[_KEY] = language if language in i18n.LANGUAGES else i18n.SOURCE_LANGUAGE


def switcher(ctx: PageContext, *, key: str = "language_switch") -> None:
    """A select box of the languages, each in its own name; a change is saved for the user."""
    from ui.actions import perform  # ui.actions imports the frame, which draws this switcher

    codes = list(i18n.LANGUAGES)
    current = i18n.current()
    # Keyed by the language in force: a keyed select box keeps its last value whatever ``index``
    # says, so a choice made elsewhere (the profile page) would otherwise be switched back here.
    chosen = st.selectbox(
        _("Language"),
        codes,
        index=codes.index(current),
        format_func=i18n.LANGUAGES.__getitem__,
        key=f"{key}_{current}",
    )
    if chosen == current:
        return
    use(chosen)
    perform(ctx, lambda s: accounts.set_own_language(session=s, actor=ctx.actor, language=chosen))
