"""Thread-shaped exports (one row per message, as Twitter/X, Chatwoot and most inbox tools export
them) folded into conversations. Pure: no database.

A message says who wrote it, whether the team did (a yes/no column, an "inbound" column, or the
team's own handles), when, and which message it replies to (or which thread it belongs to). The
fold follows the replies:

* a **community message that starts a thread** (it replies to nothing, or to something neither in
  the file nor stored) starts a conversation; everything that replies to it, at any depth, is that
  conversation's thread; the team's earliest message in it is the first reply;
* a **team message that starts a thread** is not a conversation (the team asked nothing); a
  community reply under it starts its own conversation, one per person who answered;
* a message stored by an earlier import (same id) is not stored twice, and replies to it join its
  conversation; a reply to a message neither in the file nor stored starts a thread of its own
  and is counted, so the report can say so.

Messages are ordered by their own times, so rows out of order in the file fold the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core import formats, tabular
from core.columns import RowCells
from core.errors import ValidationError
from core.handles import make_handle, stored_key
from core.i18n import N_, _, ngettext
from core.sla.checks import KINDS, is_web_link
from core.sla.import_fields import MESSAGE_FIELDS, ImportOptions, check_mapping, flag_of, kind_of
from core.sla.import_rows import MAX_ERRORS, PROGRESS_EVERY, Lookups, Progress, channel_key, parser_for, settle_order
from core.timestamps import BadTimestamp, DateOrder
from db.models import ConversationKind, ConversationMessage, max_length
from db.types import utcnow

_FLOAT_ID = re.compile(r"^(\d+)\.0+$")


# Not frozen (one per message of a file; see core.sla.import_rows.ParsedRow); never changed once built.
@dataclass(slots=True)
class Message:
    row: int
    message_id: str
    parent_id: str
    thread_id: str
    author_handle: str
    author_key: str
    sent_at: dt.datetime
    text: str
    from_team: bool
    channel_id: int
    kind: str
    category: str
    link: str


@dataclass
class Thread:
    """One conversation folded from messages: the community message that starts it and what
    followed. ``existing_id`` is set when the conversation was stored by an earlier import."""

    root: Message | None
    messages: list[Message] = field(default_factory=list)
    existing_id: int | None = None

    @property
    def first_reply_at(self) -> dt.datetime | None:
        """The team's earliest message in the thread (replies before the community's first message
        in a thread grouped by id are context, not replies)."""
        times = [m.sent_at for m in self.replies]
        return min(times) if times else None

    @property
    def replies(self) -> list[Message]:
        root = self.root
        if root is None:
            return [m for m in self.messages if m.from_team]
        return [m for m in self.messages if m.from_team and not (m.thread_id and m.sent_at < root.sent_at)]


@dataclass(frozen=True)
class Fold:
    threads: list[Thread]  # new conversations
    additions: list[Thread]  # new messages for conversations stored before
    messages: int  # messages in the file
    team_only: int  # team messages in threads no community member started (not conversations)
    unknown_parents: int  # replies to messages neither in the file nor stored
    known: int  # messages stored by an earlier import (skipped)

    @property
    def summary(self) -> str:
        answered = sum(1 for t in self.threads if t.first_reply_at is not None)
        stored = sum(len(t.messages) for t in (*self.threads, *self.additions))
        number = formats.number
        conversations = ngettext(
            "{number} new conversation",
            "{number} new conversations",
            len(self.threads),
            number=number(len(self.threads)),
        )
        parts = [
            ngettext(
                "{number} message folded into {conversations} ({answered} answered by the team, {unanswered} not answered)",
                "{number} messages folded into {conversations} ({answered} answered by the team, {unanswered} not answered)",
                self.messages,
                number=number(self.messages),
                conversations=conversations,
                answered=number(answered),
                unanswered=number(len(self.threads) - answered),
            )
        ]
        if self.additions:
            added = sum(len(t.messages) for t in self.additions)
            parts.append(
                ngettext(
                    "{number} new message for {conversations} imported before",
                    "{number} new messages for {conversations} imported before",
                    added,
                    number=number(added),
                    conversations=ngettext(
                        "{number} conversation",
                        "{number} conversations",
                        len(self.additions),
                        number=number(len(self.additions)),
                    ),
                )
            )
        if self.team_only:
            parts.append(
                ngettext(
                    "{number} team message in threads the team started (not conversations)",
                    "{number} team messages in threads the team started (not conversations)",
                    self.team_only,
                    number=number(self.team_only),
                )
            )
        if self.unknown_parents:
            parts.append(
                ngettext(
                    "{number} message replies to a message not in the file (read as the start of a thread)",
                    "{number} messages reply to a message not in the file (read as the start of a thread)",
                    self.unknown_parents,
                    number=number(self.unknown_parents),
                )
            )
        if self.known:
            parts.append(
                ngettext(
                    "{number} message was imported before",
                    "{number} messages were imported before",
                    self.known,
                    number=number(self.known),
                )
            )
        parts.append(ngettext("{number} message to store", "{number} messages to store", stored, number=number(stored)))
        return _("{parts}.", parts="; ".join(parts))


def message_id(value: str) -> str:
    """An id as written, except the ".0" a spreadsheet adds to a number column (119237.0 = 119237)."""
    text = value.strip()
    if "." not in text:
        return text
    match = _FLOAT_ID.match(text)
    return match.group(1) if match else text


def parse_messages(
    table: tabular.Table,
    options: ImportOptions,
    lookups: Lookups,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> tuple[list[Message], tabular.RowErrors, DateOrder | None]:
    """Check every message row (no database): the messages, the errors naming row and column, and
    how the dates were read. A file whose date order nothing settles raises ``DateOrderNeeded``."""
    now = now or utcnow()
    errors = tabular.RowErrors(limit=MAX_ERRORS)
    errors.include(table)
    mapping = options.mapping
    check_mapping(table, mapping, errors, messages=True)
    team_keys = {stored_key(h) for h in options.team_handles if h.strip()}
    if not (mapping.get("from_team") or mapping.get("inbound") or team_keys):
        errors.add(
            1,
            "",
            _("Say which messages are the team's: map 'From the team' or 'Inbound', or list the team's own handles."),
        )
    if not (mapping.get("in_reply_to") or mapping.get("thread_id")):
        errors.add(1, "", _("Map 'Replies to' (the id a message answers) or 'Thread id', so messages can be folded."))
    if options.channel_id is None and not mapping.get("channel"):
        errors.add(1, "", _("Choose the channel the export comes from, or map a column that names it."))
    if any(e.row == 1 for e in errors.items):
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
    order = settle_order(table, options, ("sent",))
    parser = parser_for(options, order, now)
    index = {name: i for i, name in enumerate(table.columns)}
    positions = {key: index[column] for key, column in mapping.items() if column}
    id_limit = max_length(ConversationMessage, "external_id")
    cells_of = RowCells.reader(positions, mapping, (spec.key for spec in MESSAGE_FIELDS))
    seen: dict[str, int] = {}
    messages: list[Message] = []
    total = len(table.rows)
    for position, values in enumerate(table.rows):
        if progress is not None and (position + 1) % PROGRESS_EVERY == 0:
            progress(position + 1, total, N_("Checking messages"))
        number = table.row_number(position)
        cell = cells_of(values)
        before = errors.count
        ident = message_id(cell("message_id"))
        if not ident:
            errors.add(number, cell.column("message_id"), _("The message id is empty; every message needs one."))
        elif len(ident) > id_limit:
            errors.add(
                number,
                cell.column("message_id"),
                _("The message id is longer than {limit} characters.", limit=formats.number(id_limit)),
            )
        elif ident in seen:
            errors.add(
                number,
                cell.column("message_id"),
                _("Row {first} has the same message id '{message_id}'.", first=seen[ident], message_id=ident),
            )
        else:
            seen[ident] = number
        parent = message_id(cell("in_reply_to"))
        if parent and parent == ident:
            errors.add(number, cell.column("in_reply_to"), _("The message replies to itself."))
        thread = cell("thread_id")
        if mapping.get("thread_id") and not thread:
            errors.add(number, cell.column("thread_id"), _("The thread id is empty."))
        sent = None
        raw = cell("sent")
        if not raw:
            errors.add(number, cell.column("sent"), _("The time is empty."))
        else:
            try:
                sent = parser.parse(raw)
            except BadTimestamp as problem:
                errors.add(number, cell.column("sent"), str(problem))
        handle = None
        try:
            handle = make_handle(cell("author"), what=_("author")) if cell("author") else None
        except ValidationError as problem:
            errors.add(number, cell.column("author"), str(problem))
        else:
            if handle is None:
                errors.add(number, cell.column("author"), _("The author is empty."))
        from_team = _from_team(number, cell, handle.key if handle else "", team_keys, errors)
        channel_id = options.channel_id
        if cell("channel"):
            channel_id = lookups.channels.get(channel_key(cell("channel")))
            if channel_id is None:
                errors.add(number, cell.column("channel"), _("No channel called {name!r}.", name=cell("channel")))
        elif channel_id is None:
            errors.add(
                number, cell.column("channel"), _("The channel is empty and no channel was chosen for such rows.")
            )
        kind = kind_of(cell("kind"), default_kind)
        if kind is None:
            errors.add(
                number,
                cell.column("kind"),
                _("Unknown kind '{kind}'; use {kinds}.", kind=cell("kind"), kinds=", ".join(KINDS)),
            )
        link = cell("link")
        if link and not is_web_link(link):
            errors.add(number, cell.column("link"), _("'{link}' is not a web link (https://…).", link=link[:60]))
        if errors.count != before or sent is None or handle is None or channel_id is None or from_team is None:
            continue
        messages.append(
            Message(
                row=number,
                message_id=ident,
                parent_id=parent,
                thread_id=thread,
                author_handle=handle.display,
                author_key=handle.key,
                sent_at=sent,
                text=cell("text"),
                from_team=from_team,
                channel_id=channel_id,
                kind=kind or default_kind,
                category=cell("category"),
                link=link,
            )
        )
    if total == 0 and not errors.count:
        errors.add(2, "", _("The file has a header but no messages."))
    return messages, errors, order


def _from_team(
    number: int, cell: RowCells, author_key: str, team_keys: set[str], errors: tabular.RowErrors
) -> bool | None:
    for key, means_team in (("from_team", True), ("inbound", False)):
        if cell.column(key):
            flag = flag_of(cell(key))
            if flag is None:
                errors.add(
                    number, cell.column(key), _("'{value}' is not yes or no (true/false, 1/0).", value=cell(key))
                )
                return None
            return flag if means_team else not flag
    return author_key in team_keys


def _time_order(message: Message) -> tuple[dt.datetime, int]:
    return message.sent_at, message.row


def fold(messages: Sequence[Message], stored: Mapping[tuple[int, str], int]) -> tuple[Fold, list[tabular.RowError]]:
    """Fold messages into conversations. ``stored`` maps (channel id, message id) of messages
    stored before to their conversation. Messages whose replies loop back on themselves never
    reach a thread: they are returned as row errors."""
    if any(m.thread_id for m in messages):
        return _fold_by_thread(messages, stored), []
    by_id = {m.message_id: m for m in messages}
    children: dict[str, list[Message]] = defaultdict(list)
    starts: list[Message] = []
    unknown_parents = 0
    for m in messages:
        if m.parent_id and m.parent_id in by_id:
            children[m.parent_id].append(m)
            continue
        starts.append(m)
        if m.parent_id and (m.channel_id, m.parent_id) not in stored:
            unknown_parents += 1
    threads: list[Thread] = []
    additions: dict[int, Thread] = {}
    visited: set[str] = set()
    team_only = known = 0

    def stored_thread(conversation_id: int) -> Thread:
        return additions.setdefault(conversation_id, Thread(root=None, existing_id=conversation_id))

    for start in sorted(starts, key=lambda m: (m.sent_at, m.row)):
        owner: Thread | None = None
        if start.parent_id and (start.channel_id, start.parent_id) in stored:
            owner = stored_thread(stored[(start.channel_id, start.parent_id)])
        stack: list[tuple[Message, Thread | None]] = [(start, owner)]
        while stack:
            message, thread = stack.pop()
            visited.add(message.message_id)
            key = (message.channel_id, message.message_id)
            if key in stored:
                thread = (
                    thread if thread is not None and thread.existing_id == stored[key] else stored_thread(stored[key])
                )
                known += 1
            elif thread is None:
                if message.from_team:
                    team_only += 1
                else:
                    thread = Thread(root=message, messages=[message])
                    threads.append(thread)
            else:
                thread.messages.append(message)
            later = children.get(message.message_id)
            if later:
                later.sort(key=_time_order, reverse=True)
                stack.extend((child, thread) for child in later)
    loops = [
        tabular.RowError(m.row, "", _("The replies loop back to this message (A replies to B, B to A); fix the ids."))
        for m in messages
        if m.message_id not in visited
    ]
    for thread in (*threads, *additions.values()):
        thread.messages.sort(key=lambda m: (m.sent_at, m.row))
    result = Fold(
        threads=threads,
        additions=[t for t in additions.values() if t.messages],
        messages=len(messages),
        team_only=team_only,
        unknown_parents=unknown_parents,
        known=known,
    )
    return result, loops


def _fold_by_thread(messages: Sequence[Message], stored: Mapping[tuple[int, str], int]) -> Fold:
    groups: dict[tuple[int, str], list[Message]] = defaultdict(list)
    for m in messages:
        groups[(m.channel_id, m.thread_id)].append(m)
    threads: list[Thread] = []
    additions: list[Thread] = []
    team_only = known = 0
    for group in groups.values():
        group.sort(key=lambda m: (m.sent_at, m.row))
        existing = next(
            (stored[(m.channel_id, m.message_id)] for m in group if (m.channel_id, m.message_id) in stored), None
        )
        fresh = [m for m in group if (m.channel_id, m.message_id) not in stored]
        known += len(group) - len(fresh)
        if existing is not None:
            if fresh:
                additions.append(Thread(root=None, messages=fresh, existing_id=existing))
            continue
        root = next((m for m in group if not m.from_team), None)
        if root is None:
            team_only += len(group)
            continue
        threads.append(Thread(root=root, messages=group))
    return Fold(threads, additions, len(messages), team_only, 0, known)
