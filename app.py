"""Dialog Desk home: sign-in, then where the team's attention is needed today."""

import datetime as dt

import streamlit as st

from core import formats
from core.attention import attention
from core.community.rollout import rollout_plan
from core.i18n import _, ngettext
from core.local_time import local_today
from core.permissions import Action
from core.text import escape_markdown
from db.types import utcnow
from ui import reads, state
from ui.frame import PAGES, page_frame

ctx = page_frame("home")

st.title("Dialog Desk")  # i18n: not text
st.write(
    _(
        "Welcome, {name}. Every post invites a dialog, every question gets an answer within the SLA, every idea "
        "is tracked until it ships — and we tell the people who asked.",
        name=escape_markdown(ctx.actor.label),
    )
)


def needs_attention() -> None:
    """The counts, refreshed by themselves (a fragment): saves and ingests elsewhere show up."""
    reads.refresh_versions()
    # Cached until the data changes; the count past the SLA is taken for this moment from the
    # deadlines read with it. Only once the clock has passed every deadline read (hundreds since
    # the last change) are the counts read per minute until the data changes again.
    now = utcnow()
    day = local_today(now, ctx.timezone)
    today = reads.read(attention, tz=ctx.timezone, day=day)
    breached = today.breached_at(now)
    if breached is None:
        today = reads.read(attention, tz=ctx.timezone, day=day, now=now.replace(second=0, microsecond=0))
        breached = today.breached

    st.subheader(_("Needs attention today"))
    cards = (
        (
            "sla",
            _("Past the SLA, no reply yet"),
            breached,
            ngettext("{count} waiting for a first reply", "{count} waiting for a first reply", today.waiting_for_reply),
        ),
        (
            "calendar",
            _("Posts waiting for approval"),
            today.posts_in_review,
            ngettext("{count} going out today", "{count} going out today", today.posts_today),
        ),
        ("calendar", _("Posts blocked by compliance"), today.blocked_posts, _("shown on the post until resolved")),
        ("ideas", _("New ideas to triage"), today.new_ideas, _("valid or not?")),
        (
            "loop",
            _("Shipped, not yet announced"),
            today.to_announce,
            ngettext(
                "{count} shipped idea without a loop item: close the loop with the people who asked",
                "{count} shipped ideas without a loop item: close the loop with the people who asked",
                today.shipped_without_loop,
            ),
        ),
    )
    # Three cards a row: at 1024 px the titles wrap rather than being cut, and the links fit.
    for row in range(0, len(cards), 3):
        for column, (key, label, value, note) in zip(st.columns(3), cards[row : row + 3], strict=False):
            with column.container(border=True):
                st.markdown(f"**{label}**")
                st.metric(label, formats.number(value), label_visibility="collapsed")
                st.caption(note)
                page = PAGES[key]
                if ctx.can(page.action):
                    st.page_link(
                        page.path,
                        label=_(page.label),
                        icon=page.icon,
                        help=_("Open the page {page}", page=_(page.label)),
                    )


st.fragment(needs_attention, run_every=dt.timedelta(seconds=state.settings().live_refresh_seconds))()

# The 60-day rollout, for the people who run it, until every step is done.
if ctx.can(Action.tick_rollout):
    plan = reads.read(rollout_plan)
    if not plan.finished:
        st.subheader(_("60-day rollout"))
        st.progress(
            plan.done / len(plan.steps),
            text=ngettext(
                "{done} of {count} step done", "{done} of {count} steps done", len(plan.steps), done=plan.done
            ),
        )
        next_steps = [x for x in plan.steps if not x.done][:3]
        for x in next_steps:
            st.markdown(
                "- " + _("{step} — due {day}", step=escape_markdown(_(x.step.label)), day=formats.date(x.due_on))
            )
        rollout_page = PAGES["community"]
        st.page_link(rollout_page.path, label=_("Open the rollout"), icon=rollout_page.icon)
