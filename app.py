"""Dialog Desk home: sign-in, then where the team's attention is needed today."""

import datetime as dt

import streamlit as st

from core.attention import attention
from core.community.rollout import rollout_plan
from core.local_time import local_today
from core.permissions import Action
from core.text import escape_markdown
from db.types import utcnow
from ui import reads, state
from ui.frame import PAGES, page_frame

ctx = page_frame("home")

st.title("Dialog Desk")
st.write(
    f"Welcome, {escape_markdown(ctx.actor.label)}. Every post invites a dialog, every question gets an answer "
    "within the SLA, every idea is tracked until it ships — and we tell the people who asked."
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

    st.subheader("Needs attention today")
    cards = (
        ("sla", "Past the SLA, no reply yet", breached, f"{today.waiting_for_reply} waiting for a first reply"),
        ("calendar", "Posts waiting for approval", today.posts_in_review, f"{today.posts_today} going out today"),
        ("calendar", "Posts blocked by compliance", today.blocked_posts, "shown on the post until resolved"),
        ("ideas", "New ideas to triage", today.new_ideas, "valid or not?"),
        (
            "loop",
            "Shipped, not yet announced",
            today.to_announce,
            f"{today.shipped_without_loop} shipped idea(s) without a loop item: close the loop with the people who asked",
        ),
    )
    # Three cards a row: at 1024 px the titles wrap rather than being cut, and the links fit.
    for row in range(0, len(cards), 3):
        for column, (key, label, value, note) in zip(st.columns(3), cards[row : row + 3], strict=False):
            with column.container(border=True):
                st.markdown(f"**{label}**")
                st.metric(label, value, label_visibility="collapsed")
                st.caption(note)
                page = PAGES[key]
                if ctx.can(page.action):
                    st.page_link(page.path, label=page.label, icon=page.icon, help=f"Open {page.label}")


st.fragment(needs_attention, run_every=dt.timedelta(seconds=state.settings().live_refresh_seconds))()

# The 60-day rollout, for the people who run it, until every step is done.
if ctx.can(Action.tick_rollout):
    plan = reads.read(rollout_plan)
    if not plan.finished:
        st.subheader("60-day rollout")
        st.progress(plan.done / len(plan.steps), text=f"{plan.done} of {len(plan.steps)} steps done")
        next_steps = [x for x in plan.steps if not x.done][:3]
        for x in next_steps:
            st.markdown(f"- {escape_markdown(x.step.label)} — due {x.due_on:%d %b %Y}")
        rollout_page = PAGES["community"]
        st.page_link(rollout_page.path, label="Open the rollout", icon=rollout_page.icon)
