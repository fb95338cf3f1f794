"""Checking a conversation export (one row per conversation) before anything is written: every
row read into what it means, or the problems that name its row and column (no database; the
names the file uses — channels, people, teams, posts — are looked up by the caller).

The states a row implies follow the screen's actions: a first reply makes it "waiting", a
resolved time "resolved", a team name an escalation (with when and why), "no reply needed" the
mark with its reason; what the screen refuses (a reply and "no reply needed" together) is a row
error here too.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from core import formats, tabular
from core.columns import RowCells
from core.errors import ValidationError
from core.handles import make_handle
from core.i18n import N_, _
from core.sla.checks import KINDS, is_web_link
from core.sla.import_fields import (
    FIELD_BY_KEY,
    TIMESTAMP_FIELDS,
    ImportOptions,
    check_mapping,
    flag_of,
    kind_of,
)
from core.timestamps import DATE_ORDER_LEAD, BadTimestamp, DateOrder, TimestampParser, settle_date_order, zone_named
from db.models import Conversation, ConversationKind, max_length
from db.types import utcnow

# ``progress(done, total, stage)``: rows done of total in the current stage (a marked constant).
Progress = Callable[[int, int, str], None]

MAX_ERRORS = 1000
EMPTY_FILE = N_("The file is empty; export the conversations as CSV with a header row.")
PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class Lookups:
    """The names a file may use, as the database knows them (all keys case-folded)."""

    channels: Mapping[str, int] = field(default_factory=dict)
    people: Mapping[str, int] = field(default_factory=dict)  # usernames and e-mail addresses
    teams: Mapping[str, int] = field(default_factory=dict)
    posts: Mapping[str, int] = field(default_factory=dict)  # post numbers and links (``post_ref``)


# Not frozen: a frozen dataclass sets each field through object.__setattr__, three times slower
# to build, and an import builds one per row. Nothing changes one after it is built.
@dataclass(slots=True)
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
    channel_id: int = 0
    author_key: str = ""
    assignee_id: int | None = None
    escalation_team_id: int | None = None
    escalated_at: dt.datetime | None = None
    escalation_reason: str = ""
    no_reply_reason: str = ""
    reply_text: str = ""
    post_id: int | None = None


def read_csv(data: bytes | str, file_name: str = "") -> tabular.Table:
    """The header and rows of an export (CSV/TSV, .xlsx or JSON lines). The screen and the command
    line read a file's columns for the mapping and then import it: the last file read is kept
    (a Table never changes), so it is parsed once."""
    return _read_table(data, tabular.file_format(data, file_name))


@functools.lru_cache(maxsize=1)
def _read_table(data: bytes | str, file_format: str) -> tabular.Table:
    return tabular.read_table(data, file_name=f"export.{file_format}", empty_message=EMPTY_FILE)


def post_ref(value: str) -> str:
    """How a post is named in a file, for matching: its number, or its link without a trailing slash."""
    text = value.strip()
    return text.lstrip("#") if text.lstrip("#").isdigit() else text.rstrip("/")


def channel_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def derived_id(received: dt.datetime, author: str, text: str) -> str:
    digest = hashlib.sha1(f"{received.isoformat()}|{author}|{text}".encode()).hexdigest()[:24]
    return f"sha1:{digest}"


def settle_order(table: tabular.Table, options: ImportOptions, fields: Sequence[str] = TIMESTAMP_FIELDS) -> DateOrder:
    """The file's date order: the person's choice, or what the file's own dates say (``core.timestamps``)."""
    values = (
        value
        for key in fields
        if options.mapping.get(key)
        for value in table.column_values(options.mapping[key], lead=DATE_ORDER_LEAD)
    )
    return settle_date_order(values, options.date_order)


def parser_for(options: ImportOptions, order: DateOrder, now: dt.datetime) -> TimestampParser:
    return TimestampParser(
        zone=zone_named(options.timezone), date_order=order.order, now=now, ambiguous=options.ambiguous
    )


def parse_rows(
    table: tabular.Table,
    options: ImportOptions,
    lookups: Lookups,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> tuple[list[ParsedRow], tabular.RowErrors, DateOrder | None]:
    """Check every row (no database): the parsed rows, the errors naming row and column, and how
    the dates were read. A file whose date order nothing settles raises ``DateOrderNeeded``."""
    now = now or utcnow()
    errors = tabular.RowErrors(limit=MAX_ERRORS)
    errors.include(table)
    check_mapping(table, options.mapping, errors)
    if options.channel_id is None and not options.mapping.get("channel"):
        errors.add(1, "", _("Choose the channel the export comes from, or map a column that names it."))
    if any(e.row == 1 for e in errors.items):  # the header or the mapping: no row can be read right
        return [], errors, None
    default_kind = kind_of(options.default_kind, ConversationKind.question)
    if default_kind is None:
        raise ValidationError(
            _(
                "Unknown default kind {kind!r}; use one of {kinds}.",
                kind=options.default_kind,
                kinds=", ".join(KINDS),
            )
        )
    order = settle_order(table, options)
    parser = parser_for(options, order, now)
    index = {name: i for i, name in enumerate(table.columns)}
    positions = {key: index[column] for key, column in options.mapping.items() if column}
    checker = _RowChecker(options, lookups, parser, default_kind, errors)
    cells_of = RowCells.reader(positions, options.mapping, FIELD_BY_KEY)
    parsed: list[ParsedRow] = []
    seen: dict[tuple[int, str], int] = {}
    total = len(table.rows)
    for position, values in enumerate(table.rows):
        if progress is not None and (position + 1) % PROGRESS_EVERY == 0:
            progress(position + 1, total, N_("Checking rows"))
        number = table.row_number(position)
        row = checker.check(number, cells_of(values), has_id="external_id" in positions)
        if row is None:
            continue
        first = seen.get((row.channel_id, row.external_id))
        if first is not None:
            errors.add(
                number,
                options.mapping.get("external_id", ""),
                _(
                    "Row {first} has the same external id '{external_id}'; each conversation once, please.",
                    first=first,
                    external_id=row.external_id,
                ),
            )
            continue
        seen[(row.channel_id, row.external_id)] = number
        parsed.append(row)
    if total == 0 and not errors.count:
        errors.add(2, "", _("The file has a header but no rows."))
    return parsed, errors, order


class _RowChecker:
    """Reads one row into a ``ParsedRow``, adding every problem it finds (row and column)."""

    def __init__(
        self,
        options: ImportOptions,
        lookups: Lookups,
        parser: TimestampParser,
        default_kind: str,
        errors: tabular.RowErrors,
    ):
        self.options, self.lookups, self.parser, self.errors = options, lookups, parser, errors
        self.default_kind = default_kind
        self.limits = {name: max_length(Conversation, name) for name in ("link", "category", "external_id")}
        self.file = options.file_name or _("the imported file")
        self.author_what = _("author handle")  # looked up once, not once per row
        mapped = {key for key, column in options.mapping.items() if column}
        self.mapped = mapped
        self.stamp_keys = tuple(key for key in TIMESTAMP_FIELDS if key in mapped)

    def check(self, number: int, cell: RowCells, *, has_id: bool) -> ParsedRow | None:
        before = self.errors.count
        add = self.errors.add
        stamps = self._stamps(number, cell)
        received = stamps["received"]
        author = cell["author"]
        handle = None
        if not author:
            add(number, cell.column("author"), _("The author handle is empty."))
        else:
            try:
                handle = make_handle(author, what=self.author_what)
            except ValidationError as problem:
                add(number, cell.column("author"), str(problem))
        kind = kind_of(cell["kind"], self.default_kind)
        if kind is None:
            add(
                number,
                cell.column("kind"),
                _("Unknown kind '{kind}'; use {kinds}.", kind=cell["kind"], kinds=", ".join(KINDS)),
            )
        link = cell["link"]
        if link and not is_web_link(link):
            add(number, cell.column("link"), _("'{link}' is not a web link (https://…).", link=link[:60]))
        elif len(link) > self.limits["link"]:
            add(
                number,
                cell.column("link"),
                _("The link is longer than {limit} characters.", limit=formats.number(self.limits["link"])),
            )
        category = cell["category"]
        if len(category) > self.limits["category"]:
            add(
                number,
                cell.column("category"),
                _("The category is longer than {limit} characters.", limit=formats.number(self.limits["category"])),
            )
        resolved, replied = stamps["resolved"], stamps["replied"]
        if received is not None and resolved is not None and resolved < received:
            add(number, cell.column("resolved"), _("The resolved time is before the received time."))
        channel_id = self._channel(number, cell)
        mapped = self.mapped  # a field the file does not map is empty: its checks are skipped
        assignee_id = (
            self._named(
                number, cell, "assignee", self.lookups.people, N_("No user with the username or e-mail {name!r}.")
            )
            if "assignee" in mapped
            else None
        )
        team_id = (
            self._named(number, cell, "escalation", self.lookups.teams, N_("No escalation team called {name!r}."))
            if "escalation" in mapped
            else None
        )
        escalated_at = stamps["escalated_at"]
        if escalated_at is not None and team_id is None and not cell["escalation"]:
            add(number, cell.column("escalated_at"), _("An escalation time without a team: map the team it went to."))
        if escalated_at is not None and received is not None and escalated_at < received:
            add(number, cell.column("escalated_at"), _("The escalation time is before the received time."))
        no_reply_reason = self._no_reply(number, cell, replied) if "no_reply" in mapped else ""
        reply_text = cell["reply_text"]
        if reply_text and replied is None and not cell["replied"]:
            add(
                number,
                cell.column("reply_text"),
                _("A reply text without a reply time: map the first reply time (or clear the text)."),
            )
        post_id = self._post(number, cell) if "post" in mapped else None
        text = cell["text"]
        external_id = cell["external_id"]
        if has_id:
            if not external_id:
                add(
                    number,
                    cell.column("external_id"),
                    _("The external id is empty; every row needs one to make re-imports safe."),
                )
            elif len(external_id) > self.limits["external_id"]:
                add(
                    number,
                    cell.column("external_id"),
                    _(
                        "The external id is longer than {limit} characters.",
                        limit=formats.number(self.limits["external_id"]),
                    ),
                )
        elif received is not None:
            external_id = derived_id(received, author, text)
        if self.errors.count != before or received is None or handle is None or channel_id is None:
            return None
        return ParsedRow(
            row=number,
            external_id=external_id,
            received_at=received,
            first_reply_at=replied,
            resolved_at=resolved,
            author_handle=handle.display,
            author_key=handle.key,
            text=text,
            link=link,
            kind=kind or self.default_kind,
            category=category,
            channel_id=channel_id,
            assignee_id=assignee_id,
            escalation_team_id=team_id,
            escalated_at=(escalated_at or received) if team_id is not None else None,
            escalation_reason=_("Escalated in {file}", file=self.file) if team_id is not None else "",
            no_reply_reason=no_reply_reason,
            reply_text=reply_text,
            post_id=post_id,
        )

    def _stamps(self, number: int, cell: RowCells) -> dict[str, dt.datetime | None]:
        stamps: dict[str, dt.datetime | None] = dict.fromkeys(TIMESTAMP_FIELDS)
        for key in self.stamp_keys:
            raw = cell[key]
            if not raw:
                if key == "received" and cell.column("received"):
                    self.errors.add(number, cell.column("received"), _("The received time is empty."))
                continue
            try:
                stamps[key] = self.parser.parse(raw)
            except BadTimestamp as problem:
                self.errors.add(number, cell.column(key), str(problem))
        return stamps

    def _channel(self, number: int, cell: RowCells) -> int | None:
        name = cell["channel"]
        if not name:
            if self.options.channel_id is None:
                self.errors.add(
                    number, cell.column("channel"), _("The channel is empty and no channel was chosen for such rows.")
                )
            return self.options.channel_id
        channel_id = self.lookups.channels.get(channel_key(name))
        if channel_id is None:
            self.errors.add(number, cell.column("channel"), _("No channel called {name!r}.", name=name))
        return channel_id

    def _named(self, number: int, cell: RowCells, key: str, known: Mapping[str, int], what: str) -> int | None:
        name = cell[key]
        if not name:
            return None
        found = known.get(name.casefold())
        if found is None:
            self.errors.add(number, cell.column(key), _(what, name=name))
        return found

    def _no_reply(self, number: int, cell: RowCells, replied: dt.datetime | None) -> str:
        raw = cell["no_reply"]
        flag = flag_of(raw)
        if flag is False:
            return ""
        reason = _("Marked 'no reply needed' in {file}", file=self.file) if flag else raw
        if len(reason) < 3:
            self.errors.add(
                number,
                cell.column("no_reply"),
                _("'{value}' is neither yes/no nor a reason (3+ characters).", value=raw),
            )
            return ""
        if replied is not None:
            self.errors.add(
                number,
                cell.column("no_reply"),
                _("It has a first reply and is marked 'no reply needed'; keep one (the screen refuses both too)."),
            )
            return ""
        return reason

    def _post(self, number: int, cell: RowCells) -> int | None:
        raw = cell["post"]
        if not raw:
            return None
        found = self.lookups.posts.get(post_ref(raw))
        if found is None:
            self.errors.add(
                number, cell.column("post"), _("No post {post!r}: give its number or its link.", post=raw[:80])
            )
        return found


def field_label(key: str) -> str:
    return _(FIELD_BY_KEY[key].label) if key in FIELD_BY_KEY else key
