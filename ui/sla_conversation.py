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

from core.errors import DomainError
from core.ideas import from_conversations
from core.loop import dialog
from core.permissions import Action
from core.sla import conversations, escalations, quick_answers, teams, threads, watch
from core.sla.figures import STATUS_LABELS, sla_status
from core.sla.queues import ConversationRow
from core.text import escape_markdown as md
from core.text import plain_block, plain_text
from db.models import IdeaFromConversation, IdeaSource
from db.types import utcnow
from ui import comments_view
from ui.actions import perform
from ui.frame import PageContext
from ui.ideas_view import open_idea
from ui.messages import flash
from ui.reads import read

OPEN = "sla_open"
GO_TO_IDEAS = "sla_go_to_ideas"
SOURCES = (IdeaSource.comment, IdeaSource.dm, IdeaSource.thread)


def open_conversation(conversation_id: int | None) -> None:
    st.session_state[OPEN] = conversation_id


def opened_id() -> int | None:
    value = st.session_state.get(OPEN)
    return int(value) if value else None


def local_time(value: dt.datetime | None, ctx: PageContext, fmt: str = "%a %d %b %H:%M") -> str:
    return "—" if value is None else value.astimezone(ctx.timezone).strftime(fmt)


def status_now(item: ConversationRow, now: dt.datetime) -> str:
    """The SLA status at the moment the screen draws it (met / breached / on track)."""
    status = sla_status(
        needs_reply=item.needs_reply,
        deadline_at=item.deadline_at,
        first_reply_at=item.first_reply_at,
        reply_before_message=item.reply_before_message,
        now=now,
    )
    return STATUS_LABELS[status]


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
        head.markdown(f"**#{item.id} · {item.kind} on {md(item.channel)}** · from {md(item.author_handle)}")
        close.button("Close", key="sla_close", on_click=open_conversation, args=(None,), type="tertiary")
        _facts(ctx, item, now)
        _thread(ctx, item)
        _chain(ctx, item)
        grant = None
        if ctx.actor.id is not None and not ctx.can(Action.work_conversations):
            grant = read(escalations.escalation_grant, user_id=ctx.actor.id, conversation_id=item.id)
        if grant:
            st.caption(f"You may act on this conversation: you are {md(grant)}.")
        if ctx.can(Action.work_conversations) or grant:
            _actions(ctx, item)
        else:
            st.caption("For reading here: support and community managers work it (assign, reply, escalate, resolve).")
        if ctx.can(Action.log_idea):
            _idea_actions(ctx, item)
        comments_view.show_comments(ctx, entity="conversation", entity_id=item.id)


def _facts(ctx: PageContext, item: ConversationRow, now: dt.datetime) -> None:
    facts = [
        f"Received {local_time(item.received_at, ctx)}",
        f"due {local_time(item.deadline_at, ctx)}" if item.deadline_at else "no SLA deadline",
        f"SLA {status_now(item, now)}",
        f"status {item.status.replace('_', ' ')}",
        f"assignee {md(item.assignee or 'nobody')}",
    ]
    if item.first_reply_at:
        facts.append(f"first reply {local_time(item.first_reply_at, ctx)}")
    if item.quick_answer:
        facts.append(f"quick answer used: {md(item.quick_answer)}")
    st.caption(" · ".join(facts))
    if item.reply_before_message:
        st.warning(
            "Data problem: the first reply is stamped before the message. It is left out of response times and the SLA share; check the export."
        )
    if item.escalation_team:
        deadline = "no escalation deadline (the team has no business hours set)"
        if item.escalation_deadline_at is not None:
            late = escalations.overdue(item.escalation_deadline_at, resolved=not item.is_open, now=now)
            deadline = f"{'overdue since' if late else 'to resolve by'} {local_time(item.escalation_deadline_at, ctx)}"
        st.info(
            f"Escalated to {md(item.escalation_team)} on {local_time(item.escalated_at, ctx)} — owned now by "
            f"{md(item.escalation_owner) if item.escalation_owner else 'nobody (set an owner for the team)'}, "
            f"worked by {md(item.assignee or 'nobody')}; {deadline}. Why: {md(item.escalation_reason)}",
            icon="🧭",
        )
    if item.link:
        st.link_button("Open on the platform", item.link)


def _thread(ctx: PageContext, item: ConversationRow) -> None:
    messages = read(threads.thread, conversation_id=item.id)
    for message in messages:
        with st.chat_message("assistant" if message.from_team else "user"):
            st.caption(f"{md(message.author)} · {local_time(message.sent_at, ctx)}")
            if message.text_missing:
                st.caption("(reply logged without its text)")
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
        lines.append(f"On post #{links.post.id} “{md(links.post.title)}”")
    if links.idea is not None:
        merged = f" (merged from #{links.merged_from})" if links.merged_from else ""
        lines.append(f"idea #{links.idea.id} “{md(links.idea.title)}” — {links.idea.status.replace('_', ' ')}{merged}")
    st.markdown(":material/link: " + " · ".join(lines))
    if links.idea is not None:
        st.button(
            f"Open idea #{links.idea.id} on the idea board",
            key=f"sla_open_idea_{item.id}",
            on_click=_open_idea,
            args=(links.idea.id,),
            type="tertiary",
        )
    loop = links.loop_item
    if loop is not None:
        if loop.announced_at is not None:
            st.success(
                f"Done: {md(loop.what_changed)} — announced {local_time(loop.announced_at, ctx, '%d %b %Y')} "
                f"in post #{loop.announcement_post_id} “{md(loop.announcement_title)}”. Tell them:",
                icon=":material/campaign:",
            )
            st.code(plain_block(links.done_reply), language=None, wrap_lines=True)
        else:
            st.info(f"Shipped: {md(loop.what_changed)} — the announcement is not out yet.", icon=":material/campaign:")


# --- the actions ----------------------------------------------------------------------------------


def _actions(ctx: PageContext, item: ConversationRow) -> None:
    key = f"sla_{item.id}_{item.version}"
    buttons = st.columns(3)
    if item.assignee_id != ctx.actor.id and buttons[0].button("Assign to me", key=f"{key}_assign"):
        perform(
            ctx,
            lambda s: conversations.assign_to_me(
                session=s, actor=ctx.actor, conversation_id=item.id, expected_version=item.version
            ),
            success="Assigned to you.",
        )
    resolvable = item.is_open and (item.first_reply_at or not item.needs_reply)
    if resolvable and buttons[1].button("Resolve", key=f"{key}_resolve", type="primary"):
        perform(
            ctx,
            lambda s: conversations.resolve(
                session=s, actor=ctx.actor, conversation_id=item.id, expected_version=item.version
            ),
            success="Resolved.",
        )
    reply_tab, escalate_tab, no_reply_tab, mark_tab, post_tab = st.tabs(
        ["Reply", "Escalate to team…", "No reply needed", "UGC / best", "Post"]
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
    answer_id = st.selectbox(
        "Quick answer used",
        [None, *by_id],
        format_func=lambda i: plain_text(
            "— none —"
            if i is None
            else f"{by_id[i].title} ({by_id[i].category or 'general'}) · used {by_id[i].use_count}×"
        ),
        key=f"{key}_answer",
        help="Answers of the conversation's category come first; its text fills the reply below.",
    )
    if answer_id is not None:
        st.code(plain_block(by_id[answer_id].text), language=None, wrap_lines=True)
    with st.form(f"{key}_reply_form"):
        text = st.text_area(
            "The reply as sent",
            value=by_id[answer_id].text if answer_id is not None else "",
            key=f"{key}_reply_text_{answer_id}",
            placeholder="Paste or type the reply you sent; it is kept in the thread.",
        )
        when = st.radio("Replied", ["just now", "earlier"], horizontal=True, key=f"{key}_when")
        local_now = utcnow().astimezone(ctx.timezone)
        columns = st.columns(2)
        day = columns[0].date_input("Date (if earlier)", value=local_now.date(), key=f"{key}_day")
        time = columns[1].time_input(
            "Time (if earlier)", value=local_now.time().replace(second=0, microsecond=0), key=f"{key}_time"
        )
        if st.form_submit_button("Log reply", type="primary"):
            replied_at = None if when == "just now" else dt.datetime.combine(day, time, tzinfo=ctx.timezone)
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
                success="Reply logged. The conversation stays open here: resolve it when it is done.",
            )


def _escalate_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    team_list = read(teams.list_teams)
    if not team_list:
        st.caption("No escalation teams yet: a lead or admin adds them on the Escalation teams tab.")
        return
    by_id = {t.id: t for t in team_list}

    def label(team_id: int) -> str:
        team = by_id[team_id]
        doers = ", ".join(p.name for p in team.doers) or "nobody"
        return f"{team.name} — worked by {doers}, owned by {team.owner or 'nobody'}"

    with st.form(f"{key}_escalate_form"):
        team_id = st.selectbox("Team", list(by_id), format_func=lambda t: plain_text(label(t)), key=f"{key}_team")
        reason = st.text_area("Why", placeholder="What does the team need to do?", key=f"{key}_reason")
        if st.form_submit_button("Escalate"):
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
                success=f"Escalated to {md(by_id[team_id].name)}.",
            )


def _no_reply_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    if item.first_reply_at is not None or item.status == "resolved":
        st.caption("Answered or resolved already.")
        return
    with st.form(f"{key}_no_reply_form"):
        reason = st.text_input(
            "Why does it need no reply?", placeholder="e.g. spam, a reaction was enough", key=f"{key}_no_reply_reason"
        )
        if st.form_submit_button("Mark no reply needed"):
            perform(
                ctx,
                lambda s: conversations.mark_no_reply_needed(
                    session=s, actor=ctx.actor, conversation_id=item.id, expected_version=item.version, reason=reason
                ),
                success="Marked: no reply needed.",
            )


def _mark_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    with st.form(f"{key}_mark_form"):
        useful = st.checkbox(
            "Useful UGC (counts for the UGC KPI)", value=item.useful, disabled=item.kind != "ugc", key=f"{key}_useful"
        )
        best = st.checkbox("One of the best (for the weekly digest)", value=item.best, key=f"{key}_best")
        if st.form_submit_button("Save marks"):
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
                success="Saved.",
            )


def _post_form(ctx: PageContext, item: ConversationRow, key: str) -> None:
    posts = read(watch.recent_posts, channel_id=item.channel_id)
    if not posts:
        st.caption(f"No published post on {md(item.channel)} yet.")
        return
    by_id = {p.id: p for p in posts}
    choices: list[int | None] = [None, *by_id]
    current = item.post_id if item.post_id in by_id else None
    with st.form(f"{key}_post_form"):
        post_id = st.selectbox(
            "The post it answers",
            choices,
            index=choices.index(current),
            format_func=lambda p: plain_text(
                "— no post —" if p is None else f"#{p} {by_id[p].title} ({local_time(by_id[p].published_at, ctx)})"
            ),
            key=f"{key}_post",
            help="Within the post's watch window an unassigned conversation goes to the post's SLA owner.",
        )
        if st.form_submit_button("Save post"):
            perform(
                ctx,
                lambda s: conversations.set_post(
                    session=s,
                    actor=ctx.actor,
                    conversation_id=item.id,
                    expected_version=item.version,
                    post_id=post_id,
                ),
                success="Post saved.",
            )


# --- conversation → idea --------------------------------------------------------------------------


def _idea_actions(ctx: PageContext, item: ConversationRow) -> None:
    if read(dialog.conversation_links, conversation_id=item.id).idea is not None:
        return
    key = f"sla_idea_{item.id}"
    with st.expander("Turn into an idea", icon=":material/lightbulb:"):
        new, existing = st.columns(2)
        with new, st.form(f"{key}_new"):
            st.markdown("**New idea**: its author becomes the giver; link, channel and post come along.")
            title = st.text_input(
                "Idea title",
                value=read(from_conversations.suggested_title, conversation_id=item.id),
                key=f"{key}_title",
            )
            category = st.text_input("Category", value=item.category, key=f"{key}_category")
            source = st.selectbox(
                "Came in as",
                SOURCES,
                format_func=lambda s: plain_text(s.value.upper() if s == "dm" else s.value),
                key=f"{key}_source",
            )
            if st.form_submit_button("New idea", type="primary"):
                idea_in = IdeaFromConversation(conversation_id=item.id, title=title, category=category, source=source)

                def created(idea) -> None:
                    flash(f"Idea #{idea.id} “{md(idea.title)}” logged; {md(item.author_handle)} is its giver.")

                perform(
                    ctx,
                    lambda s: from_conversations.idea_from_conversation(session=s, actor=ctx.actor, idea_in=idea_in),
                    then=created,
                )
        with existing:
            search = st.text_input(
                "Find an idea by title or #", key=f"{key}_search", placeholder="similar titles shown"
            )
            candidates = read(from_conversations.idea_candidates, conversation_id=item.id, text=search.strip())
            with st.form(f"{key}_add"):
                st.markdown("**Add to an idea**: its author joins the idea's givers.")
                options = {
                    c.id: f"#{c.id} {c.title} ({c.status.replace('_', ' ')}, demand {c.demand})" for c in candidates
                }
                idea_id = st.selectbox(
                    "Idea",
                    list(options),
                    format_func=lambda i: plain_text(options[i]),
                    index=None,
                    placeholder="pick the idea" if options else "no similar idea: search above",
                    key=f"{key}_pick",
                )
                if st.form_submit_button("Add to idea"):
                    if idea_id is None:
                        st.error("Pick the idea to add the conversation to.")
                        return
                    perform(
                        ctx,
                        lambda s: from_conversations.add_conversation_to_idea(
                            session=s, actor=ctx.actor, idea_id=idea_id, conversation_id=item.id
                        ),
                        then=lambda added: flash(
                            f"Added to idea #{added.idea_id}"
                            + (f"; {md(item.author_handle)} is a giver now." if added.giver_added else ".")
                        ),
                    )
