"""Streamlit side of the idea board: cached reads, capture, filters, board, table, matrix, hot plan.

Reads are cached per database URL and filters (cleared after every write); the rules live in
``core.ideas``. Every write runs in a button callback through ``ui.actions.perform``, so the run
that follows already shows the change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from core import ideas
from core.ideas import BoardFilters, IdeaView
from core.permissions import Action
from core.text import escape_markdown
from db.engine import read_session
from ui import state
from ui.actions import perform
from ui.frame import PageContext

TTL = 60
SELECTED = "ideas_selected"
MODES = ("Board", "Table", "Impact/Cost matrix", "Hot plan", "Import & export")
STATUS_COLOURS = {
    "new": "#9aa5b1",
    "valid": "#4c78a8",
    "invalid": "#c9c9c9",
    "planned": "#f58518",
    "in_progress": "#b279a2",
    "shipped": "#54a24b",
    "declined": "#e45756",
}


md = escape_markdown  # user text made safe for st.markdown


def local(ctx: PageContext, value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(ctx.timezone).strftime(fmt) if value else ""


def db_url() -> str:
    return state.settings().database_url


def _read(fn: Callable):
    with read_session(state.engine()) as session:
        return fn(session)


# --- cached reads (keyed by database URL and plain arguments) --------------------------------


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_kanban(url: str, filters: tuple, sort: str, statuses: tuple[str, ...]) -> list[ideas.KanbanColumn]:
    return _read(lambda s: ideas.kanban(s, filters=BoardFilters(*filters), sort=sort, statuses=statuses))


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_page(url: str, filters: tuple, sort: str, page: int, page_size: int) -> ideas.BoardPage:
    return _read(
        lambda s: ideas.board_page(s, filters=BoardFilters(*filters), sort=sort, page=page, page_size=page_size)
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_matrix(url: str, filters: tuple, top_n: int) -> ideas.MatrixData:
    return _read(lambda s: ideas.matrix(s, filters=BoardFilters(*filters), top_n=top_n))


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_hot_plan(url: str) -> list[IdeaView]:
    return _read(ideas.hot_plan)


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_quick_wins(url: str) -> list[IdeaView]:
    return _read(lambda s: ideas.quick_wins(s, limit=15))


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_similar(url: str, title: str) -> list[ideas.SimilarIdea]:
    return _read(lambda s: ideas.similar_ideas(s, title=title))


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_merge_candidates(url: str, idea_id: int, text: str) -> list[ideas.SimilarIdea]:
    return _read(lambda s: ideas.merge_candidates(s, idea_id=idea_id, text=text))


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_channels(url: str) -> dict[int, str]:
    from core import workspace

    return _read(lambda s: {c.id: c.name for c in workspace.list_channels(s, include_inactive=True)})


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_categories(url: str) -> list[str]:
    return _read(ideas.category_suggestions)


@st.cache_data(ttl=TTL, show_spinner=False)
def cached_thresholds(url: str) -> ideas.Thresholds:
    return _read(ideas.thresholds)


def my_votes(ctx: PageContext, idea_ids: list[int]) -> set[int]:
    """Per user, so not cached across users: one small indexed query for the ideas shown."""
    with read_session(ctx.engine) as session:
        return ideas.my_votes(session, user_id=ctx.actor.id, idea_ids=idea_ids)


# --- small shared pieces ----------------------------------------------------------------------


def open_idea(idea_id: int | None) -> None:
    st.session_state[SELECTED] = idea_id


def idea_facts(idea: IdeaView, *, plan: bool = True, number: bool = True) -> str:
    """The one-line summary under a title: demand, votes, scores, quick win, hot plan."""
    parts = [f"#{idea.id}"] if number else []
    parts += [
        f":material/group: {idea.demand} giver{'s' if idea.demand != 1 else ''}",
        f":material/thumb_up: {idea.votes}",
    ]
    if idea.impact is not None:
        parts.append(f"impact {idea.impact} · cost {idea.cost}")
    if idea.quick_win:
        parts.append(":green[:material/bolt: quick win]")
    if plan and idea.hot_plan_position:
        parts.append(f":orange[:material/local_fire_department: hot plan #{idea.hot_plan_position}]")
    return " · ".join(parts)


# --- capture ----------------------------------------------------------------------------------

_NEW = "ideas_new_"
_CLEAR = "ideas_new_clear"
_DONE = "ideas_new_done"


def _reset_capture_if_asked() -> bool:
    if not st.session_state.pop(_CLEAR, False):
        return False
    for name in ("title", "handles", "description", "link"):
        st.session_state[f"{_NEW}{name}"] = ""
    return True


def _log_idea(ctx: PageContext) -> None:
    get = st.session_state.get
    result = perform(
        ctx,
        lambda s: ideas.log_idea(
            s,
            actor=ctx.actor,
            title=get(f"{_NEW}title", ""),
            description=get(f"{_NEW}description", ""),
            source=get(f"{_NEW}source", "comment"),
            channel_id=get(f"{_NEW}channel"),
            source_url=get(f"{_NEW}link", ""),
            handles=get(f"{_NEW}handles", ""),
            category=get(f"{_NEW}category") or "",
        ),
        rerun=False,
    )
    if result is not None:
        st.session_state[_CLEAR] = True
        st.session_state[_DONE] = f"Idea #{result.id} logged: {result.title}"


def _support(ctx: PageContext, idea_id: int) -> None:
    handles = st.session_state.get(f"{_NEW}handles", "")
    result = perform(
        ctx, lambda s: ideas.add_support(s, actor=ctx.actor, idea_id=idea_id, handles=handles), rerun=False
    )
    if result is not None:
        st.session_state[_CLEAR] = True
        added = f"{result.givers_added} giver(s)" + (" and your vote" if result.vote_added else "")
        st.session_state[_DONE] = f"Added {added} to idea #{idea_id} instead of logging a duplicate."
        open_idea(idea_id)


@st.fragment
def capture(ctx: PageContext) -> None:
    """The short capture form; similar titles appear while typing (after a short pause).

    A fragment, so typing reruns only the form; after a write the whole page reruns to show it."""
    if _reset_capture_if_asked():
        st.rerun()
    url = db_url()
    with st.expander("Log an idea", expanded=True, icon=":material/add_circle:"):
        left, right = st.columns([3, 2])
        title = left.text_input(
            "What did people ask for?",
            key=f"{_NEW}title",
            max_chars=ideas.TITLE_MAX,
            live="400ms",
            placeholder="e.g. Dark mode for the mobile app",
        )
        right.text_input(
            "Who gave it (handles)",
            key=f"{_NEW}handles",
            placeholder="@mila, @jonas",
            help="One or many, separated by commas or spaces. Demand counts distinct people.",
        )
        matches = cached_similar(url, title.strip()) if len(title.strip()) >= 3 else []
        if matches:
            st.caption(
                "Possible duplicates — add the givers (and your vote) to one of these instead of logging a new idea:"
            )
            for match in matches:
                text_col, button_col = st.columns([5, 2])
                text_col.markdown(
                    f"**{md(match.title)}** · #{match.id} · {ideas.STATUS_LABELS[match.status]} · "
                    f":material/group: {match.demand} · :material/thumb_up: {match.votes}"
                )
                button_col.button(
                    f"Add to #{match.id} instead",
                    key=f"ideas_support_{match.id}",
                    on_click=_support,
                    args=(ctx, match.id),
                )
        channels = cached_channels(url)
        a, b, c, d = st.columns(4)
        a.selectbox("Source", list(ideas.SOURCE_LABELS), format_func=ideas.SOURCE_LABELS.get, key=f"{_NEW}source")
        b.selectbox(
            "Channel", [None, *channels], format_func=lambda i: "—" if i is None else channels[i], key=f"{_NEW}channel"
        )
        c.selectbox(
            "Category",
            cached_categories(url),
            index=None,
            key=f"{_NEW}category",
            accept_new_options=True,
            placeholder="pick or type",
            help="Conversation categories in use; impact is later measured by category.",
        )
        d.text_input("Link to the original", key=f"{_NEW}link", placeholder="https://…")
        text_col, button_col = st.columns([6, 1], vertical_alignment="bottom")
        text_col.text_area(
            "Description (optional)",
            key=f"{_NEW}description",
            height=68,
            placeholder="Their words, the context, why it matters.",
        )
        button_col.button("Log idea", type="primary", key="ideas_log", on_click=_log_idea, args=(ctx,), width="stretch")
        done = st.session_state.pop(_DONE, None)
        if done:
            st.success(md(done), icon=":material/check_circle:")


# --- filters ----------------------------------------------------------------------------------


def filter_bar(ctx: PageContext) -> tuple[BoardFilters, str]:
    channels = cached_channels(db_url())
    with st.container(border=True):
        search, status, source, channel, sort = st.columns([3, 2, 2, 2, 2])
        text = search.text_input("Search", key="ideas_f_text", placeholder="words in the title or description")
        statuses = status.multiselect(
            "Status", list(ideas.STATUS_LABELS), format_func=ideas.STATUS_LABELS.get, key="ideas_f_status"
        )
        sources = source.multiselect(
            "Source", list(ideas.SOURCE_LABELS), format_func=ideas.SOURCE_LABELS.get, key="ideas_f_source"
        )
        channel_ids = channel.multiselect("Channel", list(channels), format_func=channels.get, key="ideas_f_channel")
        sort_key = sort.selectbox(
            "Sort by", list(ideas.SORT_LABELS), format_func=ideas.SORT_LABELS.get, key="ideas_sort"
        )
        quick = st.toggle("Quick wins only", key="ideas_f_quick")
    filters = BoardFilters(tuple(statuses), tuple(sources), tuple(channel_ids), quick, text.strip())
    return filters, sort_key


def _key(filters: BoardFilters) -> tuple:
    return dataclasses.astuple(filters)


def _nothing_here(filters: BoardFilters) -> None:
    if filters == BoardFilters():
        st.info(
            "No ideas yet. Log the first one above, or import survey results under **Import & export**.",
            icon=":material/lightbulb:",
        )
    else:
        st.info("No ideas match these filters. Clear a filter or search for fewer words.", icon=":material/search:")


# --- board (kanban) ---------------------------------------------------------------------------


def board(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    closed = st.toggle("Show invalid and declined", key="ideas_show_closed")
    statuses = ideas.OPEN_STATUSES + (ideas.S.shipped,) + ((ideas.S.invalid, ideas.S.declined) if closed else ())
    columns_data = cached_kanban(db_url(), _key(filters), sort, tuple(str(s) for s in statuses))
    if not columns_data or sum(c.count for c in columns_data) == 0:
        _nothing_here(filters)
        return
    for column, data in zip(st.columns(len(columns_data)), columns_data, strict=True):
        with column:
            st.markdown(f"**{data.label}** · {data.count:,}")
            for idea in data.ideas:
                with st.container(border=True):
                    st.markdown(f"**{md(idea.title)}**")
                    st.caption(idea_facts(idea))
                    st.button("Open", key=f"ideas_open_{idea.id}", on_click=open_idea, args=(idea.id,), type="tertiary")
            if data.count > len(data.ideas):
                st.caption(f"+{data.count - len(data.ideas):,} more — see the Table view.")
            elif not data.ideas:
                st.caption("Nothing here.")


# --- table ------------------------------------------------------------------------------------

PAGE_SIZE = 50


def _on_table_select(key: str, rows: list[int]) -> None:
    selection = st.session_state.get(key)
    picked = selection.selection.rows if selection else []
    if picked and picked[0] < len(rows):
        open_idea(rows[picked[0]])


def table(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    page = int(st.session_state.get("ideas_page", 1))
    data = cached_page(db_url(), _key(filters), sort, page, PAGE_SIZE)
    if not data.total:
        _nothing_here(filters)
        return
    first = (data.page - 1) * PAGE_SIZE + 1
    st.caption(f"Ideas {first:,}–{first + len(data.rows) - 1:,} of {data.total:,}. Click a row to open it.")
    ids = [i.id for i in data.rows]
    st.dataframe(
        [
            {
                "#": i.id,
                "Title": i.title,
                "Status": i.status_label,
                "Demand": i.demand,
                "Votes": i.votes,
                "Impact": i.impact,
                "Cost": i.cost,
                "Score": i.score,
                "Quick win": "yes" if i.quick_win else "",
                "Source": i.source_label,
                "Channel": i.channel_name,
                "Category": i.category,
                "Logged": local(ctx, i.created_at, "%Y-%m-%d"),
            }
            for i in data.rows
        ],
        hide_index=True,
        width="stretch",
        key="ideas_table",
        on_select=lambda: _on_table_select("ideas_table", ids),
        selection_mode="single-row",
        placeholder="–",
        height=min(38 + 35 * len(ids), 600),
        column_config={"Title": st.column_config.TextColumn(width="large")},
    )
    if data.pages > 1:
        st.number_input(f"Page (of {data.pages:,})", min_value=1, max_value=data.pages, step=1, key="ideas_page")


# --- Impact/Cost matrix -----------------------------------------------------------------------

MATRIX_TOP_N = 200


def matrix_chart(data: ideas.MatrixData) -> alt.LayerChart:
    """Impact (up) against cost (right); size = demand, colour = status; the quick-win corner shaded."""
    limits = data.thresholds
    # A DataFrame, not inline values: Altair validates inline values point by point (slow).
    points = pd.DataFrame(
        [
            (p.id, p.title, p.status_label, p.impact, p.cost, p.demand, p.votes, "yes" if p.quick_win else "no")
            for p in data.points
        ],
        columns=["id", "title", "status", "impact", "cost", "demand", "votes", "quick_win"],
    )
    x_scale, y_scale = alt.Scale(domain=[0.5, 5.5], nice=False), alt.Scale(domain=[0.5, 5.5], nice=False)
    zone = (
        alt.Chart(alt.Data(values=[{"x": 0.5, "x2": limits.max_cost + 0.5, "y": limits.min_impact - 0.5, "y2": 5.5}]))
        .mark_rect(color="#54a24b", opacity=0.08)
        .encode(x=alt.X("x:Q", scale=x_scale), x2="x2:Q", y=alt.Y("y:Q", scale=y_scale), y2="y2:Q")
    )
    zone_label = (
        alt.Chart(alt.Data(values=[{"x": 0.6, "y": 5.4, "text": "Quick wins"}]))
        .mark_text(align="left", baseline="top", color="#2f7d32", fontWeight="bold")
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="text:N")
    )
    vertical = (
        alt.Chart(alt.Data(values=[{"x": limits.max_cost + 0.5}]))
        .mark_rule(strokeDash=[6, 4], color="#666")
        .encode(x=alt.X("x:Q", scale=x_scale))
    )
    horizontal = (
        alt.Chart(alt.Data(values=[{"y": limits.min_impact - 0.5}]))
        .mark_rule(strokeDash=[6, 4], color="#666")
        .encode(y=alt.Y("y:Q", scale=y_scale))
    )
    pick = alt.selection_point(fields=["id"], name="pick")
    statuses = [ideas.STATUS_LABELS[s] for s in ideas.FLOW_ORDER]
    dots = (
        alt.Chart(points)
        # Ideas share 25 cells: spread them a little, the same way on every run (by id).
        .transform_calculate(
            cost_j="datum.cost + ((datum.id * 37) % 13 - 6) / 20",
            impact_j="datum.impact + ((datum.id * 53) % 13 - 6) / 20",
        )
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "cost_j:Q",
                title="Cost (1 cheap … 5 expensive)",
                scale=x_scale,
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"),
            ),
            y=alt.Y(
                "impact_j:Q",
                title="Impact (1 low … 5 high)",
                scale=y_scale,
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"),
            ),
            size=alt.Size("demand:Q", title="Demand", scale=alt.Scale(range=[30, 900])),
            color=alt.Color(
                "status:N",
                title="Status",
                scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS[s] for s in ideas.FLOW_ORDER]),
            ),
            tooltip=[
                alt.Tooltip("id:Q", title="#"),
                alt.Tooltip("title:N", title="Idea"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("impact:Q", title="Impact"),
                alt.Tooltip("cost:Q", title="Cost"),
                alt.Tooltip("demand:Q", title="Demand (givers)"),
                alt.Tooltip("votes:Q", title="Votes"),
                alt.Tooltip("quick_win:N", title="Quick win"),
            ],
        )
        .add_params(pick)
    )
    return alt.layer(zone, zone_label, vertical, horizontal, dots).properties(height=480)


def _matrix_pick(key: str) -> None:
    state_value = st.session_state.get(key)
    picked = (state_value or {}).get("selection", {}).get("pick") or []
    if picked and "id" in picked[0]:
        open_idea(int(picked[0]["id"]))


def _save_thresholds(ctx: PageContext, version: int) -> None:
    perform(
        ctx,
        lambda s: ideas.set_quick_win_thresholds(
            s,
            actor=ctx.actor,
            min_impact=st.session_state["ideas_min_impact"],
            max_cost=st.session_state["ideas_max_cost"],
            expected_version=version,
        ),
        success="Quick-win rule saved.",
        rerun=False,
    )


def _to_hot_plan(ctx: PageContext, idea_id: int) -> None:
    perform(
        ctx,
        lambda s: ideas.add_to_hot_plan(s, actor=ctx.actor, idea_id=idea_id),
        success=f"Idea #{idea_id} moved to the hot plan.",
        rerun=False,
    )


def matrix(ctx: PageContext, filters: BoardFilters) -> None:
    url = db_url()
    data = cached_matrix(url, _key(filters), MATRIX_TOP_N)
    limits = data.thresholds
    st.caption(
        f"Quick win: impact ≥ {limits.min_impact} and cost ≤ {limits.max_cost} (the shaded corner). "
        "Dot size = demand (distinct givers), colour = status; click a dot to open the idea."
    )
    if not data.points:
        st.info(
            "No scored ideas match these filters. Open an idea and score its impact and cost to place it here.",
            icon=":material/scatter_plot:",
        )
    else:
        st.altair_chart(
            matrix_chart(data), width="stretch", key="ideas_matrix", on_select=lambda: _matrix_pick("ideas_matrix")
        )
        shown = len(data.points)
        note = (
            f"Showing all {shown:,} scored ideas matching the filters."
            if shown >= data.scored
            else f"Showing {shown:,} of {data.scored:,} scored ideas: the {data.top_n} with the highest demand plus the "
            f"{data.top_n} quick wins with the highest demand ({data.quick_wins:,} quick wins in all). "
            "Narrow the filters to see others."
        )
        st.caption(note + " Dots in one cell are spread slightly so they do not hide each other.")
    st.subheader("Quick wins not in the hot plan yet")
    wins = cached_quick_wins(url)
    if not wins:
        st.caption("None right now: score ideas, or adjust the quick-win rule.")
    for idea in wins:
        text_col, open_col, move_col = st.columns([6, 1, 2])
        text_col.markdown(f"**{md(idea.title)}**  \n{idea_facts(idea)} · {idea.status_label}")
        open_col.button("Open", key=f"ideas_qw_open_{idea.id}", on_click=open_idea, args=(idea.id,), type="tertiary")
        if ctx.can(Action.triage_idea):
            # Only valid, planned and in-progress ideas may enter the hot plan: a new one is triaged first.
            eligible = idea.status in ideas.HOT_PLAN_STATUSES
            move_col.button(
                "Move to hot plan",
                key=f"ideas_qw_hot_{idea.id}",
                on_click=_to_hot_plan,
                args=(ctx, idea.id),
                disabled=not eligible,
                help=None if eligible else "Open the idea and mark it valid first.",
            )
    if ctx.can(Action.triage_idea):
        with st.expander("Quick-win rule"):
            a, b = st.columns(2)
            a.number_input("Impact at least", 1, 5, value=limits.min_impact, key="ideas_min_impact")
            b.number_input("Cost at most", 1, 5, value=limits.max_cost, key="ideas_max_cost")
            st.button("Save the rule", key="ideas_save_rule", on_click=_save_thresholds, args=(ctx, limits.version))


# --- hot plan ---------------------------------------------------------------------------------


def _move(ctx: PageContext, idea_id: int, offset: int) -> None:
    perform(ctx, lambda s: ideas.move_in_hot_plan(s, actor=ctx.actor, idea_id=idea_id, offset=offset), rerun=False)


def _remove(ctx: PageContext, idea_id: int) -> None:
    perform(
        ctx,
        lambda s: ideas.remove_from_hot_plan(s, actor=ctx.actor, idea_id=idea_id),
        success=f"Idea #{idea_id} left the hot plan.",
        rerun=False,
    )


def hot_plan(ctx: PageContext) -> None:
    plan = cached_hot_plan(db_url())
    st.caption(
        f"The short list the team works on next (at most {ideas.HOT_PLAN_LIMIT}); shipped or declined ideas leave it."
    )
    if not plan:
        st.info(
            "The hot plan is empty. Move quick wins here from the Impact/Cost matrix view (or from an idea's detail).",
            icon=":material/local_fire_department:",
        )
        return
    triage = ctx.can(Action.triage_idea)
    for n, idea in enumerate(plan):
        with st.container(border=True):
            cols = st.columns([1, 8, 1, 1, 1, 1] if triage else [1, 10, 1])
            cols[0].markdown(f"### {n + 1}")
            cols[1].markdown(f"**{md(idea.title)}**  \n{idea_facts(idea, plan=False)} · {idea.status_label}")
            cols[2].button("Open", key=f"ideas_hp_open_{idea.id}", on_click=open_idea, args=(idea.id,), type="tertiary")
            if triage:
                cols[3].button(
                    "↑",
                    key=f"ideas_hp_up_{idea.id}",
                    on_click=_move,
                    args=(ctx, idea.id, -1),
                    disabled=n == 0,
                    help="Move up",
                )
                cols[4].button(
                    "↓",
                    key=f"ideas_hp_down_{idea.id}",
                    on_click=_move,
                    args=(ctx, idea.id, 1),
                    disabled=n == len(plan) - 1,
                    help="Move down",
                )
                cols[5].button(
                    "✕",
                    key=f"ideas_hp_remove_{idea.id}",
                    on_click=_remove,
                    args=(ctx, idea.id),
                    help="Remove from the hot plan",
                )
