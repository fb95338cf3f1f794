"""Streamlit side of the idea board: capture, filters, board, table, matrix, hot plan.

Every read goes through ``ui.reads.read`` (cached until the ideas change) and every write through
``ui.actions.perform``; the rules live in ``core.ideas``.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core import formats, workspace
from core.i18n import N_, _, ngettext
from core.ideas import capture, detail, queries, rules, triage
from core.ideas.queries import BoardFilters, IdeaView
from core.permissions import Action
from core.text import escape_markdown, plain_text
from db.models import IdeaCreate
from ui.actions import perform
from ui.charts import draw
from ui.frame import PageContext
from ui.messages import flash
from ui.reads import read

SELECTED = "ideas_selected"
# The board's views: a code each (kept in the session state), shown by its label.
BOARD, TABLE, MATRIX, HOT_PLAN, FILES = "board", "table", "matrix", "hot_plan", "files"
MODES: dict[str, str] = {
    BOARD: N_("Board"),
    TABLE: N_("Table"),
    MATRIX: N_("Impact/Cost matrix"),
    HOT_PLAN: N_("Hot plan"),
    FILES: N_("Import & export"),
}


def modes(ctx: PageContext) -> tuple[str, ...]:
    """The board's views this role has a use for: import & export only for who may do either."""
    files = ctx.can(Action.import_ideas) or ctx.can(Action.export_data)
    return tuple(m for m in MODES if m != FILES or files)


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


def local(ctx: PageContext, value: dt.datetime | None) -> str:
    """An instant as a day and a time in the workspace's zone, in the reader's format."""
    return formats.date_time(value.astimezone(ctx.timezone)) if value else ""


def local_date(ctx: PageContext, value: dt.datetime | None) -> str:
    """The workspace's day of an instant, in the reader's format."""
    return formats.date(value.astimezone(ctx.timezone)) if value else ""


def channel_names() -> dict[int, str]:
    """Every channel (archived ones too: old ideas name them), by id."""
    return {c.id: c.name for c in read(workspace.list_channels, include_inactive=True)}


def my_votes(ctx: PageContext, idea_ids: list[int]) -> set[int]:
    """Which of these ideas the signed-in person has voted for."""
    return read(queries.my_votes, user_id=ctx.actor.id, idea_ids=tuple(idea_ids))


# --- small shared pieces ----------------------------------------------------------------------


def open_idea(idea_id: int | None) -> None:
    st.session_state[SELECTED] = idea_id


def idea_facts(idea: IdeaView, *, plan: bool = True, number: bool = True) -> str:
    """The one-line summary under a title: demand, votes, scores, quick win, hot plan."""
    parts = [f"#{idea.id}"] if number else []
    parts += [
        ":material/group: "
        + ngettext("{number} giver", "{number} givers", idea.demand, number=formats.number(idea.demand)),
        f":material/thumb_up: {formats.number(idea.votes)}",
    ]
    if idea.impact is not None:
        parts.append(_("impact {impact} · cost {cost}", impact=idea.impact, cost=idea.cost))
    if idea.quick_win:
        parts.append(":green[:material/bolt: " + _("quick win") + "]")
    if plan and idea.hot_plan_position:
        parts.append(
            ":orange[:material/local_fire_department: "
            + _("hot plan #{position}", position=idea.hot_plan_position)
            + "]"
        )
    return " · ".join(parts)


# --- capture ----------------------------------------------------------------------------------

_NEW = "ideas_new_"
_CLEAR = "ideas_new_clear"
_ASKED = "ideas_new_asked"  # the title "Log idea" was clicked for while similar ideas exist


def _clear_capture_if_asked() -> None:
    # After a save the form starts empty; a drawn widget cannot be changed, so the save asks for
    # it and the next run empties the fields before drawing them.
    if st.session_state.pop(_CLEAR, False):
        for name in ("title", "handles", "description", "link"):
            st.session_state[f"{_NEW}{name}"] = ""


def _typed_idea() -> IdeaCreate:
    get = st.session_state.get
    return IdeaCreate(
        title=get(f"{_NEW}title", ""),
        description=get(f"{_NEW}description", ""),
        source=get(f"{_NEW}source", "comment"),
        channel_id=get(f"{_NEW}channel"),
        source_url=get(f"{_NEW}link", ""),
        handles=get(f"{_NEW}handles", ""),
        category=get(f"{_NEW}category") or "",
    )


def _logged(idea: IdeaView) -> None:
    st.session_state[_CLEAR] = True
    st.session_state.pop(_ASKED, None)
    flash(_("Idea #{id} logged: {title}", id=idea.id, title=md(idea.title)))


def _supported(result: capture.SupportResult) -> None:
    st.session_state[_CLEAR] = True
    st.session_state.pop(_ASKED, None)
    open_idea(result.idea_id)
    if result.vote_added:
        message = ngettext(
            "Added {count} giver and your vote to idea #{id} instead of logging a duplicate.",
            "Added {count} givers and your vote to idea #{id} instead of logging a duplicate.",
            result.givers_added,
            id=result.idea_id,
        )
    else:
        message = ngettext(
            "Added {count} giver to idea #{id} instead of logging a duplicate.",
            "Added {count} givers to idea #{id} instead of logging a duplicate.",
            result.givers_added,
            id=result.idea_id,
        )
    flash(message)


@st.fragment
def capture_form(ctx: PageContext) -> None:
    """The short capture form; similar titles appear while typing (after a short pause).

    A fragment, so typing reruns only the form; a save reruns the whole page to show it."""
    _clear_capture_if_asked()
    with st.expander(_("Log an idea"), expanded=True, icon=":material/add_circle:"):
        left, right = st.columns([3, 2])
        title = left.text_input(
            _("What did people ask for?"),
            key=f"{_NEW}title",
            max_chars=rules.TITLE_MAX,
            live="400ms",
            placeholder=_("e.g. Dark mode for the mobile app"),
        )
        handles = right.text_input(
            _("Who gave it (handles)"),
            key=f"{_NEW}handles",
            placeholder="@mila, @jonas",
            help=_(
                "One or many, separated by commas, semicolons or new lines (a name with a space is one person). "
                "Demand counts distinct people."
            ),
        )
        matches = read(detail.similar_ideas, title=title.strip()) if len(title.strip()) >= 3 else []
        if matches:
            st.caption(
                _("Possible duplicates — add the givers (and your vote) to one of these instead of logging a new idea:")
            )
            for match in matches:
                text_col, button_col = st.columns([5, 2])
                text_col.markdown(
                    f"**{md(match.title)}** · #{match.id} · {_(rules.STATUS_LABELS[match.status])} · "
                    f":material/group: {formats.number(match.demand)} · :material/thumb_up: {formats.number(match.votes)}"
                )
                if button_col.button(_("Add to #{id} instead", id=match.id), key=f"ideas_support_{match.id}"):
                    perform(
                        ctx,
                        lambda s, idea_id=match.id: capture.add_support(
                            session=s, actor=ctx.actor, idea_id=idea_id, handles=handles
                        ),
                        then=_supported,
                    )
        channels = channel_names()
        a, b, c, d = st.columns(4)
        a.selectbox(
            _("Source"),
            list(rules.SOURCE_LABELS),
            format_func=lambda code: _(rules.SOURCE_LABELS[code]),
            key=f"{_NEW}source",
        )
        b.selectbox(
            _("Channel"),
            [None, *channels],
            format_func=lambda i: plain_text("—" if i is None else channels[i]),
            key=f"{_NEW}channel",
        )
        c.selectbox(
            _("Category"),
            read(detail.category_suggestions),
            index=None,
            key=f"{_NEW}category",
            accept_new_options=True,
            placeholder=_("pick or type"),
            help=_("Conversation categories in use; impact is later measured by category."),
        )
        d.text_input(_("Link to the original"), key=f"{_NEW}link", placeholder="https://…")
        text_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
        text_col.text_area(
            _("Description (optional)"),
            key=f"{_NEW}description",
            height=68,
            placeholder=_("Their words, the context, why it matters."),
        )
        typed = title.strip()
        if button_col.button(_("Log idea"), type="primary", key="ideas_log", width="stretch"):
            if matches:
                st.session_state[_ASKED] = typed  # similar ideas: ask first, never log a duplicate silently
            else:
                _log(ctx)
        if matches and st.session_state.get(_ASKED) == typed:
            numbers = ", ".join(f"#{m.id}" for m in matches)
            st.warning(
                _(
                    "This looks like {numbers}. Add the givers to one of them with **Add to #N instead** above, "
                    "or log it as a new idea if it is a different one.",
                    numbers=numbers,
                ),
                icon=":material/content_copy:",
            )
            if st.button(_("Log as a new idea"), key="ideas_log_anyway"):
                _log(ctx)


def _log(ctx: PageContext) -> None:
    perform(ctx, lambda s: capture.log_idea(session=s, actor=ctx.actor, idea_in=_typed_idea()), then=_logged)


# --- filters ----------------------------------------------------------------------------------


def merged_matches(filters: BoardFilters) -> None:
    """Merged ideas the search finds: off the board, but one click away (their detail offers
    the undo)."""
    if not filters.text:
        return
    found = read(detail.merged_ideas_matching, text=filters.text)
    if not found:
        return
    st.caption(_("Merged into other ideas (not on the board; open one to see or undo its merge):"))
    for merged in found:
        text_col, open_col = st.columns([8, 1], vertical_alignment="center")
        text_col.markdown(
            ":material/call_merge: "
            + _(
                "#{id} {title} → merged into #{target_id} {target_title}",
                id=merged.id,
                title=md(merged.title),
                target_id=merged.merged_into_id,
                target_title=md(merged.merged_into_title),
            )
        )
        open_col.button(
            _("Open"), key=f"ideas_merged_open_{merged.id}", on_click=open_idea, args=(merged.id,), type="tertiary"
        )


def filter_bar(ctx: PageContext) -> tuple[BoardFilters, str]:
    channels = channel_names()
    with st.container(border=True):
        search, status, source, channel, sort = st.columns([3, 2, 2, 2, 3])
        text = search.text_input(_("Search"), key="ideas_f_text", placeholder=_("words in the title or description"))
        statuses = status.multiselect(
            _("Status"),
            list(rules.STATUS_LABELS),
            format_func=lambda code: _(rules.STATUS_LABELS[code]),
            key="ideas_f_status",
        )
        sources = source.multiselect(
            _("Source"),
            list(rules.SOURCE_LABELS),
            format_func=lambda code: _(rules.SOURCE_LABELS[code]),
            key="ideas_f_source",
        )
        channel_ids = channel.multiselect(
            _("Channel"),
            list(channels),
            format_func=lambda value: plain_text(channels.get(value)),
            key="ideas_f_channel",
        )
        sort_key = sort.selectbox(
            _("Sort by"), list(rules.SORT_LABELS), format_func=lambda code: _(rules.SORT_LABELS[code]), key="ideas_sort"
        )
        quick = st.toggle(_("Quick wins only"), key="ideas_f_quick")
    filters = BoardFilters(tuple(statuses), tuple(sources), tuple(channel_ids), quick, text.strip())
    return filters, sort_key


def _nothing_here(filters: BoardFilters) -> None:
    if filters == BoardFilters():
        st.info(
            _("No ideas yet. Log the first one above, or import survey results under **Import & export**."),
            icon=":material/lightbulb:",
        )
    else:
        st.info(_("No ideas match these filters. Clear a filter or search for fewer words."), icon=":material/search:")


# --- board (kanban) ---------------------------------------------------------------------------


def board(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    closed = st.toggle(_("Show invalid and declined"), key="ideas_show_closed")
    statuses = (*rules.OPEN_STATUSES, rules.S.shipped, *((rules.S.invalid, rules.S.declined) if closed else ()))
    columns_data = read(queries.kanban, filters=filters, sort=sort, statuses=tuple(str(s) for s in statuses))
    if not columns_data or sum(c.count for c in columns_data) == 0:
        _nothing_here(filters)
        return
    for column, data in zip(st.columns(len(columns_data)), columns_data, strict=True):
        with column:
            st.markdown(f"**{_(data.label)}** · {formats.number(data.count)}")
            for idea in data.ideas:
                with st.container(border=True):
                    st.markdown(f"**{md(idea.title)}**")
                    st.caption(idea_facts(idea))
                    st.button(
                        _("Open"), key=f"ideas_open_{idea.id}", on_click=open_idea, args=(idea.id,), type="tertiary"
                    )
            if data.count > len(data.ideas):
                st.caption(_("+{more} more — see the Table view.", more=formats.number(data.count - len(data.ideas))))
            elif not data.ideas:
                st.caption(_("Nothing here."))


# --- table ------------------------------------------------------------------------------------

PAGE_SIZE = 50


def _on_table_select(key: str, rows: list[int]) -> None:
    selection = st.session_state.get(key)
    picked = selection.selection.rows if selection else []
    if picked and picked[0] < len(rows):
        open_idea(rows[picked[0]])


def table(ctx: PageContext, filters: BoardFilters, sort: str) -> None:
    page = int(st.session_state.get("ideas_page", 1))
    data = read(queries.board_page, filters=filters, sort=sort, page=page, page_size=PAGE_SIZE)
    if not data.total:
        _nothing_here(filters)
        return
    first = (data.page - 1) * PAGE_SIZE + 1
    st.caption(
        _(
            "Ideas {first}–{last} of {total}. Click a row to open it.",
            first=formats.number(first),
            last=formats.number(first + len(data.rows) - 1),
            total=formats.number(data.total),
        )
    )
    ids = [i.id for i in data.rows]
    head = {
        "title": _("Title"),
        "status": _("Status"),
        "demand": _("Demand"),
        "votes": _("Votes"),
        "scores": _("Impact / cost"),
        "score": _("Score"),
        "channel": _("Channel"),
        "category": _("Category"),
        "logged": _("Logged"),
    }
    st.dataframe(
        [
            {
                "#": i.id,
                head["title"]: i.title,
                head["status"]: i.status_label,
                head["demand"]: i.demand,
                head["votes"]: i.votes,
                head["scores"]: f"{i.impact} / {i.cost}" if i.impact is not None else None,
                head["score"]: None if i.score is None else ("⚡ " if i.quick_win else "") + str(i.score),
                head["channel"]: i.channel_name,
                head["category"]: i.category,
                head["logged"]: i.created_at.astimezone(ctx.timezone).date(),
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
        # Sized to fit 1400 px without scrolling sideways; the source is in the idea's detail.
        column_config={
            "#": st.column_config.NumberColumn(width=48),
            head["title"]: st.column_config.TextColumn(width=176),
            head["status"]: st.column_config.TextColumn(width=92),
            head["demand"]: st.column_config.NumberColumn(
                width=68, help=_("Distinct people who gave the idea"), format="localized"
            ),
            head["votes"]: st.column_config.NumberColumn(
                width=58, help=_("The team's votes, one each"), format="localized"
            ),
            head["scores"]: st.column_config.TextColumn(width=92, help=_("Impact and cost, 1–5 each")),
            head["score"]: st.column_config.TextColumn(width=64, help=_("Impact × (6 − cost); ⚡ a quick win")),
            head["channel"]: st.column_config.TextColumn(width=100),
            head["category"]: st.column_config.TextColumn(width=100),
            head["logged"]: st.column_config.DateColumn(width=96, format=formats.table_date_format()),
        },
    )
    if data.pages > 1:
        st.number_input(
            _("Page (of {pages})", pages=formats.number(data.pages)),
            min_value=1,
            max_value=data.pages,
            step=1,
            key="ideas_page",
        )


# --- Impact/Cost matrix -----------------------------------------------------------------------

MATRIX_TOP_N = 200
BELOW = alt.Legend(orient="bottom", direction="horizontal", columns=7, symbolLimit=0)


def matrix_chart(data: queries.MatrixData) -> alt.LayerChart:
    """Impact (up) against cost (right); size = demand, colour = status; the quick-win corner shaded."""
    limits = data.thresholds
    # A DataFrame, not inline values: Altair validates inline values point by point (slow).
    points = pd.DataFrame(
        [
            (p.id, p.title, p.status_label, p.impact, p.cost, p.demand, p.votes, _("yes") if p.quick_win else _("no"))
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
        alt.Chart(alt.Data(values=[{"x": 0.6, "y": 5.4, "text": _("Quick wins")}]))
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
    statuses = [rules.status_label(s) for s in rules.FLOW_ORDER]
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
                title=_("Cost (1 cheap … 5 expensive)"),
                scale=x_scale,
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"),
            ),
            y=alt.Y(
                "impact_j:Q",
                title=_("Impact (1 low … 5 high)"),
                scale=y_scale,
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"),
            ),
            # Legends below the chart, side by side: the chart's height never cuts them off.
            size=alt.Size("demand:Q", title=_("Demand"), scale=alt.Scale(range=[30, 900]), legend=BELOW),
            color=alt.Color(
                "status:N",
                title=_("Status"),
                scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS[s] for s in rules.FLOW_ORDER]),
                legend=BELOW,
            ),
            tooltip=[
                alt.Tooltip("id:Q", title="#"),
                alt.Tooltip("title:N", title=_("Idea")),
                alt.Tooltip("status:N", title=_("Status")),
                alt.Tooltip("impact:Q", title=_("Impact")),
                alt.Tooltip("cost:Q", title=_("Cost")),
                alt.Tooltip("demand:Q", title=_("Demand (givers)"), format=",d"),
                alt.Tooltip("votes:Q", title=_("Votes"), format=",d"),
                alt.Tooltip("quick_win:N", title=_("Quick win")),
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
    # A button callback: ``version`` is the rule the lead looked at, so a newer change is refused.
    perform(
        ctx,
        lambda s: triage.set_quick_win_thresholds(
            session=s,
            actor=ctx.actor,
            min_impact=st.session_state["ideas_min_impact"],
            max_cost=st.session_state["ideas_max_cost"],
            expected_version=version,
        ),
        success=_("Quick-win rule saved."),
        rerun=False,  # a callback: the run that follows shows the change
    )


def matrix(ctx: PageContext, filters: BoardFilters) -> None:
    data = read(queries.matrix, filters=filters, top_n=MATRIX_TOP_N)
    limits = data.thresholds
    st.caption(
        _(
            "Quick win: impact ≥ {min_impact} and cost ≤ {max_cost} (the shaded corner). "
            "Dot size = demand (distinct givers), colour = status; click a dot to open the idea.",
            min_impact=limits.min_impact,
            max_cost=limits.max_cost,
        )
    )
    if not data.points:
        st.info(
            _("No scored ideas match these filters. Open an idea and score its impact and cost to place it here."),
            icon=":material/scatter_plot:",
        )
    else:
        draw(
            matrix_chart(data),
            key="ideas_matrix",
            on_select=lambda: _matrix_pick("ideas_matrix"),
        )
        shown = len(data.points)
        note = (
            _("Showing all {shown} scored ideas matching the filters.", shown=formats.number(shown))
            if shown >= data.scored
            else _(
                "Showing {shown} of {scored} scored ideas: the {top_n} with the highest demand plus the "
                "{top_n} quick wins with the highest demand ({quick_wins} quick wins in all). "
                "Narrow the filters to see others.",
                shown=formats.number(shown),
                scored=formats.number(data.scored),
                top_n=formats.number(data.top_n),
                quick_wins=formats.number(data.quick_wins),
            )
        )
        st.caption(note + " " + _("Dots in one cell are spread slightly so they do not hide each other."))
    st.subheader(_("Quick wins not in the hot plan yet"))
    wins = read(queries.quick_wins, limit=15)
    if not wins:
        st.caption(_("None right now: score ideas, or adjust the quick-win rule."))
    for idea in wins:
        text_col, buttons = st.columns([3, 2], vertical_alignment="center")
        text_col.markdown(f"**{md(idea.title)}**  \n{idea_facts(idea)} · {idea.status_label}")
        row = buttons.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center")
        row.button(_("Open"), key=f"ideas_qw_open_{idea.id}", on_click=open_idea, args=(idea.id,), type="tertiary")
        if ctx.can(Action.triage_idea):
            # Only valid, planned and in-progress ideas may enter the hot plan: a new one is triaged first.
            eligible = idea.status in rules.HOT_PLAN_STATUSES
            if row.button(
                _("Move to hot plan"),
                key=f"ideas_qw_hot_{idea.id}",
                disabled=not eligible,
                help=None if eligible else _("Open the idea and mark it valid first."),
            ):
                perform(
                    ctx,
                    lambda s, idea_id=idea.id: triage.add_to_hot_plan(session=s, actor=ctx.actor, idea_id=idea_id),
                    success=_("Idea #{id} moved to the hot plan.", id=idea.id),
                )
    if ctx.can(Action.triage_idea):
        with st.expander(_("Quick-win rule")):
            a, b = st.columns(2)
            a.number_input(_("Impact at least"), 1, 5, value=limits.min_impact, key="ideas_min_impact")
            b.number_input(_("Cost at most"), 1, 5, value=limits.max_cost, key="ideas_max_cost")
            st.button(_("Save the rule"), key="ideas_save_rule", on_click=_save_thresholds, args=(ctx, limits.version))


# --- hot plan ---------------------------------------------------------------------------------


def hot_plan(ctx: PageContext) -> None:
    plan = read(queries.hot_plan)
    st.caption(
        _(
            "The short list the team works on next (at most {limit}); shipped or declined ideas leave it.",
            limit=rules.HOT_PLAN_LIMIT,
        )
    )
    if not plan:
        st.info(
            _(
                "The hot plan is empty. Move quick wins here from the Impact/Cost matrix view (or from an idea's detail)."
            ),
            icon=":material/local_fire_department:",
        )
        return
    can_triage = ctx.can(Action.triage_idea)
    for n, idea in enumerate(plan):
        with st.container(border=True):
            number, text, buttons = st.columns([1, 9, 4], vertical_alignment="center")
            number.markdown(f"### {n + 1}")
            text.markdown(f"**{md(idea.title)}**  \n{idea_facts(idea, plan=False)} · {idea.status_label}")
            row = buttons.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center")
            row.button(_("Open"), key=f"ideas_hp_open_{idea.id}", on_click=open_idea, args=(idea.id,), type="tertiary")
            if not can_triage:
                continue
            up = row.button("↑", key=f"ideas_hp_up_{idea.id}", disabled=n == 0, help=_("Move up"))
            down = row.button("↓", key=f"ideas_hp_down_{idea.id}", disabled=n == len(plan) - 1, help=_("Move down"))
            if up or down:
                perform(
                    ctx,
                    lambda s, idea_id=idea.id, offset=-1 if up else 1: triage.move_in_hot_plan(
                        session=s, actor=ctx.actor, idea_id=idea_id, offset=offset
                    ),
                )
            if row.button("✕", key=f"ideas_hp_remove_{idea.id}", help=_("Remove from the hot plan")):
                perform(
                    ctx,
                    lambda s, idea_id=idea.id: triage.remove_from_hot_plan(session=s, actor=ctx.actor, idea_id=idea_id),
                    success=_("Idea #{id} left the hot plan.", id=idea.id),
                )
