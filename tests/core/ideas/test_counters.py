"""An idea's demand and votes, kept on the idea (``db.counters``): equal to its giver and vote
rows after every kind of write, within the transaction that writes them too, and when two people
add givers to one idea at the same moment."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from core.ideas.capture import add_givers, vote, withdraw_vote
from core.ideas.from_conversations import idea_from_conversation
from core.ideas.imports import ImportMapping, SurveyOptions, import_ideas
from core.ideas.merges import merge, undo_merge
from core.ideas.queries import board_page, get_idea
from db.models import Idea, IdeaFromConversation, IdeaGiver, Role, Vote
from tests.core.ideas.helpers import get, log
from tests.factories import make_conversation


def counted_and_kept(read) -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """Per idea: (demand, votes) as kept, and as the giver and vote rows count them."""
    with read() as s:
        givers = dict(s.execute(select(IdeaGiver.idea_id, func.count()).group_by(IdeaGiver.idea_id)).all())
        votes = dict(s.execute(select(Vote.idea_id, func.count()).group_by(Vote.idea_id)).all())
        kept = s.execute(select(Idea.id, Idea.demand, Idea.votes)).all()
    return {row.id: ((row.demand, row.votes), (givers.get(row.id, 0), votes.get(row.id, 0))) for row in kept}


def assert_in_step(read) -> None:
    wrong = {idea: pair for idea, pair in counted_and_kept(read).items() if pair[0] != pair[1]}
    assert not wrong, f"kept ≠ counted: {wrong}"


SURVEY = (
    b"Proposal,Supporters,Submitted\n"
    b'"Better diff view","Doc James, Daniel Mietchen, Ann",2025-03-01 10:00\n'
    b'"Offline mode","@Ann; Bo Li; @cy",2025-03-03 10:00\n'
)


def test_every_kind_of_write_keeps_the_counts_equal_to_the_rows(write, read, team, channel):
    lead, editor, support = team[Role.lead], team[Role.editor], team[Role.support]
    dark = log(write, editor, title="Dark mode", handles="@ann, @bo")
    theme = log(write, support, title="Dark theme please", handles="@ANN, @cy, @dee")
    assert_in_step(read)
    assert (get(read, dark).demand, get(read, theme).demand) == (2, 3)

    with write() as s:
        add_givers(session=s, actor=support, idea_id=dark, handles="@eve, @bo")  # @bo is there already
        vote(session=s, actor=editor, idea_id=dark)
        vote(session=s, actor=support, idea_id=dark)
        vote(session=s, actor=editor, idea_id=theme)
    assert_in_step(read)
    assert (get(read, dark).demand, get(read, dark).votes) == (3, 2)

    with write() as s:
        withdraw_vote(session=s, actor=support, idea_id=dark)
    assert_in_step(read)
    assert get(read, dark).votes == 1

    with write() as s:  # rows moved without the ORM
        merge(session=s, actor=lead, source_id=theme, target_id=dark, expected_version=1)
    assert_in_step(read)
    assert (get(read, dark).demand, get(read, dark).votes) == (5, 1)  # @ann once; the editor's vote once
    with write() as s:
        undo_merge(session=s, actor=lead, idea_id=theme, expected_version=2)
    assert_in_step(read)
    assert (get(read, dark).demand, get(read, theme).demand) == (3, 3)

    with write() as s:  # givers inserted in bulk
        import_ideas(
            session=s,
            actor=lead,
            data=SURVEY,
            options=SurveyOptions(mapping=ImportMapping(title="Proposal", handle="Supporters", date="Submitted")),
        )
    assert_in_step(read)
    with read() as s:
        demand = {v.title: (v.demand, v.votes) for v in board_page(session=s).rows}
    assert demand == {
        "Dark mode": (3, 1),
        "Dark theme please": (3, 1),
        "Better diff view": (3, 0),  # Doc James, Daniel Mietchen, Ann
        "Offline mode": (3, 0),
    }

    with write() as s:
        conversation = make_conversation(s, channel=channel, author_handle="@Zoe", text="Please add a widget!")
    with write() as s:
        # Read back in the same transaction: the count is already there.
        view = idea_from_conversation(
            session=s, actor=support, idea_in=IdeaFromConversation(conversation_id=conversation.id)
        )
        assert view.demand == 1
        assert get_idea(session=s, idea_id=view.id).demand == 1
    assert_in_step(read)


def test_the_board_sorts_by_the_kept_demand_then_votes(write, read, team):
    editor, support = team[Role.editor], team[Role.support]
    one = log(write, editor, title="One giver", handles="@ann")
    three = log(write, editor, title="Three givers", handles="@ann, @bo, @cy")
    two_voted = log(write, editor, title="Two givers, voted", handles="@ann, @bo")
    two = log(write, editor, title="Two givers", handles="@dee, @eve")
    with write() as s:
        vote(session=s, actor=support, idea_id=two_voted)
    with read() as s:
        assert [v.id for v in board_page(session=s).rows] == [three, two_voted, two, one]


def test_two_people_adding_givers_to_one_idea_at_the_same_moment_are_both_counted(write, read, team):
    """The second transaction waits for the first one's lock on the idea and then counts what it
    committed (without the lock, PostgreSQL would count from before the first commit)."""
    editor, support = team[Role.editor], team[Role.support]
    idea_id = log(write, editor, title="Offline mode", handles="@ann")
    first_counted = threading.Event()
    failures: list[BaseException] = []

    def second() -> None:
        try:
            first_counted.wait(10)
            with write() as s:
                add_givers(session=s, actor=support, idea_id=idea_id, handles="@cy")
        except BaseException as error:  # noqa: BLE001 — reported by the test below
            failures.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    with write() as s:
        add_givers(session=s, actor=editor, idea_id=idea_id, handles="@bo")
        s.flush()  # counted; the idea is locked until this transaction ends
        first_counted.set()
        thread.join(0.5)  # the second transaction starts meanwhile and waits
    thread.join(30)
    assert not thread.is_alive() and not failures, failures
    assert get(read, idea_id).demand == 3
    assert_in_step(read)
