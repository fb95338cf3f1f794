"""Running one user action as one transaction, with errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.errors import DomainError
from db.engine import write_session
from ui import state
from ui.frame import PageContext, show_error

T = TypeVar("T")


def perform(ctx: PageContext, action: Callable[[Session], T], *, success: str | None = None) -> T | None:
    """Run ``action`` in one write transaction. On a domain error nothing is saved and the
    message is shown; on success read caches are cleared and ``success`` is toasted."""
    try:
        with write_session(ctx.engine) as session:
            result = action(session)
    except DomainError as error:
        show_error(error)
        return None
    except IntegrityError:
        # Two people saving the same unique thing at the same moment; the database refused one.
        st.error("Someone else saved the same change at the same moment, so yours was not saved. Reload and check.")
        return None
    state.clear_read_caches()
    if success:
        st.toast(success, icon="✅")
    return result
