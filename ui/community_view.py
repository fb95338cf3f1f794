"""The community screen's parts: the member list by role, a member's page (history, merges, roles
given by hand), the role rules with each role's benefits, and the 60-day rollout.

Every read goes through ``ui.reads.read`` and every write through ``ui.actions.perform``."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import formats
from core.community import identities, rollout
from core.community.members import Member, list_members, member_page, role_rules
from core.community.rules import BENEFITS, GIVEN_ROLES, NO_ROLE, NO_ROLE_LABEL, ROLE_LABELS
from core.i18n import N_, _, ngettext
from core.permissions import Action
from core.text import escape_markdown as esc
from core.text import plain_text
from db.models import CommunitySettingsUpdate, MemberRole
from db.types import utcnow
from ui.actions import perform
from ui.frame import PageContext
from ui.reads import read

PICK = "community_member"


def member_columns() -> dict:
    """Widths that fit the member list into the main column at 1400 px (headers in the reader's language)."""
    return {
        _("Member"): st.column_config.TextColumn(width=120),
        _("Roles"): st.column_config.TextColumn(width=110),
        _("Also known as"): st.column_config.TextColumn(width=100),
        _("Channels"): st.column_config.TextColumn(width=110),
        _("First seen"): st.column_config.TextColumn(width=88),
        _("Last seen"): st.column_config.TextColumn(width=88),
        _("Conversations"): st.column_config.NumberColumn(_("Conv."), width=52, help=_("Conversations")),
        _("Ideas"): st.column_config.NumberColumn(width=48),
        _("Useful UGC"): st.column_config.NumberColumn(_("UGC"), width=48, help=_("Useful UGC")),
        _("Best answers"): st.column_config.NumberColumn(_("Best"), width=48, help=_("Best answers")),
        _("Thanked"): st.column_config.NumberColumn(width=60),
    }


def rollout_columns() -> dict:
    return {
        _("Step"): st.column_config.TextColumn(width=270),
        _("Days"): st.column_config.TextColumn(width=52),
        _("Due"): st.column_config.TextColumn(width=92),
        _("Status"): st.column_config.TextColumn(width=230),
        _("Ticks itself when"): st.column_config.TextColumn(width=230),
    }


ROLE_FILTER = "community_role_filter"
# The buttons that give and take back the roles given by hand.
MAKE = {MemberRole.expert: N_("Make expert"), MemberRole.moderator: N_("Make moderator")}
TAKE_BACK = {MemberRole.expert: N_("Take back: expert"), MemberRole.moderator: N_("Take back: moderator")}


def this_hour() -> dt.datetime:
    """Roles are derived as of the hour: every run within it shares the cached member list."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def _day(ctx: PageContext, instant: dt.datetime | None) -> str:
    return "" if instant is None else formats.date(instant.astimezone(ctx.timezone))


def member_rows(ctx: PageContext, found: tuple[Member, ...]) -> list[dict]:
    return [
        {
            _("Member"): m.display,
            _("Roles"): m.role_labels,
            _("Also known as"): ", ".join(i for i in m.identities if i != m.display),
            _("Channels"): ", ".join(sorted(m.channels)),
            _("First seen"): _day(ctx, m.first_seen),
            _("Last seen"): _day(ctx, m.last_seen),
            _("Conversations"): m.conversations,
            _("Ideas"): m.ideas,
            _("Useful UGC"): m.useful_ugc,
            _("Best answers"): m.best_answers,
            _("Thanked"): m.thanks,
        }
        for m in found
    ]


def members_tab(ctx: PageContext) -> None:
    options = ["all", *ROLE_LABELS, NO_ROLE]
    labels = {"all": _("Every member"), **{r: _(label) for r, label in ROLE_LABELS.items()}, NO_ROLE: _(NO_ROLE_LABEL)}
    role = st.selectbox(_("Role"), options, format_func=lambda r: plain_text(labels[r]), key=ROLE_FILTER)
    found = read(list_members, now=this_hour(), role=None if role == "all" else role)
    if role in BENEFITS:
        st.caption(_("What the role {role} brings: {benefits}", role=_(ROLE_LABELS[role]), benefits=_(BENEFITS[role])))
    if not found:
        st.info(
            _("Nobody holds this role yet.")
            if role != "all"
            else _("No members yet: conversations and ideas bring them in.")
        )
        return
    st.caption(
        ngettext("{count} member, most recently seen first.", "{count} members, most recently seen first.", len(found))
    )
    st.dataframe(member_rows(ctx, found), hide_index=True, width="stretch", column_config=member_columns())


def member_tab(ctx: PageContext) -> None:
    everyone = read(list_members, now=this_hour(), role=None)
    if not everyone:
        st.info(_("No members yet: conversations and ideas bring them in."))
        return
    keys = [m.key for m in everyone]
    by_key = {m.key: m for m in everyone}
    if st.session_state.get(PICK) not in by_key:
        st.session_state[PICK] = keys[0]
    key = st.selectbox(
        _("Member"), keys, key=PICK, format_func=lambda k: plain_text(f"{by_key[k].display} · {by_key[k].role_labels}")
    )
    page = read(member_page, key=key, now=this_hour())
    member = page.member
    st.subheader(esc(member.display))
    st.markdown(_("**Roles:** {roles}", roles=esc(member.role_labels)))
    for role in member.roles:
        st.caption(_("{role}: {benefits}", role=_(ROLE_LABELS[role]), benefits=_(BENEFITS[role])))
    cols = st.columns(4)
    cols[0].metric(_("Conversations"), formats.number(member.conversations))
    cols[1].metric(_("Ideas"), formats.number(member.ideas))
    cols[2].metric(_("Useful UGC"), formats.number(member.useful_ugc))
    cols[3].metric(_("Thanked"), formats.number(member.thanks))
    st.caption(
        _(
            "Channels: {channels} · first seen {first} · last seen {last}",
            channels=esc(", ".join(sorted(member.channels)) or "—"),
            first=_day(ctx, member.first_seen),
            last=_day(ctx, member.last_seen),
        )
    )
    st.markdown(_("**History**"))
    st.dataframe(
        [
            {_("When"): _day(ctx, h.at), _("What"): h.what, _("Channel"): h.channel, _("Text"): h.text}
            for h in page.history
        ],
        hide_index=True,
        width="stretch",
    )
    if ctx.can(Action.manage_members):
        _member_tools(ctx, member, page.merged, [m for m in everyone if m.key != member.key])


def _member_tools(ctx: PageContext, member: Member, merged: tuple[tuple[str, str], ...], others: list[Member]) -> None:
    st.markdown(_("**Identities and roles**"))
    for key, into in merged:
        if (
            into in member.keys
            and key != member.key
            and st.button(_("Undo the merge of {handle}", handle=esc(key)), key=f"unmerge_{key}")
        ):
            perform(
                ctx,
                lambda s, key=key: identities.undo_merge(session=s, actor=ctx.actor, handle=key),
                success=_("Merge undone: the identity counts on its own again."),
            )
    with st.form("community_merge", clear_on_submit=True):
        by_key = {m.key: m for m in others}
        other = st.selectbox(
            _("Another identity of this person"),
            list(by_key),
            index=None,
            placeholder=_("Pick the handle they use elsewhere"),
            key="community_merge_other",
            format_func=lambda k: plain_text(f"{by_key[k].display} ({', '.join(sorted(by_key[k].channels))})"),
        )
        if st.form_submit_button(_("Merge into this member")) and other:
            perform(
                ctx,
                lambda s: identities.merge_identities(session=s, actor=ctx.actor, handle=other, into=member.key),
                success=_("Merged: their activity now counts as one member (undo it here any time)."),
            )
    cols = st.columns(len(GIVEN_ROLES))
    for column, role in zip(cols, GIVEN_ROLES, strict=True):
        if role in member.given:
            if column.button(_(TAKE_BACK[role]), key=f"take_{role}"):
                perform(
                    ctx,
                    lambda s, role=role: identities.take_role(session=s, actor=ctx.actor, handle=member.key, role=role),
                    success=_("Role taken back."),
                )
        elif column.button(_(MAKE[role]), key=f"give_{role}"):
            perform(
                ctx,
                lambda s, role=role: identities.give_role(session=s, actor=ctx.actor, handle=member.key, role=role),
                success=_("Role given."),
            )


def roles_tab(ctx: PageContext) -> None:
    current = read(role_rules)
    st.markdown(_("**Roles and what they bring**"))
    st.dataframe(
        [
            {
                _("Role"): _(ROLE_LABELS[r]),
                _("How"): _("given by hand") if r in GIVEN_ROLES else _how(r, current),
                _("Benefits"): _(BENEFITS[r]),
            }
            for r in ROLE_LABELS
        ],
        hide_index=True,
        width="stretch",
    )
    if not ctx.can(Action.manage_community_rules):
        return
    with st.form("community_role_rules"):
        st.markdown(_("**The rules for the derived roles**"))
        c = st.columns(5)
        changes = CommunitySettingsUpdate(
            activist_min_useful=c[0].number_input(
                _("Activist: useful contributions"), 1, 1000, current.activist_min_useful
            ),
            activist_window_days=c[1].number_input(_("… within days"), 1, 3650, current.activist_window_days),
            active_min_contributions=c[2].number_input(
                _("Active: contributions"), 1, 1000, current.active_min_contributions
            ),
            active_window_days=c[3].number_input(_("… within days") + " ", 1, 3650, current.active_window_days),
            newcomer_days=c[4].number_input(_("Newcomer: first seen within days"), 1, 3650, current.newcomer_days),
        )
        if st.form_submit_button(_("Save the role rules")):
            perform(
                ctx,
                lambda s: identities.save_role_rules(
                    session=s, actor=ctx.actor, changes=changes, expected_version=None
                ),
                success=_("Role rules saved: the member list follows them now."),
            )


def _how(role: str, current) -> str:
    if role == "activist":
        return _(
            "at least {count} useful contributions in {days} days",
            count=formats.number(current.activist_min_useful),
            days=formats.number(current.activist_window_days),
        )
    if role == "active":
        return _(
            "at least {count} contributions in {days} days",
            count=formats.number(current.active_min_contributions),
            days=formats.number(current.active_window_days),
        )
    return _("first seen within {days} days", days=formats.number(current.newcomer_days))


def rollout_rows(ctx: PageContext, plan: rollout.Rollout, today: dt.date) -> list[dict]:
    def status(x: rollout.StepState) -> str:
        if x.evidence:
            return _("Done: {evidence}", evidence=x.evidence)
        if x.ticked_by:
            return _("Done: ticked by {name} on {day}", name=x.ticked_by, day=_day(ctx, x.ticked_at))
        if x.overdue(today):
            return _("Overdue")
        return _("Open") if today >= x.starts_on else _("Not started")

    return [
        {
            _("Step"): _(x.step.label),
            _("Days"): f"{x.step.first_day}–{x.step.last_day}",
            _("Due"): formats.date(x.due_on),
            _("Status"): status(x),
            _("Ticks itself when"): rollout.auto_text(x.step) or _("ticked by hand"),
        }
        for x in plan.steps
    ]


def rollout_tab(ctx: PageContext, today: dt.date) -> None:
    plan = read(rollout.rollout_plan)
    st.progress(
        plan.done / len(plan.steps),
        text=_(
            "{done} of {total} steps done since {day}",
            done=plan.done,
            total=len(plan.steps),
            day=formats.date(plan.started_on),
        ),
    )
    st.dataframe(rollout_rows(ctx, plan, today), hide_index=True, width="stretch", column_config=rollout_columns())
    if not ctx.can(Action.tick_rollout):
        return
    by_hand = [x for x in plan.steps if x.evidence is None]
    if not by_hand:
        return
    labels = {x.step.key: x for x in by_hand}
    step = st.selectbox(
        _("Step"), list(labels), format_func=lambda k: plain_text(_(labels[k].step.label)), key="rollout_step"
    )
    if labels[step].ticked_by:
        if st.button(_("Untick this step"), key="rollout_untick"):
            perform(
                ctx, lambda s: rollout.untick_step(session=s, actor=ctx.actor, step=step), success=_("Step unticked.")
            )
    elif st.button(_("Tick this step by hand"), key="rollout_tick"):
        perform(ctx, lambda s: rollout.tick_step(session=s, actor=ctx.actor, step=step), success=_("Step ticked."))
