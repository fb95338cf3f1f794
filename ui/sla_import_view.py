"""SLA monitor screen part: importing conversations from a platform's CSV export.

Upload → map columns → choose channel and (explicitly) the time zone of times without offset →
check and preview → import with a progress bar. A file with any bad row imports nothing and the
report names row and column; the report can be downloaded as CSV.
"""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError
from core.exports import to_csv
from core.sla import import_rows, imports, queues, timestamps
from core.text import plain_text
from db.models import ConversationKind
from ui import sla_admin_view, sla_view
from ui.actions import perform
from ui.frame import PageContext
from ui.messages import show_error
from ui.reads import read

NOT_MAPPED = "— not in the file —"
_REPORT = "sla_import_report"
_COLUMNS = "sla_import_columns"


def _columns(file_id: str, data: bytes) -> tuple[str, ...]:
    """The header of the uploaded file, read once per upload (a big export takes a moment)."""
    known = st.session_state.get(_COLUMNS)
    if known is None or known[0] != file_id:
        known = (file_id, import_rows.read_csv(data).columns)
        st.session_state[_COLUMNS] = known
    return known[1]


def render_import(ctx: PageContext) -> None:
    st.caption(
        "Import conversations from a platform export (CSV). Nothing is saved unless every row is fine; "
        "importing the same file again adds nothing twice."
    )
    upload = st.file_uploader("CSV export", type=["csv", "txt"], key="sla_import_file")
    last = st.session_state.get(_REPORT)
    if upload is not None and last is not None and last[0] == upload.file_id:
        _show_report(last[1], ctx)
    if upload is None:
        st.info(
            "Upload a CSV with one conversation per row: at least the received time and the author; ideally an id, the first reply and resolved times."
        )
        return
    data = upload.getvalue()
    try:
        columns = _columns(upload.file_id, data)
    except DomainError as error:
        show_error(error)
        return
    options = _options(ctx, columns, upload.name)
    if options is None:
        return
    check, run = st.columns(2)
    if check.button("Check and preview", key="sla_import_check"):
        try:
            report = read(
                imports.preview_import, actor=ctx.actor, data=data, options=options, now=sla_view.this_minute()
            )
        except DomainError as error:
            show_error(error)
        else:
            _show_report(report, ctx)
    if run.button("Import", type="primary", key="sla_import_run"):
        bar = st.progress(0.0, text="Reading the file…")

        def progress(done: int, total: int, stage: str) -> None:
            bar.progress(min(1.0, done / total) if total else 1.0, text=f"{stage}: {done:,} of {total:,}")

        def keep(report: imports.ImportReport) -> None:
            st.session_state[_REPORT] = (upload.file_id, report)

        perform(
            ctx,
            lambda s: imports.import_conversations(
                session=s, actor=ctx.actor, data=data, options=options, progress=progress
            ),
            then=keep,
        )
        bar.empty()  # reached when nothing was saved: the message says why


def _options(ctx: PageContext, columns: tuple[str, ...], file_name: str) -> import_rows.ImportOptions | None:
    channels = dict(read(queues.filter_options).channels)
    if not channels:
        st.warning("Add a channel first (admin screen): every conversation belongs to one.")
        return None
    suggested = import_rows.suggest_mapping(columns)
    top = st.columns(3)
    channel = top[0].selectbox(
        "Channel the export comes from",
        list(channels),
        format_func=lambda c: plain_text(channels[c]),
        key="sla_import_channel",
    )
    zones = sla_admin_view.timezones()
    timezone = top[1].selectbox(
        "Time zone of times without an offset",
        zones,
        index=None,
        placeholder="Choose (never guessed)",
        help="Times written with an offset (+01:00, Z) keep it. Times without one are read in this zone.",
        key="sla_import_tz",
    )
    order = top[2].radio(
        "Dates with slashes",
        timestamps.DATE_ORDERS,
        format_func=lambda o: "03/04 = 3 April" if o == "DMY" else "03/04 = March 4",
        horizontal=True,
        key="sla_import_order",
    )
    st.markdown("**Columns** — which column of the file holds what")
    mapping: dict[str, str] = {}
    grid = st.columns(3)
    for index, spec in enumerate(import_rows.FIELDS):
        choices = [NOT_MAPPED, *columns]
        default = suggested.get(spec.key)
        picked = grid[index % 3].selectbox(
            spec.label + (" *" if spec.required else ""),
            choices,
            index=choices.index(default) if default in choices else 0,
            key=f"sla_import_map_{spec.key}",
        )
        if picked != NOT_MAPPED:
            mapping[spec.key] = picked
    kinds = [k.value for k in ConversationKind]
    default_kind = st.selectbox("Kind when the file has none", kinds, key="sla_import_kind")
    return import_rows.ImportOptions(
        channel_id=channel,
        mapping=mapping,
        timezone=timezone,
        date_order=order,
        default_kind=default_kind,
        file_name=file_name,
    )


def _show_report(report: imports.ImportReport, ctx: PageContext) -> None:
    if report.written:
        st.success(
            f"Imported {report.total_rows:,} row(s): {report.created:,} new, {report.updated:,} completed "
            f"(reply or resolved time added), {report.unchanged:,} known already."
        )
        return
    if report.error_count:
        st.error(
            f"Nothing was imported: {report.error_count:,} problem(s) in the file. Fix them in the file (or the mapping) and try again."
        )
        rows = [{"Row": e.row, "Column": e.column or "—", "Problem": e.message} for e in report.errors]
        st.dataframe(rows, hide_index=True, width="stretch")
        if report.error_count > len(report.errors):
            st.caption(f"The first {len(report.errors):,} problems are listed.")
        st.download_button(
            "Download the problem report (CSV)",
            to_csv(
                ({"row": e.row, "column": e.column, "problem": e.message} for e in report.errors),
                ("row", "column", "problem"),
            ),
            file_name="import-problems.csv",
            mime="text/csv",
            key="sla_import_problems",
        )
        return
    st.success(
        f"All {report.total_rows:,} row(s) are fine: {report.created:,} would be new, {report.unchanged:,} are known already. "
        "Press Import to save them."
    )
    if report.preview:
        st.dataframe(
            [
                {
                    "Row": p.row,
                    "Id": p.external_id,
                    "Received": sla_view.local_time(p.received_at, ctx),
                    "First reply": sla_view.local_time(p.first_reply_at, ctx),
                    "Resolved": sla_view.local_time(p.resolved_at, ctx),
                    "Author": p.author_handle,
                    "Kind": p.kind,
                    "Category": p.category,
                    "Text": p.text[:80],
                }
                for p in report.preview
            ],
            hide_index=True,
            width="stretch",
        )
