"""Import batches: every imported file is one ``data_import`` row, every row it creates carries
that id, and one audit entry per import lists what it created (ids as ranges) — instead of one
audit row per conversation or giver. ``rows_of`` lists the rows of an import, so anyone reading
the audit log can see exactly what a file brought in.

Also the bulk insert the imports share: rows go to the driver's executemany in batches, each
column's bind processing applied once per value.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Boolean, Float, func, select
from sqlmodel import Session, SQLModel

from core import audit
from core.changes import mark_changed
from core.i18n import N_
from core.permissions import Actor
from core.records import stored_id
from db.models import Conversation, ConversationMessage, DataImport, Idea, IdeaGiver, Post
from db.types import UTCDateTime

BATCH = 5000
BIG_LOAD = 20_000  # rows: a smaller load keeps the indexes (rebuilding them would cost more)
SHOWN_ROWS = 200
_SQLITE_DATETIME = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"

# ``progress(done, total, stage)``: rows done of total in the current stage (a marked constant).
Progress = Callable[[int, int, str], None]

# What an import can create, and the columns that show a row of it.
_ENTITIES: dict[str, tuple[type[SQLModel], tuple[str, ...]]] = {
    "conversation": (Conversation, ("id", "channel_id", "external_id", "received_at", "author_handle", "status")),
    "conversation_message": (
        ConversationMessage,
        ("id", "conversation_id", "external_id", "sent_at", "from_team", "author_handle"),
    ),
    "idea": (Idea, ("id", "title", "status", "created_at")),
    "idea_giver": (IdeaGiver, ("id", "idea_id", "handle", "given_at")),
    "post": (Post, ("id", "title", "status", "scheduled_at")),
}


@dataclass(frozen=True)
class ImportView:
    id: int
    kind: str
    file_name: str
    actor: str
    created_at: dt.datetime
    summary: dict[str, Any]


_P = ParamSpec("_P")
_R = TypeVar("_R")


def collector_paused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a whole import with Python's cycle collector paused. An import builds hundreds of
    thousands of small objects (rows, times, dicts) that all live until it ends; the collector
    would walk them again and again and free nothing. It is switched back on afterwards (if it
    was on), and the next collection tidies up as usual."""

    @functools.wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()

    return paused


def start(session: Session, *, actor: Actor, kind: str, file_name: str) -> int:
    """Record that an import begins (in the caller's transaction); the id its rows will carry."""
    row = DataImport(kind=kind, file_name=file_name[:255], actor_id=actor.id, actor=actor.username, summary="{}")
    session.add(row)
    session.flush()
    return stored_id(row.id)


def id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: 1,2,3,7 → [[1, 3], [7, 7]]."""
    runs: list[list[int]] = []
    for value in sorted(ids):
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return runs


def created_ids(session: Session, entity: str, import_id: int) -> list[int]:
    model = _ENTITIES[entity][0]
    table = model.__table__  # type: ignore[attr-defined]
    return [row[0] for row in session.execute(select(table.c.id).where(table.c.import_id == import_id))]


def finish(
    session: Session, *, actor: Actor, import_id: int, action: str, entities: Sequence[str], summary: dict[str, Any]
) -> dict[str, Any]:
    """Close an import: its summary (with the ids it created, as ranges) on its row and in one
    audit entry naming it; the domains of what it created are marked changed."""
    created = {entity: id_ranges(created_ids(session, entity, import_id)) for entity in entities}
    full = {**summary, "import_id": import_id, "created_ids": {k: v for k, v in created.items() if v}}
    row = session.get(DataImport, import_id)
    if row is not None:
        row.summary = json.dumps(full, sort_keys=True, default=str)
        session.flush()
    for entity in entities:
        mark_changed(session, entity=entity)
    audit.record_change(session, actor=actor, action=action, entity="data_import", entity_id=import_id, after=full)
    return full


def bulk_insert(
    connection: Any,
    table: Any,
    rows: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
    *,
    columns: Sequence[str] | None = None,
    progress: Progress | None = None,
    steps: int = 0,
    done: int = 0,
    stage: str = N_("Saving"),
) -> int:
    """Insert many rows in the caller's transaction as fast as the driver allows: each column's
    bind processor (UTC normalisation, the dialect's date format) is applied a column at a time
    (``_converter``) and the rows go to the driver's executemany, skipping per-row statement
    bookkeeping. A column that holds one value in every row of a batch (the import's id and time,
    a flag not set, a field the file does not have) is written into the statement once instead of
    bound in every row, when that value is a number, a flag, NULL, an empty text or a stored time
    (``_literal``; never other text). SQLite gets a bigger page cache for the duration, so many
    indexes are not maintained through 2 MB. ``rows`` are dicts by column, or with ``columns``
    sequences in that order (lighter to hold). Returns ``done`` plus the rows inserted."""
    if not rows:
        return done
    dialect = connection.dialect
    names = list(columns if columns is not None else rows[0])
    converters = [(i, _converter(table.c[name].type, dialect)) for i, name in enumerate(names)]
    converted = [(i, convert) for i, convert in converters if convert is not None]
    as_tuple: Callable[[Any], tuple[Any, ...]] = tuple if columns is not None else _values
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer
    into = f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) "  # i18n: not text
    sqlite = dialect.name == "sqlite"
    rebuilt: list[str] = []
    if sqlite:
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()  # i18n: not text
        connection.exec_driver_sql("PRAGMA cache_size=-65536")  # i18n: not text
        rebuilt = _drop_indexes_for_a_big_load(connection, table, len(rows))
    try:
        for start_at in range(0, len(rows), BATCH):
            cells: list[Sequence[Any]] = list(
                zip(*[as_tuple(row) for row in rows[start_at : start_at + BATCH]], strict=True)
            )
            for i, convert in converted:
                cells[i] = convert(cells[i])
            values = [_the_one_literal(column) or marker for column in cells]
            bound = [column for column, value in zip(cells, values, strict=True) if value is marker]
            batch = list(zip(*bound, strict=True)) if bound else [()] * len(cells[0])
            connection.exec_driver_sql(into + f"VALUES ({', '.join(values)})", batch)  # i18n: not text
            done += len(batch)
            if progress is not None:
                progress(done, steps, stage)
        for create in rebuilt:
            connection.exec_driver_sql(create)
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")  # i18n: not text
    return done


def _the_one_literal(column: Sequence[Any]) -> str | None:
    """The SQL literal of the one value a column holds in every row, when it has one (``_literal``)."""
    first = column[0]
    literal = _literal(first)
    if literal is None or column.count(first) != len(column) or len(set(map(type, column))) != 1:
        return None
    return literal


def _literal(value: Any) -> str | None:
    """A value as it may be written into a statement: NULL, a flag, a whole number, an empty text,
    or a time in the form the driver is sent (digits and separators only). Anything else, and
    every text a person wrote, is bound."""
    if value is None:
        return "NULL"  # i18n: not text
    kind = type(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"  # i18n: not text
    if kind is int:
        return str(value)
    if kind is str and (value == "" or _STORED_INSTANT.fullmatch(value)):
        return f"'{value}'"
    return None


_STORED_INSTANT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def _drop_indexes_for_a_big_load(connection: Any, table: Any, incoming: int) -> list[str]:
    """SQLite: when a load brings at least as many rows as the table holds (and many), its
    secondary indexes are dropped and built again after the rows, each in one sorted pass instead
    of row by row (100,000 conversations: 2.6 → 1.5 s). Unique indexes stay, so a duplicate is
    still refused row by row. It all runs in the caller's transaction: an import that fails
    leaves the indexes as they were. Returns the statements that build them again."""
    if incoming < BIG_LOAD:
        return []
    holds = connection.execute(select(func.count()).select_from(table)).scalar_one()
    if incoming < holds:
        return []
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",  # i18n: not text
        (table.name,),
    ).all()
    unique = "CREATE UNIQUE"  # i18n: not text
    plain = [(name, sql) for name, sql in indexes if not sql.lstrip().upper().startswith(unique)]
    quote = connection.dialect.identifier_preparer.quote
    for name, _sql in plain:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")  # i18n: not text
    return [sql for _name, sql in plain]


def _converter(column_type: Any, dialect: Any) -> Callable[[Sequence[Any]], Sequence[Any]] | None:
    """How one column of a batch becomes what the driver is sent: the column's bind processing
    (UTC normalisation, the dialect's date format), a column at a time, so that the common cases
    cost no Python call per value: a value repeated down the column (the one "created at") is
    processed once; floats for a Float and booleans for a Boolean go as they are (the processor
    returns them unchanged, and SQLite stores a boolean as the 0 or 1 it would make); instants
    already in UTC, what the imports produce, take a short way to the same stored form."""
    full = column_type.dialect_impl(dialect).bind_processor(dialect)
    if full is None:
        return None
    as_is: set[type] = set()
    if isinstance(column_type, Boolean):
        as_is = {bool, _NONE}
    elif isinstance(column_type, Float) and not column_type.asdecimal:
        as_is = {float, _NONE}
    in_utc: Callable[[Sequence[Any]], Sequence[Any]] | None = None
    if isinstance(column_type, UTCDateTime):
        impl = column_type.impl.dialect_impl(dialect)
        if dialect.name == "sqlite" and getattr(impl, "_storage_format", None) == _SQLITE_DATETIME:
            in_utc = _sqlite_text
        elif dialect.name != "sqlite" and impl.bind_processor(dialect) is None:
            in_utc = _as_they_are  # the driver takes an aware datetime

    def convert(column: Sequence[Any]) -> Sequence[Any]:
        first = column[0]
        if column.count(first) == len(column) and all(value is first for value in column):
            return (None if first is None else full(first),) * len(column)
        kinds = set(map(type, column))
        if kinds <= as_is:
            return column
        if in_utc is not None and kinds <= _INSTANTS and set(map(_ZONE, filter(None, column))) == {dt.UTC}:
            return in_utc(column)
        return [None if value is None else full(value) for value in column]

    return convert


def _sqlite_text(column: Sequence[dt.datetime | None]) -> list[str | None]:
    # "2025-03-04 05:06:07.000123+00:00" without its offset: what SQLite's format gives a UTC instant
    return [None if value is None else value.isoformat(" ", "microseconds")[:26] for value in column]


def _as_they_are(column: Sequence[Any]) -> Sequence[Any]:
    return column


def _values(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row.values())


_NONE = type(None)
_INSTANTS = {dt.datetime, _NONE}
_ZONE = operator.attrgetter("tzinfo")


# --- reading imports -------------------------------------------------------------------------------


def _view(row: DataImport) -> ImportView:
    return ImportView(
        stored_id(row.id), row.kind, row.file_name, row.actor, row.created_at, json.loads(row.summary or "{}")
    )


def recent_imports(*, session: Session, limit: int = 50) -> list[ImportView]:
    """The latest imports, newest first."""
    statement = select(DataImport).order_by(DataImport.id.desc()).limit(limit)  # type: ignore[union-attr]
    return [_view(row) for row in session.scalars(statement)]


@dataclass(frozen=True)
class ImportedRows:
    """One import and rows it created: per entity, how many there are now and the first ones."""

    batch: ImportView
    counts: dict[str, int]
    rows: dict[str, list[dict[str, Any]]]


def rows_of(*, session: Session, import_id: int, limit: int = SHOWN_ROWS) -> ImportedRows | None:
    """What an import created, as it is stored now (None when there is no such import)."""
    row = session.get(DataImport, import_id)
    if row is None:
        return None
    counts: dict[str, int] = {}
    shown: dict[str, list[dict[str, Any]]] = {}
    for entity, (model, columns) in _ENTITIES.items():
        table = model.__table__  # type: ignore[attr-defined]
        count = session.execute(select(func.count()).where(table.c.import_id == import_id)).scalar_one()
        if not count:
            continue
        counts[entity] = int(count)
        statement = (
            select(*(table.c[name] for name in columns))
            .where(table.c.import_id == import_id)
            .order_by(table.c.id)
            .limit(limit)
        )
        shown[entity] = [dict(r._mapping) for r in session.execute(statement)]
    return ImportedRows(_view(row), counts, shown)
