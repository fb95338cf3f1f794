"""What an import of conversations reads from the database and how it writes: the names a file may
use (channels, people, teams, posts), the conversations and messages stored before, the rows a
new conversation or message becomes, and what a re-import may still add to a stored one (only a
missing first reply, resolved time or post — nothing the team changed is overwritten).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlmodel import Session, col

from core import formats, tabular, workspace
from core.i18n import N_, _, ngettext
from core.import_batches import Progress, bulk_insert
from core.permissions import Action, Actor, require
from core.sla.figures import NEEDS_REPLY_KINDS, reply_figures
from core.sla.import_fields import ImportOptions
from core.sla.import_rows import Lookups, ParsedRow, channel_key, post_ref
from core.sla.policies import PolicyBook
from core.sla.watch import WatchBook
from db.models import (
    Channel,
    ChannelCreate,
    Conversation,
    ConversationMessage,
    ConversationStatus,
    EscalationTeam,
    MessageSource,
    Post,
    User,
)

BATCH = 5000
_ARCHIVED = ConversationStatus.archived.value
_OPEN = {ConversationStatus.open.value, ConversationStatus.waiting.value, ConversationStatus.archived.value}


# --- the names a file uses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    lookups: Lookups
    missing_channels: dict[str, tuple[int, int]]  # as written → (rows, first row)


def names(session: Session, table: tabular.Table, options: ImportOptions) -> Names:
    """The channels, people, teams and posts the file may name, and the channels it names that do
    not exist (as written, with how many rows name them and the first one)."""
    channels = {channel_key(c.name): c.id for c in session.scalars(select(Channel)) if c.id is not None}
    people: dict[str, int] = {}
    for user in session.scalars(select(User)):
        if user.id is not None:
            people[user.username.casefold()] = user.id
            if user.email:
                people.setdefault(user.email.casefold(), user.id)
    teams = {t.name.casefold(): t.id for t in session.scalars(select(EscalationTeam)) if t.id is not None}
    missing: dict[str, tuple[int, int]] = {}
    column = options.mapping.get("channel")
    if column:
        counts: Counter[str] = Counter()
        first: dict[str, tuple[str, int]] = {}
        for row, _position, value in table.column_values(column):
            key = channel_key(value)
            if key and key not in channels:
                counts[key] += 1
                first.setdefault(key, (" ".join(value.split()), row))
        missing = {first[key][0]: (count, first[key][1]) for key, count in counts.items()}
    posts = _posts(session, table, options.mapping.get("post"))
    return Names(Lookups(channels=channels, people=people, teams=teams, posts=posts), missing)


def _posts(session: Session, table: tabular.Table, column: str | None) -> dict[str, int]:
    if not column:
        return {}
    refs = {post_ref(value) for _row, _position, value in table.column_values(column) if value.strip()}
    numbers = [int(r) for r in refs if r.isdigit()]
    links = [r for r in refs if not r.isdigit()]
    found: dict[str, int] = {}
    for start in range(0, len(numbers), 900):
        for post_id in session.scalars(select(col(Post.id)).where(col(Post.id).in_(numbers[start : start + 900]))):
            if post_id is not None:
                found[str(post_id)] = post_id
    for start in range(0, len(links), 400):
        chunk = links[start : start + 400]
        wanted = [*chunk, *(f"{link}/" for link in chunk)]
        rows = session.execute(
            select(col(Post.id), col(Post.published_url), col(Post.link_url)).where(
                or_(col(Post.published_url).in_(wanted), col(Post.link_url).in_(wanted))
            )
        ).all()
        # A post's own link on the platform names it first; its next-step link only when no post's own does.
        for post_id, published_url, _link in rows:
            if published_url:
                found.setdefault(post_ref(published_url), post_id)
        for post_id, _published, link_url in rows:
            if link_url:
                found.setdefault(post_ref(link_url), post_id)
    return found


def missing_channels_message(missing: dict[str, tuple[int, int]], column: str) -> str:
    listed = ", ".join(
        ngettext(
            "{name!r} ({rows} row, first row {first})",
            "{name!r} ({rows} rows, first row {first})",
            rows,
            name=name,
            rows=formats.number(rows),
            first=formats.number(first),
        )
        for name, (rows, first) in sorted(missing.items(), key=lambda item: item[1][1])
    )
    return _(
        "The column '{column}' names channels that do not exist: {listed}. Create them (the option "
        "'create missing channels') or fix the file.",
        column=column,
        listed=listed,
    )


def create_channels(*, session: Session, actor: Actor, missing: Iterable[str]) -> dict[str, int]:
    """Create the channels a file names (the import's own transaction); needs the channel right."""
    require(actor, Action.manage_channels)
    created = {}
    for name in missing:
        view = workspace.create_channel(session=session, actor=actor, channel_in=ChannelCreate(name=name))
        created[channel_key(name)] = view.id
    return created


def check_may_create_channels(actor: Actor) -> None:
    require(actor, Action.manage_channels)


# --- what is stored already -------------------------------------------------------------------------

_EXISTING_COLUMNS = (
    "id",
    "channel_id",
    "external_id",
    "first_reply_at",
    "resolved_at",
    "status",
    "received_at",
    "sla_policy_id",
    "business_minutes_to_reply",
    "calendar_minutes_to_reply",
    "reply_before_message",
    "post_id",
)


def existing(session: Session, channel_ids: Iterable[int]) -> dict[tuple[int, str], Any]:
    """The stored conversations of these channels that have an external id, by (channel, id)."""
    table = Conversation.__table__  # type: ignore[attr-defined]
    ids = [c for c in set(channel_ids) if c > 0]
    if not ids:
        return {}
    statement = select(*(table.c[name] for name in _EXISTING_COLUMNS)).where(
        table.c.channel_id.in_(ids), table.c.external_id.is_not(None)
    )
    return {(row.channel_id, row.external_id): row for row in session.execute(statement)}


def existing_by_id(session: Session, conversation_ids: Sequence[int]) -> dict[int, Any]:
    table = Conversation.__table__  # type: ignore[attr-defined]
    out: dict[int, Any] = {}
    for start in range(0, len(conversation_ids), 900):
        chunk = list(conversation_ids[start : start + 900])
        statement = select(*(table.c[name] for name in _EXISTING_COLUMNS)).where(table.c.id.in_(chunk))
        out.update({row.id: row for row in session.execute(statement)})
    return out


def stored_messages(session: Session, channel_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """(channel, message id) → conversation of every message stored in these channels; a
    conversation's own external id counts as the id of its first message."""
    ids = [c for c in set(channel_ids) if c > 0]
    if not ids:
        return {}
    c = Conversation.__table__  # type: ignore[attr-defined]
    m = ConversationMessage.__table__  # type: ignore[attr-defined]
    found: dict[tuple[int, str], int] = {}
    for channel_id, external_id, conversation_id in session.execute(
        select(c.c.channel_id, c.c.external_id, c.c.id).where(c.c.channel_id.in_(ids), c.c.external_id.is_not(None))
    ):
        found[(channel_id, external_id)] = conversation_id
    for channel_id, external_id, conversation_id in session.execute(
        select(c.c.channel_id, m.c.external_id, m.c.conversation_id)
        .join(c, c.c.id == m.c.conversation_id)
        .where(c.c.channel_id.in_(ids), m.c.external_id.is_not(None))
    ):
        found.setdefault((channel_id, external_id), conversation_id)
    return found


# --- new rows ----------------------------------------------------------------------------------------


def status_of(
    *,
    first_reply_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
    no_reply_reason: str,
    received_at: dt.datetime,
    archive_before: dt.datetime | None,
) -> str:
    """The status the screen's actions would have left: resolved, marked, answered, or open —
    and with a backfill, an unanswered item older than the cut-off is archived, not work to do."""
    if resolved_at is not None:
        return ConversationStatus.resolved.value
    if no_reply_reason:
        return ConversationStatus.no_reply_needed.value
    if first_reply_at is not None:
        return ConversationStatus.waiting.value
    if archive_before is not None and received_at < archive_before:
        return ConversationStatus.archived.value
    return ConversationStatus.open.value


# The columns of a new conversation, in the order ``NewConversations`` builds each row.
CONVERSATION_COLUMNS = (
    "external_id",
    "channel_id",
    "kind",
    "author_handle",
    "author_key",
    "text",
    "link",
    "category",
    "received_at",
    "first_reply_at",
    "resolved_at",
    "status",
    "no_reply_reason",
    "assignee_id",
    "escalation_team_id",
    "escalated_at",
    "escalation_reason",
    "quick_answer_id",
    "useful",
    "best",
    "engagement",
    "post_id",
    "sla_policy_id",
    "deadline_at",
    "window_minutes",
    "business_minutes_to_reply",
    "calendar_minutes_to_reply",
    "reply_before_message",
    "created_at",
    "import_id",
    "version",
)


class NewConversations:
    """The conversations an import creates: one row each in ``CONVERSATION_COLUMNS`` order, as
    ``bulk_insert`` sends them, with the SLA figures fixed and the counts the report needs. A row
    is a tuple, not a dict: an import holds 100,000 of them at once, and a dict each was the
    largest thing in its memory. ``watch``: conversations on a watched post go to its SLA owner."""

    def __init__(
        self,
        *,
        book: PolicyBook,
        now: dt.datetime,
        import_id: int,
        archive_before: dt.datetime | None,
        watch: WatchBook | None = None,
    ):
        self.book, self.now, self.import_id, self.archive_before, self.watch = (
            book,
            now,
            import_id,
            archive_before,
            watch,
        )
        self.rows: list[tuple[Any, ...]] = []
        self.archived = 0
        self.uncovered = 0  # need a reply but match no SLA policy

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: ParsedRow) -> None:
        figures = self.book.figures(
            channel_id=row.channel_id, kind=row.kind, received_at=row.received_at, first_reply_at=row.first_reply_at
        )
        kind = str(row.kind)
        status = status_of(
            first_reply_at=row.first_reply_at,
            resolved_at=row.resolved_at,
            no_reply_reason=row.no_reply_reason,
            received_at=row.received_at,
            archive_before=self.archive_before,
        )
        assignee_id = row.assignee_id
        if status == _ARCHIVED:
            self.archived += 1
        elif self.watch is not None and row.post_id is not None:
            assignee_id = self.watch.assignee_for(
                post_id=row.post_id, assignee_id=assignee_id, received_at=row.received_at
            )
        if figures.sla_policy_id is None and kind in NEEDS_REPLY_KINDS:
            self.uncovered += 1
        self.rows.append(
            (
                row.external_id,
                row.channel_id,
                kind,
                row.author_handle,
                row.author_key,
                row.text,
                row.link,
                row.category,
                row.received_at,
                row.first_reply_at,
                row.resolved_at,
                status,
                row.no_reply_reason,
                assignee_id,
                row.escalation_team_id,
                row.escalated_at,
                row.escalation_reason,
                None,  # quick_answer_id
                False,  # useful
                False,  # best
                0,  # engagement
                row.post_id,
                figures.sla_policy_id,
                figures.deadline_at,
                figures.window_minutes,
                figures.business_minutes_to_reply,
                figures.calendar_minutes_to_reply,
                figures.reply_before_message,
                self.now,
                self.import_id,
                1,  # version
            )
        )

    def warnings(self) -> tuple[str, ...]:
        return (uncovered_warning(self.uncovered),) if self.uncovered else ()

    def insert(self, session: Session, *, progress: Progress | None, steps: int) -> int:
        """Store the rows (in the caller's transaction); the rows stored, for the progress."""
        table = Conversation.__table__  # type: ignore[attr-defined]
        return bulk_insert(
            session.connection(), table, self.rows, columns=CONVERSATION_COLUMNS, progress=progress, steps=steps
        )


def uncovered_warning(count: int) -> str:
    return ngettext(
        "{number} conversation that needs a reply matches no SLA policy: it gets no deadline and counts in "
        "no SLA figure. Add a policy that covers it (Admin → SLA policies, or python -m core policies add), "
        "then recompute the stored figures (python -m core sla recompute).",
        "{number} conversations that need a reply match no SLA policy: they get no deadline and count in "
        "no SLA figure. Add a policy that covers them (Admin → SLA policies, or python -m core policies add), "
        "then recompute the stored figures (python -m core sla recompute).",
        count,
        number=formats.number(count),
    )


def message_row(
    *,
    conversation_id: int,
    external_id: str | None,
    sent_at: dt.datetime,
    from_team: bool,
    author_handle: str,
    text: str,
    now: dt.datetime,
    import_id: int,
) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "external_id": external_id,
        "sent_at": sent_at,
        "from_team": from_team,
        "author_handle": author_handle,
        "user_id": None,
        "text": text,
        "quick_answer_id": None,
        "source": MessageSource.imported.value,
        "created_at": now,
        "import_id": import_id,
    }


def insert(
    session: Session, model: type, rows: list[dict[str, Any]], *, progress: Progress | None, steps: int, done: int
) -> int:
    table = model.__table__  # type: ignore[attr-defined]
    return bulk_insert(session.connection(), table, rows, progress=progress, steps=steps, done=done)


def imported_ids(session: Session, import_id: int) -> dict[tuple[int, str], int]:
    """(channel, external id) → id of the conversations this import created."""
    table = Conversation.__table__  # type: ignore[attr-defined]
    statement = select(table.c.channel_id, table.c.external_id, table.c.id).where(table.c.import_id == import_id)
    return {(channel_id, external_id): ident for channel_id, external_id, ident in session.execute(statement)}


# --- what a re-import may add ------------------------------------------------------------------------

UPDATE_COLUMNS = (
    "first_reply_at",
    "business_minutes_to_reply",
    "calendar_minutes_to_reply",
    "reply_before_message",
    "resolved_at",
    "status",
    "post_id",
)


def fill_in(
    known: Any,
    *,
    first_reply_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
    post_id: int | None,
    book: PolicyBook,
) -> dict[str, Any] | None:
    """What a re-import adds to a stored conversation: only a missing first reply, resolved time
    or post (nothing the team changed in Dialog Desk is overwritten); None when nothing."""
    change: dict[str, Any] = {}
    status = known.status
    if known.first_reply_at is None and first_reply_at is not None:
        calendar = book.calendar_of(known.sla_policy_id)
        business, calendar_minutes, before = reply_figures(known.received_at, first_reply_at, calendar)
        change.update(
            first_reply_at=first_reply_at,
            business_minutes_to_reply=business,
            calendar_minutes_to_reply=calendar_minutes,
            reply_before_message=before,
        )
        if status in (ConversationStatus.open, ConversationStatus.archived):
            status = ConversationStatus.waiting.value
    if known.resolved_at is None and resolved_at is not None and status in _OPEN:
        change["resolved_at"] = resolved_at
        status = ConversationStatus.resolved.value
    if known.post_id is None and post_id is not None:
        change["post_id"] = post_id
    if not change:
        return None
    full = {"_id": known.id, **{name: getattr(known, name) for name in UPDATE_COLUMNS}, "status": status}
    full.update(change)
    return full


def apply_updates(
    session: Session, updates: list[dict[str, Any]], *, progress: Progress | None, steps: int, done: int
) -> int:
    if not updates:
        return done
    table = Conversation.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in UPDATE_COLUMNS} | {"version": table.c.version + 1})
    )
    connection = session.connection()
    for start in range(0, len(updates), BATCH):
        batch = updates[start : start + BATCH]
        connection.execute(statement, batch)
        done += len(batch)
        if progress is not None:
            progress(done, steps, N_("Saving"))
    return done
