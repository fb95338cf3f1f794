"""The SLA scan: at risk and breached conversations announced once each (one "at risk" per
conversation, however often the worker scans), to the assignee (or the people who work
conversations), breaches to the leads too; quiet hours hold e-mail outside business hours
except for breaches; the preference "off" tells nobody.

Office hours (tests.factories): 09:00–13:00 and 14:00–18:00 Berlin, Monday to Friday; a policy of
120 minutes is at risk with 30 business minutes or less left.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core.live import notify, scan
from core.live.kinds import Kind
from db.models import DeliveryStatus, Notification, NotificationDelivery, NotificationPreference, NotifyChannel, Role
from tests.factories import make_channel, make_sla_conversation, make_sla_policy, make_user

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


NOW = berlin("2025-11-11 11:00")  # a Tuesday, open


@pytest.fixture
def world(session):
    people = {
        "support": make_user(session, Role.support, username="Sven.Support", name="Sven Support"),
        "community": make_user(session, Role.community, username="cora", name="Cora Community"),
        "lead": make_user(session, Role.lead, username="lea", name="Lea Lead"),
        "editor": make_user(session, Role.editor, username="ed", name="Ed Editor"),
    }
    channel = make_channel(session, name="Instagram")
    make_sla_policy(session, minutes=120)
    c = {}

    def add(name, received, **fields):
        c[name] = make_sla_conversation(
            session, channel=channel, received_at=berlin(received), author_handle=f"@{name.title()}", **fields
        )

    add("risk_mine", "2025-11-11 09:20", assignee_id=people["support"].id)  # 20 min left
    add("risk_unassigned", "2025-11-11 09:30")  # 30 left: the boundary is at risk
    add("on_track", "2025-11-11 10:50")
    add("breached_today", "2025-11-10 17:50", assignee_id=people["support"].id)  # due 10:50
    add("breached_long_ago", "2025-10-01 09:00")  # not news any more
    add("answered", "2025-11-11 09:00", first_reply_at=berlin("2025-11-11 09:40"), status="waiting")
    session.commit()
    return people, c


def _told(session, kind):
    rows = session.exec(
        select(Notification.entity_id, NotificationDelivery.user_id, NotificationDelivery.channel)
        .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
        .where(Notification.kind == kind)
    ).all()
    return sorted(rows)


def test_one_scan_finds_the_at_risk_and_the_newly_breached(session, world):
    people, c = world
    due = scan.find_due(session, now=NOW)
    assert {(d.id, d.breached) for d in due} == {
        (c["risk_mine"].id, False),
        (c["risk_unassigned"].id, False),
        (c["breached_today"].id, True),
    }


def test_each_is_announced_once_to_the_right_people(session, world):
    people, c = world
    assert scan.scan(session, now=NOW) == (2, 1)
    session.commit()
    workers = sorted([people["support"].id, people["community"].id])
    assert _told(session, Kind.sla_at_risk) == sorted(
        [(c["risk_mine"].id, people["support"].id, "in_app")]
        + [(c["risk_unassigned"].id, w, "in_app") for w in workers]
    )
    assert _told(session, Kind.sla_breached) == sorted(
        [
            (c["breached_today"].id, people["support"].id, "in_app"),
            (c["breached_today"].id, people["lead"].id, "in_app"),
        ]
    )
    # the next scans (a minute later, an hour later) add nothing: one "at risk" per conversation
    assert scan.scan(session, now=NOW + dt.timedelta(minutes=1)) == (0, 0)
    assert scan.find_due(session, now=NOW + dt.timedelta(minutes=1)) == []
    assert notify.unread_count(session=session, user_id=people["support"].id) == 3
    assert notify.unread_count(session=session, user_id=people["editor"].id) == 0


def test_an_at_risk_item_that_breaches_later_is_announced_as_breached_too(session, world):
    people, c = world
    scan.scan(session, now=NOW)
    later = berlin("2025-11-11 11:25")  # risk_mine was due 11:20
    found = scan.find_due(session, now=later)
    assert [(d.id, d.breached) for d in found] == [(c["risk_mine"].id, True)]


@pytest.mark.parametrize(
    ("kind", "received", "now", "sent_at"),
    [
        # 30 business minutes left from 18:00 on: at risk after hours, the e-mail waits for Wednesday
        ("at_risk", "2025-11-11 16:30", "2025-11-11 19:00", "2025-11-12 09:00"),
        # the same item breached at 18:10 after hours: a breach goes out at once
        ("breached", "2025-11-11 15:50", "2025-11-11 18:10", "2025-11-11 18:10"),
        # at risk in office hours: at once
        ("at_risk", "2025-11-11 09:40", "2025-11-11 11:15", "2025-11-11 11:15"),
    ],
)
def test_quiet_hours_hold_mail_except_breaches(session, world, kind, received, now, sent_at):
    people, _ = world
    mine = make_sla_conversation(
        session,
        channel=make_channel(session, name="Threads"),
        received_at=berlin(received),
        assignee_id=people["editor"].id,
        kind="complaint",
    )
    session.add(NotificationPreference(user_id=people["editor"].id, kind=f"sla_{kind}", channel="email"))
    session.commit()
    scan.scan(session, now=berlin(now))
    mail = session.exec(
        select(NotificationDelivery, Notification)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .where(NotificationDelivery.user_id == people["editor"].id, NotificationDelivery.channel == "email")
    ).all()
    assert [(n.entity_id, n.kind, d.status, d.next_attempt_at) for d, n in mail] == [
        (mine.id, f"sla_{kind}", DeliveryStatus.queued, berlin(sent_at))
    ]


def test_off_tells_nobody_and_the_inbox_marks_read(session, world):
    people, c = world
    session.add(NotificationPreference(user_id=people["community"].id, kind="sla_at_risk", channel=NotifyChannel.off))
    session.commit()
    scan.scan(session, now=NOW)
    session.commit()
    assert people["community"].id not in {u for _, u, _ in _told(session, Kind.sla_at_risk)}
    support = people["support"]
    from core.permissions import Actor

    actor = Actor(id=support.id, username=support.username, role=Role.support)
    entries = notify.inbox(session=session, user_id=support.id)
    assert [e.read for e in entries] == [False, False, False]
    assert notify.mark_read(session=session, actor=actor, delivery_ids=[entries[0].id]) == 1
    assert notify.unread_count(session=session, user_id=support.id) == 2
    assert notify.mark_read(session=session, actor=actor) == 2
    assert notify.unread_count(session=session, user_id=support.id) == 0


def test_a_person_on_a_team_with_its_own_calendar_gets_mail_by_that_calendar(session, world):
    """At 19:00 on Tuesday the office calendar is closed; the night team's calendar is open all
    day: its member's e-mail goes out at once, the office person's waits for 09:00."""
    from core.live.kinds import Kind
    from tests.factories import make_escalation_team

    people, _ = world
    import json

    from db.models import BusinessCalendarRow

    always = BusinessCalendarRow(
        name="Night desk",
        definition=json.dumps(
            {
                "timezone": "Europe/Berlin",
                "weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            }
        ),
    )
    session.add(always)
    session.flush()
    make_escalation_team(
        session,
        owner_id=people["lead"].id,
        name="Night desk",
        responsible_ids=(people["community"].id,),
        calendar_id=always.id,
    )
    for who in ("community", "editor"):
        session.add(NotificationPreference(user_id=people[who].id, kind="escalated", channel="email"))
    office = scan.PolicyBook.load(session).policies[0].calendar
    night = berlin("2025-11-11 19:00")
    notify.announce(
        session,
        notify.Announcement(kind=Kind.escalated, key="escalated:x", title="Escalated to Night desk"),
        recipients=[people["community"].id, people["editor"].id],
        calendar=office,
        now=night,
    )
    mail = session.exec(select(NotificationDelivery).where(NotificationDelivery.channel == "email")).all()
    assert sorted((d.user_id, d.next_attempt_at) for d in mail) == sorted(
        [(people["community"].id, night), (people["editor"].id, berlin("2025-11-12 09:00"))]
    )
