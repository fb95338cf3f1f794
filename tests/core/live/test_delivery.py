"""Delivery through real channels: e-mail to a real SMTP server (aiosmtpd, with a login), chat
messages to a real HTTP server in the Slack, Teams and Mattermost formats, retries with backoff
while a server is down (the mail arrives once when it is back), failures that no retry fixes,
and two worker processes at once: each due alert delivered exactly once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from core.live import notify, outbox, worker
from core.live.kinds import Kind
from core.settings import MailSettings, Settings, WorkerSettings
from db.models import DeliveryStatus, NotificationDelivery, NotificationPreference, Role, User
from tests.conftest import require_or_skip
from tests.factories import make_channel, make_sla_conversation, make_sla_policy, make_user
from tests.live_servers import SmtpServer, WebhookServer, free_port

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2025, 11, 11, 10, 0, tzinfo=dt.UTC)  # a Tuesday, in office hours in Berlin
ALWAYS = {
    "timezone": "Europe/Berlin",
    "weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


@pytest.fixture(autouse=True)
def _aiosmtpd_present():
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        require_or_skip(False, "aiosmtpd is not installed: pip install -r requirements-dev.txt")


def settings_for(
    database_url: str, *, smtp_port: int = 0, webhook: str = "", webhook_format: str = "slack"
) -> Settings:
    return Settings(
        database_url=database_url,
        cookie_key=None,
        mail=MailSettings(
            host="127.0.0.1" if smtp_port else "", port=smtp_port, starttls=False, user="desk", password="s3cret mail"
        ),
        worker=WorkerSettings(webhook_url=webhook, webhook_format=webhook_format),
    )


def person(session, role, username, name, email, channel="email"):
    actor = make_user(session, role, username=username, name=name)
    user = session.get(User, actor.id)
    user.email = email
    session.add(user)
    for kind in Kind:
        session.add(NotificationPreference(user_id=actor.id, kind=kind.value, channel=channel))
    session.flush()
    return actor


def tell(session, people, title, key, urgent=False):
    return notify.announce(
        session,
        notify.Announcement(
            kind=Kind.sla_breached if urgent else Kind.sla_at_risk, key=key, title=title, urgent=urgent
        ),
        recipients=[p.id for p in people],
        now=NOW,
    )


def test_mail_goes_through_a_real_smtp_server_with_login(session, engine, database_url):
    cora = person(session, Role.community, "Cora.K", "Cora Community", "cora@example.org")
    tell(session, [cora], "SLA at risk: @Mila_K on Instagram", "risk:1")
    session.commit()
    port = free_port()
    with SmtpServer(port) as box:
        sent = outbox.deliver_due(engine, settings_for(database_url, smtp_port=port), worker="w1", now=NOW)
    assert sent == outbox.Sent(delivered=1)
    assert [(m["To"], m["Subject"]) for m in box.messages] == [
        ("cora@example.org", "SLA at risk: @Mila_K on Instagram")
    ]
    assert box.logins == ["desk"]
    # the in-app entry is there too, and the outbox row says delivered after one attempt
    assert notify.unread_count(session=session, user_id=cora.id) == 1
    row = session.exec(select(NotificationDelivery).where(NotificationDelivery.channel == "email")).one()
    assert (row.status, row.attempts) == (DeliveryStatus.delivered, 1)


def test_mail_server_down_first_then_up_the_mail_arrives_once(session, engine, database_url):
    cora = person(session, Role.community, "Cora.K", "Cora Community", "cora@example.org")
    tell(session, [cora], "SLA breached: @Jonas on Threads", "breach:7", urgent=True)
    session.commit()
    port = free_port()
    settings = settings_for(database_url, smtp_port=port)
    # nobody listens on the port: the row stays queued with the error and the next try in a minute
    assert outbox.deliver_due(engine, settings, worker="w1", now=NOW) == outbox.Sent(retried=1)
    session.expire_all()
    row = session.exec(select(NotificationDelivery).where(NotificationDelivery.channel == "email")).one()
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.queued, 1, NOW + dt.timedelta(minutes=1))
    assert "not reachable" in row.last_error
    with SmtpServer(port) as box:
        # before its time it waits; at its time it goes out; later rounds send nothing again
        assert outbox.deliver_due(engine, settings, worker="w1", now=NOW + dt.timedelta(seconds=30)) == outbox.Sent()
        assert outbox.deliver_due(engine, settings, worker="w1", now=NOW + dt.timedelta(minutes=1)) == outbox.Sent(1)
        assert outbox.deliver_due(engine, settings, worker="w2", now=NOW + dt.timedelta(hours=1)) == outbox.Sent()
    assert box.subjects() == ["SLA breached: @Jonas on Threads"]
    session.commit()  # a new transaction sees the workers' writes
    session.expire_all()
    log = outbox.delivery_log(session=session)
    assert [(r.person, r.channel, r.status, r.attempts) for r in log] == [("Cora Community", "email", "delivered", 2)]


def test_a_refused_address_is_failed_not_retried(session, engine, database_url):
    nobody = person(session, Role.support, "sven", "Sven Support", "")
    tell(session, [nobody], "SLA at risk: @Ana", "risk:2")
    session.commit()
    port = free_port()
    with SmtpServer(port) as box:
        assert outbox.deliver_due(
            engine, settings_for(database_url, smtp_port=port), worker="w1", now=NOW
        ) == outbox.Sent(failed=1)
    assert box.messages == []


@pytest.mark.parametrize(
    ("webhook_format", "expected"),
    [
        ("slack", {"text": "SLA at risk: @Mila_K on Instagram\nFor Lea Lead"}),
        ("mattermost", {"text": "SLA at risk: @Mila_K on Instagram\nFor Lea Lead", "username": "Dialog Desk"}),
        (
            "teams",
            {
                "type": "message",
                "attachments": [
                    {
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "content": {
                            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "type": "AdaptiveCard",
                            "version": "1.4",
                            "body": [
                                {
                                    "type": "TextBlock",
                                    "text": "SLA at risk: @Mila_K on Instagram",
                                    "weight": "Bolder",
                                    "wrap": True,
                                },
                                {"type": "TextBlock", "text": "For Lea Lead", "wrap": True},
                            ],
                        },
                    }
                ],
            },
        ),
    ],
)
def test_chat_webhook_receives_the_format_it_accepts(session, engine, database_url, webhook_format, expected):
    lea = person(session, Role.lead, "lea", "Lea Lead", "lea@example.org", channel="webhook")
    tell(session, [lea], "SLA at risk: @Mila_K on Instagram", "risk:3")
    session.commit()
    with WebhookServer() as hook:
        settings = settings_for(database_url, webhook=hook.url, webhook_format=webhook_format)
        assert outbox.deliver_due(engine, settings, worker="w1", now=NOW) == outbox.Sent(delivered=1)
        assert outbox.deliver_due(engine, settings, worker="w1", now=NOW + dt.timedelta(hours=2)) == outbox.Sent()
    assert hook.bodies == [expected]


@pytest.mark.parametrize(("status", "sent"), [(500, outbox.Sent(retried=1)), (404, outbox.Sent(failed=1))])
def test_chat_webhook_errors_retry_or_fail(session, engine, database_url, status, sent):
    lea = person(session, Role.lead, "lea", "Lea Lead", "lea@example.org", channel="webhook")
    tell(session, [lea], "SLA at risk: @Mila_K", "risk:4")
    session.commit()
    with WebhookServer(status=status) as hook:
        assert outbox.deliver_due(engine, settings_for(database_url, webhook=hook.url), worker="w1", now=NOW) == sent


def test_a_lease_is_held_by_one_worker_until_it_expires(session):
    assert worker.take_lease(session, name="sla_scan", holder="a", now=NOW)
    assert not worker.take_lease(session, name="sla_scan", holder="b", now=NOW + dt.timedelta(seconds=30))
    assert worker.take_lease(session, name="sla_scan", holder="a", now=NOW + dt.timedelta(seconds=60))  # renewed
    assert worker.take_lease(session, name="sla_scan", holder="b", now=NOW + dt.timedelta(minutes=3, seconds=1))


def _start_worker(database_url: str, smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DIALOGDESK_SMTP_HOST": "127.0.0.1",
        "DIALOGDESK_SMTP_PORT": str(smtp_port),
        "DIALOGDESK_SMTP_STARTTLS": "false",
        "DIALOGDESK_SMTP_USER": "desk",
        "DIALOGDESK_SMTP_PASSWORD": "s3cret mail",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "core", "worker", "--once"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_at_once_deliver_each_due_alert_exactly_once(session, engine, database_url):
    """Conversations at risk now (the scan's work) and alerts already queued (the outbox's): two
    worker processes started together send every mail once."""
    sven = person(session, Role.support, "Sven.S", "Sven Support", "sven@example.org")
    lea = person(session, Role.lead, "lea", "Lea Lead", "lea@example.org")
    make_sla_policy(session, minutes=120, calendar=ALWAYS)
    channel = make_channel(session, name="Instagram")
    now = dt.datetime.now(dt.UTC)
    for n in range(8):  # 10–17 minutes left of 120: at risk
        make_sla_conversation(
            session,
            channel=channel,
            received_at=now - dt.timedelta(minutes=103 + n),
            author_handle=f"@Risk_{n}",
            assignee_id=sven.id,
        )
    for n in range(4):  # breached 5–8 minutes ago: the assignee and the lead
        make_sla_conversation(
            session,
            channel=channel,
            received_at=now - dt.timedelta(minutes=125 + n),
            author_handle=f"@Late_{n}",
            assignee_id=sven.id,
        )
    for n in range(30):
        tell(session, [sven, lea], f"Queued alert {n:02d}", f"queued:{n}")
    session.commit()
    port = free_port()
    with SmtpServer(port) as box:
        workers = [_start_worker(database_url, port) for _ in range(2)]
        outputs = [w.communicate(timeout=120) for w in workers]
        assert [w.returncode for w in workers] == [0, 0], outputs
        # a third round later finds nothing left to send
        third = _start_worker(database_url, port)
        assert third.communicate(timeout=120)[0].strip().endswith("sent 0, to retry 0, failed 0."), outputs
    subjects = box.subjects()
    expected = sorted(
        [f"Queued alert {n:02d}" for n in range(30)] * 2
        + [f"SLA at risk: @Risk_{n} on Instagram" for n in range(8)]
        + [f"SLA breached: @Late_{n} on Instagram" for n in range(4)] * 2
    )
    assert subjects == expected
    assert sorted((m["To"], m["Subject"]) for m in box.messages) == sorted(
        set((m["To"], m["Subject"]) for m in box.messages)
    )


def test_mail_goes_through_starttls_with_the_certificate_checked(session, engine, database_url, tmp_path):
    import dataclasses
    import shutil

    from tests.live_servers import self_signed_certificate

    require_or_skip(shutil.which("openssl") is not None, "openssl is missing: it makes the test certificate")
    cert, key = self_signed_certificate(tmp_path)
    cora = person(session, Role.community, "Cora.K", "Cora Community", "cora@example.org")
    tell(session, [cora], "SLA at risk: @Mila_K on Instagram", "risk:tls")
    session.commit()
    port = free_port()
    plain = settings_for(database_url, smtp_port=port)
    with SmtpServer(port, tls=(cert, key)) as box:
        # a certificate nobody vouches for is refused: nothing sent, the mail stays queued
        untrusted = dataclasses.replace(plain, mail=dataclasses.replace(plain.mail, starttls=True))
        assert outbox.deliver_due(engine, untrusted, worker="w1", now=NOW) == outbox.Sent(retried=1)
        trusted = dataclasses.replace(plain, mail=dataclasses.replace(plain.mail, starttls=True, ca_file=cert))
        later = NOW + dt.timedelta(minutes=1)
        assert outbox.deliver_due(engine, trusted, worker="w1", now=later) == outbox.Sent(delivered=1)
    assert box.subjects() == ["SLA at risk: @Mila_K on Instagram"] and box.logins == ["desk"]


def test_each_recipient_reads_the_breach_mail_in_their_own_language(session, engine, database_url):
    """One breach, two people told: Sven reads German (his own choice), Lea the workspace's
    English; each mail is written in its reader's language, dates in their format."""
    from email.header import decode_header, make_header

    from core.live import scan
    from db.models import Notification

    make_sla_policy(session, minutes=60, calendar=ALWAYS)
    instagram = make_channel(session, name="Instagram")
    sven = person(session, Role.support, "Sven.S", "Sven Support", "sven@example.org")
    lea = person(session, Role.lead, "Lea.L", "Lea Lead", "lea@example.org")
    user = session.get(User, sven.id)
    user.language = "de"
    session.add(user)
    conversation = make_sla_conversation(
        session, channel=instagram, received_at=NOW - dt.timedelta(hours=2), author_handle="@Mila_K"
    )
    assert scan.scan(session, now=NOW) == (0, 1)
    assert scan.scan(session, now=NOW + dt.timedelta(minutes=1)) == (0, 0)  # told once, in both languages
    session.commit()
    keys = sorted(n.dedupe_key for n in session.exec(select(Notification)).all())
    assert keys == [f"sla_breached:{conversation.id}", f"sla_breached:{conversation.id}@de"]
    port = free_port()
    with SmtpServer(port) as box:
        sent = outbox.deliver_due(engine, settings_for(database_url, smtp_port=port), worker="w1", now=NOW)
    assert sent == outbox.Sent(delivered=2)
    mails = {
        m["To"]: (str(make_header(decode_header(m["Subject"]))), m.get_payload(decode=True).decode("utf-8"))
        for m in box.messages
    }
    german_subject, german_body = mails["sven@example.org"]
    assert german_subject == "SLA überschritten: @Mila_K auf Instagram"
    # due 09:00 UTC = 10:00 in Berlin, written as Germans write a date
    assert "Die erste Antwort war fällig am 11.11.2025 10:00." in german_body
    assert "— Dialog Desk (was du bekommst, wählst du auf deiner Profilseite)" in german_body
    assert "first reply" not in german_body and "choose what you get" not in german_body
    english_subject, english_body = mails["lea@example.org"]
    assert english_subject == "SLA breached: @Mila_K on Instagram"
    assert "The first reply was due 2025-11-11 10:00." in english_body
    assert "— Dialog Desk (choose what you get on your profile page)" in english_body
    # the inbox entries too: each person's own language
    assert [e.title for e in notify.inbox(session=session, user_id=sven.id)] == [
        "SLA überschritten: @Mila_K auf Instagram"
    ]
    assert [e.title for e in notify.inbox(session=session, user_id=lea.id)] == ["SLA breached: @Mila_K on Instagram"]
