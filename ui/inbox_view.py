"""The inbox and the notification choices, on the profile page: what happened that concerns me
(unread first, mark read) and, per kind of event, where I want to hear about it."""

from __future__ import annotations

import streamlit as st

from core import formats
from core.i18n import N_, _, ngettext
from core.live import notify, worker
from core.live.kinds import CHANNEL_LABELS, KINDS, Kind
from core.permissions import Action
from core.text import escape_markdown, plain_text
from core.users.queries import profile
from db.models import NotifyChannel
from ui import calendar_view, ideas_view, reads, sla_conversation
from ui.actions import perform
from ui.frame import PAGES, PageContext

# "On Fridays" is said differently per day in some languages: one message per day.
WEEKLY_ON = (
    N_("The digest is announced on Mondays."),
    N_("The digest is announced on Tuesdays."),
    N_("The digest is announced on Wednesdays."),
    N_("The digest is announced on Thursdays."),
    N_("The digest is announced on Fridays."),
    N_("The digest is announced on Saturdays."),
    N_("The digest is announced on Sundays."),
)
_SCREEN_OF = {"post": "calendar", "idea": "ideas", "conversation": "sla", "digest": "kpis"}
# What opens the item itself on its screen (the same state the screen's own "Open" buttons set).
_OPENERS = {
    "post": calendar_view.open_post,
    "idea": ideas_view.open_idea,
    "conversation": sla_conversation.open_conversation,
}


def show_inbox(ctx: PageContext) -> None:
    assert ctx.actor.id is not None
    entries = reads.read(notify.inbox, user_id=ctx.actor.id)
    unread = [e for e in entries if not e.read]
    st.subheader(
        ngettext("Your inbox ({count} unread)", "Your inbox ({count} unread)", len(unread))
        if unread
        else _("Your inbox")
    )
    if not entries:
        st.caption(_("Nothing yet. Alerts, reviews, escalations and mentions for you show up here."))
        return
    if unread and st.button(_("Mark all read"), key="inbox_all_read"):
        perform(ctx, lambda s: notify.mark_read(session=s, actor=ctx.actor), success=_("Inbox marked read."))
    for entry in entries:
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            marker = "" if entry.read else "● "
            left.markdown(f"{marker}**{escape_markdown(entry.title)}**")
            when = formats.date_time(entry.created_at.astimezone(ctx.timezone))
            left.caption(f"{escape_markdown(entry.body)} · {when}" if entry.body else when)
            page = PAGES.get(_SCREEN_OF.get(entry.entity, ""))
            if page is not None and ctx.can(page.action):
                if entry.entity in _OPENERS and entry.entity_id is not None:
                    if left.button(
                        _("Open on {page}", page=_(page.label)),
                        key=f"inbox_open_{entry.id}",
                        icon=page.icon,
                        type="tertiary",
                    ):
                        _OPENERS[entry.entity](entry.entity_id)
                        st.switch_page(page.path)
                else:
                    left.page_link(page.path, label=_("Open {page}", page=_(page.label)), icon=page.icon)
            if not entry.read and right.button(_("Mark read"), key=f"inbox_read_{entry.id}"):
                _mark_read(ctx, entry.id)


def _mark_read(ctx: PageContext, entry_id: int) -> None:
    perform(ctx, lambda s: notify.mark_read(session=s, actor=ctx.actor, delivery_ids=[entry_id]))


def show_preferences(ctx: PageContext) -> None:
    assert ctx.actor.id is not None
    st.subheader(_("How you are told"))
    st.caption(
        _(
            "E-mail and team chat wait for your business hours (your escalation team's calendar); "
            "breaches go out at once."
        )
    )
    me = reads.read(profile, user_id=ctx.actor.id)
    with st.form("inbox_email"):
        email = st.text_input(_("Your e-mail address for alerts"), value=me.email, placeholder=_("name@example.org"))
        if st.form_submit_button(_("Save address")):
            perform(
                ctx,
                lambda s: notify.set_my_email(session=s, actor=ctx.actor, email=email),
                success=_("Address saved."),
            )
    chosen = reads.read(notify.my_preferences, user_id=ctx.actor.id)
    options = list(NotifyChannel)
    option_labels = {c: _(CHANNEL_LABELS[c]) for c in options}  # in this run's language
    with st.form("inbox_preferences"):
        picks = {
            kind: st.selectbox(
                escape_markdown(_(info.label)),
                options,
                index=options.index(NotifyChannel(chosen[kind.value])),
                format_func=lambda option: plain_text(option_labels[option]),
                key=f"pref_{kind.value}",
            )
            for kind, info in KINDS.items()
        }
        if st.form_submit_button(_("Save choices"), type="primary"):
            changed = {k: c for k, c in picks.items() if c.value != chosen[k.value]}
            perform(ctx, lambda s: _save(s, ctx, changed), success=_("Your choices are saved."))


def show_digest_day(ctx: PageContext) -> None:
    """For the digest's editors: the day the worker announces the weekly digest."""
    if not ctx.can(Action.edit_digest):
        return
    current = reads.read(worker.digest_day)
    days = list(range(7))
    names = formats.weekday_names("wide")  # in this run's language
    picked = st.selectbox(
        _("The weekly digest is announced on"),
        days,
        index=current,
        format_func=lambda day: plain_text(names[day]),
        key="inbox_digest_day",
        help=_("The worker tells the digest's editors and the leads that the week before is ready."),
    )
    if picked != current and st.button(_("Save the digest day"), key="inbox_digest_day_save"):
        perform(
            ctx,
            lambda s: worker.set_digest_day(session=s, actor=ctx.actor, weekday=picked),
            success=_(WEEKLY_ON[picked]),
        )


def _save(session, ctx: PageContext, changed: dict[Kind, NotifyChannel]) -> None:
    for kind, channel in changed.items():
        notify.set_preference(session=session, actor=ctx.actor, kind=kind.value, channel=channel.value)
