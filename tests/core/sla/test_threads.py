"""A conversation's thread: replies are kept as text (typed or from a quick answer), later replies
join the thread without touching the SLA figures, and an imported copy of the opening message is
shown once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.errors import ValidationError
from core.sla import conversations, threads
from db.models import ConversationMessage, MessageSource
from tests.factories import make_quick_answer, make_sla_conversation, make_sla_policy

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture
def question(session, channel):
    make_sla_policy(session, minutes=120)
    conversation = make_sla_conversation(
        session,
        channel=channel,
        received_at=berlin("2025-11-10 10:00"),
        author_handle="@Mila Schmidt",
        text="How do I export my contacts to CSV?\rThe button is greyed out.",
        external_id="ig-17901",
        category="export",
    )
    session.commit()
    return conversation


def _reply(session, actor, conversation_id, version, at, **fields):
    return conversations.log_reply(
        session=session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=version,
        replied_at=berlin(at),
        now=berlin("2025-11-12 12:00"),
        **fields,
    )


def test_a_typed_reply_is_kept_and_the_thread_reads_in_order(session, team, question):
    first = _reply(
        session,
        team["support"],
        question.id,
        1,
        "2025-11-10 10:40",
        text="  Open the list, then ⋯ → Export → CSV. It needs the Pro plan.  ",
    )
    assert first.business_minutes_to_reply == pytest.approx(40)
    later = _reply(
        session, team["community"], question.id, first.version, "2025-11-11 09:05", text="Did it work for you?"
    )
    assert later.first_reply_at == first.first_reply_at  # the clock stopped at the first reply
    assert later.business_minutes_to_reply == first.business_minutes_to_reply
    thread = threads.thread(session, conversation_id=question.id)
    assert [(m.author, m.from_team, m.text, m.source) for m in thread] == [
        ("@Mila Schmidt", False, "How do I export my contacts to CSV?\rThe button is greyed out.", threads.OPENING),
        ("Sven Support", True, "Open the list, then ⋯ → Export → CSV. It needs the Pro plan.", MessageSource.typed),
        ("Cora Community", True, "Did it work for you?", MessageSource.typed),
    ]


def test_a_quick_answer_stands_in_for_the_text_and_an_edited_one_is_kept_as_edited(session, team, question, channel):
    answer = make_quick_answer(
        session, title="Export to CSV", category="export", text="Open the list, then ⋯ → Export → CSV."
    )
    session.commit()
    first = _reply(session, team["support"], question.id, 1, "2025-11-10 10:20", quick_answer_id=answer.id)
    _reply(
        session,
        team["support"],
        question.id,
        first.version,
        "2025-11-10 10:30",
        quick_answer_id=answer.id,
        text="Open the list, then ⋯ → Export → CSV. Large exports arrive by e-mail, Mila.",
    )
    replies = [m for m in threads.thread(session, conversation_id=question.id) if m.from_team]
    assert [(m.text, m.source, m.quick_answer) for m in replies] == [
        ("Open the list, then ⋯ → Export → CSV.", MessageSource.quick_answer, "Export to CSV"),
        (
            "Open the list, then ⋯ → Export → CSV. Large exports arrive by e-mail, Mila.",
            MessageSource.quick_answer,
            "Export to CSV",
        ),
    ]


def test_a_later_reply_needs_its_text_and_a_too_long_one_is_refused(session, team, question):
    first = _reply(session, team["support"], question.id, 1, "2025-11-10 10:20", text="On it!")
    with pytest.raises(ValidationError, match="write the text of the next reply"):
        _reply(session, team["support"], question.id, first.version, "2025-11-10 10:30")
    with pytest.raises(ValidationError, match="keep it to 10000"):
        _reply(session, team["support"], question.id, first.version, "2025-11-10 10:30", text="x" * 10_001)
    assert len([m for m in threads.thread(session, conversation_id=question.id) if m.from_team]) == 1


def test_an_imported_copy_of_the_opening_message_is_shown_once_and_later_messages_keep_their_author(session, question):
    session.add_all(
        [
            ConversationMessage(
                conversation_id=question.id,
                external_id="ig-17901",
                sent_at=question.received_at,
                author_handle="@Mila Schmidt",
                text=question.text,
                source=MessageSource.imported,
            ),
            ConversationMessage(
                conversation_id=question.id,
                external_id="ig-17950",
                sent_at=berlin("2025-11-10 12:00"),
                author_handle="@Mila Schmidt",
                text="Found it, thanks!",
                source=MessageSource.imported,
            ),
        ]
    )
    session.commit()
    thread = threads.thread(session, conversation_id=question.id)
    assert [(m.author, m.text) for m in thread] == [
        ("@Mila Schmidt", question.text),
        ("@Mila Schmidt", "Found it, thanks!"),
    ]


def test_the_first_team_reply_with_text_is_the_answer(session, team, question, channel):
    silent = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 11:00"))
    session.commit()
    _reply(session, team["support"], silent.id, 1, "2025-11-10 11:30")  # logged without its text
    first = _reply(session, team["support"], question.id, 1, "2025-11-10 10:20", text="It is under ⋯ → Export.")
    _reply(session, team["support"], question.id, first.version, "2025-11-10 10:50", text="Anything else?")
    assert threads.first_team_replies(session, [question.id, silent.id]) == {question.id: "It is under ⋯ → Export."}
    logged = [m for m in threads.thread(session, conversation_id=silent.id) if m.from_team]
    assert [m.text_missing for m in logged] == [True]
