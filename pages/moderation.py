"""Moderation: flags and the actions on them (with the rule they enforce), the word lists'
suggestions, the community rules, the flag words, the on-call rota and the moderation KPIs."""

import streamlit as st

from core.i18n import _
from core.local_time import local_today
from db.types import utcnow
from ui import moderation_view as view
from ui import sensitive_view
from ui.frame import page_frame

ctx = page_frame("moderation")
now = utcnow()
today = local_today(now, ctx.timezone)

st.title(_("Moderation"))
st.caption(_("Strong moderation is the foundation of trust: clear rules, quick action, someone on call."))
view.overview(ctx, today, now)

tabs = st.tabs(
    [
        _("Flags"),
        _("Suggested by the word lists"),
        _("Actions"),
        _("Community rules"),
        _("Word lists"),
        _("On-call rota"),
        _("KPIs"),
        _("Help paths"),
    ]
)
with tabs[0]:
    view.flags_tab(ctx, today, now)
with tabs[1]:
    view.suggestions_tab(ctx, today)
with tabs[2]:
    view.log_tab(ctx, now)
with tabs[3]:
    view.rules_tab(ctx)
with tabs[4]:
    view.words_tab(ctx)
with tabs[5]:
    view.rota_tab(ctx, today, now)
with tabs[6]:
    view.kpis_tab(ctx, today)
with tabs[7]:
    sensitive_view.library_tab(ctx)
