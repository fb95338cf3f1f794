"""The community screen's rituals: newcomers' onboarding, hero of the week, the UGC showcase with
consent, and the recurring formats that become calendar drafts. Reads through ``ui.reads.read``,
writes through ``ui.actions.perform``."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import workspace
from core.community import rituals
from core.local_time import local_midnight
from core.permissions import Action
from core.text import plain_text
from db.models import ConsentStatus, RitualFormatCreate
from db.types import utcnow
from ui.actions import perform
from ui.community_view import this_hour
from ui.frame import PageContext
from ui.reads import read

SHOWCASE_DAYS = 60


def _day(ctx: PageContext, instant: dt.datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(ctx.timezone):%d %b %Y}"


def onboarding(ctx: PageContext) -> None:
    queue = read(rituals.newcomers, now=this_hour())
    waiting = [n for n in queue if not n.welcomed]
    st.markdown(f"**Onboarding** · {len(waiting)} newcomer(s) not welcomed yet")
    if not queue:
        st.caption("No newcomers right now.")
        return

    def answered(n: rituals.Newcomer) -> str:
        return (
            "no question yet"
            if n.first_question_answered is None
            else "yes"
            if n.first_question_answered
            else "not yet"
        )

    st.dataframe(
        [
            {
                "Newcomer": n.display,
                "First seen": _day(ctx, n.first_seen),
                "Welcomed": "yes" if n.welcomed else "",
                "Rules linked": "yes" if n.rules_linked else "",
                "First question answered": answered(n),
            }
            for n in queue
        ],
        hide_index=True,
        width="stretch",
    )
    if not ctx.can(Action.manage_members):
        return
    open_steps = {n.key: n for n in queue if not (n.welcomed and n.rules_linked)}
    if not open_steps:
        return
    c = st.columns([3, 2, 2])
    who = c[0].selectbox(
        "Newcomer", list(open_steps), format_func=lambda k: plain_text(open_steps[k].display), key="onboarding_who"
    )
    person = open_steps[who]
    if not person.welcomed and c[1].button("Welcomed", key="onboarding_welcomed"):
        perform(
            ctx,
            lambda s: rituals.tick_onboarding(session=s, actor=ctx.actor, handle=who, step="welcomed", now=utcnow()),
            success="Ticked.",
        )
    if not person.rules_linked and c[2].button("Rules linked", key="onboarding_rules"):
        perform(
            ctx,
            lambda s: rituals.tick_onboarding(
                session=s, actor=ctx.actor, handle=who, step="rules_linked", now=utcnow()
            ),
            success="Ticked.",
        )


def hero(ctx: PageContext, today: dt.date) -> None:
    week_start = today - dt.timedelta(days=today.weekday() + 7)
    start, end = (
        local_midnight(week_start, ctx.timezone),
        local_midnight(week_start + dt.timedelta(days=7), ctx.timezone),
    )
    suggestions = read(rituals.hero_suggestions, start=start, end=end)
    st.markdown(f"**Hero of the week** · suggestions for the week of {week_start:%d %b}")
    if suggestions:
        st.dataframe(
            [
                {"Member": h.display, "Best answers": h.best, "Useful": h.useful, "Contributions": h.contributions}
                for h in suggestions
            ],
            hide_index=True,
            width="stretch",
        )
        st.caption("The hero is chosen with the weekly digest on the KPI overview.")
    else:
        st.caption("Nobody was marked useful or best last week.")
    history = read(rituals.hero_history)
    if history:
        with st.expander(f"Heroes so far ({len(history)})"):
            st.dataframe(
                [{"Week": f"{w:%d %b %Y}", "Hero": h, "Why": why} for w, h, why in history],
                hide_index=True,
                width="stretch",
            )


def showcase(ctx: PageContext, today: dt.date) -> None:
    since = local_midnight(today - dt.timedelta(days=SHOWCASE_DAYS), ctx.timezone)
    items = read(rituals.showcase, since=since)
    st.caption(f"The best contributions of the last {SHOWCASE_DAYS} days: UGC marked useful and best answers.")
    if not items:
        st.info("Nothing marked useful or best yet.")
        return
    labels = {None: "not asked", **{s.value: s.value for s in ConsentStatus}}
    st.dataframe(
        [
            {
                "Author": i.author,
                "Channel": i.channel,
                "Received": _day(ctx, i.received_at),
                "Best answer": "yes" if i.best else "",
                "Consent": labels[i.consent],
                "Since": _day(ctx, i.consent_at),
                "Text": i.text,
            }
            for i in items
        ],
        hide_index=True,
        width="stretch",
    )
    if not ctx.can(Action.manage_members):
        return
    by_id = {i.conversation_id: i for i in items}
    picked = st.selectbox(
        "Contribution",
        list(by_id),
        format_func=lambda i: plain_text(f"{by_id[i].author}: {by_id[i].text[:60]}"),
        key="showcase_pick",
    )
    c = st.columns(2)
    status = c[0].selectbox("Consent", [s.value for s in ConsentStatus], key="showcase_status")
    if c[1].button("Record the consent", key="showcase_record"):
        perform(
            ctx,
            lambda s: rituals.record_consent(session=s, actor=ctx.actor, conversation_id=picked, status=status),
            success="Consent recorded.",
        )
    if any(i.consent == ConsentStatus.given for i in items) and st.button(
        "Prepare the showcase export", key="showcase_export"
    ):
        csv = perform(ctx, lambda s: rituals.export_showcase(session=s, actor=ctx.actor, since=since), rerun=False)
        if csv is not None:
            st.download_button(
                "Download the showcase (CSV)", csv, file_name=f"ugc-showcase-{today}.csv", mime="text/csv"
            )


def formats(ctx: PageContext, today: dt.date) -> None:
    found = read(rituals.rituals)
    st.caption("Recurring formats: each week they become drafts in the content calendar.")
    if found:
        st.dataframe(
            [
                {"Format": r.name, "Every": rituals.WEEKDAYS[r.weekday], "At": r.local_time, "Prompt": r.prompt}
                for r in found
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(f"No recurring formats yet, e.g. {', '.join(rituals.SUGGESTED_FORMATS)}.")
    if not ctx.can(Action.manage_community_rules):
        return
    if found and st.button("Create the drafts for the next two weeks", key="rituals_draft"):
        perform(
            ctx,
            lambda s: rituals.draft_rituals(session=s, actor=ctx.actor, today=today, tz=ctx.timezone),
            success="Drafts created in the content calendar.",
        )
    channels = {c.id: c.name for c in read(workspace.list_channels)}
    rubrics = {r.id: r.name for r in read(workspace.list_rubrics)}
    with st.form("ritual_new", clear_on_submit=True):
        c = st.columns(4)
        name = c[0].selectbox("Format", rituals.SUGGESTED_FORMATS, accept_new_options=True)
        weekday = c[1].selectbox("Every", range(7), format_func=lambda d: rituals.WEEKDAYS[d], index=4)
        at = c[2].text_input("At (HH:MM)", value="17:00", max_chars=5)
        channel = c[3].selectbox("Channel", list(channels), format_func=lambda i: plain_text(channels[i]))
        rubric = st.selectbox(
            "Rubric", [None, *rubrics], format_func=lambda i: "—" if i is None else plain_text(rubrics[i])
        )
        prompt = st.text_area("What the draft starts with", height=80)
        if st.form_submit_button("Add the format") and channel is not None:
            ritual = RitualFormatCreate(
                name=name or "", weekday=weekday, local_time=at, channel_id=channel, rubric_id=rubric, prompt=prompt
            )
            perform(
                ctx, lambda s: rituals.add_ritual(session=s, actor=ctx.actor, ritual=ritual), success="Format added."
            )
