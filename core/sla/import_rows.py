"""Checking a platform export before anything is written: the fields we read, the mapping of the
file's columns onto them, and every row checked (no database). Row numbers are the file's, as a
spreadsheet numbers them (row 1 is the header); each problem names its row and column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from core import tabular
from core.errors import ValidationError
from core.sla.checks import KINDS, is_web_link
from core.timestamps import BadTimestamp, TimestampParser, zone_named
from db.models import Conversation, ConversationKind, max_length
from db.types import utcnow

Progress = Callable[[int, int, str], None]
"""``progress(done, total, stage)``: rows done of total in the current stage."""

MAX_ERRORS = 1000
EMPTY_FILE = "The file is empty; export the conversations as CSV with a header row."


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


def read_csv(data: bytes | str) -> tabular.Table:
    """The header and rows of a CSV export (comma, semicolon or tab separated)."""
    return tabular.read_table(data, empty_message=EMPTY_FILE)


def suggest_mapping(columns: Sequence[str]) -> dict[str, str]:
    """A first guess of the mapping from the header names (the user confirms or changes it)."""
    return tabular.guess_columns(columns, {spec.key: spec.hints for spec in FIELDS})


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


# -- checking rows -----------------------------------------------------------------------------


def _check_mapping(table: tabular.Table, mapping: Mapping[str, str], errors: tabular.RowErrors) -> None:
    present = set(table.columns)
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
                f"The column '{column}' (for {spec.label}) is not in the file; its columns are: {', '.join(table.columns)}.",
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
    table: tabular.Table, options: ImportOptions, *, now: dt.datetime | None = None, progress: Progress | None = None
) -> tuple[list[ParsedRow], tabular.RowErrors]:
    """Check every row (no database): parsed rows, and the errors naming row and column."""
    now = now or utcnow()
    errors = tabular.RowErrors(limit=MAX_ERRORS)
    errors.include(table)
    _check_mapping(table, options.mapping, errors)
    if errors.count:
        return [], errors
    default_kind = _kind(options.default_kind, ConversationKind.question)
    if default_kind is None:
        raise ValidationError(f"Unknown default kind {options.default_kind!r}; use one of {', '.join(KINDS)}.")
    parser = TimestampParser(zone=zone_named(options.timezone), date_order=options.date_order, now=now)
    index = {name: i for i, name in enumerate(table.columns)}
    positions = {key: index[column] for key, column in options.mapping.items() if column}
    width = len(table.columns)
    parsed: list[ParsedRow] = []
    seen: dict[str, int] = {}
    total = len(table.rows)
    author_limit = max_length(Conversation, "author_handle")
    link_limit = max_length(Conversation, "link")
    category_limit = max_length(Conversation, "category")
    id_limit = max_length(Conversation, "external_id")

    def cell(values: Sequence[str], key: str) -> str:
        position = positions.get(key)
        if position is None or position >= len(values):
            return ""
        return values[position].strip()

    for position, values in enumerate(table.rows):
        if progress is not None and (position + 2) % 2000 == 0:
            progress(position + 1, total, "Checking rows")
        number = table.row_number(position)
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
            except BadTimestamp as problem:
                errors.add(number, options.mapping[key], str(problem))
                stamps[key] = None
        author = cell(values, "author")
        if not author:
            errors.add(number, options.mapping["author"], "The author handle is empty.")
        elif len(author) > author_limit:
            errors.add(
                number, options.mapping["author"], f"The author handle is longer than {author_limit} characters."
            )
        kind = _kind(cell(values, "kind"), default_kind)
        if kind is None:
            errors.add(
                number,
                options.mapping["kind"],
                f"Unknown kind '{cell(values, 'kind')}'; use {', '.join(KINDS)}.",
            )
        link = cell(values, "link")
        if link and not is_web_link(link):
            errors.add(number, options.mapping["link"], f"'{link[:60]}' is not a web link (https://…).")
        elif len(link) > link_limit:
            errors.add(number, options.mapping["link"], f"The link is longer than {link_limit} characters.")
        category = cell(values, "category")
        if len(category) > category_limit:
            errors.add(number, options.mapping["category"], f"The category is longer than {category_limit} characters.")
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
            elif len(external_id) > id_limit:
                errors.add(
                    number, options.mapping["external_id"], f"The external id is longer than {id_limit} characters."
                )
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
