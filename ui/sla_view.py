"""SLA monitor screen parts: filters, the queues (the conversation worked on is ``ui.sla_conversation``), the KPIs.

Reads go through ``ui.reads.read`` (the queue's take the instant it was last counted at, kept until the
clock moves an item; the KPIs take ``now`` rounded down to the minute), writes through
``ui.actions.perform``, which reruns the page so every list shows them.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st

from core import formats
from core.i18n import N_, _, ngettext
from core.kpis import definitions, overview, report, trends
from core.permissions import Action
from core.sla import queues
from core.sla.figures import kind_label, sla_status_label, status_label
from core.text import escape_markdown, plain_text
from db.types import utcnow
from ui import reads, sla_conversation, state
from ui.charts import draw
from ui.containers import keep_widget_state
from ui.frame import PageContext
from ui.kpi_view import kpis_now
from ui.reads import read, refresh_versions

ALL = N_("All")
UNASSIGNED = -1
QUEUE_LABELS = {
    queues.Queue.breached: N_("Breached"),
    queues.Queue.at_risk: N_("At risk"),
    queues.Queue.on_track: N_("On track"),
    queues.Queue.follow_up: N_("Follow-up"),
}
QUEUE_HELP = {
    queues.Queue.breached: N_("Past the deadline without a reply: answer these first."),
    queues.Queue.at_risk: N_("Little business time left before the deadline."),
    queues.Queue.on_track: N_("Waiting for a reply, with time to spare."),
    queues.Queue.follow_up: N_(
        "Open but outside the SLA clock: answered and not resolved yet, or nothing to answer (UGC, praise)."
    ),
}


def this_minute() -> dt.datetime:
    """Now rounded down to the minute: the ``now`` of reads that depend on the time."""
    return utcnow().replace(second=0, microsecond=0)


_QUEUE_CLOCK = "sla_queue_clock"


def queue_now(chosen: queues.QueueFilters) -> dt.datetime:
    """The ``now`` the queue's reads take: the instant they were last read at, for as long as
    nothing has moved between queues since (``QueueCounts.valid_until``) and the data and the
    filters are the same; so the cached counts and page serve every rerun meanwhile, and at
    night or over a weekend the queue is counted once. Business time left is counted for the
    moment it is shown (``QueuePage.minutes_left``)."""
    now = utcnow()
    key = (reads.stamp(queues.queue_counts), chosen)
    kept = st.session_state.get(_QUEUE_CLOCK)
    if kept is not None and kept[0] == key and (kept[2] is None or now < kept[2]):
        return kept[1]
    counts = read(queues.queue_counts, now=now, filters=chosen)
    st.session_state[_QUEUE_CLOCK] = (key, now, counts.valid_until)
    return now


# -- formatting ---------------------------------------------------------------------------------


def local_time(value: dt.datetime | None, ctx: PageContext) -> str:
    """A time in the workspace's zone; with its year when it is not this year (imported history)."""
    return sla_conversation.local_time(value, ctx)


def duration(minutes: float) -> str:
    """Business time as people say it: 45 min, 3 h 05 min (no days: a business day is not 24 h)."""
    total = round(minutes)
    if total < 60:
        return _("{minutes} min", minutes=formats.number(total))
    hours, rest = divmod(total, 60)
    return _("{hours} h {minutes:02d} min", hours=formats.number(hours), minutes=rest)


def business_left(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    if minutes < 0:
        return _("overdue {duration}", duration=duration(-minutes))
    return _("{duration} left", duration=duration(minutes))


def _excerpt(text: str, length: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


# -- filters ------------------------------------------------------------------------------------


#: Widgets of the queue and KPI tabs whose values must outlive a visit to another tab.
KEPT_KEYS = (
    "sla_queue",
    "sla_kpi_period",
    *(f"sla_{part}_{queue}" for queue in queues.Queue for part in ("pick", "page")),
)


def keep_tab_state() -> None:
    """Before any widget exists: the queue, page and conversation picked stay while another tab is open."""
    keep_widget_state(KEPT_KEYS)


def filters(ctx: PageContext) -> queues.QueueFilters:
    """The filter row shared by the queue and the KPIs (KPIs follow the channel)."""
    options = read(queues.filter_options)
    channel_names = dict(options.channels)
    people = dict(options.assignees)
    # Option labels are worked out here, in the page's run: a format function runs later too
    # (when a widget's value is checked), where the reader's language is not known.
    channel_labels = {None: _(ALL), **{c: plain_text(name) for c, name in channel_names.items()}}
    columns = st.columns(4)
    channel = columns[0].selectbox(
        _("Channel"),
        [None, *channel_names],
        format_func=lambda option: plain_text(channel_labels[option]),
        key="sla_filter_channel",
    )
    assignee_choices = [None, ctx.actor.id, UNASSIGNED, *[p for p in people if p != ctx.actor.id]]
    assignee_labels = {p: plain_text(people.get(p, "?")) for p in assignee_choices}
    assignee_labels |= {ctx.actor.id: _("Me"), UNASSIGNED: _("Unassigned"), None: _(ALL)}
    assignee = columns[1].selectbox(
        _("Assignee"),
        assignee_choices,
        format_func=lambda option: plain_text(assignee_labels[option]),
        key="sla_filter_assignee",
    )
    category_labels = {None: _(ALL), **{c: plain_text(c) for c in options.categories}}
    category = columns[2].selectbox(
        _("Category"),
        [None, *options.categories],
        format_func=lambda option: plain_text(category_labels[option]),
        key="sla_filter_category",
    )
    kind_labels = {None: _(ALL), **{k: kind_label(k) for k in options.kinds}}
    kind = columns[3].selectbox(
        _("Kind"),
        [None, *options.kinds],
        format_func=lambda option: plain_text(kind_labels[option]),
        key="sla_filter_kind",
    )
    return queues.QueueFilters(
        channel_id=channel,
        assignee_id=None if assignee in (None, UNASSIGNED) else assignee,
        unassigned=assignee == UNASSIGNED,
        category=category,
        kind=kind,
    )


# -- queue --------------------------------------------------------------------------------------


def render_queue(ctx: PageContext, chosen: queues.QueueFilters) -> None:
    """The queues, and below them the conversation worked on (kept open across queues). The
    queues refresh themselves (a fragment): the conversation's forms below are left alone."""
    st.session_state[_FULL_RUN] = True
    st.fragment(_live_queue, run_every=dt.timedelta(seconds=state.settings().live_refresh_seconds))(ctx, chosen)
    sla_conversation.render(ctx)
    st.session_state[_SHOWN] = sla_conversation.opened_id()
    st.session_state[_FULL_RUN] = False


_FULL_RUN, _SHOWN = "sla_full_run", "sla_panel_shown"


def _live_queue(ctx: PageContext, chosen: queues.QueueFilters) -> None:
    refresh_versions()  # saves and ingests of other processes since the last run
    _queue(ctx, chosen)
    # A conversation picked in the queue (a fragment-only rerun) opens below: the whole page reruns.
    if not st.session_state.get(_FULL_RUN) and sla_conversation.opened_id() != st.session_state.get(_SHOWN):
        st.rerun()


def _queue(ctx: PageContext, chosen: queues.QueueFilters) -> None:
    read_at = queue_now(chosen)
    counts = read(queues.queue_counts, now=read_at, filters=chosen)
    queue_labels = {
        q: _("{queue} ({count})", queue=_(QUEUE_LABELS[q]), count=formats.number(counts.of(q))) for q in queues.Queue
    }
    queue = st.radio(
        _("Queue"),
        list(queues.Queue),
        format_func=lambda option: escape_markdown(queue_labels[option]),
        horizontal=True,
        key="sla_queue",
        label_visibility="collapsed",
    )
    st.caption(_(QUEUE_HELP[queue]))
    total = counts.of(queue)
    offset = 0
    if total > queues.QUEUE_PAGE_SIZE:
        pages = (total - 1) // queues.QUEUE_PAGE_SIZE + 1
        key = f"sla_page_{queue}"
        # The page kept across tabs, never past the last one (the queue may have shrunk); set
        # through the state alone, so the widget has no second default to warn about.
        st.session_state[key] = min(max(int(st.session_state.get(key) or 1), 1), pages)
        number = st.number_input(
            _("Page (of {pages}, {size} per page)", pages=formats.number(pages), size=queues.QUEUE_PAGE_SIZE),
            min_value=1,
            max_value=pages,
            step=1,
            key=key,
        )
        offset = (int(number) - 1) * queues.QUEUE_PAGE_SIZE
    page = read(queues.queue_page, queue=queue, now=read_at, filters=chosen, offset=offset, total=total)
    if not page.items:
        st.info(_empty_text(queue, chosen))
        return
    st.dataframe(
        [_table_row(item, ctx, page.minutes_left(item, utcnow())) for item in page.items],
        hide_index=True,
        placeholder="—",
        width="stretch",
        # Sized so every column fits 1400 px without scrolling sideways; a long message shows
        # whole in the detail below.
        column_config={
            "#": st.column_config.NumberColumn(width=48),
            _("Due (calendar)"): st.column_config.TextColumn(width=112),
            _("Business time left"): st.column_config.TextColumn(width=132),
            _("SLA"): st.column_config.TextColumn(width=72),
            _("Assignee"): st.column_config.TextColumn(width=112),
            _("From"): st.column_config.TextColumn(width=92),
            _("Message"): st.column_config.TextColumn(width=250),
            _("Channel"): st.column_config.TextColumn(width=104),
        },
    )
    items = {item.id: item for item in page.items}
    pick, go = st.columns([6, 1], vertical_alignment="bottom")
    picked = pick.selectbox(
        _("Work on") if ctx.can(Action.work_conversations) else _("Show"),
        list(items),
        format_func=lambda i: plain_text(f"#{i} · {items[i].author_handle} · {_excerpt(items[i].text, 60)}"),
        key=f"sla_pick_{queue}",
        on_change=lambda: sla_conversation.open_conversation(st.session_state.get(f"sla_pick_{queue}")),
    )
    if sla_conversation.opened_id() is None:
        sla_conversation.open_conversation(picked)
    elif picked is not None and picked != sla_conversation.opened_id():
        go.button(_("Open"), key=f"sla_open_{queue}", on_click=sla_conversation.open_conversation, args=(picked,))


def _empty_text(queue: queues.Queue, chosen: queues.QueueFilters) -> str:
    filtered = chosen != queues.QueueFilters()
    if queue == queues.Queue.breached:
        text = _("Nothing is past its deadline. 🎉")
    elif queue == queues.Queue.at_risk:
        text = _("Nothing is close to its deadline.")
    elif queue == queues.Queue.on_track:
        text = _("No open question or complaint is waiting for a first reply.")
    else:
        text = _("Nothing waits for a follow-up.")
    if filtered:
        text += " " + _("Clear the filters above to see every channel and person.")
    return text


def _table_row(item: queues.ConversationRow, ctx: PageContext, minutes_left: float | None) -> dict:
    """One queue row: what decides who acts first, then what it is about. Kind and category (also
    filters), the received time, the link and the escalation's reason are in the conversation's
    detail below the table."""
    owner = item.assignee or _("unassigned")
    if item.escalation_team:
        owner = _("{team} team: {owner}", team=item.escalation_team, owner=item.escalation_owner or _("nobody yet"))
    status = sla_status_label(item.sla_status)
    return {
        "#": item.id,
        _("Due (calendar)"): local_time(item.deadline_at, ctx),
        _("Business time left"): business_left(minutes_left),
        _("SLA"): _("{status} ⚠ reply before message", status=status) if item.reply_before_message else status,
        _("Assignee"): owner,
        _("From"): plain_text(item.author_handle),
        _("Message"): plain_text(_excerpt(item.text)),
        _("Channel"): item.channel,
    }


# -- KPIs ---------------------------------------------------------------------------------------


def render_kpis(ctx: PageContext, chosen: queues.QueueFilters) -> None:
    today = utcnow().astimezone(ctx.timezone).date()
    picked = st.date_input(
        _("Period"), value=(today - dt.timedelta(days=27), today), max_value=today, key="sla_kpi_period"
    )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info(_("Pick the last day of the period as well."))
        return
    start, end = picked
    now = kpis_now()
    values = {
        v.key: v
        for v in read(
            overview.compute_kpis,
            start=start,
            end=end,
            channel_id=chosen.channel_id,
            now=now,
            families=(definitions.Family.speed,),
        )
    }
    received = (
        _(
            "Conversations received {start} – {end} in the chosen channel, against the same number of days before.",
            start=formats.date(start),
            end=formats.date(end),
        )
        if chosen.channel_id
        else _(
            "Conversations received {start} – {end}, against the same number of days before.",
            start=formats.date(start),
            end=formats.date(end),
        )
    )
    st.caption(received + " " + _("Business minutes count only open hours."))
    # Cards of one width that flow into rows (four at 1400 px, two at 1024 px): no label is cut.
    cards = st.container(horizontal=True, gap="medium")
    for key, beside in (
        ("first_response_median", "first_response_median_calendar"),
        ("first_response_p90", "first_response_p90_calendar"),
        ("sla_share", None),
        ("closed_without_escalation", None),
    ):
        value = values.get(key)
        if value is None:
            continue
        card = cards.container(width=210)
        card.metric(
            _(value.label),
            report.format_value(value.value, value.unit),
            delta=report.format_change(value),
            delta_color="inverse" if value.definition.better == definitions.Better.lower else "normal",
            help=_(value.definition.definition),
        )
        if beside and beside in values:
            card.caption(
                _("calendar time: {value}", value=report.format_value(values[beside].value, values[beside].unit))
            )
        if value.detail:
            card.caption(value.detail)
    problems = values.get("replies_before_message")
    if problems is not None and problems.value:
        st.warning(
            ngettext(
                "{count} conversation has a reply stamped before the message: left out of the figures above.",
                "{count} conversations have a reply stamped before the message: left out of the figures above.",
                round(problems.value),
            )
        )
        _render_data_problems(ctx, this_minute())  # its rows show business time left: this minute's
    weeks = max(1, (end - (start - dt.timedelta(days=start.weekday()))).days // 7 + 1)
    trend = read(
        trends.kpi_trends,
        end=end,
        grain=trends.Grain.week,
        count=min(weeks, 26),
        channel_id=chosen.channel_id,
        now=now,
        families=(definitions.Family.speed,),
    )
    rows = [
        dict(row, bucket=row["bucket"].isoformat(), week=formats.short_date(row["bucket"]))
        for row in trend.rows(definitions.Family.speed)
    ]
    if not rows:
        st.info(_("No answered conversations in these weeks yet: the weekly trend appears once replies are logged."))
        return
    _trend_charts(rows)


def _render_data_problems(ctx: PageContext, now: dt.datetime) -> None:
    rows = read(queues.data_problems, now=now)
    shown = formats.number(len(rows)) + ("+" if len(rows) >= 50 else "")
    with st.expander(_("Data problems: first reply before the message ({count}, newest first)", count=shown)):
        st.caption(
            _("Check these in the platform export (time zone, date order) and re-import, or correct the reply time.")
        )
        st.dataframe(
            [
                {
                    "#": r.id,
                    _("Channel"): r.channel,
                    _("From"): r.author_handle,
                    _("Received"): local_time(r.received_at, ctx),
                    _("First reply"): local_time(r.first_reply_at, ctx),
                    _("Status"): status_label(r.status),
                    _("Id in export"): r.external_id or "—",
                }
                for r in rows
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
        )


def _trend_charts(rows: list[dict]) -> None:
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("week:O", title=_("Week of"), sort=None, axis=alt.Axis(labelAngle=0))
    )
    shares = (
        base.transform_filter(alt.datum.unit == definitions.PERCENT)
        .mark_line(point=True)
        .encode(
            y=alt.Y("value:Q", title="%", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("kpi:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("week:O", title=_("Week of")),
                alt.Tooltip("kpi:N", title=_("KPI")),
                alt.Tooltip("value:Q", format=".1f", title="%"),
            ],
        )
        .properties(title=_("Within SLA and closed without escalation, per week"), height=260)
    )
    minutes = (
        base.transform_filter(alt.datum.unit == definitions.MINUTES)
        .mark_bar()
        .encode(
            y=alt.Y("value:Q", title=_("business minutes")),
            tooltip=[
                alt.Tooltip("week:O", title=_("Week of")),
                alt.Tooltip("value:Q", format=",.0f", title=_("median business min")),
            ],
        )
        .properties(title=_("Median time to first response, per week"), height=260)
    )
    left, right = st.columns(2)
    draw(shares, into=left)
    draw(minutes, into=right)
