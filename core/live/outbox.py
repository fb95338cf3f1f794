"""The outbox: e-mail and chat deliveries that are due, each claimed by one worker, sent, and
marked delivered — or tried again later with backoff.

Claiming is one ``UPDATE … WHERE id = :id AND status = 'queued'`` per row, committed before the
message goes out: of two workers reading the same due rows only one update matches, on SQLite and
PostgreSQL alike, so two workers never send the same mail (on PostgreSQL the candidates are read
``FOR UPDATE SKIP LOCKED`` too, so a second worker takes other rows instead of waiting). A claim lasts ``CLAIM``; a worker that
died while sending leaves its rows to be claimed again after that (at least once, never lost).
A server that is down keeps the row queued (its attempts and last error shown in the delivery
log); an error that another try cannot fix (an address refused, a webhook gone) marks it failed.

Each message is written in its recipient's language (theirs, else the workspace's): the
notification's title and body already are; the words around them are written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import i18n, workspace
from core.i18n import _
from core.live.kinds import retry_delay
from core.live.notify import language_or
from core.live.senders import SendError, post_webhook, send_email, webhook_payload
from core.settings import Settings
from db.engine import read_session, write_session
from db.models import DeliveryStatus, Notification, NotificationDelivery, NotifyChannel, User
from db.types import utcnow

CLAIM = dt.timedelta(minutes=5)
BATCH = 200
_SCREEN_OF = {"post": "calendar", "idea": "ideas", "conversation": "sla"}


@dataclass(frozen=True)
class Sent:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def _due_clause(now: dt.datetime) -> Any:
    d = NotificationDelivery
    return or_(
        and_(col(d.status) == DeliveryStatus.queued, col(d.next_attempt_at) <= now),
        and_(col(d.status) == DeliveryStatus.sending, col(d.claimed_until) < now),
    )


def claim(engine: Engine, *, worker: str, now: dt.datetime, limit: int = BATCH) -> list[int]:
    """Claim up to ``limit`` due deliveries for ``worker`` (committed: no other worker takes them)."""
    d = NotificationDelivery
    with write_session(engine) as session:
        statement = (
            select(d.id)
            .where(col(d.channel) != NotifyChannel.in_app, _due_clause(now))
            .order_by(col(d.next_attempt_at))
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":  # rows another worker is claiming are skipped
            statement = statement.with_for_update(skip_locked=True)
        candidates = session.exec(statement).all()
        mine = []
        for delivery_id in candidates:
            result = session.execute(
                update(d)
                .where(col(d.id) == delivery_id, col(d.channel) != NotifyChannel.in_app, _due_clause(now))
                .values(status=DeliveryStatus.sending, claimed_by=worker, claimed_until=now + CLAIM)
            )
            if cast(CursorResult, result).rowcount == 1 and delivery_id is not None:
                mine.append(delivery_id)
    return mine


def _message(settings: Settings, delivery: NotificationDelivery, note: Notification, user: User) -> Callable[[], None]:
    link = ""
    if settings.worker.app_url and note.entity:
        link = f"{settings.worker.app_url}/{_SCREEN_OF.get(note.entity, 'sla')}"
    if delivery.channel == NotifyChannel.email:
        footer = _("— Dialog Desk (choose what you get on your profile page)")
        body = "\n\n".join(part for part in (note.body, link, footer) if part)
        return lambda: send_email(settings.mail, to=user.email, subject=note.title, body=body)
    payload = webhook_payload(
        settings.worker.webhook_format, title=note.title, body=note.body, person=user.name or user.username, link=link
    )
    return lambda: post_webhook(settings.worker.webhook_url, payload)


def send_claimed(engine: Engine, settings: Settings, *, worker: str, ids: list[int], now: dt.datetime) -> Sent:
    """Send each claimed delivery and record what happened (one short transaction per row)."""
    d = NotificationDelivery
    delivered = retried = failed = 0
    with read_session(engine) as session:
        rows = session.exec(
            select(d, Notification, User)
            .join(Notification, col(Notification.id) == d.notification_id)
            .join(User, col(User.id) == d.user_id)
            .where(col(d.id).in_(ids), col(d.claimed_by) == worker)
        ).all()
        default = workspace.language(session)
    for delivery, note, user in rows:
        attempts = delivery.attempts + 1
        try:
            with i18n.using(language_or(user.language, default)):
                message = _message(settings, delivery, note, user)
            message()
        except SendError as problem:
            give_up = not problem.retry
            values: dict[str, Any] = {
                "status": DeliveryStatus.failed if give_up else DeliveryStatus.queued,
                "attempts": attempts,
                "last_error": str(problem)[:2000],
                "next_attempt_at": now + retry_delay(attempts),
                "claimed_until": None,
            }
            failed += give_up
            retried += not give_up
        else:
            values = {
                "status": DeliveryStatus.delivered,
                "attempts": attempts,
                "delivered_at": utcnow(),
                "last_error": "",
            }
            delivered += 1
        with write_session(engine) as session:
            session.execute(update(d).where(col(d.id) == delivery.id, col(d.claimed_by) == worker).values(**values))
    return Sent(delivered, retried, failed)


def deliver_due(engine: Engine, settings: Settings, *, worker: str, now: dt.datetime | None = None) -> Sent:
    """Claim and send every due delivery, a batch at a time."""
    now = now or utcnow()
    total = Sent()
    while ids := claim(engine, worker=worker, now=now):
        sent = send_claimed(engine, settings, worker=worker, ids=ids, now=now)
        total = Sent(total.delivered + sent.delivered, total.retried + sent.retried, total.failed + sent.failed)
        if len(ids) < BATCH:
            break
    return total


# --- the admin's delivery log --------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryLogRow:
    id: int
    created_at: dt.datetime
    kind: str
    title: str
    person: str
    channel: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None
    last_error: str


def delivery_log(*, session: Session, limit: int = 200) -> tuple[DeliveryLogRow, ...]:
    """The newest e-mail and chat deliveries, whatever became of them."""
    d = NotificationDelivery
    rows = session.exec(
        select(d, Notification, User)
        .join(Notification, col(Notification.id) == d.notification_id)
        .join(User, col(User.id) == d.user_id)
        .where(col(d.channel) != NotifyChannel.in_app)
        .order_by(col(d.id).desc())
        .limit(limit)
    ).all()
    return tuple(
        DeliveryLogRow(
            id=delivery.id or 0,
            created_at=delivery.created_at,
            kind=note.kind,
            title=note.title,
            person=user.name or user.username,
            channel=delivery.channel,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            last_error=delivery.last_error,
        )
        for delivery, note, user in rows
    )
