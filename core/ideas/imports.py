"""Importing survey or form results as ideas: mapped, previewed, all or nothing, never twice.

Read by ``core.tabular`` (CSV/TSV, .xlsx, JSON lines; every unsafe cell named) and by the one date
reader of every import (``core.timestamps``: the date order settled by the file or asked for).
A giver cell is split only on the separators the person chose (by default comma, semicolon and
new line), never on spaces, so "Doc James" stays one person; givers are stored with their keys.

The ideas and their givers are written with bulk inserts in the caller's transaction, as one
import batch (``core.import_batches``): one audit entry lists what it created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core import import_batches, workspace
from core.columns import guess_columns
from core.errors import ValidationError
from core.handles import Handle, parse_separators, split_handles
from core.i18n import _, ngettext
from core.ideas.capture import check_channel
from core.ideas.rules import TITLE_MAX, S, clean_source
from core.permissions import Action, Actor, require
from core.tabular import RowError, RowErrors, Table, read_table
from core.timestamps import DATE_ORDER_LEAD, BadTimestamp, DateOrder, TimestampParser, settle_date_order, zone_named
from db import counters
from db.models import Channel, Idea, IdeaGiver, IdeaSource
from db.types import utcnow

MAX_IMPORT_BYTES = 20_000_000
MAX_IMPORT_ROWS = 20_000
FUTURE_TOLERANCE = dt.timedelta(days=1)
# Words in column names that suggest each field, most telling first: English, then German (the
# header of a German form or survey).
_GUESSES = {
    "title": (
        "title",
        "idea",
        "suggestion",
        "proposal",
        "feature",
        "what should we",  # i18n: not text
        "subject",
        "summary",
        "titel",
        "idee",
        "vorschlag",
        "wunsch",
        "betreff",
    ),
    "description": (
        "description",
        "details",
        "detail",
        "comment",
        "why",
        "explain",
        "more",
        "beschreibung",
        "begründung",
        "warum",
        "kommentar",
        "erläuterung",
    ),
    "handle": (
        "handle",
        "username",
        "user name",  # i18n: not text
        "nickname",
        "nick",
        "author",
        "supporters",
        "givers",
        "email",
        "e-mail",
        "name",
        "nutzername",
        "benutzername",
        "autor",
        "unterstützer",
    ),
    "date": ("timestamp", "date", "time", "submitted", "created", "zeitstempel", "datum", "zeitpunkt", "eingereicht"),
    "channel": ("channel", "platform", "network", "kanal", "plattform", "netzwerk"),
}


@dataclass(frozen=True)
class ImportMapping:
    """Which column holds what; only the title is required."""

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
class SurveyOptions:
    """What the person chose for one survey import."""

    mapping: ImportMapping
    source: str = IdeaSource.survey
    default_channel_id: int | None = None
    separators: str | Sequence[str] | None = None  # between givers in one cell; None: comma, semicolon, new line
    date_order: str | None = None  # DMY / MDY; None: the file's own dates settle it, or it is refused
    timezone: str | None = None  # of dates without an offset; None: the workspace's (the preview says so)
    ambiguous: str | None = None  # "earlier" / "later" for the hour the clocks show twice
    file_name: str = ""


@dataclass(frozen=True)
class ImportRow:
    row: int  # the spreadsheet row number (the header is row 1)
    title: str
    description: str
    handles: tuple[Handle, ...]
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
    date_note: str = ""
    file_note: str = ""
    timezone: str = ""

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def givers(self) -> int:
        return sum(len(r.handles) for r in self.rows)


@dataclass(frozen=True)
class ImportResult:
    created: int
    givers: int
    already_imported: int
    repeated_in_file: int
    import_id: int | None = None


# --- reading and mapping (pure) ---------------------------------------------------------------


def read_survey(data: bytes | str, file_name: str = "") -> Table:
    return read_table(
        data,
        file_name=file_name,
        empty_message=_("The file is empty; export the survey results as CSV with a header row."),
        max_bytes=MAX_IMPORT_BYTES,
        max_rows=MAX_IMPORT_ROWS,
    )


def read_columns(data: bytes | str, file_name: str = "") -> list[str]:
    """The header of an uploaded survey (for choosing the mapping)."""
    return list(read_survey(data, file_name).columns)


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


def import_key(
    source: str,
    title: str,
    description: str,
    handles: Sequence[Handle],
    given_at: dt.datetime | None,
    channel_id: int | None,
) -> str:
    """A fingerprint of one mapped row, so importing the same row again is recognised."""
    payload = json.dumps(
        [
            source,
            title,
            description,
            # The lower-cased spelling, as files imported before handle keys were fingerprinted.
            sorted(h.display.lower() for h in handles),
            given_at.isoformat() if given_at else "",
            channel_id,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def map_rows(
    table: Table,
    options: SurveyOptions,
    *,
    channels: Mapping[str, int],
    timezone: str,
    now: dt.datetime,
) -> tuple[list[ImportRow], RowErrors, DateOrder | None]:
    """Map the table's rows to ideas (pure): the valid rows, the problems (row and column named)
    and how the dates were read. Refuses a file whose date order nothing settles."""
    mapping = options.mapping
    columns = table.columns
    used = mapping.used()
    missing = [f"{what} → {name!r}" for what, name in used.items() if name not in columns]
    if missing:
        raise ValidationError(_("These mapped columns are not in the file: {columns}.", columns=", ".join(missing)))
    names = list(used.values())
    if len(set(names)) != len(names):
        raise ValidationError(_("Map each column to one field only (the same column is used twice)."))
    separators = parse_separators(options.separators)
    index = {name: columns.index(name) for name in names}
    lowered_channels = {name.casefold(): channel_id for name, channel_id in channels.items()}
    errors = RowErrors()
    errors.include(table)
    order = (
        settle_date_order(table.column_values(mapping.date, lead=DATE_ORDER_LEAD), options.date_order)
        if mapping.date
        else None
    )
    parser = TimestampParser(
        zone=zone_named(timezone),
        date_order=order.order if order else "DMY",
        now=now,
        dates_only=True,
        ambiguous=options.ambiguous,
        future_tolerance=FUTURE_TOLERANCE,
    )
    parsed: list[ImportRow] = []

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
            errors.add(number, mapping.title, _("the title is empty"))
        elif len(title) > TITLE_MAX:
            errors.add(
                number,
                mapping.title,
                _("the title is {length} characters; at most {limit}", length=len(title), limit=TITLE_MAX),
            )
        description = cell(values, mapping.description)
        try:
            handles = tuple(split_handles(cell(values, mapping.handle), separators, what="giver"))
        except ValidationError as error:
            handles = ()
            errors.add(number, mapping.handle or "", str(error))
        given_at = None
        if mapping.date and cell(values, mapping.date):
            try:
                given_at = parser.parse(cell(values, mapping.date))
            except BadTimestamp as error:
                errors.add(number, mapping.date, str(error))
        channel_id = options.default_channel_id
        if mapping.channel and cell(values, mapping.channel):
            name = cell(values, mapping.channel)
            channel_id = lowered_channels.get(name.casefold())
            if channel_id is None:
                known = ", ".join(sorted(channels)) or _("none yet")
                errors.add(
                    number, mapping.channel, _("unknown channel {name!r} (known: {known})", name=name, known=known)
                )
        if errors.count > problems:
            continue
        key = import_key(options.source, title, description, handles, given_at, channel_id)
        parsed.append(ImportRow(number, title, description, handles, given_at, channel_id, key))
    return parsed, errors, order


# --- import -----------------------------------------------------------------------------------


def preview_import(*, session: Session, data: bytes | str, options: SurveyOptions) -> ImportPreview:
    """What an import would do: new rows, rows imported before, repeats in the file and errors."""
    clean_source(options.source)
    check_channel(session, options.default_channel_id)
    table = read_survey(data, options.file_name)
    channels = {name: channel_id for name, channel_id in session.exec(select(Channel.name, Channel.id)) if channel_id}
    timezone = options.timezone or workspace.info(session).timezone
    parsed, errors, order = map_rows(table, options, channels=channels, timezone=timezone, now=utcnow())
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
    zone_note = (
        ""
        if options.timezone
        else _("Dates without an offset are read in {zone}, the workspace's time zone.", zone=timezone)
    )
    return ImportPreview(
        columns=table.columns,
        rows=tuple(fresh),
        errors=tuple(errors.items),
        error_count=errors.count,
        already_imported=already,
        repeated_in_file=repeated,
        blank=table.blank_rows,
        date_note=" ".join(n for n in ((order.note if order else ""), zone_note if options.mapping.date else "") if n),
        file_note=table.note,
        timezone=timezone,
    )


@import_batches.collector_paused
def import_ideas(
    *,
    session: Session,
    actor: Actor,
    data: bytes | str,
    options: SurveyOptions,
    progress: Callable[[float], None] | None = None,
) -> ImportResult:
    """Import survey or form results as new ideas, all or nothing; rows imported before are skipped."""
    require(actor, Action.import_ideas)
    preview = preview_import(session=session, data=data, options=options)
    if not preview.ok:
        shown = "; ".join(
            _("row {row}, column {column!r}: {message}", row=e.row, column=e.column, message=e.message)
            for e in preview.errors[:5]
        )
        if preview.error_count > 5:
            shown = _("{shown} (and {more} more)", shown=shown, more=preview.error_count - 5)
        raise ValidationError(
            ngettext(
                "Nothing was imported: {count} problem to fix first — {shown}.",
                "Nothing was imported: {count} problems to fix first — {shown}.",
                preview.error_count,
                shown=shown,
            )
        )
    now = utcnow()
    import_id = import_batches.start(session, actor=actor, kind="ideas", file_name=options.file_name)
    source = clean_source(options.source).value
    ideas = [_idea_row(row, source=source, actor=actor, now=now, import_id=import_id) for row in preview.rows]
    connection = session.connection()
    total = len(ideas) + preview.givers
    done = import_batches.bulk_insert(connection, Idea.__table__, ideas, progress=_shares(progress), steps=total)  # type: ignore[attr-defined]
    ids = dict(session.exec(select(Idea.import_key, Idea.id).where(col(Idea.import_id) == import_id)).all())
    givers = [
        {
            "idea_id": ids[row.key],
            "handle": handle.display,
            "handle_key": handle.key,
            "channel_id": row.channel_id,
            "given_at": row.given_at or now,
            "origin_idea_id": None,
            "import_id": import_id,
        }
        for row in preview.rows
        for handle in row.handles
    ]
    giver_table = IdeaGiver.__table__  # type: ignore[attr-defined]
    import_batches.bulk_insert(connection, giver_table, givers, progress=_shares(progress), steps=total, done=done)
    counters.touch(session, ids.values())  # the import's ideas, their givers inserted without the ORM
    import_batches.finish(
        session,
        actor=actor,
        import_id=import_id,
        action="idea.import",
        entities=("idea", "idea_giver"),
        summary={
            "file": options.file_name,
            "source": source,
            "rows": len(preview.rows) + preview.already_imported + preview.repeated_in_file,
            "created": len(ideas),
            "givers": len(givers),
            "already_imported": preview.already_imported,
            "repeated_in_file": preview.repeated_in_file,
            "mapping": options.mapping.used(),
            "separators": list(parse_separators(options.separators)),
            "date_order": preview.date_note,
            "timezone": preview.timezone,
        },
    )
    session.expire_all()
    if progress is not None:
        progress(1.0)
    return ImportResult(len(ideas), len(givers), preview.already_imported, preview.repeated_in_file, import_id)


def _idea_row(row: ImportRow, *, source: str, actor: Actor, now: dt.datetime, import_id: int) -> dict[str, Any]:
    return {
        "title": row.title,
        "description": row.description,
        "source": source,
        "channel_id": row.channel_id,
        "source_url": "",
        "category": "",
        "status": S.new.value,
        "status_reason": "",
        "impact": None,
        "cost": None,
        "scored_by_id": None,
        "scored_at": None,
        "valid_at": None,
        "shipped_at": None,
        "merged_into_id": None,
        "hot_plan_position": None,
        "import_key": row.key,
        "import_id": import_id,
        "logged_by_id": actor.id,
        "created_at": row.given_at or now,
        "version": 1,
    }


def _shares(progress: Callable[[float], None] | None) -> Callable[[int, int, str], None] | None:
    if progress is None:
        return None
    return lambda done, total, _stage: progress(min(1.0, done / total) if total else 1.0)
