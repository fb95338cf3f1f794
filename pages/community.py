"""Community: members across channels and their roles, a member's page, the role rules, and the
60-day rollout."""

import streamlit as st

from core.i18n import _
from core.local_time import local_today
from db.types import utcnow
from ui import community_rituals as rituals_view
from ui import community_view as view
from ui.frame import page_frame

ctx = page_frame("community")
today = local_today(utcnow(), ctx.timezone)

st.title(_("Community"))
st.caption(
    _("A community is space, not subscribers: the people behind the handles, what they bring, and how we thank them.")
)

tabs = st.tabs([_("Members"), _("Member page"), _("Roles"), _("Rituals"), _("Showcase"), _("60-day rollout")])
with tabs[0]:
    view.members_tab(ctx)
with tabs[1]:
    view.member_tab(ctx)
with tabs[2]:
    view.roles_tab(ctx)
with tabs[3]:
    rituals_view.onboarding(ctx)
    rituals_view.hero(ctx, today)
    rituals_view.formats(ctx, today)
with tabs[4]:
    rituals_view.showcase(ctx, today)
with tabs[5]:
    view.rollout_tab(ctx, today)
