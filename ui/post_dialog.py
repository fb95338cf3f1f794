"""A published post's dialog on the content calendar: the conversations it created (answered,
within the SLA, still open), its UGC, the ideas that came from it, its conversions against the
micro-interaction goal, its watch window, and its link on the platform.

The figures come from ``core.loop.dialog`` (cached until the data changes); what depends on the
moment (breached or not yet due, the watch window still open) is worked out as the panel draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from core.content_plan import posts
from core.content_plan.queries import PostView
from core.loop import dialog
from core.permissions import Action
from core.sla.figures import STATUS_LABELS, SlaStatus
from core.text import escape_markdown as md
from db.types import utcnow
from ui.actions import perform
from ui.frame import PageContext
from ui.reads import read


def _when(ctx: PageContext, value: dt.datetime | None) -> str:
    return value.astimezone(ctx.timezone).strftime("%a %d %b %H:%M") if value else "—"


def render(
    ctx: PageContext, view: PostView, *, loaded_version: int, on_saved: Callable[[PostView], None] | None = None
) -> None:
    """The panel; ``on_saved`` gets the post after its link is saved (the editor reloads it)."""
    st.markdown("#### Dialog")
    data = read(dialog.post_dialog, post_id=view.id)
    now = utcnow()
    counts = data.counts_at(now)
    needing = len(data.needing_reply)
    # Two a row: the editor's column is narrow, four side by side cut their labels.
    cells = [*st.columns(2), *st.columns(2)]
    cells[0].metric("Conversations", len(data.conversations))
    cells[1].metric("Answered", f"{data.answered} of {needing}", help="Questions and complaints with a reply")
    cells[2].metric(
        "Within SLA",
        f"{counts[SlaStatus.met]} of {counts[SlaStatus.met] + counts[SlaStatus.breached]}",
        help="Replied by the deadline, of those replied or past it",
    )
    cells[3].metric("Ideas", len(data.ideas), help="Ideas that came from this post or its conversations")
    facts = [md(data.goal)]
    if data.waiting:
        facts.append(f"{data.waiting} waiting for a reply")
    if data.ugc:
        facts.append(f"UGC: {data.ugc} ({data.useful_ugc} useful)")
    if data.watch_until is not None:
        owner = md(data.sla_owner) if data.sla_owner else "nobody: set the post's SLA owner"
        if data.watching(now):
            facts.append(f"watch window open until {_when(ctx, data.watch_until)}: new conversations go to {owner}")
        else:
            facts.append(f"watch window closed {_when(ctx, data.watch_until)}")
    st.caption(" · ".join(facts))
    if data.conversations:
        st.dataframe(
            [
                {
                    "#": c.id,
                    "From": c.author_handle,
                    "SLA": STATUS_LABELS[c.sla_at(now)],
                    "Message": " ".join(c.text.split())[:80],
                }
                for c in data.conversations
            ],
            hide_index=True,
            width="stretch",
            column_config={  # the editor's column is narrow: the rest is on the SLA screen
                "#": st.column_config.NumberColumn(width=40),
                "From": st.column_config.TextColumn(width=96),
                "SLA": st.column_config.TextColumn(width=80),
                "Message": st.column_config.TextColumn(width=110),
            },
        )
    else:
        st.caption("No conversation on this post yet. Set the post's link below so comments are matched to it.")
    if data.ideas:
        st.caption(
            "Ideas from it: " + "; ".join(f"#{i.id} {md(i.title)} ({i.status.replace('_', ' ')})" for i in data.ideas)
        )
    _link(ctx, view, loaded_version, on_saved)


def _link(ctx: PageContext, view: PostView, version: int, on_saved: Callable[[PostView], None] | None) -> None:
    if not ctx.can(Action.enter_post_metrics):
        if view.published_url:
            st.link_button("Open on the platform", view.published_url)
        return
    with st.form(f"calendar_published_url_{view.id}"):
        url = st.text_input(
            "The post's link on the platform",
            value=view.published_url,
            placeholder="https://www.instagram.com/p/…",
            help="Comments carry this link: conversations logged or imported with it are matched to the post.",
        )
        if st.form_submit_button("Save link"):
            perform(
                ctx,
                lambda s: posts.set_published_url(
                    session=s, actor=ctx.actor, post_id=view.id, expected_version=version, url=url
                ),
                success="Link saved.",
                then=on_saved,
            )
