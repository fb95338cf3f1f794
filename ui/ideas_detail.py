"""The idea detail on the board: facts, givers, votes, history, links, and the lead's triage.

Writes that send ``expected_version`` run in button callbacks: their arguments hold the version the
user looked at, so a newer change by someone else is refused instead of overwritten (a plain button
would read the newer version in the same run). The run that follows the callback shows the change.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import formats
from core.errors import DomainError
from core.i18n import N_, _, ngettext
from core.ideas import capture, detail, from_conversations, merges, queries, rules, triage
from core.ideas.detail import IdeaDetail, SimilarIdea
from core.loop import chain
from core.permissions import Action
from core.text import plain_block, plain_text
from db.models import IdeaUpdate
from ui import chain_view, comments_view
from ui.actions import perform
from ui.frame import PageContext
from ui.ideas_view import SELECTED, idea_facts, local, local_date, md, my_votes, open_idea
from ui.messages import flash
from ui.reads import read

# A conversation's status as the list of where an idea came from shows it (codes stay English).
CONVERSATION_STATUS_LABELS = {
    "open": N_("Still open"),
    "waiting": N_("Waiting"),
    "resolved": N_("Resolved"),
    "no_reply_needed": N_("No reply needed"),
    "archived": N_("Archived"),
}


def _value(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


# --- versioned writes (button callbacks) ------------------------------------------------------


def _add_givers(ctx: PageContext, idea_id: int) -> None:
    # A callback, so the input can be emptied before it is drawn again.
    key = f"ideas_d_givers_{idea_id}"

    def added(count: int) -> None:
        st.session_state[key] = ""
        if count:
            flash(ngettext("{count} giver added.", "{count} givers added.", count))
        else:
            flash(_("Those givers are on the idea already."), "info")

    perform(
        ctx,
        lambda s: capture.add_givers(session=s, actor=ctx.actor, idea_id=idea_id, handles=_value(key, "")),
        then=added,
        rerun=False,
    )


def _set_status(ctx: PageContext, idea_id: int, version: int) -> None:
    perform(
        ctx,
        lambda s: triage.set_status(
            session=s,
            actor=ctx.actor,
            idea_id=idea_id,
            status=_value(f"ideas_d_status_{idea_id}"),
            reason=_value(f"ideas_d_reason_{idea_id}", ""),
            expected_version=version,
        ),
        success=_("Status changed."),
        rerun=False,
    )


def _set_scores(ctx: PageContext, idea_id: int, version: int) -> None:
    perform(
        ctx,
        lambda s: triage.set_scores(
            session=s,
            actor=ctx.actor,
            idea_id=idea_id,
            impact=_value(f"ideas_d_impact_{idea_id}"),
            cost=_value(f"ideas_d_cost_{idea_id}"),
            expected_version=version,
        ),
        success=_("Scores saved."),
        rerun=False,
    )


def _merge(ctx: PageContext, idea_id: int, version: int) -> None:
    target = _value(f"ideas_d_merge_target_{idea_id}")
    if target is None:
        st.error(_("Pick the idea to merge this one into."))
        return

    def merged(result: merges.MergeResult) -> None:
        flash(
            _(
                "Merged #{id} into #{target}: givers moved: {givers}, votes moved: {votes}, already there: {there}. "
                "To undo it, open #{id}: it is listed under this idea, and the board's search finds it.",
                id=idea_id,
                target=target,
                givers=formats.number(result.givers_moved),
                votes=formats.number(result.votes_moved),
                there=formats.number(result.givers_already_there + result.votes_already_there),
            )
        )
        open_idea(target)

    perform(
        ctx,
        lambda s: merges.merge(
            session=s, actor=ctx.actor, source_id=idea_id, target_id=target, expected_version=version
        ),
        then=merged,
        rerun=False,
    )


def _undo_merge(ctx: PageContext, idea_id: int, version: int) -> None:
    perform(
        ctx,
        lambda s: merges.undo_merge(session=s, actor=ctx.actor, idea_id=idea_id, expected_version=version),
        success=_("Merge undone."),
        rerun=False,
    )


def _save_details(ctx: PageContext, idea_id: int, version: int) -> None:
    edit = IdeaUpdate(
        title=_value(f"ideas_d_title_{idea_id}"),
        description=_value(f"ideas_d_description_{idea_id}"),
        category=_value(f"ideas_d_category_{idea_id}") or "",
        source_url=_value(f"ideas_d_link_{idea_id}"),
    )
    perform(
        ctx,
        lambda s: capture.update_details(
            session=s, actor=ctx.actor, idea_id=idea_id, expected_version=version, idea_in=edit
        ),
        success=_("Idea saved."),
        rerun=False,
    )


# --- the panel --------------------------------------------------------------------------------


def detail_panel(ctx: PageContext, idea_id: int) -> None:
    try:
        data = read(detail.idea_detail, idea_id=idea_id)
    except DomainError as error:
        st.warning(md(str(error)))
        open_idea(None)
        return
    voted = idea_id in my_votes(ctx, [idea_id])
    idea = data.idea
    candidates = []
    if ctx.can(Action.triage_idea) and not data.merged_into:
        text = _value(f"ideas_d_merge_q_{idea_id}", "").strip()
        candidates = read(detail.merge_candidates, idea_id=idea_id, text=text)
    with st.container(border=True):
        head, close = st.columns([10, 1])
        head.subheader(f"#{idea.id} · {md(idea.title)}")
        close.button(_("Close"), key="ideas_d_close", on_click=open_idea, args=(None,), type="tertiary")
        if data.merged_into:
            target_id, target_title = data.merged_into
            st.warning(
                _(
                    "Merged into #{id} — {title}. Its givers and votes count there.",
                    id=target_id,
                    title=md(target_title),
                ),
                icon=":material/call_merge:",
            )
            a, b = st.columns([1, 4])
            a.button(_("Open #{id}", id=target_id), key="ideas_d_open_target", on_click=open_idea, args=(target_id,))
            if ctx.can(Action.triage_idea):
                b.button(
                    _("Undo the merge"), key="ideas_d_unmerge", on_click=_undo_merge, args=(ctx, idea.id, idea.version)
                )
        reason = f" — {md(idea.status_reason)}" if idea.status_reason else ""
        st.markdown(f"**{idea.status_label}**{reason} · {idea_facts(idea, number=False)}")
        st.caption(" · ".join(_provenance(ctx, data)))
        if data.description:
            st.text(plain_block(data.description))
        links = st.columns([2, 2, 6])
        if idea.source_url:
            links[0].link_button(_("Open the original ↗"), idea.source_url)
        for loop_id, what in data.loop_items:
            st.caption(":material/campaign: " + _("Answered by loop item #{id}: {what}", id=loop_id, what=md(what)))
        if not data.merged_into:
            _actions(ctx, data, voted, candidates)
        _lists(ctx, data)
        _conversations(ctx, idea.id)
        with st.expander(_("The chain: from the first question to the thanks"), icon=":material/timeline:"):
            chain_view.render(ctx, read(chain.idea_chain, idea_id=idea.id))


def _provenance(ctx: PageContext, data: IdeaDetail) -> list[str]:
    """Where the idea came from and when it was logged, found valid, shipped and scored."""
    idea = data.idea
    facts = [_("Source: {source}", source=idea.source_label)]
    if idea.channel_name:
        facts.append(_("channel: {channel}", channel=md(idea.channel_name)))
    if idea.category:
        facts.append(_("category: {category}", category=md(idea.category)))
    if data.logged_by:
        facts.append(_("logged {when} by {name}", when=local(ctx, idea.created_at), name=md(data.logged_by)))
    else:
        facts.append(_("logged {when}", when=local(ctx, idea.created_at)))
    if idea.valid_at:
        facts.append(_("valid since {day}", day=local_date(ctx, idea.valid_at)))
    if idea.shipped_at:
        facts.append(_("shipped {day}", day=local_date(ctx, idea.shipped_at)))
    if data.scored_by:
        facts.append(_("scored by {name} on {day}", name=md(data.scored_by), day=local_date(ctx, data.scored_at)))
    return facts


def _actions(ctx: PageContext, data: IdeaDetail, voted: bool, candidates: list[SimilarIdea]) -> None:
    idea = data.idea
    if ctx.can(Action.vote_idea) or ctx.can(Action.log_idea):
        vote_col, givers_col, add_col = st.columns([2, 4, 2], vertical_alignment="bottom")
        if ctx.can(Action.vote_idea) and vote_col.button(
            _("Withdraw my vote") if voted else _("Vote"),
            key=f"ideas_d_vote_{idea.id}",
            type="secondary" if voted else "primary",
            icon=":material/thumb_up:",
        ):
            if voted:
                perform(
                    ctx,
                    lambda s: capture.withdraw_vote(session=s, actor=ctx.actor, idea_id=idea.id),
                    success=_("Vote withdrawn."),
                )
            else:
                perform(
                    ctx,
                    lambda s: capture.vote(session=s, actor=ctx.actor, idea_id=idea.id),
                    success=_("Vote counted."),
                )
        if ctx.can(Action.log_idea):
            givers_col.text_input(_("Add givers"), key=f"ideas_d_givers_{idea.id}", placeholder=_("@handle, @another"))
            add_col.button(
                _("Add givers"), key=f"ideas_d_add_givers_{idea.id}", on_click=_add_givers, args=(ctx, idea.id)
            )
    if not ctx.can(Action.triage_idea):
        return
    with st.expander(_("Triage: status, scores, hot plan, merge"), expanded=True):
        status_col, score_col, plan_col = st.columns(3)
        with status_col:
            if data.next_statuses:
                st.selectbox(
                    _("Move to"),
                    data.next_statuses,
                    format_func=lambda code: _(rules.STATUS_LABELS[code]),
                    key=f"ideas_d_status_{idea.id}",
                )
                st.text_input(_("Reason (needed to decline)"), key=f"ideas_d_reason_{idea.id}")
                st.button(
                    _("Change status"),
                    key=f"ideas_d_set_status_{idea.id}",
                    on_click=_set_status,
                    args=(ctx, idea.id, idea.version),
                )
            else:
                st.caption(_("{status} is final.", status=idea.status_label))
        with score_col:
            st.select_slider(
                _("Impact"), options=list(rules.SCORES), value=idea.impact or 3, key=f"ideas_d_impact_{idea.id}"
            )
            st.select_slider(_("Cost"), options=list(rules.SCORES), value=idea.cost or 3, key=f"ideas_d_cost_{idea.id}")
            st.button(
                _("Save scores"),
                key=f"ideas_d_save_scores_{idea.id}",
                on_click=_set_scores,
                args=(ctx, idea.id, idea.version),
            )
        with plan_col:
            _hot_plan_actions(ctx, idea)
        st.markdown(
            _(
                "**Merge a duplicate**: this idea's givers and votes move to the one you pick (no double counting); "
                "it can be undone."
            )
        )
        search_col, pick_col, go_col = st.columns([2, 3, 2], vertical_alignment="bottom")
        search_col.text_input(
            _("Find by title or #"), key=f"ideas_d_merge_q_{idea.id}", placeholder=_("similar titles shown")
        )
        options = {
            c.id: _("#{id} {title} (demand {demand})", id=c.id, title=c.title, demand=formats.number(c.demand))
            for c in candidates
        }
        pick_col.selectbox(
            _("Merge into"),
            list(options),
            format_func=lambda value: plain_text(options.get(value)),
            index=None,
            key=f"ideas_d_merge_target_{idea.id}",
            placeholder=_("pick the idea to keep"),
        )
        go_col.button(
            _("Merge into it"), key=f"ideas_d_merge_{idea.id}", on_click=_merge, args=(ctx, idea.id, idea.version)
        )
    with st.expander(_("Edit title, description, category, link")):
        st.text_input(_("Title"), value=idea.title, key=f"ideas_d_title_{idea.id}", max_chars=rules.TITLE_MAX)
        st.text_area(_("Description"), value=data.description, key=f"ideas_d_description_{idea.id}")
        categories = _categories_with(idea.category)
        st.selectbox(
            _("Category"),
            categories,
            index=categories.index(idea.category) if idea.category in categories else None,
            key=f"ideas_d_category_{idea.id}",
            accept_new_options=True,
        )
        st.text_input(_("Link to the original"), value=idea.source_url, key=f"ideas_d_link_{idea.id}")
        st.button(_("Save"), key=f"ideas_d_save_{idea.id}", on_click=_save_details, args=(ctx, idea.id, idea.version))


def _hot_plan_actions(ctx: PageContext, idea: queries.IdeaView) -> None:
    if idea.hot_plan_position:
        st.caption(
            ":orange[:material/local_fire_department:] "
            + _("In the hot plan at position {position}.", position=idea.hot_plan_position)
        )
        if st.button(_("Remove from hot plan"), key=f"ideas_d_hot_{idea.id}"):
            perform(
                ctx,
                lambda s: triage.remove_from_hot_plan(session=s, actor=ctx.actor, idea_id=idea.id),
                success=_("Removed from the hot plan."),
            )
    elif idea.status in rules.HOT_PLAN_STATUSES:
        if idea.quick_win:
            st.caption(":green[:material/bolt: " + _("Quick win") + "]: " + _("high impact, low cost."))
        if st.button(_("Move to hot plan"), key=f"ideas_d_hot_{idea.id}"):
            perform(
                ctx,
                lambda s: triage.add_to_hot_plan(session=s, actor=ctx.actor, idea_id=idea.id),
                success=_("Moved to the hot plan."),
            )
    else:
        st.caption(_("Valid, planned and in-progress ideas can go into the hot plan."))


def _categories_with(current: str) -> list[str]:
    names = read(detail.category_suggestions)
    return names if not current or current in names else sorted([*names, current], key=str.lower)


def _lists(ctx: PageContext, data: IdeaDetail) -> None:
    givers_col, voters_col = st.columns(2)
    with givers_col:
        st.markdown(_("**Givers** ({count})", count=formats.number(len(data.givers))))
        if data.givers:
            given = _("Given")
            st.dataframe(
                [
                    {
                        _("Handle"): g.handle,
                        _("Channel"): g.channel_name,
                        given: g.given_at.astimezone(ctx.timezone).date(),
                        _("Moved from"): f"#{g.moved_from_id}" if g.moved_from_id else "",
                    }
                    for g in data.givers
                ],
                hide_index=True,
                placeholder="—",
                width="stretch",
                height=min(300, 38 + 35 * len(data.givers)),
                column_config={given: st.column_config.DateColumn(format=formats.table_date_format())},
            )
        else:
            st.caption(_("No givers recorded yet: add the handles of the people who asked for it."))
    with voters_col:
        st.markdown(_("**Team votes** ({count})", count=formats.number(len(data.voters))))
        if data.voters:
            st.text(plain_block(", ".join(v.name for v in data.voters)))
        else:
            st.caption(_("No votes yet."))
        if data.merged_from:
            st.markdown(_("**Merged into this idea**"))
            for merged_id, title in data.merged_from:
                st.button(
                    f"#{merged_id} · {md(title)}",
                    key=f"ideas_d_open_merged_{merged_id}",
                    on_click=open_idea,
                    args=(merged_id,),
                    type="tertiary",
                )
    with st.expander(_("History ({count})", count=formats.number(len(data.history)))):
        when = _("When")
        st.dataframe(
            [
                {when: h.at.astimezone(ctx.timezone), _("Who"): h.actor, _("What"): h.action, _("Changes"): h.changes}
                for h in data.history
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config={when: st.column_config.DatetimeColumn(format=formats.table_date_format(with_time=True))},
        )
    comments_view.show_comments(ctx, entity="idea", entity_id=data.idea.id)


def _conversations(ctx: PageContext, idea_id: int) -> None:
    listed = read(from_conversations.conversations_of_idea, idea_id=idea_id)
    if not listed:
        return
    st.markdown(_("**Conversations it came from** ({count})", count=formats.number(len(listed))))
    received, via = _("Received"), _("Via idea")
    st.dataframe(
        [
            {
                "#": c.id,
                _("From"): c.author_handle,
                _("Channel"): c.channel,
                received: c.received_at.astimezone(ctx.timezone),
                _("Post"): f"#{c.post_id} {c.post_title}" if c.post_id else "",
                _("Message"): " ".join(c.text.split())[:100],
                _("Status"): _(CONVERSATION_STATUS_LABELS[c.status])
                if c.status in CONVERSATION_STATUS_LABELS
                else c.status.replace("_", " "),
                via: f"#{c.idea_id}" if c.idea_id != idea_id else "",
            }
            for c in listed
        ],
        hide_index=True,
        width="stretch",
        column_config={
            received: st.column_config.DatetimeColumn(format=formats.table_date_format(with_time=True)),
            via: st.column_config.TextColumn(help=_("Came with an idea merged into this one")),
        },
    )


def selected_idea_id() -> int | None:
    value = st.session_state.get(SELECTED)
    return int(value) if value else None
