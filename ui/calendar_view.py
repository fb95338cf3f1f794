"""The calendar screen's views: navigation, filters, month and week grids, the rhythm strip and
the paged list. Every read goes through ``ui.reads``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd
import streamlit as st

from core.content_plan import queries, status, timing
from core.content_plan.queries import CalendarEntry, CalendarOptions, PostFilter
from core.local_time import add_months, days_bounds, local_today, month_start
from core.permissions import Action
from core.text import escape_markdown, plain_text
from db.models import PostStatus
from db.types import utcnow
from ui import reads
from ui.containers import keep_widget_state
from ui.frame import PageContext

TABS = ("Calendar", "Post editor", "Insights", "Import & export", "Rules")
TAB_KEY = "calendar_tab"
POST_KEY = "calendar_post_id"
ANCHOR_KEY = "calendar_anchor"
GOTO_KEY = "calendar_goto"
MODE_KEY = "calendar_mode"
LIST_KEY = "calendar_list"
LIST_IDS_KEY = "calendar_list_ids"
MONTH, WEEK = "Month", "Week"
PAGE_SIZE = 50
MONTH_CELL_POSTS = 3
BLOCKED_MARK = ":material/block:"
WEEK_CELL_POSTS = 12

STATUS_COLOURS = {
    PostStatus.draft: "gray",
    PostStatus.in_review: "orange",
    PostStatus.approved: "violet",
    PostStatus.scheduled: "blue",
    PostStatus.published: "green",
    PostStatus.cancelled: "gray",
}
SORT_LABELS = {
    "scheduled_at": "Date",
    "title": "Title",
    "status": "Status",
    "channel": "Channel",
    "rubric": "Rubric",
    "owner": "Owner",
    "impressions": "Impressions",
    "conversion_rate": "Next-step conversion",
    "dialog": "Dialog created",
}
md = escape_markdown  # user text made inert for Markdown


def md_lines(text: object) -> str:
    """Like ``md`` but keeping the text's line breaks (for messages that list several points)."""
    return "  \n".join(md(line) for line in str(text).splitlines() if line.strip())


def clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# --- navigation and page state ---------------------------------------------------------------


def today(ctx: PageContext) -> dt.date:
    return local_today(utcnow(), ctx.timezone)


def open_post(post_id: int | None) -> None:
    """Callback: show a post (None: a new one) in the editor tab."""
    st.session_state[POST_KEY] = post_id
    st.session_state[TAB_KEY] = "Post editor"


def _go_to(day: dt.date, mode: str | None = None) -> None:
    st.session_state[ANCHOR_KEY] = day
    if mode:
        st.session_state[MODE_KEY] = mode


def _shift(step: int, today: dt.date) -> None:
    anchor = st.session_state.get(ANCHOR_KEY) or today
    if st.session_state.get(MODE_KEY, MONTH) == WEEK:
        st.session_state[ANCHOR_KEY] = anchor + dt.timedelta(weeks=step)
    else:
        st.session_state[ANCHOR_KEY] = add_months(month_start(anchor), step)


#: Widgets of the calendar tab whose values must outlive a visit to another tab.
KEPT_KEYS = (ANCHOR_KEY, MODE_KEY, "calendar_sort", "calendar_desc", "calendar_page")


def prepare_state(ctx: PageContext) -> None:
    """Defaults and pending jumps, applied before any widget of the page exists."""
    keep_widget_state(KEPT_KEYS)
    st.session_state.setdefault(ANCHOR_KEY, today(ctx))
    st.session_state.setdefault(MODE_KEY, MONTH)
    st.session_state.setdefault(POST_KEY, None)
    if GOTO_KEY in st.session_state:
        st.session_state[ANCHOR_KEY] = st.session_state.pop(GOTO_KEY)


def tab_labels(ctx: PageContext) -> list[str]:
    return [t for t in TABS if t != "Rules" or ctx.can(Action.manage_content_rules)]


# --- filters ---------------------------------------------------------------------------------


def filter_bar(options: CalendarOptions) -> PostFilter:
    channels = {c.id: c.name for c in options.channels}
    rubrics = {r.id: r.name for r in options.rubrics}
    people = {p.id: p.label for p in options.people}
    cols = st.columns(4)
    channel_ids = cols[0].multiselect(
        "Channel",
        list(channels),
        format_func=lambda value: plain_text(channels.get(value)),
        key="calendar_f_channels",
        placeholder="All channels",
    )
    rubric_ids = cols[1].multiselect(
        "Rubric",
        list(rubrics),
        format_func=lambda value: plain_text(rubrics.get(value)),
        key="calendar_f_rubrics",
        placeholder="All rubrics",
    )
    statuses = cols[2].multiselect(
        "Status",
        list(status.STATUS_LABELS),
        format_func=status.STATUS_LABELS.get,
        key="calendar_f_statuses",
        placeholder="All statuses",
    )
    owner_ids = cols[3].multiselect(
        "Owner",
        list(people),
        format_func=lambda value: plain_text(people.get(value)),
        key="calendar_f_owners",
        placeholder="Everyone",
    )
    return PostFilter(tuple(channel_ids), tuple(rubric_ids), tuple(statuses), tuple(owner_ids))


def window(ctx: PageContext) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    anchor = st.session_state[ANCHOR_KEY]
    first, last = timing.month_grid(anchor) if st.session_state[MODE_KEY] == MONTH else timing.week_of(anchor)
    start, end = days_bounds(first, last, ctx.timezone)
    return first, last, start, end


def navigation(ctx: PageContext) -> None:
    # One row that wraps on a narrow screen: every control keeps the width its label needs.
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
    row.segmented_control("View", [MONTH, WEEK], key=MODE_KEY, required=True)
    row.button("Earlier", icon=":material/chevron_left:", on_click=_shift, args=(-1, today(ctx)), key="calendar_prev")
    row.button("Today", on_click=_go_to, args=(today(ctx),), key="calendar_today")
    row.button(
        "Later",
        icon=":material/chevron_right:",
        icon_position="right",
        on_click=_shift,
        args=(1, today(ctx)),
        key="calendar_next",
    )
    row.date_input("Go to", key=ANCHOR_KEY, format="YYYY-MM-DD", width=150)
    if ctx.can(Action.draft_post):  # only what the role can do: readers get no "New post"
        row.space("stretch")
        row.button(
            "New post", icon=":material/add:", type="primary", on_click=open_post, args=(None,), key="calendar_new"
        )


def legend() -> None:
    parts = [f":{STATUS_COLOURS[s]}-badge[{label}]" for s, label in status.STATUS_LABELS.items()]
    st.caption("Colours by status: " + " ".join(parts) + f" · :red-badge[{BLOCKED_MARK} blocked by compliance]")


def _badge(entry: CalendarEntry, tz: ZoneInfo) -> str:
    colour = "red" if entry.blocked else STATUS_COLOURS.get(entry.status, "gray")
    time = timing.format_local(entry.scheduled_at, tz, "%H:%M")
    mark = f"{BLOCKED_MARK} " if entry.blocked else ""
    return f":{colour}-badge[{mark}{time}]"


def _entry_line(entry: CalendarEntry, tz: ZoneInfo, length: int) -> str:
    title = md(clip(entry.title, length))
    if entry.status == PostStatus.cancelled:
        title = f"~~{title}~~"
    return f"{_badge(entry, tz)} :small[{title}]"


# --- month and week grids --------------------------------------------------------------------


def month_grid(ctx: PageContext, first: dt.date, last: dt.date, entries: list[CalendarEntry]) -> None:
    by_day = queries.entries_by_day(entries, ctx.timezone)
    anchor, now = st.session_state[ANCHOR_KEY], today(ctx)
    header = st.columns(7, gap="small")
    for index, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        header[index].markdown(f"**{name}**")
    day = first
    while day <= last:
        cells = st.columns(7, gap="small", border=True)
        for cell in cells:
            items = by_day.get(day, [])
            label = f"**{day.day}**" if day.month == anchor.month else f":gray[{day.day}]"
            if day == now:
                label = f":primary-badge[{day.day}]"  # short: it fits the narrowest cell
            cell.button(
                label,
                key=f"calendar_day_{day.isoformat()}",
                type="tertiary",
                on_click=_go_to,
                args=(day, WEEK),
                help=f"{'Today, ' if day == now else ''}{day:%A %d %B}: open this week",
            )
            lines = [_entry_line(e, ctx.timezone, 26) for e in items[:MONTH_CELL_POSTS]]
            if len(items) > MONTH_CELL_POSTS:
                lines.append(f":small[:gray[+{len(items) - MONTH_CELL_POSTS} more]]")
            if lines:
                # A cell has room for the start of each title; the whole titles show on hover.
                cell.markdown("  \n".join(lines), help=_full_titles(items, ctx.timezone))
            day += dt.timedelta(days=1)


def _full_titles(entries: list[CalendarEntry], tz: ZoneInfo) -> str:
    """The day's posts with their whole titles, one a line (the tooltip of a month cell)."""
    return "  \n".join(
        f"{timing.format_local(e.scheduled_at, tz, '%H:%M')} {md(e.title)} · {md(e.channel_name)} · "
        f"{status.STATUS_LABELS[e.status]}"
        for e in entries
    )


def week_grid(ctx: PageContext, first: dt.date, entries: list[CalendarEntry]) -> None:
    """The week as an agenda: a row per day with every post's whole title (a row has the room a
    seventh of the screen has not)."""
    by_day = queries.entries_by_day(entries, ctx.timezone)
    now = today(ctx)
    for offset in range(7):
        day = first + dt.timedelta(days=offset)
        items = by_day.get(day, [])
        with st.container(border=True):
            heading, posts = st.columns([1, 5], gap="medium")
            label = f"{day:%a %d %b}"
            heading.markdown(f":primary-badge[{label} · today]" if day == now else f"**{label}**")
            if not items:
                posts.caption("Nothing planned")
            for entry in items[:WEEK_CELL_POSTS]:
                posts.button(
                    _entry_line(entry, ctx.timezone, 200),
                    key=f"calendar_open_{entry.id}",
                    type="tertiary",
                    on_click=open_post,
                    args=(entry.id,),
                    help=f"{status.STATUS_LABELS[entry.status]} · open the post",
                )
                posts.caption(
                    f"{md(entry.channel_name)} · {md(entry.rubric_name or 'no rubric')} · {entry.cognitive_load} load"
                )
            if len(items) > WEEK_CELL_POSTS:
                posts.caption(f"+{len(items) - WEEK_CELL_POSTS} more — see the list below")


def rhythm_strip(ctx: PageContext, options: CalendarOptions, entries: list[CalendarEntry], week_start: dt.date) -> None:
    start, end = days_bounds(week_start, week_start + dt.timedelta(days=6), ctx.timezone)
    week = [e for e in entries if e.scheduled_at is not None and start <= e.scheduled_at < end]
    st.subheader(
        f"Rhythm of the week from {week_start:%d %b}",
        help="Alternate high and low cognitive load: a run of demanding posts tires the audience.",
    )
    points = queries.rhythm_points(week, limit=options.rhythm_limit)
    if not points:
        st.caption("No posts planned this week yet.")
        return
    frame = pd.DataFrame(
        {
            "channel": [p.channel for p in points],
            "when": [p.at.astimezone(ctx.timezone).replace(tzinfo=None) for p in points],
            "load": [p.load for p in points],
            "title": [p.title for p in points],
            "rhythm": ["run too long" if p.over_limit else "ok" for p in points],
        }
    )
    chart = (
        alt.Chart(frame)
        .mark_point(filled=True, size=220)
        .encode(
            x=alt.X(
                "when:T",
                title=None,
                scale=alt.Scale(domain=[week_start.isoformat(), (week_start + dt.timedelta(days=7)).isoformat()]),
                axis=alt.Axis(format="%a %d", tickCount=7),
            ),
            y=alt.Y("channel:N", title=None),
            color=alt.Color(
                "load:N", scale=alt.Scale(domain=["high", "low"], range=["#d1495b", "#66a182"]), title="Load"
            ),
            shape=alt.Shape(
                "rhythm:N",
                scale=alt.Scale(domain=["ok", "run too long"], range=["circle", "triangle-up"]),
                title="Rhythm",
            ),
            tooltip=[
                alt.Tooltip("title:N", title="Post"),
                alt.Tooltip("when:T", title="When", format="%a %d %b %H:%M"),
                "load:N",
                "rhythm:N",
            ],
        )
        .properties(height=40 + 38 * frame["channel"].nunique())
    )
    st.altair_chart(chart, width="stretch")
    runs = sorted({p.channel for p in points if p.over_limit})
    if runs:
        st.warning(
            f"More than {options.rhythm_limit} high-load posts in a row in: {md(', '.join(runs))}. Put something light in between."
        )


# --- list ------------------------------------------------------------------------------------


def _select_from_list() -> None:
    selection = st.session_state.get(LIST_KEY)
    rows = selection.selection.rows if selection is not None else []
    ids = st.session_state.get(LIST_IDS_KEY, [])
    if rows and rows[0] < len(ids):
        open_post(ids[rows[0]])


def post_list(ctx: PageContext, start: dt.datetime, end: dt.datetime, filters: PostFilter) -> None:
    cols = st.columns([2, 1.5, 1, 1.5], vertical_alignment="bottom")  # "Descending" stays whole at 1024 px
    sort = cols[0].selectbox("Sort by", list(SORT_LABELS), format_func=SORT_LABELS.get, key="calendar_sort")
    descending = cols[1].toggle("Descending", key="calendar_desc")
    st.session_state.setdefault("calendar_page", 1)
    page_no = cols[2].number_input("Page", min_value=1, step=1, key="calendar_page")
    result = reads.read(
        queries.list_posts,
        start=start,
        end=end,
        filters=filters,
        sort=sort,
        descending=descending,
        page=int(page_no),
        page_size=PAGE_SIZE,
    )
    cols[3].caption(f"{result.total} post(s) in this view · page {result.page} of {result.pages}")
    if not result.rows:
        st.info("No posts in this view. Change the filters, move to another month, or start a new post.")
        return
    st.session_state[LIST_IDS_KEY] = [e.id for e in result.rows]
    tz = ctx.timezone
    # What a row is (when, status, title) first; sized to fit 1400 px without scrolling sideways.
    # Load and next step are on the post itself (and the rhythm strip above shows the load).
    frame = pd.DataFrame(
        {
            "#": [e.id for e in result.rows],
            "When": [timing.format_local(e.scheduled_at, tz, "%a %d %b %H:%M") for e in result.rows],
            "Status": [("Blocked · " if e.blocked else "") + status.STATUS_LABELS[e.status] for e in result.rows],
            "Title": [e.title for e in result.rows],
            "Channel": [e.channel_name for e in result.rows],
            "Rubric": [e.rubric_name for e in result.rows],
            "Owner": [e.owner_name for e in result.rows],
            "Impressions": [e.impressions for e in result.rows],
            "Conversion": [None if e.conversion_rate is None else 100 * e.conversion_rate for e in result.rows],
            "Dialog": [e.conversations for e in result.rows],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        placeholder="—",
        width="stretch",
        key=LIST_KEY,
        on_select=_select_from_list,
        selection_mode="single-row",
        column_config={
            "#": st.column_config.NumberColumn(width=48),
            "When": st.column_config.TextColumn(width=112, help=f"Planned time, {tz.key}"),
            "Status": st.column_config.TextColumn(width=112),
            "Title": st.column_config.TextColumn(width=140),
            "Channel": st.column_config.TextColumn(width=88),
            "Rubric": st.column_config.TextColumn(width=88),
            "Owner": st.column_config.TextColumn(width=96),
            "Impressions": st.column_config.NumberColumn(width=76),
            "Conversion": st.column_config.NumberColumn(
                "Conversion", format="%.2f %%", width=80, help="Next-step conversions ÷ impressions"
            ),
            "Dialog": st.column_config.NumberColumn(
                "Dialog", width=64, help="Conversations on the post: the dialog it created (open the post to see them)"
            ),
        },
    )
    st.caption("Select a row to open the post in the editor.")


def unscheduled_list(filters: PostFilter) -> None:
    items = reads.read(queries.unscheduled_posts, filters=filters)
    with st.expander(f"Not scheduled yet ({len(items)}{'+' if len(items) >= 50 else ''})"):
        if not items:
            st.caption("Every open post has a date.")
        for entry in items:
            st.button(
                f"#{entry.id} {md(entry.title)} · {md(entry.channel_name)} · {status.STATUS_LABELS[entry.status]}",
                key=f"calendar_open_undated_{entry.id}",
                type="tertiary",
                on_click=open_post,
                args=(entry.id,),
            )


def calendar_tab(ctx: PageContext, options: CalendarOptions, filters: PostFilter) -> None:
    navigation(ctx)
    first, last, start, end = window(ctx)
    entries = reads.read(queries.calendar_entries, start=start, end=end, filters=filters)
    anchor = st.session_state[ANCHOR_KEY]
    if st.session_state[MODE_KEY] == MONTH:
        st.subheader(f"{anchor:%B %Y}")
        month_grid(ctx, first, last, entries)
    else:
        st.subheader(f"Week {first:%d %b} – {last:%d %b %Y}")
        week_grid(ctx, first, entries)
    legend()
    rhythm_strip(ctx, options, entries, timing.week_of(anchor)[0])
    st.subheader("All posts in this view")
    post_list(ctx, start, end, filters)
    unscheduled_list(filters)
