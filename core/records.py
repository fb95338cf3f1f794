"""Creating and updating records safely: audited, and refusing to overwrite a newer version."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, func
from sqlalchemy import update as sql_update
from sqlmodel import Session, SQLModel, col, select

from core import audit, formats
from core.errors import ConflictError, NotFoundError
from core.i18n import _
from core.permissions import Actor
from db.models import AuditLog

T = TypeVar("T", bound=SQLModel)


def stored_id(value: int | None) -> int:
    """The key of a row read from (or just flushed to) the database, which always has one."""
    if value is None:
        raise AssertionError("a stored row without an id")
    return value


def entity_name(model: type[SQLModel]) -> str:
    return str(model.__tablename__)


def get_or_404(session: Session, model: type[T], record_id: int, *, what: str | None = None) -> T:
    record = session.get(model, record_id)
    if record is None:
        raise NotFoundError(
            _(
                "{what} #{id} does not exist (any more).",
                what=what or entity_name(model).replace("_", " ").capitalize(),
                id=record_id,
            )
        )
    return record


def create(session: Session, record: T, *, actor: Actor, action: str) -> T:
    """Insert ``record`` and audit it; returns it with its id."""
    session.add(record)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action=action,
        entity=entity_name(type(record)),
        entity_id=getattr(record, "id", None),
        after=audit.snapshot(record),
    )
    return record


def update(session: Session, record: T, changes: dict[str, Any], *, actor: Actor, action: str) -> T:
    """Set ``changes`` on a stored row that carries no version, and audit it (before and after)."""
    before = audit.snapshot(record)
    for field, value in changes.items():
        setattr(record, field, value)
    session.add(record)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action=action,
        entity=entity_name(type(record)),
        entity_id=getattr(record, "id", None),
        before=before,
        after=audit.snapshot(record),
    )
    return record


def update_versioned(
    session: Session,
    model: type[T],
    record_id: int,
    *,
    expected_version: int,
    changes: dict[str, Any],
    actor: Actor,
    action: str,
) -> T:
    """Apply ``changes`` only if the record is still at ``expected_version``; bump the version.

    The check and the write are one ``UPDATE … WHERE version = :expected`` so that two people
    saving at once cannot both win, on SQLite and PostgreSQL alike.
    """
    record = get_or_404(session, model, record_id)
    before = audit.snapshot(record)
    table = model.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sql_update(table)
        .where(table.c.id == record_id, table.c.version == expected_version)
        .values(**changes, version=expected_version + 1)
    )
    if cast(CursorResult, result).rowcount != 1:
        raise ConflictError(_conflict_message(session, model, record_id))
    session.refresh(record)
    audit.record_change(
        session,
        actor=actor,
        action=action,
        entity=entity_name(model),
        entity_id=record_id,
        before=before,
        after=audit.snapshot(record),
    )
    return record


def _conflict_message(session: Session, model: type[SQLModel], record_id: int) -> str:
    last = session.exec(
        select(AuditLog)
        .where(AuditLog.entity == entity_name(model), AuditLog.entity_id == record_id)
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    ).first()
    what = entity_name(model).replace("_", " ")
    if last is None:
        return _(
            "This {what} was changed after you opened it. "
            "Your changes were not saved; reload to see the newer version and apply them again.",
            what=what,
        )
    return _(
        "This {what} was changed by {who} at {when} UTC after you opened it. "
        "Your changes were not saved; reload to see the newer version and apply them again.",
        what=what,
        who=last.actor,
        when=formats.date_time(last.at),
    )


def delete(session: Session, record: SQLModel, *, actor: Actor, action: str) -> None:
    audit.record_change(
        session,
        actor=actor,
        action=action,
        entity=entity_name(type(record)),
        entity_id=getattr(record, "id", None),
        before=audit.snapshot(record),
    )
    session.delete(record)


def distinct_values(session: Session, column: Any, *, limit: int | None = None) -> list[str]:
    """The distinct non-empty values of a text column, in the database's order: one index seek
    per value (a loose index scan, as a recursive query) instead of reading every row, so a list
    of a few categories costs the same at 2,000 conversations as at 200,000. ``column`` leads an
    index (without one it still works, one scan per value)."""
    walk = select(func.min(column).label("value")).where(column > "").cte("walk", recursive=True)
    after = select(func.min(column)).where(column > walk.c.value).scalar_subquery()
    walk = walk.union_all(select(after.label("value")).select_from(walk).where(walk.c.value.is_not(None)))
    statement = select(walk.c.value).where(walk.c.value.is_not(None))
    if limit is not None:
        statement = statement.limit(limit)
    return [value for (value,) in session.execute(statement)]
