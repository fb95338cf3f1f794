"""The idea board's files: importing survey or form results (CSV, mapped, previewed, all or
nothing, never twice) and exporting the board as CSV.

Uploads are read by ``core.tabular`` (encoding, separator, limits, header, row numbers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session, col, select

from core import exports, records, workspace
from core.errors import ValidationError
from core.ideas.capture import check_channel, record_givers
from core.ideas.queries import (
    NO_FILTERS,
    BoardFilters,
    apply_filters,
    board_order,
    board_select,
    thresholds,
    to_view,
)
from core.ideas.rules import TITLE_MAX, S, SortKey, clean_source, parse_handles
from core.permissions import Action, Actor, require
from core.tabular import RowError, RowErrors, Table, guess_columns, read_table
from db.models import Channel, Idea, IdeaGiver, IdeaSource
from db.types import utcnow

MAX_IMPORT_BYTES = 5_000_000
MAX_IMPORT_ROWS = 20_000
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
)
# Words in column names that suggest each field, most telling first.
_GUESSES = {
    "title": ("title", "idea", "suggestion", "proposal", "feature", "what should we", "subject", "summary"),
    "description": ("description", "details", "detail", "comment", "why", "explain", "more"),
    "handle": ("handle", "username", "user name", "nickname", "nick", "author", "email", "e-mail", "name"),
    "date": ("timestamp", "date", "time", "submitted", "created"),
    "channel": ("channel", "platform", "network"),
}


@dataclass(frozen=True)
class ImportMapping:
    """Which CSV column holds what; only the title is required."""

    title: str
    description: str | None = None
    handle: str | None = None
    date: str | None = None
    channel: str | None = None

    def used(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("title", self.title),
                ("description", self.description),
                ("handle", self.handle),
                ("date", self.date),
                ("channel", self.channel),
            )
            if v
        }


@dataclass(frozen=True)
class ImportRow:
    row: int  # the spreadsheet row number (the header is row 1)
    title: str
    description: str
    handles: tuple[str, ...]
    given_at: dt.datetime | None
    channel_id: int | None
    key: str


@dataclass(frozen=True)
class ImportPreview:
    columns: tuple[str, ...]
    rows: tuple[ImportRow, ...]  # valid rows that are not imported yet, first occurrence only
    errors: tuple[RowError, ...]  # the first ones (``error_count`` counts them all)
    error_count: int
    already_imported: int
    repeated_in_file: int
    blank: int

    @property
    def ok(self) -> bool:
        return not self.error_count


@dataclass(frozen=True)
class ImportResult:
    created: int
    givers: int
    already_imported: int
    repeated_in_file: int


# --- reading and mapping (pure) ---------------------------------------------------------------


def _read_survey(data: bytes) -> Table:
    return read_table(
        data,
        empty_message="The file is empty; export the survey results as CSV with a header row.",
        max_bytes=MAX_IMPORT_BYTES,
        max_rows=MAX_IMPORT_ROWS,
        unique_columns=True,
    )


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the non-blank rows of an uploaded survey (for choosing the mapping)."""
    table = _read_survey(data)
    return list(table.columns), [list(row) for row in table.rows]


def guess_mapping(columns: Sequence[str]) -> ImportMapping:
    """A first mapping from the column names (the user confirms or changes it)."""
    chosen = guess_columns(columns, _GUESSES, partial=True)
    taken = set(chosen.values())
    title = chosen.get("title") or next((c for c in columns if c not in taken), columns[0] if columns else "")
    return ImportMapping(
        title=title,
        description=chosen.get("description"),
        handle=chosen.get("handle"),
        date=chosen.get("date"),
        channel=chosen.get("channel"),
    )


def parse_date(value: str, tz: ZoneInfo) -> dt.datetime:
    """A local date or date-time (ISO, 31.12.2025, 12/31/2025 …) as a UTC instant."""
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"{value!r} is not a date; use e.g. 2025-03-31 or 2025-03-31 14:05")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(dt.UTC)


def import_key(
    source: str,
    title: str,
    description: str,
    handles: Sequence[str],
    given_at: dt.datetime | None,
    channel_id: int | None,
) -> str:
    """A fingerprint of one mapped row, so importing the same row again is recognised."""
    payload = json.dumps(
        [
            source,
            title,
            description,
            sorted(h.lower() for h in handles),
            given_at.isoformat() if given_at else "",
            channel_id,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def map_rows(
    table: Table,
    mapping: ImportMapping,
    *,
    source: str,
    channels: Mapping[str, int],
    default_channel_id: int | None,
    tz: ZoneInfo,
    now: dt.datetime,
) -> tuple[list[ImportRow], RowErrors]:
    """Map the table's rows to ideas (pure): the valid rows, and the problems (row and column named)."""
    columns = table.columns
    used = mapping.used()
    missing = [f"{what} → {name!r}" for what, name in used.items() if name not in columns]
    if missing:
        raise ValidationError(f"These mapped columns are not in the file: {', '.join(missing)}.")
    names = list(used.values())
    if len(set(names)) != len(names):
        raise ValidationError("Map each column to one field only (the same column is used twice).")
    index = {name: columns.index(name) for name in names}
    lowered_channels = {name.lower(): channel_id for name, channel_id in channels.items()}
    parsed: list[ImportRow] = []
    errors = RowErrors()

    def cell(values: Sequence[str], name: str | None) -> str:
        if not name:
            return ""
        i = index[name]
        return values[i].strip() if i < len(values) else ""

    for position, values in enumerate(table.rows):
        number = table.row_number(position)
        problems = errors.count
        title = " ".join(cell(values, mapping.title).split())
        if not title:
            errors.add(number, mapping.title, "the title is empty")
        elif len(title) > TITLE_MAX:
            errors.add(number, mapping.title, f"the title is {len(title)} characters; at most {TITLE_MAX}")
        description = cell(values, mapping.description)
        try:
            handles = tuple(parse_handles(cell(values, mapping.handle)))
        except ValidationError as error:
            handles = ()
            errors.add(number, mapping.handle or "", str(error))
        given_at = None
        if mapping.date and cell(values, mapping.date):
            try:
                given_at = parse_date(cell(values, mapping.date), tz)
                if given_at > now + dt.timedelta(days=1):
                    errors.add(number, mapping.date, f"{cell(values, mapping.date)!r} is in the future")
            except ValueError as error:
                errors.add(number, mapping.date, str(error))
        channel_id = default_channel_id
        if mapping.channel and cell(values, mapping.channel):
            name = cell(values, mapping.channel)
            channel_id = lowered_channels.get(name.lower())
            if channel_id is None:
                known = ", ".join(sorted(channels)) or "none yet"
                errors.add(number, mapping.channel, f"unknown channel {name!r} (known: {known})")
        if errors.count > problems:
            continue
        key = import_key(source, title, description, handles, given_at, channel_id)
        parsed.append(ImportRow(number, title, description, handles, given_at, channel_id, key))
    return parsed, errors


# --- import -----------------------------------------------------------------------------------


def preview_import(
    *,
    session: Session,
    data: bytes,
    mapping: ImportMapping,
    source: str = IdeaSource.survey,
    default_channel_id: int | None = None,
) -> ImportPreview:
    """What an import would do: new rows, rows imported before, repeats in the file and errors."""
    clean_source(source)
    check_channel(session, default_channel_id)
    table = _read_survey(data)
    channels = {name: channel_id for name, channel_id in session.exec(select(Channel.name, Channel.id)) if channel_id}
    parsed, errors = map_rows(
        table,
        mapping,
        source=source,
        channels=channels,
        default_channel_id=default_channel_id,
        tz=workspace.timezone(session),
        now=utcnow(),
    )
    keys = [row.key for row in parsed]
    existing: set[str | None] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing |= set(session.exec(select(Idea.import_key).where(col(Idea.import_key).in_(chunk))).all())
    seen: set[str] = set()
    fresh, repeated, already = [], 0, 0
    for row in parsed:
        if row.key in existing:
            already += 1
        elif row.key in seen:
            repeated += 1
        else:
            seen.add(row.key)
            fresh.append(row)
    return ImportPreview(
        columns=table.columns,
        rows=tuple(fresh),
        errors=tuple(errors.items),
        error_count=errors.count,
        already_imported=already,
        repeated_in_file=repeated,
        blank=table.blank_rows,
    )


def import_ideas(
    *,
    session: Session,
    actor: Actor,
    data: bytes,
    mapping: ImportMapping,
    source: str = IdeaSource.survey,
    default_channel_id: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImportResult:
    """Import survey or form results as new ideas, all or nothing; rows imported before are skipped."""
    require(actor, Action.import_ideas)
    preview = preview_import(
        session=session, data=data, mapping=mapping, source=source, default_channel_id=default_channel_id
    )
    if not preview.ok:
        shown = "; ".join(f"row {e.row}, column {e.column!r}: {e.message}" for e in preview.errors[:5])
        more = f" (and {preview.error_count - 5} more)" if preview.error_count > 5 else ""
        raise ValidationError(f"Nothing was imported: {preview.error_count} problem(s) to fix first — {shown}{more}.")
    givers_added = 0
    total = len(preview.rows)
    for n, row in enumerate(preview.rows, start=1):
        idea = Idea(
            title=row.title,
            description=row.description,
            source=IdeaSource(source),
            channel_id=row.channel_id,
            status=S.new,
            import_key=row.key,
            logged_by_id=actor.id,
            created_at=row.given_at or utcnow(),
        )
        records.create(session, idea, actor=actor, action="idea.import")
        assert idea.id is not None  # given by the insert
        givers_added += record_givers(
            session,
            actor=actor,
            idea_id=idea.id,
            handles=row.handles,
            channel_id=row.channel_id,
            given_at=idea.created_at,
        )
        if progress and (n % 50 == 0 or n == total):
            progress(n / total)
    session.flush()
    return ImportResult(total, givers_added, preview.already_imported, preview.repeated_in_file)


# --- export -----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "title",
    "description",
    "status",
    "status_reason",
    "source",
    "channel",
    "category",
    "source_url",
    "impact",
    "cost",
    "quick_win",
    "votes",
    "demand",
    "givers",
    "hot_plan_position",
    "created_at",
    "valid_at",
    "shipped_at",
)


def export_csv(
    *, session: Session, actor: Actor, filters: BoardFilters = NO_FILTERS, sort: str = SortKey.demand
) -> str:
    """The filtered board as CSV (times in the workspace time zone; formula cells neutralised); the
    export is audited in the caller's transaction."""
    require(actor, Action.export_data)
    limits = thresholds(session=session)
    tz = workspace.timezone(session)
    query = board_select(col(Idea.description))
    statement = apply_filters(query.statement, filters, limits).order_by(*board_order(sort, query))
    rows = session.execute(statement).all()
    handles: dict[int, list[str]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        giver_rows = session.exec(
            select(IdeaGiver.idea_id, IdeaGiver.handle)
            .where(col(IdeaGiver.idea_id).in_(chunk))
            .order_by(col(IdeaGiver.id))
        )
        for idea_id, handle in giver_rows:
            handles.setdefault(idea_id, []).append(handle)

    def local(value: dt.datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    def export_row(row: Row[Any]) -> dict[str, Any]:
        view = to_view(row, limits)
        return {
            "id": view.id,
            "title": view.title,
            "description": row.description,
            "status": view.status,
            "status_reason": view.status_reason,
            "source": view.source,
            "channel": view.channel_name,
            "category": view.category,
            "source_url": view.source_url,
            "impact": view.impact,
            "cost": view.cost,
            "quick_win": "yes" if view.quick_win else "",
            "votes": view.votes,
            "demand": view.demand,
            "givers": ", ".join(handles.get(view.id, [])),
            "hot_plan_position": view.hot_plan_position,
            "created_at": local(view.created_at),
            "valid_at": local(view.valid_at),
            "shipped_at": local(view.shipped_at),
        }

    details = {**exports.describe(filters), "sort": str(sort)}
    exports.record_export(session, actor=actor, what="ideas", file_format="csv", rows=len(rows), details=details)
    return exports.to_csv((export_row(r) for r in rows), EXPORT_COLUMNS)
