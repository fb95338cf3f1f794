"""One conversation on the SLA monitor: its thread, where it sits in the chain (the post it answers,
the idea it became part of, the loop item that answered it) and the actions on it.

The conversation worked on is kept in the session (``OPEN``), not taken from the queue on each
run: after "Log reply" it leaves the breached queue but stays open here, with "Resolve" at hand.
Reads go through ``ui.reads.read``; anything that depends on the moment (SLA met or breached,
escalation overdue) is worked out here from the cached instants.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import formats
from core.errors import DomainError
from core.i18n import N_, _
from core.ideas import from_conversations
from core.ideas.rules import STATUS_LABELS as IDEA_STATUS_LABELS
from core.loop import dialog
from core.permissions import Action
from core.sla import conversations, escalations, quick_answers, teams, threads, watch
from core.sla.figures import kind_label, sla_status, sla_status_label, status_label
from core.sla.queues import ConversationRow
from core.text import escape_markdown as md
from core.text import plain_block, plain_text
from db.models import IdeaFromConversation, IdeaSource
from db.types import utcnow
from ui import comments_view
from ui.actions import perform
from ui.containers import lazy_expander
from ui.frame import PageContext
from ui.ideas_view import open_idea
from ui.messages import flash
from ui.reads import read

OPEN = "sla_open"
GO_TO_IDEAS = "sla_go_to_ideas"
SOURCES = (IdeaSource.comment, IdeaSource.dm, IdeaSource.thread)
SOURCE_LABELS = {IdeaSource.comment: N_("comment"), IdeaSource.dm: N_("DM"), IdeaSource.thread: N_("thread")}


def open_conversation(conversation_id: int | None) -> None:
    st.session_state[OPEN] = conversation_id


def opened_id() -> int | None:
    value = st.session_state.get(OPEN)
    return int(value) if value else None


def local_time(value: dt.datetime | None, ctx: PageContext) -> str:
    """A time in the workspace's zone, with its weekday; with its year when it is not this year."""
    if value is None:
        return "—"
    local = value.astimezone(ctx.timezone)
    weekday = formats.weekday_name(local, "abbreviated")
    if local.year == utcnow().astimezone(ctx.timezone).year:
        return f"{weekday} {formats.short_date(local)} {formats.time(local)}"
    return f"{weekday} {formats.date_time(local)}"


def local_day(value: dt.datetime | None, ctx: PageContext) -> str:
    """The day (with its year) of a time in the workspace's zone."""
    return "—" if value is None else formats.date(value.astimezone(ctx.timezone))


def status_now(item: ConversationRow, now: dt.datetime) -> str:
    """The SLA status at the moment the screen draws it (met / breached / on track)."""
    status = sla_status(
        needs_reply=item.needs_reply,
        deadline_at=item.deadline_at,
        first_reply_at=item.first_reply_at,
        reply_before_message=item.reply_before_message,
        now=now,
    )
    return sla_status_label(status)


def render(ctx: PageContext) -> None:
    """The open conversation, if any."""
    conversation_id = opened_id()
    if conversation_id is None:
        return
    try:
        item = read(conversations.get_conversation, conversation_id=conversation_id)
    except DomainError:
        open_conversation(None)
        return
    now = utcnow()
    with st.container(border=True):
        head, close = st.columns([10, 1])
        head.markdown(
            _(
                "**#{id} · {kind} on {channel}** · from {author}",
                id=item.id,
                kind=md(kind_label(item.kind)),
                channel=md(item.channel),
                author=md(item.author_handle),
            )
        )
        close.button(_("Close"), key="sla_close", on_click=open_conversation, args=(None,), type="tertiary")
        _facts(ctx, item, now)
        _thread(ctx, item)
        _chain(ctx, item)
        grant = None
        if ctx.actor.id is not None and not ctx.can(Action.work_conversations):
            grant = read(escalations.escalation_grant, user_id=ctx.actor.id, conversation_id=item.id)
        if grant:
            st.caption(_("You may act on this conversation: you are {part}.", part=md(grant)))
        if ctx.can(Action.work_conversations) or grant:
            _actions(ctx, item)
        else:
            st.caption(
                _("For reading here: support and community managers work it (assign, reply, escalate, resolve).")
            )
        if ctx.can(Action.log_idea):
            _idea_actions(ctx, item)
        comments_view.show_comments(ctx, entity="conversation", entity_id=item.id)


def _facts(ctx: PageContext, item: ConversationRow, now: dt.datetime) -> None:
    facts = [
        _("Received {time}", time=local_time(item.received_at, ctx)),
        _("due {time}", time=local_time(item.deadline_at, ctx)) if item.deadline_at else _("no SLA deadline"),
        _("SLA {status}", status=md(status_now(item, now))),
        _("status {status}", status=md(status_label(item.status))),
        _("assignee {name}", name=md(item.assignee) if item.assignee else _("nobody")),
    ]
    if item.first_reply_at:
        facts.append(_("first reply {time}", time=local_time(item.first_reply_at, ctx)))
    if item.quick_answer:
        facts.append(_("quick answer used: {title}", title=md(item.quick_answer)))
    st.caption(" · ".join(facts))
    if item.reply_before_message:
        st.warning(
            _("Data problem: the first reply is stamped before the message.")
            + " "
            + _("It is left out of response times and the SLA share; check the export.")
        )
    if item.escalation_team:
        deadline = _("no escalation deadline (the team has no business hours set)")
        if item.escalation_deadline_at is not None:
            late = escalations.overdue(item.escalation_deadline_at, resolved=not item.is_open, now=now)
            when = local_time(item.escalation_deadline_at, ctx)
            deadline = _("overdue since {time}", time=when) if late else _("to resolve by {time}", time=when)
        st.info(
            _(
                "Escalated to {team} on {time} — owned now by {owner}, worked by {assignee}; {deadline}. Why: {reason}",
                team=md(item.escalation_team),
                time=local_time(item.escalated_at, ctx),
                owner=md(item.escalation_owner) if item.escalation_owner else _("nobody (set an owner for the team)"),
                assignee=md(item.assignee) if item.assignee else _("nobody"),
                deadline=deadline,
                reason=md(item.escalation_reason),
            ),
            icon="🧭",
        )
    if item.link:
        st.link_button(_("Open on the platform"), item.link)


def _thread(ctx: PageContext, item: ConversationRow) -> None:
    messages = read(threads.thread, conversation_id=item.id)
    for message in messages:
        with st.chat_message("assistant" if message.from_team else "user"):
            st.caption(f"{md(message.author)} · {local_time(message.sent_at, ctx)}")
            if message.text_missing:
                st.caption(_("(reply logged without its text)"))
            else:
                st.text(plain_block(message.text))


def _open_idea(idea_id: int) -> None:
    open_idea(idea_id)
    st.session_state[GO_TO_IDEAS] = True


def follow_links() -> None:
    """Go to the idea board when a button asked for it (a callback may not switch pages)."""
    if st.session_state.pop(GO_TO_IDEAS, False):
        st.switch_page("pages/ideas.py")


def _chain(ctx: PageContext, item: ConversationRow) -> None:
    links = read(dialog.conversation_links, conversation_id=item.id)
    if links.post is None and links.idea is None:
        return
    lines = []
    if links.post is not None:
        lines.append(_("On post #{id} “{title}”", id=links.post.id, title=md(links.post.title)))
    if links.idea is not None:
        idea_status = _(IDEA_STATUS_LABELS[links.idea.status]) if links.idea.status in IDEA_STATUS_LABELS else ""
        idea_status = idea_status or links.idea.status.replace("_", " ")
        if links.merged_from:
            lines.append(
                _(
                    "idea #{id} “{title}” — {status} (merged from #{merged})",
                    id=links.idea.id,
                    title=md(links.idea.title),
                    status=idea_status,
                    merged=links.merged_from,
                )
            )
        else:
            lines.append(
                _("idea #{id} “{title}” — {status}", id=links.idea.id, title=md(links.idea.title), status=idea_status)
            )
    st.markdown(":material/link: " + " · ".join(lines))
    if links.idea is not None:
        st.button(
            _("Open idea #{id} on the idea board", id=links.idea.id),
            key=f"sla_open_idea_{item.id}",
            on_click=_open_idea,
            args=(links.idea.id,),
            type="tertiary",
        )
    loop = links.loop_item
    if loop is not None:
        if loop.announced_at is not None:
            st.success(
                _(
                    "Done: {what} — announced {day} in post #{post} “{title}”. Tell them:",
                    what=md(loop.what_changed),
                    day=local_day(loop.announced_at, ctx),
                    post=loop.announcement_post_id,
                    title=md(loop.announcement_title),
                ),
                icon=":material/campaign:",
            )
            st.code(plain_block(links.done_reply), language=None, wrap_lines=True)
        else:
            st.info(
                _("Shipped: {what} — the announcement is not out yet.", what=md(loop.what_changed)),
                icon=":material/campaign:",
            )


# --- the actions ----------------------------------------------------------------------------------


def _actions(ctx: PageContext, item: ConversationRow) -> None:
    key = f"sla_{item.id}_{item.version}"
    buttons = st.columns(3)
    if item.assignee_id != ctx.actor.id and buttons[0].button(_("Assign to me"), key=f"{key}_assign"):
        perform(
            ctx,
            lambda s: conversations.assign_to_me(
                session=s, actor=ctx.actor, conversation_id=item.id, expected_version=item.version
            ),
            success=_("Assigned to you."),
        )
    resolvable = item.is_open and (item.first_reply_at or not item.needs_reply)
    if resolvable and buttons[1].button(_("Resolve"), key=f"{key}_resolve", type="primary"):
        perform(
            ctx,
            lambda s: conversations.resolve(
                session=s, actor=ctx.actor, conversation_id=item.id, expected_version=item.version
            ),
            success=_("Resolved."),
        )
    reply_tab, escalate_tab, no_reply_tab, mark_tab, post_tab = st.tabs(
        [_("Reply"), _("Escalate to team…"), _("No reply needed"), _("UGC / best"), _("Post")]
    )
    with reply_tab:
        _reply_form(ctx, item, key)
    with escalate_tab:
        _escalate_form(ctx, item, key)
    with no_reply_tab:
        _no_reply_form(ctx, item, key)
    with mark_tab:
        _mark_form(ctx, item, key)
    with post_tab:
        _post_form(ctx, item, key)


def _reply_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    answers = sorted(
        read(quick_answers.search, limit=500), key=lambda a: (a.category != item.category, -a.use_count, a.title)
    )
    by_id = {a.id: a for a in answers}
    answer_labels = {
        None: _("— none —"),
        **{
            i: _(
                "{title} ({category}) · used {count}×",
                title=plain_text(a.title),
                category=plain_text(a.category) if a.category else _("general"),
                count=formats.number(a.use_count),
            )
            for i, a in by_id.items()
        },
    }
    answer_id = st.selectbox(
        _("Quick answer used"),
        [None, *by_id],
        format_func=lambda option: plain_text(answer_labels[option]),
        key=f"{key}_answer",
        help=_("Answers of the conversation's category come first; its text fills the reply below."),
    )
    if answer_id is not None:
        st.code(plain_block(by_id[answer_id].text), language=None, wrap_lines=True)
    with st.form(f"{key}_reply_form"):
        text = st.text_area(
            _("The reply as sent"),
            value=by_id[answer_id].text if answer_id is not None else "",
            key=f"{key}_reply_text_{answer_id}",
            placeholder=_("Paste or type the reply you sent; it is kept in the thread."),
        )
        when_labels = {"now": _("just now"), "earlier": _("earlier")}
        when = st.radio(
            _("Replied"),
            ["now", "earlier"],
            format_func=lambda option: md(when_labels[option]),
            horizontal=True,
            key=f"{key}_when",
        )
        local_now = utcnow().astimezone(ctx.timezone)
        columns = st.columns(2)
        day = columns[0].date_input(_("Date (if earlier)"), value=local_now.date(), key=f"{key}_day")
        time = columns[1].time_input(
            _("Time (if earlier)"), value=local_now.time().replace(second=0, microsecond=0), key=f"{key}_time"
        )
        if st.form_submit_button(_("Log reply"), type="primary"):
            replied_at = None if when == "now" else dt.datetime.combine(day, time, tzinfo=ctx.timezone)
            perform(
                ctx,
                lambda s: conversations.log_reply(
                    session=s,
                    actor=ctx.actor,
                    conversation_id=item.id,
                    expected_version=item.version,
                    replied_at=replied_at,
                    quick_answer_id=answer_id,
                    text=text,
                ),
                then=lambda row: open_conversation(row.id),
                success=_("Reply logged. The conversation stays open here: resolve it when it is done."),
            )


def _escalate_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    team_list = read(teams.list_teams)
    if not team_list:
        st.caption(_("No escalation teams yet: a lead or admin adds them on the Escalation teams tab."))
        return
    by_id = {t.id: t for t in team_list}

    def label(team_id: int) -> str:
        team = by_id[team_id]
        doers = ", ".join(p.name for p in team.doers) or _("nobody")
        return _(
            "{team} — worked by {doers}, owned by {owner}", team=team.name, doers=doers, owner=team.owner or _("nobody")
        )

    with st.form(f"{key}_escalate_form"):
        team_labels = {t: plain_text(label(t)) for t in by_id}
        team_id = st.selectbox(
            _("Team"),
            list(by_id),
            format_func=lambda option: plain_text(team_labels[option]),
            key=f"{key}_team",
        )
        reason = st.text_area(_("Why"), placeholder=_("What does the team need to do?"), key=f"{key}_reason")
        if st.form_submit_button(_("Escalate")):
            perform(
                ctx,
                lambda s: conversations.escalate(
                    session=s,
                    actor=ctx.actor,
                    conversation_id=item.id,
                    expected_version=item.version,
                    team_id=team_id,
                    reason=reason,
                ),
                success=_("Escalated to {team}.", team=md(by_id[team_id].name)),
            )


def _no_reply_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    if item.first_reply_at is not None or item.status == "resolved":
        st.caption(_("Answered or resolved already."))
        return
    with st.form(f"{key}_no_reply_form"):
        reason = st.text_input(
            _("Why does it need no reply?"),
            placeholder=_("e.g. spam, a reaction was enough"),
            key=f"{key}_no_reply_reason",
        )
        if st.form_submit_button(_("Mark no reply needed")):
            perform(
                ctx,
                lambda s: conversations.mark_no_reply_needed(
                    session=s, actor=ctx.actor, conversation_id=item.id, expected_version=item.version, reason=reason
                ),
                success=_("Marked: no reply needed."),
            )


def _mark_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    with st.form(f"{key}_mark_form"):
        useful = st.checkbox(
            _("Useful UGC (counts for the UGC KPI)"),
            value=item.useful,
            disabled=item.kind != "ugc",
            key=f"{key}_useful",
        )
        best = st.checkbox(_("One of the best (for the weekly digest)"), value=item.best, key=f"{key}_best")
        if st.form_submit_button(_("Save marks")):
            perform(
                ctx,
                lambda s: conversations.mark_ugc(
                    session=s,
                    actor=ctx.actor,
                    conversation_id=item.id,
                    expected_version=item.version,
                    useful=useful if item.kind == "ugc" else None,
                    best=best,
                ),
                success=_("Saved."),
            )


def _post_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    posts = read(watch.recent_posts, channel_id=item.channel_id)
    if not posts:
        st.caption(_("No published post on {channel} yet.", channel=md(item.channel)))
        return
    by_id = {p.id: p for p in posts}
    choices: list[int | None] = [None, *by_id]
    current = item.post_id if item.post_id in by_id else None
    with st.form(f"{key}_post_form"):
        post_labels = {
            None: _("— no post —"),
            **{p: plain_text(f"#{p} {post.title} ({local_time(post.published_at, ctx)})") for p, post in by_id.items()},
        }
        post_id = st.selectbox(
            _("The post it answers"),
            choices,
            index=choices.index(current),
            format_func=lambda option: plain_text(post_labels[option]),
            key=f"{key}_post",
            help=_("Within the post's watch window an unassigned conversation goes to the post's SLA owner."),
        )
        if st.form_submit_button(_("Save post")):
            perform(
                ctx,
                lambda s: conversations.set_post(
                    session=s,
                    actor=ctx.actor,
                    conversation_id=item.id,
                    expected_version=item.version,
                    post_id=post_id,
                ),
                success=_("Post saved."),
            )


# --- conversation → idea --------------------------------------------------------------------------


def _idea_actions(ctx: PageContext, item: ConversationRow) -> None:
    if read(dialog.conversation_links, conversation_id=item.id).idea is not None:
        return
    key = f"sla_idea_{item.id}"
    # Drawn only while open: the suggestions search every idea's title (about 90 ms at year scale).
    with lazy_expander(_("Turn into an idea"), key=f"{key}_open", icon=":material/lightbulb:") as shown:
        if not shown:
            return
        new, existing = st.columns(2)
        with new, st.form(f"{key}_new"):
            st.markdown(_("**New idea**: its author becomes the giver; link, channel and post come along."))
            title = st.text_input(
                _("Idea title"),
                value=read(from_conversations.suggested_title, conversation_id=item.id),
                key=f"{key}_title",
            )
            category = st.text_input(_("Category"), value=item.category, key=f"{key}_category")
            source_labels = {s: _(SOURCE_LABELS[s]) for s in SOURCES}
            source = st.selectbox(
                _("Came in as"),
                SOURCES,
                format_func=lambda option: plain_text(source_labels[option]),
                key=f"{key}_source",
            )
            if st.form_submit_button(_("New idea"), type="primary"):
                idea_in = IdeaFromConversation(conversation_id=item.id, title=title, category=category, source=source)

                def created(idea) -> None:
                    flash(
                        _(
                            "Idea #{id} “{title}” logged; {giver} is its giver.",
                            id=idea.id,
                            title=md(idea.title),
                            giver=md(item.author_handle),
                        )
                    )

                perform(
                    ctx,
                    lambda s: from_conversations.idea_from_conversation(session=s, actor=ctx.actor, idea_in=idea_in),
                    then=created,
                )
        with existing:
            search = st.text_input(
                _("Find an idea by title or #"), key=f"{key}_search", placeholder=_("similar titles shown")
            )
            candidates = read(from_conversations.idea_candidates, conversation_id=item.id, text=search.strip())
            with st.form(f"{key}_add"):
                st.markdown(_("**Add to an idea**: its author joins the idea's givers."))
                options = {
                    c.id: _(
                        "#{id} {title} ({status}, demand {demand})",
                        id=c.id,
                        title=plain_text(c.title),
                        status=_(IDEA_STATUS_LABELS[c.status]) if c.status in IDEA_STATUS_LABELS else c.status,
                        demand=formats.number(c.demand),
                    )
                    for c in candidates
                }
                idea_id = st.selectbox(
                    _("Idea"),
                    list(options),
                    format_func=lambda option: plain_text(options[option]),
                    index=None,
                    placeholder=_("pick the idea") if options else _("no similar idea: search above"),
                    key=f"{key}_pick",
                )
                if st.form_submit_button(_("Add to idea")):
                    if idea_id is None:
                        st.error(_("Pick the idea to add the conversation to."))
                        return
                    perform(
                        ctx,
                        lambda s: from_conversations.add_conversation_to_idea(
                            session=s, actor=ctx.actor, idea_id=idea_id, conversation_id=item.id
                        ),
                        then=lambda added: flash(
                            _(
                                "Added to idea #{id}; {giver} is a giver now.",
                                id=added.idea_id,
                                giver=md(item.author_handle),
                            )
                            if added.giver_added
                            else _("Added to idea #{id}.", id=added.idea_id)
                        ),
                    )
