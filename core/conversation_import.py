"""Importing conversations from a platform's CSV export.

The user maps the file's columns onto our fields, picks the channel and — explicitly — the time
zone that timestamps without an offset are in. Every row is checked before anything is written:
one bad row rejects the whole file with a report naming row and column (row 1 is the header, as
in a spreadsheet). A clean file is written in one transaction with bulk inserts; each new row gets
its SLA figures from the policy that fits it. Re-importing is idempotent by (channel, external
id): known conversations are never duplicated, only their missing first reply / resolved time is
filled in. Without an id column a stable id is derived from received time, author and text.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from core import audit, sla
from core.errors import ValidationError
from core.permissions import Action, Actor, require
from db.models import Channel, Conversation, ConversationKind, ConversationStatus
from db.types import utcnow

Progress = Callable[[int, int, str], None]
"""``progress(done, total, stage)``: rows done of total in the current stage."""

MAX_ERRORS = 1000
BATCH = 5000
PREVIEW_ROWS = 20
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    required: bool
    hints: tuple[str, ...]  # header names that suggest this field (lower case, no punctuation)


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "received",
        "Received time",
        True,
        (
            "received",
            "receivedat",
            "created",
            "createdat",
            "createdtime",
            "date",
            "time",
            "timestamp",
            "messagetime",
            "sentat",
            "postedat",
        ),
    ),
    ImportField(
        "author",
        "Author handle",
        True,
        ("author", "handle", "user", "username", "from", "sender", "authorhandle", "name", "customer"),
    ),
    ImportField(
        "external_id",
        "External id",
        False,
        ("id", "externalid", "messageid", "commentid", "ticketid", "conversationid", "postid"),
    ),
    ImportField(
        "replied",
        "First reply time",
        False,
        (
            "replied",
            "repliedat",
            "firstreply",
            "firstreplyat",
            "firstresponse",
            "firstresponseat",
            "answeredat",
            "responsetime",
            "firstreplytime",
        ),
    ),
    ImportField(
        "resolved", "Resolved time", False, ("resolved", "resolvedat", "closed", "closedat", "solvedat", "resolvedtime")
    ),
    ImportField("text", "Text", False, ("text", "message", "body", "content", "comment", "question")),
    ImportField("link", "Link", False, ("link", "url", "permalink", "messageurl")),
    ImportField("kind", "Kind", False, ("kind", "type", "messagetype", "category type")),
    ImportField("category", "Category", False, ("category", "topic", "tag", "tags", "subject")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
TIMESTAMP_FIELDS = ("received", "replied", "resolved")
DATE_ORDERS = ("DMY", "MDY")
_KIND_SYNONYMS = {
    "question": ConversationKind.question,
    "q": ConversationKind.question,
    "inquiry": ConversationKind.question,
    "complaint": ConversationKind.complaint,
    "issue": ConversationKind.complaint,
    "ugc": ConversationKind.ugc,
    "user generated content": ConversationKind.ugc,
    "user-generated content": ConversationKind.ugc,
    "praise": ConversationKind.praise,
    "compliment": ConversationKind.praise,
    "thanks": ConversationKind.praise,
    "other": ConversationKind.other,
}


@dataclass(frozen=True)
class ImportOptions:
    channel_id: int
    mapping: Mapping[str, str]  # our field key -> the file's column name
    timezone: str | None = None  # the zone of timestamps written without an offset (chosen explicitly)
    date_order: str = "DMY"  # how to read 03/04/2025: day first (DMY) or month first (MDY)
    default_kind: str = ConversationKind.question
    file_name: str = ""


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: 1 is the header
    column: str
    message: str


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    delimiter: str


@dataclass(frozen=True)
class ParsedRow:
    row: int
    external_id: str
    received_at: dt.datetime
    first_reply_at: dt.datetime | None
    resolved_at: dt.datetime | None
    author_handle: str
    text: str
    link: str
    kind: str
    category: str


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


# -- reading the file --------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # spreadsheet "Unicode text" exports
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise ValidationError(
            "The file is not plain text (it holds NUL bytes); export it as CSV (UTF-8) and try again."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is neither UTF-8 nor Windows-1252 text; export it as CSV (UTF-8) and try again.")


def read_csv(data: bytes | str) -> CsvFile:
    """The header and rows of a CSV export (comma, semicolon or tab separated)."""
    text = _decode(data)
    if not text.strip():
        raise ValidationError("The file is empty; export the conversations as CSV with a header row.")
    sample = text[:20000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError("The file has no header row.") from None
    except csv.Error as error:
        raise ValidationError(f"The file is not readable as CSV ({error}).") from None
    columns = tuple(h.strip() for h in header)
    if not any(columns):
        raise ValidationError("The header row is empty; the first row must name the columns.")
    try:
        rows = tuple(tuple(r) for r in reader if any(cell.strip() for cell in r))
    except csv.Error as error:
        raise ValidationError(f"The file is not readable as CSV near row {reader.line_num} ({error}).") from None
    return CsvFile(columns=columns, rows=rows, delimiter=delimiter)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def suggest_mapping(columns: Sequence[str]) -> dict[str, str]:
    """A first guess of the mapping from the header names (the user confirms or changes it)."""
    squashed = {_squash(c): c for c in columns if c}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for spec in FIELDS:
        for hint in spec.hints:
            column = squashed.get(_squash(hint))
            if column is not None and column not in used:
                mapping[spec.key] = column
                used.add(column)
                break
    return mapping


def parse_mapping(text: str) -> dict[str, str]:
    """``received=Created at,author=User`` (as the command line takes it) → a mapping."""
    mapping: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        if "=" not in part:
            raise ValidationError(f"'{part}' is not field=column; write e.g. received=created_at,author=user.")
        key, column = (s.strip() for s in part.split("=", 1))
        if key not in FIELD_BY_KEY:
            raise ValidationError(f"Unknown field '{key}'; the fields are {', '.join(FIELD_BY_KEY)}.")
        mapping[key] = column
    return mapping


# -- timestamps --------------------------------------------------------------------------------


class _BadTimestamp(Exception):
    pass


_OFFSET_AT_END = re.compile(r"^(.*?)\s*(?:(Z|UTC|GMT)|(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2}):?(\d{2})?)$", re.IGNORECASE)
_MAX_OFFSET = dt.timedelta(hours=14)
_HAS_TIME = re.compile(r"\d:\d\d|T\d{4}")
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$|^\d{12,13}$")
_LOCAL_FORMATS = {
    "DMY": (
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %I:%M:%S %p",
        "%d/%m/%Y %I:%M %p",
        "%d/%m/%y %H:%M",
        "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
    ),
    "MDY": (
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%y %H:%M",
        "%m-%d-%Y %H:%M:%S",
        "%m-%d-%Y %H:%M",
    ),
}
_COMMON_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M:%S",
    "%d %B %Y %H:%M",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %H:%M",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %H:%M:%S",
    "%B %d, %Y %H:%M",
    "%B %d, %Y %I:%M:%S %p",
    "%B %d, %Y %I:%M %p",
    "%a %b %d %H:%M:%S %Y",
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
)


class TimestampParser:
    """Parses the timestamps of one import: ISO 8601, RFC 2822, Unix seconds/milliseconds and the
    usual spreadsheet forms, with or without an offset. Remembers the last format that worked."""

    def __init__(self, *, zone: ZoneInfo | None, date_order: str, now: dt.datetime):
        if date_order not in DATE_ORDERS:
            raise ValidationError("The date order must be DMY (03/04 = 3 April) or MDY (03/04 = March 4).")
        self.zone = zone
        self.formats = _LOCAL_FORMATS[date_order] + _COMMON_FORMATS
        self.now = now
        self._last: str | None = None

    def parse(self, text: str) -> dt.datetime:
        value = text.strip()
        if _EPOCH.match(value):
            seconds = float(value) / (1000 if len(value) >= 12 and "." not in value else 1)
            return self._check(dt.datetime.fromtimestamp(seconds, dt.UTC), value)
        if not _HAS_TIME.search(value):
            raise _BadTimestamp(f"'{value}' has no time of day; the export must contain date and time.")
        parsed = self._parse_aware_or_naive(value)
        if parsed.tzinfo is None:
            parsed = self._localise(parsed, value)
        elif abs(parsed.utcoffset() or dt.timedelta(0)) > _MAX_OFFSET:
            raise _BadTimestamp(f"'{value}' has an impossible UTC offset.")
        return self._check(parsed.astimezone(dt.UTC), value)

    def _parse_aware_or_naive(self, value: str) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        if "," in value[:5] or value[:3].isalpha():
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                parsed = None
            if parsed is not None and (parsed.tzinfo is not None or not re.search(r"[+-]0000\s*$", value)):
                return parsed
        local, offset = value, None
        match = _OFFSET_AT_END.match(value)
        if match and (match.group(2) or match.group(3)) and _HAS_TIME.search(match.group(1) or ""):
            local = match.group(1)
            if match.group(2):
                offset = dt.UTC
            else:
                hours, minutes = int(match.group(4)), int(match.group(5) or 0)
                if hours > 14 or minutes > 59:
                    raise _BadTimestamp(f"'{value}' has an impossible UTC offset.")
                delta = dt.timedelta(hours=hours, minutes=minutes)
                offset = dt.timezone(-delta if match.group(3) == "-" else delta)
        naive = self._strptime(local, value)
        return naive if offset is None else naive.replace(tzinfo=offset)

    def _strptime(self, local: str, original: str) -> dt.datetime:
        local = re.sub(r"\s+", " ", local.replace("T", " ") if re.match(r"^\d{4}-\d{1,2}-\d{1,2}T", local) else local)
        candidates = (self._last,) + self.formats if self._last else self.formats
        for fmt in candidates:
            try:
                parsed = dt.datetime.strptime(local, fmt)  # type: ignore[arg-type]
            except ValueError:
                continue
            self._last = fmt
            return parsed
        raise _BadTimestamp(
            f"'{original}' is not a date and time we can read; use e.g. 2025-03-03 09:15, 2025-03-03T09:15:00+01:00 "
            f"or 03.03.2025 09:15 (check the date order if it is written with slashes)."
        )

    def _localise(self, naive: dt.datetime, original: str) -> dt.datetime:
        if self.zone is None:
            raise _BadTimestamp(f"'{original}' has no UTC offset; choose the time zone the file's times are in.")
        aware = naive.replace(tzinfo=self.zone)  # fold=0: the first of two ambiguous autumn instants
        if aware.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None) != naive:
            raise _BadTimestamp(
                f"'{original}' does not exist in {self.zone.key}: the clocks jumped forward at that hour."
            )
        return aware

    def _check(self, value: dt.datetime, original: str) -> dt.datetime:
        if value < EARLIEST:
            raise _BadTimestamp(f"'{original}' is before 1990; check the column and the format.")
        if value > self.now + FUTURE_TOLERANCE:
            raise _BadTimestamp(f"'{original}' is in the future; check the date, the date order and the time zone.")
        return value


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'Europe'
        raise ValidationError(f"Unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'.") from None


# -- checking rows -----------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.count = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(RowError(row, column, message))


def _check_mapping(csv_file: CsvFile, mapping: Mapping[str, str], errors: _Errors) -> None:
    present = set(csv_file.columns)
    for key in mapping:
        if key not in FIELD_BY_KEY:
            errors.add(1, key, f"Unknown field '{key}'; the fields are {', '.join(FIELD_BY_KEY)}.")
    for spec in FIELDS:
        column = mapping.get(spec.key)
        if not column:
            if spec.required:
                errors.add(1, "", f"Map a column to '{spec.label}': it is required.")
            continue
        if column not in present:
            errors.add(
                1,
                column,
                f"The column '{column}' (for {spec.label}) is not in the file; its columns are: {', '.join(csv_file.columns)}.",
            )
    chosen = [c for c in mapping.values() if c]
    for column in sorted({c for c in chosen if chosen.count(c) > 1}):
        errors.add(1, column, f"The column '{column}' is mapped to more than one field.")


def _kind(value: str, default_kind: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return default_kind
    return _KIND_SYNONYMS.get(text)


def _derived_id(received: dt.datetime, author: str, text: str) -> str:
    digest = hashlib.sha1(f"{received.isoformat()}|{author}|{text}".encode()).hexdigest()[:24]
    return f"sha1:{digest}"


def parse_rows(
    csv_file: CsvFile, options: ImportOptions, *, now: dt.datetime | None = None, progress: Progress | None = None
) -> tuple[list[ParsedRow], _Errors]:
    """Check every row (no database): parsed rows, and the errors naming row and column."""
    now = now or utcnow()
    errors = _Errors()
    _check_mapping(csv_file, options.mapping, errors)
    if errors.count:
        return [], errors
    default_kind = _kind(options.default_kind, ConversationKind.question)
    if default_kind is None:
        raise ValidationError(
            f"Unknown default kind {options.default_kind!r}; use one of {', '.join(k.value for k in ConversationKind)}."
        )
    parser = TimestampParser(zone=_zone(options.timezone), date_order=options.date_order, now=now)
    index = {name: i for i, name in enumerate(csv_file.columns)}
    positions = {key: index[column] for key, column in options.mapping.items() if column}
    width = len(csv_file.columns)
    parsed: list[ParsedRow] = []
    seen: dict[str, int] = {}
    total = len(csv_file.rows)

    def cell(values: Sequence[str], key: str) -> str:
        position = positions.get(key)
        if position is None or position >= len(values):
            return ""
        return values[position].strip()

    for number, values in enumerate(csv_file.rows, start=2):
        if progress is not None and number % 2000 == 0:
            progress(number - 1, total, "Checking rows")
        before = errors.count
        if len(values) > width:
            errors.add(
                number,
                "",
                f"The row has {len(values)} cells but the header names {width} columns; check quoting and separators.",
            )
            continue
        stamps: dict[str, dt.datetime | None] = {}
        for key in TIMESTAMP_FIELDS:
            raw = cell(values, key)
            if not raw:
                if key == "received":
                    errors.add(number, options.mapping["received"], "The received time is empty.")
                stamps[key] = None
                continue
            try:
                stamps[key] = parser.parse(raw)
            except _BadTimestamp as problem:
                errors.add(number, options.mapping[key], str(problem))
                stamps[key] = None
        author = cell(values, "author")
        if not author:
            errors.add(number, options.mapping["author"], "The author handle is empty.")
        elif len(author) > 120:
            errors.add(number, options.mapping["author"], "The author handle is longer than 120 characters.")
        kind = _kind(cell(values, "kind"), default_kind)
        if kind is None:
            errors.add(
                number,
                options.mapping["kind"],
                f"Unknown kind '{cell(values, 'kind')}'; use {', '.join(k.value for k in ConversationKind)}.",
            )
        link = cell(values, "link")
        if link and not link.lower().startswith(("https://", "http://")):
            errors.add(number, options.mapping["link"], f"'{link[:60]}' is not a web link (https://…).")
        elif len(link) > 1000:
            errors.add(number, options.mapping["link"], "The link is longer than 1000 characters.")
        category = cell(values, "category")
        if len(category) > 80:
            errors.add(number, options.mapping["category"], "The category is longer than 80 characters.")
        received, resolved = stamps.get("received"), stamps.get("resolved")
        if received is not None and resolved is not None and resolved < received:
            errors.add(number, options.mapping["resolved"], "The resolved time is before the received time.")
        text = cell(values, "text")
        external_id = cell(values, "external_id")
        if "external_id" in positions:
            if not external_id:
                errors.add(
                    number,
                    options.mapping["external_id"],
                    "The external id is empty; every row needs one to make re-imports safe.",
                )
            elif len(external_id) > 120:
                errors.add(number, options.mapping["external_id"], "The external id is longer than 120 characters.")
        elif received is not None:
            external_id = _derived_id(received, author, text)
        if external_id:
            first = seen.get(external_id)
            if first is not None:
                column = options.mapping.get("external_id", "")
                errors.add(
                    number,
                    column,
                    f"Row {first} has the same external id '{external_id}'; each conversation once, please.",
                )
            else:
                seen[external_id] = number
        if errors.count == before and received is not None:
            parsed.append(
                ParsedRow(
                    row=number,
                    external_id=external_id,
                    received_at=received,
                    first_reply_at=stamps.get("replied"),
                    resolved_at=resolved,
                    author_handle=author,
                    text=text,
                    link=link,
                    kind=kind or default_kind,
                    category=category,
                )
            )
    if total == 0:
        errors.add(2, "", "The file has a header but no rows.")
    return parsed, errors


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
    session: Session,
    *,
    actor: Actor,
    data: bytes | str,
    options: ImportOptions,
    now: dt.datetime | None = None,
    limit: int = PREVIEW_ROWS,
) -> ImportReport:
    """Check the whole file and show its first rows as they would be stored; writes nothing."""
    require(actor, Action.import_conversations)
    _channel(session, options.channel_id)
    csv_file = read_csv(data)
    parsed, errors = parse_rows(csv_file, options, now=now)
    existing = _existing(session, options.channel_id) if not errors.count else {}
    known = sum(1 for p in parsed if p.external_id in existing)
    return ImportReport(
        total_rows=len(csv_file.rows),
        created=len(parsed) - known if not errors.count else 0,
        updated=0,
        unchanged=known,
        errors=tuple(errors.items),
        error_count=errors.count,
        preview=tuple(parsed[:limit]),
    )


_OPEN = {ConversationStatus.open.value, ConversationStatus.waiting.value}


def import_conversations(
    session: Session,
    *,
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
    csv_file = read_csv(data)
    total = len(csv_file.rows)
    parsed, errors = parse_rows(csv_file, options, now=now, progress=progress)
    if errors.count:
        return ImportReport(total_rows=total, errors=tuple(errors.items), error_count=errors.count)

    book = sla.PolicyBook.load(session)
    existing = _existing(session, options.channel_id)
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unchanged = 0
    for done, row in enumerate(parsed, start=1):
        if progress is not None and done % 2000 == 0:
            progress(done, len(parsed), "Computing SLA figures")
        known = existing.get(row.external_id)
        if known is None:
            new_rows.append(_new_row(row, channel_id=channel.id, book=book, now=now))  # type: ignore[arg-type]
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


def _new_row(row: ParsedRow, *, channel_id: int, book: sla.PolicyBook, now: dt.datetime) -> dict[str, Any]:
    figures = book.figures(
        channel_id=channel_id, kind=row.kind, received_at=row.received_at, first_reply_at=row.first_reply_at
    )
    return {
        "external_id": row.external_id,
        "channel_id": channel_id,
        "kind": str(row.kind),
        "author_handle": row.author_handle,
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


def _fill_in(known: Any, row: ParsedRow, book: sla.PolicyBook) -> dict[str, Any] | None:
    """What a re-import adds to a stored conversation: only a missing first reply / resolved time
    (nothing the team changed in Dialog Desk is overwritten)."""
    change: dict[str, Any] = {}
    status = known.status
    if known.first_reply_at is None and row.first_reply_at is not None:
        calendar = book.calendar_of(known.sla_policy_id)
        business, calendar_minutes, before = sla.reply_figures(known.received_at, row.first_reply_at, calendar)
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
