"""The community screen's rituals: newcomers' onboarding, hero of the week, the UGC showcase with
consent, and the recurring formats that become calendar drafts. Reads through ``ui.reads.read``,
writes through ``ui.actions.perform``."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import formats as fmt
from core import workspace
from core.community import rituals
from core.i18n import _, ngettext
from core.local_time import local_midnight
from core.permissions import Action
from core.text import plain_text
from db.models import ConsentStatus, RitualFormatCreate
from db.types import utcnow
from ui.actions import perform
from ui.community_view import this_hour
from ui.exports import dialect_picker
from ui.frame import PageContext
from ui.reads import read

SHOWCASE_DAYS = 60


def _day(ctx: PageContext, instant: dt.datetime | None) -> str:
    return "" if instant is None else fmt.date(instant.astimezone(ctx.timezone))


def onboarding(ctx: PageContext) -> None:
    queue = read(rituals.newcomers, now=this_hour())
    waiting = [n for n in queue if not n.welcomed]
    st.markdown(
        ngettext(
            "**Onboarding** · {count} newcomer not welcomed yet",
            "**Onboarding** · {count} newcomers not welcomed yet",
            len(waiting),
        )
    )
    if not queue:
        st.caption(_("No newcomers right now."))
        return

    def answered(n: rituals.Newcomer) -> str:
        return (
            _("no question yet")
            if n.first_question_answered is None
            else _("yes")
            if n.first_question_answered
            else _("not yet")
        )

    st.dataframe(
        [
            {
                _("Newcomer"): n.display,
                _("First seen"): _day(ctx, n.first_seen),
                _("Welcomed"): _("yes") if n.welcomed else "",
                _("Rules linked"): _("yes") if n.rules_linked else "",
                _("First question answered"): answered(n),
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
        _("Newcomer"), list(open_steps), format_func=lambda k: plain_text(open_steps[k].display), key="onboarding_who"
    )
    person = open_steps[who]
    if not person.welcomed and c[1].button(_("Welcomed"), key="onboarding_welcomed"):
        perform(
            ctx,
            lambda s: rituals.tick_onboarding(session=s, actor=ctx.actor, handle=who, step="welcomed", now=utcnow()),
            success=_("Ticked."),
        )
    if not person.rules_linked and c[2].button(_("Rules linked"), key="onboarding_rules"):
        perform(
            ctx,
            lambda s: rituals.tick_onboarding(
                session=s, actor=ctx.actor, handle=who, step="rules_linked", now=utcnow()
            ),
            success=_("Ticked."),
        )


def hero(ctx: PageContext, today: dt.date) -> None:
    week_start = today - dt.timedelta(days=today.weekday() + 7)
    start, end = (
        local_midnight(week_start, ctx.timezone),
        local_midnight(week_start + dt.timedelta(days=7), ctx.timezone),
    )
    suggestions = read(rituals.hero_suggestions, start=start, end=end)
    st.markdown(_("**Hero of the week** · suggestions for the week of {day}", day=fmt.short_date(week_start)))
    if suggestions:
        st.dataframe(
            [
                {
                    _("Member"): h.display,
                    _("Best answers"): h.best,
                    _("Useful"): h.useful,
                    _("Contributions"): h.contributions,
                }
                for h in suggestions
            ],
            hide_index=True,
            width="stretch",
        )
        st.caption(_("The hero is chosen with the weekly digest on the KPI overview."))
    else:
        st.caption(_("Nobody was marked useful or best last week."))
    history = read(rituals.hero_history)
    if history:
        with st.expander(_("Heroes so far ({count})", count=fmt.number(len(history)))):
            st.dataframe(
                [{_("Week"): fmt.date(w), _("Hero"): h, _("Why"): why} for w, h, why in history],
                hide_index=True,
                width="stretch",
            )


def showcase(ctx: PageContext, today: dt.date) -> None:
    since = local_midnight(today - dt.timedelta(days=SHOWCASE_DAYS), ctx.timezone)
    items = read(rituals.showcase, since=since)
    st.caption(
        _("The best contributions of the last {days} days: UGC marked useful and best answers.", days=SHOWCASE_DAYS)
    )
    if not items:
        st.info(_("Nothing marked useful or best yet."))
        return
    labels = {None: _("not asked"), **{s.value: _(rituals.CONSENT_LABELS[s.value]) for s in ConsentStatus}}
    st.dataframe(
        [
            {
                _("Author"): i.author,
                _("Channel"): i.channel,
                _("Received"): _day(ctx, i.received_at),
                _("Best answer"): _("yes") if i.best else "",
                _("Consent"): labels[i.consent],
                _("Since"): _day(ctx, i.consent_at),
                _("Text"): i.text,
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
        _("Contribution"),
        list(by_id),
        format_func=lambda i: plain_text(f"{by_id[i].author}: {by_id[i].text[:60]}"),
        key="showcase_pick",
    )
    c = st.columns(2)
    statuses = [s.value for s in ConsentStatus]
    status = statuses[
        c[0].selectbox(
            _("Consent"),
            range(len(statuses)),
            format_func=lambda i: _(rituals.CONSENT_LABELS[statuses[i]]),
            key="showcase_status",
        )
    ]
    if c[1].button(_("Record the consent"), key="showcase_record"):
        perform(
            ctx,
            lambda s: rituals.record_consent(session=s, actor=ctx.actor, conversation_id=picked, status=status),
            success=_("Consent recorded."),
        )
    if not any(i.consent == ConsentStatus.given for i in items):
        return
    dialect = dialect_picker(key="showcase_export_dialect")
    if st.button(_("Prepare the showcase export"), key="showcase_export"):
        csv = perform(
            ctx,
            lambda s: rituals.export_showcase(session=s, actor=ctx.actor, since=since, dialect=dialect),
            rerun=False,
        )
        if csv is not None:
            st.download_button(
                _("Download the showcase (CSV)"), csv, file_name=f"ugc-showcase-{today}.csv", mime="text/csv"
            )


def formats(ctx: PageContext, today: dt.date) -> None:
    found = read(rituals.rituals)
    st.caption(_("Recurring formats: each week they become drafts in the content calendar."))
    weekdays = fmt.weekday_names("wide")
    if found:
        st.dataframe(
            [
                {
                    _("Format"): r.name,
                    _("Every"): weekdays[r.weekday],
                    _("At"): _clock(r.local_time),
                    _("Prompt"): r.prompt,
                }
                for r in found
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(
            _("No recurring formats yet, e.g. {formats}.", formats=", ".join(_(f) for f in rituals.SUGGESTED_FORMATS))
        )
    if not ctx.can(Action.manage_community_rules):
        return
    if found and st.button(_("Create the drafts for the next two weeks"), key="rituals_draft"):
        perform(
            ctx,
            lambda s: rituals.draft_rituals(session=s, actor=ctx.actor, today=today, tz=ctx.timezone),
            success=_("Drafts created in the content calendar."),
        )
    channels = {c.id: c.name for c in read(workspace.list_channels)}
    rubrics = {r.id: r.name for r in read(workspace.list_rubrics)}
    with st.form("ritual_new", clear_on_submit=True):
        c = st.columns(4)
        name = c[0].selectbox(_("Format"), [_(f) for f in rituals.SUGGESTED_FORMATS], accept_new_options=True)
        weekday = c[1].selectbox(_("Every"), range(7), format_func=lambda d: plain_text(weekdays[d]), index=4)
        at = c[2].text_input(_("At (HH:MM)"), value="17:00", max_chars=5)
        channel = c[3].selectbox(_("Channel"), list(channels), format_func=lambda i: plain_text(channels[i]))
        rubric = st.selectbox(
            _("Rubric"), [None, *rubrics], format_func=lambda i: "—" if i is None else plain_text(rubrics[i])
        )
        prompt = st.text_area(_("What the draft starts with"), height=80)
        if st.form_submit_button(_("Add the format")) and channel is not None:
            ritual = RitualFormatCreate(
                name=name or "", weekday=weekday, local_time=at, channel_id=channel, rubric_id=rubric, prompt=prompt
            )
            perform(
                ctx, lambda s: rituals.add_ritual(session=s, actor=ctx.actor, ritual=ritual), success=_("Format added.")
            )


def _clock(local_time: str) -> str:
    """A format's stored "HH:MM" as a time of day in the reader's format."""
    hour, minute = (int(x) for x in local_time.split(":"))
    return fmt.time(dt.time(hour, minute))
