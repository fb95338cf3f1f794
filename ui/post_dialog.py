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

from core import formats
from core.content_plan import posts
from core.content_plan.queries import PostView
from core.i18n import N_, _, ngettext
from core.loop import dialog
from core.permissions import Action
from core.sla.figures import STATUS_LABELS, SlaStatus
from core.text import escape_markdown as md
from db.types import utcnow
from ui.actions import perform
from ui.frame import PageContext
from ui.reads import read

# An idea's status as this panel names it (the idea board's codes).
IDEA_STATUS_LABELS = {
    "new": N_("new"),
    "valid": N_("valid"),
    "invalid": N_("invalid"),
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "shipped": N_("shipped"),
    "declined": N_("declined"),
}


def _when(ctx: PageContext, value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    local = value.astimezone(ctx.timezone)
    return f"{formats.weekday_name(local, 'abbreviated')} {formats.short_date(local)} {formats.time(local)}"


def _idea_status(code: str) -> str:
    label = IDEA_STATUS_LABELS.get(code)
    return _(label) if label else code.replace("_", " ")


def render(
    ctx: PageContext, view: PostView, *, loaded_version: int, on_saved: Callable[[PostView], None] | None = None
) -> None:
    """The panel; ``on_saved`` gets the post after its link is saved (the editor reloads it)."""
    st.markdown(_("#### Dialog"))
    data = read(dialog.post_dialog, post_id=view.id)
    now = utcnow()
    counts = data.counts_at(now)
    needing = len(data.needing_reply)
    # Two a row: the editor's column is narrow, four side by side cut their labels.
    cells = [*st.columns(2), *st.columns(2)]
    cells[0].metric(_("Conversations"), formats.number(len(data.conversations)))
    cells[1].metric(
        _("Answered"),
        _("{part} of {whole}", part=formats.number(data.answered), whole=formats.number(needing)),
        help=_("Questions and complaints with a reply"),
    )
    met, due = counts[SlaStatus.met], counts[SlaStatus.met] + counts[SlaStatus.breached]
    cells[2].metric(
        _("Within SLA"),
        _("{part} of {whole}", part=formats.number(met), whole=formats.number(due)),
        help=_("Replied by the deadline, of those replied or past it"),
    )
    cells[3].metric(
        _("Ideas"), formats.number(len(data.ideas)), help=_("Ideas that came from this post or its conversations")
    )
    facts = [md(data.goal)]
    if data.waiting:
        facts.append(ngettext("{count} waiting for a reply", "{count} waiting for a reply", data.waiting))
    if data.ugc:
        facts.append(_("UGC: {count} ({useful} useful)", count=data.ugc, useful=data.useful_ugc))
    if data.watch_until is not None:
        owner = md(data.sla_owner) if data.sla_owner else _("nobody: set the post's SLA owner")
        until = _when(ctx, data.watch_until)
        if data.watching(now):
            facts.append(
                _("watch window open until {until}: new conversations go to {owner}", until=until, owner=owner)
            )
        else:
            facts.append(_("watch window closed {until}", until=until))
    st.caption(" · ".join(facts))
    if data.conversations:
        st.dataframe(
            [
                {
                    "#": c.id,
                    _("From"): c.author_handle,
                    "SLA": _(STATUS_LABELS[c.sla_at(now)]),
                    _("Message"): " ".join(c.text.split())[:80],
                }
                for c in data.conversations
            ],
            hide_index=True,
            width="stretch",
            column_config={  # the editor's column is narrow: the rest is on the SLA screen
                "#": st.column_config.NumberColumn(width=40),
                _("From"): st.column_config.TextColumn(width=96),
                "SLA": st.column_config.TextColumn(width=80),
                _("Message"): st.column_config.TextColumn(width=110),
            },
        )
    else:
        st.caption(_("No conversation on this post yet. Set the post's link below so comments are matched to it."))
    if data.ideas:
        ideas = "; ".join(f"#{i.id} {md(i.title)} ({_idea_status(i.status)})" for i in data.ideas)
        st.caption(_("Ideas from it: {ideas}", ideas=ideas))
    _link(ctx, view, loaded_version, on_saved)


def _link(ctx: PageContext, view: PostView, version: int, on_saved: Callable[[PostView], None] | None) -> None:
    if not ctx.can(Action.enter_post_metrics):
        if view.published_url:
            st.link_button(_("Open on the platform"), view.published_url)
        return
    with st.form(f"calendar_published_url_{view.id}"):
        url = st.text_input(
            _("The post's link on the platform"),
            value=view.published_url,
            placeholder="https://www.instagram.com/p/…",
            help=_("Comments carry this link: conversations logged or imported with it are matched to the post."),
        )
        if st.form_submit_button(_("Save link")):
            perform(
                ctx,
                lambda s: posts.set_published_url(
                    session=s, actor=ctx.actor, post_id=view.id, expected_version=version, url=url
                ),
                success=_("Link saved."),
                then=on_saved,
            )
