"""Importing conversations from a platform's CSV export, all or nothing.

The person maps the file's columns onto our fields, picks the channel and — explicitly — the time
zone that timestamps without an offset are in. Every row is checked before anything is written
(``core.sla.import_rows``): one bad row rejects the whole file with a report naming row and
column. A clean file is written in one transaction with bulk inserts; each new row gets its SLA
figures from the policy that fits it. Re-importing is idempotent by (channel, external id): known
conversations are never duplicated, only their missing first reply / resolved time is filled in.
Without an id column a stable id is derived from received time, author and text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from core import audit
from core.errors import ValidationError
from core.handles import stored_key
from core.permissions import Action, Actor, require
from core.records import stored_id
from core.sla.figures import reply_figures
from core.sla.import_rows import ImportOptions, ParsedRow, Progress, parse_rows, read_csv
from core.sla.policies import PolicyBook
from core.tabular import RowError
from db.models import Channel, Conversation, ConversationStatus
from db.types import utcnow

BATCH = 5000
PREVIEW_ROWS = 20


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or — with errors — why it wrote nothing."""

    total_rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()
    error_count: int = 0
    preview: tuple[ParsedRow, ...] = field(default_factory=tuple)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0


# -- preview and import ------------------------------------------------------------------------


def _channel(session: Session, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise ValidationError(f"Channel #{channel_id} does not exist; pick the channel the export comes from.")
    return channel


def _existing(session: Session, channel_id: int) -> dict[str, Any]:
    table = Conversation.__table__  # type: ignore[attr-defined]
    statement = select(
        table.c.external_id,
        table.c.id,
        table.c.first_reply_at,
        table.c.resolved_at,
        table.c.status,
        table.c.received_at,
        table.c.sla_policy_id,
        table.c.business_minutes_to_reply,
        table.c.calendar_minutes_to_reply,
        table.c.reply_before_message,
    ).where(table.c.channel_id == channel_id, table.c.external_id.is_not(None))
    return {row.external_id: row for row in session.execute(statement)}


def preview_import(
    *,
    session: Session,
    actor: Actor,
    data: bytes | str,
    options: ImportOptions,
    now: dt.datetime | None = None,
    limit: int = PREVIEW_ROWS,
) -> ImportReport:
    """Check the whole file and show its first rows as they would be stored; writes nothing."""
    require(actor, Action.import_conversations)
    _channel(session, options.channel_id)
    export = read_csv(data)
    parsed, errors = parse_rows(export, options, now=now)
    existing = _existing(session, options.channel_id) if not errors.count else {}
    known = sum(1 for p in parsed if p.external_id in existing)
    return ImportReport(
        total_rows=len(export.rows),
        created=len(parsed) - known if not errors.count else 0,
        updated=0,
        unchanged=known,
        errors=tuple(errors.items),
        error_count=errors.count,
        preview=tuple(parsed[:limit]),
    )


_OPEN = {ConversationStatus.open.value, ConversationStatus.waiting.value}


def import_conversations(
    *,
    session: Session,
    actor: Actor,
    data: bytes | str,
    options: ImportOptions,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a CSV export all-or-nothing; with any row error nothing is written (the report
    says which rows and columns to fix). Runs in the caller's transaction."""
    require(actor, Action.import_conversations)
    now = now or utcnow()
    channel = _channel(session, options.channel_id)
    channel_id = stored_id(channel.id)
    export = read_csv(data)
    total = len(export.rows)
    parsed, errors = parse_rows(export, options, now=now, progress=progress)
    if errors.count:
        return ImportReport(total_rows=total, errors=tuple(errors.items), error_count=errors.count)

    book = PolicyBook.load(session)
    existing = _existing(session, options.channel_id)
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unchanged = 0
    for done, row in enumerate(parsed, start=1):
        if progress is not None and done % 2000 == 0:
            progress(done, len(parsed), "Computing SLA figures")
        known = existing.get(row.external_id)
        if known is None:
            new_rows.append(_new_row(row, channel_id=channel_id, book=book, now=now))
            continue
        change = _fill_in(known, row, book)
        if change is None:
            unchanged += 1
        else:
            updates.append(change)

    table = Conversation.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    steps = len(new_rows) + len(updates)
    done = _bulk_insert(connection, table, new_rows, progress=progress, steps=steps)
    if updates:
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in _UPDATE_COLUMNS} | {"version": table.c.version + 1})
        )
        for start in range(0, len(updates), BATCH):
            batch = updates[start : start + BATCH]
            connection.execute(statement, batch)
            done += len(batch)
            if progress is not None:
                progress(done, steps, "Saving")
    audit.record_change(
        session,
        actor=actor,
        action="conversation.import",
        entity="conversation",
        entity_id=None,
        after={
            "channel": channel.name,
            "file": options.file_name,
            "rows": total,
            "created": len(new_rows),
            "updated": len(updates),
            "unchanged": unchanged,
            "mapping": dict(options.mapping),
            "timezone": options.timezone,
        },
    )
    session.expire_all()
    return ImportReport(
        total_rows=total, created=len(new_rows), updated=len(updates), unchanged=unchanged, written=True
    )


def _bulk_insert(
    connection: Any, table: Any, rows: list[dict[str, Any]], *, progress: Progress | None, steps: int
) -> int:
    """Insert many rows in the caller's transaction as fast as the driver allows: each column's
    bind processor (UTC normalisation, the dialect's date format) is applied once per value and
    the rows go to the driver's executemany, skipping per-row statement bookkeeping. SQLite gets
    a bigger page cache for the duration, so ten indexes are not maintained through 2 MB."""
    if not rows:
        return 0
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer
    statement = (
        f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) "
        f"VALUES ({', '.join(marker for _ in names)})"
    )
    sqlite = dialect.name == "sqlite"
    if sqlite:
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql("PRAGMA cache_size=-65536")
    done = 0
    try:
        for start in range(0, len(rows), BATCH):
            batch = [
                tuple(
                    value if value is None or process is None else process(value)
                    for value, process in zip(row.values(), processors, strict=False)
                )
                for row in rows[start : start + BATCH]
            ]
            connection.exec_driver_sql(statement, batch)
            done += len(batch)
            if progress is not None:
                progress(done, steps, "Saving")
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
    return done


def _status(row: ParsedRow) -> str:
    if row.resolved_at is not None:
        return ConversationStatus.resolved
    if row.first_reply_at is not None:
        return ConversationStatus.waiting
    return ConversationStatus.open


def _new_row(row: ParsedRow, *, channel_id: int, book: PolicyBook, now: dt.datetime) -> dict[str, Any]:
    figures = book.figures(
        channel_id=channel_id, kind=row.kind, received_at=row.received_at, first_reply_at=row.first_reply_at
    )
    return {
        "external_id": row.external_id,
        "channel_id": channel_id,
        "kind": str(row.kind),
        "author_handle": row.author_handle,
        "author_key": stored_key(row.author_handle),
        "text": row.text,
        "link": row.link,
        "category": row.category,
        "received_at": row.received_at,
        "first_reply_at": row.first_reply_at,
        "resolved_at": row.resolved_at,
        "status": str(_status(row)),
        "no_reply_reason": "",
        "assignee_id": None,
        "escalation_team_id": None,
        "escalated_at": None,
        "escalation_reason": "",
        "quick_answer_id": None,
        "useful": False,
        "best": False,
        "engagement": 0,
        **figures.as_columns(),
        "created_at": now,
        "version": 1,
    }


_UPDATE_COLUMNS = (
    "first_reply_at",
    "business_minutes_to_reply",
    "calendar_minutes_to_reply",
    "reply_before_message",
    "resolved_at",
    "status",
)


def _fill_in(known: Any, row: ParsedRow, book: PolicyBook) -> dict[str, Any] | None:
    """What a re-import adds to a stored conversation: only a missing first reply / resolved time
    (nothing the team changed in Dialog Desk is overwritten)."""
    change: dict[str, Any] = {}
    status = known.status
    if known.first_reply_at is None and row.first_reply_at is not None:
        calendar = book.calendar_of(known.sla_policy_id)
        business, calendar_minutes, before = reply_figures(known.received_at, row.first_reply_at, calendar)
        change.update(
            first_reply_at=row.first_reply_at,
            business_minutes_to_reply=business,
            calendar_minutes_to_reply=calendar_minutes,
            reply_before_message=before,
        )
        if status == ConversationStatus.open:
            status = ConversationStatus.waiting
    if known.resolved_at is None and row.resolved_at is not None and status in _OPEN:
        change["resolved_at"] = row.resolved_at
        status = ConversationStatus.resolved
    if not change:
        return None
    full = {
        "_id": known.id,
        "first_reply_at": known.first_reply_at,
        "business_minutes_to_reply": known.business_minutes_to_reply,
        "calendar_minutes_to_reply": known.calendar_minutes_to_reply,
        "reply_before_message": known.reply_before_message,
        "resolved_at": known.resolved_at,
        "status": status,
    }
    full.update(change)
    return full
