"""Streamlit pieces of the KPI overview: period picker, card grid, trend charts, weekly digest
and audience sizes.

Every read goes through ``ui.reads.read`` and every write through ``ui.actions.perform``. Every
figure and its wording comes from ``core.kpis``; user text reaches Markdown only escaped.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core import workspace
from core.kpis.audience import (
    AudienceView,
    add_audience_size,
    delete_audience_size,
    list_audience_sizes,
    update_audience_size,
)
from core.kpis.chain import posts_by_dialog
from core.kpis.definitions import FAMILY_LABELS, Better, Family
from core.kpis.digest import (
    WeeklyDigest,
    draft_digest_post,
    export_digest,
    render_markdown,
    save_digest_note,
    weekly_digest,
)
from core.kpis.overview import KpiOverview, first_data_day, kpi_overview
from core.kpis.periods import Period, PeriodKind, default_period, recent_periods
from core.kpis.report import export_report, format_change, format_value
from core.kpis.trends import TREND_KEYS, Grain, Trend
from core.kpis.values import KpiValue
from core.permissions import Action
from core.text import escape_markdown, plain_block, plain_text
from db.models import AudienceSizeCreate, AudienceSizeUpdate, WeeklyDigestNoteSave
from db.types import utcnow
from ui.actions import perform
from ui.exports import export_button
from ui.frame import PAGES, PageContext
from ui.messages import flash
from ui.reads import read

KIND_LABELS = {
    PeriodKind.week: "Week",
    PeriodKind.month: "Month",
    PeriodKind.quarter: "Quarter",
    PeriodKind.custom: "Custom",
}
# Cards have one width and flow into rows: four a row at 1400 px, two at 1024 px, so a figure
# like "237,986" and the link under it always fit.
CARD_WIDTH = 210
NOTES_LABELS = {
    Family.speed: "Escalations per team",
    Family.product: "Improvements shipped in this period and their effect",
}
ALL_CHANNELS = 0  # not None: a selectbox shows None as "nothing chosen"


def load_overview(period: Period, channel_id: int | None) -> KpiOverview:
    """Every KPI of the period with its trends, as of this minute (the SLA share depends on the time)."""
    minute = utcnow().replace(second=0, microsecond=0)
    return read(kpi_overview, start=period.start, end=period.end, channel_id=channel_id, now=minute)


def channels() -> list[workspace.ChannelView]:
    return read(workspace.list_channels, include_inactive=True)


# --- period and channel -----------------------------------------------------------------------


def period_picker(today: dt.date) -> tuple[Period | None, int | None]:
    """The chosen period (None while a custom range is half picked) and channel (None = all)."""
    left, middle, right = st.columns([3, 3, 2])
    with left:
        kind = (
            st.segmented_control(
                "Period",
                list(KIND_LABELS),
                default=PeriodKind.month,
                format_func=lambda k: KIND_LABELS[k],
                key="kpis_kind",
            )
            or PeriodKind.month
        )
    with middle:
        period = _pick_period(PeriodKind(kind), today)
    with right:
        names = {ALL_CHANNELS: "All channels"} | {c.id: c.name for c in channels()}
        channel_id = st.selectbox(
            "Channel", list(names), format_func=lambda value: plain_text(names[value]), key="kpis_channel"
        )
    return period, (None if channel_id == ALL_CHANNELS else channel_id)


def _pick_period(kind: PeriodKind, today: dt.date) -> Period | None:
    if kind == PeriodKind.custom:
        default = default_period(PeriodKind.month, today)
        picked = st.date_input("From – to", value=(default.start, default.end), key="kpis_custom", format="YYYY-MM-DD")
        if not isinstance(picked, tuple) or len(picked) != 2:
            st.caption("Pick the last day of the period too.")
            return None
        return Period(picked[0], picked[1], PeriodKind.custom)
    periods = {p.key: p for p in recent_periods(kind, today, count=12, back_to=read(first_data_day))}
    default_key = default_period(kind, today).key
    keys = list(periods)
    chosen = st.selectbox(
        KIND_LABELS[kind],
        keys,
        index=keys.index(default_key) if default_key in keys else 0,
        format_func=lambda key: (
            periods[key].label + (" (so far)" if periods[key].end == today and key != default_key else "")
        ),
        key=f"kpis_{kind.value}",
    )
    return periods[chosen]


def comparison_caption(period: Period, channel_id: int | None) -> str:
    previous = period.previous()
    scope = (
        "all channels"
        if channel_id is None
        else next((escape_markdown(c.name) for c in channels() if c.id == channel_id), "one channel")
    )
    if period.calendar_months:
        before = "previous calendar month" if period.calendar_months == 1 else "previous calendar months"
        return (
            f"{period.start:%d %b %Y} – {period.end:%d %b %Y} ({period.days} days, {scope}) against the "
            f"{before}: {previous.start:%d %b %Y} – {previous.end:%d %b %Y} ({previous.days} days)."
        )
    return (
        f"{period.start:%d %b %Y} – {period.end:%d %b %Y} ({period.days} days, {scope}) against the "
        f"{previous.days} days before: {previous.start:%d %b %Y} – {previous.end:%d %b %Y}."
    )


# --- cards ------------------------------------------------------------------------------------


def _delta_color(kpi: KpiValue) -> str:
    if kpi.direction in (None, "flat"):
        return "off"
    return "normal" if kpi.definition.better == Better.higher else "inverse"


def _card(ctx: PageContext, kpi: KpiValue, by_key: dict[str, KpiValue], sparkline: list[float] | None) -> None:
    definition = kpi.definition
    with st.container(border=True, width=CARD_WIDTH):
        # The label above the figure wraps; the metric's own label would be cut off in a narrow card.
        st.markdown(
            f"**{definition.label}**",
            help=f"{definition.definition} Better: {definition.better.value}. Unit: {definition.unit}.",
        )
        st.metric(
            definition.label,
            format_value(kpi.value, kpi.unit),
            delta=format_change(kpi),
            delta_color=_delta_color(kpi),  # type: ignore[arg-type]
            delta_arrow="off" if kpi.direction == "flat" else "auto",
            chart_data=sparkline or None,
            label_visibility="collapsed",
        )
        lines = [
            f"{by_key[k].definition.short}: {format_value(by_key[k].value, by_key[k].unit)}" for k in definition.beside
        ]
        if kpi.detail:
            lines.append(kpi.detail)
        if kpi.breakdown:
            lines.append(
                " · ".join(
                    f"{dt.date.fromisoformat(month + '-01'):%b %Y}: {value:.0f}" for month, value in kpi.breakdown
                )
            )
        lines.append(f"before: {format_value(kpi.previous, kpi.unit)}")
        st.caption(" · ".join(lines))
        if kpi.value is None:
            st.caption(definition.empty_hint)
        page = PAGES.get(definition.page)
        if page is not None and page.key != "kpis" and ctx.can(page.action):
            st.page_link(page.path, label=page.label, icon=page.icon, help="Where this number is worked on")


def render_cards(ctx: PageContext, overview: KpiOverview) -> None:
    by_key = {v.key: v for v in overview.values}
    sparklines = {
        series.key: [v for v in series.values if v is not None]
        for family in overview.trend.families.values()
        for series in family
    }
    for family in Family:
        cards = [v for v in overview.values if v.definition.family == family and v.definition.card]
        if family == Family.display:
            st.divider()
        st.subheader(FAMILY_LABELS[family])
        with st.container(horizontal=True, gap="medium"):
            for kpi in cards:
                _card(ctx, kpi, by_key, sparklines.get(kpi.key))
        notes = [note for v in cards for note in v.notes]
        if notes:
            with st.expander(NOTES_LABELS.get(family, "Details")):
                for note in notes:
                    st.text(plain_block(note))


# --- posts by the dialog they created ---------------------------------------------------------


def posts_by_dialog_section(ctx: PageContext, period: Period, channel_id: int | None) -> None:
    """The period's posts ranked by the dialog they created, not by reach alone."""
    st.subheader("Posts by the dialog they created")
    ranked = read(posts_by_dialog, start=period.start, end=period.end, channel_id=channel_id)
    if not ranked:
        st.info("No post published in this period yet.")
        return
    names = {c.id: c.name for c in channels()}
    st.dataframe(
        [
            {
                "#": r.post_id,
                "Post": r.title,
                "Channel": names.get(r.channel_id, ""),
                "Published": r.published_at.astimezone(ctx.timezone).strftime("%d %b %Y"),
                "Conversations": r.conversations,
                "Answered": f"{r.answered} of {r.needing_reply}" if r.needing_reply else "—",
                "Within SLA": r.met,
                "Ideas": r.ideas,
                "Impressions": r.impressions,
                "Next-step conversions": r.next_step_conversions,
            }
            for r in ranked
        ],
        hide_index=True,
        width="stretch",
        column_config={  # ten columns within 1400 px: no sideways scrolling
            "#": st.column_config.NumberColumn(width=44),
            "Post": st.column_config.TextColumn(width=180),
            "Channel": st.column_config.TextColumn(width=84),
            "Published": st.column_config.TextColumn(width=88),
            "Conversations": st.column_config.NumberColumn(width=96),
            "Answered": st.column_config.TextColumn(width=76),
            "Within SLA": st.column_config.NumberColumn(width=76),
            "Ideas": st.column_config.NumberColumn(width=48),
            "Impressions": st.column_config.NumberColumn(width=84),
            "Next-step conversions": st.column_config.NumberColumn("Next steps", width=80),
        },
    )
    st.caption("Most conversations first, then impressions: a post is worth the dialog it starts.")


# --- trends -----------------------------------------------------------------------------------


def render_trends(trend: Trend) -> None:
    grain = "week" if trend.grain == Grain.week else "month"
    st.subheader(f"Trends per {grain}")
    tabs = st.tabs([FAMILY_LABELS[f] for f in TREND_KEYS])
    for tab, family in zip(tabs, TREND_KEYS, strict=True):
        with tab:
            rows = trend.rows(family)
            if not rows:
                st.info(
                    f"No data for the last {len(trend.buckets)} {grain}s yet: the charts fill in as the screens are used."
                )
                continue
            frame = pd.DataFrame(rows)
            units = list(dict.fromkeys(row["unit"] for row in rows))
            for column, unit in zip(st.columns(len(units)), units, strict=True):
                with column:
                    chart = (
                        alt.Chart(frame[frame["unit"] == unit])
                        .mark_line(point=True)
                        .encode(
                            x=alt.X(
                                "label:O",
                                title=f"{grain} starting",
                                sort=[trend.label(b) for b in trend.buckets],
                                axis=alt.Axis(labelAngle=0),
                            ),
                            y=alt.Y("value:Q", title=unit),
                            color=alt.Color("kpi:N", title=None, legend=alt.Legend(orient="bottom")),
                            tooltip=[
                                alt.Tooltip("label:O", title=f"{grain} starting"),
                                "kpi:N",
                                alt.Tooltip("value:Q", format=",.1f"),
                            ],
                        )
                        .properties(height=240)
                    )
                    st.altair_chart(chart, width="stretch")


# --- weekly digest ----------------------------------------------------------------------------


def _loaded_version(key: str, version: int | None) -> int | None:
    """The version the person first saw (kept across reruns so a newer save by someone else is
    refused instead of overwritten)."""
    if key not in st.session_state:
        st.session_state[key] = version
    return st.session_state[key]


def report_export(ctx: PageContext, period: Period, channel_id: int | None) -> None:
    """The KPIs of the period as CSV or JSON, for the roles that export (audited by the core)."""
    if not ctx.can(Action.export_data):
        return
    channel = next((c.name for c in channels() if c.id == channel_id), None) if channel_id else None
    name = f"kpis-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    # Side by side, each as wide as its label (fixed columns cut the labels at 1024 px).
    row = st.container(horizontal=True)
    for file_format, mime in (("csv", "text/csv"), ("json", "application/json")):
        with row:
            export_button(
                ctx,
                key=f"kpis_export_{file_format}",
                label=f"KPIs as {file_format.upper()}",
                export=lambda s, f=file_format: export_report(
                    session=s, actor=ctx.actor, period=period, channel=channel, file_format=f, now=utcnow()
                ),
                file_name=f"{name}.{file_format}",
                mime=mime,
                scope=(period, channel_id),
                icon=":material/download:",
            )


def digest_section(ctx: PageContext, today: dt.date) -> None:
    st.header("Weekly digest")
    weeks = {p.key: p for p in recent_periods(PeriodKind.week, today, count=8)}
    default_key = default_period(PeriodKind.week, today).key
    keys = list(weeks)
    chosen = weeks[
        st.selectbox(
            "Week", keys, index=keys.index(default_key), format_func=lambda k: weeks[k].label, key="kpis_digest_week"
        )
    ]
    weekly = read(weekly_digest, week_start=chosen.start)
    markdown = render_markdown(weekly)
    # The download above the two columns: beside the preview its label would be cut at 1024 px.
    export_button(
        ctx,
        key="kpis_digest_download",
        label="Download the digest (Markdown)",
        export=lambda s: export_digest(session=s, actor=ctx.actor, week_start=chosen.start),
        file_name=weekly.filename,
        mime="text/markdown",
        scope=chosen.start,
        icon=":material/article:",
    )
    preview, tools = st.columns([3, 2])
    with preview, st.container(border=True):
        st.markdown(markdown)
    with tools:
        _digest_note_form(ctx, weekly)
        if ctx.can(Action.draft_post):
            _draft_post(ctx, weekly)


def _digest_note_form(ctx: PageContext, weekly: WeeklyDigest) -> None:
    if weekly.hero_suggestions:
        st.caption("Suggested heroes (useful UGC and best conversations this week):")
        st.dataframe(
            pd.DataFrame(
                [
                    {"handle": h.handle, "useful UGC": h.useful_ugc, "best": h.best, "engagement": h.engagement}
                    for h in weekly.hero_suggestions
                ]
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    if not ctx.can(Action.edit_digest):
        return
    note = weekly.note
    version_key = f"kpis_digest_version_{weekly.week.start}"
    loaded = _loaded_version(version_key, note.version)
    suggestion = weekly.hero_suggestions[0].handle if weekly.hero_suggestions else ""
    with st.form(f"kpis_digest_note_{weekly.week.start}"):
        hero = st.text_input("Hero of the week (handle)", value=note.hero_handle, placeholder=plain_text(suggestion))
        reason = st.text_area("Why", value=note.hero_reason, height=80)
        topic = st.text_input(
            "Next topic",
            value=note.next_topic,
            placeholder=plain_text(weekly.upcoming.title) if weekly.upcoming else "What comes next week?",
        )
        if st.form_submit_button("Save the digest note", type="primary"):
            note_in = WeeklyDigestNoteSave(
                week_start=weekly.week.start, hero_handle=hero, hero_reason=reason, next_topic=topic
            )
            # Saved or refused, the next run starts from what is saved.
            st.session_state.pop(version_key, None)
            perform(
                ctx,
                lambda s: save_digest_note(session=s, actor=ctx.actor, note_in=note_in, expected_version=loaded),
                success="Digest note saved.",
            )


def _draft_post(ctx: PageContext, weekly: WeeklyDigest) -> None:
    active = [c for c in channels() if c.active]
    if not active:
        st.caption("Add a channel (admin) to draft the digest as a post.")
        return
    with st.form(f"kpis_digest_draft_{weekly.week.start}"):
        channel = st.selectbox("Channel for the post", active, format_func=lambda c: plain_text(c.name))
        if st.form_submit_button("Draft as 'Digest of the week' post"):
            perform(
                ctx,
                lambda s: draft_digest_post(
                    session=s, actor=ctx.actor, week_start=weekly.week.start, channel_id=channel.id
                ),
                then=lambda post_id: flash(
                    f"Draft post #{post_id} is in the content calendar, ready to edit and submit for review."
                ),
            )
    st.page_link(PAGES["calendar"].path, label="Open the content calendar", icon=PAGES["calendar"].icon)


# --- audience sizes ---------------------------------------------------------------------------


def audience_section(ctx: PageContext, period: Period) -> None:
    with st.expander("Audience sizes (the denominator of the active share)", expanded=False):
        entries = read(list_audience_sizes)
        if entries:
            st.dataframe(
                pd.DataFrame(
                    [
                        {"channel": e.channel, "from": e.period_start, "to": e.period_end, "audience": e.size}
                        for e in entries
                    ]
                ),
                hide_index=True,
                placeholder="—",
                width="stretch",
            )
        else:
            st.info("No audience sizes yet: enter each channel's audience (followers or members) per month below.")
        active = [c for c in channels() if c.active]
        if not active:
            st.caption("Add a channel (admin) first.")
            return
        add, change = st.columns(2)
        with add, st.form("kpis_audience_add", clear_on_submit=True):
            st.markdown("**Add an audience size**")
            channel = st.selectbox("Channel", active, format_func=lambda c: plain_text(c.name))
            days = st.date_input("From – to", value=(period.start, period.end), format="YYYY-MM-DD")
            size = st.number_input("Audience (people)", min_value=1, value=1000, step=100)
            if st.form_submit_button("Add", type="primary"):
                if not isinstance(days, tuple) or len(days) != 2:
                    st.error("Pick the first and the last day of the audience period.")
                else:
                    audience_in = AudienceSizeCreate(
                        channel_id=channel.id, period_start=days[0], period_end=days[1], size=int(size)
                    )
                    perform(
                        ctx,
                        lambda s: add_audience_size(session=s, actor=ctx.actor, audience_in=audience_in),
                        success=f"Audience of {escape_markdown(channel.name)} saved.",
                    )
        if entries:
            with change:
                _change_audience(ctx, entries)


def _change_audience(ctx: PageContext, entries: list[AudienceView]) -> None:
    st.markdown("**Change an entry**")
    entry = st.selectbox(
        "Entry",
        entries,
        format_func=lambda e: plain_text(f"{e.channel} · {e.period_start} – {e.period_end} · {e.size:,}"),
        key="kpis_audience_pick",
    )
    loaded = _loaded_version(f"kpis_audience_version_{entry.id}", entry.version)
    size = st.number_input(
        "New audience (people)", min_value=1, value=entry.size, step=100, key=f"kpis_audience_size_{entry.id}"
    )
    save, remove = st.columns(2)
    if save.button("Save size", key="kpis_audience_save"):
        # Saved or refused, the next run starts from what is saved.
        st.session_state.pop(f"kpis_audience_version_{entry.id}", None)
        perform(
            ctx,
            lambda s: update_audience_size(
                session=s,
                actor=ctx.actor,
                audience_id=entry.id,
                expected_version=loaded,
                audience_in=AudienceSizeUpdate(size=int(size)),
            ),
            success="Audience size changed.",
        )
    if remove.button("Delete entry", key="kpis_audience_delete"):
        perform(
            ctx,
            lambda s: delete_audience_size(session=s, actor=ctx.actor, audience_id=entry.id),
            success="Entry deleted.",
        )
