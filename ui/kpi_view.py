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

from core import formats, workspace
from core.i18n import N_, _, ngettext
from core.kpis import clock
from core.kpis.audience import (
    AudienceView,
    add_audience_size,
    delete_audience_size,
    list_audience_sizes,
    update_audience_size,
)
from core.kpis.chain import posts_by_dialog
from core.kpis.definitions import BETTER_LABELS, FAMILY_LABELS, Better, Family
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
from ui.charts import draw
from ui.containers import keep_widget_state, lazy_expander, unless_kept
from ui.exports import dialect_picker, export_button
from ui.frame import PAGES, PageContext
from ui.messages import flash
from ui.reads import read

KIND_LABELS = {
    PeriodKind.week: N_("Week"),
    PeriodKind.month: N_("Month"),
    PeriodKind.quarter: N_("Quarter"),
    PeriodKind.custom: N_("Custom"),
}
# Cards have one width and flow into rows: four a row at 1400 px, two at 1024 px, so a figure
# like "237,986" and the link under it always fit.
CARD_WIDTH = 210
NOTES_LABELS = {
    Family.speed: N_("Escalations per team"),
    Family.product: N_("Improvements shipped in this period and their effect"),
}
ALL_CHANNELS = 0  # not None: a selectbox shows None as "nothing chosen"
TAB_KEY = "kpis_tab"
TREND_TAB_KEY = "kpis_trend_tab"
AUDIENCE_KEY = "kpis_audience_open"
# The widgets of each tab, kept while the other tab is open (the period kinds' pickers included).
KEPT_KEYS = (
    "kpis_kind",
    "kpis_channel",
    "kpis_custom",
    *(f"kpis_{kind.value}" for kind in PeriodKind if kind != PeriodKind.custom),
    "kpis_export_dialect",
    AUDIENCE_KEY,
    "kpis_digest_week",
    TREND_TAB_KEY,
)


def keep_tab_state() -> None:
    """Before any widget exists: the period, channel and week picked stay while the other tab is open."""
    keep_widget_state(KEPT_KEYS)


def kpis_now() -> dt.datetime:
    """The ``now`` the KPI reads take: the last instant up to this minute at which a KPI moved with
    the clock (``core.kpis.clock``). The figures are the same as this minute's, and the cached ones
    serve every view until a deadline passes or the data changes, instead of one minute."""
    return read(clock.as_of, now=utcnow().replace(second=0, microsecond=0))


def load_overview(period: Period, channel_id: int | None) -> KpiOverview:
    """Every KPI of the period with its trends, as of now (the SLA share depends on the time)."""
    # The active channels as the picker read them: the overview need not read them again.
    active = tuple((c.id, c.name) for c in channels() if c.active)
    return read(
        kpi_overview, start=period.start, end=period.end, channel_id=channel_id, now=kpis_now(), active_channels=active
    )


def channels() -> list[workspace.ChannelView]:
    return read(workspace.list_channels, include_inactive=True)


# --- period and channel -----------------------------------------------------------------------


def period_picker(today: dt.date) -> tuple[Period | None, int | None]:
    """The chosen period (None while a custom range is half picked) and channel (None = all)."""
    left, middle, right = st.columns([3, 3, 2])
    with left:
        kind = (
            st.segmented_control(
                _("Period"),
                list(KIND_LABELS),
                default=unless_kept("kpis_kind", PeriodKind.month),
                format_func=lambda k: _(KIND_LABELS[k]),
                key="kpis_kind",
            )
            or PeriodKind.month
        )
    with middle:
        period = _pick_period(PeriodKind(kind), today)
    with right:
        names = {ALL_CHANNELS: _("All channels")} | {c.id: c.name for c in channels()}
        channel_id = st.selectbox(
            _("Channel"), list(names), format_func=lambda value: plain_text(names[value]), key="kpis_channel"
        )
    return period, (None if channel_id == ALL_CHANNELS else channel_id)


def _pick_period(kind: PeriodKind, today: dt.date) -> Period | None:
    if kind == PeriodKind.custom:
        default = default_period(PeriodKind.month, today)
        picked = st.date_input(
            _("From – to"),
            value=unless_kept("kpis_custom", (default.start, default.end)),
            key="kpis_custom",
            format=formats.table_date_format(),
        )
        if not isinstance(picked, tuple) or len(picked) != 2:
            st.caption(_("Pick the last day of the period too."))
            return None
        return Period(picked[0], picked[1], PeriodKind.custom)
    periods = {p.key: p for p in recent_periods(kind, today, count=12, back_to=read(first_data_day))}
    default_key = default_period(kind, today).key
    keys = list(periods)
    chosen = st.selectbox(
        _(KIND_LABELS[kind]),
        keys,
        index=unless_kept(f"kpis_{kind.value}", keys.index(default_key) if default_key in keys else 0),
        format_func=lambda key: (
            _("{period} (so far)", period=periods[key].label)
            if periods[key].end == today and key != default_key
            else periods[key].label
        ),
        key=f"kpis_{kind.value}",
    )
    return periods.get(chosen or "") or periods.get(default_key) or periods[keys[0]]


def comparison_caption(period: Period, channel_id: int | None) -> str:
    previous = period.previous()
    scope = (
        _("all channels")
        if channel_id is None
        else next((escape_markdown(c.name) for c in channels() if c.id == channel_id), _("one channel"))
    )
    dates = {
        "start": formats.date(period.start),
        "end": formats.date(period.end),
        "days": period.days,
        "scope": scope,
        "previous_start": formats.date(previous.start),
        "previous_end": formats.date(previous.end),
        "previous_days": previous.days,
    }
    if period.calendar_months == 1:
        return _(
            "{start} – {end} ({days} days, {scope}) against the previous calendar month: "
            "{previous_start} – {previous_end} ({previous_days} days).",
            **dates,
        )
    if period.calendar_months:
        return _(
            "{start} – {end} ({days} days, {scope}) against the previous calendar months: "
            "{previous_start} – {previous_end} ({previous_days} days).",
            **dates,
        )
    return _(
        "{start} – {end} ({days} days, {scope}) against the {previous_days} days before: "
        "{previous_start} – {previous_end}.",
        **dates,
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
        label = _(definition.label)
        st.markdown(
            f"**{label}**",
            help=_(
                "{definition} Better: {better}. Unit: {unit}.",
                definition=_(definition.definition),
                better=_(BETTER_LABELS[definition.better]),
                unit=_(definition.unit),
            ),
        )
        st.metric(
            label,
            format_value(kpi.value, kpi.unit),
            delta=format_change(kpi),
            delta_color=_delta_color(kpi),  # type: ignore[arg-type]
            delta_arrow="off" if kpi.direction == "flat" else "auto",
            chart_data=sparkline or None,
            label_visibility="collapsed",
        )
        lines = [
            f"{_(by_key[k].definition.short)}: {format_value(by_key[k].value, by_key[k].unit)}"
            for k in definition.beside
        ]
        if kpi.detail:
            lines.append(kpi.detail)
        if kpi.breakdown:
            lines.append(
                " · ".join(
                    f"{formats.month_year(dt.date.fromisoformat(month + '-01'))}: {formats.number(value)}"
                    for month, value in kpi.breakdown
                )
            )
        lines.append(_("before: {value}", value=format_value(kpi.previous, kpi.unit)))
        st.caption(" · ".join(lines))
        if kpi.value is None:
            st.caption(_(definition.empty_hint))
        page = PAGES.get(definition.page)
        if page is not None and page.key != "kpis" and ctx.can(page.action):
            st.page_link(page.path, label=_(page.label), icon=page.icon, help=_("Where this number is worked on"))


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
        st.subheader(_(FAMILY_LABELS[family]))
        with st.container(horizontal=True, gap="medium"):
            for kpi in cards:
                _card(ctx, kpi, by_key, sparklines.get(kpi.key))
        notes = [note for v in cards for note in v.notes]
        if notes:
            with st.expander(_(NOTES_LABELS.get(family, N_("Details")))):
                for note in notes:
                    st.text(plain_block(note))


# --- posts by the dialog they created ---------------------------------------------------------


def posts_by_dialog_section(ctx: PageContext, period: Period, channel_id: int | None) -> None:
    """The period's posts ranked by the dialog they created, not by reach alone."""
    st.subheader(_("Posts by the dialog they created"))
    ranked = read(posts_by_dialog, start=period.start, end=period.end, channel_id=channel_id)
    if not ranked:
        st.info(_("No post published in this period yet."))
        return
    names = {c.id: c.name for c in channels()}
    heads = {
        "post": _("Post"),
        "channel": _("Channel"),
        "published": _("Published"),
        "conversations": _("Conversations"),
        "answered": _("Answered"),
        "met": _("Within SLA"),
        "ideas": _("Ideas"),
        "impressions": _("Impressions"),
        "steps": _("Next steps"),
    }
    st.dataframe(
        [
            {
                "#": r.post_id,
                heads["post"]: r.title,
                heads["channel"]: names.get(r.channel_id, ""),
                heads["published"]: formats.date(r.published_at.astimezone(ctx.timezone)),
                heads["conversations"]: r.conversations,
                heads["answered"]: _("{answered} of {needing}", answered=r.answered, needing=r.needing_reply)
                if r.needing_reply
                else "—",
                heads["met"]: r.met,
                heads["ideas"]: r.ideas,
                heads["impressions"]: r.impressions,
                heads["steps"]: r.next_step_conversions,
            }
            for r in ranked
        ],
        hide_index=True,
        width="stretch",
        column_config={  # ten columns within 1400 px: no sideways scrolling
            "#": st.column_config.NumberColumn(width=44),
            heads["post"]: st.column_config.TextColumn(width=180),
            heads["channel"]: st.column_config.TextColumn(width=84),
            heads["published"]: st.column_config.TextColumn(width=88),
            heads["conversations"]: st.column_config.NumberColumn(width=96, format="localized"),
            heads["answered"]: st.column_config.TextColumn(width=76),
            heads["met"]: st.column_config.NumberColumn(width=76, format="localized"),
            heads["ideas"]: st.column_config.NumberColumn(width=48, format="localized"),
            heads["impressions"]: st.column_config.NumberColumn(width=84, format="localized"),
            heads["steps"]: st.column_config.NumberColumn(
                width=80, format="localized", help=_("Next-step conversions")
            ),
        },
    )
    st.caption(_("Most conversations first, then impressions: a post is worth the dialog it starts."))


# --- trends -----------------------------------------------------------------------------------


def render_trends(trend: Trend) -> None:
    weekly = trend.grain == Grain.week
    st.subheader(_("Trends per week") if weekly else _("Trends per month"))
    axis_title = _("Week starting") if weekly else _("Month starting")
    # Only the open family's charts are drawn (a chart costs a few milliseconds on each view).
    tabs = st.tabs([_(FAMILY_LABELS[f]) for f in TREND_KEYS], key=TREND_TAB_KEY, on_change="rerun")
    for tab, family in zip(tabs, TREND_KEYS, strict=True):
        with tab:
            if not tab.open:
                continue
            rows = trend.rows(family)
            if not rows:
                count = len(trend.buckets)
                st.info(
                    ngettext(
                        "No data for the last {count} week yet: the charts fill in as the screens are used.",
                        "No data for the last {count} weeks yet: the charts fill in as the screens are used.",
                        count,
                    )
                    if weekly
                    else ngettext(
                        "No data for the last {count} month yet: the charts fill in as the screens are used.",
                        "No data for the last {count} months yet: the charts fill in as the screens are used.",
                        count,
                    )
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
                                title=axis_title,
                                sort=[trend.label(b) for b in trend.buckets],
                                axis=alt.Axis(labelAngle=0),
                            ),
                            y=alt.Y("value:Q", title=_(unit)),
                            color=alt.Color("kpi:N", title=None, legend=alt.Legend(orient="bottom")),
                            tooltip=[
                                alt.Tooltip("label:O", title=axis_title),
                                alt.Tooltip("kpi:N", title=_("KPI")),
                                alt.Tooltip("value:Q", title=_("Value"), format=",.1f"),
                            ],
                        )
                        .properties(height=240)
                    )
                    draw(chart)


# --- exports and the weekly digest --------------------------------------------------------------


def _loaded_version(key: str, version: int | None) -> int | None:
    """The version the person first saw (kept across reruns so a newer save by someone else is
    refused instead of overwritten)."""
    if key not in st.session_state:
        st.session_state[key] = version
    return st.session_state[key]


def report_export(ctx: PageContext, period: Period, channel_id: int | None) -> None:
    """The KPIs of the period as CSV (in the spreadsheet format chosen) or JSON, for the roles
    that export (audited by the core)."""
    if not ctx.can(Action.export_data):
        return
    channel = next((c.name for c in channels() if c.id == channel_id), None) if channel_id else None
    name = f"kpis-{period.start:%Y%m%d}-{period.end:%Y%m%d}"  # i18n: not text (a file name)
    dialect = dialect_picker(key="kpis_export_dialect")
    # Side by side, each as wide as its label (fixed columns cut the labels at 1024 px).
    row = st.container(horizontal=True)
    for file_format, mime in (("csv", "text/csv"), ("json", "application/json")):
        with row:
            export_button(
                ctx,
                key=f"kpis_export_{file_format}",
                label=_("KPIs as {file_format}", file_format=file_format.upper()),
                export=lambda s, f=file_format: export_report(
                    session=s,
                    actor=ctx.actor,
                    period=period,
                    channel=channel,
                    file_format=f,
                    now=utcnow(),
                    dialect=dialect,
                ),
                file_name=f"{name}.{file_format}",
                mime=mime,
                scope=(period, channel_id, dialect if file_format == "csv" else None),
                icon=":material/download:",
            )


def digest_section(ctx: PageContext, today: dt.date) -> None:
    weeks = {p.key: p for p in recent_periods(PeriodKind.week, today, count=8)}
    default_key = default_period(PeriodKind.week, today).key
    keys = list(weeks)
    chosen = weeks.get(
        st.selectbox(
            _("Week"),
            keys,
            index=unless_kept("kpis_digest_week", keys.index(default_key)),
            format_func=lambda k: weeks[k].label,
            key="kpis_digest_week",
        )
        or "",
        weeks[default_key],
    )
    weekly = read(weekly_digest, week_start=chosen.start)
    markdown = render_markdown(weekly)
    # The download above the two columns: beside the preview its label would be cut at 1024 px.
    export_button(
        ctx,
        key="kpis_digest_download",
        label=_("Download the digest (Markdown)"),
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
        st.caption(_("Suggested heroes (useful UGC and best conversations this week):"))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _("Handle"): h.handle,
                        _("Useful UGC"): h.useful_ugc,
                        _("Best"): h.best,
                        _("Engagement"): h.engagement,
                    }
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
        hero = st.text_input(_("Hero of the week (handle)"), value=note.hero_handle, placeholder=plain_text(suggestion))
        reason = st.text_area(_("Why"), value=note.hero_reason, height=80)
        topic = st.text_input(
            _("Next topic"),
            value=note.next_topic,
            placeholder=plain_text(weekly.upcoming.title) if weekly.upcoming else _("What comes next week?"),
        )
        if st.form_submit_button(_("Save the digest note"), type="primary"):
            note_in = WeeklyDigestNoteSave(
                week_start=weekly.week.start, hero_handle=hero, hero_reason=reason, next_topic=topic
            )
            # Saved or refused, the next run starts from what is saved.
            st.session_state.pop(version_key, None)
            perform(
                ctx,
                lambda s: save_digest_note(session=s, actor=ctx.actor, note_in=note_in, expected_version=loaded),
                success=_("Digest note saved."),
            )


def _draft_post(ctx: PageContext, weekly: WeeklyDigest) -> None:
    active = [c for c in channels() if c.active]
    if not active:
        st.caption(_("Add a channel (admin) to draft the digest as a post."))
        return
    with st.form(f"kpis_digest_draft_{weekly.week.start}"):
        channel = st.selectbox(_("Channel for the post"), active, format_func=lambda c: plain_text(c.name))
        if st.form_submit_button(_("Draft as 'Digest of the week' post")):
            perform(
                ctx,
                lambda s: draft_digest_post(
                    session=s, actor=ctx.actor, week_start=weekly.week.start, channel_id=channel.id
                ),
                then=lambda post_id: flash(
                    _(
                        "Draft post #{post_id} is in the content calendar, ready to edit and submit for review.",
                        post_id=post_id,
                    )
                ),
            )
    calendar = PAGES["calendar"]
    st.page_link(calendar.path, label=_("Open the content calendar"), icon=calendar.icon)


# --- audience sizes ---------------------------------------------------------------------------


def audience_section(ctx: PageContext, period: Period) -> None:
    label = _("Audience sizes (the denominator of the active share)")
    with lazy_expander(label, key=AUDIENCE_KEY) as shown:
        if shown:
            _audience_entries(ctx, period)


def _audience_entries(ctx: PageContext, period: Period) -> None:
    entries = read(list_audience_sizes)
    if entries:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _("Channel"): e.channel,
                        _("From"): e.period_start,
                        _("To"): e.period_end,
                        _("Audience"): e.size,
                    }
                    for e in entries
                ]
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config={
                _("From"): st.column_config.DateColumn(format=formats.table_date_format()),
                _("To"): st.column_config.DateColumn(format=formats.table_date_format()),
                _("Audience"): st.column_config.NumberColumn(format="localized"),
            },
        )
    else:
        st.info(_("No audience sizes yet: enter each channel's audience (followers or members) per month below."))
    active = [c for c in channels() if c.active]
    if not active:
        st.caption(_("Add a channel (admin) first."))
        return
    add, change = st.columns(2)
    with add, st.form("kpis_audience_add", clear_on_submit=True):
        st.markdown(_("**Add an audience size**"))
        channel = st.selectbox(_("Channel"), active, format_func=lambda c: plain_text(c.name))
        days = st.date_input(
            _("From – to"),
            value=(period.start, period.end),
            format=formats.table_date_format(),  # type: ignore[arg-type]
        )
        size = st.number_input(_("Audience (people)"), min_value=1, value=1000, step=100)
        if st.form_submit_button(_("Add"), type="primary"):
            if not isinstance(days, tuple) or len(days) != 2:
                st.error(_("Pick the first and the last day of the audience period."))
            else:
                audience_in = AudienceSizeCreate(
                    channel_id=channel.id, period_start=days[0], period_end=days[1], size=int(size)
                )
                perform(
                    ctx,
                    lambda s: add_audience_size(session=s, actor=ctx.actor, audience_in=audience_in),
                    success=_("Audience of {channel} saved.", channel=escape_markdown(channel.name)),
                )
    if entries:
        with change:
            _change_audience(ctx, entries)


def _change_audience(ctx: PageContext, entries: list[AudienceView]) -> None:
    st.markdown(_("**Change an entry**"))
    entry = st.selectbox(
        _("Entry"),
        entries,
        format_func=lambda e: plain_text(
            f"{e.channel} · {formats.date(e.period_start)} – {formats.date(e.period_end)} · {formats.number(e.size)}"
        ),
        key="kpis_audience_pick",
    )
    loaded = _loaded_version(f"kpis_audience_version_{entry.id}", entry.version)
    size = st.number_input(
        _("New audience (people)"), min_value=1, value=entry.size, step=100, key=f"kpis_audience_size_{entry.id}"
    )
    save, remove = st.columns(2)
    if save.button(_("Save size"), key="kpis_audience_save"):
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
            success=_("Audience size changed."),
        )
    if remove.button(_("Delete entry"), key="kpis_audience_delete"):
        perform(
            ctx,
            lambda s: delete_audience_size(session=s, actor=ctx.actor, audience_id=entry.id),
            success=_("Entry deleted."),
        )
