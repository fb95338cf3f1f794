"""Streamlit pieces of the KPI overview: period picker, cached reads, card grid, trend charts,
weekly digest and audience sizes.

Reads are cached per database URL, period and channel (``st.cache_data``) and cleared by
``ui.actions.perform`` after every write. Every figure and its wording comes from ``core.kpis``;
user text reaches Markdown only through ``digest.escape_markdown``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from core import audience, digest, kpis, workspace
from core.kpis import Family, KpiValue, Period, PeriodKind
from core.permissions import Action
from db.engine import read_session
from db.types import utcnow
from ui import state
from ui.actions import perform
from ui.frame import PAGES, PageContext
from ui.messages import flash

TTL = 60
KIND_LABELS = {
    PeriodKind.week: "Week",
    PeriodKind.month: "Month",
    PeriodKind.quarter: "Quarter",
    PeriodKind.custom: "Custom",
}
CARDS_PER_ROW = 5
TREND_COUNT = 12
ALL_CHANNELS = 0  # not None: a selectbox shows None as "nothing chosen"


# --- cached reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    values: list[KpiValue]
    trend: kpis.Trend


def _read(function, /, **kwargs):
    with read_session(state.engine()) as session:
        return function(session, **kwargs)


@st.cache_data(ttl=TTL, show_spinner=False)
def _overview(url: str, start: dt.date, end: dt.date, channel_id: int | None) -> Overview:
    now = utcnow()
    with read_session(state.engine()) as session:
        values = kpis.compute_kpis(session, start=start, end=end, channel_id=channel_id, now=now)
        grain = kpis.grain_for(Period(start, end))
        trend = kpis.kpi_trends(session, end=end, grain=grain, count=TREND_COUNT, channel_id=channel_id, now=now)
    return Overview(values, trend)


def load_overview(period: Period, channel_id: int | None) -> Overview:
    return _overview(state.settings().database_url, period.start, period.end, channel_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _channels(url: str) -> list[workspace.ChannelView]:
    return _read(workspace.list_channels, include_inactive=True)


def channels() -> list[workspace.ChannelView]:
    return _channels(state.settings().database_url)


@st.cache_data(ttl=TTL, show_spinner=False)
def _digest(url: str, week_start: dt.date) -> tuple[digest.WeeklyDigest, str]:
    weekly = _read(digest.weekly_digest, week_start=week_start)
    return weekly, digest.render_markdown(weekly)


@st.cache_data(ttl=TTL, show_spinner=False)
def _audience_sizes(url: str) -> list[audience.AudienceView]:
    return _read(audience.list_audience_sizes)


def _write(ctx: PageContext, action, *, success: str, forget: str | None = None) -> bool:
    """One write as one transaction; on success rerun so every figure shows it. ``forget`` is the
    session key of a loaded version, dropped either way so the next run starts from what is saved."""
    result = perform(ctx, action, rerun=False)
    if forget:
        st.session_state.pop(forget, None)
    if result is None:
        return False
    flash(success)
    st.rerun()
    return True


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
        channel_id = st.selectbox("Channel", list(names), format_func=names.__getitem__, key="kpis_channel")
    return period, (None if channel_id == ALL_CHANNELS else channel_id)


def _pick_period(kind: PeriodKind, today: dt.date) -> Period | None:
    if kind == PeriodKind.custom:
        default = kpis.default_period(PeriodKind.month, today)
        picked = st.date_input("From – to", value=(default.start, default.end), key="kpis_custom", format="YYYY-MM-DD")
        if not isinstance(picked, tuple) or len(picked) != 2:
            st.caption("Pick the last day of the period too.")
            return None
        return Period(picked[0], picked[1], PeriodKind.custom)
    periods = {p.key: p for p in kpis.recent_periods(kind, today, count=12)}
    default_key = kpis.default_period(kind, today).key
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
        else next((c.name for c in channels() if c.id == channel_id), "one channel")
    )
    return (
        f"{period.start:%d %b %Y} – {period.end:%d %b %Y} ({period.days} days, {scope}) against the "
        f"{previous.days} days before: {previous.start:%d %b %Y} – {previous.end:%d %b %Y}."
    )


# --- cards ------------------------------------------------------------------------------------


def _delta_color(kpi: KpiValue) -> str:
    if kpi.direction in (None, "flat"):
        return "off"
    return "normal" if kpi.definition.better == kpis.Better.higher else "inverse"


def _card(ctx: PageContext, kpi: KpiValue, by_key: dict[str, KpiValue], sparkline: list[float] | None) -> None:
    definition = kpi.definition
    with st.container(border=True):
        # The label above the figure wraps; the metric's own label would be cut off in a narrow card.
        st.markdown(
            f"**{definition.label}**",
            help=f"{definition.definition} Better: {definition.better.value}. Unit: {definition.unit}.",
        )
        st.metric(
            definition.label,
            kpis.format_value(kpi.value, kpi.unit),
            delta=kpis.format_change(kpi),
            delta_color=_delta_color(kpi),  # type: ignore[arg-type]
            delta_arrow="off" if kpi.direction == "flat" else "auto",
            chart_data=sparkline or None,
            label_visibility="collapsed",
        )
        lines = [
            f"{by_key[k].definition.short}: {kpis.format_value(by_key[k].value, by_key[k].unit)}"
            for k in definition.beside
        ]
        if kpi.detail:
            lines.append(kpi.detail)
        if kpi.breakdown:
            lines.append(
                " · ".join(
                    f"{dt.date.fromisoformat(month + '-01'):%b %Y}: {value:.0f}" for month, value in kpi.breakdown
                )
            )
        lines.append(f"before: {kpis.format_value(kpi.previous, kpi.unit)}")
        st.caption(" · ".join(lines))
        if kpi.value is None:
            st.caption(definition.empty_hint)
        page = PAGES.get(definition.page)
        if page is not None and page.key != "kpis" and ctx.can(page.action):
            st.page_link(page.path, label=page.label, icon=page.icon, help="Where this number is worked on")


def render_cards(ctx: PageContext, overview: Overview) -> None:
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
        st.subheader(kpis.FAMILY_LABELS[family])
        for row in range(0, len(cards), CARDS_PER_ROW):
            columns = st.columns(CARDS_PER_ROW)
            for column, kpi in zip(columns, cards[row : row + CARDS_PER_ROW], strict=False):
                with column:
                    _card(ctx, kpi, by_key, sparklines.get(kpi.key))
        notes = [note for v in cards for note in v.notes]
        if notes:
            with st.expander("Improvements shipped in this period and their effect"):
                for note in notes:
                    st.text(note)


# --- trends -----------------------------------------------------------------------------------


def render_trends(trend: kpis.Trend) -> None:
    grain = "week" if trend.grain == kpis.Grain.week else "month"
    st.subheader(f"Trends per {grain}")
    tabs = st.tabs([kpis.FAMILY_LABELS[f] for f in kpis.TREND_KEYS])
    for tab, family in zip(tabs, kpis.TREND_KEYS, strict=True):
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


def digest_section(ctx: PageContext, today: dt.date) -> None:
    st.header("Weekly digest")
    weeks = {p.key: p for p in kpis.recent_periods(PeriodKind.week, today, count=8)}
    default_key = kpis.default_period(PeriodKind.week, today).key
    keys = list(weeks)
    chosen = weeks[
        st.selectbox(
            "Week", keys, index=keys.index(default_key), format_func=lambda k: weeks[k].label, key="kpis_digest_week"
        )
    ]
    weekly, markdown = _digest(state.settings().database_url, chosen.start)
    preview, tools = st.columns([3, 2])
    with preview, st.container(border=True):
        st.markdown(markdown)
    with tools:
        st.download_button(
            "Download the digest (Markdown)",
            markdown,
            file_name=weekly.filename,
            mime="text/markdown",
            icon=":material/download:",
            key="kpis_digest_download",
        )
        _digest_note_form(ctx, weekly)
        if ctx.can(Action.draft_post):
            _draft_post(ctx, weekly)


def _digest_note_form(ctx: PageContext, weekly: digest.WeeklyDigest) -> None:
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
            width="stretch",
        )
    if not ctx.can(Action.edit_digest):
        return
    note = weekly.note
    version_key = f"kpis_digest_version_{weekly.week.start}"
    loaded = _loaded_version(version_key, note.version)
    suggestion = weekly.hero_suggestions[0].handle if weekly.hero_suggestions else ""
    with st.form(f"kpis_digest_note_{weekly.week.start}"):
        hero = st.text_input("Hero of the week (handle)", value=note.hero_handle, placeholder=suggestion)
        reason = st.text_area("Why", value=note.hero_reason, height=80)
        topic = st.text_input(
            "Next topic",
            value=note.next_topic,
            placeholder=weekly.upcoming.title if weekly.upcoming else "What comes next week?",
        )
        if st.form_submit_button("Save the digest note", type="primary"):
            _write(
                ctx,
                lambda s: digest.save_digest_note(
                    s,
                    actor=ctx.actor,
                    week_start=weekly.week.start,
                    hero_handle=hero,
                    hero_reason=reason,
                    next_topic=topic,
                    expected_version=loaded,
                ),
                success="Digest note saved.",
                forget=version_key,
            )


def _draft_post(ctx: PageContext, weekly: digest.WeeklyDigest) -> None:
    active = [c for c in channels() if c.active]
    if not active:
        st.caption("Add a channel (admin) to draft the digest as a post.")
        return
    post_id = None
    with st.form(f"kpis_digest_draft_{weekly.week.start}"):
        channel = st.selectbox("Channel for the post", active, format_func=lambda c: c.name)
        if st.form_submit_button("Draft as 'Digest of the week' post"):
            post_id = perform(
                ctx,
                lambda s: digest.draft_digest_post(
                    s, actor=ctx.actor, week_start=weekly.week.start, channel_id=channel.id
                ),
                rerun=False,
            )
    if post_id is not None:
        st.success(f"Draft post #{post_id} is in the content calendar, ready to edit and submit for review.")
        st.page_link(PAGES["calendar"].path, label="Open the content calendar", icon=PAGES["calendar"].icon)


# --- audience sizes ---------------------------------------------------------------------------


def audience_section(ctx: PageContext, period: Period) -> None:
    with st.expander("Audience sizes (the denominator of the active share)", expanded=False):
        entries = _audience_sizes(state.settings().database_url)
        if entries:
            st.dataframe(
                pd.DataFrame(
                    [
                        {"channel": e.channel, "from": e.period_start, "to": e.period_end, "audience": e.size}
                        for e in entries
                    ]
                ),
                hide_index=True,
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
            channel = st.selectbox("Channel", active, format_func=lambda c: c.name)
            days = st.date_input("From – to", value=(period.start, period.end), format="YYYY-MM-DD")
            size = st.number_input("Audience (people)", min_value=1, value=1000, step=100)
            if st.form_submit_button("Add", type="primary"):
                if not isinstance(days, tuple) or len(days) != 2:
                    st.error("Pick the first and the last day of the audience period.")
                else:
                    _write(
                        ctx,
                        lambda s: audience.add_audience_size(
                            s,
                            actor=ctx.actor,
                            channel_id=channel.id,
                            period_start=days[0],
                            period_end=days[1],
                            size=int(size),
                        ),
                        success=f"Audience of {channel.name} saved.",
                    )
        if entries:
            with change:
                _change_audience(ctx, entries)


def _change_audience(ctx: PageContext, entries: list[audience.AudienceView]) -> None:
    st.markdown("**Change an entry**")
    entry = st.selectbox(
        "Entry",
        entries,
        format_func=lambda e: f"{e.channel} · {e.period_start} – {e.period_end} · {e.size:,}",
        key="kpis_audience_pick",
    )
    loaded = _loaded_version(f"kpis_audience_version_{entry.id}", entry.version)
    size = st.number_input(
        "New audience (people)", min_value=1, value=entry.size, step=100, key=f"kpis_audience_size_{entry.id}"
    )
    save, remove = st.columns(2)
    if save.button("Save size", key="kpis_audience_save"):
        _write(
            ctx,
            lambda s: audience.update_audience_size(
                s, actor=ctx.actor, audience_id=entry.id, expected_version=loaded, size=int(size)
            ),  # type: ignore[arg-type]
            success="Audience size changed.",
            forget=f"kpis_audience_version_{entry.id}",
        )
    if remove.button("Delete entry", key="kpis_audience_delete"):
        _write(
            ctx,
            lambda s: audience.delete_audience_size(s, actor=ctx.actor, audience_id=entry.id) or True,
            success="Entry deleted.",
        )
