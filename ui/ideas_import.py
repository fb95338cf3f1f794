"""Idea board: import of survey/form results (CSV/TSV, .xlsx, JSON lines: map, preview,
all-or-nothing; the date order settled by the file or chosen, givers split only on the chosen
separators) and CSV export."""

from __future__ import annotations

import hashlib

import streamlit as st

from core import formats
from core.errors import DomainError
from core.i18n import N_, _, ngettext
from core.ideas import files, imports, rules
from core.ideas.imports import ImportMapping, ImportPreview, ImportResult, SurveyOptions
from core.ideas.queries import BoardFilters
from core.permissions import Action
from core.text import escape_markdown as md
from core.text import plain_text
from db.models import IdeaSource
from ui.actions import perform
from ui.exports import dialect_picker, export_button
from ui.frame import PageContext
from ui.ideas_view import channel_names
from ui.messages import flash, show_error
from ui.reads import read

_ROUND = "ideas_import_round"
_ORDERS = {
    "file": N_("Settled by the file's own dates (refused if they do not settle it)"),
    "DMY": N_("Day first: 03/04 = 3 April"),
    "MDY": N_("Month first: 03/04 = March 4"),
}
_SEPARATORS = {
    ",;\n": N_("Comma, semicolon or new line"),
    ",": N_("Comma only"),
    ";": N_("Semicolon only"),
    "\n": N_("New line only"),
}
_FIELDS = (
    ("title", N_("Title (required)")),
    ("description", N_("Description")),
    ("handle", N_("Handle(s) of the giver")),
    ("date", N_("Date")),
    ("channel", N_("Channel (by name)")),
)


def import_export(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    can_import, can_export = ctx.can(Action.import_ideas), ctx.can(Action.export_data)
    if can_import:
        _import(ctx)
    if can_export:
        _export(ctx, filters, sort)


def _import(ctx: PageContext) -> None:
    st.subheader(_("Import survey or form results"))
    round_ = st.session_state.get(_ROUND, 0)
    upload = st.file_uploader(
        _("Survey file"), type=["csv", "tsv", "txt", "xlsx", "jsonl", "json"], key=f"ideas_import_file_{round_}"
    )
    if upload is None:
        st.caption(
            _(
                "Export the answers of your form or monthly survey as CSV (UTF-8, with a header row). "
                "You map the columns next and see a preview; nothing is saved until you import, and then all rows "
                "or none. Importing the same file again adds nothing twice."
            )
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
    count = len(preview.rows)
    if st.button(
        ngettext("Import {number} idea", "Import {number} ideas", count, number=formats.number(count)),
        type="primary",
        disabled=not ready,
        key=f"ideas_import_go_{round_}",
    ):
        bar = st.progress(0.0, text=_("Importing…"))

        def imported(result: ImportResult) -> None:
            sentences = (
                ngettext(
                    "Imported {number} idea.",
                    "Imported {number} ideas.",
                    result.created,
                    number=formats.number(result.created),
                ),
                _("Givers recorded: {givers}.", givers=formats.number(result.givers)),
                _(
                    "Rows imported before: {before}; repeated in the file: {repeated}.",
                    before=formats.number(result.already_imported),
                    repeated=formats.number(result.repeated_in_file),
                ),
            )
            flash(" ".join(sentences))
            st.session_state[_ROUND] = round_ + 1  # a fresh uploader for the next file

        perform(
            ctx,
            lambda s: imports.import_ideas(
                session=s,
                actor=ctx.actor,
                data=data,
                options=options,
                progress=lambda share: bar.progress(
                    share, text=_("Importing… {share}", share=formats.percent(share * 100, 0))
                ),
            ),
            then=imported,
        )


def _mapping_form(ctx: PageContext, columns: list[str], round_: int, file_name: str) -> SurveyOptions:
    guess = imports.guess_mapping(columns)
    suffix = f"{round_}_{hashlib.sha1('|'.join(columns).encode()).hexdigest()[:8]}"
    st.markdown(_("**Which column holds what?**"))
    chosen: dict[str, str | None] = {}
    for (field, label), column in zip(_FIELDS, st.columns(len(_FIELDS)), strict=True):
        options = columns if field == "title" else [None, *columns]
        default = getattr(guess, field)
        chosen[field] = column.selectbox(
            _(label),
            options,
            index=options.index(default) if default in options else 0,
            format_func=lambda c: plain_text(_("— not in the file —") if c is None else c),
            key=f"ideas_map_{field}_{suffix}",
        )
    channels = channel_names()
    source_col, channel_col = st.columns(2)
    source = source_col.selectbox(
        _("These ideas came from"),
        [IdeaSource.survey, IdeaSource.form, *[s for s in rules.SOURCE_LABELS if s not in ("survey", "form")]],
        format_func=lambda code: _(rules.SOURCE_LABELS[code]),
        key=f"ideas_map_default_source_{suffix}",
    )
    channel_id = channel_col.selectbox(
        _("Channel (when the file has no channel column)"),
        [None, *channels],
        format_func=lambda i: plain_text("—" if i is None else channels[i]),
        key=f"ideas_map_default_channel_{suffix}",
    )
    order_col, separator_col = st.columns(2)
    order = order_col.radio(
        _("Dates with slashes (03/04)"),
        list(_ORDERS),
        format_func=lambda code: _(_ORDERS[code]),
        key=f"ideas_map_order_{suffix}",
    )
    separators = separator_col.selectbox(
        _("Several givers in one cell are separated by"),
        list(_SEPARATORS),
        format_func=lambda code: _(_SEPARATORS[code]),
        help=_("Never by spaces: a name with a space is one person."),
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
    parts = [
        ngettext("{number} new idea", "{number} new ideas", len(preview.rows), number=formats.number(len(preview.rows)))
    ]
    if preview.already_imported:
        parts.append(
            _("{count} imported before (skipped)", count=formats.number(preview.already_imported)),
        )
    if preview.repeated_in_file:
        parts.append(_("{count} repeated in the file (once only)", count=formats.number(preview.repeated_in_file)))
    if preview.blank:
        parts.append(
            ngettext(
                "{number} blank row ignored",
                "{number} blank rows ignored",
                int(preview.blank),  # a count of rows
                number=formats.number(preview.blank),
            )
        )
    st.caption(" · ".join(parts))
    for note in (preview.file_note, preview.date_note):
        if note:
            st.caption(md(note))
    if not preview.ok:
        st.error(
            ngettext(
                "{number} problem to fix in the file before anything can be imported:",
                "{number} problems to fix in the file before anything can be imported:",
                preview.error_count,
                number=formats.number(preview.error_count),
            )
        )
        st.dataframe(
            [{_("Row"): e.row, _("Column"): e.column, _("Problem"): e.message} for e in preview.errors],
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    if preview.rows:
        st.markdown(_("**Preview** (first 20 new ideas)"))
        date = _("Date")
        st.dataframe(
            [
                {
                    _("Row"): r.row,
                    _("Title"): r.title,
                    _("Description"): r.description,
                    _("Givers"): ", ".join(h.display for h in r.handles),
                    date: r.given_at.astimezone(ctx.timezone) if r.given_at else None,
                }
                for r in preview.rows[:20]
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config={date: st.column_config.DatetimeColumn(format=formats.table_date_format(with_time=True))},
        )
    elif preview.ok:
        st.info(_("Every row of this file is on the board already; there is nothing new to import."))


def _export(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    st.subheader(_("Export"))
    st.caption(
        _(
            "The ideas matching the filters above, with demand, votes, scores and givers "
            "(cells that look like formulas are neutralised)."
        )
    )
    dialect = dialect_picker(key="ideas_export_dialect")
    export_button(
        ctx,
        key="ideas_export",
        label=_("Export ideas as CSV"),
        export=lambda s: files.export_csv(session=s, actor=ctx.actor, filters=filters, sort=sort, dialect=dialect),
        file_name="ideas.csv",
        mime="text/csv",
        scope=(filters, sort, dialect),
        icon=":material/table:",
    )
