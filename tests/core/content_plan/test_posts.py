"""Writing posts: create and edit per role, versions, the status flow per role, publishing, the
compliance block and metrics."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core import audit
from core.content_plan import posts, queries, status, validation
from core.errors import ConflictError, PermissionDenied, ValidationError
from db.models import LoopItem, Post, PostCreate, PostMetrics, PostUpdate
from tests.core.content_plan.times import FUTURE, UTC, berlin
from tests.factories import make_channel, make_ready_post, ready_post_fields

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here


# --- create and edit -----------------------------------------------------------------------------


def test_create_post_makes_an_audited_draft_owned_by_the_author(write, read, team, channel):
    with write() as s:
        view = posts.create_post(
            session=s,
            actor=team["editor"],
            post_in=PostCreate(title="  Hello  ", channel_id=channel.id, scheduled_at=FUTURE),
        )
    assert (view.title, view.status, view.owner_id, view.channel_name, view.version) == (
        "Hello",
        "draft",
        team["editor"].id,
        "Instagram",
        1,
    )
    assert view.scheduled_at == FUTURE.astimezone(UTC)
    with read() as s:
        assert [r.action for r in audit.history(s, entity="post", entity_id=view.id)] == ["post.create"]
        assert queries.get_post(s, view.id) == view


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "needs a title"),
        ({"format": "hologram"}, "Unknown format"),
        ({"cognitive_load": "medium"}, "'low' or 'high'"),
        ({"next_step_type": "dance"}, "Unknown next step"),
        ({"link_url": "example.com"}, "not a web address"),
        ({"scheduled_at": dt.datetime(2031, 3, 11, 10, 0)}, "no time zone"),
        ({"channel_id": 99999}, "channel does not exist"),
        ({"status": "published"}, "can't be set"),
    ],
)
def test_create_post_refuses_bad_fields_with_a_message_and_saves_nothing(write, read, team, channel, fields, message):
    with pytest.raises(ValidationError, match=message), write() as s:
        posts.create_post(
            session=s,
            actor=team["lead"],
            post_in=validation.post_create({"title": "T", "channel_id": channel.id, **fields}),
        )
    with read() as s:
        assert s.exec(select(Post)).all() == []


def test_create_post_lists_every_bad_field_at_once(write, team, channel):
    with pytest.raises(validation.FieldProblems) as caught, write() as s:
        posts.create_post(
            session=s,
            actor=team["lead"],
            post_in=PostCreate(title="", channel_id=channel.id, format="x", link_url="nope"),
        )
    assert set(caught.value.problems) == {"title", "format", "link_url"}


@pytest.mark.parametrize("role", ["analyst", "compliance", "viewer", "community", "support"])
def test_roles_without_draft_rights_cannot_create_posts(write, team, channel, role):
    with pytest.raises(PermissionDenied), write() as s:
        posts.create_post(session=s, actor=team[role], post_in=PostCreate(title="T", channel_id=channel.id))


def test_an_editor_cannot_hand_a_new_post_to_someone_else_but_a_lead_can(write, team, channel):
    with pytest.raises(PermissionDenied, match="own your own posts"), write() as s:
        posts.create_post(
            session=s,
            actor=team["editor"],
            post_in=PostCreate(title="T", channel_id=channel.id, owner_id=team["owner"].id),
        )
    with write() as s:
        view = posts.create_post(
            session=s,
            actor=team["lead"],
            post_in=PostCreate(title="T", channel_id=channel.id, owner_id=team["owner"].id),
        )
    assert view.owner_id == team["owner"].id


def test_editors_edit_only_their_own_posts(write, team, channel):
    with write() as s:
        mine = posts.create_post(
            session=s, actor=team["owner"], post_in=PostCreate(title="Mine", channel_id=channel.id)
        )
    with pytest.raises(PermissionDenied, match="only your own posts"), write() as s:
        posts.update_post(
            session=s,
            actor=team["editor"],
            post_id=mine.id,
            expected_version=mine.version,
            post_in=PostUpdate(title="Theirs now"),
        )
    with write() as s:
        edited = posts.update_post(
            session=s,
            actor=team["owner"],
            post_id=mine.id,
            expected_version=mine.version,
            post_in=PostUpdate(title="Still mine"),
        )
    with write() as s:
        by_lead = posts.update_post(
            session=s,
            actor=team["lead"],
            post_id=mine.id,
            expected_version=edited.version,
            post_in=PostUpdate(body="Lead polish"),
        )
    assert (by_lead.title, by_lead.body, by_lead.version) == ("Still mine", "Lead polish", 3)


def test_saving_over_a_newer_version_is_refused(write, read, team, channel):
    with write() as s:
        view = posts.create_post(session=s, actor=team["lead"], post_in=PostCreate(title="v1", channel_id=channel.id))
    with write() as s:
        posts.update_post(
            session=s,
            actor=team["lead"],
            post_id=view.id,
            expected_version=view.version,
            post_in=PostUpdate(title="v2"),
        )
    with pytest.raises(ConflictError, match="changed"), write() as s:
        posts.update_post(
            session=s,
            actor=team["admin"],
            post_id=view.id,
            expected_version=view.version,
            post_in=PostUpdate(title="v2 by admin"),
        )
    with read() as s:
        assert queries.get_post(s, view.id).title == "v2"


def test_a_status_change_over_a_newer_version_is_refused(write, read, session, team, channel):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="in_review")
    session.commit()
    with write() as s:
        posts.update_post(
            session=s,
            actor=team["admin"],
            post_id=post.id,
            expected_version=1,
            post_in=PostUpdate(title="Changed meanwhile"),
        )
    with pytest.raises(ConflictError), write() as s:
        posts.change_status(session=s, actor=team["lead"], post_id=post.id, expected_version=1, target="approved")
    with read() as s:
        assert queries.get_post(s, post.id).status == "in_review"


def test_an_approved_post_cannot_be_edited_past_its_checklist(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="approved", owner_id=team["owner"].id
    )
    session.commit()
    with pytest.raises(PermissionDenied, match="send it back"), write() as s:
        posts.update_post(
            session=s, actor=team["owner"], post_id=post.id, expected_version=1, post_in=PostUpdate(title="Sneaky")
        )
    with pytest.raises(ValidationError, match="A next step with its text"), write() as s:
        posts.update_post(
            session=s, actor=team["lead"], post_id=post.id, expected_version=1, post_in=PostUpdate(next_step_type="")
        )


def test_published_posts_are_not_editable(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="published", published_at=FUTURE
    )
    session.commit()
    with pytest.raises(ValidationError, match="can't be changed"), write() as s:
        posts.update_post(
            session=s,
            actor=team["admin"],
            post_id=post.id,
            expected_version=1,
            post_in=PostUpdate(title="Rewrite history"),
        )


# --- the status flow per role --------------------------------------------------------------------

STEPS = [
    ("draft", "in_review"),
    ("draft", "cancelled"),
    ("in_review", "approved"),
    ("in_review", "draft"),
    ("in_review", "cancelled"),
    ("approved", "scheduled"),
    ("approved", "draft"),
    ("approved", "cancelled"),
    ("scheduled", "published"),
    ("scheduled", "approved"),
    ("scheduled", "cancelled"),
]
EVERY_STEP = set(STEPS)
OWNER_STEPS = {("draft", "in_review"), ("draft", "cancelled"), ("in_review", "draft")}
EXPECTED_BY_ROLE = {
    "admin": EVERY_STEP,
    "lead": EVERY_STEP,
    "owner": OWNER_STEPS,  # an editor acting on their own post
    "editor": set(),  # an editor acting on someone else's post
    "community": set(),
    "support": set(),
    "analyst": set(),
    "compliance": set(),
    "viewer": set(),
}


@pytest.mark.parametrize("who", list(EXPECTED_BY_ROLE))
def test_every_status_step_is_allowed_or_refused_per_role(write, session, team, who):
    actor = team[who]
    allowed_steps = set()
    for n, (current, target) in enumerate(STEPS):
        channel = make_channel(session, daily_post_limit=5)
        post = make_ready_post(
            session,
            channel=channel,
            sla_owner_id=team["support"].id,
            owner_id=team["owner"].id,
            status=current,
            scheduled_at=FUTURE + dt.timedelta(hours=n),
        )
        session.commit()
        try:
            with write() as s:
                result = posts.change_status(session=s, actor=actor, post_id=post.id, expected_version=1, target=target)
        except PermissionDenied:
            continue
        assert result.post.status == target
        allowed_steps.add((current, target))
    assert allowed_steps == EXPECTED_BY_ROLE[who]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "approved"),
        ("draft", "published"),
        ("in_review", "scheduled"),
        ("approved", "published"),
        ("published", "draft"),
        ("published", "cancelled"),
        ("cancelled", "draft"),
        ("scheduled", "draft"),
    ],
)
def test_steps_outside_the_flow_are_refused_even_for_an_admin(write, session, team, channel, current, target):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status=current, scheduled_at=FUTURE
    )
    session.commit()
    with pytest.raises(ValidationError, match="can't become"), write() as s:
        posts.change_status(session=s, actor=team["admin"], post_id=post.id, expected_version=1, target=target)


def test_allowed_transitions_offers_what_the_core_accepts(read, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="in_review", owner_id=team["owner"].id
    )
    session.commit()
    with read() as s:
        view = queries.get_post(s, post.id)
    assert status.allowed_transitions(team["lead"], view) == ["approved", "draft", "cancelled"]
    assert status.allowed_transitions(team["owner"], view) == ["draft"]
    assert status.allowed_transitions(team["editor"], view) == []


def test_every_transition_is_audited_with_its_action(write, read, team, channel):
    with write() as s:
        view = posts.create_post(
            session=s,
            actor=team["lead"],
            post_in=PostCreate(**ready_post_fields(channel, sla_owner_id=team["support"].id, scheduled_at=FUTURE)),
        )
        result = posts.advance_post(
            session=s, actor=team["lead"], post_id=view.id, expected_version=view.version, target="published"
        )
    assert result.post.status == "published"
    with read() as s:
        actions = [r.action for r in audit.history(s, entity="post", entity_id=view.id)]
    assert actions == ["post.create", "post.submit", "post.approve", "post.schedule", "post.publish"]


# --- publishing ------------------------------------------------------------------------------------


def test_publishing_records_when_the_post_went_out_and_tells_the_loop(write, read, session, team, channel):
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="scheduled",
        scheduled_at=berlin(2024, 5, 6, 9),
    )
    item = LoopItem(what_changed="Dark mode", shipped_on=dt.date(2024, 5, 1), announcement_post_id=post.id)
    session.add(item)
    session.commit()
    with write() as s:
        result = posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=post.id,
            expected_version=1,
            target="published",
            published_at=berlin(2024, 5, 6, 9, 4),
        )
    # The plan stays; when it went out is kept beside it.
    assert result.post.scheduled_at == berlin(2024, 5, 6, 9).astimezone(UTC)
    assert result.post.published_at == berlin(2024, 5, 6, 9, 4).astimezone(UTC)
    with read() as s:
        assert s.get(LoopItem, item.id).announced_at == result.post.published_at


def test_publishing_early_keeps_the_planned_time_and_records_now(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=FUTURE
    )
    session.commit()
    before = dt.datetime.now(UTC)
    with write() as s:
        result = posts.change_status(
            session=s, actor=team["lead"], post_id=post.id, expected_version=1, target="published"
        )
    assert before <= result.post.published_at <= dt.datetime.now(UTC)
    assert result.post.scheduled_at == FUTURE.astimezone(UTC)


@pytest.mark.parametrize(
    ("went_out", "message"),
    [
        (FUTURE, "The publication time is still ahead"),
        (dt.datetime(2024, 5, 6, 9, 4), "The publication time has no time zone"),
    ],
)
def test_a_publication_time_ahead_or_without_a_zone_is_refused(write, read, session, team, channel, went_out, message):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=FUTURE
    )
    session.commit()
    with pytest.raises(ValidationError, match=message), write() as s:
        posts.change_status(
            session=s,
            actor=team["lead"],
            post_id=post.id,
            expected_version=1,
            target="published",
            published_at=went_out,
        )
    with read() as s:
        saved = s.get(Post, post.id)
        assert (saved.status, saved.published_at) == ("scheduled", None)


# --- compliance block ------------------------------------------------------------------------------


def test_compliance_blocks_with_a_reason_and_the_post_cannot_go_forward_until_lifted(
    write, read, session, team, channel
):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="in_review")
    session.commit()
    with pytest.raises(ValidationError, match="Say why"), write() as s:
        posts.block_post(session=s, actor=team["compliance"], post_id=post.id, expected_version=1, reason="  ")
    with write() as s:
        blocked = posts.block_post(
            session=s,
            actor=team["compliance"],
            post_id=post.id,
            expected_version=1,
            reason="Needs the ad label for the bank partnership.",
        )
    assert (
        blocked.blocked
        and blocked.blocked_by_id == team["compliance"].id
        and blocked.blocked_by_name == team["compliance"].label
    )
    with pytest.raises(ValidationError, match="Blocked by compliance: Needs the ad label"), write() as s:
        posts.change_status(
            session=s, actor=team["lead"], post_id=post.id, expected_version=blocked.version, target="approved"
        )
    assert "approved" not in status.allowed_transitions(team["lead"], blocked)
    with pytest.raises(PermissionDenied), write() as s:
        posts.lift_block(session=s, actor=team["lead"], post_id=post.id, expected_version=blocked.version)
    with write() as s:
        lifted = posts.lift_block(
            session=s, actor=team["compliance"], post_id=post.id, expected_version=blocked.version
        )
        approved = posts.change_status(
            session=s, actor=team["lead"], post_id=post.id, expected_version=lifted.version, target="approved"
        )
    assert approved.post.status == "approved" and not approved.post.blocked
    with read() as s:
        actions = [r.action for r in audit.history(s, entity="post", entity_id=post.id)]
    assert actions == ["post.block", "post.unblock", "post.approve"]


def test_blocking_a_scheduled_post_takes_it_off_the_schedule(write, session, team, channel):
    post = make_ready_post(
        session, channel=channel, sla_owner_id=team["support"].id, status="scheduled", scheduled_at=FUTURE
    )
    session.commit()
    with write() as s:
        blocked = posts.block_post(
            session=s, actor=team["compliance"], post_id=post.id, expected_version=1, reason="Disclaimer missing."
        )
    assert blocked.status == "approved" and blocked.scheduled_at == FUTURE
    with pytest.raises(ValidationError, match="Blocked by compliance"), write() as s:
        posts.change_status(
            session=s, actor=team["lead"], post_id=post.id, expected_version=blocked.version, target="scheduled"
        )


@pytest.mark.parametrize("role", ["lead", "editor", "analyst"])
def test_only_compliance_and_admin_block(write, session, team, channel, role):
    post = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id, status="draft")
    session.commit()
    with pytest.raises(PermissionDenied), write() as s:
        posts.block_post(session=s, actor=team[role], post_id=post.id, expected_version=1, reason="No")


# --- metrics ----------------------------------------------------------------------------------------


def test_metrics_are_entered_after_publishing(write, read, session, team, channel):
    draft = make_ready_post(session, channel=channel, sla_owner_id=team["support"].id)
    out = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    session.commit()
    with pytest.raises(ValidationError, match="after publishing"), write() as s:
        posts.record_metrics(
            session=s,
            actor=team["analyst"],
            post_id=draft.id,
            expected_version=1,
            metrics_in=PostMetrics(impressions=5),
        )
    with write() as s:
        view = posts.record_metrics(
            session=s,
            actor=team["analyst"],
            post_id=out.id,
            expected_version=1,
            metrics_in=validation.post_metrics({"impressions": "2000", "next_step_conversions": 50, "saves": 12}),
        )
    assert (view.impressions, view.next_step_conversions, view.saves, view.conversion_rate) == (2000, 50, 12, 0.025)


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ({"impressions": -1}, "can't be negative"),
        ({"comments": "lots"}, "whole number"),
        ({"impressions": 10, "next_step_conversions": 11}, "can't exceed"),
        ({"likes": 3}, "Unknown metrics"),
    ],
)
def test_bad_metrics_are_refused(write, session, team, channel, metrics, message):
    out = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    session.commit()
    with pytest.raises(ValidationError, match=message), write() as s:
        posts.record_metrics(
            session=s,
            actor=team["lead"],
            post_id=out.id,
            expected_version=1,
            metrics_in=validation.post_metrics(metrics),
        )


def test_editors_cannot_enter_metrics(write, session, team, channel):
    out = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["support"].id,
        status="published",
        scheduled_at=FUTURE,
        published_at=FUTURE,
    )
    session.commit()
    with pytest.raises(PermissionDenied), write() as s:
        posts.record_metrics(
            session=s, actor=team["editor"], post_id=out.id, expected_version=1, metrics_in=PostMetrics(impressions=1)
        )
