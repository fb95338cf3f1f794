"""The calendar screen's other tabs: insights (next-step conversion per rubric and per post),
import and export (CSV, .ics), and the content rules a lead manages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session

from core import formats, i18n
from core.content_plan import conversion, files, house_rules, queries
from core.content_plan.files import ImportReport
from core.content_plan.queries import CalendarOptions, PostFilter
from core.i18n import N_, _, ngettext
from core.local_time import days_bounds
from core.permissions import Action
from core.text import plain_text
from db.models import StopWordMode
from ui import charts, reads
from ui.actions import perform
from ui.calendar_view import PERCENT_COLUMN, labelled, labelled_md, md, open_post, rubric_label, when
from ui.exports import dialect_picker, export_button
from ui.frame import PageContext
from ui.messages import flash

STOP_WORD_MODES = {StopWordMode.block: N_("Block"), StopWordMode.warn: N_("Warn")}
_DATE_INPUT_FORMATS = {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"}


def _mode_label(mode: str) -> str:
    return _(STOP_WORD_MODES[mode])


# --- insights --------------------------------------------------------------------------------


def insights_tab(ctx: PageContext, filters: PostFilter, start: dt.datetime, end: dt.datetime, period: str) -> None:
    st.subheader(_("Next-step conversion · {period}", period=period))
    summary = reads.read(conversion.conversion_summary, start=start, end=end, filters=filters)
    rows = summary.rubrics
    if not rows:
        st.info(
            _("No published posts in this period yet. Metrics appear here once posts are out and their figures are in.")
        )
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric(_("Published posts"), formats.number(summary.posts))
        c2.metric(_("With a next step"), formats.percent(100 * (summary.next_step_share or 0), 0))
        c3.metric(
            _("Next-step conversion"),
            formats.percent(None if summary.rate is None else 100 * summary.rate, 2),
            help=_("Conversions ÷ impressions"),
        )
        frame = pd.DataFrame(
            {
                "rubric": [rubric_label(r.rubric) for r in rows],
                "conversion": [r.rate or 0.0 for r in rows],
                "posts": [r.posts for r in rows],
                "impressions": [r.impressions for r in rows],
                "conversions": [r.conversions for r in rows],
            }
        )
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X(
                    "conversion:Q",
                    axis=alt.Axis(format=".1%", tickCount=5),
                    title=_("Next-step conversions ÷ impressions"),
                ),
                y=alt.Y("rubric:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
                color=alt.value("#4c78a8"),
                tooltip=[
                    alt.Tooltip("rubric:N", title=_("Rubric")),
                    alt.Tooltip("conversion:Q", title=_("Conversion"), format=".2%"),
                    alt.Tooltip("posts:Q", title=_("Posts")),
                    alt.Tooltip("impressions:Q", title=_("Impressions"), format=",d"),
                    alt.Tooltip("conversions:Q", title=_("Conversions"), format=",d"),
                ],
            )
            .properties(height=36 * len(rows) + 40)
        )
        charts.draw(chart)
        best = reads.read(conversion.best_converting_posts, start=start, end=end, filters=filters, limit=15)
        st.markdown(_("**Posts by next-step conversion**"))
        st.dataframe(
            pd.DataFrame(
                {
                    "#": [e.id for e in best],
                    _("Title"): [e.title for e in best],
                    _("Rubric"): [rubric_label(e.rubric_name) or None for e in best],
                    _("Channel"): [e.channel_name for e in best],
                    _("Impressions"): [e.impressions for e in best],
                    _("Conversions"): [e.next_step_conversions for e in best],
                    _("Conversion"): [None if e.conversion_rate is None else 100 * e.conversion_rate for e in best],
                }
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config={
                _("Impressions"): st.column_config.NumberColumn(format="localized"),
                _("Conversion"): st.column_config.NumberColumn(format=PERCENT_COLUMN),
            },
        )
    waiting = reads.read(queries.awaiting_metrics, start=start, end=end)
    st.markdown(_("**Published, waiting for metrics** ({count})", count=len(waiting)))
    if not waiting:
        st.caption(_("Every published post of this period has its figures."))
    for entry in waiting:
        st.button(
            f"#{entry.id} {md(entry.title)} · {md(entry.channel_name)} · {when(entry.scheduled_at, ctx.timezone)}",
            key=f"calendar_metrics_{entry.id}",
            type="tertiary",
            on_click=open_post,
            args=(entry.id,),
        )


# --- import and export -----------------------------------------------------------------------


def _problems(report: ImportReport) -> None:
    st.error(
        ngettext(
            "Nothing was imported: {count} problem. Fix it in the file and import it again.",
            "Nothing was imported: {count} problems. Fix them in the file and import it again.",
            report.problem_count,
        )
    )
    st.dataframe(
        pd.DataFrame(
            {
                _("Row"): [p.row for p in report.problems],
                _("Column"): [p.column for p in report.problems],
                _("What to fix"): [p.message for p in report.problems],
            }
        ),
        hide_index=True,
        placeholder="—",
        width="stretch",
    )


Importer = Callable[[Session, bytes, Callable[[float], None]], ImportReport]


def _import(ctx: PageContext, label: str, uploader_key: str, run: Importer) -> None:
    upload = st.file_uploader(label, type=["csv", "txt"], key=uploader_key)
    if upload is None or not st.button(_("Import"), key=f"{uploader_key}_go", type="primary"):
        return
    data = upload.getvalue()
    bar = st.progress(0.0, text=_("Importing…"))

    def progress(share: float) -> None:
        bar.progress(share, text=_("Importing… {share}", share=formats.percent(100 * share, 0)))

    # rerun=False: a refused import keeps drawing its report below.
    report = perform(ctx, lambda s: run(s, data, progress), rerun=False)
    bar.empty()
    if report is None:
        return
    if report.ok:
        flash(
            ngettext("Imported: {count} new post.", "Imported: {count} new posts.", report.created)
            if report.created
            else ngettext("Metrics updated on {count} post.", "Metrics updated on {count} posts.", report.updated)
        )
        st.rerun()
    _problems(report)


def import_export_tab(ctx: PageContext, filters: PostFilter, first: dt.date, last: dt.date) -> None:
    st.subheader(_("Export"))
    c1, c2 = st.columns(2)
    period = c1.date_input(
        _("Period"),
        value=(first, last),
        key="calendar_x_period",
        format=_DATE_INPUT_FORMATS.get(i18n.current(), "YYYY-MM-DD"),
    )
    if not isinstance(period, tuple) or len(period) != 2:
        c2.caption(_("Pick the last day too."))
        return
    start, end = days_bounds(period[0], period[1], ctx.timezone)
    name = f"content-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}"
    scope = (start, end, filters)
    b1, b2 = st.columns(2)
    with b1:
        export_button(
            ctx,
            key="calendar_x_ics",
            label=_("Calendar file (.ics)"),
            export=lambda s: files.export_ics(session=s, actor=ctx.actor, start=start, end=end, filters=filters),
            file_name=f"{name}.ics",
            mime="text/calendar",
            scope=scope,
            icon=":material/calendar_month:",
            help=_("Scheduled, published and cancelled posts; opens in Google Calendar, Outlook, Apple Calendar."),
        )
    with b2:
        if ctx.can(Action.export_data):
            dialect = dialect_picker(key="calendar_x_dialect")
            export_button(
                ctx,
                key="calendar_x_csv",
                label=_("Posts as CSV"),
                export=lambda s: files.export_posts_csv(
                    session=s, actor=ctx.actor, start=start, end=end, filters=filters, dialect=dialect
                ),
                file_name=f"{name}.csv",
                mime="text/csv",
                scope=(*scope, dialect),
                icon=":material/table:",
                help=_("Filters apply. Cells that a spreadsheet would run as formulas are neutralised."),
            )
    if ctx.can(Action.draft_post):
        st.subheader(_("Import posts"))
        st.caption(
            _(
                "Columns: {columns}. Only title and channel are required; times are YYYY-MM-DD HH:MM in {zone}. "
                "Imported posts start as drafts; a calendar export imports back as is (its id, status and metric "
                "columns are ignored). All or nothing: one bad row and nothing is imported.",
                columns=", ".join(files.IMPORT_COLUMNS),
                zone=ctx.timezone.key,
            )
        )
        _import(
            ctx,
            _("CSV file with posts"),
            "calendar_i_posts",
            lambda s, data, progress: files.import_posts_csv(session=s, actor=ctx.actor, data=data, progress=progress),
        )
    if ctx.can(Action.enter_post_metrics):
        st.subheader(_("Import metrics"))
        st.caption(
            _(
                "Columns: post_id (or id from an export) and any of {columns}. Empty cells keep the figure.",
                columns=", ".join(queries.METRIC_FIELDS),
            )
        )
        _import(
            ctx,
            _("CSV file with metrics"),
            "calendar_i_metrics",
            lambda s, data, progress: files.import_metrics_csv(
                session=s, actor=ctx.actor, data=data, progress=progress
            ),
        )


# --- content rules (lead / admin) ------------------------------------------------------------


def rules_tab(ctx: PageContext, options: CalendarOptions) -> None:
    words = reads.read(house_rules.list_stop_words)
    rubrics = reads.read(house_rules.list_rubrics)
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(_("Rhythm and frequency"))
        with st.form("calendar_r_limits"):
            run = st.number_input(
                _("High-load posts in a row before the rhythm warns"),
                min_value=1,
                max_value=10,
                value=options.rhythm_limit,
            )
            limits = {
                c.id: st.number_input(
                    _("{channel}: posts per day", channel=md(c.name)),
                    min_value=1,
                    max_value=50,
                    value=c.daily_post_limit,
                    key=f"calendar_r_limit_{c.id}",
                )
                for c in options.channels
            }
            if st.form_submit_button(_("Save limits"), type="primary"):

                def save_limits(s: Session) -> None:
                    if run != options.rhythm_limit:
                        house_rules.set_rhythm_limit(
                            session=s, actor=ctx.actor, expected_version=options.workspace_version, limit=int(run)
                        )
                    for channel in options.channels:
                        if limits[channel.id] != channel.daily_post_limit:
                            house_rules.set_daily_limit(
                                session=s,
                                actor=ctx.actor,
                                channel_id=channel.id,
                                expected_version=channel.version,
                                limit=int(limits[channel.id]),
                            )

                perform(ctx, save_limits, success=_("Limits saved."))
        st.subheader(_("Rubrics"))
        st.dataframe(
            pd.DataFrame(
                {
                    _("Rubric"): [rubric_label(r.name) if r.builtin else r.name for r in rubrics],
                    _("Built in"): [r.builtin for r in rubrics],
                    _("In use"): [r.active for r in rubrics],
                }
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
        with st.form("calendar_r_rubric", clear_on_submit=True):
            name = st.text_input(_("New rubric"))
            description = st.text_input(_("What it is for"))
            if st.form_submit_button(_("Add rubric")):
                perform(
                    ctx,
                    lambda s: house_rules.add_rubric(session=s, actor=ctx.actor, name=name, description=description),
                    success=_("Rubric added."),
                )
        by_id = {r.id: r for r in rubrics if not r.builtin}
        if by_id:
            c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
            pick = c1.selectbox(
                _("Team rubric"),
                list(by_id),
                format_func=labelled(
                    {
                        i: plain_text(
                            _("{rubric} (in use)", rubric=r.name)
                            if r.active
                            else _("{rubric} (archived)", rubric=r.name)
                        )
                        for i, r in by_id.items()
                    }
                ),
                key="calendar_r_rubric_pick",
            )
            if c2.button(_("Archive") if by_id[pick].active else _("Restore"), key="calendar_r_rubric_toggle"):
                perform(
                    ctx,
                    lambda s: house_rules.set_rubric_active(
                        session=s, actor=ctx.actor, rubric_id=pick, active=not by_id[pick].active
                    ),
                )
    with right:
        st.subheader(_("Stop words"))
        st.caption(
            _(
                "Matched in title, text and next step, ignoring case, on whole words. "
                "'{block}' stops approval; '{warn}' asks for a second look.",
                block=_mode_label(StopWordMode.block),
                warn=_mode_label(StopWordMode.warn),
            )
        )
        if words:
            st.dataframe(
                pd.DataFrame({_("Word"): [w.word for w in words], _("Mode"): [_mode_label(w.mode) for w in words]}),
                hide_index=True,
                placeholder="—",
                width="stretch",
            )
        else:
            st.info(_("No stop words yet. Add the promises and phrases your community rules forbid."))
        _shipped_stop_words(ctx)
        with st.form("calendar_r_word", clear_on_submit=True):
            c1, c2 = st.columns([2, 1])
            word = c1.text_input(_("Word or phrase"))
            mode = c2.segmented_control(
                _("Mode"),
                list(StopWordMode),
                default=StopWordMode.warn,
                key="calendar_r_word_mode",
                format_func=labelled_md({mode: _mode_label(mode) for mode in StopWordMode}),
            )
            if st.form_submit_button(_("Add stop word")):
                perform(
                    ctx,
                    lambda s: house_rules.add_stop_word(
                        session=s, actor=ctx.actor, word=word, mode=mode or StopWordMode.warn
                    ),
                    success=_("Stop word added."),
                )
        if words:
            by_word = {w.id: w for w in words}
            c1, right = st.columns([3, 3], vertical_alignment="bottom")
            buttons = right.container(horizontal=True)  # each button as wide as its label
            pick = c1.selectbox(
                _("Stop word"),
                list(by_word),
                format_func=labelled({i: plain_text(f"{w.word} ({_mode_label(w.mode)})") for i, w in by_word.items()}),
                key="calendar_r_word_pick",
            )
            other = StopWordMode.warn if by_word[pick].mode == StopWordMode.block else StopWordMode.block
            if buttons.button(_("Make '{mode}'", mode=_mode_label(other)), key="calendar_r_word_mode_btn"):
                perform(
                    ctx,
                    lambda s: house_rules.set_stop_word_mode(session=s, actor=ctx.actor, stop_word_id=pick, mode=other),
                )
            if buttons.button(_("Remove"), key="calendar_r_word_remove"):
                perform(ctx, lambda s: house_rules.remove_stop_word(session=s, actor=ctx.actor, stop_word_id=pick))


def _shipped_stop_words(ctx: PageContext) -> None:
    """Load a shipped list of stop words (German or English) with one click."""
    codes = list(house_rules.STOP_WORD_LANGUAGES)
    language = st.selectbox(
        _("Shipped stop words"),
        codes,
        index=codes.index(i18n.current()) if i18n.current() in codes else 0,
        format_func=i18n.LANGUAGES.__getitem__,
        key="calendar_r_shipped_language",
        help=_(
            "Promises and phrases a team usually keeps out of its posts; words already on the list stay as they are."
        ),
    )
    if st.button(_("Load the list"), key="calendar_r_shipped_load"):
        perform(
            ctx,
            lambda s: house_rules.add_shipped_stop_words(session=s, actor=ctx.actor, language=language),
            then=lambda added: flash(
                ngettext("{count} stop word added.", "{count} stop words added.", added)
                if added
                else _("Every word of that list is on yours already.")
            ),
        )
