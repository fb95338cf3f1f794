"""``python -m core worker``: every minute the SLA scan, the weekly digest on its day, and the
outbox; beside it, in the same process, the ingest API (``core.live.api``, served by uvicorn).

Safe to run twice: the scan and the digest each take a lease row in ``worker_lease`` (one
``UPDATE … WHERE holder = me OR expires_at < now``, so only one worker holds it at a time, on
SQLite and PostgreSQL alike), and the outbox claims each delivery for one worker
(``core.live.outbox``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import cast

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core import records, workspace
from core.errors import ValidationError
from core.i18n import N_, _
from core.kpis.digest import weekly_digest
from core.live import outbox, scan
from core.live.kinds import Kind
from core.live.notify import Announcement, announce, later
from core.live.subscribers import people_who_may
from core.permissions import Action, Actor, require
from core.settings import Settings
from db.engine import write_session
from db.models import WorkerLease, Workspace
from db.types import utcnow

log = logging.getLogger("dialogdesk.worker")
LEASE = dt.timedelta(minutes=2)


def worker_name() -> str:
    """This worker's name in leases and claims: host, process and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take_lease(session: Session, *, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta = LEASE) -> bool:
    """Hold the job ``name`` until now + ttl, unless another worker holds it (True: ours)."""
    table = WorkerLease.__table__  # type: ignore[attr-defined]
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(table)
        .values(name=name, holder="", expires_at=now - dt.timedelta(seconds=1))
        .on_conflict_do_nothing(index_elements=[table.c.name])
    )
    result = session.execute(
        update(WorkerLease)
        .where(
            col(WorkerLease.name) == name,
            or_(col(WorkerLease.holder) == holder, col(WorkerLease.expires_at) < now),
        )
        .values(holder=holder, expires_at=now + ttl)
    )
    return cast(CursorResult, result).rowcount == 1


@dataclass(frozen=True)
class Round:
    """What one round of the worker did."""

    scanned: bool
    at_risk: int
    breached: int
    digest: bool
    sent: outbox.Sent


def digest_day(*, session: Session) -> int:
    """The weekday (Monday 0 … Sunday 6) the weekly digest is announced."""
    row = session.exec(select(Workspace)).first()
    return row.digest_weekday if row is not None else 0


def set_digest_day(*, session: Session, actor: Actor, weekday: int) -> int:
    """The digest's editors choose the day the worker announces the digest of the week before."""
    require(actor, Action.edit_digest)
    if weekday not in range(7):
        raise ValidationError(_("Pick a weekday, Monday to Sunday."))
    row = session.exec(select(Workspace)).first()
    if row is None or row.id is None:
        raise ValidationError(_("The workspace is not set up yet."))
    records.update_versioned(
        session,
        Workspace,
        row.id,
        expected_version=row.version,
        changes={"digest_weekday": weekday},
        actor=actor,
        action="workspace.digest_day",
    )
    return weekday


def announce_digest(session: Session, *, now: dt.datetime) -> bool:
    """On the chosen weekday (workspace time), the digest of the week before is ready: its
    editors and the leads are told once."""
    zone = workspace.timezone(session)
    today = now.astimezone(zone).date()
    if today.weekday() != digest_day(session=session):
        return False
    week_start = today - dt.timedelta(days=today.weekday() + 7)
    digest = weekly_digest(session, week_start=week_start)
    people = {*people_who_may(session, Action.edit_digest), *people_who_may(session, Action.manage_loop)}
    told = announce(
        session,
        Announcement(
            kind=Kind.digest_ready,
            key=f"digest:{week_start.isoformat()}",
            # The digest's title is worded in each reader's language too (a property: read per language).
            title=later(N_("{digest} is ready"), digest=lambda: digest.title),
            body=later(N_("Open the KPI screen to read it and pick the hero of the week.")),
            entity="digest",
        ),
        recipients=people,
        now=now,
    )
    return told is not None


def run_once(engine: Engine, settings: Settings, *, worker: str, now: dt.datetime | None = None) -> Round:
    """One round: the scan and the digest (each by the worker holding its lease), then the outbox."""
    now = now or utcnow()
    at_risk = breached = 0
    scanned = digest = False
    with write_session(engine) as session:
        if take_lease(session, name="sla_scan", holder=worker, now=now):
            scanned = True
            at_risk, breached = scan.scan(session, now=now)
    try:
        with write_session(engine) as session:
            if take_lease(session, name="weekly_digest", holder=worker, now=now):
                digest = announce_digest(session, now=now)
    except Exception:  # a digest that cannot be made must not hold up the alerts
        log.exception("the weekly digest could not be announced; the outbox is sent anyway")
    sent = outbox.deliver_due(engine, settings, worker=worker, now=now)
    return Round(scanned, at_risk, breached, digest, sent)


def run_forever(engine: Engine, settings: Settings, *, stop: threading.Event, worker: str | None = None) -> None:
    """Rounds every ``interval_seconds`` until ``stop`` is set; a failing round is logged and retried."""
    worker = worker or worker_name()
    while not stop.is_set():
        try:
            result = run_once(engine, settings, worker=worker)
            if result.at_risk or result.breached or result.sent.delivered or result.sent.retried:
                log.info(
                    "at risk %s, breached %s, sent %s, to retry %s, failed %s",
                    result.at_risk,
                    result.breached,
                    result.sent.delivered,
                    result.sent.retried,
                    result.sent.failed,
                )
        except Exception:  # the worker outlives a bad round (the database restarting, …)
            log.exception("a worker round failed; trying again in %s s", settings.worker.interval_seconds)
        stop.wait(settings.worker.interval_seconds)
