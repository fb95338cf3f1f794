"""The calendar screen's other tabs: insights (next-step conversion per rubric and per post),
import and export (CSV, .ics), and the content rules a lead manages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.content_plan import conversion, files, house_rules, queries, timing
from core.content_plan.files import ImportReport
from core.content_plan.queries import CalendarOptions, PostFilter
from core.local_time import days_bounds
from core.permissions import Action
from core.text import plain_text
from db.models import StopWordMode
from ui import reads
from ui.actions import perform
from ui.calendar_view import md, open_post
from ui.exports import export_button
from ui.frame import PageContext
from ui.messages import flash

# --- insights --------------------------------------------------------------------------------


def insights_tab(ctx: PageContext, filters: PostFilter, start: dt.datetime, end: dt.datetime, period: str) -> None:
    st.subheader(f"Next-step conversion · {period}")
    summary = reads.read(conversion.conversion_summary, start=start, end=end, filters=filters)
    rows = summary.rubrics
    if not rows:
        st.info(
            "No published posts in this period yet. Metrics appear here once posts are out and their figures are in."
        )
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric("Published posts", summary.posts)
        c2.metric("With a next step", f"{summary.next_step_share or 0:.0%}")
        c3.metric(
            "Next-step conversion",
            "—" if summary.rate is None else f"{summary.rate:.2%}",
            help="Conversions ÷ impressions",
        )
        frame = pd.DataFrame(
            {
                "Rubric": [r.rubric for r in rows],
                "Conversion": [r.rate or 0.0 for r in rows],
                "Posts": [r.posts for r in rows],
                "Impressions": [r.impressions for r in rows],
                "Conversions": [r.conversions for r in rows],
            }
        )
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X(
                    "Conversion:Q",
                    axis=alt.Axis(format=".1%", tickCount=5),
                    title="Next-step conversions ÷ impressions",
                ),
                y=alt.Y("Rubric:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
                color=alt.value("#4c78a8"),
                tooltip=["Rubric", alt.Tooltip("Conversion:Q", format=".2%"), "Posts", "Impressions", "Conversions"],
            )
            .properties(height=36 * len(rows) + 40)
        )
        st.altair_chart(chart, width="stretch")
        best = reads.read(conversion.best_converting_posts, start=start, end=end, filters=filters, limit=15)
        st.markdown("**Posts by next-step conversion**")
        st.dataframe(
            pd.DataFrame(
                {
                    "#": [e.id for e in best],
                    "Title": [e.title for e in best],
                    "Rubric": [e.rubric_name for e in best],
                    "Channel": [e.channel_name for e in best],
                    "Impressions": [e.impressions for e in best],
                    "Conversions": [e.next_step_conversions for e in best],
                    "Conversion": [None if e.conversion_rate is None else 100 * e.conversion_rate for e in best],
                }
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config={"Conversion": st.column_config.NumberColumn(format="%.2f %%")},
        )
    waiting = reads.read(queries.awaiting_metrics, start=start, end=end)
    st.markdown(f"**Published, waiting for metrics** ({len(waiting)})")
    if not waiting:
        st.caption("Every published post of this period has its figures.")
    for entry in waiting:
        st.button(
            f"#{entry.id} {md(entry.title)} · {md(entry.channel_name)} · {timing.format_local(entry.scheduled_at, ctx.timezone)}",
            key=f"calendar_metrics_{entry.id}",
            type="tertiary",
            on_click=open_post,
            args=(entry.id,),
        )


# --- import and export -----------------------------------------------------------------------


def _problems(report: ImportReport) -> None:
    st.error(f"Nothing was imported: {report.problem_count} problem(s). Fix them in the file and import it again.")
    st.dataframe(
        pd.DataFrame(
            {
                "Row": [p.row for p in report.problems],
                "Column": [p.column for p in report.problems],
                "What to fix": [p.message for p in report.problems],
            }
        ),
        hide_index=True,
        placeholder="—",
        width="stretch",
    )


Importer = Callable[[Session, bytes, Callable[[float], None]], ImportReport]


def _import(ctx: PageContext, label: str, uploader_key: str, run: Importer) -> None:
    upload = st.file_uploader(label, type=["csv", "txt"], key=uploader_key)
    if upload is None or not st.button("Import", key=f"{uploader_key}_go", type="primary"):
        return
    data = upload.getvalue()
    bar = st.progress(0.0, text="Importing…")
    # rerun=False: a refused import keeps drawing its report below.
    report = perform(
        ctx, lambda s: run(s, data, lambda share: bar.progress(share, text=f"Importing… {share:.0%}")), rerun=False
    )
    bar.empty()
    if report is None:
        return
    if report.ok:
        flash(
            f"Imported: {report.created} new post(s)."
            if report.created
            else f"Metrics updated on {report.updated} post(s)."
        )
        st.rerun()
    _problems(report)


def import_export_tab(ctx: PageContext, filters: PostFilter, first: dt.date, last: dt.date) -> None:
    st.subheader("Export")
    c1, c2 = st.columns(2)
    period = c1.date_input("Period", value=(first, last), key="calendar_x_period", format="YYYY-MM-DD")
    if not isinstance(period, tuple) or len(period) != 2:
        c2.caption("Pick the last day too.")
        return
    start, end = days_bounds(period[0], period[1], ctx.timezone)
    name = f"content-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}"
    scope = (start, end, filters)
    b1, b2 = st.columns(2)
    with b1:
        export_button(
            ctx,
            key="calendar_x_ics",
            label="Calendar file (.ics)",
            export=lambda s: files.export_ics(session=s, actor=ctx.actor, start=start, end=end, filters=filters),
            file_name=f"{name}.ics",
            mime="text/calendar",
            scope=scope,
            icon=":material/calendar_month:",
            help="Scheduled, published and cancelled posts; opens in Google Calendar, Outlook, Apple Calendar.",
        )
    with b2:
        if ctx.can(Action.export_data):
            export_button(
                ctx,
                key="calendar_x_csv",
                label="Posts as CSV",
                export=lambda s: files.export_posts_csv(
                    session=s, actor=ctx.actor, start=start, end=end, filters=filters
                ),
                file_name=f"{name}.csv",
                mime="text/csv",
                scope=scope,
                icon=":material/table:",
                help="Filters apply. Cells that a spreadsheet would run as formulas are neutralised.",
            )
    if ctx.can(Action.draft_post):
        st.subheader("Import posts")
        st.caption(
            "Columns: " + ", ".join(files.IMPORT_COLUMNS) + ". Only title and channel are required; times are "
            f"YYYY-MM-DD HH:MM in {ctx.timezone.key}. Imported posts start as drafts; a calendar export imports back as is "
            "(its id, status and metric columns are ignored). All or nothing: one bad row and nothing is imported."
        )
        _import(
            ctx,
            "CSV file with posts",
            "calendar_i_posts",
            lambda s, data, progress: files.import_posts_csv(session=s, actor=ctx.actor, data=data, progress=progress),
        )
    if ctx.can(Action.enter_post_metrics):
        st.subheader("Import metrics")
        st.caption(
            "Columns: post_id (or id from an export) and any of "
            + ", ".join(queries.METRIC_FIELDS)
            + ". Empty cells keep the figure."
        )
        _import(
            ctx,
            "CSV file with metrics",
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
        st.subheader("Rhythm and frequency")
        with st.form("calendar_r_limits"):
            run = st.number_input(
                "High-load posts in a row before the rhythm warns",
                min_value=1,
                max_value=10,
                value=options.rhythm_limit,
            )
            limits = {
                c.id: st.number_input(
                    f"{md(c.name)}: posts per day",
                    min_value=1,
                    max_value=50,
                    value=c.daily_post_limit,
                    key=f"calendar_r_limit_{c.id}",
                )
                for c in options.channels
            }
            if st.form_submit_button("Save limits", type="primary"):

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

                perform(ctx, save_limits, success="Limits saved.")
        st.subheader("Rubrics")
        st.dataframe(
            pd.DataFrame(
                {
                    "Rubric": [r.name for r in rubrics],
                    "Built in": [r.builtin for r in rubrics],
                    "In use": [r.active for r in rubrics],
                }
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
        with st.form("calendar_r_rubric", clear_on_submit=True):
            name = st.text_input("New rubric")
            description = st.text_input("What it is for")
            if st.form_submit_button("Add rubric"):
                perform(
                    ctx,
                    lambda s: house_rules.add_rubric(session=s, actor=ctx.actor, name=name, description=description),
                    success="Rubric added.",
                )
        by_id = {r.id: r for r in rubrics if not r.builtin}
        if by_id:
            c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
            pick = c1.selectbox(
                "Team rubric",
                list(by_id),
                format_func=lambda i: plain_text(f"{by_id[i].name} ({'in use' if by_id[i].active else 'archived'})"),
                key="calendar_r_rubric_pick",
            )
            if c2.button("Archive" if by_id[pick].active else "Restore", key="calendar_r_rubric_toggle"):
                perform(
                    ctx,
                    lambda s: house_rules.set_rubric_active(
                        session=s, actor=ctx.actor, rubric_id=pick, active=not by_id[pick].active
                    ),
                )
    with right:
        st.subheader("Stop words")
        st.caption(
            "Matched in title, text and next step, ignoring case, on whole words. 'block' stops approval; 'warn' asks for a second look."
        )
        if words:
            st.dataframe(
                pd.DataFrame({"Word": [w.word for w in words], "Mode": [w.mode for w in words]}),
                hide_index=True,
                placeholder="—",
                width="stretch",
            )
        else:
            st.info("No stop words yet. Add the promises and phrases your community rules forbid.")
        with st.form("calendar_r_word", clear_on_submit=True):
            c1, c2 = st.columns([2, 1])
            word = c1.text_input("Word or phrase")
            mode = c2.segmented_control(
                "Mode", list(StopWordMode), default=StopWordMode.warn, key="calendar_r_word_mode"
            )
            if st.form_submit_button("Add stop word"):
                perform(
                    ctx,
                    lambda s: house_rules.add_stop_word(
                        session=s, actor=ctx.actor, word=word, mode=mode or StopWordMode.warn
                    ),
                    success="Stop word added.",
                )
        if words:
            by_word = {w.id: w for w in words}
            c1, right = st.columns([3, 3], vertical_alignment="bottom")
            buttons = right.container(horizontal=True)  # each button as wide as its label
            pick = c1.selectbox(
                "Stop word",
                list(by_word),
                format_func=lambda i: plain_text(f"{by_word[i].word} ({by_word[i].mode})"),
                key="calendar_r_word_pick",
            )
            other = StopWordMode.warn if by_word[pick].mode == StopWordMode.block else StopWordMode.block
            if buttons.button(f"Make '{other}'", key="calendar_r_word_mode_btn"):
                perform(
                    ctx,
                    lambda s: house_rules.set_stop_word_mode(session=s, actor=ctx.actor, stop_word_id=pick, mode=other),
                )
            if buttons.button("Remove", key="calendar_r_word_remove"):
                perform(ctx, lambda s: house_rules.remove_stop_word(session=s, actor=ctx.actor, stop_word_id=pick))
