"""Idea board: import of survey/form results (CSV/TSV, .xlsx, JSON lines: map, preview,
all-or-nothing; the date order settled by the file or chosen, givers split only on the chosen
separators) and CSV export."""

from __future__ import annotations

import hashlib

import streamlit as st

from core.errors import DomainError
from core.ideas import files, imports, rules
from core.ideas.imports import ImportMapping, ImportPreview, ImportResult, SurveyOptions
from core.ideas.queries import BoardFilters
from core.permissions import Action
from core.text import escape_markdown as md
from core.text import plain_text
from db.models import IdeaSource
from ui.actions import perform
from ui.exports import export_button
from ui.frame import PageContext
from ui.ideas_view import channel_names, local
from ui.messages import flash, show_error
from ui.reads import read

_ROUND = "ideas_import_round"
_ORDERS = {
    "file": "Settled by the file's own dates (refused if they do not settle it)",
    "DMY": "Day first: 03/04 = 3 April",
    "MDY": "Month first: 03/04 = March 4",
}
_SEPARATORS = {
    ",;\n": "Comma, semicolon or new line",
    ",": "Comma only",
    ";": "Semicolon only",
    "\n": "New line only",
}
_FIELDS = (
    ("title", "Title (required)"),
    ("description", "Description"),
    ("handle", "Handle(s) of the giver"),
    ("date", "Date"),
    ("channel", "Channel (by name)"),
)


def import_export(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    can_import, can_export = ctx.can(Action.import_ideas), ctx.can(Action.export_data)
    if can_import:
        _import(ctx)
    if can_export:
        _export(ctx, filters, sort)


def _import(ctx: PageContext) -> None:
    st.subheader("Import survey or form results")
    round_ = st.session_state.get(_ROUND, 0)
    upload = st.file_uploader(
        "Survey file", type=["csv", "tsv", "txt", "xlsx", "jsonl", "json"], key=f"ideas_import_file_{round_}"
    )
    if upload is None:
        st.caption(
            "Export the answers of your form or monthly survey as CSV (UTF-8, with a header row). You map the columns "
            "next and see a preview; nothing is saved until you import, and then all rows or none. "
            "Importing the same file again adds nothing twice."
        )
        return
    data = upload.getvalue()
    try:
        columns = imports.read_columns(data, upload.name)
    except DomainError as error:
        show_error(error)
        return
    options = _mapping_form(ctx, columns, round_, upload.name)
    try:
        preview = read(imports.preview_import, data=data, options=options)
    except DomainError as error:
        show_error(error)
        return
    _show_preview(ctx, preview)
    ready = preview.ok and bool(preview.rows)
    if st.button(
        f"Import {len(preview.rows):,} idea(s)", type="primary", disabled=not ready, key=f"ideas_import_go_{round_}"
    ):
        bar = st.progress(0.0, text="Importing…")

        def imported(result: ImportResult) -> None:
            flash(
                f"Imported {result.created:,} idea(s) with {result.givers:,} giver(s); "
                f"{result.already_imported:,} row(s) were imported before and {result.repeated_in_file:,} repeated in the file."
            )
            st.session_state[_ROUND] = round_ + 1  # a fresh uploader for the next file

        perform(
            ctx,
            lambda s: imports.import_ideas(
                session=s,
                actor=ctx.actor,
                data=data,
                options=options,
                progress=lambda share: bar.progress(share, text=f"Importing… {share:.0%}"),
            ),
            then=imported,
        )


def _mapping_form(ctx: PageContext, columns: list[str], round_: int, file_name: str) -> SurveyOptions:
    guess = imports.guess_mapping(columns)
    suffix = f"{round_}_{hashlib.sha1('|'.join(columns).encode()).hexdigest()[:8]}"
    st.markdown("**Which column holds what?**")
    chosen: dict[str, str | None] = {}
    for (field, label), column in zip(_FIELDS, st.columns(len(_FIELDS)), strict=True):
        options = columns if field == "title" else [None, *columns]
        default = getattr(guess, field)
        chosen[field] = column.selectbox(
            label,
            options,
            index=options.index(default) if default in options else 0,
            format_func=lambda c: plain_text("— not in the file —" if c is None else c),
            key=f"ideas_map_{field}_{suffix}",
        )
    channels = channel_names()
    source_col, channel_col = st.columns(2)
    source = source_col.selectbox(
        "These ideas came from",
        [IdeaSource.survey, IdeaSource.form, *[s for s in rules.SOURCE_LABELS if s not in ("survey", "form")]],
        format_func=rules.SOURCE_LABELS.get,
        key=f"ideas_map_default_source_{suffix}",
    )
    channel_id = channel_col.selectbox(
        "Channel (when the file has no channel column)",
        [None, *channels],
        format_func=lambda i: plain_text("—" if i is None else channels[i]),
        key=f"ideas_map_default_channel_{suffix}",
    )
    order_col, separator_col = st.columns(2)
    order = order_col.radio(
        "Dates with slashes (03/04)", list(_ORDERS), format_func=_ORDERS.__getitem__, key=f"ideas_map_order_{suffix}"
    )
    separators = separator_col.selectbox(
        "Several givers in one cell are separated by",
        list(_SEPARATORS),
        format_func=_SEPARATORS.__getitem__,
        help="Never by spaces: a name with a space is one person.",
        key=f"ideas_map_separators_{suffix}",
    )
    mapping = ImportMapping(
        title=chosen["title"] or "",
        description=chosen["description"],
        handle=chosen["handle"],
        date=chosen["date"],
        channel=chosen["channel"],
    )
    return SurveyOptions(
        mapping=mapping,
        source=str(source),
        default_channel_id=channel_id,
        separators=list(separators),
        date_order=None if order == "file" else order,
        file_name=file_name,
    )


def _show_preview(ctx: PageContext, preview: ImportPreview) -> None:
    summary = f"{len(preview.rows):,} new idea(s)"
    if preview.already_imported:
        summary += f" · {preview.already_imported:,} imported before (skipped)"
    if preview.repeated_in_file:
        summary += f" · {preview.repeated_in_file:,} repeated in the file (once only)"
    if preview.blank:
        summary += f" · {preview.blank:,} blank row(s) ignored"
    st.caption(summary)
    for note in (preview.file_note, preview.date_note):
        if note:
            st.caption(md(note))
    if not preview.ok:
        st.error(f"{preview.error_count:,} problem(s) to fix in the file before anything can be imported:")
        st.dataframe(
            [{"Row": e.row, "Column": e.column, "Problem": e.message} for e in preview.errors],
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    if preview.rows:
        st.markdown("**Preview** (first 20 new ideas)")
        st.dataframe(
            [
                {
                    "Row": r.row,
                    "Title": r.title,
                    "Description": r.description,
                    "Givers": ", ".join(h.display for h in r.handles),
                    "Date": local(ctx, r.given_at),
                }
                for r in preview.rows[:20]
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    elif preview.ok:
        st.info("Every row of this file is on the board already; there is nothing new to import.")


def _export(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    st.subheader("Export")
    st.caption(
        "The ideas matching the filters above, with demand, votes, scores and givers (cells that look like formulas are neutralised)."
    )
    export_button(
        ctx,
        key="ideas_export",
        label="Export ideas as CSV",
        export=lambda s: files.export_csv(session=s, actor=ctx.actor, filters=filters, sort=sort),
        file_name="ideas.csv",
        mime="text/csv",
        scope=(filters, sort),
        icon=":material/table:",
    )
