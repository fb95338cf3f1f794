"""The chain view: one timeline from the post and the first conversation through votes, triage and
shipping to the announcement and the thanks, with the time each step took; the calls for ideas a
loop item came from reach their respondents; what is still to announce is counted everywhere."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.errors import NotFoundError
from core.loop import chain, queries
from core.loop.announce import draft_announcement
from core.loop.people import item_people
from db.models import (
    AuditLog,
    IdeaConversation,
    IdeaGiver,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    LoopThanks,
    PostStatus,
    Rubric,
    Vote,
)
from tests.factories import make_conversation, make_idea, make_ready_post

BERLIN = ZoneInfo("Europe/Berlin")
T0 = dt.datetime(2025, 4, 1, 10, 0, tzinfo=BERLIN)


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


@pytest.fixture
def shipped(session, team, channel):
    """An "Ideas for the product" post; @Mila asks 2 h later; the idea is logged an hour after
    that, voted on, triaged, shipped, opened as a loop, announced and both givers thanked."""
    rubric = session.exec(select(Rubric).where(Rubric.name == "Ideas for the product")).one()
    call = make_ready_post(
        session,
        channel=channel,
        rubric_id=rubric.id,
        title="Ideas for the product: what should we build in May?",
        status=PostStatus.published,
        published_at=T0,
    )
    asked = make_conversation(
        session,
        channel=channel,
        post_id=call.id,
        received_at=T0 + hours(2),
        author_handle="@Mila Schmidt",
        text="Please add a dark mode! My eyes hurt at night.",
    )
    also = make_conversation(
        session,
        channel=channel,
        post_id=call.id,
        received_at=T0 + hours(5),
        author_handle="@Tom",
        text="Offline mode would be great",
    )
    make_conversation(  # a respondent who is also a giver is thanked as a giver, not twice
        session,
        channel=channel,
        post_id=call.id,
        received_at=T0 + hours(6),
        author_handle="@ben_2",
        text="Dark mode +1",
    )
    idea = make_idea(
        session,
        title="Dark mode",
        status=IdeaStatus.shipped,
        created_at=T0 + hours(3),
        valid_at=T0 + hours(24),
        shipped_at=T0 + hours(24 * 10),
        logged_by_id=team["support"].id,
    )
    session.add(IdeaConversation(idea_id=idea.id, conversation_id=asked.id))
    session.add_all(
        [
            IdeaGiver(idea_id=idea.id, handle="@Mila Schmidt", given_at=T0 + hours(2)),
            IdeaGiver(idea_id=idea.id, handle="@ben_2", given_at=T0 + hours(6)),
            Vote(idea_id=idea.id, user_id=team["lead"].id, created_at=T0 + hours(4)),
            Vote(idea_id=idea.id, user_id=team["editor"].id, created_at=T0 + hours(8)),
            AuditLog(actor="lead", action="idea.status.planned", entity="idea", entity_id=idea.id, at=T0 + hours(48)),
            AuditLog(
                actor="lead", action="idea.status.in_progress", entity="idea", entity_id=idea.id, at=T0 + hours(72)
            ),
        ]
    )
    announcement = make_ready_post(
        session,
        channel=channel,
        title="You asked, we did: dark mode",
        status=PostStatus.published,
        published_at=T0 + hours(24 * 12),
    )
    item = LoopItem(
        what_changed="Dark mode is live",
        shipped_on=dt.date(2025, 4, 11),
        status="thanked",
        created_at=T0 + hours(24 * 10 + 1),
        announcement_post_id=announcement.id,
        announced_at=T0 + hours(24 * 12),
    )
    session.add(item)
    session.flush()
    session.add(LoopItemIdea(loop_item_id=item.id, idea_id=idea.id))
    session.add_all(
        [
            LoopThanks(loop_item_id=item.id, handle="@Mila Schmidt", thanked_at=T0 + hours(24 * 12 + 2)),
            LoopThanks(loop_item_id=item.id, handle="@ben_2", thanked_at=T0 + hours(24 * 12 + 5)),
        ]
    )
    session.commit()
    return dict(call=call, asked=asked, also=also, idea=idea, item=item)


EXPECTED = [
    ("post", "Post published", T0, None),
    ("asked", "First asked", T0 + hours(2), hours(2)),
    ("idea", "Idea logged", T0 + hours(3), hours(1)),
    ("votes", "Team votes", T0 + hours(4), hours(1)),
    ("valid", "Triage: valid", T0 + hours(24), hours(20)),
    ("planned", "Planned", T0 + hours(48), hours(24)),
    ("in_progress", "In progress", T0 + hours(72), hours(24)),
    ("shipped", "Shipped", T0 + hours(240), hours(168)),
    ("loop", "Loop opened", T0 + hours(241), hours(1)),
    ("announced", "Announced", T0 + hours(288), hours(47)),
    ("thanked", "Givers thanked", T0 + hours(293), hours(5)),
]


@pytest.mark.parametrize("start", ["idea", "loop item"])
def test_the_chain_shows_every_step_with_the_time_it_took(session, shipped, start):
    view = (
        chain.idea_chain(session, idea_id=shipped["idea"].id)
        if start == "idea"
        else chain.loop_item_chain(session, loop_item_id=shipped["item"].id)
    )
    assert [(s.key, s.label, s.at, s.took) for s in view.steps] == EXPECTED
    steps = {s.key: s for s in view.steps}
    assert steps["asked"].detail.startswith("@Mila Schmidt on Instagram: Please add a dark mode!")
    assert steps["votes"].detail == "2 votes" and steps["thanked"].detail == "2 of 2 thanked"
    assert steps["idea"].detail == f"#{shipped['idea'].id} “Dark mode” by Sven Support"
    assert view.total == hours(293)


def test_steps_still_to_come_have_no_time_and_the_next_one_counts_from_the_last_that_happened(session, team, channel):
    idea = make_idea(session, title="Export to Excel", created_at=T0, valid_at=T0 + hours(30))
    session.add(IdeaGiver(idea_id=idea.id, handle="@Ana Paula", given_at=T0 - hours(1)))
    session.commit()
    steps = {s.key: s for s in chain.idea_chain(session, idea_id=idea.id).steps}
    assert (steps["post"].at, steps["post"].detail) == (None, "not from a post")
    assert (steps["asked"].at, steps["asked"].detail) == (T0 - hours(1), "@Ana Paula gave the idea")
    assert steps["votes"].at is None and steps["votes"].detail == "0 votes"
    assert steps["valid"].took == hours(30)  # since the idea was logged: the votes step never happened
    assert steps["loop"].at is None and "no loop item yet" in steps["loop"].detail


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(minutes=12), "12 min"),
        (dt.timedelta(hours=5, minutes=20), "5 h 20 min"),
        (dt.timedelta(hours=3), "3 h"),
        (dt.timedelta(days=3, hours=4), "3 days 4 h"),
        (dt.timedelta(days=1), "1 day"),
        (-dt.timedelta(hours=2), "−2 h"),
        (None, ""),
    ],
)
def test_durations_read_as_people_say_them(delta, text):
    assert chain.describe_duration(delta) == text


def test_the_people_who_answered_the_call_are_reached_and_not_counted_twice(session, team, channel, shipped):
    calls = queries.calls_answered(session, loop_item_id=shipped["item"].id)
    assert [(c.title, c.respondents) for c in calls] == [
        ("Ideas for the product: what should we build in May?", (("@Tom", "Instagram"),))
    ]
    replies = queries.call_replies(session, loop_item_id=shipped["item"].id)
    assert list(replies) == ["Ideas for the product: what should we build in May? · Instagram"]
    assert next(iter(replies.values())).startswith("@Tom You answered our call")


def test_the_announcement_draft_thanks_the_call_too(session, team, channel, shipped):
    item = session.get(LoopItem, shipped["item"].id)
    item.announcement_post_id, item.announced_at, item.status = None, None, "shipped"
    session.commit()
    post = draft_announcement(
        session=session, actor=team["lead"], loop_item_id=item.id, channel_id=channel.id, expected_version=item.version
    )
    assert "Thank you @ben_2 and @Mila Schmidt — you gave us the idea." in post.body
    assert (
        "And thanks to the 1 person who answered our call “Ideas for the product: what should we build in May?”."
        in (post.body)
    )


def test_shipped_ideas_without_a_loop_item_are_to_announce(session, team, shipped):
    make_idea(session, title="Passkeys", status=IdeaStatus.shipped, shipped_at=T0)
    target = make_idea(session, title="Bigger font", status=IdeaStatus.valid)
    make_idea(session, title="Larger text", status=IdeaStatus.shipped, merged_into_id=target.id)
    session.add(LoopItem(what_changed="CSV export", shipped_on=dt.date(2025, 4, 20)))  # not announced
    session.commit()
    counts = queries.to_announce(session)
    assert (counts.loop_items, counts.ideas_without_loop, counts.total) == (1, 1, 2)


def _another_call(session, channel, rubric_id: int, idea_id: int, n: int) -> None:
    """One more published call for ideas that collected the idea, answered by two people."""
    call = make_ready_post(
        session,
        channel=channel,
        rubric_id=rubric_id,
        title=f"Ideas for the product: round {n}",
        status=PostStatus.published,
        published_at=T0 + hours(24 * n),
    )
    first = make_conversation(
        session, channel=channel, post_id=call.id, received_at=T0 + hours(24 * n + 1), author_handle=f"@Round {n} Ana"
    )
    make_conversation(
        session, channel=channel, post_id=call.id, received_at=T0 + hours(24 * n + 2), author_handle=f"@round{n}_bo"
    )
    session.add(IdeaConversation(idea_id=idea_id, conversation_id=first.id))


def test_a_loop_items_givers_and_calls_are_read_together_in_the_same_statements_however_many_calls(
    session, channel, shipped, sql_statements
):
    item_id = shipped["item"].id
    with sql_statements() as one_call:
        people = item_people(session, loop_item_id=item_id)
    assert [g.handle for g in people.givers] == ["@ben_2", "@Mila Schmidt"]
    assert [g.thanked for g in people.givers] == [True, True]
    assert [c.respondents for c in people.calls] == [(("@Tom", "Instagram"),)]
    assert people.givers == tuple(queries.givers(session, loop_item_id=item_id))

    rubric = session.exec(select(Rubric).where(Rubric.name == "Ideas for the product")).one()
    for n in (3, 4, 5):
        _another_call(session, channel, rubric.id, shipped["idea"].id, n)
    session.commit()
    with sql_statements() as four_calls:
        people = item_people(session, loop_item_id=item_id)
    assert [c.title for c in people.calls][1:] == [f"Ideas for the product: round {n}" for n in (3, 4, 5)]
    assert people.calls[2].respondents == (("@Round 4 Ana", "Instagram"), ("@round4_bo", "Instagram"))
    assert len(four_calls) == len(one_call), "\n\n".join(four_calls)


def test_the_people_of_a_loop_item_that_does_not_exist_are_refused(session, team):
    with pytest.raises(NotFoundError, match="Loop item #4242 does not exist"):
        item_people(session, loop_item_id=4242)
