"""SLA monitor screen part: importing conversations from a platform's export.

Upload (CSV/TSV, .xlsx, JSON lines) → the file's shape (one row per conversation, or one row per
message, optionally from a preset) → map columns → channel, the time zone of times without an
offset (chosen, never guessed) and the date order (settled by the file or chosen) → check and
preview → import with a progress bar. A file with any bad row imports nothing and the report
names row and column; the report can be downloaded as CSV. A backfill files old unanswered
conversations as "archived, never answered".
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import formats, i18n
from core.errors import DomainError
from core.exports import to_csv
from core.i18n import N_, _, ngettext
from core.sla import import_fields, import_rows, imports, presets, queues
from core.text import escape_markdown as md
from core.text import plain_text
from db.models import ConversationKind
from ui import sla_admin_view, sla_view
from ui.actions import perform
from ui.frame import PageContext
from ui.messages import show_error
from ui.reads import read

NOT_MAPPED = ""  # the choice "not in the file" (a file's header is never empty)
NO_CHANNEL = 0  # not None: a selectbox shows None as "nothing chosen"
FILE_ORDER = "file"
_REPORT = "sla_import_report"
_COLUMNS = "sla_import_columns"
_ORDERS = {
    FILE_ORDER: N_("Settled by the file's own dates (refused if they do not settle it)"),
    "DMY": N_("Day first: 03/04 = 3 April"),
    "MDY": N_("Month first: 03/04 = March 4"),
}
_SHAPES = {
    "conversations": N_("One row per conversation"),
    "messages": N_("One row per message (a thread export)"),
}


def _columns(file_id: str, data: bytes, file_name: str) -> tuple[str, ...]:
    """The header of the uploaded file, read once per upload (a big export takes a moment)."""
    known = st.session_state.get(_COLUMNS)
    if known is None or known[0] != file_id:
        known = (file_id, import_rows.read_csv(data, file_name).columns)
        st.session_state[_COLUMNS] = known
    return known[1]


def render_import(ctx: PageContext) -> None:
    st.caption(
        _(
            "Import conversations from a platform export (CSV/TSV, Excel .xlsx or JSON lines). Nothing is saved "
            "unless every row is fine; importing the same file again adds nothing twice."
        )
    )
    upload = st.file_uploader(_("Export"), type=["csv", "tsv", "txt", "xlsx", "jsonl", "json"], key="sla_import_file")
    last = st.session_state.get(_REPORT)
    if upload is not None and last is not None and last[0] == upload.file_id:
        _show_report(last[1], ctx)
    if upload is None:
        st.info(
            _(
                "Upload a file with one conversation per row (at least the received time and the author; ideally "
                "an id, the first reply and resolved times), or one message per row with the ids they reply to."
            )
        )
        return
    data = upload.getvalue()
    try:
        columns = _columns(upload.file_id, data, upload.name)
    except DomainError as error:
        show_error(error)
        return
    options, messages = _options(ctx, columns, upload.name)
    if options is None:
        return
    preview = imports.preview_messages if messages else imports.preview_import
    write = imports.import_messages if messages else imports.import_conversations
    check, run = st.columns(2)
    if check.button(_("Check and preview"), key="sla_import_check"):
        try:
            report = read(preview, actor=ctx.actor, data=data, options=options, now=sla_view.this_minute())
        except DomainError as error:
            show_error(error)
        else:
            _show_report(report, ctx)
    if run.button(_("Import"), type="primary", key="sla_import_run"):
        bar = st.progress(0.0, text=_("Reading the file…"))

        def progress(done: int, total: int, stage: str) -> None:
            bar.progress(
                min(1.0, done / total) if total else 1.0,
                text=_(
                    "{stage}: {done} of {total}",
                    stage=_(stage),
                    done=formats.number(done),
                    total=formats.number(total),
                ),
            )

        def keep(report: imports.ImportReport) -> None:
            st.session_state[_REPORT] = (upload.file_id, report)

        perform(
            ctx,
            lambda s: write(session=s, actor=ctx.actor, data=data, options=options, progress=progress),
            then=keep,
        )
        bar.empty()  # reached when nothing was saved: the message says why


def _shape(columns: tuple[str, ...]) -> tuple[bool, dict[str, str]]:
    """Whether the file is one row per message, and the mapping to start from (a preset's or a guess)."""
    shipped = presets.presets()
    preset_names = {"": _("None: map the columns below")} | {
        name: plain_text(p.label_in(i18n.current())) for name, p in shipped.items()
    }
    choices = list(preset_names)
    left, right = st.columns(2)
    preset_name = left.selectbox(
        _("Preset"),
        choices,
        format_func=preset_names.__getitem__,
        key="sla_import_preset",
    )
    if preset_name:
        preset = shipped[preset_name]
        right.caption(md(preset.description_in(i18n.current())))
        return preset.messages, dict(preset.mapping)
    shapes = {shape: _(label) for shape, label in _SHAPES.items()}
    shape = right.radio(_("Shape"), list(shapes), format_func=shapes.__getitem__, key="sla_import_shape")
    messages = shape == "messages"
    return messages, import_fields.suggest_mapping(columns, messages=messages)


def _options(
    ctx: PageContext, columns: tuple[str, ...], file_name: str
) -> tuple[import_fields.ImportOptions | None, bool]:
    channels = dict(read(queues.filter_options).channels)
    if not channels:
        st.warning(_("Add a channel first (admin screen): every conversation belongs to one."))
        return None, False
    messages, suggested = _shape(columns)
    top = st.columns(3)
    names = {NO_CHANNEL: _("— from the file's channel column —")} | {c: plain_text(n) for c, n in channels.items()}
    channel = top[0].selectbox(
        _("Channel of rows that name none"),
        list(names),
        index=1 if len(names) > 1 else 0,
        format_func=names.__getitem__,
        key="sla_import_channel",
    )
    timezone = top[1].selectbox(
        _("Time zone of times without an offset"),
        sla_admin_view.timezones(),
        index=None,
        placeholder=_("Choose (never guessed)"),
        help=_("Times written with an offset (+01:00, Z) keep it. Times without one are read in this zone."),
        key="sla_import_tz",
    )
    orders = {order: _(label) for order, label in _ORDERS.items()}
    order = top[2].radio(
        _("Dates with slashes (03/04)"),
        list(_ORDERS),
        format_func=orders.__getitem__,
        key="sla_import_order",
    )
    st.markdown(_("**Columns** — which column of the file holds what"))
    fields = import_fields.MESSAGE_FIELDS if messages else import_fields.FIELDS
    mapping: dict[str, str] = {}
    grid = st.columns(3)
    column_names = {NOT_MAPPED: _("— not in the file —")} | {c: plain_text(c) for c in columns}
    for index, spec in enumerate(fields):
        choices = list(column_names)
        default = suggested.get(spec.key)
        picked = grid[index % 3].selectbox(
            _(spec.label) + (" *" if spec.required else ""),
            choices,
            index=choices.index(default) if default in choices else 0,
            format_func=column_names.__getitem__,
            help=_(spec.help) if spec.help else None,
            key=f"sla_import_map_{'m' if messages else 'c'}_{spec.key}",
        )
        if picked != NOT_MAPPED:
            mapping[spec.key] = picked
    team_handles = ""
    if messages and "from_team" not in mapping and "inbound" not in mapping:
        team_handles = st.text_input(
            _("The team's own handles (when no column says who wrote for the team)"),
            placeholder="@AcmeSupport, @AcmeHelp",
            key="sla_import_team",
        )
    more = st.columns(3)
    kind_names = sla_admin_view.kind_labels()
    default_kind = more[0].selectbox(
        _("Kind when the file has none"),
        [k.value for k in ConversationKind],
        format_func=kind_names.__getitem__,
        key="sla_import_kind",
    )
    create = more[1].checkbox(
        _("Create the channels the file names that do not exist"), key="sla_import_create_channels"
    )
    history = more[2].checkbox(
        _("Backfill of old history"),
        help=_(
            "Unanswered conversations older than the cut-off are counted in the KPIs but filed as "
            "'archived, never answered', not as work in the queues."
        ),
        key="sla_import_history",
    )
    days = import_fields.DEFAULT_HISTORY_DAYS
    if history:
        days = int(
            more[2].number_input(
                _("Cut-off: days before today"), min_value=0, value=days, step=1, key="sla_import_history_days"
            )
        )
    options = import_fields.ImportOptions(
        channel_id=None if channel == NO_CHANNEL else channel,
        mapping=mapping,
        timezone=timezone,
        date_order=None if order == FILE_ORDER else order,
        default_kind=default_kind,
        file_name=file_name,
        create_channels=create,
        history=history,
        history_days=days,
        team_handles=tuple(h.strip() for h in team_handles.split(",") if h.strip()),
    )
    return options, messages


def _notes(report: imports.ImportReport) -> None:
    for note in (report.file_note, report.date_note, report.fold_summary):
        if note:
            st.caption(md(note))
    if report.channels_created:
        names = md(", ".join(report.channels_created))
        count = len(report.channels_created)
        st.caption(
            ngettext("Created channel: {names}.", "Created channels: {names}.", count, names=names)
            if report.written
            else ngettext("Would create channel: {names}.", "Would create channels: {names}.", count, names=names)
        )
    if report.archived:
        st.caption(
            ngettext(
                "{number} unanswered conversation older than the cut-off is filed as archived, never answered "
                "(counted in the KPIs, not in the queues).",
                "{number} unanswered conversations older than the cut-off are filed as archived, never answered "
                "(counted in the KPIs, not in the queues).",
                report.archived,
                number=formats.number(report.archived),
            )
        )
    for warning in report.warnings:
        st.warning(md(warning))


def _show_report(report: imports.ImportReport, ctx: PageContext) -> None:
    _notes(report)
    if report.written:
        st.success(
            _(
                "Imported {rows}: {created} new, {updated} completed (reply or resolved time added), "
                "{unchanged} known already.",
                rows=_row_count(report.total_rows),
                created=formats.number(report.created),
                updated=formats.number(report.updated),
                unchanged=formats.number(report.unchanged),
            )
        )
        return
    if report.error_count:
        st.error(
            _(
                "Nothing was imported: {problems} in the file. Fix them in the file (or the mapping) and try again.",
                problems=ngettext(
                    "{number} problem",
                    "{number} problems",
                    report.error_count,
                    number=formats.number(report.error_count),
                ),
            )
        )
        rows = [{_("Row"): e.row, _("Column"): e.column or "—", _("Problem"): e.message} for e in report.errors]
        st.dataframe(rows, hide_index=True, placeholder="—", width="stretch")
        if report.error_count > len(report.errors):
            st.caption(
                ngettext(
                    "The first {number} problem is listed.",
                    "The first {number} problems are listed.",
                    len(report.errors),
                    number=formats.number(len(report.errors)),
                )
            )
        st.download_button(
            _("Download the problem report (CSV)"),
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
        _(
            "All {rows} are fine: {created} would be new, {unchanged} are known already. Press Import to save them.",
            rows=_row_count(report.total_rows),
            created=formats.number(report.created),
            unchanged=formats.number(report.unchanged),
        )
    )
    if report.preview:
        st.dataframe(
            [
                {
                    _("Row"): p.row,
                    _("Id"): p.external_id,
                    _("Received"): _local_time(p.received_at, ctx),
                    _("First reply"): _local_time(p.first_reply_at, ctx),
                    _("Resolved"): _local_time(p.resolved_at, ctx),
                    _("Author"): p.author_handle,
                    _("Kind"): sla_admin_view.kind_label(p.kind) if p.kind else None,
                    _("Category"): p.category,
                    _("Text"): p.text[:80],
                }
                for p in report.preview
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
        )


def _row_count(count: int) -> str:
    """A number of rows in the reader's number format: "42,119 rows" / "42.119 Zeilen"."""
    return ngettext("{number} row", "{number} rows", count, number=formats.number(count))


def _local_time(value: dt.datetime | None, ctx: PageContext) -> str:
    """A time in the workspace's zone, in the reader's date format (imported history spans years)."""
    return formats.date_time(value.astimezone(ctx.timezone)) if value is not None else "—"
