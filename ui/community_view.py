"""The community screen's parts: the member list by role, a member's page (history, merges, roles
given by hand), the role rules with each role's benefits, and the 60-day rollout.

Every read goes through ``ui.reads.read`` and every write through ``ui.actions.perform``."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.community import identities, rollout
from core.community.members import Member, list_members, member_page, role_rules
from core.community.rules import BENEFITS, GIVEN_ROLES, NO_ROLE, NO_ROLE_LABEL, ROLE_LABELS
from core.permissions import Action
from core.text import escape_markdown as esc
from core.text import plain_text
from db.models import CommunitySettingsUpdate
from db.types import utcnow
from ui.actions import perform
from ui.frame import PageContext
from ui.reads import read

PICK = "community_member"
# Widths that fit the member list into the main column at 1400 px.
MEMBER_COLUMNS = {
    "Member": st.column_config.TextColumn(width=120),
    "Roles": st.column_config.TextColumn(width=110),
    "Also known as": st.column_config.TextColumn(width=100),
    "Channels": st.column_config.TextColumn(width=110),
    "First seen": st.column_config.TextColumn(width=88),
    "Last seen": st.column_config.TextColumn(width=88),
    "Conversations": st.column_config.NumberColumn("Conv.", width=52, help="Conversations"),
    "Ideas": st.column_config.NumberColumn(width=48),
    "Useful UGC": st.column_config.NumberColumn("UGC", width=48, help="Useful UGC"),
    "Best answers": st.column_config.NumberColumn("Best", width=48, help="Best answers"),
    "Thanked": st.column_config.NumberColumn(width=60),
}
ROLLOUT_COLUMNS = {
    "Step": st.column_config.TextColumn(width=270),
    "Days": st.column_config.TextColumn(width=52),
    "Due": st.column_config.TextColumn(width=92),
    "Status": st.column_config.TextColumn(width=230),
    "Ticks itself when": st.column_config.TextColumn(width=230),
}
ROLE_FILTER = "community_role_filter"


def this_hour() -> dt.datetime:
    """Roles are derived as of the hour: every run within it shares the cached member list."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def _day(ctx: PageContext, instant: dt.datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(ctx.timezone):%d %b %Y}"


def member_rows(ctx: PageContext, found: tuple[Member, ...]) -> list[dict]:
    return [
        {
            "Member": m.display,
            "Roles": m.role_labels,
            "Also known as": ", ".join(i for i in m.identities if i != m.display),
            "Channels": ", ".join(sorted(m.channels)),
            "First seen": _day(ctx, m.first_seen),
            "Last seen": _day(ctx, m.last_seen),
            "Conversations": m.conversations,
            "Ideas": m.ideas,
            "Useful UGC": m.useful_ugc,
            "Best answers": m.best_answers,
            "Thanked": m.thanks,
        }
        for m in found
    ]


def members_tab(ctx: PageContext) -> None:
    options = ["all", *ROLE_LABELS, NO_ROLE]
    labels = {"all": "Every member", **ROLE_LABELS, NO_ROLE: NO_ROLE_LABEL}
    role = st.selectbox("Role", options, format_func=lambda r: plain_text(labels[r]), key=ROLE_FILTER)
    found = read(list_members, now=this_hour(), role=None if role == "all" else role)
    if role in BENEFITS:
        st.caption(f"What {ROLE_LABELS[role].lower()}s get: {BENEFITS[role]}")
    if not found:
        st.info(
            "Nobody holds this role yet." if role != "all" else "No members yet: conversations and ideas bring them in."
        )
        return
    st.caption(f"{len(found)} member(s), most recently seen first.")
    st.dataframe(member_rows(ctx, found), hide_index=True, width="stretch", column_config=MEMBER_COLUMNS)


def member_tab(ctx: PageContext) -> None:
    everyone = read(list_members, now=this_hour(), role=None)
    if not everyone:
        st.info("No members yet: conversations and ideas bring them in.")
        return
    keys = [m.key for m in everyone]
    by_key = {m.key: m for m in everyone}
    if st.session_state.get(PICK) not in by_key:
        st.session_state[PICK] = keys[0]
    key = st.selectbox(
        "Member", keys, key=PICK, format_func=lambda k: plain_text(f"{by_key[k].display} · {by_key[k].role_labels}")
    )
    page = read(member_page, key=key, now=this_hour())
    member = page.member
    st.subheader(esc(member.display))
    st.markdown(f"**Roles:** {esc(member.role_labels)}")
    for role in member.roles:
        st.caption(f"{ROLE_LABELS[role]}: {BENEFITS[role]}")
    cols = st.columns(4)
    cols[0].metric("Conversations", member.conversations)
    cols[1].metric("Ideas", member.ideas)
    cols[2].metric("Useful UGC", member.useful_ugc)
    cols[3].metric("Thanked", member.thanks)
    st.caption(
        f"Channels: {esc(', '.join(sorted(member.channels)) or '—')} · first seen {_day(ctx, member.first_seen)} · "
        f"last seen {_day(ctx, member.last_seen)}"
    )
    st.markdown("**History**")
    st.dataframe(
        [{"When": _day(ctx, h.at), "What": h.what, "Channel": h.channel, "Text": h.text} for h in page.history],
        hide_index=True,
        width="stretch",
    )
    if ctx.can(Action.manage_members):
        _member_tools(ctx, member, page.merged, [m for m in everyone if m.key != member.key])


def _member_tools(ctx: PageContext, member: Member, merged: tuple[tuple[str, str], ...], others: list[Member]) -> None:
    st.markdown("**Identities and roles**")
    for key, into in merged:
        if (
            into in member.keys
            and key != member.key
            and st.button(f"Undo the merge of {esc(key)}", key=f"unmerge_{key}")
        ):
            perform(
                ctx,
                lambda s, key=key: identities.undo_merge(session=s, actor=ctx.actor, handle=key),
                success="Merge undone: the identity counts on its own again.",
            )
    with st.form("community_merge", clear_on_submit=True):
        by_key = {m.key: m for m in others}
        other = st.selectbox(
            "Another identity of this person",
            list(by_key),
            index=None,
            placeholder="Pick the handle they use elsewhere",
            key="community_merge_other",
            format_func=lambda k: plain_text(f"{by_key[k].display} ({', '.join(sorted(by_key[k].channels))})"),
        )
        if st.form_submit_button("Merge into this member") and other:
            perform(
                ctx,
                lambda s: identities.merge_identities(session=s, actor=ctx.actor, handle=other, into=member.key),
                success="Merged: their activity now counts as one member (undo it here any time).",
            )
    cols = st.columns(len(GIVEN_ROLES))
    for column, role in zip(cols, GIVEN_ROLES, strict=True):
        label = ROLE_LABELS[role].lower()
        if role in member.given:
            if column.button(f"Take back: {label}", key=f"take_{role}"):
                perform(
                    ctx,
                    lambda s, role=role: identities.take_role(session=s, actor=ctx.actor, handle=member.key, role=role),
                    success="Role taken back.",
                )
        elif column.button(f"Make {label}", key=f"give_{role}"):
            perform(
                ctx,
                lambda s, role=role: identities.give_role(session=s, actor=ctx.actor, handle=member.key, role=role),
                success="Role given.",
            )


def roles_tab(ctx: PageContext) -> None:
    current = read(role_rules)
    st.markdown("**Roles and what they bring**")
    st.dataframe(
        [
            {
                "Role": ROLE_LABELS[r],
                "How": "given by hand" if r in GIVEN_ROLES else _how(r, current),
                "Benefits": BENEFITS[r],
            }
            for r in ROLE_LABELS
        ],
        hide_index=True,
        width="stretch",
    )
    if not ctx.can(Action.manage_community_rules):
        return
    with st.form("community_role_rules"):
        st.markdown("**The rules for the derived roles**")
        c = st.columns(5)
        changes = CommunitySettingsUpdate(
            activist_min_useful=c[0].number_input(
                "Activist: useful contributions", 1, 1000, current.activist_min_useful
            ),
            activist_window_days=c[1].number_input("… within days", 1, 3650, current.activist_window_days),
            active_min_contributions=c[2].number_input(
                "Active: contributions", 1, 1000, current.active_min_contributions
            ),
            active_window_days=c[3].number_input("… within days ", 1, 3650, current.active_window_days),
            newcomer_days=c[4].number_input("Newcomer: first seen within days", 1, 3650, current.newcomer_days),
        )
        if st.form_submit_button("Save the role rules"):
            perform(
                ctx,
                lambda s: identities.save_role_rules(
                    session=s, actor=ctx.actor, changes=changes, expected_version=None
                ),
                success="Role rules saved: the member list follows them now.",
            )


def _how(role: str, current) -> str:
    if role == "activist":
        return f"at least {current.activist_min_useful} useful contributions in {current.activist_window_days} days"
    if role == "active":
        return f"at least {current.active_min_contributions} contributions in {current.active_window_days} days"
    return f"first seen within {current.newcomer_days} days"


def rollout_rows(ctx: PageContext, plan: rollout.Rollout, today: dt.date) -> list[dict]:
    def status(x: rollout.StepState) -> str:
        if x.evidence:
            return f"Done: {x.evidence}"
        if x.ticked_by:
            return f"Done: ticked by {x.ticked_by} on {_day(ctx, x.ticked_at)}"
        if x.overdue(today):
            return "Overdue"
        return "Open" if today >= x.starts_on else "Not started"

    return [
        {
            "Step": x.step.label,
            "Days": f"{x.step.first_day}–{x.step.last_day}",
            "Due": f"{x.due_on:%d %b %Y}",
            "Status": status(x),
            "Ticks itself when": x.step.auto or "ticked by hand",
        }
        for x in plan.steps
    ]


def rollout_tab(ctx: PageContext, today: dt.date) -> None:
    plan = read(rollout.rollout_plan)
    st.progress(
        plan.done / len(plan.steps),
        text=f"{plan.done} of {len(plan.steps)} steps done since {plan.started_on:%d %b %Y}",
    )
    st.dataframe(rollout_rows(ctx, plan, today), hide_index=True, width="stretch", column_config=ROLLOUT_COLUMNS)
    if not ctx.can(Action.tick_rollout):
        return
    by_hand = [x for x in plan.steps if x.evidence is None]
    if not by_hand:
        return
    labels = {x.step.key: x for x in by_hand}
    step = st.selectbox(
        "Step", list(labels), format_func=lambda k: plain_text(labels[k].step.label), key="rollout_step"
    )
    if labels[step].ticked_by:
        if st.button("Untick this step", key="rollout_untick"):
            perform(ctx, lambda s: rollout.untick_step(session=s, actor=ctx.actor, step=step), success="Step unticked.")
    elif st.button("Tick this step by hand", key="rollout_tick"):
        perform(ctx, lambda s: rollout.tick_step(session=s, actor=ctx.actor, step=step), success="Step ticked.")
