"""SLA monitor screen parts that set things up: the quick-answer library, SLA policies with their
business calendar, and the admin's recompute (escalation teams: ``ui.sla_escalations``)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import available_timezones

import streamlit as st

from core.permissions import Action
from core.sla import calendars, policies, policy_admin, queues, quick_answers
from core.sla.business_time import WEEKDAYS, BusinessCalendar
from core.text import escape_markdown as md
from core.text import plain_block, plain_text
from db.models import (
    ConversationKind,
    QuickAnswerCreate,
    QuickAnswerUpdate,
    SlaPolicyCreate,
    SlaPolicyUpdate,
)
from db.types import utcnow
from ui.actions import perform
from ui.frame import PageContext
from ui.messages import flash
from ui.reads import read

NEW = -1


@cache
def timezones() -> list[str]:
    """The IANA time zone names, sorted (read once per process)."""
    return sorted(available_timezones())


# -- quick answers ------------------------------------------------------------------------------


def render_library(ctx: PageContext) -> None:
    left, right = st.columns([3, 1])
    query = left.text_input("Search quick answers", placeholder="password, invoice, export…", key="sla_qa_query")
    category = right.selectbox(
        "Category",
        [None, *read(quick_answers.categories)],
        format_func=lambda c: plain_text("All" if c is None else c),
        key="sla_qa_category",
    )
    results = read(quick_answers.search, query=query, category=category)
    can_manage = ctx.can(Action.manage_quick_answers)
    if can_manage:
        _answer_editor(ctx, results)
    if not results:
        st.info("No quick answer matches. Try fewer words" + (", or add one above." if can_manage else "."))
        return
    st.caption(
        f"{len(results)} answer(s), the most used first. The copy button sits in the top right corner of each text."
    )
    for answer in results:
        with st.expander(f"{md(answer.title)} · {md(answer.category or 'general')} · used {answer.use_count}×"):
            st.code(plain_block(answer.text), language=None, wrap_lines=True)
            kind = "FAQ / guide entry" if answer.kind == quick_answers.QuickAnswerKind.faq else "Reply script"
            st.caption(kind)
            if answer.link:
                st.link_button("Open the guide / FAQ", answer.link)


def _answer_editor(ctx: PageContext, results: list[quick_answers.QuickAnswerView]) -> None:
    by_id = {a.id: a for a in results}
    with st.expander("➕ Add or edit a quick answer"):
        chosen = st.selectbox(
            "Answer",
            [NEW, *by_id],
            format_func=lambda i: plain_text("New answer" if i == NEW else by_id[i].title),
            key="sla_qa_edit_pick",
        )
        current = by_id.get(chosen)
        key = f"sla_qa_{chosen}_{current.version if current else 0}"
        with st.form(f"{key}_form", clear_on_submit=current is None):
            title = st.text_input("Title", value=current.title if current else "", key=f"{key}_title")
            columns = st.columns(2)
            category = columns[0].text_input(
                "Category", value=current.category if current else "", key=f"{key}_category"
            )
            kinds = [k.value for k in quick_answers.QuickAnswerKind]
            kind = columns[1].radio(
                "Kind",
                kinds,
                index=kinds.index(current.kind) if current and current.kind in kinds else 0,
                format_func=lambda k: "Reply script" if k == "script" else "FAQ / guide entry",
                horizontal=True,
                key=f"{key}_kind",
            )
            text = st.text_area("Text", value=current.text if current else "", key=f"{key}_text")
            link = st.text_input(
                "Link to the guide or FAQ (optional)", value=current.link if current else "", key=f"{key}_link"
            )
            if st.form_submit_button("Save quick answer"):
                fields = dict(title=title, text=text, category=category, link=link, kind=kind)
                if current is None:
                    perform(
                        ctx,
                        lambda s: quick_answers.create_quick_answer(
                            session=s, actor=ctx.actor, answer_in=QuickAnswerCreate(**fields)
                        ),
                        success="Quick answer added.",
                    )
                else:
                    perform(
                        ctx,
                        lambda s: quick_answers.update_quick_answer(
                            session=s,
                            actor=ctx.actor,
                            quick_answer_id=current.id,
                            expected_version=current.version,
                            answer_in=QuickAnswerUpdate(**fields),
                        ),
                        success="Quick answer saved.",
                    )


# -- policies -----------------------------------------------------------------------------------


def _schedule_summary(definition: dict) -> str:
    weekly = definition.get("weekly") or {}
    parts = [f"{day} " + ", ".join(f"{o}–{c}" for o, c in weekly[day]) for day in WEEKDAYS if weekly.get(day)]
    return "; ".join(parts)


def render_policies(ctx: PageContext) -> None:
    policy_list = read(policies.list_policies)
    st.caption(
        "The most specific active policy applies when a conversation is stored (channel and kind > channel > kind > all). "
        "A changed policy applies to new conversations; an admin can recompute stored ones."
    )
    if policy_list:
        st.dataframe(
            [
                {
                    "Policy": p.name,
                    "Applies to": p.scope,
                    "First response": f"{p.first_response_minutes} business min",
                    "At risk when left ≤": f"{p.at_risk_share:.0%}, at least {p.at_risk_min_minutes} min",
                    "Hours": f"{p.calendar_dict.get('timezone')}: {_schedule_summary(p.calendar_dict)}",
                    "Holidays": (
                        f"{p.calendar_dict.get('country')} public holidays + " if p.calendar_dict.get("country") else ""
                    )
                    + f"{len(p.calendar_dict.get('holidays') or [])} own date(s)",
                    "Active": "yes" if p.active else "no",
                }
                for p in policy_list
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
            # Sized to fit 1400 px; the whole week and its holidays are in the policy editor below.
            column_config={
                "Policy": st.column_config.TextColumn(width=190),
                "Applies to": st.column_config.TextColumn(width=120),
                "First response": st.column_config.TextColumn(width=124),
                "At risk when left ≤": st.column_config.TextColumn(width=140, help="Share of the window left"),
                "Hours": st.column_config.TextColumn(width=180),
                "Holidays": st.column_config.TextColumn(width=100),
                "Active": st.column_config.TextColumn(width=56),
            },
        )
    else:
        st.warning("No SLA policy yet: conversations get no deadline until a lead or admin adds one.")
    if ctx.can(Action.manage_sla_policies):
        _policy_editor(ctx, policy_list)
    if ctx.can(Action.recompute_sla):
        _recompute(ctx)


def _policy_editor(ctx: PageContext, policy_list: list[policies.PolicyView]) -> None:
    by_id = {p.id: p for p in policy_list}
    channels = dict(read(queues.filter_options).channels)
    with st.expander("✏️ Add or edit a policy", expanded=not policy_list):
        chosen = st.selectbox(
            "Policy",
            [NEW, *by_id],
            format_func=lambda i: plain_text("New policy" if i == NEW else by_id[i].name),
            key="sla_policy_pick",
        )
        current = by_id.get(chosen)
        definition = (
            current.calendar_dict
            if current
            else {
                "timezone": str(ctx.timezone.key),
                "weekly": {d: [["09:00", "18:00"]] for d in WEEKDAYS[:5]},
                "holidays": [],
                "country": None,
            }
        )
        key = f"sla_policy_{chosen}_{current.version if current else 0}_{current.calendar_version if current else 0}"
        with st.form(f"{key}_form"):
            name = st.text_input("Name", value=current.name if current else "", key=f"{key}_name")
            columns = st.columns(3)
            channel = columns[0].selectbox(
                "Channel",
                [None, *channels],
                index=(
                    [None, *channels].index(current.channel_id) if current and current.channel_id in channels else 0
                ),
                format_func=lambda c: plain_text("All channels" if c is None else channels[c]),
                key=f"{key}_channel",
            )
            kinds = [None, *[k.value for k in ConversationKind]]
            kind = columns[1].selectbox(
                "Kind",
                kinds,
                index=kinds.index(current.kind) if current and current.kind in kinds else 0,
                format_func=lambda k: plain_text("All kinds" if k is None else k),
                key=f"{key}_kind",
            )
            active = columns[2].checkbox("Active", value=current.active if current else True, key=f"{key}_active")
            columns = st.columns(3)
            minutes = columns[0].number_input(
                "First response target (business minutes)",
                min_value=1,
                value=current.first_response_minutes if current else 120,
                step=15,
                key=f"{key}_minutes",
            )
            share = columns[1].slider(
                "At risk when this share of the window is left",
                5,
                75,
                int(round((current.at_risk_share if current else 0.25) * 100)),
                step=5,
                format="%d%%",
                key=f"{key}_share",
            )
            minimum = columns[2].number_input(
                "…but at least (minutes)",
                min_value=0,
                value=current.at_risk_min_minutes if current else 15,
                step=5,
                key=f"{key}_minimum",
            )
            st.markdown("**Business calendar**")
            zones = timezones()
            zone = definition.get("timezone") or str(ctx.timezone.key)
            timezone = st.selectbox(
                "Time zone", zones, index=zones.index(zone) if zone in zones else 0, key=f"{key}_tz"
            )
            intervals = st.data_editor(
                calendars.calendar_table(definition),
                num_rows="dynamic",
                column_config={
                    "day": st.column_config.SelectboxColumn("Day", options=list(WEEKDAYS), required=True),
                    "open": st.column_config.TextColumn("Opens (HH:MM)", required=True),
                    "close": st.column_config.TextColumn("Closes (HH:MM, 24:00 allowed)", required=True),
                },
                hide_index=True,
                width="stretch",
                key=f"{key}_weekly",
            )
            st.caption(
                "One row per open interval; a lunch break is two rows, an overnight shift is 22:00–24:00 plus 00:00–06:00 of the next day."
            )
            columns = st.columns(3)
            country = columns[0].text_input(
                "Public holidays of country (ISO code)",
                value=definition.get("country") or "",
                placeholder="DE",
                key=f"{key}_country",
            )
            subdivision = columns[1].text_input(
                "…and region (optional)",
                value=definition.get("subdivision") or "",
                placeholder="BY",
                key=f"{key}_subdivision",
            )
            holidays = columns[2].text_area(
                "Own closed dates (one YYYY-MM-DD per line)",
                value="\n".join(definition.get("holidays") or []),
                key=f"{key}_holidays",
            )
            if st.form_submit_button("Save policy", type="primary"):

                def save(session):
                    calendar = BusinessCalendar.from_dict(
                        calendars.calendar_from_form(
                            timezone=timezone,
                            intervals=_rows(intervals),
                            holidays_text=holidays,
                            country=country,
                            subdivision=subdivision,
                        )
                    )
                    settings = dict(
                        name=name,
                        first_response_minutes=int(minutes),
                        at_risk_share=share / 100,
                        at_risk_min_minutes=int(minimum),
                        channel_id=channel,
                        kind=kind,
                    )
                    if current is None:
                        return policy_admin.create_policy(
                            session=session, actor=ctx.actor, policy_in=SlaPolicyCreate(**settings), calendar=calendar
                        )
                    return policy_admin.update_policy(
                        session=session,
                        actor=ctx.actor,
                        policy_id=current.id,
                        expected_version=current.version,
                        policy_in=SlaPolicyUpdate(**settings, active=active),
                        calendar=calendar,
                        calendar_expected_version=current.calendar_version,
                    )

                perform(ctx, save, success="Policy saved. It applies to conversations stored from now on.")


def _rows(edited) -> list[dict]:
    """The data editor's value as plain rows (it returns what it was given: a list of dicts)."""
    if hasattr(edited, "to_dict"):
        return edited.to_dict("records")
    return list(edited)


def _recompute(ctx: PageContext) -> None:
    with st.expander("♻️ Recompute stored SLA figures (admin)"):
        st.write(
            "Stored conversations keep the deadline and times of the policy they were stored under. "
            "Recomputing applies today's policies to them; it is recorded in the audit log."
        )
        today = utcnow().astimezone(ctx.timezone).date()
        with st.form("sla_recompute_form"):
            scope = st.radio(
                "Which conversations", ["received from a date", "all"], horizontal=True, key="sla_recompute_scope"
            )
            since = st.date_input(
                "Received from", value=today - dt.timedelta(days=30), max_value=today, key="sla_recompute_since"
            )
            confirmed = st.checkbox(
                "I understand that deadlines and met/breached of these conversations may change.",
                key="sla_recompute_confirm",
            )
            if st.form_submit_button("Recompute"):
                if not confirmed:
                    st.error("Tick the confirmation first.")
                    return
                received_from = None if scope == "all" else dt.datetime.combine(since, dt.time(0), tzinfo=ctx.timezone)
                perform(
                    ctx,
                    lambda s: policy_admin.recompute_sla(session=s, actor=ctx.actor, received_from=received_from),
                    then=lambda result: flash(
                        f"SLA figures recomputed. Checked {result.examined} conversation(s); "
                        f"{result.changed} got new figures."
                    ),
                )
