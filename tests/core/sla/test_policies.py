"""SLA policies: the most specific active policy applies; leads and admins set policies up with
their business calendar (validated, versioned, audited); a changed policy or calendar applies to
new conversations only until an admin recomputes the stored ones.

The week of Monday 2025-11-10 is plain CET with no German holidays; office hours are
09:00–13:00 and 14:00–18:00, Monday to Friday.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import audit
from core.errors import ConflictError, PermissionDenied, ValidationError
from core.sla import conversations, figures, policies, policy_admin, queues
from core.sla.business_time import BusinessCalendar
from db.models import AuditLog, Conversation, Role, SlaPolicyCreate, SlaPolicyUpdate
from tests.factories import OFFICE_HOURS, make_channel, make_sla_conversation, make_sla_policy, make_user

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar.from_dict(OFFICE_HOURS)


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def create(session, *, actor, name, calendar=OFFICE_HOURS, **settings):
    """A policy created as the policy editor creates it."""
    return policy_admin.create_policy(
        session=session,
        actor=actor,
        policy_in=SlaPolicyCreate(name=name, **settings),
        calendar=BusinessCalendar.from_dict(calendar),
    )


def update(session, *, actor, policy_id, expected_version, calendar=None, calendar_expected_version=None, **settings):
    """A policy changed as the policy editor changes it: the settings given, and the calendar if any."""
    return policy_admin.update_policy(
        session=session,
        actor=actor,
        policy_id=policy_id,
        expected_version=expected_version,
        policy_in=SlaPolicyUpdate(**settings),
        calendar=None if calendar is None else BusinessCalendar.from_dict(calendar),
        calendar_expected_version=calendar_expected_version,
    )


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
    assert policies.choose_policy(POLICIES, channel_id=channel_id, kind=kind).id == expected


def test_no_fitting_policy_means_no_policy():
    assert policies.choose_policy([_policy(1, kind="complaint")], channel_id=1, kind="question") is None


# -- policies -------------------------------------------------------------------------------------


def test_a_lead_creates_a_policy_with_its_calendar_and_both_are_audited(session):
    lead = make_user(session, Role.lead)
    view = create(
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
        create(session, actor=actor, name="Mine", calendar=OFFICE_HOURS)


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
        create(session, actor=lead, name="Broken", calendar=calendar)


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
        create(session, actor=lead, **arguments)


def test_two_active_policies_cannot_cover_the_same_scope(session):
    lead = make_user(session, Role.lead)
    create(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    with pytest.raises(ValidationError, match="already covers"):
        create(session, actor=lead, name="General too", calendar=OFFICE_HOURS)
    complaints = create(
        session, actor=lead, name="Complaints", calendar=OFFICE_HOURS, kind="complaint", first_response_minutes=60
    )
    assert complaints.scope == "kind complaint"


def test_a_changed_policy_applies_to_new_conversations_only_until_an_admin_recomputes(session):
    lead = make_user(session, Role.lead)
    admin = make_user(session, Role.admin)
    channel = make_channel(session)
    policy = create(session, actor=lead, name="General", calendar=OFFICE_HOURS, first_response_minutes=120)
    old = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 10:00"))
    assert old.deadline_at == berlin("2025-11-10 12:00")

    update(
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
        policy_admin.recompute_sla(session=session, actor=lead)
    result = policy_admin.recompute_sla(session=session, actor=admin)
    assert result == policy_admin.RecomputeResult(examined=2, changed=1)
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
    policy = create(session, actor=lead, name="General", calendar=OFFICE_HOURS, first_response_minutes=120)
    old = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 17:30"))
    waiting = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 17:30"))
    assert old.deadline_at == berlin("2025-11-11 10:30")  # 30 min on Monday, 90 on Tuesday

    updated = update(
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
    on_track = queues.queue_page(session, queue=queues.Queue.on_track, now=now).items
    assert {r.id: r.business_minutes_left for r in on_track} == {
        old.id: pytest.approx(90),
        waiting.id: pytest.approx(90),
    }
    assert {r.sla_status for r in on_track} == {figures.SlaStatus.on_track}
    counts = queues.queue_counts(session, now=now)
    assert dataclasses.replace(counts, valid_until=None) == queues.QueueCounts(
        breached=1, at_risk=0, on_track=2, follow_up=0
    )
    # Under the changed calendar too, the counts hold up to the instant they name.
    assert counts.valid_until is not None
    before = queues.queue_counts(session, now=counts.valid_until - dt.timedelta(microseconds=1))
    assert dataclasses.replace(before, valid_until=None) == dataclasses.replace(counts, valid_until=None)
    replied = conversations.log_reply(
        session=session,
        actor=support,
        conversation_id=old.id,
        expected_version=old.version,
        replied_at=berlin("2025-11-11 09:15"),
        now=berlin("2025-11-11 09:20"),
    )
    assert replied.business_minutes_to_reply == pytest.approx(45)  # not 945 round-the-clock minutes
    assert replied.calendar_minutes_to_reply == pytest.approx(945)
    assert replied.sla_status == figures.SlaStatus.met
    kept = policies.list_policies(session)
    assert [(p.id, p.active) for p in kept if p.id != policy.id] == [(replied_policy_id(session, old.id), False)]
    assert "General" in kept[-1].name and kept[-1].calendar == OFFICE  # the hours they were stored under
    moved = session.exec(select(AuditLog).where(AuditLog.action == "sla_policy.keep_stored_figures")).one()
    assert json.loads(moved.after)["conversations"] == 2 and moved.actor == lead.username

    result = policy_admin.recompute_sla(session=session, actor=admin)
    assert result == policy_admin.RecomputeResult(examined=3, changed=2)
    session.expire_all()
    old, waiting = session.get(Conversation, old.id), session.get(Conversation, waiting.id)
    assert old.sla_policy_id == waiting.sla_policy_id == policy.id
    assert waiting.deadline_at == berlin("2025-11-10 19:30")
    assert old.business_minutes_to_reply == pytest.approx(945)


def replied_policy_id(session, conversation_id: int) -> int:
    return session.get(Conversation, conversation_id).sla_policy_id


def test_a_calendar_change_with_no_stored_conversations_keeps_a_single_policy(session):
    lead = make_user(session, Role.lead)
    policy = create(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    update(
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
    assert [p.id for p in policies.list_policies(session)] == [policy.id]


def test_recompute_can_be_limited_to_recent_conversations(session):
    admin = make_user(session, Role.admin)
    channel = make_channel(session)
    policy = make_sla_policy(session, minutes=120)
    early = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-03 10:00"))
    late = make_sla_conversation(session, channel=channel, received_at=berlin("2025-11-10 10:00"))
    policy.first_response_minutes = 30
    session.flush()
    result = policy_admin.recompute_sla(session=session, actor=admin, received_from=berlin("2025-11-05 00:00"))
    assert result.examined == 1 and result.changed == 1
    session.refresh(early)
    session.refresh(late)
    assert early.window_minutes == 120 and late.window_minutes == 30


def test_a_stale_policy_edit_is_refused(session):
    lead = make_user(session, Role.lead)
    policy = create(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    arguments = dict(
        actor=lead,
        policy_id=policy.id,
        name="General",
        first_response_minutes=90,
        at_risk_share=0.25,
        at_risk_min_minutes=15,
    )
    update(session, expected_version=policy.version, **arguments)
    with pytest.raises(ConflictError):
        update(session, expected_version=policy.version, **arguments)


def test_editing_a_calendar_is_versioned_and_audited(session):
    lead = make_user(session, Role.lead)
    policy = create(session, actor=lead, name="General", calendar=OFFICE_HOURS)
    weekend = {**OFFICE_HOURS, "weekly": {**OFFICE_HOURS["weekly"], "sat": [["10:00", "14:00"]]}}
    updated = update(
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
        update(
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
