"""A post's watch window: conversations on a published post received within the channel's watch
hours go to the post's SLA owner, on every path that stores one (typed in, set later, many at
once); a conversation's link finds its post; a post reference is never guessed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import audit
from core.errors import PermissionDenied, ValidationError
from core.sla import conversations, watch
from db.models import Channel, Conversation, ConversationCreate, PostStatus
from tests.factories import make_channel, make_ready_post, make_sla_conversation, make_sla_policy

BERLIN = ZoneInfo("Europe/Berlin")
PUBLISHED = dt.datetime(2025, 11, 7, 17, 0, tzinfo=BERLIN)  # a Friday evening post


@pytest.mark.parametrize(
    ("received", "hours", "inside"),
    [
        (PUBLISHED, 48, True),  # the moment it went out
        (PUBLISHED + dt.timedelta(hours=47, minutes=59), 48, True),  # over the weekend
        (PUBLISHED + dt.timedelta(hours=48), 48, False),  # the window's end is outside
        (PUBLISHED - dt.timedelta(minutes=1), 48, False),  # before publishing: not on the post yet
        (PUBLISHED + dt.timedelta(hours=30), 24, False),  # a channel with a shorter window
        (PUBLISHED + dt.timedelta(hours=71), 72, True),
    ],
)
def test_the_watch_window_runs_from_publishing_for_the_channels_hours(received, hours, inside):
    assert watch.in_watch_window(published_at=PUBLISHED, window_hours=hours, received_at=received) is inside
    assignee = watch.watch_assignee(
        assignee_id=None, sla_owner_id=7, published_at=PUBLISHED, window_hours=hours, received_at=received
    )
    assert assignee == (7 if inside else None)


def test_someone_who_took_it_keeps_it_and_an_unpublished_or_ownerless_post_assigns_nobody():
    inside = PUBLISHED + dt.timedelta(hours=1)
    kept = watch.watch_assignee(
        assignee_id=3, sla_owner_id=7, published_at=PUBLISHED, window_hours=48, received_at=inside
    )
    assert kept == 3
    assert (
        watch.watch_assignee(assignee_id=None, sla_owner_id=7, published_at=None, window_hours=48, received_at=inside)
        is None
    )
    assert (
        watch.watch_assignee(
            assignee_id=None, sla_owner_id=None, published_at=PUBLISHED, window_hours=48, received_at=inside
        )
        is None
    )


LINK_CASES = [
    ("https://www.instagram.com/p/Cx9Lp2/c/17901/", "https://www.instagram.com/p/Cx9Lp2/", True),
    ("https://instagram.com/p/Cx9Lp2", "https://www.instagram.com/p/Cx9Lp2/", True),
    ("HTTPS://WWW.Instagram.com/p/Cx9Lp2/?img_index=2", "https://www.instagram.com/p/Cx9Lp2", True),
    ("https://www.instagram.com/p/Cx9Lp2X/", "https://www.instagram.com/p/Cx9Lp2/", False),  # another post
    ("https://www.youtube.com/watch?v=dQw4w9&lc=UgzX1", "https://www.youtube.com/watch?v=dQw4w9", True),
    ("https://www.youtube.com/watch?v=dQw4w9XY", "https://www.youtube.com/watch?v=dQw4w9", False),
    ("https://t.me/dialogdesk/214?comment=5521", "https://t.me/dialogdesk/214", True),
    ("https://t.me/dialogdesk/2140", "https://t.me/dialogdesk/214", False),
    ("https://forum.example.com/t/dark-mode/88#post-12", "https://forum.example.com/t/dark-mode/88", True),
    ("", "https://t.me/dialogdesk/214", False),
    ("https://t.me/dialogdesk/214", "", False),
]


@pytest.mark.parametrize(("link", "post_url", "on_post"), LINK_CASES)
def test_a_comments_link_is_on_the_post_whose_link_it_extends(link, post_url, on_post):
    assert watch.link_is_on_post(link, post_url) is on_post


@pytest.mark.parametrize(("link", "post_url", "on_post"), LINK_CASES)
def test_many_links_find_their_post_by_the_same_rule_on_its_own_channel(link, post_url, on_post):
    key = watch._comparable(post_url)
    links = watch.PostLinks({(1, key): [7]} if key else {})
    assert links.post_for(channel_id=1, link=link) == (7 if on_post else None)
    assert links.post_for(channel_id=2, link=link) is None  # a post on another channel is never matched
    # Two posts with one link: the link fits both, so neither is taken.
    both = watch.PostLinks({(1, key): [7, 8]} if key else {})
    assert both.post_for(channel_id=1, link=link) is None


def test_the_published_posts_links_are_loaded_per_channel(session, team, channel, desk):
    make_ready_post(session, channel=channel, status=PostStatus.draft, published_url="https://www.instagram.com/p/Zz1/")
    session.commit()
    links = watch.PostLinks.load(session, [channel.id])
    assert links.post_for(channel_id=channel.id, link="https://instagram.com/p/Cx9Lp2/c/17901") == desk.id
    assert links.post_for(channel_id=channel.id, link="https://instagram.com/p/Zz1/c/1") is None  # not out yet


@pytest.fixture
def desk(session, team, channel):
    make_sla_policy(session, minutes=120)
    post = make_ready_post(
        session,
        channel=channel,
        sla_owner_id=team["community"].id,
        title="Question of the week: which export format?",
        status=PostStatus.published,
        published_at=PUBLISHED,
        published_url="https://www.instagram.com/p/Cx9Lp2/",
    )
    session.commit()
    return post


def _typed(channel: Channel, received: dt.datetime, **fields) -> ConversationCreate:
    return ConversationCreate(channel_id=channel.id, author_handle="@Mila Schmidt", received_at=received, **fields)


def test_a_conversation_typed_in_on_the_post_goes_to_its_sla_owner_within_the_window(session, team, channel, desk):
    inside = conversations.log_conversation(
        session=session,
        actor=team["support"],
        conversation_in=_typed(channel, PUBLISHED + dt.timedelta(hours=3), post_id=desk.id, text="CSV please"),
        now=PUBLISHED + dt.timedelta(days=5),
    )
    late = conversations.log_conversation(
        session=session,
        actor=team["support"],
        conversation_in=_typed(channel, PUBLISHED + dt.timedelta(hours=50), post_id=desk.id, text="And XLSX?"),
        now=PUBLISHED + dt.timedelta(days=5),
    )
    assert (inside.post_id, inside.assignee_id) == (desk.id, team["community"].id)
    assert inside.post_title == "Question of the week: which export format?"
    assert (late.post_id, late.assignee_id) == (desk.id, None)


def test_the_post_is_matched_from_the_comments_link_and_never_guessed(session, team, channel, desk):
    matched = conversations.log_conversation(
        session=session,
        actor=team["support"],
        conversation_in=_typed(
            channel, PUBLISHED + dt.timedelta(hours=1), link="https://instagram.com/p/Cx9Lp2/c/17901"
        ),
        now=PUBLISHED + dt.timedelta(days=1),
    )
    assert (matched.post_id, matched.assignee_id) == (desk.id, team["community"].id)
    # A second post with the same link: the link fits two posts, so none is set.
    make_ready_post(
        session, channel=channel, status=PostStatus.published, published_at=PUBLISHED, published_url=desk.published_url
    )
    unmatched = conversations.log_conversation(
        session=session,
        actor=team["support"],
        conversation_in=_typed(
            channel, PUBLISHED + dt.timedelta(hours=2), link="https://instagram.com/p/Cx9Lp2/c/17955"
        ),
        now=PUBLISHED + dt.timedelta(days=1),
    )
    assert (unmatched.post_id, unmatched.assignee_id) == (None, None)
    with pytest.raises(ValidationError, match="fits 2 posts"):
        watch.find_post(session, channel_id=channel.id, reference="https://instagram.com/p/Cx9Lp2/c/1")


def test_a_post_that_is_not_out_or_on_another_channel_is_refused(session, team, channel, desk):
    draft = make_ready_post(session, channel=channel, title="Next week's poll", status=PostStatus.draft)
    telegram = make_channel(session, name="Telegram")
    with pytest.raises(ValidationError, match="is not published"):
        conversations.log_conversation(
            session=session,
            actor=team["support"],
            conversation_in=_typed(channel, PUBLISHED, post_id=draft.id),
            now=PUBLISHED + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="on another channel"):
        conversations.log_conversation(
            session=session,
            actor=team["support"],
            conversation_in=_typed(telegram, PUBLISHED, post_id=desk.id),
            now=PUBLISHED + dt.timedelta(days=1),
        )
    assert watch.find_post(session, channel_id=channel.id, reference=f"#{desk.id}") == desk.id
    with pytest.raises(ValidationError, match="No published post"):
        watch.find_post(session, channel_id=channel.id, reference="https://t.me/other/1")


def test_setting_the_post_later_applies_the_window_and_is_audited(session, team, channel, desk):
    # As after an import without a post column: stored unassigned, the post set on the screen.
    inside = make_sla_conversation(session, channel=channel, received_at=PUBLISHED + dt.timedelta(hours=20))
    taken = make_sla_conversation(
        session, channel=channel, received_at=PUBLISHED + dt.timedelta(hours=5), assignee_id=team["support"].id
    )
    session.commit()
    row = conversations.set_post(
        session=session, actor=team["support"], conversation_id=inside.id, expected_version=1, post_id=desk.id
    )
    assert (row.post_id, row.assignee_id, row.version) == (desk.id, team["community"].id, 2)
    kept = conversations.set_post(
        session=session, actor=team["support"], conversation_id=taken.id, expected_version=1, post_id=desk.id
    )
    assert kept.assignee_id == team["support"].id
    assert [h.action for h in audit.history(session, entity="conversation", entity_id=inside.id)][-1] == (
        "conversation.post"
    )
    with pytest.raises(PermissionDenied):
        conversations.set_post(
            session=session, actor=team["editor"], conversation_id=inside.id, expected_version=2, post_id=None
        )


def test_many_conversations_at_once_get_the_same_assignments(session, team, channel, desk):
    other_channel = make_channel(session, name="YouTube")
    other_channel.watch_window_hours = 6
    short = make_ready_post(
        session,
        channel=other_channel,
        sla_owner_id=team["support"].id,
        status=PostStatus.published,
        published_at=PUBLISHED,
    )
    book = watch.WatchBook.load(session, [desk.id, short.id, None])
    after = PUBLISHED + dt.timedelta(hours=10)
    assert book.assignee_for(post_id=desk.id, assignee_id=None, received_at=after) == team["community"].id
    assert book.assignee_for(post_id=short.id, assignee_id=None, received_at=after) is None  # 6 h window
    assert book.assignee_for(post_id=None, assignee_id=None, received_at=after) is None
    assert book.assignee_for(post_id=desk.id, assignee_id=42, received_at=after) == 42


def test_a_channels_watch_window_is_set_by_the_admin_within_limits(session, team, channel):
    from core import workspace
    from db.models import ChannelUpdate

    view = workspace.update_channel(
        session=session,
        actor=team["admin"],
        channel_id=channel.id,
        expected_version=channel.version,
        channel_in=ChannelUpdate(watch_window_hours=72),
    )
    assert view.watch_window_hours == 72
    with pytest.raises(ValidationError, match="watch window"):
        workspace.update_channel(
            session=session,
            actor=team["admin"],
            channel_id=channel.id,
            expected_version=view.version,
            channel_in=ChannelUpdate(watch_window_hours=0),
        )


def test_imported_comments_find_their_post_by_link_and_go_to_its_sla_owner_within_the_window(
    session, team, channel, desk
):
    """A platform export of comments: each comment's permalink is on the post's own link; those
    within the watch window go to the post's SLA owner, a later one waits unassigned, a comment
    on a link no post has stays without a post, and an agent named in the file keeps it."""
    from core.sla import import_fields, imports

    def at(hours: float) -> str:
        return (PUBLISHED + dt.timedelta(hours=hours)).astimezone(dt.UTC).isoformat()

    data = (
        "comment_id,created_at,username,message,permalink,agent\r\n"
        f"c1,{at(1)},@Ann.Example,Which format do you mean?,https://instagram.com/p/Cx9Lp2/c/17901/,\r\n"
        f'c2,{at(20)},@bo builder,"CSV please,\rand xlsx",https://www.instagram.com/p/Cx9Lp2/c/17902,\r\n'
        f"c3,{at(60)},@cara,Late to the party: JSON!,https://www.instagram.com/p/Cx9Lp2/c/17903,\r\n"
        f"c4,{at(2)},@dan,Unrelated,https://www.instagram.com/p/Other1/c/1,\r\n"
        f"c5,{at(3)},@eve,Taken already,https://www.instagram.com/p/Cx9Lp2/c/17905,support\r\n"
    )
    options = import_fields.ImportOptions(
        channel_id=channel.id,
        mapping={
            "external_id": "comment_id",
            "received": "created_at",
            "author": "username",
            "text": "message",
            "link": "permalink",
            "assignee": "agent",
        },
        timezone="Europe/Berlin",
        file_name="instagram-comments.csv",
    )
    report = imports.import_conversations(
        session=session, actor=team["support"], data=data, options=options, now=PUBLISHED + dt.timedelta(days=4)
    )
    assert report.ok and report.created == 5, report.errors
    stored = {c.external_id: (c.post_id, c.assignee_id) for c in session.exec(select(Conversation)).all()}
    owner = team["community"].id
    assert stored == {
        "c1": (desk.id, owner),
        "c2": (desk.id, owner),
        "c3": (desk.id, None),  # after the 48 h window
        "c4": (None, None),
        "c5": (desk.id, team["support"].id),
    }
