"""Streamlit pieces of the 'You asked, we did' screen: the sections of the page.

Every read goes through ``ui.reads.read`` and every write through ``ui.actions.perform``. User
text goes through ``escape_markdown`` wherever Streamlit would read it as Markdown.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st

from core import workspace
from core.local_time import month_start
from core.loop import chain as loop_chain
from core.loop import public_board
from core.loop.announce import draft_announcement, draft_monthly_update
from core.loop.impact import impact_not_measured, impacts, loop_item_impact, record_measurement, set_impact
from core.loop.items import create_loop_item, set_thanked
from core.loop.monthly import export_monthly_update, monthly_update, months_with_loop_items
from core.loop.queries import (
    Giver,
    LoopItemView,
    ToAnnounce,
    call_reply_texts,
    calls_answered,
    closed_loops,
    conversation_categories,
    givers,
    ideas_to_ship,
    recent_loop_items,
    shipped_ideas_without_loop_item,
    thank_you_texts,
)
from core.loop.rules import MAX_WINDOW_DAYS, Impact
from core.permissions import Action
from core.text import escape_markdown as esc
from core.text import plain_block, plain_text
from db.models import LoopItemCreate, LoopItemImpact
from ui import chain_view
from ui.actions import perform
from ui.containers import keep_widget_state, lazy_expander
from ui.exports import export_button
from ui.frame import PageContext
from ui.messages import flash
from ui.reads import read

TAB_KEY = "loop_tab"
PICK = "loop_pick"
CLOSED_LIMIT = "loop_closed_limit"


def keep_tab_state() -> None:
    """Before any widget exists: the loop item picked stays while another tab is open."""
    keep_widget_state((PICK, "loop_impact_pick", "loop_month"))


def _when(ctx: PageContext, instant: dt.datetime | None) -> str:
    return instant.astimezone(ctx.timezone).strftime("%d %b %Y %H:%M") if instant else ""


def _version_seen(item: LoopItemView, section: str) -> int:
    """The loop item's version as the section drew it on the screen the person acted on (the run
    before this one): a save over someone else's newer change is refused, not applied. Reads are
    fresh on every run, so the version drawn now is kept for the next click."""
    key = f"loop_version_{section}_{item.id}"
    seen = st.session_state.get(key, item.version)
    st.session_state[key] = item.version
    return seen


def _impact(item: LoopItemView, today: dt.date) -> Impact:
    return read(loop_item_impact, loop_item_id=item.id, today=today)


def _post_label(item: LoopItemView) -> str:
    if item.announcement_post_id is None:
        return "not drafted"
    return f"#{item.announcement_post_id} {item.announcement_status or 'gone'}"


def overview_rows(loop_items: list[LoopItemView]) -> list[dict]:
    return [
        {
            "what changed": i.what_changed,
            "shipped": i.shipped_on,
            "status": i.status_label,
            "announcement": _post_label(i),
            "givers thanked": f"{i.thanked_count} / {i.givers_count}",
        }
        for i in loop_items
    ]


# --- new loop item ----------------------------------------------------------------------------


def new_loop_item_form(ctx: PageContext, today: dt.date) -> None:
    shipped, to_ship = read(shipped_ideas_without_loop_item), read(ideas_to_ship)
    options = {i.id: i for i in [*shipped, *to_ship]}
    if not options:
        st.caption("No shipped idea is waiting for its loop. When an idea ships on the idea board, it appears here.")
        return
    with st.form("loop_new", clear_on_submit=True):
        st.markdown("**Open a loop**: what changed, and the ideas it answers.")
        # Starts empty: the ideas linked are exactly the ones picked here.
        chosen = st.multiselect(
            "Ideas this change answers",
            list(options),
            key="loop_new_ideas",
            default=[],
            placeholder="Pick the ideas this change answers",
            format_func=lambda i: plain_text(
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
            item_in = LoopItemCreate(
                what_changed=what,
                details=details,
                shipped_on=shipped_on,
                idea_ids=chosen,
                idea_versions={i: options[i].version for i in chosen},
            )

            def opened(created: LoopItemView) -> None:
                st.session_state[PICK] = created.id
                flash(f"Loop opened: {esc(created.what_changed)}. Next: draft the announcement.")

            perform(ctx, lambda s: create_loop_item(session=s, actor=ctx.actor, item_in=item_in), then=opened)


# --- one open loop ----------------------------------------------------------------------------


def open_loops_tab(ctx: PageContext, open_items: list[LoopItemView], announce: ToAnnounce, today: dt.date) -> None:
    if ctx.can(Action.manage_loop):
        with st.expander("New loop item from shipped ideas", expanded=not open_items):
            new_loop_item_form(ctx, today)
    shipped_without_loop(ctx)
    if not open_items and not announce.ideas_without_loop:
        st.info("No open loops: every shipped idea is announced and its givers are thanked.")
        return
    if not open_items:
        st.info("No loop is open yet: open one for the shipped ideas above.")
        return
    st.dataframe(overview_rows(open_items), hide_index=True, placeholder="—", width="stretch")
    ids = [i.id for i in open_items]
    if st.session_state.get(PICK) not in ids:
        st.session_state[PICK] = ids[0]
    by_id = {i.id: i for i in open_items}
    works = ctx.can(Action.manage_loop) or ctx.can(Action.thank_givers)
    picked = st.selectbox(
        "Work on" if works else "Show",
        ids,
        format_func=lambda i: plain_text(f"{by_id[i].what_changed} ({by_id[i].status_label})"),
        key=PICK,
    )
    loop_item_panel(ctx, by_id[picked], today)


def _chain(ctx: PageContext, item: LoopItemView, where: str) -> None:
    """The loop item's chain, read only when someone opens it."""
    label = "The chain: from the first question to the thanks"
    with lazy_expander(label, key=f"loop_chain_{where}_{item.id}", icon=":material/timeline:") as shown:
        if shown:
            chain_view.render(ctx, read(loop_chain.loop_item_chain, loop_item_id=item.id))


def loop_item_panel(ctx: PageContext, item: LoopItemView, today: dt.date) -> None:
    st.subheader(esc(item.what_changed))
    st.caption(f"Shipped {item.shipped_on:%d %b %Y} · status: {item.status_label} · loop item #{item.id}")
    if item.details:
        st.text(plain_block(item.details))
    st.dataframe(
        [
            {"idea": i.title, "status": i.status.replace("_", " "), "votes": i.votes, "category": i.category}
            for i in item.ideas
        ],
        hide_index=True,
        placeholder="—",
        width="stretch",
    )
    announce, thank = st.columns(2)
    with announce:
        st.markdown("#### 1 · Announce")
        _announcement(ctx, item, _version_seen(item, "panel"))
    with thank:
        st.markdown("#### 2 · Thank the givers")
        _thanks(ctx, item)
    _calls(item)
    st.caption(f"Impact: {esc(_impact(item, today).summary)} — set it in the Impact tab.")
    _chain(ctx, item, "open")


def _calls(item: LoopItemView) -> None:
    calls = [c for c in read(calls_answered, loop_item_id=item.id) if c.respondents]
    if not calls:
        return
    people = len({h.lower() for c in calls for h, _ in c.respondents})
    with st.expander(f"Also tell the {people} people who answered the call for ideas", icon=":material/forum:"):
        st.caption(
            "They answered "
            + "; ".join(f"“{esc(c.title)}” (post #{c.post_id})" for c in calls)
            + " without giving one of these ideas: tell them it shipped."
        )
        for label, text in call_reply_texts(item, calls).items():
            st.caption(esc(label))
            st.code(plain_block(text), language=None, wrap_lines=True)


def shipped_without_loop(ctx: PageContext) -> None:
    """Shipped ideas no loop item answers yet: each is a loop to open (and to announce)."""
    waiting = read(shipped_ideas_without_loop_item)
    if not waiting:
        return
    st.markdown(f"**Shipped, no loop item yet** ({len(waiting)})")
    st.dataframe(
        [{"#": i.id, "idea": i.title, "category": i.category, "shipped": _when(ctx, i.shipped_at)} for i in waiting],
        hide_index=True,
        width="stretch",
    )
    st.caption("Open a loop for them above: pick the ideas a change answers; the form starts empty.")


def _announcement(ctx: PageContext, item: LoopItemView, version: int) -> None:
    if item.announcement_post_id is not None and not item.can_draft_announcement:
        st.write(f"Announcement: post #{item.announcement_post_id} — {item.announcement_status.replace('_', ' ')}")
        st.text(plain_block(item.announcement_title))
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
    available = read(workspace.list_channels)
    if not available:
        st.warning("Add a channel on the Admin screen first; the announcement needs one.")
        return
    with st.form(f"loop_announce_{item.id}"):
        channel = st.selectbox(
            "Channel", available, format_func=lambda c: plain_text(c.name), key=f"loop_announce_channel_{item.id}"
        )
        form_url = st.text_input(
            "Idea form link (optional)",
            key=f"loop_announce_link_{item.id}",
            placeholder="https://example.com/ideas",
            help="The next step: tell us what to improve next.",
        )
        if st.form_submit_button("Draft the announcement", type="primary"):
            perform(
                ctx,
                lambda s: draft_announcement(
                    session=s,
                    actor=ctx.actor,
                    loop_item_id=item.id,
                    channel_id=channel.id,
                    expected_version=version,
                    idea_form_url=form_url,
                ),
                then=lambda post: flash(
                    f"Drafted “{esc(post.title)}” in the content calendar (post #{post.id}); it goes through the checklist and approval."
                ),
            )


def _thanks(ctx: PageContext, item: LoopItemView) -> None:
    people = read(givers, loop_item_id=item.id)
    if not people:
        st.info("No idea givers are recorded for these ideas, so there is nobody to thank by name.")
        return
    st.caption(f"{item.thanked_count} of {item.givers_count} thanked.")

    def thanked_note(giver: Giver) -> str:
        if not giver.thanked:
            return ""
        return f" — thanked by {giver.thanked_by or 'someone'}, {_when(ctx, giver.thanked_at)}"

    if not ctx.can(Action.thank_givers):
        # Only what the role can do: who was thanked, as a list, not a form it cannot save.
        st.markdown(
            "  \n".join(
                f"{':green[:material/check:]' if g.thanked else ':gray[:material/schedule:]'} "
                f"{esc(g.handle)} · {esc(g.channel)}{esc(thanked_note(g))}"
                for g in people
            )
        )
        return
    with st.form(f"loop_thanks_{item.id}"):
        ticks = {
            giver.handle: st.checkbox(
                f"{esc(giver.handle)} · {esc(giver.channel)}{esc(thanked_note(giver))}",
                value=giver.thanked,
                key=f"loop_thank_{item.id}_{giver.handle}",
            )
            for giver in people
        }
        if st.form_submit_button("Save thanks"):
            ticked = [h for h, on in ticks.items() if on]
            unticked = [h for h, on in ticks.items() if not on]

            def save_thanks(session) -> LoopItemView:
                set_thanked(session=session, actor=ctx.actor, loop_item_id=item.id, handles=unticked, thanked=False)
                return set_thanked(session=session, actor=ctx.actor, loop_item_id=item.id, handles=ticked)

            perform(
                ctx,
                save_thanks,
                then=lambda saved: flash(
                    f"Thanks saved: {saved.thanked_count} of {saved.givers_count} givers thanked ({saved.status_label})."
                ),
            )
    with st.expander("Ready-to-copy thank-you replies", expanded=True):
        form_url = st.text_input("Idea form link for the replies (optional)", key=f"loop_reply_link_{item.id}")
        replies = thank_you_texts(item, people, idea_form_url=form_url.strip())
        for channel, text in replies.items():
            st.caption(esc(channel))
            st.code(plain_block(text), language=None, wrap_lines=True)


# --- closed loops -----------------------------------------------------------------------------


def closed_timeline(ctx: PageContext, today: dt.date) -> None:
    limit = st.session_state.get(CLOSED_LIMIT, 20)
    closed = read(closed_loops, limit=limit)
    if not closed:
        st.info("No closed loops yet. A loop closes when its announcement is published and every giver is thanked.")
        return
    st.altair_chart(timeline_chart(ctx, closed), width="stretch")
    figures = read(impacts, loop_item_ids=[item.id for item in closed], today=today)
    for item in closed:
        with st.container(border=True):
            st.markdown(f"**{_announced_day(ctx, item)}** · {esc(item.what_changed)}")
            st.caption(
                f"Shipped {item.shipped_on:%d %b %Y} · {len(item.ideas)} idea(s) · {item.thanked_count} of {item.givers_count} giver(s) thanked · "
                f"{item.status_label} · impact: {esc(figures[item.id].summary)}"
            )
            _chain(ctx, item, "closed")
    if len(closed) >= limit and st.button("Show older loops"):
        st.session_state[CLOSED_LIMIT] = limit + 20
        st.rerun()


def _announced_day(ctx: PageContext, item: LoopItemView, form: str = "%d %b %Y") -> str:
    return item.announced_at.astimezone(ctx.timezone).strftime(form) if item.announced_at else ""


def timeline_chart(ctx: PageContext, closed: list[LoopItemView]) -> alt.Chart:
    values = [
        {
            "announced": _announced_day(ctx, i, "%Y-%m-%d"),
            "what changed": i.what_changed,
            "givers thanked": i.givers_count,
            "status": i.status_label,
        }
        for i in closed
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


def monthly_section(ctx: PageContext, today: dt.date) -> None:
    this_month = month_start(today)
    last_month = month_start(this_month - dt.timedelta(days=1))
    options = sorted({this_month, last_month, *read(months_with_loop_items)}, reverse=True)
    month = st.selectbox("Month", options, format_func=lambda m: f"{m:%B %Y}", key="loop_month")
    update = read(monthly_update, month=month, today=today)
    # The download above the two columns: beside the preview its label would be cut at 1024 px.
    export_button(
        ctx,
        key="loop_monthly_download",
        label="Download the update (Markdown)",
        export=lambda s: export_monthly_update(session=s, actor=ctx.actor, month=month, today=today),
        file_name=update.file_name,
        mime="text/markdown",
        scope=month,
        icon=":material/article:",
    )
    left, right = st.columns([3, 1])
    with left, st.container(border=True):
        st.markdown(update.markdown)  # user text in it is Markdown-escaped by the core
    with right:
        if ctx.can(Action.manage_loop) and update.items:
            with st.form("loop_monthly_post"):
                channel = st.selectbox(
                    "Channel", read(workspace.list_channels), format_func=lambda c: plain_text(c.name)
                )
                if st.form_submit_button("Draft as a post"):
                    perform(
                        ctx,
                        lambda s: draft_monthly_update(session=s, actor=ctx.actor, month=month, channel_id=channel.id),
                        then=lambda post: flash(
                            f"Drafted “{esc(post.title)}” in the content calendar (post #{post.id})."
                        ),
                    )


# --- impact -----------------------------------------------------------------------------------


def impact_chart(figure: Impact) -> alt.Chart:
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


def impact_section(ctx: PageContext, today: dt.date) -> None:
    overdue = read(impact_not_measured, today=today)
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
            placeholder="—",
            width="stretch",
        )
    recent = read(recent_loop_items)
    if not recent:
        st.info("No loop items yet. Open one from a shipped idea in the Open loops tab.")
        return
    item = st.selectbox(
        "Loop item",
        recent,
        format_func=lambda i: plain_text(f"{i.what_changed} ({i.shipped_on:%d %b %Y})"),
        key="loop_impact_pick",
    )
    figure = _impact(item, today)
    version = _version_seen(item, "impact")
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
        ):
            perform(
                ctx,
                lambda s: record_measurement(
                    session=s, actor=ctx.actor, loop_item_id=item.id, expected_version=version, today=today
                ),
                success="Measurement recorded.",
            )
    with settings:
        if ctx.can(Action.manage_loop):
            _impact_form(ctx, item, version)


def _impact_form(ctx: PageContext, item: LoopItemView, version: int) -> None:
    with st.form(f"loop_impact_{item.id}"):
        st.markdown("**How to measure**: NPS before and after, or the conversations in these categories.")
        nps_before, nps_after = st.columns(2)
        before = nps_before.number_input(
            "NPS before", min_value=-100.0, max_value=100.0, value=item.nps_before, step=1.0
        )
        after = nps_after.number_input("NPS after", min_value=-100.0, max_value=100.0, value=item.nps_after, step=1.0)
        options = sorted({*read(conversation_categories), *item.impact_categories})
        chosen = st.multiselect("Conversation categories", options, default=list(item.impact_categories))
        days = st.number_input(
            "Days before / after shipping", min_value=1, max_value=MAX_WINDOW_DAYS, value=item.impact_window_days
        )
        if st.form_submit_button("Save impact settings"):
            impact_in = LoopItemImpact(
                nps_before=before, nps_after=after, impact_categories=chosen, impact_window_days=int(days)
            )
            perform(
                ctx,
                lambda s: set_impact(
                    session=s,
                    actor=ctx.actor,
                    loop_item_id=item.id,
                    expected_version=version,
                    impact_in=impact_in,
                ),
                success="Impact settings saved.",
            )


# --- public board -----------------------------------------------------------------------------


def public_board_section(ctx: PageContext, today: dt.date) -> None:
    content = read(public_board.public_board, today=today)
    st.write(
        "A static page of ideas planned, in progress and shipped — titles, categories and how many people asked; nothing internal."
    )
    counts = st.columns(3)
    for column, (key, label) in zip(counts, public_board.SECTIONS, strict=True):
        column.metric(label, len(getattr(content, key)))
    export_button(
        ctx,
        key="loop_public_board_download",
        label="Download the public board (.html)",
        export=lambda s: public_board.export_html(session=s, actor=ctx.actor, today=today),
        file_name=f"idea-board-{today:%Y-%m-%d}.html",
        mime="text/html",
        scope=today,
        icon=":material/public:",
    )
