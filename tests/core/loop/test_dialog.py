"""A post's dialog (its conversations, answered within the SLA or still open, UGC, the ideas it
brought, conversions against its goal) and a conversation's place in the chain (post, idea, loop
item, a ready "it's done" reply)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.ideas import from_conversations as fc
from core.loop import dialog
from core.sla.figures import SlaStatus
from db.models import ConversationStatus, IdeaFromConversation, LoopItem, LoopItemIdea, PostStatus
from tests.factories import make_conversation, make_idea, make_ready_post

BERLIN = ZoneInfo("Europe/Berlin")
PUBLISHED = dt.datetime(2025, 6, 3, 12, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("goal", "target"),
    [
        ("30 poll votes", 30),
        ("Reach 1,000 views on the guide", 1000),
        ("1 500 sign-ups for the AMA", 1500),
        ("at least 12 questions for Friday's AMA", 12),
        ("More questions for the FAQ", None),
        ("", None),
    ],
)
def test_the_goal_names_its_target_number(goal, target):
    assert dialog.goal_target(goal) == target


@pytest.mark.parametrize(
    ("goal", "conversions", "text"),
    [
        ("30 poll votes", 41, "goal: 30 poll votes — reached 41"),
        ("30 poll votes", 30, "goal: 30 poll votes — reached 30"),
        ("30 poll votes", 12, "goal: 30 poll votes — so far 12"),
        ("30 poll votes", None, "goal: 30 poll votes — conversions not entered yet"),
        ("More questions for the FAQ", 9, "goal: More questions for the FAQ — 9 next-step conversions"),
        ("", 9, "no micro-interaction goal set — 9 next-step conversions"),
    ],
)
def test_the_conversions_are_shown_against_the_goal(goal, conversions, text):
    assert dialog.goal_progress(goal, conversions) == text


@pytest.fixture
def poll(session, team, channel):
    """A published poll with two questions (one answered in time), a useful UGC reply, and an
    idea from one of the questions; a second post has a conversation of its own."""
    post = make_ready_post(
        session,
        channel=channel,
        title="Vote: carousel or video?",
        sla_owner_id=team["community"].id,
        status=PostStatus.published,
        published_at=PUBLISHED,
        micro_goal="30 poll votes",
        next_step_conversions=41,
        published_url="https://www.instagram.com/p/Cx9Lp2/",
    )
    other = make_ready_post(session, channel=channel, status=PostStatus.published, published_at=PUBLISHED)
    at = PUBLISHED + dt.timedelta(hours=1)
    answered = make_conversation(
        session,
        channel=channel,
        post_id=post.id,
        received_at=at,
        author_handle="@Mila Schmidt",
        text="Could the carousel have captions?",
        deadline_at=at + dt.timedelta(hours=2),
        first_reply_at=at + dt.timedelta(minutes=30),
        status=ConversationStatus.waiting,
    )
    waiting = make_conversation(
        session,
        channel=channel,
        post_id=post.id,
        received_at=at + dt.timedelta(minutes=5),
        author_handle="@jonas_b",
        text="Where is the video version?",
        deadline_at=at + dt.timedelta(hours=2, minutes=5),
    )
    make_conversation(
        session,
        channel=channel,
        post_id=post.id,
        kind="ugc",
        received_at=at + dt.timedelta(minutes=9),
        author_handle="@Lea.K",
        text="Here is my carousel remix",
        useful=True,
    )
    make_conversation(session, channel=channel, post_id=other.id, received_at=at, text="Other post")
    session.commit()
    idea = fc.idea_from_conversation(
        session=session, actor=team["support"], idea_in=IdeaFromConversation(conversation_id=answered.id)
    )
    collected = make_idea(session, title="Video with subtitles", post_id=post.id)
    session.commit()
    return dict(post=post, answered=answered, waiting=waiting, idea=idea, collected=collected, at=at)


def test_the_post_shows_the_dialog_it_created(session, team, poll):
    view = dialog.post_dialog(session, post_id=poll["post"].id)
    assert [c.author_handle for c in view.conversations] == ["@Mila Schmidt", "@jonas_b", "@Lea.K"]
    assert (len(view.needing_reply), view.answered, view.waiting, view.ugc, view.useful_ugc) == (2, 1, 1, 1, 1)
    assert view.goal == "goal: 30 poll votes — reached 41"
    assert view.sla_owner == "Cora Community"
    assert view.watch_until == PUBLISHED + dt.timedelta(hours=48)
    assert {i.title for i in view.ideas} == {"Could the carousel have captions?", "Video with subtitles"}
    assert [c.idea_id for c in view.conversations] == [poll["idea"].id, None, None]


def test_whether_the_dialog_was_fully_answered_within_sla_depends_on_the_moment(session, team, poll):
    view = dialog.post_dialog(session, post_id=poll["post"].id)
    before_due = poll["at"] + dt.timedelta(hours=1)
    after_due = poll["at"] + dt.timedelta(hours=3)
    assert view.counts_at(before_due)[SlaStatus.met] == 1 and view.counts_at(before_due)[SlaStatus.on_track] == 1
    assert view.fully_answered_within_sla(before_due) is None  # one is still open and not due
    assert view.counts_at(after_due)[SlaStatus.breached] == 1
    assert view.fully_answered_within_sla(after_due) is False
    assert view.watching(PUBLISHED + dt.timedelta(hours=47)) and not view.watching(PUBLISHED + dt.timedelta(hours=48))


def test_a_conversation_shows_its_post_idea_and_the_loop_item_with_the_announcement(session, team, channel, poll):
    links = dialog.conversation_links(session, conversation_id=poll["answered"].id)
    assert links.post is not None and links.post.title == "Vote: carousel or video?"
    assert links.idea is not None and links.idea.id == poll["idea"].id
    assert links.loop_item is None and links.done_reply == ""
    announcement = make_ready_post(
        session,
        channel=channel,
        title="You asked, we did: captions on carousels",
        status=PostStatus.published,
        published_at=PUBLISHED + dt.timedelta(days=20),
        published_url="https://www.instagram.com/p/Dy7Qa1/",
    )
    item = LoopItem(
        what_changed="Carousels have captions",
        shipped_on=dt.date(2025, 6, 20),
        status="announced",
        announcement_post_id=announcement.id,
        announced_at=announcement.published_at,
    )
    session.add(item)
    session.flush()
    session.add(LoopItemIdea(loop_item_id=item.id, idea_id=poll["idea"].id))
    session.commit()
    links = dialog.conversation_links(session, conversation_id=poll["answered"].id)
    assert links.loop_item is not None and links.loop_item.what_changed == "Carousels have captions"
    assert links.done_reply == (
        "@Mila Schmidt Thank you for asking! It is done: Carousels have captions. "
        "Here is the announcement: https://www.instagram.com/p/Dy7Qa1/"
    )
    unlinked = dialog.conversation_links(session, conversation_id=poll["waiting"].id)
    assert unlinked.idea is None and unlinked.loop_item is None and unlinked.post is not None
