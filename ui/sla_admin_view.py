"""SLA monitor screen parts that set things up: the quick-answer library, SLA policies with their
business calendar, and the admin's recompute (escalation teams: ``ui.sla_escalations``)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import available_timezones

import streamlit as st

from core import formats, i18n
from core.i18n import N_, _, ngettext
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
# The kinds of conversation as the screens name them (the values stay the stored codes).
KIND_LABELS: dict[str, str] = {
    ConversationKind.question: N_("question"),
    ConversationKind.complaint: N_("complaint"),
    ConversationKind.ugc: N_("UGC"),
    ConversationKind.praise: N_("praise"),
    ConversationKind.other: N_("other"),
}


def kind_label(kind: str) -> str:
    """A conversation kind's name in the reader's language (an unknown code as it is)."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def kind_labels() -> dict[str, str]:
    """Every kind's name in the reader's language. Widgets get such a dict (``format_func=
    names.__getitem__``), never a function that translates when called: a test's runner calls it
    outside the page's run, where no reader's language is known."""
    return {kind: _(label) for kind, label in KIND_LABELS.items()}


def weekday_labels() -> dict[str, str]:
    """The business calendar's weekday codes (mon … sun) → their names in the reader's language."""
    return dict(zip(WEEKDAYS, formats.weekday_names("wide"), strict=True))


@cache
def timezones() -> list[str]:
    """The IANA time zone names, sorted (read once per process)."""
    return sorted(available_timezones())


# -- quick answers ------------------------------------------------------------------------------


def render_library(ctx: PageContext) -> None:
    left, right = st.columns([3, 1])
    query = left.text_input(_("Search quick answers"), placeholder=_("password, invoice, export…"), key="sla_qa_query")
    category_names = {None: _("All")} | {c: plain_text(c) for c in read(quick_answers.categories)}
    category = right.selectbox(
        _("Category"),
        list(category_names),
        format_func=category_names.__getitem__,
        key="sla_qa_category",
    )
    results = read(quick_answers.search, query=query, category=category)
    can_manage = ctx.can(Action.manage_quick_answers)
    if can_manage:
        _answer_editor(ctx, results)
    if not results:
        st.info(
            _("No quick answer matches. Try fewer words, or add one above.")
            if can_manage
            else _("No quick answer matches. Try fewer words.")
        )
        return
    st.caption(
        ngettext(
            "{count} answer, the most used first. The copy button sits in the top right corner of each text.",
            "{count} answers, the most used first. The copy button sits in the top right corner of each text.",
            len(results),
        )
    )
    for answer in results:
        category_name = md(answer.category) if answer.category else _("general")
        with st.expander(
            _(
                "{title} · {category} · used {count}×",
                title=md(answer.title),
                category=category_name,
                count=formats.number(answer.use_count),
            )
        ):
            st.code(plain_block(answer.text), language=None, wrap_lines=True)
            st.caption(_(_ANSWER_KINDS.get(answer.kind, _ANSWER_KINDS["script"])))
            if answer.link:
                st.link_button(_("Open the guide / FAQ"), answer.link)


_ANSWER_KINDS = {"script": N_("Reply script"), "faq": N_("FAQ / guide entry")}


def _answer_editor(ctx: PageContext, results: list[quick_answers.QuickAnswerView]) -> None:
    by_id = {a.id: a for a in results}
    with st.expander(_("➕ Add or edit a quick answer")):
        answer_names = {NEW: _("New answer")} | {i: plain_text(a.title) for i, a in by_id.items()}
        chosen = st.selectbox(
            _("Answer"),
            list(answer_names),
            format_func=answer_names.__getitem__,
            key="sla_qa_edit_pick",
        )
        current = by_id.get(chosen)
        key = f"sla_qa_{chosen}_{current.version if current else 0}"
        with st.form(f"{key}_form", clear_on_submit=current is None):
            title = st.text_input(_("Title"), value=current.title if current else "", key=f"{key}_title")
            columns = st.columns(2)
            category = columns[0].text_input(
                _("Category"), value=current.category if current else "", key=f"{key}_category"
            )
            kinds = [k.value for k in quick_answers.QuickAnswerKind]
            answer_kinds = {k: _(_ANSWER_KINDS.get(k, _ANSWER_KINDS["faq"])) for k in kinds}
            kind = columns[1].radio(
                _("Kind"),
                kinds,
                index=kinds.index(current.kind) if current and current.kind in kinds else 0,
                format_func=answer_kinds.__getitem__,
                horizontal=True,
                key=f"{key}_kind",
            )
            text = st.text_area(_("Text"), value=current.text if current else "", key=f"{key}_text")
            link = st.text_input(
                _("Link to the guide or FAQ (optional)"), value=current.link if current else "", key=f"{key}_link"
            )
            if st.form_submit_button(_("Save quick answer")):
                fields = dict(title=title, text=text, category=category, link=link, kind=kind)
                if current is None:
                    perform(
                        ctx,
                        lambda s: quick_answers.create_quick_answer(
                            session=s, actor=ctx.actor, answer_in=QuickAnswerCreate(**fields)
                        ),
                        success=_("Quick answer added."),
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
                        success=_("Quick answer saved."),
                    )


# -- policies -----------------------------------------------------------------------------------


def _schedule_summary(definition: dict) -> str:
    weekly = definition.get("weekly") or {}
    names = dict(zip(WEEKDAYS, formats.weekday_names(), strict=True))
    parts = [f"{names[day]} " + ", ".join(f"{o}–{c}" for o, c in weekly[day]) for day in WEEKDAYS if weekly.get(day)]
    return "; ".join(parts)


def _scope(policy: policies.PolicyView) -> str:
    """What a policy applies to, in the reader's language."""
    if policy.channel_id is not None and policy.kind:
        return _("channel {channel} · kind {kind}", channel=policy.channel_name or "?", kind=kind_label(policy.kind))
    if policy.channel_id is not None:
        return _("channel {channel}", channel=policy.channel_name or "?")
    if policy.kind:
        return _("kind {kind}", kind=kind_label(policy.kind))
    return _("all conversations")


def _holidays(definition: dict) -> str:
    own = ngettext("{count} own date", "{count} own dates", len(definition.get("holidays") or []))
    country = definition.get("country")
    return _("{country} public holidays + {own}", country=country, own=own) if country else own


def render_policies(ctx: PageContext) -> None:
    policy_list = read(policies.list_policies)
    st.caption(
        _(
            "The most specific active policy applies when a conversation is stored (channel and kind > channel > kind > all). "
            "A changed policy applies to new conversations; an admin can recompute stored ones."
        )
    )
    if policy_list:
        headers = {
            "policy": _("Policy"),
            "scope": _("Applies to"),
            "first_response": _("First response"),
            "at_risk": _("At risk when left ≤"),
            "hours": _("Hours"),
            "holidays": _("Holidays"),
            "active": _("Active"),
        }
        st.dataframe(
            [
                {
                    headers["policy"]: p.name,
                    headers["scope"]: _scope(p),
                    headers["first_response"]: _(
                        "{minutes} business min", minutes=formats.number(p.first_response_minutes)
                    ),
                    headers["at_risk"]: _(
                        "{share}, at least {minutes} min",
                        share=formats.percent(p.at_risk_share * 100, 0),
                        minutes=formats.number(p.at_risk_min_minutes),
                    ),
                    headers["hours"]: f"{p.calendar_dict.get('timezone')}: {_schedule_summary(p.calendar_dict)}",
                    headers["holidays"]: _holidays(p.calendar_dict),
                    headers["active"]: _("yes") if p.active else _("no"),
                }
                for p in policy_list
            ],
            hide_index=True,
            placeholder="—",
            width="stretch",
            # Sized to fit 1400 px; the whole week and its holidays are in the policy editor below.
            column_config={
                headers["policy"]: st.column_config.TextColumn(width=190),
                headers["scope"]: st.column_config.TextColumn(width=120),
                headers["first_response"]: st.column_config.TextColumn(width=124),
                headers["at_risk"]: st.column_config.TextColumn(width=140, help=_("Share of the window left")),
                headers["hours"]: st.column_config.TextColumn(width=180),
                headers["holidays"]: st.column_config.TextColumn(width=100),
                headers["active"]: st.column_config.TextColumn(width=56),
            },
        )
    else:
        st.warning(_("No SLA policy yet: conversations get no deadline until a lead or admin adds one."))
    if ctx.can(Action.manage_sla_policies):
        _policy_editor(ctx, policy_list)
    if ctx.can(Action.recompute_sla):
        _recompute(ctx)


def _policy_editor(ctx: PageContext, policy_list: list[policies.PolicyView]) -> None:
    by_id = {p.id: p for p in policy_list}
    channels = dict(read(queues.filter_options).channels)
    with st.expander(_("✏️ Add or edit a policy"), expanded=not policy_list):
        policy_names = {NEW: _("New policy")} | {i: plain_text(p.name) for i, p in by_id.items()}
        chosen = st.selectbox(
            _("Policy"),
            list(policy_names),
            format_func=policy_names.__getitem__,
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
            name = st.text_input(_("Name"), value=current.name if current else "", key=f"{key}_name")
            channel_names = {None: _("All channels")} | {c: plain_text(name) for c, name in channels.items()}
            columns = st.columns(3)
            channel = columns[0].selectbox(
                _("Channel"),
                [None, *channels],
                index=(
                    [None, *channels].index(current.channel_id) if current and current.channel_id in channels else 0
                ),
                format_func=channel_names.__getitem__,
                key=f"{key}_channel",
            )
            kinds = [None, *[k.value for k in ConversationKind]]
            kind_names = {None: _("All kinds")} | kind_labels()
            kind = columns[1].selectbox(
                _("Kind"),
                kinds,
                index=kinds.index(current.kind) if current and current.kind in kinds else 0,
                format_func=kind_names.__getitem__,
                key=f"{key}_kind",
            )
            active = columns[2].checkbox(_("Active"), value=current.active if current else True, key=f"{key}_active")
            columns = st.columns(3)
            minutes = columns[0].number_input(
                _("First response target (business minutes)"),
                min_value=1,
                value=current.first_response_minutes if current else 120,
                step=15,
                key=f"{key}_minutes",
            )
            share = columns[1].slider(
                _("At risk when this share of the window is left"),
                5,
                75,
                int(round((current.at_risk_share if current else 0.25) * 100)),
                step=5,
                format="%d%%",
                key=f"{key}_share",
            )
            minimum = columns[2].number_input(
                _("…but at least (minutes)"),
                min_value=0,
                value=current.at_risk_min_minutes if current else 15,
                step=5,
                key=f"{key}_minimum",
            )
            st.markdown(_("**Business calendar**"))
            zones = timezones()
            zone = definition.get("timezone") or str(ctx.timezone.key)
            timezone = st.selectbox(
                _("Time zone"), zones, index=zones.index(zone) if zone in zones else 0, key=f"{key}_tz"
            )
            day_names = weekday_labels()
            intervals = st.data_editor(
                calendars.calendar_table(definition),
                num_rows="dynamic",
                column_config={
                    "day": st.column_config.SelectboxColumn(
                        _("Day"), options=list(WEEKDAYS), format_func=day_names.__getitem__, required=True
                    ),
                    "open": st.column_config.TextColumn(_("Opens (HH:MM)"), required=True),
                    "close": st.column_config.TextColumn(_("Closes (HH:MM, 24:00 allowed)"), required=True),
                },
                hide_index=True,
                width="stretch",
                key=f"{key}_weekly",
            )
            st.caption(
                _(
                    "One row per open interval; a lunch break is two rows, an overnight shift is 22:00–24:00 plus 00:00–06:00 of the next day."
                )
            )
            columns = st.columns(3)
            country = columns[0].text_input(
                _("Public holidays of country (ISO code)"),
                value=definition.get("country") or "",
                placeholder="DE",
                key=f"{key}_country",
            )
            subdivision = columns[1].text_input(
                _("…and region (optional)"),
                value=definition.get("subdivision") or "",
                placeholder="BY",
                key=f"{key}_subdivision",
            )
            holidays = columns[2].text_area(
                _("Own closed dates (one YYYY-MM-DD per line)"),
                value="\n".join(definition.get("holidays") or []),
                key=f"{key}_holidays",
            )
            if st.form_submit_button(_("Save policy"), type="primary"):

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

                perform(ctx, save, success=_("Policy saved. It applies to conversations stored from now on."))


def _rows(edited) -> list[dict]:
    """The data editor's value as plain rows (it returns what it was given: a list of dicts)."""
    if hasattr(edited, "to_dict"):
        return edited.to_dict("records")
    return list(edited)


_RECOMPUTE_SCOPES = {"since": N_("received from a date"), "all": N_("all")}
# st.date_input's display formats (it knows no locales): the day as each language writes it.
_DATE_INPUT_FORMATS = {"en": "YYYY-MM-DD", "de": "DD.MM.YYYY"}


def _recompute(ctx: PageContext) -> None:
    with st.expander(_("♻️ Recompute stored SLA figures (admin)")):
        st.write(
            _(
                "Stored conversations keep the deadline and times of the policy they were stored under. "
                "Recomputing applies today's policies to them; it is recorded in the audit log."
            )
        )
        today = utcnow().astimezone(ctx.timezone).date()
        with st.form("sla_recompute_form"):
            scopes = {choice: _(label) for choice, label in _RECOMPUTE_SCOPES.items()}
            scope = st.radio(
                _("Which conversations"),
                list(_RECOMPUTE_SCOPES),
                format_func=scopes.__getitem__,
                horizontal=True,
                key="sla_recompute_scope",
            )
            since = st.date_input(
                _("Received from"),
                value=today - dt.timedelta(days=30),
                max_value=today,
                format=_DATE_INPUT_FORMATS.get(i18n.current(), "YYYY-MM-DD"),
                key="sla_recompute_since",
            )
            confirmed = st.checkbox(
                _("I understand that deadlines and met/breached of these conversations may change."),
                key="sla_recompute_confirm",
            )
            if st.form_submit_button(_("Recompute")):
                if not confirmed:
                    st.error(_("Tick the confirmation first."))
                    return
                received_from = None if scope == "all" else dt.datetime.combine(since, dt.time(0), tzinfo=ctx.timezone)
                perform(
                    ctx,
                    lambda s: policy_admin.recompute_sla(session=s, actor=ctx.actor, received_from=received_from),
                    then=lambda result: flash(
                        ngettext(
                            "SLA figures recomputed. Checked {count} conversation; {changed} got new figures.",
                            "SLA figures recomputed. Checked {count} conversations; {changed} got new figures.",
                            result.examined,
                            changed=formats.number(result.changed),
                        )
                    ),
                )
