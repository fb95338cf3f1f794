"""The idea detail on the board: facts, givers, votes, history, links, and the lead's triage.

Read fresh on every run (not cached), so the version each action sends as ``expected_version``
is the one the user is looking at.
"""

from __future__ import annotations

import streamlit as st

from core import ideas
from core.errors import DomainError
from core.permissions import Action
from db.engine import read_session
from ui.actions import perform
from ui.frame import PageContext
from ui.ideas_view import SELECTED, cached_categories, cached_merge_candidates, db_url, idea_facts, local, md, open_idea


def _value(key: str, default=None):
    return st.session_state.get(key, default)


def _vote(ctx: PageContext, idea_id: int, withdraw: bool) -> None:
    if withdraw:
        perform(
            ctx,
            lambda s: ideas.withdraw_vote(s, actor=ctx.actor, idea_id=idea_id),
            success="Vote withdrawn.",
            rerun=False,
        )
    else:
        perform(ctx, lambda s: ideas.vote(s, actor=ctx.actor, idea_id=idea_id), success="Vote counted.", rerun=False)


def _add_givers(ctx: PageContext, idea_id: int) -> None:
    key = f"ideas_d_givers_{idea_id}"
    added = perform(
        ctx, lambda s: ideas.add_givers(s, actor=ctx.actor, idea_id=idea_id, handles=_value(key, "")), rerun=False
    )
    if added is not None:
        st.toast(f"{added} giver(s) added." if added else "Those givers are on the idea already.", icon="✅")
        st.session_state[key] = ""


def _set_status(ctx: PageContext, idea_id: int, version: int) -> None:
    perform(
        ctx,
        lambda s: ideas.set_status(
            s,
            actor=ctx.actor,
            idea_id=idea_id,
            status=_value(f"ideas_d_status_{idea_id}"),
            reason=_value(f"ideas_d_reason_{idea_id}", ""),
            expected_version=version,
        ),
        success="Status changed.",
        rerun=False,
    )


def _set_scores(ctx: PageContext, idea_id: int, version: int) -> None:
    perform(
        ctx,
        lambda s: ideas.set_scores(
            s,
            actor=ctx.actor,
            idea_id=idea_id,
            impact=_value(f"ideas_d_impact_{idea_id}"),
            cost=_value(f"ideas_d_cost_{idea_id}"),
            expected_version=version,
        ),
        success="Scores saved.",
        rerun=False,
    )


def _hot_plan(ctx: PageContext, idea_id: int, add: bool) -> None:
    if add:
        perform(
            ctx,
            lambda s: ideas.add_to_hot_plan(s, actor=ctx.actor, idea_id=idea_id),
            success="Moved to the hot plan.",
            rerun=False,
        )
    else:
        perform(
            ctx,
            lambda s: ideas.remove_from_hot_plan(s, actor=ctx.actor, idea_id=idea_id),
            success="Removed from the hot plan.",
            rerun=False,
        )


def _merge(ctx: PageContext, idea_id: int, version: int) -> None:
    target = _value(f"ideas_d_merge_target_{idea_id}")
    if target is None:
        st.error("Pick the idea to merge this one into.")
        return
    result = perform(
        ctx,
        lambda s: ideas.merge(s, actor=ctx.actor, source_id=idea_id, target_id=target, expected_version=version),
        rerun=False,
    )
    if result is not None:
        st.toast(
            f"Merged into #{target}: {result.givers_moved} giver(s) and {result.votes_moved} vote(s) moved "
            f"({result.givers_already_there + result.votes_already_there} were there already).",
            icon="✅",
        )
        open_idea(target)


def _undo_merge(ctx: PageContext, idea_id: int, version: int) -> None:
    perform(
        ctx,
        lambda s: ideas.undo_merge(s, actor=ctx.actor, idea_id=idea_id, expected_version=version),
        success="Merge undone.",
        rerun=False,
    )


def _save_details(ctx: PageContext, idea_id: int, version: int) -> None:
    perform(
        ctx,
        lambda s: ideas.update_details(
            s,
            actor=ctx.actor,
            idea_id=idea_id,
            expected_version=version,
            title=_value(f"ideas_d_title_{idea_id}"),
            description=_value(f"ideas_d_description_{idea_id}"),
            category=_value(f"ideas_d_category_{idea_id}") or "",
            source_url=_value(f"ideas_d_link_{idea_id}"),
        ),
        success="Idea saved.",
        rerun=False,
    )


def detail(ctx: PageContext, idea_id: int) -> None:
    try:
        with read_session(ctx.engine) as session:
            data = ideas.idea_detail(session, idea_id=idea_id)
            voted = bool(ideas.my_votes(session, user_id=ctx.actor.id, idea_ids=[idea_id]))
    except DomainError as error:
        st.warning(str(error))
        open_idea(None)
        return
    idea = data.idea
    candidates = []
    if ctx.can(Action.triage_idea) and not data.merged_into:
        candidates = cached_merge_candidates(db_url(), idea_id, _value(f"ideas_d_merge_q_{idea_id}", "").strip())
    with st.container(border=True):
        head, close = st.columns([10, 1])
        head.subheader(f"#{idea.id} · {md(idea.title)}")
        close.button("Close", key="ideas_d_close", on_click=open_idea, args=(None,), type="tertiary")
        if data.merged_into:
            target_id, target_title = data.merged_into
            st.warning(
                f"Merged into #{target_id} — {md(target_title)}. Its givers and votes count there.",
                icon=":material/call_merge:",
            )
            a, b = st.columns([1, 4])
            a.button(f"Open #{target_id}", key="ideas_d_open_target", on_click=open_idea, args=(target_id,))
            if ctx.can(Action.triage_idea):
                b.button(
                    "Undo the merge", key="ideas_d_unmerge", on_click=_undo_merge, args=(ctx, idea.id, idea.version)
                )
        reason = f" — {md(idea.status_reason)}" if idea.status_reason else ""
        st.markdown(f"**{idea.status_label}**{reason} · {idea_facts(idea, number=False)}")
        facts = [f"Source: {idea.source_label}"]
        if idea.channel_name:
            facts.append(f"channel: {md(idea.channel_name)}")
        if idea.category:
            facts.append(f"category: {md(idea.category)}")
        facts.append(f"logged {local(ctx, idea.created_at)}" + (f" by {md(data.logged_by)}" if data.logged_by else ""))
        if idea.valid_at:
            facts.append(f"valid since {local(ctx, idea.valid_at, '%Y-%m-%d')}")
        if idea.shipped_at:
            facts.append(f"shipped {local(ctx, idea.shipped_at, '%Y-%m-%d')}")
        if data.scored_by:
            facts.append(f"scored by {md(data.scored_by)} on {local(ctx, data.scored_at, '%Y-%m-%d')}")
        st.caption(" · ".join(facts))
        if data.description:
            st.text(data.description)
        links = st.columns([2, 2, 6])
        if idea.source_url:
            links[0].link_button("Open the original ↗", idea.source_url)
        for loop_id, what in data.loop_items:
            st.caption(f":material/campaign: Answered by loop item #{loop_id}: {md(what)}")
        if not data.merged_into:
            _actions(ctx, data, voted, candidates)
        _lists(ctx, data)


def _actions(ctx: PageContext, data: ideas.IdeaDetail, voted: bool, candidates: list[ideas.SimilarIdea]) -> None:
    idea = data.idea
    if ctx.can(Action.vote_idea) or ctx.can(Action.log_idea):
        vote_col, givers_col, add_col = st.columns([2, 4, 2], vertical_alignment="bottom")
        if ctx.can(Action.vote_idea):
            vote_col.button(
                "Withdraw my vote" if voted else "Vote",
                key=f"ideas_d_vote_{idea.id}",
                on_click=_vote,
                args=(ctx, idea.id, voted),
                type="secondary" if voted else "primary",
                icon=":material/thumb_up:",
            )
        if ctx.can(Action.log_idea):
            givers_col.text_input("Add givers", key=f"ideas_d_givers_{idea.id}", placeholder="@handle, @another")
            add_col.button("Add givers", key=f"ideas_d_add_givers_{idea.id}", on_click=_add_givers, args=(ctx, idea.id))
    if not ctx.can(Action.triage_idea):
        return
    with st.expander("Triage: status, scores, hot plan, merge", expanded=True):
        status_col, score_col, plan_col = st.columns(3)
        with status_col:
            if data.next_statuses:
                st.selectbox(
                    "Move to", data.next_statuses, format_func=ideas.STATUS_LABELS.get, key=f"ideas_d_status_{idea.id}"
                )
                st.text_input("Reason (needed to decline)", key=f"ideas_d_reason_{idea.id}")
                st.button(
                    "Change status",
                    key=f"ideas_d_set_status_{idea.id}",
                    on_click=_set_status,
                    args=(ctx, idea.id, idea.version),
                )
            else:
                st.caption(f"{idea.status_label} is final.")
        with score_col:
            st.select_slider(
                "Impact", options=list(ideas.SCORES), value=idea.impact or 3, key=f"ideas_d_impact_{idea.id}"
            )
            st.select_slider("Cost", options=list(ideas.SCORES), value=idea.cost or 3, key=f"ideas_d_cost_{idea.id}")
            st.button(
                "Save scores",
                key=f"ideas_d_save_scores_{idea.id}",
                on_click=_set_scores,
                args=(ctx, idea.id, idea.version),
            )
        with plan_col:
            if idea.hot_plan_position:
                st.caption(
                    f":orange[:material/local_fire_department:] In the hot plan at position {idea.hot_plan_position}."
                )
                st.button(
                    "Remove from hot plan", key=f"ideas_d_hot_{idea.id}", on_click=_hot_plan, args=(ctx, idea.id, False)
                )
            elif idea.status in ideas.HOT_PLAN_STATUSES:
                if idea.quick_win:
                    st.caption(":green[:material/bolt: Quick win]: high impact, low cost.")
                st.button(
                    "Move to hot plan", key=f"ideas_d_hot_{idea.id}", on_click=_hot_plan, args=(ctx, idea.id, True)
                )
            else:
                st.caption("Valid, planned and in-progress ideas can go into the hot plan.")
        st.markdown(
            "**Merge a duplicate**: this idea's givers and votes move to the one you pick (no double counting); it can be undone."
        )
        search_col, pick_col, go_col = st.columns([2, 3, 2], vertical_alignment="bottom")
        search_col.text_input(
            "Find by title or #", key=f"ideas_d_merge_q_{idea.id}", placeholder="similar titles shown"
        )
        options = {c.id: f"#{c.id} {c.title} (demand {c.demand})" for c in candidates}
        pick_col.selectbox(
            "Merge into",
            list(options),
            format_func=options.get,
            index=None,
            key=f"ideas_d_merge_target_{idea.id}",
            placeholder="pick the idea to keep",
        )
        go_col.button(
            "Merge into it", key=f"ideas_d_merge_{idea.id}", on_click=_merge, args=(ctx, idea.id, idea.version)
        )
    with st.expander("Edit title, description, category, link"):
        st.text_input("Title", value=idea.title, key=f"ideas_d_title_{idea.id}", max_chars=ideas.TITLE_MAX)
        st.text_area("Description", value=data.description, key=f"ideas_d_description_{idea.id}")
        categories = cached_categories_for(idea.category)
        st.selectbox(
            "Category",
            categories,
            index=categories.index(idea.category) if idea.category in categories else None,
            key=f"ideas_d_category_{idea.id}",
            accept_new_options=True,
        )
        st.text_input("Link to the original", value=idea.source_url, key=f"ideas_d_link_{idea.id}")
        st.button("Save", key=f"ideas_d_save_{idea.id}", on_click=_save_details, args=(ctx, idea.id, idea.version))


def cached_categories_for(current: str) -> list[str]:
    names = cached_categories(db_url())
    return names if not current or current in names else sorted([*names, current], key=str.lower)


def _lists(ctx: PageContext, data: ideas.IdeaDetail) -> None:
    givers_col, voters_col = st.columns(2)
    with givers_col:
        st.markdown(f"**Givers** ({len(data.givers)})")
        if data.givers:
            st.dataframe(
                [
                    {
                        "Handle": g.handle,
                        "Channel": g.channel_name,
                        "Given": local(ctx, g.given_at, "%Y-%m-%d"),
                        "Moved from": f"#{g.moved_from_id}" if g.moved_from_id else "",
                    }
                    for g in data.givers
                ],
                hide_index=True,
                width="stretch",
                height=min(300, 38 + 35 * len(data.givers)),
            )
        else:
            st.caption("No givers recorded yet: add the handles of the people who asked for it.")
    with voters_col:
        st.markdown(f"**Team votes** ({len(data.voters)})")
        if data.voters:
            st.text(", ".join(v.name for v in data.voters))
        else:
            st.caption("No votes yet.")
        if data.merged_from:
            st.markdown("**Merged into this idea**")
            for merged_id, title in data.merged_from:
                st.button(
                    f"#{merged_id} · {md(title)}",
                    key=f"ideas_d_open_merged_{merged_id}",
                    on_click=open_idea,
                    args=(merged_id,),
                    type="tertiary",
                )
    with st.expander(f"History ({len(data.history)})"):
        st.dataframe(
            [{"When": local(ctx, h.at), "Who": h.actor, "What": h.action, "Changes": h.changes} for h in data.history],
            hide_index=True,
            width="stretch",
        )


def selected_idea_id() -> int | None:
    value = st.session_state.get(SELECTED)
    return int(value) if value else None
