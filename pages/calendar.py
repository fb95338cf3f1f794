"""Content calendar: plan posts that invite a dialog — month and week views, the list, the editor
with its live checklist, insights, import/export and the content rules."""

import streamlit as st

from core import formats
from core.content_plan import queries, status
from core.i18n import _
from ui import calendar_editor, calendar_panels, reads
from ui import calendar_view as view
from ui.frame import page_frame

ctx = page_frame("calendar")

st.title(_("Content calendar"))
st.caption(_("Every post invites a dialog: a next step, a goal, the checklist before it goes out."))
view.prepare_state(ctx)
calendar_editor.keep_state()
options = reads.read(queries.calendar_options)
if not options.channels:
    st.info(_("There are no channels yet. An admin adds them on the Admin screen; then plan the first post here."))
    st.stop()

filters = view.filter_bar(options)
codes = view.tab_labels(ctx)
shown = [_(code) for code in codes]
tabs = dict(zip(codes, st.tabs(shown, key=view.TAB_KEY, on_change="rerun"), strict=True))
first, last, start, end = view.window(ctx)
period = f"{formats.short_date(first)} – {formats.date(last)}"

with tabs["Calendar"]:
    if tabs["Calendar"].open:
        view.calendar_tab(ctx, options, filters)
with tabs["Post editor"]:
    if tabs["Post editor"].open:
        calendar_editor.editor_tab(ctx, options)
with tabs["Insights"]:
    if tabs["Insights"].open:
        calendar_panels.insights_tab(ctx, filters, start, end, period)
with tabs["Import & export"]:
    if tabs["Import & export"].open:
        calendar_panels.import_export_tab(ctx, filters, first, last)
if "Rules" in tabs:
    with tabs["Rules"]:
        if tabs["Rules"].open:
            calendar_panels.rules_tab(ctx, options)

st.caption(
    _(
        "Times in {zone}. Statuses: {statuses}.",
        zone=ctx.timezone.key,
        statuses=" → ".join(_(label) for label in status.STATUS_LABELS.values()),
    )
)
