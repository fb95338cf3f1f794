"""The chain view, shown from an idea and from a loop item: one timeline from the post or
conversation it came from, through votes, triage and shipping, to the announcement and the givers
thanked, with the time each step took (``core.loop.chain``)."""

from __future__ import annotations

import streamlit as st

from core.loop.chain import Chain, describe_duration
from ui.frame import PageContext


def render(ctx: PageContext, chain: Chain) -> None:
    done = sum(1 for step in chain.steps if step.done)
    total = describe_duration(chain.total)
    st.caption(f"{done} of {len(chain.steps)} steps done" + (f" · {total} from the first to the last" if total else ""))
    st.dataframe(
        [
            {
                "Step": step.label,
                "When": step.at.astimezone(ctx.timezone).strftime("%d %b %Y %H:%M") if step.at else "not yet",
                "Took": describe_duration(step.took),
                "What": step.detail,
            }
            for step in chain.steps
        ],
        hide_index=True,
        width="stretch",
        column_config={"Took": "Took (since the step before)"},
    )
