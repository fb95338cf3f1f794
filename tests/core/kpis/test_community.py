"""The community KPIs: active share against the audience, returns D7 and D30."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models import AudienceSize, IdeaGiver
from tests.core.kpis.arrange import berlin, compute
from tests.factories import make_channel, make_conversation, make_idea


def test_active_share_counts_each_person_once_against_the_audience_of_the_period(session, channel):
    telegram = make_channel(session, name="Telegram")
    make_conversation(session, channel=channel, received_at=berlin(4, 10), author_handle="@ann")
    make_conversation(session, channel=channel, received_at=berlin(5, 10), author_handle="@ann")
    make_conversation(session, channel=telegram, received_at=berlin(5, 10), author_handle="@bob")
    idea = make_idea(session, channel_id=channel.id)
    session.add_all(
        [
            IdeaGiver(idea_id=idea.id, handle="@cleo", channel_id=channel.id, given_at=berlin(6, 10)),
            IdeaGiver(idea_id=idea.id, handle="@ann", channel_id=channel.id, given_at=berlin(6, 10)),
            IdeaGiver(idea_id=make_idea(session).id, handle="@dan", given_at=berlin(20, 10, month=2)),  # before
        ]
    )
    session.add_all(
        [
            AudienceSize(
                channel_id=channel.id, period_start=dt.date(2025, 3, 1), period_end=dt.date(2025, 3, 31), size=100
            ),
            AudienceSize(
                channel_id=telegram.id, period_start=dt.date(2025, 2, 1), period_end=dt.date(2025, 3, 5), size=200
            ),
            AudienceSize(
                channel_id=telegram.id, period_start=dt.date(2025, 3, 6), period_end=dt.date(2025, 3, 31), size=400
            ),
        ]
    )
    session.flush()

    everything = compute(session)["active_share"]
    # @ann, @bob, @cleo over 100 + (200·3 + 400·4) / 7 people.
    assert everything.value == pytest.approx(3 / (100 + 2200 / 7) * 100)
    # Instagram alone: @ann and @cleo (their idea is Instagram's) over 100.
    assert compute(session, channel=channel)["active_share"].value == pytest.approx(2.0)
    assert compute(session, channel=telegram)["active_share"].value == pytest.approx(1 / (2200 / 7) * 100)


def test_active_share_without_an_audience_has_no_data_and_names_the_channel(session, channel):
    make_conversation(session, channel=channel, received_at=berlin(4, 10))
    value = compute(session)["active_share"]
    assert value.value is None
    assert "no audience size for Instagram" in value.detail


def test_returns_d7_and_d30_of_people_first_seen_in_the_period(session, channel):
    other = make_channel(session, name="Forum")
    first = berlin(4, 10, second=0, micro=250_000)

    def seen(handle, at, where=channel):
        make_conversation(session, channel=where, received_at=at, author_handle=handle)

    seen("@old", berlin(20, 10, month=2))  # seen before the period: not new
    seen("@old", berlin(4, 10))
    seen("@once", first)  # seen only once
    seen("@back3", first)
    seen("@back3", first + dt.timedelta(days=3))
    idea = make_idea(session, channel_id=channel.id)
    session.add(IdeaGiver(idea_id=idea.id, handle="@back20", channel_id=channel.id, given_at=first))
    seen("@back20", first + dt.timedelta(days=20))
    seen("@exactly7", first)
    seen("@exactly7", first + dt.timedelta(days=7))  # exactly 7 × 24 h later: within D7
    seen("@late7", first)
    seen("@late7", first + dt.timedelta(days=7, microseconds=1))  # a hair later: D30 only
    seen("@same", first)
    seen("@same", first, where=other)  # the same instant is not "another, after"
    seen("@elsewhere", first)
    seen("@elsewhere", first + dt.timedelta(days=2), where=other)
    session.flush()

    values = compute(session)
    # New: @once, @back3, @back20, @exactly7, @late7, @same, @elsewhere = 7.
    # Back within 7 days: @back3, @exactly7, @elsewhere; within 30: those and @back20, @late7.
    assert values["returns_d7"].value == pytest.approx(3 / 7 * 100)
    assert values["returns_d30"].value == pytest.approx(5 / 7 * 100)
    assert values["returns_d7"].detail == "3 of 7 new people back within 7 days"
    # Instagram alone: @elsewhere's return was in the forum; @same is back nowhere.
    instagram = compute(session, channel=channel)
    assert instagram["returns_d7"].value == pytest.approx(2 / 7 * 100)
    assert instagram["returns_d30"].value == pytest.approx(4 / 7 * 100)


def test_nobody_new_in_the_period_means_no_returns_data(session, channel):
    make_conversation(session, channel=channel, received_at=berlin(20, 10, month=2), author_handle="@old")
    make_conversation(session, channel=channel, received_at=berlin(4, 10), author_handle="@old")
    values = compute(session)
    assert values["returns_d7"].value is None and values["returns_d30"].value is None
