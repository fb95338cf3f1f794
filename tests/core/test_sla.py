"""SLA rules: policy choice, the figures fixed per conversation, status at a moment, the queues
(breached / at risk / on track / follow-up) and policy administration with the audited recompute.

The week of Monday 2025-11-10 is plain CET with no German holidays; office hours are
09:00–13:00 and 14:00–18:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import audit, conversations, sla
from core.business_time import BusinessCalendar
from core.errors import ConflictError, PermissionDenied, ValidationError
from db.models import AuditLog, Conversation, ConversationStatus, Role
from tests.factories import OFFICE_HOURS, make_channel, make_sla_conversation, make_sla_policy, make_user

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
OFFICE = BusinessCalendar.from_dict(OFFICE_HOURS)


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


# -- choosing the policy ------------------------------------------------------------------------


def _policy(id, channel_id=None, kind=None, active=True):
    return SimpleNamespace(id=id, channel_id=channel_id, kind=kind, active=active)


POLICIES = [
    _policy(1),
    _policy(2, kind="complaint"),
    _policy(3, channel_id=7),
    _policy(4, channel_id=7, kind="complaint"),
    _policy(5, channel_id=8, active=False),
]


@pytest.mark.parametrize(
    "channel_id, kind, expected",
    [
        (9, "question", 1),  # only the general policy fits
        (9, "complaint", 2),  # kind-specific wins over general
        (7, "question", 3),  # channel-specific wins over general
        (7, "complaint", 4),  # channel and kind win over everything
        (8, "question", 1),  # an inactive policy never applies
    ],
)
def test_the_most_specific_active_policy_applies(channel_id, kind, expected):
    assert sla.choose_policy(POLICIES, channel_id=channel_id, kind=kind).id == expected


def test_no_fitting_policy_means_no_policy():
    assert sla.choose_policy([_policy(1, kind="complaint")], channel_id=1, kind="question") is None


# -- figures fixed on a conversation ----------------------------------------------------------


@pytest.mark.parametrize(
    "received, minutes, deadline, what",
    [
        ("2025-11-10 10:00", 120, "2025-11-10 12:00", "inside one morning"),
        ("2025-11-10 12:30", 120, "2025-11-10 15:30", "across the lunch break"),
        ("2025-11-14 17:00", 120, "2025-11-17 10:00", "across the weekend"),
        ("2025-11-15 11:00", 120, "2025-11-17 11:00", "received on a Saturday"),
        ("2025-11-10 16:00", 120, "2025-11-10 18:00", "deadline exactly at closing time"),
        ("2025-11-10 20:00", 30, "2025-11-11 09:30", "received at night"),
    ],
)
def test_the_deadline_is_counted_in_business_time(received, minutes, deadline, what):
    figures = sla.sla_figures(
        received_at=berlin(received), first_reply_at=None, policy_id=1, first_response_minutes=minutes, calendar=OFFICE
    )
    assert figures.deadline_at == berlin(deadline), what
    assert figures.window_minutes == minutes
    assert figures.business_minutes_to_reply is None and not figures.reply_before_message


@pytest.mark.parametrize(
    "received, replied, business, calendar",
    [
        ("2025-11-10 10:00", "2025-11-10 11:00", 60, 60),
        ("2025-11-10 17:30", "2025-11-11 09:30", 60, 960),
        ("2025-11-10 20:00", "2025-11-11 08:30", 0, 750),  # answered before opening: 0 business minutes
        ("2025-11-14 17:45", "2025-11-17 09:15", 30, 3810),
    ],
)
def test_time_to_first_reply_is_fixed_in_business_and_calendar_minutes(received, replied, business, calendar):
    figures = sla.sla_figures(
        received_at=berlin(received),
        first_reply_at=berlin(replied),
        policy_id=1,
        first_response_minutes=120,
        calendar=OFFICE,
    )
    assert figures.business_minutes_to_reply == pytest.approx(business)
    assert figures.calendar_minutes_to_reply == pytest.approx(calendar)


def test_a_reply_before_the_message_is_flagged_and_left_without_times():
    figures = sla.sla_figures(
        received_at=berlin("2025-11-10 10:00"),
        first_reply_at=berlin("2025-11-10 09:55"),
        policy_id=1,
        first_response_minutes=120,
        calendar=OFFICE,
    )
    assert figures.reply_before_message
    assert figures.business_minutes_to_reply is None and figures.calendar_minutes_to_reply is None
    assert figures.deadline_at == berlin("2025-11-10 12:00")


def test_without_a_policy_there_is_no_deadline_but_calendar_time_is_kept():
    figures = sla.sla_figures(
        received_at=berlin("2025-11-10 10:00"),
        first_reply_at=berlin("2025-11-10 10:30"),
        policy_id=None,
        first_response_minutes=None,
        calendar=None,
    )
    assert figures.deadline_at is None and figures.sla_policy_id is None
    assert figures.calendar_minutes_to_reply == 30


# -- status at a moment ---------------------------------------------------------------------------

DEADLINE = berlin("2025-11-10 12:00")
US = dt.timedelta(microseconds=1)


@pytest.mark.parametrize(
    "reply, now, left, expected",
    [
        (DEADLINE, DEADLINE + dt.timedelta(days=1), None, sla.SlaStatus.met),  # a reply at the deadline itself is met
        (DEADLINE + US, DEADLINE + dt.timedelta(days=1), None, sla.SlaStatus.breached),
        (None, DEADLINE, 0.0, sla.SlaStatus.breached),  # no reply: breached once now >= deadline
        (None, DEADLINE - US, 30.0, sla.SlaStatus.at_risk),  # exactly the threshold left: at risk
        (None, DEADLINE - dt.timedelta(hours=1), 30.01, sla.SlaStatus.on_track),
    ],
)
def test_status_at_a_moment(reply, now, left, expected):
    status = sla.sla_status(
        needs_reply=True,
        deadline_at=DEADLINE,
        first_reply_at=reply,
        reply_before_message=False,
        now=now,
        minutes_left=left,
        at_risk_threshold=30.0,
    )
    assert status == expected


@pytest.mark.parametrize(
    "needs, deadline, before",
    [(False, DEADLINE, False), (True, None, False), (True, DEADLINE, True)],
    ids=["nothing to answer", "no policy", "reply before the message"],
)
def test_status_is_not_applicable_outside_the_sla(needs, deadline, before):
    status = sla.sla_status(
        needs_reply=needs, deadline_at=deadline, first_reply_at=None, reply_before_message=before, now=DEADLINE
    )
    assert status == sla.SlaStatus.not_applicable


@pytest.mark.parametrize(
    "window, share, minimum, expected",
    [(120, 0.25, 15, 30), (60, 0.25, 15, 15), (40, 0.25, 15, 15), (480, 0.1, 15, 48), (120, 0.25, 0, 30)],
)
def test_at_risk_threshold_is_share_of_window_with_a_minimum(window, share, minimum, expected):
    assert sla.at_risk_minutes(window, share=share, min_minutes=minimum) == expected


@pytest.mark.parametrize(
    "kind, status, expected",
    [
        ("question", "open", True),
        ("complaint", "waiting", True),
        ("question", "no_reply_needed", False),
        ("ugc", "open", False),
        ("praise", "open", False),
        ("other", "resolved", False),
    ],
)
def test_needs_a_reply(kind, status, expected):
    assert sla.needs_reply(kind, status) is expected


def test_business_time_left_stops_outside_business_hours():
    received = berlin("2025-11-10 17:00")
    left = sla.business_minutes_left(
        received_at=received, window_minutes=120, now=berlin("2025-11-11 08:00"), calendar=OFFICE
    )
    assert left == 60  # one business hour passed on Monday; the night does not count
    overdue = sla.business_minutes_left(
        received_at=received, window_minutes=120, now=berlin("2025-11-11 11:00"), calendar=OFFICE
    )
    assert overdue == -60


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
    counts = sla.queue_counts(session, now=NOW)
    assert counts == sla.QueueCounts(breached=2, at_risk=3, on_track=2, follow_up=2)
    pages = {q: _ids(sla.queue_page(session, queue=q, now=NOW)) for q in sla.Queue}
    assert pages[sla.Queue.breached] == [c["monday_breached"].id, c["evening_breached"].id]  # nearest deadline first
    assert pages[sla.Queue.at_risk] == [c["complaint_risk"].id, c["risk_20"].id, c["risk_30_boundary"].id]
    assert pages[sla.Queue.on_track] == [c["track_31"].id, c["track_fresh"].id]
    assert set(pages[sla.Queue.follow_up]) == {c["replied"].id, c["ugc"].id}


def test_queue_rows_show_business_time_left_and_status(queue_world, session):
    rows = sla.queue_page(session, queue=sla.Queue.at_risk, now=NOW).items
    assert [round(r.business_minutes_left, 6) for r in rows] == [10, 20, 30]
    assert {r.sla_status for r in rows} == {sla.SlaStatus.at_risk}
    breached = sla.queue_page(session, queue=sla.Queue.breached, now=NOW).items
    assert breached[0].business_minutes_left == pytest.approx(
        120 - (420 + 120)
    )  # window − (Mon 10–18 less lunch + Tue 9–11)
    assert breached[0].sla_status == sla.SlaStatus.breached
    on_track = sla.queue_page(session, queue=sla.Queue.on_track, now=NOW).items
    assert [r.sla_status for r in on_track] == [sla.SlaStatus.on_track] * 2


@pytest.mark.parametrize(
    "filters, expected",
    [
        (sla.QueueFilters(category="billing"), {"monday_breached", "track_31"}),
        (sla.QueueFilters(kind="complaint"), {"complaint_risk"}),
        (
            sla.QueueFilters(unassigned=True),
            {"monday_breached", "evening_breached", "risk_30_boundary", "track_31", "complaint_risk", "replied", "ugc"},
        ),
    ],
)
def test_queue_filters(queue_world, session, filters, expected):
    c = queue_world.conversations
    found = set()
    for queue in sla.Queue:
        found |= set(_ids(sla.queue_page(session, queue=queue, now=NOW, filters=filters)))
    assert found == {c[name].id for name in expected}


def test_queue_filters_by_channel_and_assignee(queue_world, session):
    c = queue_world.conversations
    by_channel = sla.queue_page(
        session, queue=sla.Queue.breached, now=NOW, filters=sla.QueueFilters(channel_id=queue_world.other.id)
    )
    assert _ids(by_channel) == [c["evening_breached"].id]
    mine = sla.QueueFilters(assignee_id=queue_world.support.id)
    assert sla.queue_counts(session, now=NOW, filters=mine) == sla.QueueCounts(
        breached=0, at_risk=1, on_track=1, follow_up=0
    )


def test_queue_pages_are_bounded(queue_world, session):
    first = sla.queue_page(session, queue=sla.Queue.at_risk, now=NOW, limit=2)
    second = sla.queue_page(session, queue=sla.Queue.at_risk, now=NOW, limit=2, offset=2)
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
    book = sla.PolicyBook.load(session)
    expected: dict[sla.Queue, set[int]] = {
        q: set() for q in (sla.Queue.breached, sla.Queue.at_risk, sla.Queue.on_track)
    }
    for conversation in session.exec(select(Conversation)):
        left = sla.business_minutes_left(
            received_at=conversation.received_at,
            window_minutes=conversation.window_minutes,
            now=now,
            calendar=book.calendar_of(conversation.sla_policy_id),
        )
        status = sla.sla_status(
            needs_reply=True,
            deadline_at=conversation.deadline_at,
            first_reply_at=None,
            reply_before_message=False,
            now=now,
            minutes_left=left,
            at_risk_threshold=book.threshold(conversation.sla_policy_id, conversation.window_minutes),
        )
        expected[sla.Queue(status.value)].add(conversation.id)
    for queue, ids in expected.items():
        assert set(_ids(sla.queue_page(session, queue=queue, now=now, limit=500))) == ids, queue
    assert sum(len(ids) for ids in expected.values()) > 100


# -- policies -------------------------------------------------------------------------------------


def test_a_lead_creates_a_policy_with_its_calendar_and_both_are_audited(session):
    lead = make_user(session, Role.lead)
    view = sla.create_policy(
        session,
        actor=lead,
        name="Two hours",
        calendar={**OFFICE_HOURS, "country": "de", "holidays": ["2025-12-24"]},
        first_response_minutes=120,
    )
    assert view.calendar_dict["country"] == "DE"  # stored normalised by the engine
    assert view.calendar_dict["holidays"] == ["2025-12-24"]
    assert view.scope == "all conversations"
    actions = {row.action for row in session.exec(select(AuditLog))}
    assert {"business_calendar.create", "sla_policy.create"} <= actions


@pytest.mark.parametrize("role", [Role.support, Role.community, Role.editor, Role.viewer, Role.analyst])
def test_only_lead_and_admin_manage_policies(session, role):
    actor = make_user(session, role)
    with pytest.raises(PermissionDenied):
        sla.create_policy(session, actor=actor, name="Mine", calendar=OFFICE_HOURS)


@pytest.mark.parametrize(
    "calendar, message",
    [
        ({**OFFICE_HOURS, "weekly": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "overlap"),
        ({**OFFICE_HOURS, "weekly": {"mon": [["8:0", "13:00"]]}}, "not a valid time"),
        ({**OFFICE_HOURS, "weekly": {}}, "no open hours"),
        ({**OFFICE_HOURS, "timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({**OFFICE_HOURS, "holidays": ["24.12.2025"]}, "YYYY-MM-DD"),
    ],
)
def test_an_invalid_calendar_is_refused_with_the_engines_message(session, calendar, message):
    lead = make_user(session, Role.lead)
    with pytest.raises(ValidationError, match=message):
        sla.create_policy(session, actor=lead, name="Broken", calendar=calendar)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"name": " "}, "name"),
        ({"first_response_minutes": 0}, "more than 0"),
        ({"first_response_minutes": 12.5}, "whole number"),
        ({"at_risk_share": 1.0}, "less than 100"),
        ({"at_risk_share": 0}, "more than 0"),
        ({"at_risk_min_minutes": -1}, "negative"),
        ({"kind": "rumour"}, "Unknown kind"),
    ],
)
def test_invalid_policy_settings_are_refused(session, settings, message):
    lead = make_user(session, Role.lead)
    arguments = {"name": "Policy", "calendar": OFFICE_HOURS} | settings
    with pytest.raises(ValidationError, match=message):
        sla.create_policy(session, actor=lead, **arguments)


def test_two_active_policies_cannot_cover_the_same_scope(session):
    lead = make_user(session, Role.lead)
    sla.create_policy(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    with pytest.raises(ValidationError, match="already covers"):
        sla.create_policy(session, actor=lead, name="General too", calendar=OFFICE_HOURS)
    complaints = sla.create_policy(
        session, actor=lead, name="Complaints", calendar=OFFICE_HOURS, kind="complaint", first_response_minutes=60
    )
    assert complaints.scope == "kind complaint"


def test_a_changed_policy_applies_to_new_conversations_only_until_an_admin_recomputes(session):
    lead = make_user(session, Role.lead)
    admin = make_user(session, Role.admin)
    channel = make_channel(session)
    policy = sla.create_policy(session, actor=lead, name="General", calendar=OFFICE_HOURS, first_response_minutes=120)
    old = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 10:00"))
    assert old.deadline_at == berlin("2025-11-10 12:00")

    sla.update_policy(
        session,
        actor=lead,
        policy_id=policy.id,
        expected_version=policy.version,
        name="General",
        first_response_minutes=60,
        at_risk_share=0.25,
        at_risk_min_minutes=15,
        calendar=OFFICE_HOURS,
        calendar_expected_version=policy.calendar_version,
    )
    new = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 10:00"))
    session.refresh(old)
    assert old.deadline_at == berlin("2025-11-10 12:00")  # stored figures stay
    assert new.deadline_at == berlin("2025-11-10 11:00")

    with pytest.raises(PermissionDenied):
        sla.recompute_sla(session, actor=lead)
    result = sla.recompute_sla(session, actor=admin)
    assert result == sla.RecomputeResult(examined=2, changed=1)
    session.refresh(old)
    assert old.deadline_at == berlin("2025-11-10 11:00") and old.window_minutes == 60
    entry = session.exec(select(AuditLog).where(AuditLog.action == "sla.recompute")).one()
    assert entry.actor == admin.username
    assert json.loads(entry.after)["changed"] == 1


ALWAYS_OPEN = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


def test_a_changed_calendar_applies_to_new_conversations_only_until_an_admin_recomputes(session):
    """Stored conversations keep the business hours they were stored under: their time left, the
    business minutes of a reply logged later and their queue, until an admin recomputes them."""
    lead = make_user(session, Role.lead)
    admin = make_user(session, Role.admin)
    support = make_user(session, Role.support)
    channel = make_channel(session)
    policy = sla.create_policy(session, actor=lead, name="General", calendar=OFFICE_HOURS, first_response_minutes=120)
    old = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 17:30"))
    waiting = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 17:30"))
    assert old.deadline_at == berlin("2025-11-11 10:30")  # 30 min on Monday, 90 on Tuesday

    updated = sla.update_policy(
        session,
        actor=lead,
        policy_id=policy.id,
        expected_version=policy.version,
        name="General",
        first_response_minutes=120,
        at_risk_share=0.25,
        at_risk_min_minutes=15,
        calendar=ALWAYS_OPEN,
        calendar_expected_version=policy.calendar_version,
    )
    assert updated.id == policy.id and updated.calendar_dict["weekly"]["sun"] == [["00:00", "24:00"]]
    new = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 17:30"))
    assert new.deadline_at == berlin("2025-11-10 19:30") and new.sla_policy_id == policy.id

    # The stored ones still count in office hours: Tuesday 09:00 leaves 90 business minutes, on track.
    now = berlin("2025-11-11 09:00")
    on_track = sla.queue_page(session, queue=sla.Queue.on_track, now=now).items
    assert {r.id: r.business_minutes_left for r in on_track} == {
        old.id: pytest.approx(90),
        waiting.id: pytest.approx(90),
    }
    assert {r.sla_status for r in on_track} == {sla.SlaStatus.on_track}
    assert sla.queue_counts(session, now=now) == sla.QueueCounts(breached=1, at_risk=0, on_track=2, follow_up=0)
    replied = conversations.log_reply(
        session,
        actor=support,
        conversation_id=old.id,
        expected_version=old.version,
        replied_at=berlin("2025-11-11 09:15"),
        now=berlin("2025-11-11 09:20"),
    )
    assert replied.business_minutes_to_reply == pytest.approx(45)  # not 945 round-the-clock minutes
    assert replied.calendar_minutes_to_reply == pytest.approx(945)
    assert replied.sla_status == sla.SlaStatus.met
    kept = sla.list_policies(session)
    assert [(p.id, p.active) for p in kept if p.id != policy.id] == [(replied_policy_id(session, old.id), False)]
    assert "General" in kept[-1].name and kept[-1].calendar == OFFICE  # the hours they were stored under
    moved = session.exec(select(AuditLog).where(AuditLog.action == "sla_policy.keep_stored_figures")).one()
    assert json.loads(moved.after)["conversations"] == 2 and moved.actor == lead.username

    result = sla.recompute_sla(session, actor=admin)
    assert result == sla.RecomputeResult(examined=3, changed=2)
    session.expire_all()
    old, waiting = session.get(Conversation, old.id), session.get(Conversation, waiting.id)
    assert old.sla_policy_id == waiting.sla_policy_id == policy.id
    assert waiting.deadline_at == berlin("2025-11-10 19:30")
    assert old.business_minutes_to_reply == pytest.approx(945)


def replied_policy_id(session, conversation_id: int) -> int:
    return session.get(Conversation, conversation_id).sla_policy_id


def test_a_calendar_change_with_no_stored_conversations_keeps_a_single_policy(session):
    lead = make_user(session, Role.lead)
    policy = sla.create_policy(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    sla.update_policy(
        session,
        actor=lead,
        policy_id=policy.id,
        expected_version=policy.version,
        name="General",
        first_response_minutes=120,
        at_risk_share=0.25,
        at_risk_min_minutes=15,
        calendar=ALWAYS_OPEN,
        calendar_expected_version=policy.calendar_version,
    )
    assert [p.id for p in sla.list_policies(session)] == [policy.id]


def test_recompute_can_be_limited_to_recent_conversations(session):
    admin = make_user(session, Role.admin)
    channel = make_channel(session)
    policy = make_sla_policy(session, minutes=120)
    early = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-03 10:00"))
    late = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 10:00"))
    policy.first_response_minutes = 30
    session.flush()
    result = sla.recompute_sla(session, actor=admin, received_from=berlin("2025-11-05 00:00"))
    assert result.examined == 1 and result.changed == 1
    session.refresh(early)
    session.refresh(late)
    assert early.window_minutes == 120 and late.window_minutes == 30


def test_a_stale_policy_edit_is_refused(session):
    lead = make_user(session, Role.lead)
    policy = sla.create_policy(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    arguments = dict(
        actor=lead,
        policy_id=policy.id,
        name="General",
        first_response_minutes=90,
        at_risk_share=0.25,
        at_risk_min_minutes=15,
    )
    sla.update_policy(session, expected_version=policy.version, **arguments)
    with pytest.raises(ConflictError):
        sla.update_policy(session, expected_version=policy.version, **arguments)


def test_editing_a_calendar_is_versioned_and_audited(session):
    lead = make_user(session, Role.lead)
    policy = sla.create_policy(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    weekend = {**OFFICE_HOURS, "weekly": {**OFFICE_HOURS["weekly"], "sat": [["10:00", "14:00"]]}}
    updated = sla.update_policy(
        session,
        actor=lead,
        policy_id=policy.id,
        expected_version=policy.version,
        name="General",
        first_response_minutes=120,
        at_risk_share=0.25,
        at_risk_min_minutes=15,
        calendar=weekend,
        calendar_expected_version=policy.calendar_version,
    )
    assert updated.calendar_dict["weekly"]["sat"] == [["10:00", "14:00"]]
    assert updated.calendar_version == policy.calendar_version + 1
    history = audit.history(session, entity="business_calendar", entity_id=policy.calendar_id)
    assert [h.action for h in history] == ["business_calendar.create", "business_calendar.update"]
    with pytest.raises(ConflictError):
        sla.update_policy(
            session,
            actor=lead,
            policy_id=policy.id,
            expected_version=updated.version,
            name="General",
            first_response_minutes=120,
            at_risk_share=0.25,
            at_risk_min_minutes=15,
            calendar=OFFICE_HOURS,
            calendar_expected_version=policy.calendar_version,
        )


# -- the editor's table of intervals ----------------------------------------------------------


def test_the_schedule_table_round_trips_to_a_calendar():
    rows = sla.calendar_table(OFFICE_HOURS)
    assert rows[:2] == [
        {"day": "mon", "open": "09:00", "close": "13:00"},
        {"day": "mon", "open": "14:00", "close": "18:00"},
    ]
    definition = sla.calendar_from_form(
        timezone="Europe/Berlin",
        intervals=rows + [{"day": None, "open": None, "close": None}],
        holidays_text="2025-12-24 Christmas Eve\n\n2025-12-31",
        country="de",
        subdivision="BY",
    )
    assert definition["weekly"] == OFFICE_HOURS["weekly"]
    assert definition["holidays"] == ["2025-12-24", "2025-12-31"]
    assert (definition["country"], definition["subdivision"]) == ("DE", "BY")


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"day": "", "open": "09:00", "close": "18:00"}], "no weekday"),
        ([{"day": "mon", "open": "18:00", "close": "09:00"}], "closes before it opens"),
        ([{"day": "mon", "open": "24:00", "close": "24:00"}], "24:00"),
    ],
)
def test_the_schedule_table_reports_what_to_fix(rows, message):
    with pytest.raises(ValidationError, match=message):
        sla.calendar_from_form(timezone="Europe/Berlin", intervals=rows)


def test_data_problems_are_listed_not_hidden(session):
    make_sla_policy(session)
    channel = make_channel(session)
    flagged = make_sla_conversation(
        session, channel=channel, received_at=berlin("2025-11-10 10:00"), first_reply_at=berlin("2025-11-10 09:00")
    )
    make_sla_conversation(
        session, channel=channel, received_at=berlin("2025-11-10 10:00"), first_reply_at=berlin("2025-11-10 10:30")
    )
    rows = sla.data_problems(session, now=NOW)
    assert [r.id for r in rows] == [flagged.id]
    assert rows[0].reply_before_message and rows[0].sla_status == sla.SlaStatus.not_applicable


@pytest.mark.parametrize(
    ("kind", "status", "reason", "replied", "expected"),
    [
        ("question", "open", "", False, True),
        ("complaint", "waiting", "", True, True),
        ("praise", "open", "", False, False),
        ("ugc", "open", "", False, False),
        ("question", "no_reply_needed", "Spam", False, False),
        # Marked, then resolved: the reason is kept and there is no reply, so still no reply needed.
        ("question", "resolved", "Spam", False, False),
        # A reply logged after all brings it back into the SLA.
        ("question", "resolved", "Spam", True, True),
    ],
)
def test_needs_reply_follows_the_mark_even_after_resolving(kind, status, reason, replied, expected):
    assert sla.needs_reply(kind, status, no_reply_reason=reason, replied=replied) is expected
