"""The chain view, shown from an idea and from a loop item: one timeline from the post or
conversation it came from, through votes, triage and shipping, to the announcement and the givers
thanked, with the time each step took (``core.loop.chain``)."""

from __future__ import annotations

import streamlit as st

from core import formats
from core.i18n import _
from core.loop.chain import Chain, describe_duration
from ui.frame import PageContext


def render(ctx: PageContext, chain: Chain) -> None:
    done = sum(1 for step in chain.steps if step.done)
    total = describe_duration(chain.total)
    caption = _("{done} of {total} steps done", done=done, total=len(chain.steps))
    if total:
        caption += " · " + _("{duration} from the first to the last", duration=total)
    st.caption(caption)
    step_, when_, took_, what_ = _("Step"), _("When"), _("Took"), _("What")
    st.dataframe(
        [
            {
                step_: step.label,
                when_: formats.date_time(step.at.astimezone(ctx.timezone)) if step.at else _("not yet"),
                took_: describe_duration(step.took),
                what_: step.detail,
            }
            for step in chain.steps
        ],
        hide_index=True,
        width="stretch",
        column_config={took_: _("Took (since the step before)")},
    )
