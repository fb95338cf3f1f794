"""The one way screens write: one user action as one transaction, errors shown as messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.errors import DomainError
from core.i18n import _
from db.engine import write_session
from ui import reads
from ui.frame import PageContext
from ui.messages import flash, show_error

T = TypeVar("T")


def perform(
    ctx: PageContext,
    action: Callable[[Session], T],
    *,
    success: str | None = None,
    then: Callable[[T], None] | None = None,
    rerun: bool = True,
) -> T | None:
    """Run ``action`` in one write transaction.

    On a domain error nothing is saved, the message is shown and None returned. On success the
    changed domains' cached reads are dropped (for every app process), ``then(result)`` runs (to
    open what was created, say), ``success`` is shown on the next run, and the page reruns so every
    list on it shows the change. ``rerun=False`` is for callers that still draw (a progress bar,
    a report) or run inside a widget callback.
    """
    try:
        with write_session(ctx.engine) as session:
            result = action(session)
    except DomainError as error:
        show_error(error)
        return None
    except IntegrityError:
        # Two people saving the same unique thing at the same moment; the database refused one.
        st.error(_("Someone else saved the same change at the same moment, so yours was not saved. Reload and check."))
        return None
    reads.refresh_versions()
    if then is not None:
        then(result)
    if success:
        flash(success)
    if rerun:
        st.rerun()
    return result
