"""Importing conversations from a platform's export, all or nothing, in two shapes: one row per
conversation, or one row per message (``core.sla.thread_exports`` folds them into conversations).

The person maps the file's columns onto our fields, picks the channel (or maps a channel column)
and — explicitly — the time zone of timestamps without an offset; the date order is settled by
the file or chosen (never guessed). Every row is checked before anything is written: one bad row
rejects the whole file with a report naming row and column. A clean file is written in one
transaction with bulk inserts; each new conversation gets its SLA figures from the policy that
fits it, and conversations that need a reply but fit no policy are reported with how to fix it.
Re-importing is idempotent by (channel, external id): known conversations are never duplicated,
only a missing first reply, resolved time, post or new message is added. Without an id column a
stable id is derived from received time, author and text.

A backfill (``history``) files unanswered conversations older than its cut-off as "archived,
never answered": counted in the KPIs, kept out of the work queues.

Each import is one ``data_import`` batch: its rows carry the id and one audit entry lists them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session

from core import import_batches, tabular
from core.errors import ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, require
from core.sla import import_writes as db
from core.sla.import_fields import ImportOptions
from core.sla.import_rows import Lookups, ParsedRow, Progress, parse_rows, read_csv
from core.sla.policies import PolicyBook
from core.sla.thread_exports import Fold, Message, Thread, fold, parse_messages
from core.sla.watch import PostLinks, WatchBook
from core.tabular import RowError
from db.models import Channel, ConversationMessage
from db.types import utcnow

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, for a preview, would do) — or, with errors, why it wrote nothing."""

    total_rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()
    error_count: int = 0
    preview: tuple[ParsedRow, ...] = field(default_factory=tuple)
    written: bool = False
    date_note: str = ""  # how the dates were read ("Dates read as month/day/year: row 7 has …")
    warnings: tuple[str, ...] = ()  # imported anyway, but someone should act (no SLA policy …)
    archived: int = 0  # backfill: unanswered and older than the cut-off
    messages: int = 0  # thread messages stored
    channels_created: tuple[str, ...] = ()
    fold_summary: str = ""  # messages mode: how many messages became how many conversations
    file_note: str = ""  # e.g. which sheet of a workbook was read
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0


@dataclass
class _Checked:
    """A file read and checked against the database, ready to write (or to refuse)."""

    table: tabular.Table
    errors: tabular.RowErrors
    lookups: Lookups
    missing_channels: dict[str, tuple[int, int]]
    date_note: str = ""
    rows: list[ParsedRow] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def _check(
    session: Session,
    *,
    actor: Actor,
    data: bytes | str,
    options: ImportOptions,
    messages: bool,
    now: dt.datetime,
    progress: Progress | None,
) -> _Checked:
    require(actor, Action.import_conversations)
    if options.channel_id is not None and session.get(Channel, options.channel_id) is None:
        raise ValidationError(
            _(
                "Channel #{channel} does not exist; pick the channel the export comes from.",
                channel=options.channel_id,
            )
        )
    if options.history and options.history_days < 0:
        raise ValidationError(_("The backfill cut-off is a number of days, 0 or more."))
    table = read_csv(data, options.file_name)
    names = db.names(session, table, options)
    lookups = names.lookups
    missing = names.missing_channels
    header_errors = tabular.RowErrors()
    if missing:
        if options.create_channels:
            db.check_may_create_channels(actor)
            # Stand-in ids until the file is known to be fine: nothing is created for a refused file.
            stand_ins = {db.channel_key(name): -n for n, name in enumerate(missing, start=1)}
            lookups = replace(lookups, channels={**lookups.channels, **stand_ins})
        else:
            header_errors.add(
                1, options.mapping.get("channel", ""), db.missing_channels_message(missing, options.mapping["channel"])
            )
    if messages:
        parsed_messages, errors, order = parse_messages(table, options, lookups, now=now, progress=progress)
        checked = _Checked(table, errors, lookups, missing, messages=parsed_messages)
    else:
        parsed, errors, order = parse_rows(table, options, lookups, now=now, progress=progress)
        checked = _Checked(table, errors, lookups, missing, rows=parsed)
    for problem in header_errors.items:
        errors.add(problem.row, problem.column, problem.message)
    checked.date_note = order.note if order is not None else ""
    return checked


def _create_channels(session: Session, checked: _Checked, *, actor: Actor) -> None:
    """Create the channels the file names (the file is fine) and give its rows their real ids."""
    if not checked.missing_channels:
        return
    created = db.create_channels(session=session, actor=actor, missing=checked.missing_channels)
    real = {checked.lookups.channels[key]: ident for key, ident in created.items()}
    checked.rows = [replace(r, channel_id=real.get(r.channel_id, r.channel_id)) for r in checked.rows]
    checked.messages = [replace(m, channel_id=real.get(m.channel_id, m.channel_id)) for m in checked.messages]


def _archive_before(options: ImportOptions, now: dt.datetime) -> dt.datetime | None:
    return now - dt.timedelta(days=options.history_days) if options.history else None


def _refused(checked: _Checked) -> ImportReport:
    return ImportReport(
        total_rows=len(checked.table.rows) + checked.table.problem_count,
        errors=tuple(checked.errors.items),
        error_count=checked.errors.count,
        date_note=checked.date_note,
        file_note=checked.table.note,
    )


# -- one row per conversation -----------------------------------------------------------------------


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
    now = now or utcnow()
    checked = _check(session, actor=actor, data=data, options=options, messages=False, now=now, progress=None)
    if checked.errors.count:
        return _refused(checked)
    known = db.existing(session, {row.channel_id for row in checked.rows})
    book = PolicyBook.load(session)
    archive_before = _archive_before(options, now)
    fresh = [row for row in checked.rows if (row.channel_id, row.external_id) not in known]
    new = db.NewConversations(book=book, now=now, import_id=0, archive_before=archive_before)
    for row in fresh:
        new.add(row)
    return ImportReport(
        total_rows=len(checked.rows),
        created=len(fresh),
        unchanged=len(checked.rows) - len(fresh),
        preview=tuple(checked.rows[:limit]),
        date_note=checked.date_note,
        warnings=new.warnings(),
        archived=new.archived,
        channels_created=tuple(checked.missing_channels) if options.create_channels else (),
        file_note=checked.table.note,
    )


@import_batches.collector_paused
def import_conversations(
    *,
    session: Session,
    actor: Actor,
    data: bytes | str,
    options: ImportOptions,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import an export with one row per conversation, all or nothing; with any row error nothing
    is written (the report says which rows and columns to fix). Runs in the caller's transaction."""
    now = now or utcnow()
    checked = _check(session, actor=actor, data=data, options=options, messages=False, now=now, progress=progress)
    if checked.errors.count:
        return _refused(checked)
    _create_channels(session, checked, actor=actor)
    parsed = _on_their_posts(session, checked.rows)
    import_id = import_batches.start(session, actor=actor, kind="conversations", file_name=options.file_name)
    book = PolicyBook.load(session)
    posts = {row.post_id for row in parsed}
    known = db.existing(session, {row.channel_id for row in parsed})
    archive_before = _archive_before(options, now)
    new = db.NewConversations(
        book=book, now=now, import_id=import_id, archive_before=archive_before, watch=WatchBook.load(session, posts)
    )
    fresh: list[ParsedRow] = []
    updates: list[dict[str, Any]] = []
    replied_now: list[tuple[int, ParsedRow]] = []
    for done, row in enumerate(parsed, start=1):
        if progress is not None and done % 2000 == 0:
            progress(done, len(parsed), N_("Computing SLA figures"))
        stored = known.get((row.channel_id, row.external_id))
        if stored is None:
            new.add(row)
            fresh.append(row)
            continue
        change = db.fill_in(
            stored, first_reply_at=row.first_reply_at, resolved_at=row.resolved_at, post_id=row.post_id, book=book
        )
        if change is not None:
            updates.append(change)
            if row.reply_text and stored.first_reply_at is None and row.first_reply_at is not None:
                replied_now.append((stored.id, row))
    steps = len(new) + len(updates)
    done = new.insert(session, progress=progress, steps=steps)
    db.apply_updates(session, updates, progress=progress, steps=steps, done=done)
    messages = _reply_messages(session, fresh, replied_now, import_id=import_id, now=now)
    db.insert(session, ConversationMessage, messages, progress=None, steps=0, done=0)
    report = ImportReport(
        total_rows=len(parsed),
        created=len(new),
        updated=len(updates),
        unchanged=len(parsed) - len(new) - len(updates),
        written=True,
        date_note=checked.date_note,
        warnings=new.warnings(),
        archived=new.archived,
        messages=len(messages),
        channels_created=tuple(checked.missing_channels) if options.create_channels else (),
        file_note=checked.table.note,
        import_id=import_id,
    )
    _finish(session, actor=actor, import_id=import_id, options=options, report=report, action="conversation.import")
    return report


def _on_their_posts(session: Session, rows: list[ParsedRow]) -> list[ParsedRow]:
    """Rows without a post column value get the post their link is on (a comment's link starts
    with the published post's own link), when exactly one published post of their channel fits."""
    unlinked = [row for row in rows if row.post_id is None and row.link]
    if not unlinked:
        return rows
    links = PostLinks.load(session, {row.channel_id for row in unlinked})
    if not links.by_key:
        return rows
    placed = []
    for row in rows:
        post_id = links.post_for(channel_id=row.channel_id, link=row.link) if row.post_id is None and row.link else None
        placed.append(replace(row, post_id=post_id) if post_id is not None else row)
    return placed


def _reply_messages(
    session: Session,
    fresh: list[ParsedRow],
    replied_now: list[tuple[int, ParsedRow]],
    *,
    import_id: int,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """A reply text makes a thread: the community's message and the team's reply (source "imported")."""
    with_text = [row for row in fresh if row.reply_text]
    if not with_text and not replied_now:
        return []
    ids = db.imported_ids(session, import_id) if with_text else {}
    pairs = [(ids[(row.channel_id, row.external_id)], row) for row in with_text] + replied_now
    rows: list[dict[str, Any]] = []
    for conversation_id, row in pairs:
        first = (conversation_id, row.external_id, row.received_at, False, row.author_handle, row.text)
        reply = (conversation_id, f"{row.external_id}#reply", row.first_reply_at, True, "", row.reply_text)
        for conversation, external_id, sent_at, from_team, author, text in (first, reply):
            if sent_at is not None:
                rows.append(
                    db.message_row(
                        conversation_id=conversation,
                        external_id=external_id,
                        sent_at=sent_at,
                        from_team=from_team,
                        author_handle=author,
                        text=text,
                        now=now,
                        import_id=import_id,
                    )
                )
    return rows


def _finish(
    session: Session, *, actor: Actor, import_id: int, options: ImportOptions, report: ImportReport, action: str
) -> None:
    channel = session.get(Channel, options.channel_id) if options.channel_id is not None else None
    import_batches.finish(
        session,
        actor=actor,
        import_id=import_id,
        action=action,
        entities=("conversation", "conversation_message"),
        summary={
            "file": options.file_name,
            "channel": channel.name if channel is not None else None,
            "rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "archived": report.archived,
            "messages": report.messages,
            "channels_created": list(report.channels_created),
            "mapping": dict(options.mapping),
            "timezone": options.timezone,
            "date_order": report.date_note or options.date_order,
            "history_days": options.history_days if options.history else None,
        },
    )
    session.expire_all()


# -- one row per message ------------------------------------------------------------------------------


def _folded(session: Session, checked: _Checked) -> tuple[Fold, list[RowError]]:
    stored = db.stored_messages(session, {m.channel_id for m in checked.messages})
    return fold(checked.messages, stored)


def _thread_row(thread: Thread) -> ParsedRow:
    root = thread.root
    assert root is not None, "a new thread starts with a community message"
    return ParsedRow(
        row=root.row,
        external_id=root.message_id,
        received_at=root.sent_at,
        first_reply_at=thread.first_reply_at,
        resolved_at=None,
        author_handle=root.author_handle,
        author_key=root.author_key,
        text=root.text,
        link=root.link,
        kind=root.kind,
        category=root.category,
        channel_id=root.channel_id,
    )


def preview_messages(
    *,
    session: Session,
    actor: Actor,
    data: bytes | str,
    options: ImportOptions,
    now: dt.datetime | None = None,
    limit: int = PREVIEW_ROWS,
) -> ImportReport:
    """Check a thread-shaped file and show the conversations it folds into; writes nothing."""
    now = now or utcnow()
    checked = _check(session, actor=actor, data=data, options=options, messages=True, now=now, progress=None)
    if checked.errors.count:
        return _refused(checked)
    folded, loops = _folded(session, checked)
    if loops:
        for loop in loops:
            checked.errors.add(loop.row, loop.column, loop.message)
        return _refused(checked)
    rows = [_thread_row(t) for t in folded.threads]
    book = PolicyBook.load(session)
    archive_before = _archive_before(options, now)
    new = db.NewConversations(book=book, now=now, import_id=0, archive_before=archive_before)
    for row in rows:
        new.add(row)
    return ImportReport(
        total_rows=folded.messages,
        created=len(rows),
        updated=len(folded.additions),
        unchanged=folded.known,
        preview=tuple(rows[:limit]),
        date_note=checked.date_note,
        warnings=new.warnings(),
        archived=new.archived,
        messages=sum(len(t.messages) for t in (*folded.threads, *folded.additions)),
        channels_created=tuple(checked.missing_channels) if options.create_channels else (),
        fold_summary=folded.summary,
        file_note=checked.table.note,
    )


@import_batches.collector_paused
def import_messages(
    *,
    session: Session,
    actor: Actor,
    data: bytes | str,
    options: ImportOptions,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a thread-shaped export (one row per message) all or nothing: the messages are folded
    into conversations (``core.sla.thread_exports``), each with its first reply from the team and its
    thread. Runs in the caller's transaction."""
    now = now or utcnow()
    checked = _check(session, actor=actor, data=data, options=options, messages=True, now=now, progress=progress)
    if checked.errors.count:
        return _refused(checked)
    folded, loops = _folded(session, checked)
    if loops:
        for loop in loops:
            checked.errors.add(loop.row, loop.column, loop.message)
        return _refused(checked)
    _create_channels(session, checked, actor=actor)
    if checked.missing_channels:
        folded, _report = _folded(session, checked)
    import_id = import_batches.start(session, actor=actor, kind="messages", file_name=options.file_name)
    book = PolicyBook.load(session)
    archive_before = _archive_before(options, now)
    new = db.NewConversations(book=book, now=now, import_id=import_id, archive_before=archive_before)
    for done, thread in enumerate(folded.threads, start=1):
        if progress is not None and done % 2000 == 0:
            progress(done, len(folded.threads), N_("Computing SLA figures"))
        new.add(_thread_row(thread))
    steps = len(new) + sum(len(t.messages) for t in (*folded.threads, *folded.additions))
    done = new.insert(session, progress=progress, steps=steps)
    ids = db.imported_ids(session, import_id)
    message_rows = []
    for thread in folded.threads:
        root = thread.root
        assert root is not None
        conversation_id = ids[(root.channel_id, root.message_id)]
        message_rows.extend(_messages(thread, conversation_id, import_id=import_id, now=now))
    updates = _additions(session, folded.additions, book=book)
    for thread in folded.additions:
        assert thread.existing_id is not None
        message_rows.extend(_messages(thread, thread.existing_id, import_id=import_id, now=now))
    db.insert(session, ConversationMessage, message_rows, progress=progress, steps=steps, done=done)
    db.apply_updates(session, updates, progress=None, steps=0, done=0)
    report = ImportReport(
        total_rows=folded.messages,
        created=len(new),
        updated=len(updates),
        unchanged=folded.known,
        written=True,
        date_note=checked.date_note,
        warnings=new.warnings(),
        archived=new.archived,
        messages=len(message_rows),
        channels_created=tuple(checked.missing_channels) if options.create_channels else (),
        fold_summary=folded.summary,
        file_note=checked.table.note,
        import_id=import_id,
    )
    _finish(
        session, actor=actor, import_id=import_id, options=options, report=report, action="conversation.import_messages"
    )
    return report


def _messages(thread: Thread, conversation_id: int, *, import_id: int, now: dt.datetime) -> list[dict[str, Any]]:
    return [
        db.message_row(
            conversation_id=conversation_id,
            external_id=m.message_id,
            sent_at=m.sent_at,
            from_team=m.from_team,
            author_handle=m.author_handle,
            text=m.text,
            now=now,
            import_id=import_id,
        )
        for m in thread.messages
    ]


def _additions(session: Session, additions: list[Thread], *, book: PolicyBook) -> list[dict[str, Any]]:
    """New team replies to conversations stored before: their first reply, if they had none."""
    stored = db.existing_by_id(session, [t.existing_id for t in additions if t.existing_id is not None])
    updates = []
    for thread in additions:
        known = stored.get(thread.existing_id) if thread.existing_id is not None else None
        if known is None or thread.first_reply_at is None:
            continue
        change = db.fill_in(known, first_reply_at=thread.first_reply_at, resolved_at=None, post_id=None, book=book)
        if change is not None:
            updates.append(change)
    return updates
