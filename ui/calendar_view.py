"""The calendar screen's views: navigation, filters, month and week grids, the rhythm strip and
the paged list. Every read goes through ``ui.reads``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd
import streamlit as st

from core import formats, i18n
from core.content_plan import queries, status, timing
from core.content_plan.queries import CalendarEntry, CalendarOptions, PostFilter
from core.i18n import N_, _, ngettext
from core.local_time import add_months, days_bounds, local_today, month_start
from core.permissions import Action
from core.text import escape_markdown, plain_text
from db.models import PostStatus
from db.types import utcnow
from ui import charts, reads
from ui.containers import keep_widget_state
from ui.frame import PageContext

# The tabs by their English names (the code's keys); each is shown in the reader's language.
TABS = (N_("Calendar"), N_("Post editor"), N_("Insights"), N_("Import & export"), N_("Rules"))
TAB_KEY = "calendar_tab"
POST_KEY = "calendar_post_id"
ANCHOR_KEY = "calendar_anchor"
GOTO_KEY = "calendar_goto"
MODE_KEY = "calendar_mode"
LIST_KEY = "calendar_list"
LIST_IDS_KEY = "calendar_list_ids"
MONTH, WEEK = "month", "week"  # the view's codes
VIEW_LABELS = {MONTH: N_("Month"), WEEK: N_("Week")}
PAGE_SIZE = 50
MONTH_CELL_POSTS = 3
# A day's tooltip lists this many whole titles, then how many more the week view shows.
TOOLTIP_POSTS = 15
BLOCKED_MARK = ":material/block:"
WEEK_CELL_POSTS = 12
LOAD_LABELS = {"high": N_("high load"), "low": N_("low load")}  # high first, as the chart's colours
# A share in percent in a table column (printf-style; the value is 0–100).
PERCENT_COLUMN = "%.2f %%"
# The date picker's pattern (Streamlit takes only these separators and orders).
_DATE_INPUT_FORMATS = {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"}

STATUS_COLOURS = {
    PostStatus.draft: "gray",
    PostStatus.in_review: "orange",
    PostStatus.approved: "violet",
    PostStatus.scheduled: "blue",
    PostStatus.published: "green",
    PostStatus.cancelled: "gray",
}
SORT_LABELS = {
    "scheduled_at": N_("Date"),
    "title": N_("Title"),
    "status": N_("Status"),
    "channel": N_("Channel"),
    "rubric": N_("Rubric"),
    "owner": N_("Owner"),
    "impressions": N_("Impressions"),
    "conversion_rate": N_("Next-step conversion"),
    "dialog": N_("Dialog created"),
}
# The built-in rubrics (stored by their English names, core.workspace.BUILTIN_RUBRICS) are shown
# in the reader's language; a team's own rubrics are shown as typed.
BUILTIN_RUBRIC_LABELS = {
    "Myth vs fact": N_("Myth vs fact"),
    "How it works": N_("How it works"),
    "Question of the week": N_("Question of the week"),
    "Ideas for the product": N_("Ideas for the product"),
    "Digest of the week": N_("Digest of the week"),
    "Open retro": N_("Open retro"),
    "You asked, we did": N_("You asked, we did"),
}
md = escape_markdown  # user text made inert for Markdown


def md_lines(text: object) -> str:
    """Like ``md`` but keeping the text's line breaks (for messages that list several points)."""
    return "  \n".join(md(line) for line in str(text).splitlines() if line.strip())


def labelled(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """A select box's ``format_func`` from labels already in the reader's language (options are
    shown as typed): whoever formats an option later (AppTest does, outside the page's run) sees
    the language the page was drawn in."""
    fixed = dict(labels)
    return lambda value: plain_text(fixed.get(value, ""))


def labelled_md(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """``labelled`` for the options of a segmented control (drawn as Markdown)."""
    fixed = dict(labels)
    return lambda value: md(fixed.get(value, ""))


def rubric_label(name: str | None) -> str:
    """A rubric's name to show: a built-in one in the reader's language, a team's own as typed
    (plain, not yet escaped)."""
    if not name:
        return ""
    label = BUILTIN_RUBRIC_LABELS.get(name)
    return _(label) if label else name


def status_label(code: str) -> str:
    return _(status.STATUS_LABELS[code])


def when(instant: dt.datetime | None, tz: ZoneInfo, *, weekday: bool = False) -> str:
    """An instant as the workspace's wall time in the reader's format ("" for none)."""
    if instant is None:
        return ""
    local = instant.astimezone(tz)
    if weekday:
        return f"{formats.weekday_name(local, 'abbreviated')} {formats.short_date(local)} {formats.time(local)}"
    return formats.date_time(local)


def clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# --- navigation and page state ---------------------------------------------------------------


def today(ctx: PageContext) -> dt.date:
    return local_today(utcnow(), ctx.timezone)


def open_post(post_id: int | None) -> None:
    """Callback: show a post (None: a new one) in the editor tab."""
    st.session_state[POST_KEY] = post_id
    st.session_state[TAB_KEY] = _("Post editor")


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


def _tab_code(label: object) -> str | None:
    """The tab whose label (in any language) ``label`` is."""
    for code in TABS:
        if label == code or any(label == i18n.translated(code, language) for language in i18n.LANGUAGES):
            return code
    return None


def prepare_state(ctx: PageContext) -> None:
    """Defaults and pending jumps, applied before any widget of the page exists."""
    keep_widget_state(KEPT_KEYS)
    # The open tab is kept by its label: after a change of language, the same tab in the new one.
    chosen = _tab_code(st.session_state.get(TAB_KEY))
    if chosen is not None:
        st.session_state[TAB_KEY] = _(chosen)
    st.session_state.setdefault(ANCHOR_KEY, today(ctx))
    st.session_state.setdefault(MODE_KEY, MONTH)
    st.session_state.setdefault(POST_KEY, None)
    if GOTO_KEY in st.session_state:
        st.session_state[ANCHOR_KEY] = st.session_state.pop(GOTO_KEY)


def tab_labels(ctx: PageContext) -> list[str]:
    """The tabs the role may open, by their codes (``TABS``)."""
    return [t for t in TABS if t != "Rules" or ctx.can(Action.manage_content_rules)]


# --- filters ---------------------------------------------------------------------------------


def filter_bar(options: CalendarOptions) -> PostFilter:
    channels = {c.id: c.name for c in options.channels}
    rubrics = {r.id: r.name for r in options.rubrics}
    people = {p.id: p.label for p in options.people}
    cols = st.columns(4)
    channel_ids = cols[0].multiselect(
        _("Channel"),
        list(channels),
        format_func=lambda value: plain_text(channels.get(value)),
        key="calendar_f_channels",
        placeholder=_("All channels"),
    )
    rubric_ids = cols[1].multiselect(
        _("Rubric"),
        list(rubrics),
        format_func=labelled({i: plain_text(rubric_label(name)) for i, name in rubrics.items()}),
        key="calendar_f_rubrics",
        placeholder=_("All rubrics"),
    )
    statuses = cols[2].multiselect(
        _("Status"),
        list(status.STATUS_LABELS),
        format_func=labelled({code: status_label(code) for code in status.STATUS_LABELS}),
        key="calendar_f_statuses",
        placeholder=_("All statuses"),
    )
    owner_ids = cols[3].multiselect(
        _("Owner"),
        list(people),
        format_func=lambda value: plain_text(people.get(value)),
        key="calendar_f_owners",
        placeholder=_("Everyone"),
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
    row.segmented_control(
        _("View"),
        [MONTH, WEEK],
        key=MODE_KEY,
        required=True,
        format_func=labelled_md({code: _(label) for code, label in VIEW_LABELS.items()}),
    )
    row.button(
        _("Earlier"), icon=":material/chevron_left:", on_click=_shift, args=(-1, today(ctx)), key="calendar_prev"
    )
    row.button(_("Today"), on_click=_go_to, args=(today(ctx),), key="calendar_today")
    row.button(
        _("Later"),
        icon=":material/chevron_right:",
        icon_position="right",
        on_click=_shift,
        args=(1, today(ctx)),
        key="calendar_next",
    )
    row.date_input(_("Go to"), key=ANCHOR_KEY, format=_DATE_INPUT_FORMATS.get(i18n.current(), "YYYY-MM-DD"), width=150)
    if ctx.can(Action.draft_post):  # only what the role can do: readers get no "New post"
        row.space("stretch")
        row.button(
            _("New post"), icon=":material/add:", type="primary", on_click=open_post, args=(None,), key="calendar_new"
        )


def legend() -> None:
    parts = [f":{STATUS_COLOURS[s]}-badge[{_(label)}]" for s, label in status.STATUS_LABELS.items()]
    blocked_label = _("blocked by compliance")
    blocked = f":red-badge[{BLOCKED_MARK} {blocked_label}]"
    st.caption(_("Colours by status: {badges} · {blocked}", badges=" ".join(parts), blocked=blocked))


def _badge(entry: CalendarEntry, tz: ZoneInfo) -> str:
    colour = "red" if entry.blocked else STATUS_COLOURS.get(entry.status, "gray")
    time = formats.time(entry.scheduled_at.astimezone(tz)) if entry.scheduled_at else ""
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
    for index in range(7):  # the grid starts on a Monday
        header[index].markdown(f"**{formats.weekday_name(first + dt.timedelta(days=index), 'abbreviated')}**")
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
                help=_day_help(day, today=day == now),
            )
            lines = [_entry_line(e, ctx.timezone, 26) for e in items[:MONTH_CELL_POSTS]]
            if len(items) > MONTH_CELL_POSTS:
                more = ngettext("+{count} more", "+{count} more", len(items) - MONTH_CELL_POSTS)
                lines.append(f":small[:gray[{more}]]")
            if lines:
                # A cell has room for the start of each title; the whole titles show on hover.
                cell.markdown("  \n".join(lines), help=_full_titles(items, ctx.timezone))
            day += dt.timedelta(days=1)


def _day_help(day: dt.date, *, today: bool) -> str:
    name = f"{formats.weekday_name(day)} {formats.date(day)}"
    if today:
        return _("Today, {day}: open this week", day=name)
    return _("{day}: open this week", day=name)


def _full_titles(entries: list[CalendarEntry], tz: ZoneInfo) -> str:
    """The day's posts with their whole titles, one a line (the tooltip of a month cell); on a
    busy day the first ``TOOLTIP_POSTS`` and how many more there are."""
    lines = [
        f"{formats.time(e.scheduled_at.astimezone(tz)) if e.scheduled_at else ''} {md(e.title)} · "
        f"{md(e.channel_name)} · {status_label(e.status)}"
        for e in entries[:TOOLTIP_POSTS]
    ]
    if len(entries) > TOOLTIP_POSTS:
        more = len(entries) - TOOLTIP_POSTS
        lines.append(ngettext("+{count} more: open the week", "+{count} more: open the week", more))
    return "  \n".join(lines)


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
            label = f"{formats.weekday_name(day, 'abbreviated')} {formats.short_date(day)}"
            if day == now:
                today_label = _("{day} · today", day=label)
                heading.markdown(f":primary-badge[{today_label}]")
            else:
                heading.markdown(f"**{label}**")
            if not items:
                posts.caption(_("Nothing planned"))
            for entry in items[:WEEK_CELL_POSTS]:
                posts.button(
                    _entry_line(entry, ctx.timezone, 200),
                    key=f"calendar_open_{entry.id}",
                    type="tertiary",
                    on_click=open_post,
                    args=(entry.id,),
                    help=_("{status} · open the post", status=status_label(entry.status)),
                )
                rubric = rubric_label(entry.rubric_name) or _("no rubric")
                load = _(LOAD_LABELS.get(entry.cognitive_load, entry.cognitive_load))
                posts.caption(f"{md(entry.channel_name)} · {md(rubric)} · {load}")
            if len(items) > WEEK_CELL_POSTS:
                posts.caption(
                    ngettext(
                        "+{count} more — see the list below",
                        "+{count} more — see the list below",
                        len(items) - WEEK_CELL_POSTS,
                    )
                )


def rhythm_strip(ctx: PageContext, options: CalendarOptions, entries: list[CalendarEntry], week_start: dt.date) -> None:
    start, end = days_bounds(week_start, week_start + dt.timedelta(days=6), ctx.timezone)
    week = [e for e in entries if e.scheduled_at is not None and start <= e.scheduled_at < end]
    st.subheader(
        _("Rhythm of the week from {day}", day=formats.short_date(week_start)),
        help=_("Alternate high and low cognitive load: a run of demanding posts tires the audience."),
    )
    points = queries.rhythm_points(week, limit=options.rhythm_limit)
    if not points:
        st.caption(_("No posts planned this week yet."))
        return
    high, low = (_(label) for label in LOAD_LABELS.values())
    fine, too_long = _("ok"), _("run too long")
    frame = pd.DataFrame(
        {
            "channel": [p.channel for p in points],
            "when": [p.at.astimezone(ctx.timezone).replace(tzinfo=None) for p in points],
            "load": [_(LOAD_LABELS.get(p.load, p.load)) for p in points],
            "title": [p.title for p in points],
            "rhythm": [too_long if p.over_limit else fine for p in points],
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
                "load:N", scale=alt.Scale(domain=[high, low], range=["#d1495b", "#66a182"]), title=_("Load")
            ),
            shape=alt.Shape(
                "rhythm:N",
                scale=alt.Scale(domain=[fine, too_long], range=["circle", "triangle-up"]),
                title=_("Rhythm"),
            ),
            tooltip=[
                alt.Tooltip("title:N", title=_("Post")),
                alt.Tooltip("when:T", title=_("When"), format="%a %d %b %H:%M"),
                alt.Tooltip("load:N", title=_("Load")),
                alt.Tooltip("rhythm:N", title=_("Rhythm")),
            ],
        )
        .properties(height=40 + 38 * frame["channel"].nunique())
    )
    charts.draw(chart)
    runs = sorted({p.channel for p in points if p.over_limit})
    if runs:
        st.warning(
            _(
                "More than {limit} high-load posts in a row in: {channels}. Put something light in between.",
                limit=options.rhythm_limit,
                channels=md(", ".join(runs)),
            )
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
    sort = cols[0].selectbox(
        _("Sort by"),
        list(SORT_LABELS),
        format_func=labelled({code: _(label) for code, label in SORT_LABELS.items()}),
        key="calendar_sort",
    )
    descending = cols[1].toggle(_("Descending"), key="calendar_desc")
    st.session_state.setdefault("calendar_page", 1)
    page_no = cols[2].number_input(_("Page"), min_value=1, step=1, key="calendar_page")
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
    cols[3].caption(
        ngettext(
            "{count} post in this view · page {page} of {pages}",
            "{count} posts in this view · page {page} of {pages}",
            result.total,
            page=result.page,
            pages=result.pages,
        )
    )
    if not result.rows:
        st.info(_("No posts in this view. Change the filters, move to another month, or start a new post."))
        return
    st.session_state[LIST_IDS_KEY] = [e.id for e in result.rows]
    tz = ctx.timezone
    # What a row is (when, status, title) first; sized to fit 1400 px without scrolling sideways.
    # Load and next step are on the post itself (and the rhythm strip above shows the load).
    blocked = _("Blocked · {status}")
    frame = pd.DataFrame(
        {
            "#": [e.id for e in result.rows],
            "when": [when(e.scheduled_at, tz, weekday=True) for e in result.rows],
            "status": [
                blocked.format(status=status_label(e.status)) if e.blocked else status_label(e.status)
                for e in result.rows
            ],
            "title": [e.title for e in result.rows],
            "channel": [e.channel_name for e in result.rows],
            "rubric": [rubric_label(e.rubric_name) or None for e in result.rows],
            "owner": [e.owner_name for e in result.rows],
            "impressions": [e.impressions for e in result.rows],
            "conversion": [None if e.conversion_rate is None else 100 * e.conversion_rate for e in result.rows],
            "dialog": [e.conversations for e in result.rows],
        }
    )
    # The columns by code; each header in the reader's language.
    frame.columns = [
        "#",
        _("When"),
        _("Status"),
        _("Title"),
        _("Channel"),
        _("Rubric"),
        _("Owner"),
        _("Impressions"),
        _("Conversion"),
        _("Dialog"),
    ]
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
            _("When"): st.column_config.TextColumn(width=112, help=_("Planned time, {zone}", zone=tz.key)),
            _("Status"): st.column_config.TextColumn(width=112),
            _("Title"): st.column_config.TextColumn(width=140),
            _("Channel"): st.column_config.TextColumn(width=88),
            _("Rubric"): st.column_config.TextColumn(width=88),
            _("Owner"): st.column_config.TextColumn(width=96),
            _("Impressions"): st.column_config.NumberColumn(width=76, format="localized"),
            _("Conversion"): st.column_config.NumberColumn(
                _("Conversion"), format=PERCENT_COLUMN, width=80, help=_("Next-step conversions ÷ impressions")
            ),
            _("Dialog"): st.column_config.NumberColumn(
                _("Dialog"),
                width=64,
                help=_("Conversations on the post: the dialog it created (open the post to see them)"),
            ),
        },
    )
    st.caption(_("Select a row to open the post in the editor."))


def unscheduled_list(filters: PostFilter) -> None:
    items = reads.read(queries.unscheduled_posts, filters=filters)
    count = f"{len(items)}{'+' if len(items) >= 50 else ''}"
    with st.expander(_("Not scheduled yet ({count})", count=count)):
        if not items:
            st.caption(_("Every open post has a date."))
        for entry in items:
            st.button(
                f"#{entry.id} {md(entry.title)} · {md(entry.channel_name)} · {status_label(entry.status)}",
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
        st.subheader(formats.month_year(anchor))
        month_grid(ctx, first, last, entries)
    else:
        st.subheader(_("Week {first} – {last}", first=formats.short_date(first), last=formats.date(last)))
        week_grid(ctx, first, entries)
    legend()
    rhythm_strip(ctx, options, entries, timing.week_of(anchor)[0])
    st.subheader(_("All posts in this view"))
    post_list(ctx, start, end, filters)
    unscheduled_list(filters)
