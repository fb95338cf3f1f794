"""Conversation → idea in one action: a new idea prefilled from the conversation, or its author
added to an existing idea; the idea lists its conversations (merged ideas' too) and each
conversation knows its idea."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from core import audit
from core.errors import PermissionDenied, ValidationError
from core.ideas import from_conversations as fc
from core.ideas import merges
from core.ideas.rules import FALLBACK_TITLE, TITLE_MAX, title_from_text
from db.models import IdeaFromConversation, IdeaGiver, PostStatus
from tests.factories import make_conversation, make_ready_post

RECEIVED = dt.datetime(2025, 5, 6, 19, 42, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("@dialogdesk please add a dark mode! My eyes hurt at night.", "Please add a dark mode!"),
        (
            "@DialogDesk, @support: can I export contacts to Excel?\rThe CSV breaks umlauts.",
            "Can I export contacts to Excel?",
        ),
        ("Dark mode\nfor the web app too", "Dark mode"),
        ("The v2.3 app logs me out every hour. Why?", "The v2.3 app logs me out every hour."),
        ("", FALLBACK_TITLE),
        ("@only_a_mention ", FALLBACK_TITLE),
    ],
)
def test_a_title_is_suggested_from_the_first_sentence(text, title):
    assert title_from_text(text) == title


def test_a_long_first_sentence_is_cut_at_a_word_within_the_title_limit():
    title = title_from_text("Please " + "really " * 60 + "add offline mode")
    assert len(title) <= TITLE_MAX and title.endswith("really…")


@pytest.fixture
def chat(session, team, channel):
    post = make_ready_post(
        session,
        channel=channel,
        title="Ideas for the product: what should we build next?",
        status=PostStatus.published,
        published_at=RECEIVED - dt.timedelta(hours=2),
    )
    first = make_conversation(
        session,
        channel=channel,
        received_at=RECEIVED,
        author_handle="@Mila Schmidt",
        text="@dialogdesk please add a dark mode! My eyes hurt at night.",
        link="https://www.instagram.com/p/Cx9Lp2/c/17901/",
        category="mobile app",
        post_id=post.id,
    )
    second = make_conversation(
        session,
        channel=channel,
        received_at=RECEIVED + dt.timedelta(days=2),
        author_handle="@jonas_b",
        text="Any news on a night theme?",
        category="ui",
    )
    session.commit()
    return dict(post=post, first=first, second=second)


def test_support_turns_a_conversation_into_an_idea_in_one_action(session, team, channel, chat):
    idea = fc.idea_from_conversation(
        session=session, actor=team["support"], idea_in=IdeaFromConversation(conversation_id=chat["first"].id)
    )
    assert (idea.title, idea.source, idea.channel_id, idea.category, idea.source_url) == (
        "Please add a dark mode!",
        "comment",
        channel.id,
        "mobile app",
        "https://www.instagram.com/p/Cx9Lp2/c/17901/",
    )
    assert idea.demand == 1
    giver = session.exec(select(IdeaGiver).where(IdeaGiver.idea_id == idea.id)).one()
    assert (giver.handle, giver.given_at, giver.channel_id) == ("@Mila Schmidt", RECEIVED, channel.id)
    assert [c.id for c in fc.conversations_of_idea(session, idea_id=idea.id)] == [chat["first"].id]
    assert fc.idea_of_conversation(session, conversation_id=chat["first"].id) == idea.id
    from db.models import Idea

    assert session.get(Idea, idea.id).post_id == chat["post"].id
    assert [h.action for h in audit.recent(session=session, entity="idea_conversation")] == ["idea.conversation_linked"]


def test_a_typed_title_and_category_win_over_the_suggestion(session, team, chat):
    idea = fc.idea_from_conversation(
        session=session,
        actor=team["community"],
        idea_in=IdeaFromConversation(
            conversation_id=chat["second"].id, title="  Night theme  ", category="design", source="dm"
        ),
    )
    assert (idea.title, idea.category, idea.source) == ("Night theme", "design", "dm")


def test_a_second_conversation_adds_its_author_once_and_is_listed(session, team, channel, chat):
    idea = fc.idea_from_conversation(
        session=session, actor=team["support"], idea_in=IdeaFromConversation(conversation_id=chat["first"].id)
    )
    added = fc.add_conversation_to_idea(
        session=session, actor=team["support"], idea_id=idea.id, conversation_id=chat["second"].id
    )
    assert added.giver_added
    again = make_conversation(
        session, channel=channel, received_at=RECEIVED + dt.timedelta(days=3), author_handle="@jonas_b", text="Bump"
    )
    session.commit()
    repeat = fc.add_conversation_to_idea(
        session=session, actor=team["support"], idea_id=idea.id, conversation_id=again.id
    )
    assert not repeat.giver_added
    listed = fc.conversations_of_idea(session, idea_id=idea.id)
    assert [(c.id, c.author_handle) for c in listed] == [
        (chat["first"].id, "@Mila Schmidt"),
        (chat["second"].id, "@jonas_b"),
        (again.id, "@jonas_b"),
    ]
    assert listed[0].post_title == "Ideas for the product: what should we build next?"
    with pytest.raises(ValidationError, match=f"is on idea #{idea.id} already"):
        fc.add_conversation_to_idea(
            session=session, actor=team["support"], idea_id=idea.id, conversation_id=chat["second"].id
        )
    with pytest.raises(ValidationError, match=f"is on idea #{idea.id} already"):
        fc.idea_from_conversation(
            session=session, actor=team["support"], idea_in=IdeaFromConversation(conversation_id=chat["first"].id)
        )


def test_a_merged_ideas_conversations_count_on_the_idea_it_was_merged_into(session, team, chat):
    dark = fc.idea_from_conversation(
        session=session, actor=team["support"], idea_in=IdeaFromConversation(conversation_id=chat["first"].id)
    )
    night = fc.idea_from_conversation(
        session=session, actor=team["support"], idea_in=IdeaFromConversation(conversation_id=chat["second"].id)
    )
    merges.merge(session=session, actor=team["lead"], source_id=night.id, target_id=dark.id, expected_version=1)
    listed = fc.conversations_of_idea(session, idea_id=dark.id)
    assert [(c.id, c.idea_id) for c in listed] == [(chat["first"].id, dark.id), (chat["second"].id, night.id)]
    assert fc.idea_of_conversation(session, conversation_id=chat["second"].id) == dark.id
    with pytest.raises(ValidationError, match="was merged into"):
        fc.add_conversation_to_idea(
            session=session, actor=team["support"], idea_id=night.id, conversation_id=chat["first"].id
        )


def test_viewers_may_not_turn_conversations_into_ideas(session, team, chat):
    with pytest.raises(PermissionDenied):
        fc.idea_from_conversation(
            session=session, actor=team["viewer"], idea_in=IdeaFromConversation(conversation_id=chat["first"].id)
        )
    assert fc.idea_of_conversation(session, conversation_id=chat["first"].id) is None


def test_an_idea_links_the_published_post_that_collected_it(session, team, channel, chat):
    from core.ideas import capture
    from db.models import IdeaCreate, IdeaUpdate

    survey = capture.log_idea(
        session=session,
        actor=team["community"],
        idea_in=IdeaCreate(title="Calendar sync with Outlook", handles="@Ana Paula", post_id=chat["post"].id),
    )
    draft = make_ready_post(session, channel=channel, title="Next call for ideas", status=PostStatus.draft)
    with pytest.raises(ValidationError, match="is not published"):
        capture.update_details(
            session=session,
            actor=team["lead"],
            idea_id=survey.id,
            expected_version=survey.version,
            idea_in=IdeaUpdate(post_id=draft.id),
        )
    cleared = capture.update_details(
        session=session,
        actor=team["lead"],
        idea_id=survey.id,
        expected_version=survey.version,
        idea_in=IdeaUpdate(post_id=None),
    )
    from db.models import Idea

    assert cleared.version == survey.version + 1 and session.get(Idea, survey.id).post_id is None
