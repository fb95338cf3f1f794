"""What the domains announce becomes notifications for the people concerned — never the person
who acted: an escalation tells the team (responsible, consulted, informed and its owner), a post
sent for review tells the leads, an approval, a block and a lifted block tell the post's owner,
a shipped idea tells whoever logged it, the weekly digest tells its editors on the chosen day;
and mentions in comments tell the mentioned only (any case, a trailing full stop is punctuation)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core.content_plan import posts
from core.ideas.triage import set_status
from core.live import comments, notify, worker
from core.live.kinds import Kind
from core.sla import conversations
from db.models import CommentCreate, Idea, Notification, NotificationDelivery, PostStatus, Role
from tests.factories import (
    make_channel,
    make_escalation_team,
    make_idea,
    make_ready_post,
    make_sla_conversation,
    make_sla_policy,
)


def told(session, kind: Kind) -> dict[str, set[int]]:
    rows = session.exec(
        select(Notification.title, NotificationDelivery.user_id)
        .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
        .where(Notification.kind == kind.value)
    ).all()
    found: dict[str, set[int]] = {}
    for title, user_id in rows:
        found.setdefault(title, set()).add(user_id)
    return found


def test_an_escalation_tells_the_whole_team_but_not_who_escalated(session, team):
    make_sla_policy(session, minutes=120)
    channel = make_channel(session, name="Instagram")
    legal = make_escalation_team(
        session,
        owner_id=team[Role.lead].id,
        name="Legal",
        responsible_ids=(team[Role.community].id,),
        consulted_ids=(team[Role.compliance].id,),
        informed_ids=(team[Role.analyst].id, team[Role.support].id),
    )
    item = make_sla_conversation(
        session,
        channel=channel,
        received_at=dt.datetime(2025, 11, 11, 9, 0, tzinfo=dt.UTC),
        author_handle="@Jonas.W",
        kind="complaint",
    )
    conversations.escalate(
        session=session,
        actor=team[Role.support],
        conversation_id=item.id,
        expected_version=item.version,
        team_id=legal.id,
        reason="Threatens to sue over the refund",
        now=dt.datetime(2025, 11, 11, 10, 0, tzinfo=dt.UTC),
    )
    assert told(session, Kind.escalated) == {
        "Escalated to Legal: @Jonas.W's conversation": {
            team[Role.lead].id,
            team[Role.community].id,
            team[Role.compliance].id,
            team[Role.analyst].id,
        }
    }


def test_the_post_flow_tells_the_leads_then_the_owner(session, team):
    post = make_ready_post(
        session,
        owner_id=team[Role.editor].id,
        created_by_id=team[Role.editor].id,
        sla_owner_id=team[Role.community].id,
        title="Sunday opening hours",
    )
    result = posts.submit_post(session=session, actor=team[Role.editor], post_id=post.id, expected_version=post.version)
    assert told(session, Kind.review_requested) == {"Review requested: Sunday opening hours": {team[Role.lead].id}}
    posts.change_status(
        session=session,
        actor=team[Role.lead],
        post_id=post.id,
        expected_version=result.post.version,
        target=PostStatus.approved,
    )
    assert told(session, Kind.approval_given) == {"Approved: Sunday opening hours": {team[Role.editor].id}}
    view = posts.block_post(
        session=session,
        actor=team[Role.compliance],
        post_id=post.id,
        expected_version=result.post.version + 1,
        reason="Claims need a source",
    )
    assert told(session, Kind.post_blocked) == {"Blocked: Sunday opening hours": {team[Role.editor].id}}
    posts.lift_block(session=session, actor=team[Role.compliance], post_id=post.id, expected_version=view.version)
    assert told(session, Kind.post_unblocked) == {"Block lifted: Sunday opening hours": {team[Role.editor].id}}


def test_a_shipped_idea_tells_whoever_logged_it_once(session, team):
    idea = make_idea(session, title="Dark mode", logged_by_id=team[Role.support].id)
    version = idea.version
    for status in ("valid", "planned", "in_progress", "shipped"):
        set_status(session=session, actor=team[Role.lead], idea_id=idea.id, status=status, expected_version=version)
        version = session.get(Idea, idea.id).version
    assert told(session, Kind.idea_shipped) == {"Shipped: Dark mode": {team[Role.support].id}}


@pytest.mark.parametrize(("weekday", "announced"), [(None, True), (0, True), (3, False)])
def test_the_digest_is_announced_once_on_the_chosen_day(session, team, weekday, announced):
    """Monday unless the digest's editors chose another day (a community manager may; a viewer not)."""
    monday = dt.datetime(2025, 11, 10, 8, 0, tzinfo=dt.UTC)
    if weekday is not None:
        assert worker.set_digest_day(session=session, actor=team[Role.community], weekday=weekday) == weekday
    assert worker.digest_day(session=session) == (weekday or 0)
    assert worker.announce_digest(session, now=monday) is announced
    assert worker.announce_digest(session, now=monday + dt.timedelta(hours=3)) is False
    people = set().union(*told(session, Kind.digest_ready).values()) if announced else set()
    assert people == ({team[Role.lead].id, team[Role.community].id} if announced else set())


def test_only_the_digest_editors_choose_its_day(session, team):
    from core.errors import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        worker.set_digest_day(session=session, actor=team[Role.viewer], weekday=4)
    with pytest.raises(ValidationError, match="Monday to Sunday"):
        worker.set_digest_day(session=session, actor=team[Role.lead], weekday=7)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@lea, can you check? cc @Sven.Support.", ["lea", "sven.support"]),
        ("mail me at ana@example.org", []),
        ("@@ed and @ed again", ["ed"]),
        ("Ask @olga-k- today", ["olga-k"]),
    ],
)
def test_mentions_are_read_from_the_text(text, names):
    assert comments.mentioned_usernames(text) == names


def test_a_comment_tells_the_mentioned_only_never_the_author_and_refuses_viewers(session, team):
    post = make_ready_post(session, title="Launch teaser")
    comments.add_comment(
        session=session,
        actor=team[Role.editor],
        comment_in=CommentCreate(entity="post", entity_id=post.id, text="@ANALYST numbers? @editor me too. @ghost"),
    )
    assert told(session, Kind.mention) == {
        "Ed Editor mentioned you on the post 'Launch teaser'": {team[Role.analyst].id}
    }
    assert notify.unread_count(session=session, user_id=team[Role.editor].id) == 0
    from core.errors import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        comments.add_comment(
            session=session,
            actor=team[Role.viewer],
            comment_in=CommentCreate(entity="post", entity_id=post.id, text="hi"),
        )
    with pytest.raises(ValidationError, match="post, an idea or a conversation"):
        comments.add_comment(
            session=session, actor=team[Role.editor], comment_in=CommentCreate(entity="user", entity_id=1, text="hi")
        )


def test_comments_stay_internal_never_in_an_export_or_the_public_board(session, team):
    from core.content_plan.files import export_posts_csv
    from core.ideas.files import export_csv
    from core.loop.public_board import export_html

    secret = "Internal: the supplier is late again"
    post = make_ready_post(session, title="Launch teaser", scheduled_at=dt.datetime(2025, 11, 12, 9, 0, tzinfo=dt.UTC))
    idea = make_idea(session, title="Dark mode", logged_by_id=team[Role.support].id)
    for entity, entity_id in (("post", post.id), ("idea", idea.id)):
        comments.add_comment(
            session=session,
            actor=team[Role.lead],
            comment_in=CommentCreate(entity=entity, entity_id=entity_id, text=secret),
        )
    assert comments.comments_on(session=session, entity="idea", entity_id=idea.id)[0].text == secret
    exported = [
        export_csv(session=session, actor=team[Role.lead]),
        export_posts_csv(
            session=session,
            actor=team[Role.lead],
            start=dt.datetime(2025, 11, 1, tzinfo=dt.UTC),
            end=dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
        ),
        export_html(session=session, actor=team[Role.lead]),
    ]
    assert "Dark mode" in exported[0] and "Launch teaser" in exported[1]
    assert all(secret not in text for text in exported)
