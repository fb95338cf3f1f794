"""The audit log: who changed what, when, with the record before and after."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from core.changes import mark_changed
from core.permissions import Actor
from db.models import AuditLog

_SECRET_FIELDS = {"password_hash", "token_hash"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(record: SQLModel) -> dict[str, Any]:
    """The record's columns as plain JSON values (secrets masked)."""
    return {
        column.name: ("***" if column.name in _SECRET_FIELDS else _jsonable(getattr(record, column.name)))
        for column in record.__table__.columns  # type: ignore[attr-defined]
    }


def record_change(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row in the caller's transaction (so it commits or rolls back with it), and
    mark the entity's domain as changed so cached reads of it are dropped once this commits."""
    mark_changed(session, entity=entity)
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed or k == "id"}
        after = {k: v for k, v in after.items() if k in changed or k == "id"}
    row = AuditLog(
        actor_id=actor.id,
        actor=actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=None if before is None else json.dumps(before, sort_keys=True, default=str),
        after=None if after is None else json.dumps(after, sort_keys=True, default=str),
    )
    session.add(row)
    return row


def history(session: Session, *, entity: str, entity_id: int) -> list[AuditLog]:
    """Audit rows of one record, oldest first."""
    statement = (
        select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(col(AuditLog.at), col(AuditLog.id))
    )
    return list(session.exec(statement))


@dataclass(frozen=True)
class AuditEntry:
    """One audit row as the admin's audit log shows it."""

    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    after: str | None


def recent(*, session: Session, limit: int = 200, entity: str | None = None) -> tuple[AuditEntry, ...]:
    statement = select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)
    if entity:
        statement = statement.where(AuditLog.entity == entity)
    return tuple(AuditEntry(r.at, r.actor, r.action, r.entity, r.entity_id, r.after) for r in session.exec(statement))
