"""The moderation screen's parts: open flags and the actions on them, the word lists' suggestions,
the moderation log, the community rules, the flag words, the on-call rota and the moderation KPIs.

Every read goes through ``ui.reads.read`` and every write through ``ui.actions.perform``."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import formats
from core.community import moderation, queues, rota
from core.community.rules import CATEGORY_LABELS, SEVERITY_LABELS
from core.i18n import N_, _, current, ngettext
from core.kpis.moderation import moderation_kpis
from core.local_time import local_instant, local_midnight
from core.permissions import Action
from core.text import escape_markdown as esc
from core.text import plain_block, plain_text
from db.models import (
    FlagSeverity,
    FlagSource,
    FlagWordCreate,
    ModerationActionCreate,
    ModerationFlagCreate,
    ModerationKind,
    OnCallShiftCreate,
)
from ui.actions import perform
from ui.frame import PageContext
from ui.reads import read

SEVERITIES = [s.value for s in FlagSeverity]
SUGGEST_DAYS = 14
FLAG_PICK = "moderation_flag"
SHIPPED_BUTTONS = {"en": N_("Add the shipped English list"), "de": N_("Add the shipped German list")}
SHIPPED_ADDED = {"en": N_("English list added."), "de": N_("German list added.")}


def flag_columns() -> dict:
    """Widths that fit the tables into the main column at 1400 px (headers in the reader's language)."""
    return {
        _("Flag"): st.column_config.TextColumn(width=80),
        _("Severity"): st.column_config.TextColumn(width=64),
        _("Author"): st.column_config.TextColumn(width=110),
        _("Channel"): st.column_config.TextColumn(width=90),
        _("Conversation"): st.column_config.TextColumn(width=270),
        _("Flagged"): st.column_config.TextColumn(width=120),
        _("By"): st.column_config.TextColumn(width=100),
        _("Words"): st.column_config.TextColumn(width=60),
    }


def action_columns() -> dict:
    return {
        _("When"): st.column_config.TextColumn(width=120),
        _("Action"): st.column_config.TextColumn(width=110),
        _("Until"): st.column_config.TextColumn(width=120),
        _("Running"): st.column_config.TextColumn(width=56),
        _("Member"): st.column_config.TextColumn(width=100),
        _("Rule"): st.column_config.TextColumn(width=110),
        _("Rules version"): st.column_config.NumberColumn(
            _("Version"), width=56, help=_("Version of the community rules")
        ),
        _("By"): st.column_config.TextColumn(width=90),
        _("Conversation"): st.column_config.TextColumn(width=130),
    }


def _severity(value: str) -> str:
    return _(SEVERITY_LABELS[value]) if value in SEVERITY_LABELS else value


def _severity_at(index: int) -> str:
    """A severity picked by its place (the widget's value is then a number, not an English code)."""
    return _severity(SEVERITIES[index])


FLAG_NEXT = "moderation_flag_next"  # set by a new flag: the next run offers to act on it


def _when(ctx: PageContext, instant: dt.datetime | None) -> str:
    return "" if instant is None else formats.date_time(instant.astimezone(ctx.timezone))


def _since(ctx: PageContext, today: dt.date) -> dt.datetime:
    return local_midnight(today - dt.timedelta(days=SUGGEST_DAYS), ctx.timezone)


def overview(ctx: PageContext, today: dt.date, now: dt.datetime) -> None:
    flags = read(queues.open_flags)
    log = read(queues.actions)
    plan = read(rota.rota, now=now.replace(minute=0, second=0, microsecond=0))
    on_call = [s.who for s in plan.shifts if s.starts_at <= now < s.ends_at]
    # Three a row: at 1024 px four metrics cut their labels.
    cols = st.columns(3)
    cols[0].metric(_("Open flags"), formats.number(len(flags)), help=_("Flags waiting for a moderation action"))
    cols[1].metric(
        _("Threads in slow mode now"), formats.number(len(queues.running(log, ModerationKind.slow_mode, now)))
    )
    cols[2].metric(_("Members muted"), formats.number(len(queues.running(log, ModerationKind.muted, now))))
    st.caption(_("On call now: {names}", names=esc(", ".join(on_call) or _("nobody"))))


def flags_tab(ctx: PageContext, today: dt.date, now: dt.datetime) -> None:
    flags = read(queues.open_flags)
    if not flags:
        st.info(_("No open flags: nothing waits for a moderator."))
    else:
        st.dataframe(
            [
                {
                    _("Flag"): _(CATEGORY_LABELS[f.category]),
                    _("Severity"): _severity(f.severity),
                    _("Author"): f.author,
                    _("Channel"): f.channel,
                    _("Conversation"): f.text,
                    _("Flagged"): _when(ctx, f.flagged_at),
                    _("By"): f.flagged_by,
                    _("Words"): f.words,
                }
                for f in flags
            ],
            hide_index=True,
            width="stretch",
            column_config=flag_columns(),
        )
        if ctx.can(Action.moderate):
            _act_on_flag(ctx, flags, today, now)
    if ctx.can(Action.moderate):
        _flag_by_hand(ctx, today)


def _act_on_flag(ctx: PageContext, flags: tuple[queues.FlagRow, ...], today: dt.date, now: dt.datetime) -> None:
    by_id = {f.id: f for f in flags}
    ids = list(by_id)
    # No widget key: the choices change with every new flag, and a keyed widget would bring its old
    # value back from the browser; the flag just raised (or the one picked before) comes first.
    wanted = st.session_state.pop(FLAG_NEXT, None) or st.session_state.get(FLAG_PICK)
    picked = st.selectbox(
        _("Act on"),
        ids,
        index=ids.index(wanted) if wanted in by_id else 0,
        format_func=lambda i: plain_text(
            f"{_(CATEGORY_LABELS[by_id[i].category])} · {by_id[i].author}: {by_id[i].text[:60]}"
        ),
    )
    st.session_state[FLAG_PICK] = picked
    flag = by_id[picked]
    with st.form("moderation_act"):
        kind = st.selectbox(
            _("Action"),
            list(moderation.KIND_LABELS),
            format_func=lambda k: _(moderation.KIND_LABELS[k]),
            key="moderation_kind",
        )
        rule = st.text_input(
            _("Rule it enforces"), placeholder=_("e.g. rule 1, be kind"), max_chars=200, key="moderation_rule"
        )
        c = st.columns(2)
        until_day = c[0].date_input(
            _("Until (muted, slow mode)"),
            value=today + dt.timedelta(days=1),
            min_value=today,
            key="moderation_until_day",
        )
        until_time = c[1].time_input(_("at"), value=dt.time(18, 0), key="moderation_until_time")
        note = st.text_input(_("Note (optional)"), key="moderation_note")
        if st.form_submit_button(_("Record the action"), type="primary"):

            def record(s):
                until = local_instant(until_day, until_time, ctx.timezone) if kind in moderation.NEEDS_UNTIL else None
                action = ModerationActionCreate(
                    conversation_id=flag.conversation_id, kind=kind, rule=rule, until=until, note=note
                )
                return moderation.act(session=s, actor=ctx.actor, action=action, now=now)

            perform(
                ctx,
                record,
                success=_("{action}: recorded.", action=_(moderation.DONE_LABELS[ModerationKind(kind)])),
            )
    if st.button(_("Dismiss this flag: no action needed"), key="moderation_dismiss"):
        perform(
            ctx,
            lambda s: moderation.dismiss_flag(session=s, actor=ctx.actor, flag_id=flag.id, now=now),
            success=_("Flag dismissed."),
        )


def _flag_by_hand(ctx: PageContext, today: dt.date) -> None:
    recent = read(queues.recent_conversations, since=_since(ctx, today))
    with st.expander(_("Flag a conversation by hand")):
        if not recent:
            st.caption(_("No unflagged conversation in the last {days} days.", days=SUGGEST_DAYS))
            return
        by_id = {c.id: c for c in recent}
        with st.form("moderation_flag_form", clear_on_submit=True):
            picked = st.selectbox(
                _("Conversation"),
                list(by_id),
                format_func=lambda i: plain_text(f"{by_id[i].author} ({by_id[i].channel}): {by_id[i].text[:70]}"),
            )
            c = st.columns(2)
            category = c[0].selectbox(_("Flag"), list(CATEGORY_LABELS), format_func=lambda k: _(CATEGORY_LABELS[k]))
            severity = SEVERITIES[
                c[1].selectbox(_("Severity"), range(len(SEVERITIES)), index=1, format_func=_severity_at)
            ]
            note = st.text_input(_("Note (optional)"))
            if st.form_submit_button(_("Flag it")):
                flag = ModerationFlagCreate(conversation_id=picked, category=category, severity=severity, note=note)
                perform(
                    ctx,
                    lambda s: moderation.flag_conversation(session=s, actor=ctx.actor, flag=flag),
                    success=_("Flagged: act on it under Flags."),
                    then=_act_next,
                )


def _act_next(flag) -> None:
    st.session_state[FLAG_NEXT] = flag.id


def suggestions_tab(ctx: PageContext, today: dt.date) -> None:
    found = read(queues.suggested_flags, since=_since(ctx, today))
    st.caption(_("Conversations of the last {days} days whose text holds a word of the word lists.", days=SUGGEST_DAYS))
    if not found:
        st.info(_("The word lists suggest nothing to flag."))
        return
    for i, hit in enumerate(found[:30]):
        with st.container(border=True):
            st.markdown(f"**{esc(hit.author)}** · {esc(hit.channel)} · {_when(ctx, hit.received_at)}")
            st.text(plain_block(hit.text[:400]))
            st.caption(
                _(
                    "Suggested: {flag}, {severity} · words: {words}",
                    flag=esc(_(CATEGORY_LABELS[hit.category])),
                    severity=esc(_severity(hit.severity)),
                    words=esc(", ".join(hit.words)),
                )
            )
            if ctx.can(Action.moderate) and st.button(_("Flag"), key=f"suggest_flag_{hit.conversation_id}"):
                flag = ModerationFlagCreate(
                    conversation_id=hit.conversation_id,
                    category=hit.category,
                    severity=hit.severity,
                    source=FlagSource.word_list,
                    words=", ".join(hit.words)[:300],
                )
                perform(
                    ctx,
                    lambda s, flag=flag: moderation.flag_conversation(session=s, actor=ctx.actor, flag=flag),
                    success=_("Flagged: act on it under Flags."),
                    then=_act_next,
                )
        if i == 29 and len(found) > 30:
            st.caption(_("{count} more: work through these first.", count=formats.number(len(found) - 30)))


def log_tab(ctx: PageContext, now: dt.datetime) -> None:
    log = read(queues.actions)
    if not log:
        st.info(_("No moderation action recorded yet."))
        return
    st.dataframe(
        [
            {
                _("When"): _when(ctx, a.acted_at),
                _("Action"): _(moderation.DONE_LABELS[ModerationKind(a.kind)]),
                _("Until"): _when(ctx, a.until),
                _("Running"): _("yes") if a.until and a.until > now else "",
                _("Member"): a.member,
                _("Rule"): a.rule,
                _("Rules version"): a.rules_number,
                _("By"): a.acted_by,
                _("Conversation"): a.text,
            }
            for a in log
        ],
        hide_index=True,
        width="stretch",
        column_config=action_columns(),
    )


def rules_tab(ctx: PageContext) -> None:
    versions = read(queues.rules_versions)
    if versions:
        current = versions[0]
        st.markdown(
            _(
                "**Community rules, version {number}** (in force since {since})",
                number=esc(current.number),
                since=esc(_when(ctx, current.published_at)),
            )
        )
        st.text(plain_block(current.text))
        if len(versions) > 1:
            with st.expander(_("Earlier versions")):
                for v in versions[1:]:
                    st.markdown(
                        _(
                            "**Version {number}** · {when} · {note}",
                            number=esc(v.number),
                            when=esc(_when(ctx, v.published_at)),
                            note=esc(v.change_note),
                        )
                    )
                    st.text(plain_block(v.text))
    else:
        st.info(_("No community rules published yet. Every moderation action names the rule it enforces."))
    if ctx.can(Action.manage_community_rules):
        with st.form("moderation_rules"):
            text = st.text_area(_("New version of the rules"), value=versions[0].text if versions else "", height=200)
            note = st.text_input(_("What changed"), max_chars=300)
            if st.form_submit_button(_("Publish this version")):
                perform(
                    ctx,
                    lambda s: moderation.publish_rules(session=s, actor=ctx.actor, text=text, change_note=note),
                    success=_("Rules published."),
                )


def words_tab(ctx: PageContext) -> None:
    words = read(queues.flag_words)
    st.caption(
        _("Words and phrases that suggest a flag, matched whole (umlauts and ß included), case does not matter.")
    )
    if words:
        st.dataframe(
            [
                {
                    _("Word"): w.word,
                    _("Language"): _(moderation.LANGUAGES[w.language])
                    if w.language in moderation.LANGUAGES
                    else w.language,
                    _("Flag"): _(CATEGORY_LABELS[w.category]) if w.category in CATEGORY_LABELS else w.category,
                    _("Severity"): _severity(w.severity),
                }
                for w in words
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(_("The word lists are empty."))
    if not ctx.can(Action.manage_community_rules):
        return
    cols = st.columns(len(moderation.LANGUAGES))
    for column, code in zip(cols, moderation.LANGUAGES, strict=True):
        if column.button(_(SHIPPED_BUTTONS[code]), key=f"words_shipped_{code}"):
            perform(
                ctx,
                lambda s, code=code: moderation.add_shipped_words(session=s, actor=ctx.actor, language=code),
                success=_(SHIPPED_ADDED[code]),
            )
    with st.form("moderation_word", clear_on_submit=True):
        c = st.columns(4)
        word = c[0].text_input(_("Word or phrase"), max_chars=80)
        language = c[1].selectbox(
            _("Language"), list(moderation.LANGUAGES), format_func=lambda k: _(moderation.LANGUAGES[k])
        )
        category = c[2].selectbox(_("Flag"), list(CATEGORY_LABELS), format_func=lambda k: _(CATEGORY_LABELS[k]))
        severity = SEVERITIES[c[3].selectbox(_("Severity"), range(len(SEVERITIES)), index=1, format_func=_severity_at)]
        if st.form_submit_button(_("Add the word")):
            entry = FlagWordCreate(word=word, language=language, category=category, severity=severity)
            perform(
                ctx,
                lambda s: moderation.add_flag_word(session=s, actor=ctx.actor, word=entry),
                success=_("Word added."),
            )
    if words:
        by_id = {w.id: w for w in words}
        remove = st.selectbox(
            _("Remove a word"),
            list(by_id),
            index=None,
            format_func=lambda i: plain_text(by_id[i].word),
            key="words_remove",
        )
        if remove is not None and st.button(_("Remove it"), key="words_remove_button"):
            perform(
                ctx,
                lambda s: moderation.remove_flag_word(session=s, actor=ctx.actor, word_id=remove),
                success=_("Word removed."),
            )


def rota_tab(ctx: PageContext, today: dt.date, now: dt.datetime) -> None:
    plan = read(rota.rota, now=now.replace(minute=0, second=0, microsecond=0))
    if plan.calendar is None:
        st.info(_("No business calendar yet: set one up on the SLA monitor; the rota covers its hours."))
    else:
        st.caption(_("Covers the business hours of {calendar} for the coming seven days.", calendar=esc(plan.calendar)))
    if plan.gaps:
        st.warning(
            ngettext(
                "{count} gap in the coming week: nobody is on call then.",
                "{count} gaps in the coming week: nobody is on call then.",
                len(plan.gaps),
            )
        )
        st.dataframe(
            [{_("From"): _when(ctx, a), _("To"): _when(ctx, b)} for a, b in plan.gaps],
            hide_index=True,
            width="stretch",
        )
    elif plan.calendar is not None:
        st.success(_("Every business hour of the coming week has a moderator on call."))
    if plan.shifts:
        st.dataframe(
            [
                {_("Who"): s.who, _("From"): _when(ctx, s.starts_at), _("To"): _when(ctx, s.ends_at)}
                for s in plan.shifts
            ],
            hide_index=True,
            width="stretch",
        )
    if not ctx.can(Action.manage_community_rules):
        return
    people = dict(read(rota.moderators))
    with st.form("rota_shift", clear_on_submit=True):
        who = st.selectbox(_("Moderator"), list(people), format_func=lambda i: plain_text(people[i]))
        c = st.columns(4)
        day1 = c[0].date_input(_("From"), value=today, format=_date_input_format())
        time1 = c[1].time_input(_("at"), value=dt.time(8, 0), key="rota_from_time")
        day2 = c[2].date_input(_("To"), value=today, format=_date_input_format())
        time2 = c[3].time_input(_("at") + " ", value=dt.time(20, 0), key="rota_to_time")
        if st.form_submit_button(_("Add the shift")) and who is not None:

            def add(s):
                shift = OnCallShiftCreate(
                    user_id=who,
                    starts_at=local_instant(day1, time1, ctx.timezone),
                    ends_at=local_instant(day2, time2, ctx.timezone),
                )
                return rota.add_shift(session=s, actor=ctx.actor, shift=shift)

            perform(ctx, add, success=_("Shift added."))


def kpis_tab(ctx: PageContext, today: dt.date) -> None:
    start = today - dt.timedelta(days=29)
    values = read(moderation_kpis, start=start, end=today, tz_name=ctx.timezone.key)
    st.caption(
        _(
            "The last 30 days ({first} – {last}) against the 30 days before.",
            first=formats.short_date(start),
            last=formats.date(today),
        )
    )
    # Two a row, so the labels stay whole at 1024 px.
    cells = [column for __ in range(0, len(values), 2) for column in st.columns(2)]
    for column, v in zip(cells, values, strict=False):
        shown = (
            "—"
            if v.value is None
            else formats.percent(v.value)
            if v.unit == "%"
            else formats.hours(v.value)
            if v.unit == "hours"
            else formats.number(v.value)
        )
        delta = None if v.change is None else ("-" if v.change < 0 else "+") + formats.number(abs(v.change), 1)
        column.metric(esc(_(v.label)), shown, delta=delta, delta_color="inverse", help=esc(_(v.definition.definition)))
        column.caption(esc(v.detail))


def _date_input_format() -> str:
    """The date pickers' pattern in the reader's language (Streamlit knows three)."""
    return "DD.MM.YYYY" if current() == "de" else "YYYY/MM/DD"
