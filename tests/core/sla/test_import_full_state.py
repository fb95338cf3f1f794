"""Multi-channel, full-state conversation files: a channel column matched whatever the case
(unknown channels listed, or created on request), assignee, escalation team, "no reply needed",
resolved time, the reply's text and the post a conversation answers — applied in the import's
one transaction, in the states the screen's actions would leave; and a backfill that files old
unanswered conversations as archived, out of the queues but in the KPIs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import select

from core.kpis.overview import compute_kpis
from core.sla import import_fields, imports, queues
from db.models import Channel, Conversation, ConversationMessage, Role, User
from tests.factories import (
    ensure_workspace,
    make_channel,
    make_escalation_team,
    make_post,
    make_sla_policy,
    make_user,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=UTC)

MAPPING = {
    "external_id": "Ticket",
    "received": "Created",
    "author": "Customer",
    "channel": "Inbox",
    "replied": "First reply",
    "resolved": "Solved",
    "assignee": "Agent",
    "escalation": "Escalated to",
    "no_reply": "No reply needed",
    "reply_text": "Reply",
    "post": "Post",
    "kind": "Type",
}
HEADER = "Ticket,Created,Customer,Inbox,First reply,Solved,Agent,Escalated to,No reply needed,Reply,Post,Type\n"


@pytest.fixture
def desk(session):
    ensure_workspace(session)
    support = make_user(session, Role.support, username="sam")
    lead = make_user(session, Role.lead)
    user = session.get(User, support.id)
    user.email = "Sam@Example.org"
    session.add(user)
    instagram = make_channel(session, name="Instagram")
    telegram = make_channel(session, name="Telegram")
    team = make_escalation_team(session, owner_id=lead.id, name="Billing")
    post = make_post(session, channel=instagram, link_url="https://www.instagram.com/p/abc123/")
    make_sla_policy(session, minutes=120)
    session.commit()
    return {"support": support, "instagram": instagram, "telegram": telegram, "team": team, "post": post}


def options(**changes) -> import_fields.ImportOptions:
    values = dict(channel_id=None, mapping=MAPPING, timezone="Europe/Berlin", file_name="helpdesk.csv")
    values.update(changes)
    return import_fields.ImportOptions(**values)


def by_id(session) -> dict[str, Conversation]:
    return {c.external_id: c for c in session.exec(select(Conversation)).all()}


def test_one_file_of_several_channels_with_the_full_state_of_each_conversation(session, desk):
    post = desk["post"]
    data = HEADER + (
        f"t1,2026-03-16 10:00,@Ann,INSTAGRAM,2026-03-16 10:20,2026-03-16 12:00,sam,,,Try the new app version.,{post.id},question\n"
        "t2,2026-03-16 11:00,Bo Li,telegram,,,sam@example.org,Billing,,,https://www.instagram.com/p/abc123,complaint\n"
        "t3,2026-03-16 12:00,@cara,Telegram,,,,,yes,,,praise\n"
        "t4,2026-03-16 13:00,@dan,instagram,,,,,Spam,,,question\n"
    )
    report = imports.import_conversations(session=session, actor=desk["support"], data=data, options=options(), now=NOW)
    session.commit()
    assert report.ok, report.errors
    found = by_id(session)

    answered = found["t1"]
    assert answered.channel_id == desk["instagram"].id
    assert answered.status == "resolved" and answered.assignee_id == desk["support"].id
    assert answered.post_id == post.id
    thread = session.exec(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == answered.id)
        .order_by(ConversationMessage.sent_at)
    ).all()
    assert [(m.from_team, m.author_handle) for m in thread] == [(False, "@Ann"), (True, "")]
    reply = thread[1]
    assert (reply.text, reply.source) == ("Try the new app version.", "imported")
    assert reply.sent_at.replace(tzinfo=UTC) == dt.datetime(2026, 3, 16, 9, 20, tzinfo=UTC)
    assert not session.exec(select(ConversationMessage).where(ConversationMessage.conversation_id != answered.id)).all()

    escalated = found["t2"]
    assert escalated.channel_id == desk["telegram"].id
    assert escalated.assignee_id == desk["support"].id  # found by e-mail, whatever its case
    assert escalated.escalation_team_id == desk["team"].id and escalated.escalated_at is not None
    assert escalated.post_id == post.id  # the post's link without its trailing slash
    assert escalated.status == "open"

    assert found["t3"].status == "no_reply_needed" and found["t3"].no_reply_reason
    assert (found["t4"].status, found["t4"].no_reply_reason) == ("no_reply_needed", "Spam")


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("t9,2026-03-16 10:00,@a,Instagram,,,nobody,,,,,question", "Agent", "No user with the username or e-mail"),
        ("t9,2026-03-16 10:00,@a,Instagram,,,,Legal,,,,question", "Escalated to", "No escalation team called"),
        ("t9,2026-03-16 10:00,@a,Instagram,,,,,,,999999,question", "Post", ""),
        ("t9,2026-03-16 10:00,@a,Instagram,2026-03-16 10:05,,,,yes,,,question", "No reply needed", "keep one"),
        ("t9,2026-03-16 10:00,@a,Instagram,,,,,,Hello,,question", "Reply", "without a reply time"),
    ],
)
def test_a_state_that_cannot_be_applied_is_a_row_error_and_nothing_is_imported(session, desk, row, column, message):
    good = "t1,2026-03-16 10:00,@Ann,Instagram,,,,,,,,question\n"
    report = imports.import_conversations(
        session=session, actor=desk["support"], data=HEADER + good + row + "\n", options=options(), now=NOW
    )
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert message in report.errors[0].message
    assert session.exec(select(func.count()).select_from(Conversation)).one() == 0


def test_unknown_channels_are_listed_or_created_on_request(session, desk):
    data = HEADER + (
        "t1,2026-03-16 10:00,@Ann,Mastodon,,,,,,,,question\n"
        "t2,2026-03-16 11:00,@Bo,mastodon,,,,,,,,question\n"
        "t3,2026-03-16 12:00,@Cy,Instagram,,,,,,,,question\n"
    )
    refused = imports.import_conversations(
        session=session, actor=desk["support"], data=data, options=options(), now=NOW
    )
    assert not refused.written
    assert any("Mastodon" in e.message and e.row == 1 for e in refused.errors)
    assert session.exec(select(func.count()).select_from(Conversation)).one() == 0

    admin = make_user(session, Role.admin)
    session.commit()
    report = imports.import_conversations(
        session=session, actor=admin, data=data, options=options(create_channels=True), now=NOW
    )
    session.commit()
    assert report.ok and report.channels_created == ("Mastodon",)
    mastodon = session.exec(select(Channel).where(Channel.name == "Mastodon")).one()
    assert {c.external_id for c in by_id(session).values() if c.channel_id == mastodon.id} == {"t1", "t2"}


def test_a_backfill_archives_old_unanswered_items_out_of_the_queues_but_in_the_kpis(session, desk):
    data = HEADER + (
        "h1,2025-06-02 10:00,@Ann,Instagram,,,,,,,,question\n"  # old, never answered: archived
        "h2,2025-06-02 11:00,@Bo,Instagram,2025-06-02 11:30,,,,,,,question\n"  # old, answered: stays answered
        "h3,2026-03-19 10:00,@Cy,Instagram,,,,,,,,question\n"  # recent, unanswered: work to do
    )
    report = imports.import_conversations(
        session=session, actor=desk["support"], data=data, options=options(history=True, history_days=30), now=NOW
    )
    session.commit()
    assert report.ok and report.archived == 1
    found = by_id(session)
    assert (found["h1"].status, found["h2"].status, found["h3"].status) == ("archived", "waiting", "open")

    counts = queues.queue_counts(session=session, now=NOW)
    assert counts.breached + counts.at_risk + counts.on_track == 1  # only h3 is work
    assert counts.follow_up == 1  # h2, answered; the archived h1 is in no queue

    june = compute_kpis(session, start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30), channel_id=None, now=NOW)
    sla = next(k for k in june if k.key == "sla_share")
    assert dict(sla.counts)["conversations"] == 2 and dict(sla.counts)["breached"] == 1
