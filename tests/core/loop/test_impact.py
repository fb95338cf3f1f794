"""Impact: conversations before and after in the linked categories, the measurement, the overdue list."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.errors import NotFoundError, ValidationError
from core.loop.impact import (
    impact_not_measured,
    impact_not_measured_count,
    loop_item_impact,
    record_measurement,
    set_impact,
)
from db.models import (
    LoopItemImpact,
    LoopStatus,
    Role,
)
from tests.core.loop.arrange import idea_with_givers, open_loop
from tests.factories import make_channel, make_conversation

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
S, A, T, M = LoopStatus.shipped, LoopStatus.announced, LoopStatus.thanked, LoopStatus.measured


# --- impact -----------------------------------------------------------------------------------


def test_conversations_before_and_after_are_counted_in_the_linked_categories_only(write, read, team):
    shipped_on = dt.date(2026, 3, 10)
    with write() as s:
        channel = make_channel(s)
        idea_id = idea_with_givers(s, "@a").id

        def at(day, hour=12):
            return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN).astimezone(UTC)

        for received, category in [
            (at(dt.date(2026, 2, 7), 23), "billing"),  # before the before-window (N=30 starts 8 Feb)
            (at(dt.date(2026, 2, 8), 0), "billing"),  # first instant of the before-window
            (at(dt.date(2026, 3, 1)), "billing"),
            (at(dt.date(2026, 3, 9), 23), "login"),
            (at(dt.date(2026, 3, 10)), "billing"),  # the shipped day itself: in neither
            (at(dt.date(2026, 3, 11), 0), "login"),  # first instant after
            (at(dt.date(2026, 4, 9), 23), "billing"),  # last hour of the after-window
            (at(dt.date(2026, 4, 10), 0), "billing"),  # after the after-window
            (at(dt.date(2026, 3, 20)), "export"),  # another category
        ]:
            make_conversation(s, channel=channel, received_at=received, category=category)
    item = open_loop(write, team[Role.lead], idea_id, shipped_on=shipped_on, impact_categories=["billing", "login"])
    with read() as s:
        during = loop_item_impact(s, loop_item_id=item.id, today=dt.date(2026, 4, 1))
        after = loop_item_impact(s, loop_item_id=item.id, today=dt.date(2026, 4, 10))
    assert (during.kind, during.before, during.after, during.measured) == ("conversations", 3, 2, False)
    assert (after.before, after.after, after.change, after.measured) == (3, 2, -1, True)
    assert after.categories == ("billing", "login")


def test_items_without_a_measurement_after_their_window_are_listed_as_not_measured(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        ids = [idea_with_givers(s, "@a").id for _ in range(3)]
    old = open_loop(write, lead, ids[0], shipped_on=dt.date(2026, 1, 1))
    recent = open_loop(write, lead, ids[1], shipped_on=dt.date(2026, 2, 20))
    measured = open_loop(write, lead, ids[2], shipped_on=dt.date(2026, 1, 1))
    with write() as s:
        set_impact(
            session=s,
            actor=lead,
            loop_item_id=measured.id,
            expected_version=measured.version,
            impact_in=LoopItemImpact(nps_before=1, nps_after=2),
        )
    with read() as s:
        listed = [i.id for i in impact_not_measured(s, today=dt.date(2026, 3, 1))]
    assert listed == [old.id]
    assert recent.id not in listed


def test_recording_a_measurement_needs_a_complete_figure(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        idea_id = idea_with_givers(s, "@a", category="billing").id
    item = open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="not over yet"), write() as s:
        record_measurement(
            session=s, actor=lead, loop_item_id=item.id, expected_version=item.version, today=dt.date(2026, 3, 15)
        )
    with write() as s:
        view = record_measurement(
            session=s, actor=lead, loop_item_id=item.id, expected_version=item.version, today=dt.date(2026, 4, 1)
        )
    assert view.measured_at is not None and view.status == S  # measured, but not announced yet


@pytest.mark.parametrize(
    ("shipped_on", "window", "due"),
    [
        (dt.date(2026, 1, 30), 30, True),  # shipped_on + 30 days == today: due
        (dt.date(2026, 1, 31), 30, False),
        (dt.date(2026, 2, 22), 7, True),
        (dt.date(2026, 2, 23), 7, False),
        (dt.date(2026, 1, 1), 90, False),  # long window: not over yet though shipped long ago
        (dt.date(2025, 12, 1), 90, True),
    ],
)
def test_not_measured_uses_each_loop_items_own_window(write, read, team, shipped_on, window, due):
    lead = team[Role.lead]
    with write() as s:
        ids = [idea_with_givers(s, "@a").id for _ in range(2)]
    # Another item with the default window keeps a second window length in play.
    other = open_loop(write, lead, ids[0], shipped_on=dt.date(2026, 1, 1))
    item = open_loop(write, lead, ids[1], shipped_on=shipped_on, impact_window_days=window)
    with read() as s:
        listed = [i.id for i in impact_not_measured(s, today=dt.date(2026, 3, 1))]
        assert impact_not_measured_count(s, today=dt.date(2026, 3, 1)) == len(listed) == (2 if due else 1)
    assert (item.id in listed) is due
    assert other.id in listed


def test_not_measured_lists_at_most_the_limit_oldest_first(write, read, team):
    lead = team[Role.lead]
    with write() as s:
        ids = [idea_with_givers(s, "@a").id for _ in range(4)]
    opened = [
        open_loop(write, lead, idea_id, shipped_on=dt.date(2026, 1, 1) + dt.timedelta(days=n))
        for n, idea_id in enumerate(ids)
    ]
    with read() as s:
        listed = [i.id for i in impact_not_measured(s, today=dt.date(2026, 6, 1), limit=3)]
        assert impact_not_measured(s, today=dt.date(2026, 1, 2)) == []
        assert impact_not_measured_count(s, today=dt.date(2026, 6, 1)) == 4  # all of them, not the listed 3
        assert impact_not_measured_count(s, today=dt.date(2026, 1, 2)) == 0
    assert listed == [i.id for i in opened[:3]]


def test_the_impact_of_a_loop_item_that_does_not_exist_is_refused(read, team):
    with read() as s, pytest.raises(NotFoundError, match="Loop item #4242 does not exist"):
        loop_item_impact(s, loop_item_id=4242, today=dt.date(2026, 4, 1))
