"""Streamlit pieces of the 'You asked, we did' screen: the sections of the page.

Every read goes through ``ui.reads.read`` and every write through ``ui.actions.perform``. User
text goes through ``escape_markdown`` wherever Streamlit would read it as Markdown.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st

from core import formats, text_templates, workspace
from core.content_plan.status import STATUS_LABELS as POST_STATUS_LABELS
from core.i18n import _, ngettext
from core.ideas.rules import STATUS_LABELS as IDEA_STATUS_LABELS
from core.local_time import month_start
from core.loop import chain as loop_chain
from core.loop import public_board
from core.loop.announce import draft_announcement, draft_monthly_update
from core.loop.impact import impact_not_measured, impacts, loop_item_impact, record_measurement, set_impact
from core.loop.items import create_loop_item, set_thanked
from core.loop.monthly import export_monthly_update, monthly_update, months_with_loop_items
from core.loop.people import Call, Giver, ItemPeople, item_people
from core.loop.queries import (
    LoopItemView,
    ToAnnounce,
    call_reply_texts,
    closed_loops,
    conversation_categories,
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
from ui.charts import draw
from ui.containers import keep_widget_state, lazy_expander
from ui.exports import export_button
from ui.frame import PageContext
from ui.messages import flash
from ui.reads import read

TAB_KEY = "loop_tab"
PICK = "loop_pick"
CLOSED_LIMIT = "loop_closed_limit"


_DATE_INPUT = "YYYY-MM-DD"  # i18n: not text (Streamlit's date input pattern)


def _idea_status(status: str) -> str:
    return _(IDEA_STATUS_LABELS.get(status, status))


def _post_status(status: str) -> str:
    return _(POST_STATUS_LABELS.get(status, status.replace("_", " ")))


def keep_tab_state() -> None:
    """Before any widget exists: the loop item picked stays while another tab is open."""
    keep_widget_state((PICK, "loop_impact_pick", "loop_month"))


def _when(ctx: PageContext, instant: dt.datetime | None) -> str:
    return formats.date_time(instant.astimezone(ctx.timezone)) if instant else ""


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
        return _("not drafted")
    status = _post_status(item.announcement_status) if item.announcement_status else _("gone")
    return f"#{item.announcement_post_id} {status}"


def overview_rows(loop_items: list[LoopItemView]) -> list[dict]:
    return [
        {
            _("what changed"): i.what_changed,
            _("shipped"): formats.date(i.shipped_on),
            _("status"): i.status_label,
            _("announcement"): _post_label(i),
            _("givers thanked"): f"{i.thanked_count} / {i.givers_count}",
        }
        for i in loop_items
    ]


def _idea_option(idea) -> str:
    if idea.status == "shipped":
        return plain_text(_("{title} (shipped)", title=idea.title))
    return plain_text(
        _("{title} ({status} → will be marked shipped)", title=idea.title, status=idea.status.replace("_", " "))
    )


# --- new loop item ----------------------------------------------------------------------------


def new_loop_item_form(ctx: PageContext, today: dt.date) -> None:
    shipped, to_ship = read(shipped_ideas_without_loop_item), read(ideas_to_ship)
    options = {i.id: i for i in [*shipped, *to_ship]}
    if not options:
        st.caption(_("No shipped idea is waiting for its loop. When an idea ships on the idea board, it appears here."))
        return
    idea_labels = {i: _idea_option(idea) for i, idea in options.items()}  # in the reader's language, now
    with st.form("loop_new", clear_on_submit=True):
        st.markdown(_("**Open a loop**: what changed, and the ideas it answers."))
        # Starts empty: the ideas linked are exactly the ones picked here.
        chosen = st.multiselect(
            _("Ideas this change answers"),
            list(options),
            key="loop_new_ideas",
            default=[],
            placeholder=_("Pick the ideas this change answers"),
            format_func=lambda i: plain_text(idea_labels[i]),
            help=_("Shipped ideas without a loop come first; planned or in-progress ideas are marked shipped with it."),
        )
        what = st.text_input(
            _("What changed"),
            max_chars=300,
            placeholder=_("Dark mode is live in the mobile app"),
            key="loop_new_what",
        )
        details = st.text_area(_("Details (optional)"), height=80, key="loop_new_details")
        shipped_on = st.date_input(
            _("Shipped on"), value=today, max_value=today, key="loop_new_shipped_on", format=_DATE_INPUT
        )
        if st.form_submit_button(_("Open the loop"), type="primary"):
            item_in = LoopItemCreate(
                what_changed=what,
                details=details,
                shipped_on=shipped_on,
                idea_ids=chosen,
                idea_versions={i: options[i].version for i in chosen},
            )

            def opened(created: LoopItemView) -> None:
                st.session_state[PICK] = created.id
                flash(_("Loop opened: {what}. Next: draft the announcement.", what=esc(created.what_changed)))

            perform(ctx, lambda s: create_loop_item(session=s, actor=ctx.actor, item_in=item_in), then=opened)


# --- one open loop ----------------------------------------------------------------------------


def open_loops_tab(ctx: PageContext, open_items: list[LoopItemView], announce: ToAnnounce, today: dt.date) -> None:
    if ctx.can(Action.manage_loop):
        with st.expander(_("New loop item from shipped ideas"), expanded=not open_items):
            new_loop_item_form(ctx, today)
    shipped_without_loop(ctx)
    if not open_items and not announce.ideas_without_loop:
        st.info(_("No open loops: every shipped idea is announced and its givers are thanked."))
        return
    if not open_items:
        st.info(_("No loop is open yet: open one for the shipped ideas above."))
        return
    st.dataframe(overview_rows(open_items), hide_index=True, placeholder="—", width="stretch")
    ids = [i.id for i in open_items]
    if st.session_state.get(PICK) not in ids:
        st.session_state[PICK] = ids[0]
    by_id = {i.id: i for i in open_items}
    works = ctx.can(Action.manage_loop) or ctx.can(Action.thank_givers)
    pick_labels = {i: f"{v.what_changed} ({v.status_label})" for i, v in by_id.items()}
    picked = st.selectbox(
        _("Work on") if works else _("Show"),
        ids,
        format_func=lambda i: plain_text(pick_labels[i]),
        key=PICK,
    )
    loop_item_panel(ctx, by_id[picked], today)


def _chain(ctx: PageContext, item: LoopItemView, where: str) -> None:
    """The loop item's chain, read only when someone opens it."""
    label = _("The chain: from the first question to the thanks")
    with lazy_expander(label, key=f"loop_chain_{where}_{item.id}", icon=":material/timeline:") as shown:
        if shown:
            chain_view.render(ctx, read(loop_chain.loop_item_chain, loop_item_id=item.id))


def loop_item_panel(ctx: PageContext, item: LoopItemView, today: dt.date) -> None:
    st.subheader(esc(item.what_changed))
    st.caption(
        _(
            "Shipped {day} · status: {status} · loop item #{id}",
            day=formats.date(item.shipped_on),
            status=item.status_label,
            id=item.id,
        )
    )
    if item.details:
        st.text(plain_block(item.details))
    st.dataframe(
        [
            {_("idea"): i.title, _("status"): _idea_status(i.status), _("votes"): i.votes, _("category"): i.category}
            for i in item.ideas
        ],
        hide_index=True,
        placeholder="—",
        width="stretch",
    )
    people: ItemPeople = read(item_people, loop_item_id=item.id)  # the givers and the calls, read together
    announce, thank = st.columns(2)
    with announce:
        st.markdown("#### " + _("1 · Announce"))
        _announcement(ctx, item, _version_seen(item, "panel"))
    with thank:
        st.markdown("#### " + _("2 · Thank the givers"))
        _thanks(ctx, item, list(people.givers))
    _calls(item, people.calls)
    st.caption(_("Impact: {impact} — set it in the Impact tab.", impact=esc(_impact(item, today).summary)))
    _chain(ctx, item, "open")


def _calls(item: LoopItemView, answered_calls: tuple[Call, ...]) -> None:
    calls = [c for c in answered_calls if c.respondents]
    if not calls:
        return
    people = len({handle.lower() for c in calls for handle, __ in c.respondents})
    label = ngettext(
        "Also tell the {count} person who answered the call for ideas",
        "Also tell the {count} people who answered the call for ideas",
        people,
    )
    with st.expander(label, icon=":material/forum:"):
        answered = "; ".join(_("“{title}” (post #{id})", title=esc(c.title), id=c.post_id) for c in calls)
        st.caption(_("They answered {calls} without giving one of these ideas: tell them it shipped.", calls=answered))
        for heading, text in call_reply_texts(item, calls, wording=read(text_templates.workspace_wordings)).items():
            st.caption(esc(heading))
            st.code(plain_block(text), language=None, wrap_lines=True)


def shipped_without_loop(ctx: PageContext) -> None:
    """Shipped ideas no loop item answers yet: each is a loop to open (and to announce)."""
    waiting = read(shipped_ideas_without_loop_item)
    if not waiting:
        return
    st.markdown(_("**Shipped, no loop item yet** ({count})", count=len(waiting)))
    st.dataframe(
        [
            {"#": i.id, _("idea"): i.title, _("category"): i.category, _("shipped"): _when(ctx, i.shipped_at)}
            for i in waiting
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(_("Open a loop for them above: pick the ideas a change answers; the form starts empty."))


def _announcement(ctx: PageContext, item: LoopItemView, version: int) -> None:
    if item.announcement_post_id is not None and not item.can_draft_announcement:
        st.write(
            _(
                "Announcement: post #{id} — {status}",
                id=item.announcement_post_id,
                status=_post_status(item.announcement_status),
            )
        )
        st.text(plain_block(item.announcement_title))
        if item.announced:
            st.success(_("Published {when}: the loop item is announced.", when=_when(ctx, item.announced_at)))
        else:
            st.caption(
                _("It becomes “announced” when the post is published. Checklist and approval apply as to every post.")
            )
        st.page_link("pages/calendar.py", label=_("Open the content calendar"), icon=":material/calendar_month:")
        return
    if not ctx.can(Action.manage_loop):
        st.info(_("Not announced yet. The lead drafts the announcement."))
        return
    available = read(workspace.list_channels)
    if not available:
        st.warning(_("Add a channel on the Admin screen first; the announcement needs one."))
        return
    with st.form(f"loop_announce_{item.id}"):
        channel = st.selectbox(
            _("Channel"), available, format_func=lambda c: plain_text(c.name), key=f"loop_announce_channel_{item.id}"
        )
        form_url = st.text_input(
            _("Idea form link (optional)"),
            key=f"loop_announce_link_{item.id}",
            placeholder="https://example.com/ideas",
            help=_("The next step: tell us what to improve next."),
        )
        if st.form_submit_button(_("Draft the announcement"), type="primary"):
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
                    _(
                        "Drafted “{title}” in the content calendar (post #{id}); it goes through the checklist and approval.",
                        title=esc(post.title),
                        id=post.id,
                    )
                ),
            )


def _thanks(ctx: PageContext, item: LoopItemView, people: list[Giver]) -> None:
    if not people:
        st.info(_("No idea givers are recorded for these ideas, so there is nobody to thank by name."))
        return
    st.caption(_("{thanked} of {total} thanked.", thanked=item.thanked_count, total=item.givers_count))

    def thanked_note(giver: Giver) -> str:
        if not giver.thanked:
            return ""
        return " — " + _(
            "thanked by {name}, {when}", name=giver.thanked_by or _("someone"), when=_when(ctx, giver.thanked_at)
        )

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
        if st.form_submit_button(_("Save thanks")):
            ticked = [h for h, on in ticks.items() if on]
            unticked = [h for h, on in ticks.items() if not on]

            def save_thanks(session) -> LoopItemView:
                set_thanked(session=session, actor=ctx.actor, loop_item_id=item.id, handles=unticked, thanked=False)
                return set_thanked(session=session, actor=ctx.actor, loop_item_id=item.id, handles=ticked)

            perform(
                ctx,
                save_thanks,
                then=lambda saved: flash(
                    _(
                        "Thanks saved: {thanked} of {total} givers thanked ({status}).",
                        thanked=saved.thanked_count,
                        total=saved.givers_count,
                        status=saved.status_label,
                    )
                ),
            )
    with st.expander(_("Ready-to-copy thank-you replies"), expanded=True):
        form_url = st.text_input(_("Idea form link for the replies (optional)"), key=f"loop_reply_link_{item.id}")
        replies = thank_you_texts(
            item, people, idea_form_url=form_url.strip(), wording=read(text_templates.workspace_wordings)
        )
        for channel, text in replies.items():
            st.caption(esc(channel))
            st.code(plain_block(text), language=None, wrap_lines=True)


# --- closed loops -----------------------------------------------------------------------------


def closed_timeline(ctx: PageContext, today: dt.date) -> None:
    limit = st.session_state.get(CLOSED_LIMIT, 20)
    closed = read(closed_loops, limit=limit)
    if not closed:
        st.info(_("No closed loops yet. A loop closes when its announcement is published and every giver is thanked."))
        return
    draw(timeline_chart(ctx, closed))
    figures = read(impacts, loop_item_ids=[item.id for item in closed], today=today)
    for item in closed:
        with st.container(border=True):
            st.markdown(f"**{_announced_day(ctx, item)}** · {esc(item.what_changed)}")
            st.caption(
                " · ".join(
                    (
                        _("Shipped {day}", day=formats.date(item.shipped_on)),
                        ngettext("{count} idea", "{count} ideas", len(item.ideas)),
                        ngettext(
                            "{thanked} of {count} giver thanked",
                            "{thanked} of {count} givers thanked",
                            item.givers_count,
                            thanked=item.thanked_count,
                        ),
                        item.status_label,
                        _("impact: {impact}", impact=esc(figures[item.id].summary)),
                    )
                )
            )
            _chain(ctx, item, "closed")
    if len(closed) >= limit and st.button(_("Show older loops")):
        st.session_state[CLOSED_LIMIT] = limit + 20
        st.rerun()


def _announced_day(ctx: PageContext, item: LoopItemView) -> str:
    return formats.date(item.announced_at.astimezone(ctx.timezone)) if item.announced_at else ""


def timeline_chart(ctx: PageContext, closed: list[LoopItemView]) -> alt.Chart:
    values = [
        {
            "announced": i.announced_at.astimezone(ctx.timezone).date().isoformat() if i.announced_at else None,
            "what": i.what_changed,
            "givers": i.givers_count,
            "status": i.status_label,
        }
        for i in closed
    ]
    return (
        alt.Chart(alt.Data(values=values), height=120)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("announced:T", title=None),
            size=alt.Size("givers:Q", legend=None, scale=alt.Scale(range=[60, 400])),
            color=alt.Color("status:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=[
                alt.Tooltip("announced:T", title=_("announced"), format="%x"),
                alt.Tooltip("what:N", title=_("what changed")),
                alt.Tooltip("givers:Q", title=_("givers thanked")),
                alt.Tooltip("status:N", title=_("status")),
            ],
        )
    )


# --- monthly update ---------------------------------------------------------------------------


def monthly_section(ctx: PageContext, today: dt.date) -> None:
    this_month = month_start(today)
    last_month = month_start(this_month - dt.timedelta(days=1))
    options = sorted({this_month, last_month, *read(months_with_loop_items)}, reverse=True)
    month_labels = {m: formats.month_year(m) for m in options}  # in the reader's language, now
    month = st.selectbox(_("Month"), options, format_func=lambda m: plain_text(month_labels[m]), key="loop_month")
    update = read(monthly_update, month=month, today=today)
    # The download above the two columns: beside the preview its label would be cut at 1024 px.
    export_button(
        ctx,
        key="loop_monthly_download",
        label=_("Download the update (Markdown)"),
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
                    _("Channel"), read(workspace.list_channels), format_func=lambda c: plain_text(c.name)
                )
                if st.form_submit_button(_("Draft as a post")):
                    perform(
                        ctx,
                        lambda s: draft_monthly_update(session=s, actor=ctx.actor, month=month, channel_id=channel.id),
                        then=lambda post: flash(
                            _(
                                "Drafted “{title}” in the content calendar (post #{id}).",
                                title=esc(post.title),
                                id=post.id,
                            )
                        ),
                    )


# --- impact -----------------------------------------------------------------------------------


def impact_chart(figure: Impact) -> alt.Chart:
    what = "NPS" if figure.kind == "nps" else _("Conversations")
    before, after = _("before"), _("after")
    values = [{"when": before, "value": figure.before}, {"when": after, "value": figure.after}]
    return (
        alt.Chart(alt.Data(values=values), height=220)
        .mark_bar(size=48)
        .encode(
            x=alt.X("when:N", sort=[before, after], title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=what),
            color=alt.Color("when:N", sort=[before, after], legend=None, scale=alt.Scale(range=["#9aa5b1", "#2f80ed"])),
            tooltip=[alt.Tooltip("when:N", title=" "), alt.Tooltip("value:Q", title=what)],
        )
    )


def impact_section(ctx: PageContext, today: dt.date) -> None:
    overdue = read(impact_not_measured, today=today)
    if overdue:
        st.markdown("#### " + _("Impact not measured"))
        st.dataframe(
            [
                {
                    _("what changed"): i.what_changed,
                    _("shipped"): formats.date(i.shipped_on),
                    _("days since"): (today - i.shipped_on).days,
                    _("status"): i.status_label,
                }
                for i in overdue
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    recent = read(recent_loop_items)
    if not recent:
        st.info(_("No loop items yet. Open one from a shipped idea in the Open loops tab."))
        return
    impact_labels = {i.id: f"{i.what_changed} ({formats.date(i.shipped_on)})" for i in recent}
    item = st.selectbox(
        _("Loop item"),
        recent,
        format_func=lambda i: plain_text(impact_labels[i.id]),
        key="loop_impact_pick",
    )
    figure = _impact(item, today)
    version = _version_seen(item, "impact")
    chart, settings = st.columns([2, 3])
    with chart:
        st.write(esc(figure.summary))  # the categories are user text
        if figure.before is not None and figure.after is not None:
            draw(impact_chart(figure))
        if item.measured_at:
            st.caption(_("Measurement recorded {when}.", when=_when(ctx, item.measured_at)))
        elif (
            ctx.can(Action.manage_loop)
            and figure.measured
            and st.button(_("Record the measurement"), key=f"loop_measure_{item.id}")
        ):
            perform(
                ctx,
                lambda s: record_measurement(
                    session=s, actor=ctx.actor, loop_item_id=item.id, expected_version=version, today=today
                ),
                success=_("Measurement recorded."),
            )
    with settings:
        if ctx.can(Action.manage_loop):
            _impact_form(ctx, item, version)


def _impact_form(ctx: PageContext, item: LoopItemView, version: int) -> None:
    with st.form(f"loop_impact_{item.id}"):
        st.markdown(_("**How to measure**: NPS before and after, or the conversations in these categories."))
        nps_before, nps_after = st.columns(2)
        before = nps_before.number_input(
            _("NPS before"), min_value=-100.0, max_value=100.0, value=item.nps_before, step=1.0
        )
        after = nps_after.number_input(
            _("NPS after"), min_value=-100.0, max_value=100.0, value=item.nps_after, step=1.0
        )
        options = sorted({*read(conversation_categories), *item.impact_categories})
        chosen = st.multiselect(_("Conversation categories"), options, default=list(item.impact_categories))
        days = st.number_input(
            _("Days before / after shipping"), min_value=1, max_value=MAX_WINDOW_DAYS, value=item.impact_window_days
        )
        if st.form_submit_button(_("Save impact settings")):
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
                success=_("Impact settings saved."),
            )


# --- public board -----------------------------------------------------------------------------


def public_board_section(ctx: PageContext, today: dt.date) -> None:
    content = read(public_board.public_board, today=today)
    st.write(
        _(
            "A static page of ideas planned, in progress and shipped — titles, categories and how many people asked; "
            "nothing internal. It is written in the workspace's language."
        )
    )
    counts = st.columns(3)
    for column, (key, label) in zip(counts, public_board.SECTIONS, strict=True):
        column.metric(_(label), formats.number(len(getattr(content, key))))
    export_button(
        ctx,
        key="loop_public_board_download",
        label=_("Download the public board (.html)"),
        export=lambda s: public_board.export_html(session=s, actor=ctx.actor, today=today),
        file_name=f"idea-board-{today.isoformat()}.html",
        mime="text/html",
        scope=today,
        icon=":material/public:",
    )
