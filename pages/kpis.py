"""KPI overview: the dialog KPIs of a period against the period before, trends, and the weekly digest."""

import datetime as dt

import streamlit as st

from core.i18n import N_, _
from core.local_time import local_today
from core.permissions import Action
from db.types import utcnow
from ui import kpi_view
from ui.frame import PageContext, page_frame

ctx = page_frame("kpis")
kpi_view.keep_tab_state()

st.title(_("KPI overview"))
st.caption(
    _(
        "From display KPIs to dialog KPIs: how fast and how well we answer, how strong the community is, "
        "how useful the content is and what the product took from it. Hover a ⓘ for the exact definition."
    )
)

today = local_today(utcnow(), ctx.timezone)


def overview(ctx: PageContext, today: dt.date) -> None:
    period, channel_id = kpi_view.period_picker(today)
    if period is None:
        return
    st.caption(kpi_view.comparison_caption(period, channel_id))
    figures = kpi_view.load_overview(period, channel_id)
    kpi_view.render_cards(ctx, figures)
    kpi_view.posts_by_dialog_section(ctx, period, channel_id)
    kpi_view.render_trends(figures.trend)
    kpi_view.report_export(ctx, period, channel_id)
    if ctx.can(Action.manage_audience):
        st.divider()
        kpi_view.audience_section(ctx, period)


# Only the open tab's content runs: the weekly digest reads its week only when it is shown.
SECTIONS = {"overview": N_("Overview"), "digest": N_("Weekly digest")}
labels = {code: _(label) for code, label in SECTIONS.items()}
tabs = dict(zip(labels, st.tabs(list(labels.values()), key=kpi_view.TAB_KEY, on_change="rerun"), strict=True))
for code, draw in (("overview", overview), ("digest", kpi_view.digest_section)):
    with tabs[code]:
        if tabs[code].open:
            draw(ctx, today)
