"""Drafting the loop's posts in the content plan: a loop item's 'You asked, we did' announcement
and the monthly "What we implemented" update (normal drafts: checklist and approval apply)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from core import formats, records, text_templates
from core.content_plan import posts
from core.content_plan.queries import PostView, rubric_id
from core.content_plan.rules import build_utm_url
from core.errors import ConflictError, ValidationError
from core.i18n import _
from core.loop.monthly import monthly_update
from core.loop.queries import calls_answered, get_loop_item, givers
from core.loop.rules import MICRO_GOAL, NEXT_STEP_TEXT, RUBRIC, announcement_text
from core.permissions import Action, Actor, require
from core.text import check_plain_text
from db.models import Channel, LoopItem, Post, PostCreate, PostStatus


def _active_channel(session: Session, channel_id: int, *, what: str) -> Channel:
    """``what``: a translated message naming the post (\"the announcement\")."""
    channel = session.get(Channel, channel_id)
    if channel is None or not channel.active:
        raise ValidationError(_("Choose an active channel for {what}.", what=what))
    return channel


def _draft(session: Session, *, actor: Actor, channel: Channel, title: str, body: str, link_url: str = "") -> PostView:
    """A draft whose generated fields (next step, micro goal) are in the workspace's language."""
    with text_templates.in_workspace_language(session):
        next_step, micro_goal = _(NEXT_STEP_TEXT), _(MICRO_GOAL)
    post_in = PostCreate(
        title=title,
        body=body,
        channel_id=records.stored_id(channel.id),
        rubric_id=rubric_id(session, RUBRIC),
        next_step_type="form",
        next_step_text=next_step,
        micro_goal=micro_goal,
        link_url=link_url,
    )
    return posts.create_post(session=session, actor=actor, post_in=post_in)


def draft_announcement(
    *,
    session: Session,
    actor: Actor,
    loop_item_id: int,
    channel_id: int,
    expected_version: int,
    idea_form_url: str = "",
) -> PostView:
    """Draft the 'You asked, we did' post in the calendar for this loop item (a normal draft:
    checklist and approval apply). Returns the calendar's PostView."""
    require(actor, Action.manage_loop)
    check_plain_text(idea_form_url or "", field=_("link to the idea form"))
    item = records.get_or_404(session, LoopItem, loop_item_id, what=_("Loop item"))
    if item.version != expected_version:
        raise ConflictError(
            _("This loop item was changed after you opened it. Nothing was drafted; reload and try again.")
        )
    if item.announcement_post_id is not None:
        existing = session.get(Post, item.announcement_post_id)
        if existing is not None and existing.status != PostStatus.cancelled:
            raise ValidationError(
                _(
                    "This loop item already has its announcement: post #{id} “{title}” ({status}). "
                    "Edit it in the content calendar, or cancel it there to draft a new one.",
                    id=existing.id,
                    title=existing.title,
                    status=existing.status,
                )
            )
    channel = _active_channel(session, channel_id, what=_("the announcement"))
    idea_form_url = idea_form_url.strip()
    if idea_form_url:
        # Tagged here so the draft passes the checklist's UTM item without a detour.
        idea_form_url = build_utm_url(
            idea_form_url,
            source=channel.platform or channel.name,
            medium="social",
            campaign="you_asked_we_did",
            content=f"loop{loop_item_id}",
        )
    view = get_loop_item(session, loop_item_id)
    calls = calls_answered(session, loop_item_id=loop_item_id)
    # Written in the workspace's language, in the lead's wording (whoever drafts it).
    with text_templates.in_workspace_language(session) as language:
        title, body = announcement_text(
            what_changed=view.what_changed,
            details=view.details,
            idea_titles=[i.title for i in view.ideas],
            handles=[g.handle for g in givers(session, loop_item_id=loop_item_id)],
            idea_form_url=idea_form_url,
            calls=[c.title for c in calls if c.respondents],
            respondents=len({handle.lower() for c in calls for handle, __ in c.respondents}),
            templates=text_templates.wordings(session, language=language),
        )
    post = _draft(session, actor=actor, channel=channel, title=title, body=body, link_url=idea_form_url)
    records.update_versioned(
        session,
        LoopItem,
        loop_item_id,
        expected_version=expected_version,
        changes={"announcement_post_id": post.id},
        actor=actor,
        action="loop_item.announcement_drafted",
    )
    return post


def draft_monthly_update(*, session: Session, actor: Actor, month: dt.date, channel_id: int) -> PostView:
    """Draft the month's update as a post in the calendar (rubric 'You asked, we did')."""
    require(actor, Action.manage_loop)
    channel = _active_channel(session, channel_id, what=_("the monthly update"))
    update = monthly_update(session, month=month)
    if not update.items:
        raise ValidationError(
            _("Nothing shipped in {month}; there is no update to draft.", month=formats.month_year(update.month))
        )
    return _draft(session, actor=actor, channel=channel, title=update.title, body=update.text)
