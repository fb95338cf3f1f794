"""The moderation screen's parts: open flags and the actions on them, the word lists' suggestions,
the moderation log, the community rules, the flag words, the on-call rota and the moderation KPIs.

Every read goes through ``ui.reads.read`` and every write through ``ui.actions.perform``."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.community import moderation, queues, rota
from core.community.rules import CATEGORY_LABELS
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
# Widths that fit the tables into the main column at 1400 px.
FLAG_COLUMNS = {
    "Flag": st.column_config.TextColumn(width=80),
    "Severity": st.column_config.TextColumn(width=64),
    "Author": st.column_config.TextColumn(width=110),
    "Channel": st.column_config.TextColumn(width=90),
    "Conversation": st.column_config.TextColumn(width=270),
    "Flagged": st.column_config.TextColumn(width=120),
    "By": st.column_config.TextColumn(width=100),
    "Words": st.column_config.TextColumn(width=60),
}
ACTION_COLUMNS = {
    "When": st.column_config.TextColumn(width=120),
    "Action": st.column_config.TextColumn(width=110),
    "Until": st.column_config.TextColumn(width=120),
    "Running": st.column_config.TextColumn(width=56),
    "Member": st.column_config.TextColumn(width=100),
    "Rule": st.column_config.TextColumn(width=110),
    "Rules version": st.column_config.NumberColumn("Version", width=56, help="Version of the community rules"),
    "By": st.column_config.TextColumn(width=90),
    "Conversation": st.column_config.TextColumn(width=130),
}
UNITS = {"%": " %", "hours": " h", "people": ""}
FLAG_NEXT = "moderation_flag_next"  # set by a new flag: the next run offers to act on it


def _when(ctx: PageContext, instant: dt.datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(ctx.timezone):%d %b %Y %H:%M}"


def _since(ctx: PageContext, today: dt.date) -> dt.datetime:
    return local_midnight(today - dt.timedelta(days=SUGGEST_DAYS), ctx.timezone)


def overview(ctx: PageContext, today: dt.date, now: dt.datetime) -> None:
    flags = read(queues.open_flags)
    log = read(queues.actions)
    plan = read(rota.rota, now=now.replace(minute=0, second=0, microsecond=0))
    on_call = [s.who for s in plan.shifts if s.starts_at <= now < s.ends_at]
    # Three a row: at 1024 px four metrics cut their labels.
    cols = st.columns(3)
    cols[0].metric("Open flags", len(flags), help="Flags waiting for a moderation action")
    cols[1].metric("Threads in slow mode now", len(queues.running(log, ModerationKind.slow_mode, now)))
    cols[2].metric("Members muted", len(queues.running(log, ModerationKind.muted, now)))
    st.caption(f"On call now: {esc(', '.join(on_call) or 'nobody')}")


def flags_tab(ctx: PageContext, today: dt.date, now: dt.datetime) -> None:
    flags = read(queues.open_flags)
    if not flags:
        st.info("No open flags: nothing waits for a moderator.")
    else:
        st.dataframe(
            [
                {
                    "Flag": CATEGORY_LABELS[f.category],
                    "Severity": f.severity,
                    "Author": f.author,
                    "Channel": f.channel,
                    "Conversation": f.text,
                    "Flagged": _when(ctx, f.flagged_at),
                    "By": f.flagged_by,
                    "Words": f.words,
                }
                for f in flags
            ],
            hide_index=True,
            width="stretch",
            column_config=FLAG_COLUMNS,
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
        "Act on",
        ids,
        index=ids.index(wanted) if wanted in by_id else 0,
        format_func=lambda i: plain_text(
            f"{CATEGORY_LABELS[by_id[i].category]} · {by_id[i].author}: {by_id[i].text[:60]}"
        ),
    )
    st.session_state[FLAG_PICK] = picked
    flag = by_id[picked]
    with st.form("moderation_act"):
        kind = st.selectbox(
            "Action",
            list(moderation.KIND_LABELS),
            format_func=moderation.KIND_LABELS.__getitem__,
            key="moderation_kind",
        )
        rule = st.text_input(
            "Rule it enforces", placeholder="1. Be kind: no insults", max_chars=200, key="moderation_rule"
        )
        c = st.columns(2)
        until_day = c[0].date_input(
            "Until (muted, slow mode)", value=today + dt.timedelta(days=1), min_value=today, key="moderation_until_day"
        )
        until_time = c[1].time_input("at", value=dt.time(18, 0), key="moderation_until_time")
        note = st.text_input("Note (optional)", key="moderation_note")
        if st.form_submit_button("Record the action", type="primary"):

            def record(s):
                until = local_instant(until_day, until_time, ctx.timezone) if kind in moderation.NEEDS_UNTIL else None
                action = ModerationActionCreate(
                    conversation_id=flag.conversation_id, kind=kind, rule=rule, until=until, note=note
                )
                return moderation.act(session=s, actor=ctx.actor, action=action, now=now)

            perform(
                ctx,
                record,
                success=f"{moderation.KIND_LABELS[ModerationKind(kind)].replace(' until …', '')}: recorded.",
            )
    if st.button("Dismiss this flag: no action needed", key="moderation_dismiss"):
        perform(
            ctx,
            lambda s: moderation.dismiss_flag(session=s, actor=ctx.actor, flag_id=flag.id, now=now),
            success="Flag dismissed.",
        )


def _flag_by_hand(ctx: PageContext, today: dt.date) -> None:
    recent = read(queues.recent_conversations, since=_since(ctx, today))
    with st.expander("Flag a conversation by hand"):
        if not recent:
            st.caption(f"No unflagged conversation in the last {SUGGEST_DAYS} days.")
            return
        by_id = {c.id: c for c in recent}
        with st.form("moderation_flag_form", clear_on_submit=True):
            picked = st.selectbox(
                "Conversation",
                list(by_id),
                format_func=lambda i: plain_text(f"{by_id[i].author} ({by_id[i].channel}): {by_id[i].text[:70]}"),
            )
            c = st.columns(2)
            category = c[0].selectbox("Flag", list(CATEGORY_LABELS), format_func=CATEGORY_LABELS.__getitem__)
            severity = c[1].selectbox("Severity", SEVERITIES, index=1)
            note = st.text_input("Note (optional)")
            if st.form_submit_button("Flag it"):
                flag = ModerationFlagCreate(conversation_id=picked, category=category, severity=severity, note=note)
                perform(
                    ctx,
                    lambda s: moderation.flag_conversation(session=s, actor=ctx.actor, flag=flag),
                    success="Flagged: act on it under Flags.",
                    then=_act_next,
                )


def _act_next(flag) -> None:
    st.session_state[FLAG_NEXT] = flag.id


def suggestions_tab(ctx: PageContext, today: dt.date) -> None:
    found = read(queues.suggested_flags, since=_since(ctx, today))
    st.caption(f"Conversations of the last {SUGGEST_DAYS} days whose text holds a word of the word lists.")
    if not found:
        st.info("The word lists suggest nothing to flag.")
        return
    for i, hit in enumerate(found[:30]):
        with st.container(border=True):
            st.markdown(f"**{esc(hit.author)}** · {esc(hit.channel)} · {_when(ctx, hit.received_at)}")
            st.text(plain_block(hit.text[:400]))
            st.caption(
                f"Suggested: {esc(CATEGORY_LABELS[hit.category])}, {esc(hit.severity)} · words: {esc(', '.join(hit.words))}"
            )
            if ctx.can(Action.moderate) and st.button("Flag", key=f"suggest_flag_{hit.conversation_id}"):
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
                    success="Flagged: act on it under Flags.",
                    then=_act_next,
                )
        if i == 29 and len(found) > 30:
            st.caption(f"{len(found) - 30} more: work through these first.")


def log_tab(ctx: PageContext, now: dt.datetime) -> None:
    log = read(queues.actions)
    if not log:
        st.info("No moderation action recorded yet.")
        return
    st.dataframe(
        [
            {
                "When": _when(ctx, a.acted_at),
                "Action": moderation.KIND_LABELS[ModerationKind(a.kind)].replace(" until …", ""),
                "Until": _when(ctx, a.until),
                "Running": "yes" if a.until and a.until > now else "",
                "Member": a.member,
                "Rule": a.rule,
                "Rules version": a.rules_number,
                "By": a.acted_by,
                "Conversation": a.text,
            }
            for a in log
        ],
        hide_index=True,
        width="stretch",
        column_config=ACTION_COLUMNS,
    )


def rules_tab(ctx: PageContext) -> None:
    versions = read(queues.rules_versions)
    if versions:
        current = versions[0]
        st.markdown(
            f"**Community rules, version {esc(current.number)}** (in force since {esc(_when(ctx, current.published_at))})"
        )
        st.text(plain_block(current.text))
        if len(versions) > 1:
            with st.expander("Earlier versions"):
                for v in versions[1:]:
                    st.markdown(
                        f"**Version {esc(v.number)}** · {esc(_when(ctx, v.published_at))} · {esc(v.change_note)}"
                    )
                    st.text(plain_block(v.text))
    else:
        st.info("No community rules published yet. Every moderation action names the rule it enforces.")
    if ctx.can(Action.manage_community_rules):
        with st.form("moderation_rules"):
            text = st.text_area("New version of the rules", value=versions[0].text if versions else "", height=200)
            note = st.text_input("What changed", max_chars=300)
            if st.form_submit_button("Publish this version"):
                perform(
                    ctx,
                    lambda s: moderation.publish_rules(session=s, actor=ctx.actor, text=text, change_note=note),
                    success="Rules published.",
                )


def words_tab(ctx: PageContext) -> None:
    words = read(queues.flag_words)
    st.caption("Words and phrases that suggest a flag, matched whole (umlauts and ß included), case does not matter.")
    if words:
        st.dataframe(
            [
                {
                    "Word": w.word,
                    "Language": moderation.LANGUAGES.get(w.language, w.language),
                    "Flag": CATEGORY_LABELS.get(w.category, w.category),
                    "Severity": w.severity,
                }
                for w in words
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("The word lists are empty.")
    if not ctx.can(Action.manage_community_rules):
        return
    cols = st.columns(len(moderation.LANGUAGES))
    for column, (code, name) in zip(cols, moderation.LANGUAGES.items(), strict=True):
        if column.button(f"Add the shipped {name} list", key=f"words_shipped_{code}"):
            perform(
                ctx,
                lambda s, code=code: moderation.add_shipped_words(session=s, actor=ctx.actor, language=code),
                success=f"{name} list added.",
            )
    with st.form("moderation_word", clear_on_submit=True):
        c = st.columns(4)
        word = c[0].text_input("Word or phrase", max_chars=80)
        language = c[1].selectbox("Language", list(moderation.LANGUAGES), format_func=moderation.LANGUAGES.__getitem__)
        category = c[2].selectbox("Flag", list(CATEGORY_LABELS), format_func=CATEGORY_LABELS.__getitem__)
        severity = c[3].selectbox("Severity", SEVERITIES, index=1)
        if st.form_submit_button("Add the word"):
            entry = FlagWordCreate(word=word, language=language, category=category, severity=severity)
            perform(
                ctx, lambda s: moderation.add_flag_word(session=s, actor=ctx.actor, word=entry), success="Word added."
            )
    if words:
        by_id = {w.id: w for w in words}
        remove = st.selectbox(
            "Remove a word",
            list(by_id),
            index=None,
            format_func=lambda i: plain_text(by_id[i].word),
            key="words_remove",
        )
        if remove is not None and st.button("Remove it", key="words_remove_button"):
            perform(
                ctx,
                lambda s: moderation.remove_flag_word(session=s, actor=ctx.actor, word_id=remove),
                success="Word removed.",
            )


def rota_tab(ctx: PageContext, today: dt.date, now: dt.datetime) -> None:
    plan = read(rota.rota, now=now.replace(minute=0, second=0, microsecond=0))
    if plan.calendar is None:
        st.info("No business calendar yet: set one up on the SLA monitor; the rota covers its hours.")
    else:
        st.caption(f"Covers the business hours of {esc(plan.calendar)} for the coming seven days.")
    if plan.gaps:
        st.warning(f"{len(plan.gaps)} gap(s) in the coming week: nobody is on call then.")
        st.dataframe(
            [{"From": _when(ctx, a), "To": _when(ctx, b)} for a, b in plan.gaps], hide_index=True, width="stretch"
        )
    elif plan.calendar is not None:
        st.success("Every business hour of the coming week has a moderator on call.")
    if plan.shifts:
        st.dataframe(
            [{"Who": s.who, "From": _when(ctx, s.starts_at), "To": _when(ctx, s.ends_at)} for s in plan.shifts],
            hide_index=True,
            width="stretch",
        )
    if not ctx.can(Action.manage_community_rules):
        return
    people = dict(read(rota.moderators))
    with st.form("rota_shift", clear_on_submit=True):
        who = st.selectbox("Moderator", list(people), format_func=lambda i: plain_text(people[i]))
        c = st.columns(4)
        day1 = c[0].date_input("From", value=today)
        time1 = c[1].time_input("at", value=dt.time(8, 0), key="rota_from_time")
        day2 = c[2].date_input("To", value=today)
        time2 = c[3].time_input("at ", value=dt.time(20, 0), key="rota_to_time")
        if st.form_submit_button("Add the shift") and who is not None:

            def add(s):
                shift = OnCallShiftCreate(
                    user_id=who,
                    starts_at=local_instant(day1, time1, ctx.timezone),
                    ends_at=local_instant(day2, time2, ctx.timezone),
                )
                return rota.add_shift(session=s, actor=ctx.actor, shift=shift)

            perform(ctx, add, success="Shift added.")


def kpis_tab(ctx: PageContext, today: dt.date) -> None:
    start = today - dt.timedelta(days=29)
    values = read(moderation_kpis, start=start, end=today, tz_name=ctx.timezone.key)
    st.caption(f"The last 30 days ({start:%d %b} – {today:%d %b %Y}) against the 30 days before.")
    # Two a row, so the labels stay whole at 1024 px.
    cells = [column for _ in range(0, len(values), 2) for column in st.columns(2)]
    for column, v in zip(cells, values, strict=False):
        shown = (
            "—"
            if v.value is None
            else f"{v.value:.1f}{UNITS.get(v.unit, '')}"
            if v.unit in ("%", "hours")
            else f"{v.value:.0f}"
        )
        delta = None if v.change is None else f"{v.change:+.1f}"
        column.metric(esc(v.label), shown, delta=delta, delta_color="inverse", help=esc(v.definition.definition))
        column.caption(esc(v.detail))
