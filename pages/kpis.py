"""KPI overview: the dialog KPIs of a period against the period before, trends, and the weekly digest."""

import streamlit as st

from core.i18n import _
from core.local_time import local_today
from core.permissions import Action
from db.types import utcnow
from ui import kpi_view
from ui.frame import page_frame

ctx = page_frame("kpis")

st.title(_("KPI overview"))
st.caption(
    _(
        "From display KPIs to dialog KPIs: how fast and how well we answer, how strong the community is, "
        "how useful the content is and what the product took from it. Hover a ⓘ for the exact definition."
    )
)

today = local_today(utcnow(), ctx.timezone)
period, channel_id = kpi_view.period_picker(today)
if period is None:
    st.stop()
st.caption(kpi_view.comparison_caption(period, channel_id))

overview = kpi_view.load_overview(period, channel_id)
kpi_view.render_cards(ctx, overview)
kpi_view.posts_by_dialog_section(ctx, period, channel_id)
kpi_view.render_trends(overview.trend)
kpi_view.report_export(ctx, period, channel_id)

st.divider()
kpi_view.digest_section(ctx, today)

if ctx.can(Action.manage_audience):
    st.divider()
    kpi_view.audience_section(ctx, period)
