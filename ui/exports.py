"""The one way screens hand out files. An export is an action, never a cached read: a click runs
the core's export service in one transaction (it checks the role, neutralises the cells and writes
the audit row: who, what, how many rows), then the file is offered for saving.

Streamlit's own "Download as CSV" of data tables is switched off for everyone
(``client.disableDataExport`` in ``.streamlit/config.toml``), so this is the only way out.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlmodel import Session

from core import i18n
from core.exports import DIALECT_LABELS, Dialect
from core.i18n import _
from ui.actions import perform
from ui.frame import PageContext


def default_dialect() -> Dialect:
    """The spreadsheet format a reader most likely opens: German Excel for a German reader."""
    return Dialect.excel_de if i18n.current() == "de" else Dialect.plain


def dialect_picker(*, key: str) -> Dialect:
    """The spreadsheet format of the CSV files below it: "Excel (Germany)" (semicolon, decimal
    comma, UTF-8 with BOM) or the plain one; the reader's language chooses the default."""
    options = list(Dialect)
    chosen = st.radio(
        _("CSV for"),
        options,
        index=options.index(default_dialect()),
        format_func=lambda dialect: _(DIALECT_LABELS[dialect]),
        horizontal=True,
        key=key,
        help=_(
            "Excel (Germany): semicolons between cells and a decimal comma, so German Excel and "
            "LibreOffice open the file in columns with numbers as numbers. Plain: commas and a decimal point."
        ),
    )
    return Dialect(chosen)


def export_button(
    ctx: PageContext,
    *,
    key: str,
    label: str,
    export: Callable[[Session], str | bytes],
    file_name: str,
    mime: str,
    scope: object = None,
    help: str | None = None,
    icon: str | None = None,
) -> None:
    """A button that runs ``export`` (a core export service) through ``ui.actions.perform``, and,
    once it ran, the button that saves its file. ``scope`` is what the export covers (period,
    filters): when it changes, the prepared file is dropped, so no one saves a stale one."""
    prepared_key = f"{key}_prepared"
    prepared = st.session_state.get(prepared_key)
    if prepared is not None and prepared[0] != repr(scope):
        st.session_state.pop(prepared_key, None)
        prepared = None
    if st.button(label, key=key, help=help, icon=icon):
        data = perform(ctx, export, rerun=False)
        if data is not None:
            prepared = (repr(scope), data)
            st.session_state[prepared_key] = prepared
    if prepared is not None:
        st.download_button(
            _("Save {file_name}", file_name=file_name),
            prepared[1],
            file_name=file_name,
            mime=mime,
            key=f"{key}_save",
            icon=":material/download:",
            type="primary",
            on_click="ignore",
        )
