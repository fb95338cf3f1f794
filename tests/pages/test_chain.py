"""The whole chain in AppTest, as the team works it on the screens: support turns a conversation on
a post into an idea and adds a second conversation to it; the lead votes, triages and ships it by
opening a loop from an empty form, drafts and publishes the announcement and thanks the givers; the
chain view shows every step; the original conversations show the loop item ("it's done").

The page runs at the real ``now``, so the SLA policy's calendar is always open.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.loop.queries import get_loop_item
from db.models import Idea, IdeaConversation, IdeaGiver, IdeaStatus, LoopItem, PostStatus, Role
from db.types import utcnow
from tests.factories import make_channel, make_post, make_sla_conversation, make_sla_policy, make_user
from tests.pages.apptest import open_page, show, texts
from ui.ideas_view import SELECTED

ALWAYS_OPEN = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def _button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def asked(session):
    """A call for ideas published two days ago and two comments on it asking for the same thing."""
    now = utcnow()
    people = {
        role: make_user(session, role, username=f"the-{role.value}", name=f"{role.value.title()} Person")
        for role in (Role.support, Role.lead)
    }
    make_sla_policy(session, minutes=120, calendar=ALWAYS_OPEN)
    channel = make_channel(session, name="Instagram")
    call = make_post(
        session,
        channel=channel,
        title="Ideas for the product: what should we build next?",
        status=PostStatus.published,
        scheduled_at=now - dt.timedelta(days=2),
        published_at=now - dt.timedelta(days=2),
        sla_owner_id=people[Role.support].id,
    )
    first = make_sla_conversation(
        session,
        channel=channel,
        received_at=now - dt.timedelta(days=1, hours=20),
        author_handle="@Ann.Example",
        text="Please add a dark mode to the app. My eyes hurt at night.",
        category="mobile app",
        post_id=call.id,
    )
    second = make_sla_conversation(
        session,
        channel=channel,
        received_at=now - dt.timedelta(days=1, hours=18),
        author_handle="@bo_builder",
        text="+1 for a dark theme, the white screen is blinding at 2 am",
        category="mobile app",
        post_id=call.id,
    )
    session.commit()
    return dict(people=people, call=call, first=first, second=second)


def test_a_conversation_becomes_an_idea_ships_is_announced_and_the_chain_shows_every_step(session, read, asked):
    first, second = asked["first"], asked["second"]

    # Support: the first conversation (the oldest, breached) is open; "New idea" from it.
    key = f"sla_idea_{first.id}"
    sla = _ok(open_page("sla", username="the-support"))
    assert f"{key}_title" not in [w.key for w in sla.text_input]  # the closed expander reads no suggestions
    sla.session_state[f"{key}_open"] = True  # "Turn into an idea" opened
    sla = _ok(sla.run())
    assert sla.text_input(key=f"{key}_title").value == "Please add a dark mode to the app."  # prefilled
    sla.text_input(key=f"{key}_title").input("Dark mode in the app")
    sla = _ok(_button(sla, "New idea").click().run())
    assert "is its giver" in texts(sla)
    with read() as s:
        idea = s.exec(select(Idea)).one()
        assert idea.title == "Dark mode in the app" and idea.category == "mobile app"
        assert idea.post_id == asked["call"].id and idea.status == IdeaStatus.new
        assert s.exec(select(IdeaGiver.handle).where(IdeaGiver.idea_id == idea.id)).all() == ["@Ann.Example"]
    assert f"idea #{idea.id} “Dark mode in the app”" in texts(sla)

    # The second conversation is added to that idea (found by its title).
    sla.selectbox(key=f"sla_pick_{sla.radio(key='sla_queue').value}").set_value(second.id)
    sla = _ok(sla.run())
    key = f"sla_idea_{second.id}"
    sla.session_state[f"{key}_open"] = True
    sla = _ok(sla.run())
    sla.text_input(key=f"{key}_search").input("dark mode")
    sla = _ok(sla.run())
    sla.selectbox(key=f"{key}_pick").set_value(idea.id)
    sla = _ok(_button(sla, "Add to idea").click().run())
    assert f"Added to idea #{idea.id}; @bo\\_builder is a giver now." in texts(sla)
    with read() as s:
        linked = s.exec(select(IdeaConversation.conversation_id).where(IdeaConversation.idea_id == idea.id)).all()
        assert sorted(linked) == sorted([first.id, second.id])
        handles = s.exec(select(IdeaGiver.handle).where(IdeaGiver.idea_id == idea.id)).all()
        assert sorted(handles) == ["@Ann.Example", "@bo_builder"]

    # The lead: the idea lists both conversations; a vote and triage up to "in progress".
    ideas = open_page("ideas", username="the-lead")
    ideas.session_state[SELECTED] = idea.id
    ideas = _ok(ideas.run())
    listed = next(df.value for df in ideas.dataframe if "Via idea" in df.value.columns)
    assert sorted(listed["#"]) == sorted([first.id, second.id])
    ideas = _ok(_button(ideas, "Vote").click().run())
    for status in ("valid", "planned", "in_progress"):
        ideas.selectbox(key=f"ideas_d_status_{idea.id}").set_value(status)
        ideas = _ok(_button(ideas, "Change status").click().run())
        with read() as s:
            assert s.get(Idea, idea.id).status == status

    # The lead ships it by opening a loop: the form starts empty, the loop links exactly the pick.
    loop = _ok(open_page("loop", username="the-lead"))
    assert loop.multiselect(key="loop_new_ideas").value == []
    loop.multiselect(key="loop_new_ideas").set_value([idea.id])
    loop.text_input(key="loop_new_what").input("Dark mode is live in the app")
    loop = _ok(_button(loop, "Open the loop").click().run())
    with read() as s:
        item = s.exec(select(LoopItem)).one()
        assert s.get(Idea, idea.id).status == IdeaStatus.shipped
        assert [i.id for i in get_loop_item(s, item.id).ideas] == [idea.id]
    loop = _ok(_button(loop, "Draft the announcement").click().run())
    with read() as s:
        post_id = get_loop_item(s, item.id).announcement_post_id
    assert post_id is not None

    # Publishing the announcement on the calendar, as a lead does it.
    calendar = _ok(open_page("calendar", username="the-lead"))
    calendar = _ok(next(b for b in calendar.button if "Dark mode is live in the app" in b.label).click().run())
    calendar.checkbox(key="calendar_e_tone_confirmed").check()
    calendar.selectbox(key="calendar_e_sla_owner_id").set_value(asked["people"][Role.lead].id)
    calendar.date_input(key="calendar_e_date").set_value(dt.datetime.now(ZoneInfo("Europe/Berlin")).date())
    calendar = _ok(_button(calendar, "Approve and schedule").click().run())
    calendar = _ok(_button(calendar, "Mark as published").click().run())
    with read() as s:
        assert get_loop_item(s, item.id).status == "announced"

    # Before the thanks the open loop's chain waits for that one step.
    loop = _ok(show(loop, {f"loop_chain_open_{item.id}": True}))
    chain = next(df.value for df in loop.dataframe if "Took" in df.value.columns)
    assert [step for step, when in zip(chain["Step"], chain["When"], strict=True) if when == "not yet"] == [
        "Givers thanked"
    ]
    # The givers thanked, the loop is closed; its chain (on the closed timeline) shows every step, in order.
    for handle in ("@Ann.Example", "@bo_builder"):
        loop.checkbox(key=f"loop_thank_{item.id}_{handle}").check()
    loop = _ok(_button(loop, "Save thanks").click().run())
    loop = _ok(show(loop, {"loop_tab": "Closed loops", f"loop_chain_closed_{item.id}": True}))
    chain = next(df.value for df in loop.dataframe if "Took" in df.value.columns)
    assert list(chain["Step"]) == [
        "Post published",
        "First asked",
        "Idea logged",
        "Team votes",
        "Triage: valid",
        "Planned",
        "In progress",
        "Shipped",
        "Loop opened",
        "Announced",
        "Givers thanked",
    ]
    assert "not yet" not in set(chain["When"])
    detail = dict(zip(chain["Step"], chain["What"], strict=True))
    assert (
        detail["First asked"].startswith("@Ann.Example on Instagram: Please add a dark mode")
        and "+1 more" in (detail["First asked"])
    )
    assert detail["Givers thanked"] == "2 of 2 thanked"
    assert "11 of 11 steps done" in texts(loop)

    # The same chain from the idea.
    ideas = _ok(ideas.run())
    from_idea = next(df.value for df in ideas.dataframe if "Took" in df.value.columns)
    assert list(from_idea["Step"]) == list(chain["Step"]) and "not yet" not in set(from_idea["When"])

    # Support: both original conversations show the loop item and the "it's done" reply.
    sla = _ok(open_page("sla", username="the-support"))
    for conversation in (first, second):
        sla.selectbox(key=f"sla_pick_{sla.radio(key='sla_queue').value}").set_value(conversation.id)
        sla = _ok(sla.run())
        done = [s.value for s in sla.success if s.value.startswith("Done: Dark mode is live in the app")]
        assert done and "announced" in done[0], texts(sla)
        assert any("Dark mode is live in the app" in c.value for c in sla.code)
