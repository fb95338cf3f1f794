"""Drafting the loop's posts: the announcement and the monthly update, normal drafts in the calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.content_plan import posts
from core.content_plan.queries import get_post
from core.errors import ConflictError, ValidationError
from core.loop.announce import draft_announcement, draft_monthly_update
from core.loop.queries import (
    get_loop_item,
)
from core.loop.rules import NEXT_STEP_TEXT, RUBRIC
from db.models import LoopStatus, PostCreate, Role
from tests.core.loop.arrange import idea_with_givers, open_loop, publish
from tests.factories import make_channel

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
S, A, T, M = LoopStatus.shipped, LoopStatus.announced, LoopStatus.thanked, LoopStatus.measured


def test_the_announcement_is_a_normal_draft_in_the_calendar_crediting_the_givers(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel = make_channel(s)
        idea_id = idea_with_givers(s, "@ann", "@bo", channel=channel, title="Dark mode").id
        channel_id = channel.id
    item = open_loop(write, lead, idea_id)
    with write() as s:
        post = draft_announcement(
            session=s,
            actor=lead,
            loop_item_id=item.id,
            channel_id=channel_id,
            expected_version=item.version,
            idea_form_url="https://example.com/ideas",
        )
    with read() as s:
        stored = get_post(s, post.id)
        view = get_loop_item(s, item.id)
    assert stored.status == "draft" and stored.rubric_name == RUBRIC and stored.channel_id == channel_id
    assert "@ann and @bo" in stored.body and "Dark mode is live" in stored.body
    assert stored.next_step_type == "form" and stored.next_step_text == NEXT_STEP_TEXT
    assert "utm_campaign=you_asked_we_did" in stored.link_url
    assert view.announcement_post_id == post.id and view.status == S


def test_a_second_announcement_is_refused_and_a_stale_version_conflicts(write, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = idea_with_givers(s, "@a").id
    item = open_loop(write, lead, idea_id)
    with write() as s:
        draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
    with pytest.raises(ConflictError), write() as s:
        draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
    with write() as s:
        current = get_loop_item(s, item.id)
    with pytest.raises(ValidationError, match="already has its announcement"), write() as s:
        draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=current.version
        )


def test_publishing_another_post_does_not_announce_the_loop(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = idea_with_givers(s, "@ann").id
        other = posts.create_post(
            session=s,
            actor=lead,
            post_in=PostCreate(
                title="Other",
                channel_id=channel_id,
                next_step_type="thread",
                next_step_text="Tell us",
                micro_goal="10 comments",
            ),
        )
    item = open_loop(write, lead, idea_id)
    publish(write, lead, other.id)
    with read() as s:
        assert get_loop_item(s, item.id).status == S


def test_a_cancelled_announcement_can_be_drafted_again_and_the_new_post_announces(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = idea_with_givers(s, "@ann").id
    item = open_loop(write, lead, idea_id)
    with write() as s:
        first = draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=item.version
        )
        posts.cancel_post(session=s, actor=lead, post_id=first.id, expected_version=first.version)
    with read() as s:
        view = get_loop_item(s, item.id)
    assert view.announcement_status == "cancelled" and view.can_draft_announcement and view.status == S
    with write() as s:
        second = draft_announcement(
            session=s, actor=lead, loop_item_id=item.id, channel_id=channel_id, expected_version=view.version
        )
    assert second.id != first.id
    publish(write, lead, second.id)
    with read() as s:
        view = get_loop_item(s, item.id)
    assert view.announcement_post_id == second.id and view.status == A and not view.can_draft_announcement


def test_the_monthly_update_can_be_drafted_as_a_post(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        channel_id = make_channel(s).id
        idea_id = idea_with_givers(s, "@a", title="Fast *export*").id
    open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 3, 5))
    with write() as s:
        post = draft_monthly_update(session=s, actor=lead, month=dt.date(2026, 3, 1), channel_id=channel_id)
    assert post.title == "What we implemented in March 2026" and post.status == "draft"
    assert "“Fast *export*”" in post.body  # the post body is plain text, not escaped Markdown
    with pytest.raises(ValidationError, match="Nothing shipped in January 2026"), write() as s:
        draft_monthly_update(session=s, actor=lead, month=dt.date(2026, 1, 1), channel_id=channel_id)
