"""Escalation through RACI on the SLA screen (AppTest): the responsible person of a team, whose role
does not work the queue, finds the escalation in "Escalations you act on", replies and resolves it;
on a conversation not escalated to their team they get no actions; the informed person sees it in
"Escalations you are informed of" and may not act."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from core.sla import conversations
from db.models import AuditLog, Conversation, ConversationMessage, ConversationStatus, Role
from db.types import utcnow
from tests.factories import make_channel, make_escalation_team, make_sla_conversation, make_sla_policy, make_user
from tests.pages.apptest import open_page, texts
from tests.pages.german_checks import english_left
from tests.pages.test_sla import ALWAYS_OPEN


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def _button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def escalated(session, write):
    now = utcnow()
    people = {
        role: make_user(session, role, username=f"the-{role.value}", name=f"{role.value.title()} Person")
        for role in (Role.support, Role.lead, Role.compliance, Role.viewer)
    }
    make_sla_policy(session, minutes=120, calendar=ALWAYS_OPEN)
    channel = make_channel(session, name="Instagram")
    legal = make_escalation_team(
        session,
        name="Legal",
        owner_id=people[Role.lead].id,
        responsible_ids=(people[Role.compliance].id,),
        informed_ids=(people[Role.viewer].id,),
    )
    data_request = make_sla_conversation(
        session,
        channel=channel,
        received_at=now - dt.timedelta(hours=3),
        author_handle="@Mila Schmidt",
        text="Please delete every message I ever sent you.",
    )
    other = make_sla_conversation(
        session,
        channel=channel,
        received_at=now - dt.timedelta(hours=4),
        author_handle="@tom_k",
        text="Where is my invoice?",
    )
    session.commit()
    with write() as s:
        conversations.escalate(
            session=s,
            actor=people[Role.support],
            conversation_id=data_request.id,
            expected_version=data_request.version,
            team_id=legal.id,
            reason="A data deletion request: legal must answer.",
        )
    return dict(people=people, data_request=data_request, other=other)


def test_the_responsible_person_acts_on_the_escalation_whatever_their_role(read, escalated):
    conversation = escalated["data_request"]
    at = _ok(open_page("sla", username="the-compliance", state={"sla_tab": "Escalations"}))
    shown = texts(at)
    assert "Escalations you act on (1)" in shown and "Escalations you are informed of (0)" in shown
    at = _ok(_button(at, "Open in the queue").click().run())
    assert "You may act on this conversation: you are responsible" in texts(at)
    reply = next(a for a in at.text_area if a.label == "The reply as sent")
    reply.input("We deleted your messages; our privacy team confirms it by e-mail.")
    at = _ok(_button(at, "Log reply").click().run())
    at = _ok(_button(at, "Resolve").click().run())
    with read() as s:
        stored = s.get(Conversation, conversation.id)
        assert stored.status == ConversationStatus.resolved and stored.first_reply_at is not None
        message = s.exec(
            select(ConversationMessage).where(ConversationMessage.conversation_id == conversation.id)
        ).one()
        assert message.from_team and message.user_id == escalated["people"][Role.compliance].id
        actions = s.exec(
            select(AuditLog.action).where(
                AuditLog.entity == "conversation",
                AuditLog.entity_id == conversation.id,
                AuditLog.actor_id == escalated["people"][Role.compliance].id,
            )
        ).all()
    assert actions, "the scoped right is used on the record"


def test_the_responsible_person_gets_no_actions_on_other_conversations(escalated):
    at = _ok(open_page("sla", username="the-compliance"))
    at.selectbox(key=f"sla_pick_{at.radio(key='sla_queue').value}").set_value(escalated["other"].id)
    at = _ok(at.run())
    assert f"#{escalated['other'].id}" in texts(at)
    assert "You may act on this conversation" not in texts(at)  # no grant here, so no actions
    assert not {b.label for b in at.button} & {"Log reply", "Resolve", "Escalate", "Assign to me"}


def test_the_informed_person_sees_the_escalation_and_may_not_act(escalated):
    at = _ok(open_page("sla", username="the-viewer", state={"sla_tab": "Escalations"}))
    shown = texts(at)
    assert "Escalations you act on (0)" in shown and "Escalations you are informed of (1)" in shown
    at = _ok(_button(at, "Open in the queue").click().run())
    assert "You may act on this conversation" not in texts(at)  # no grant here, so no actions
    assert not {b.label for b in at.button} & {"Log reply", "Resolve"}


GERMAN_WEEKDAY_TIME = r"(Mo|Di|Mi|Do|Fr|Sa|So) (\d{1,2}\. \S+|\d{2}\.\d{2}\.\d{4}) \d{2}:\d{2}"


def test_the_responsible_person_works_the_escalation_in_german(escalated):
    at = _ok(open_page("sla", username="the-compliance", language="de", state={"sla_tab": "Eskalationen"}))
    assert not english_left(at)
    shown = texts(at)
    assert "Eskalationen, die du bearbeitest (1)" in shown
    assert "Eskalationen, über die du informiert wirst (0)" in shown
    row = at.dataframe[0].value.iloc[0]
    assert (row["Team"], row["Deine Rolle"], row["Von"], row["Status"]) == (
        "Legal",
        "verantwortlich",
        "@Mila Schmidt",
        "offen",
    )
    assert re.fullmatch(GERMAN_WEEKDAY_TIME + r"( · überfällig)?", row["Lösen bis"])
    # "open in the queue" switches to the queue tab (its German label) with the conversation open
    at = _ok(_button(at, "In der Warteschlange öffnen").click().run())
    assert not english_left(at)
    assert "Du darfst dieses Gespräch bearbeiten: Du bist verantwortlich für Eskalationen an Legal." in texts(at)
    assert re.search(
        r"Eskaliert an Legal am " + GERMAN_WEEKDAY_TIME + " — jetzt verantwortet von Lead Person", texts(at)
    )
    assert {"Lösen", "Antwort erfassen"} & {b.label for b in at.button}


def test_the_informed_person_reads_the_escalations_in_german(escalated):
    at = _ok(open_page("sla", username="the-viewer", language="de", state={"sla_tab": "Eskalationen"}))
    assert not english_left(at)
    shown = texts(at)
    assert "Eskalationen, die du bearbeitest (0)" in shown
    assert "Eskalationen, über die du informiert wirst (1)" in shown
    assert at.dataframe[0].value.iloc[0]["Deine Rolle"] == "informiert"
    assert "Legal — 1 offen, 0 überfällig" in at.selectbox(key="sla_esc_team").options
