"""The SLA queues (breached / at risk / on track / follow-up): each open item in exactly one, nearest
deadline first, business time left for the rows shown, the filters, pages, and the SQL cut-off
agreeing with the status rule; replies stamped before the message listed as data problems.

The week of Monday 2025-11-10 is plain CET with no German holidays; office hours are
09:00–13:00 and 14:00–18:00, Monday to Friday.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.sla import figures, policies, queues
from db.models import Conversation, ConversationStatus, Role
from tests.factories import make_channel, make_sla_conversation, make_sla_policy, make_user

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


# -- queues ---------------------------------------------------------------------------------------

NOW = berlin("2025-11-11 11:00")  # Tuesday, open


@pytest.fixture
def queue_world(session):
    """Conversations in every queue at NOW (window 120 → at risk when ≤ 30 min left; complaints 60 → ≤ 15)."""
    support = make_user(session, Role.support)
    channel = make_channel(session, name="Instagram")
    other = make_channel(session, name="Telegram")
    make_sla_policy(session, minutes=120)
    make_sla_policy(session, minutes=60, kind="complaint")
    c = {}

    def add(name, received, **fields):
        fields.setdefault("channel", channel)
        c[name] = make_sla_conversation(session, received_at=berlin(received), **fields)

    add("monday_breached", "2025-11-10 10:00", category="billing")
    add("evening_breached", "2025-11-10 17:50", channel=other)  # 10 min Monday + 110 Tuesday → due 10:50
    add("risk_20", "2025-11-11 09:20", assignee_id=support.id)
    add("risk_30_boundary", "2025-11-11 09:30")
    add("track_31", "2025-11-11 09:31", category="billing")
    add("track_fresh", "2025-11-11 10:50", assignee_id=support.id)
    add("complaint_risk", "2025-11-11 10:10", kind="complaint")
    add("replied", "2025-11-11 09:00", first_reply_at=berlin("2025-11-11 09:40"), status=ConversationStatus.waiting)
    add("ugc", "2025-11-11 09:00", kind="ugc")
    add("no_reply", "2025-11-10 09:00", status=ConversationStatus.no_reply_needed, no_reply_reason="spam")
    add(
        "resolved",
        "2025-11-10 09:00",
        first_reply_at=berlin("2025-11-10 09:10"),
        status=ConversationStatus.resolved,
        resolved_at=berlin("2025-11-10 10:00"),
    )
    session.commit()
    return SimpleNamespace(conversations=c, support=support, channel=channel, other=other)


def _ids(page):
    return [item.id for item in page.items]


def test_each_open_item_sits_in_exactly_one_queue(queue_world, session):
    c = queue_world.conversations
    counts = queues.queue_counts(session, now=NOW)
    # track_31 has 31 min left at 11:00: it falls to the 30-minute threshold at 11:01, before the
    # complaint's deadline at 11:10.
    assert counts == queues.QueueCounts(
        breached=2, at_risk=3, on_track=2, follow_up=2, valid_until=berlin("2025-11-11 11:01").astimezone(dt.UTC)
    )
    pages = {q: _ids(queues.queue_page(session, queue=q, now=NOW)) for q in queues.Queue}
    assert pages[queues.Queue.breached] == [c["monday_breached"].id, c["evening_breached"].id]  # nearest deadline first
    assert pages[queues.Queue.at_risk] == [c["complaint_risk"].id, c["risk_20"].id, c["risk_30_boundary"].id]
    assert pages[queues.Queue.on_track] == [c["track_31"].id, c["track_fresh"].id]
    assert set(pages[queues.Queue.follow_up]) == {c["replied"].id, c["ugc"].id}


def test_queue_rows_show_business_time_left_and_status(queue_world, session):
    rows = queues.queue_page(session, queue=queues.Queue.at_risk, now=NOW).items
    assert [round(r.business_minutes_left, 6) for r in rows] == [10, 20, 30]
    assert {r.sla_status for r in rows} == {figures.SlaStatus.at_risk}
    breached = queues.queue_page(session, queue=queues.Queue.breached, now=NOW).items
    assert breached[0].business_minutes_left == pytest.approx(
        120 - (420 + 120)
    )  # window − (Mon 10–18 less lunch + Tue 9–11)
    assert breached[0].sla_status == figures.SlaStatus.breached
    on_track = queues.queue_page(session, queue=queues.Queue.on_track, now=NOW).items
    assert [r.sla_status for r in on_track] == [figures.SlaStatus.on_track] * 2


@pytest.mark.parametrize(
    "filters, expected",
    [
        (queues.QueueFilters(category="billing"), {"monday_breached", "track_31"}),
        (queues.QueueFilters(kind="complaint"), {"complaint_risk"}),
        (
            queues.QueueFilters(unassigned=True),
            {"monday_breached", "evening_breached", "risk_30_boundary", "track_31", "complaint_risk", "replied", "ugc"},
        ),
    ],
)
def test_queue_filters(queue_world, session, filters, expected):
    c = queue_world.conversations
    found = set()
    for queue in queues.Queue:
        found |= set(_ids(queues.queue_page(session, queue=queue, now=NOW, filters=filters)))
    assert found == {c[name].id for name in expected}


def test_queue_filters_by_channel_and_assignee(queue_world, session):
    c = queue_world.conversations
    by_channel = queues.queue_page(
        session, queue=queues.Queue.breached, now=NOW, filters=queues.QueueFilters(channel_id=queue_world.other.id)
    )
    assert _ids(by_channel) == [c["evening_breached"].id]
    mine = queues.QueueFilters(assignee_id=queue_world.support.id)
    # Only their items' clocks count: risk_20's deadline at 11:20 (track_fresh falls at risk at 12:20).
    assert queues.queue_counts(session, now=NOW, filters=mine) == queues.QueueCounts(
        breached=0, at_risk=1, on_track=1, follow_up=0, valid_until=berlin("2025-11-11 11:20").astimezone(dt.UTC)
    )


def test_queue_pages_are_bounded(queue_world, session):
    first = queues.queue_page(session, queue=queues.Queue.at_risk, now=NOW, limit=2)
    second = queues.queue_page(session, queue=queues.Queue.at_risk, now=NOW, limit=2, offset=2)
    assert first.total == second.total == 3
    assert len(first.items) == 2 and len(second.items) == 1
    assert not set(_ids(first)) & set(_ids(second))


@pytest.mark.parametrize(
    "now",
    [
        berlin("2025-11-11 11:00"),
        berlin("2025-11-11 13:30"),
        berlin("2025-11-14 17:55"),
        berlin("2025-11-15 12:00"),
        berlin("2025-11-17 09:05"),
    ],
    ids=["open", "lunch", "friday close", "weekend", "monday opening"],
)
def test_queue_classification_in_sql_agrees_with_the_status_rule(session, now):
    """The SQL cut-off (deadline ≤ calendar.deadline(now, threshold)) must put every open item
    where the status rule (window − elapsed(received, now) ≤ threshold) puts it."""
    channel = make_channel(session)
    make_sla_policy(session, minutes=120)
    make_sla_policy(session, minutes=45, kind="complaint", at_risk_share=0.5, at_risk_min_minutes=5)
    received = now - dt.timedelta(days=4)
    while received < now:
        make_sla_conversation(
            session, channel=channel, received_at=received, kind="complaint" if received.minute % 2 else "question"
        )
        received += dt.timedelta(minutes=37)
    session.commit()
    book = policies.PolicyBook.load(session)
    expected: dict[queues.Queue, set[int]] = {
        q: set() for q in (queues.Queue.breached, queues.Queue.at_risk, queues.Queue.on_track)
    }
    for conversation in session.exec(select(Conversation)):
        left = figures.business_minutes_left(
            received_at=conversation.received_at,
            window_minutes=conversation.window_minutes,
            now=now,
            calendar=book.calendar_of(conversation.sla_policy_id),
        )
        status = figures.sla_status(
            needs_reply=True,
            deadline_at=conversation.deadline_at,
            first_reply_at=None,
            reply_before_message=False,
            now=now,
            minutes_left=left,
            at_risk_threshold=book.threshold(conversation.sla_policy_id, conversation.window_minutes),
        )
        expected[queues.Queue(status.value)].add(conversation.id)
    for queue, ids in expected.items():
        assert set(_ids(queues.queue_page(session, queue=queue, now=now, limit=500))) == ids, queue
    assert sum(len(ids) for ids in expected.values()) > 100


def _without_clock(counts: queues.QueueCounts) -> queues.QueueCounts:
    return dataclasses.replace(counts, valid_until=None)


@pytest.mark.parametrize(
    "now",
    [
        berlin("2025-11-11 10:59:30"),
        berlin("2025-11-11 13:30"),  # lunch: nothing moves until 14:00
        berlin("2025-11-14 17:55"),  # Friday evening: the weekend stops every clock
        berlin("2025-11-15 12:00"),
        berlin("2025-11-17 09:05"),
    ],
    ids=["open", "lunch", "friday close", "weekend", "monday opening"],
)
def test_the_counts_hold_until_the_instant_they_say_and_change_then(session, now):
    """``valid_until`` is the first instant at which the clock alone moves an item between
    queues: up to a microsecond before it every count is as read, at it one has changed. A screen
    keeps the counts until then instead of counting again every minute."""
    channel = make_channel(session)
    make_sla_policy(session, minutes=120)
    make_sla_policy(session, minutes=45, kind="complaint", at_risk_share=0.5, at_risk_min_minutes=5)
    received = now - dt.timedelta(days=4)
    while received < now + dt.timedelta(hours=1):
        make_sla_conversation(
            session, channel=channel, received_at=received, kind="complaint" if received.minute % 2 else "question"
        )
        received += dt.timedelta(minutes=37)
    session.commit()
    steps = 0
    while steps < 6:  # follow the clock through several changes
        counts = queues.queue_counts(session, now=now)
        assert counts.valid_until is not None and counts.valid_until > now
        just_before = counts.valid_until - dt.timedelta(microseconds=1)
        assert _without_clock(queues.queue_counts(session, now=just_before)) == _without_clock(counts)
        assert _without_clock(queues.queue_counts(session, now=counts.valid_until)) != _without_clock(counts)
        now = counts.valid_until
        steps += 1


def test_without_a_running_clock_the_counts_never_change_by_themselves(queue_world, session):
    for conversation in session.exec(select(Conversation)):
        conversation.first_reply_at = conversation.first_reply_at or conversation.received_at
    session.commit()
    assert queues.queue_counts(session, now=NOW).valid_until is None


def test_data_problems_are_listed_not_hidden(session):
    make_sla_policy(session)
    channel = make_channel(session)
    flagged = make_sla_conversation(
        session, channel=channel, received_at=berlin("2025-11-10 10:00"), first_reply_at=berlin("2025-11-10 09:00")
    )
    make_sla_conversation(
        session, channel=channel, received_at=berlin("2025-11-10 10:00"), first_reply_at=berlin("2025-11-10 10:30")
    )
    rows = queues.data_problems(session, now=NOW)
    assert [r.id for r in rows] == [flagged.id]
    assert rows[0].reply_before_message and rows[0].sla_status == figures.SlaStatus.not_applicable
