"""Streamlit pieces of the 'You asked, we did' screen: cached reads and the sections of the page.

Reads are cached per database URL (and the local day where the figures depend on it) and cleared
by ``ui.actions.perform`` after every write. User text goes through ``loop.markdown_escape``
wherever Streamlit would read it as Markdown.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st

from core import loop, public_board, workspace
from core.permissions import Action
from db.engine import read_session
from ui import state
from ui.actions import perform
from ui.frame import PageContext
from ui.messages import flash

TTL = 60
PICK = "loop_pick"
esc = loop.markdown_escape


# --- cached reads -----------------------------------------------------------------------------


def _read(function, /, **kwargs):
    with read_session(state.engine()) as session:
        return function(session, **kwargs)


@st.cache_data(ttl=TTL, show_spinner=False)
def open_loops(url: str) -> list[loop.LoopItemView]:
    return _read(loop.open_loops)


@st.cache_data(ttl=TTL, show_spinner=False)
def closed_loops(url: str, limit: int) -> list[loop.LoopItemView]:
    return _read(loop.closed_loops, limit=limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def recent_items(url: str) -> list[loop.LoopItemView]:
    return _read(loop.recent_loop_items)


@st.cache_data(ttl=TTL, show_spinner=False)
def candidates(url: str) -> tuple[list[loop.IdeaChoice], list[loop.IdeaChoice]]:
    return _read(loop.shipped_ideas_without_loop_item), _read(loop.ideas_to_ship)


@st.cache_data(ttl=TTL, show_spinner=False)
def channels(url: str) -> list[workspace.ChannelView]:
    return _read(workspace.list_channels)


@st.cache_data(ttl=TTL, show_spinner=False)
def categories(url: str) -> list[str]:
    return _read(loop.conversation_categories)


@st.cache_data(ttl=TTL, show_spinner=False)
def givers(url: str, loop_item_id: int) -> list[loop.Giver]:
    return _read(loop.givers, loop_item_id=loop_item_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def replies(url: str, loop_item_id: int, idea_form_url: str) -> dict[str, str]:
    return _read(loop.thank_you_replies, loop_item_id=loop_item_id, idea_form_url=idea_form_url)


@st.cache_data(ttl=TTL, show_spinner=False)
def impact(url: str, loop_item_id: int, today: dt.date) -> loop.Impact:
    return _read(loop.impact, loop_item_id=loop_item_id, today=today)


@st.cache_data(ttl=TTL, show_spinner=False)
def not_measured(url: str, today: dt.date) -> list[loop.LoopItemView]:
    return _read(loop.impact_not_measured, today=today)


@st.cache_data(ttl=TTL, show_spinner=False)
def monthly(url: str, month: dt.date, today: dt.date) -> loop.MonthlyUpdate:
    return _read(loop.monthly_update, month=month, today=today)


@st.cache_data(ttl=TTL, show_spinner=False)
def months(url: str) -> list[dt.date]:
    return _read(loop.months_with_loop_items)


@st.cache_data(ttl=TTL, show_spinner=False)
def board(url: str, today: dt.date) -> tuple[public_board.PublicBoard, str]:
    with read_session(state.engine()) as session:
        info = workspace.info(session)
        content = public_board.public_board(session, today=today)
    return content, public_board.render_html(content, workspace_name=info.name, generated_on=today)


# --- helpers ----------------------------------------------------------------------------------


def _done(message: str) -> None:
    flash(message)
    st.rerun()


def _when(ctx: PageContext, instant: dt.datetime | None) -> str:
    return instant.astimezone(ctx.timezone).strftime("%d %b %Y %H:%M") if instant else ""


def _post_label(item: loop.LoopItemView) -> str:
    if item.announcement_post_id is None:
        return "not drafted"
    return f"#{item.announcement_post_id} {item.announcement_status or 'gone'}"


def overview_rows(items: list[loop.LoopItemView]) -> list[dict]:
    return [
        {
            "what changed": i.what_changed,
            "shipped": i.shipped_on,
            "status": i.status_label,
            "announcement": _post_label(i),
            "givers thanked": f"{i.thanked_count} / {i.givers_count}",
        }
        for i in items
    ]


# --- new loop item ----------------------------------------------------------------------------


def new_loop_item_form(ctx: PageContext, url: str, today: dt.date) -> None:
    shipped, to_ship = candidates(url)
    options = {i.id: i for i in [*shipped, *to_ship]}
    if not options:
        st.caption("No shipped idea is waiting for its loop. When an idea ships on the idea board, it appears here.")
        return
    with st.form("loop_new", clear_on_submit=True):
        st.markdown("**Open a loop**: what changed, and the ideas it answers.")
        chosen = st.multiselect(
            "Ideas this change answers",
            list(options),
            key="loop_new_ideas",
            default=[shipped[0].id] if shipped else [],
            format_func=lambda i: (
                f"{options[i].title} ({'shipped' if options[i].status == 'shipped' else options[i].status.replace('_', ' ') + ' → will be marked shipped'})"
            ),
            help="Shipped ideas without a loop come first; planned or in-progress ideas are marked shipped with it.",
        )
        what = st.text_input(
            "What changed", max_chars=300, placeholder="Dark mode is live in the mobile app", key="loop_new_what"
        )
        details = st.text_area("Details (optional)", height=80, key="loop_new_details")
        shipped_on = st.date_input("Shipped on", value=today, max_value=today, key="loop_new_shipped_on")
        if st.form_submit_button("Open the loop", type="primary"):
            versions = {i: options[i].version for i in chosen}
            created = perform(
                ctx,
                lambda s: loop.create_loop_item(
                    s,
                    actor=ctx.actor,
                    what_changed=what,
                    shipped_on=shipped_on,
                    idea_ids=chosen,
                    details=details,
                    idea_versions=versions,
                ),
                rerun=False,
            )
            if created is not None:
                st.session_state[PICK] = created.id
                _done(f"Loop opened: {esc(created.what_changed)}. Next: draft the announcement.")


# --- one open loop ----------------------------------------------------------------------------


def loop_item_panel(ctx: PageContext, url: str, item: loop.LoopItemView, today: dt.date) -> None:
    st.subheader(esc(item.what_changed))
    st.caption(f"Shipped {item.shipped_on:%d %b %Y} · status: {item.status_label} · loop item #{item.id}")
    if item.details:
        st.text(item.details)
    st.dataframe(
        [
            {"idea": i.title, "status": i.status.replace("_", " "), "votes": i.votes, "category": i.category}
            for i in item.ideas
        ],
        hide_index=True,
        width="stretch",
    )
    announce, thank = st.columns(2)
    with announce:
        st.markdown("#### 1 · Announce")
        _announcement(ctx, url, item)
    with thank:
        st.markdown("#### 2 · Thank the givers")
        _thanks(ctx, url, item)
    st.caption(f"Impact: {esc(impact(url, item.id, today).summary)} — set it in the Impact tab.")


def _announcement(ctx: PageContext, url: str, item: loop.LoopItemView) -> None:
    if item.announcement_post_id is not None and not item.can_draft_announcement:
        st.write(f"Announcement: post #{item.announcement_post_id} — {item.announcement_status.replace('_', ' ')}")
        st.text(item.announcement_title)
        if item.announced:
            st.success(f"Published {_when(ctx, item.announced_at)}: the loop item is announced.")
        else:
            st.caption(
                "It becomes “announced” when the post is published. Checklist and approval apply as to every post."
            )
        st.page_link("pages/calendar.py", label="Open the content calendar", icon=":material/calendar_month:")
        return
    if not ctx.can(Action.manage_loop):
        st.info("Not announced yet. The lead drafts the announcement.")
        return
    available = channels(url)
    if not available:
        st.warning("Add a channel on the Admin screen first; the announcement needs one.")
        return
    with st.form(f"loop_announce_{item.id}"):
        channel = st.selectbox(
            "Channel", available, format_func=lambda c: c.name, key=f"loop_announce_channel_{item.id}"
        )
        form_url = st.text_input(
            "Idea form link (optional)",
            key=f"loop_announce_link_{item.id}",
            placeholder="https://example.com/ideas",
            help="The next step: tell us what to improve next.",
        )
        if st.form_submit_button("Draft the announcement", type="primary"):
            post = perform(
                ctx,
                lambda s: loop.draft_announcement(
                    s,
                    actor=ctx.actor,
                    loop_item_id=item.id,
                    channel_id=channel.id,
                    expected_version=item.version,
                    idea_form_url=form_url,
                ),
                rerun=False,
            )
            if post is not None:
                _done(
                    f"Drafted “{esc(post.title)}” in the content calendar (post #{post.id}); it goes through the checklist and approval."
                )


def _thanks(ctx: PageContext, url: str, item: loop.LoopItemView) -> None:
    people = givers(url, item.id)
    if not people:
        st.info("No idea givers are recorded for these ideas, so there is nobody to thank by name.")
        return
    st.caption(f"{item.thanked_count} of {item.givers_count} thanked.")
    can = ctx.can(Action.thank_givers)
    with st.form(f"loop_thanks_{item.id}"):
        ticks = {}
        for giver in people:
            note = (
                f" — thanked by {giver.thanked_by or 'someone'}, {_when(ctx, giver.thanked_at)}"
                if giver.thanked
                else ""
            )
            ticks[giver.handle] = st.checkbox(
                f"{esc(giver.handle)} · {esc(giver.channel)}{esc(note)}",
                value=giver.thanked,
                disabled=not can,
                key=f"loop_thank_{item.id}_{giver.handle}",
            )
        if st.form_submit_button("Save thanks", disabled=not can):
            ticked = [h for h, on in ticks.items() if on]
            unticked = [h for h, on in ticks.items() if not on]
            result = perform(
                ctx,
                lambda s: (
                    loop.set_thanked(s, actor=ctx.actor, loop_item_id=item.id, handles=unticked, thanked=False),
                    loop.set_thanked(s, actor=ctx.actor, loop_item_id=item.id, handles=ticked, thanked=True),
                )[-1],
                rerun=False,
            )
            if result is not None:
                _done(
                    f"Thanks saved: {result.thanked_count} of {result.givers_count} givers thanked ({result.status_label})."
                )
    with st.expander("Ready-to-copy thank-you replies", expanded=True):
        form_url = st.text_input("Idea form link for the replies (optional)", key=f"loop_reply_link_{item.id}")
        for channel, text in replies(url, item.id, form_url.strip()).items():
            st.caption(esc(channel))
            st.code(text, language=None, wrap_lines=True)


# --- closed loops -----------------------------------------------------------------------------


def closed_timeline(ctx: PageContext, url: str, today: dt.date) -> None:
    limit = st.session_state.get("loop_closed_limit", 20)
    items = closed_loops(url, limit)
    if not items:
        st.info("No closed loops yet. A loop closes when its announcement is published and every giver is thanked.")
        return
    st.altair_chart(timeline_chart(ctx, items), width="stretch")
    for item in items:
        with st.container(border=True):
            st.markdown(f"**{item.announced_at.astimezone(ctx.timezone):%d %b %Y}** · {esc(item.what_changed)}")  # type: ignore[union-attr]
            st.caption(
                f"Shipped {item.shipped_on:%d %b %Y} · {len(item.ideas)} idea(s) · {item.thanked_count} of {item.givers_count} giver(s) thanked · "
                f"{item.status_label} · impact: {esc(impact(url, item.id, today).summary)}"
            )
    if len(items) >= limit and st.button("Show older loops"):
        st.session_state["loop_closed_limit"] = limit + 20
        st.rerun()


def timeline_chart(ctx: PageContext, items: list[loop.LoopItemView]) -> alt.Chart:
    values = [
        {
            "announced": f"{i.announced_at.astimezone(ctx.timezone):%Y-%m-%d}",
            "what changed": i.what_changed,
            "givers thanked": i.givers_count,
            "status": i.status_label,
        }  # type: ignore[union-attr]
        for i in items
    ]
    return (
        alt.Chart(alt.Data(values=values), height=120)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("announced:T", title=None),
            size=alt.Size("givers thanked:Q", legend=None, scale=alt.Scale(range=[60, 400])),
            color=alt.Color("status:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=["announced:T", "what changed:N", "givers thanked:Q", "status:N"],
        )
    )


# --- monthly update ---------------------------------------------------------------------------


def monthly_section(ctx: PageContext, url: str, today: dt.date) -> None:
    this_month = loop.month_start(today)
    options = sorted({this_month, loop.month_start(this_month - dt.timedelta(days=1)), *months(url)}, reverse=True)
    month = st.selectbox("Month", options, format_func=lambda m: f"{m:%B %Y}", key="loop_month")
    update = monthly(url, month, today)
    left, right = st.columns([3, 1])
    with left, st.container(border=True):
        st.markdown(update.markdown)  # user text in it is Markdown-escaped by the core
    with right:
        st.download_button(
            "Download .md", update.markdown, file_name=update.file_name, mime="text/markdown", width="stretch"
        )
        if ctx.can(Action.manage_loop) and update.items:
            with st.form("loop_monthly_post"):
                channel = st.selectbox("Channel", channels(url), format_func=lambda c: c.name)
                if st.form_submit_button("Draft as a post"):
                    post = perform(
                        ctx,
                        lambda s: loop.draft_monthly_update(s, actor=ctx.actor, month=month, channel_id=channel.id),
                        rerun=False,
                    )
                    if post is not None:
                        _done(f"Drafted “{esc(post.title)}” in the content calendar (post #{post.id}).")


# --- impact -----------------------------------------------------------------------------------


def impact_chart(figure: loop.Impact) -> alt.Chart:
    what = "NPS" if figure.kind == "nps" else "Conversations"
    values = [{"when": "before", what: figure.before}, {"when": "after", what: figure.after}]
    return (
        alt.Chart(alt.Data(values=values), height=220)
        .mark_bar(size=48)
        .encode(
            x=alt.X("when:N", sort=["before", "after"], title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{what}:Q"),
            color=alt.Color(
                "when:N", sort=["before", "after"], legend=None, scale=alt.Scale(range=["#9aa5b1", "#2f80ed"])
            ),
            tooltip=["when:N", f"{what}:Q"],
        )
    )


def impact_section(ctx: PageContext, url: str, today: dt.date) -> None:
    overdue = not_measured(url, today)
    if overdue:
        st.markdown("#### Impact not measured")
        st.dataframe(
            [
                {
                    "what changed": i.what_changed,
                    "shipped": i.shipped_on,
                    "days since": (today - i.shipped_on).days,
                    "status": i.status_label,
                }
                for i in overdue
            ],
            hide_index=True,
            width="stretch",
        )
    items = recent_items(url)
    if not items:
        st.info("No loop items yet. Open one from a shipped idea in the Open loops tab.")
        return
    item = st.selectbox(
        "Loop item", items, format_func=lambda i: f"{i.what_changed} ({i.shipped_on:%d %b %Y})", key="loop_impact_pick"
    )
    figure = impact(url, item.id, today)
    chart, settings = st.columns([2, 3])
    with chart:
        st.write(esc(figure.summary))  # the categories are user text
        if figure.before is not None and figure.after is not None:
            st.altair_chart(impact_chart(figure), width="stretch")
        if item.measured_at:
            st.caption(f"Measurement recorded {_when(ctx, item.measured_at)}.")
        elif (
            ctx.can(Action.manage_loop)
            and figure.measured
            and st.button("Record the measurement", key=f"loop_measure_{item.id}")
        ) and perform(
            ctx,
            lambda s: loop.record_measurement(
                s, actor=ctx.actor, loop_item_id=item.id, expected_version=item.version, today=today
            ),
            rerun=False,
        ):
            _done("Measurement recorded.")
    with settings:
        if ctx.can(Action.manage_loop):
            _impact_form(ctx, url, item)


def _impact_form(ctx: PageContext, url: str, item: loop.LoopItemView) -> None:
    with st.form(f"loop_impact_{item.id}"):
        st.markdown("**How to measure**: NPS before and after, or the conversations in these categories.")
        nps_before, nps_after = st.columns(2)
        before = nps_before.number_input(
            "NPS before", min_value=-100.0, max_value=100.0, value=item.nps_before, step=1.0
        )
        after = nps_after.number_input("NPS after", min_value=-100.0, max_value=100.0, value=item.nps_after, step=1.0)
        options = sorted({*categories(url), *item.impact_categories})
        chosen = st.multiselect("Conversation categories", options, default=list(item.impact_categories))
        days = st.number_input(
            "Days before / after shipping", min_value=1, max_value=loop.MAX_WINDOW_DAYS, value=item.impact_window_days
        )
        if st.form_submit_button("Save impact settings"):
            saved = perform(
                ctx,
                lambda s: loop.set_impact(
                    s,
                    actor=ctx.actor,
                    loop_item_id=item.id,
                    expected_version=item.version,
                    nps_before=before,
                    nps_after=after,
                    impact_categories=chosen,
                    impact_window_days=int(days),
                ),
                rerun=False,
            )
            if saved is not None:
                _done("Impact settings saved.")


# --- public board -----------------------------------------------------------------------------


def public_board_section(url: str, today: dt.date) -> None:
    content, page = board(url, today)
    st.write(
        "A static page of ideas planned, in progress and shipped — titles, categories and how many people asked; nothing internal."
    )
    counts = st.columns(3)
    for column, (key, label) in zip(counts, public_board.SECTIONS, strict=True):
        column.metric(label, len(getattr(content, key)))
    st.download_button(
        "Download the public board (.html)",
        page,
        file_name=f"idea-board-{today:%Y-%m-%d}.html",
        mime="text/html",
        type="primary",
    )
