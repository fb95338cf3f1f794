"""Read models of moderation: the open flags, the conversations the word lists suggest flagging,
threads in slow mode and muted members, the community rules and their versions, the flag words,
the actions taken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from core.community import rules
from core.community.members import merge_map
from core.community.moderation import flag_word_rules
from core.records import stored_id
from db.models import (
    Channel,
    CommunityRules,
    Conversation,
    FlagSeverity,
    FlagWord,
    ModerationAction,
    ModerationFlag,
    ModerationKind,
    User,
)


@dataclass(frozen=True)
class FlagRow:
    id: int
    conversation_id: int
    category: str
    severity: str
    source: str
    words: str
    note: str
    flagged_at: dt.datetime
    author: str
    channel: str
    text: str
    flagged_by: str


def _names(session: Session) -> tuple[dict[int | None, str], dict[int | None, str]]:
    channels = {c.id: c.name for c in session.scalars(select(Channel))}
    users = {u.id: (u.name or u.username) for u in session.scalars(select(User))}
    return channels, users


def open_flags(session: Session) -> tuple[FlagRow, ...]:
    """Flags not acted on yet, the most severe and oldest first."""
    channels, users = _names(session)
    found = session.execute(
        select(ModerationFlag, Conversation)
        .join(Conversation, col(Conversation.id) == ModerationFlag.conversation_id)
        .where(col(ModerationFlag.closed_at).is_(None))
        .order_by(col(ModerationFlag.flagged_at))
    ).all()
    flags = [
        FlagRow(
            id=f.id,
            conversation_id=c.id,
            category=f.category,
            severity=f.severity,
            source=f.source,
            words=f.words,
            note=f.note,
            flagged_at=f.flagged_at,
            author=c.author_handle,
            channel=channels.get(c.channel_id, ""),
            text=c.text,
            flagged_by=users.get(f.flagged_by_id, "—"),
        )
        for f, c in found
    ]
    flags.sort(
        key=lambda r: -rules.SEVERITY_ORDER.get(FlagSeverity(r.severity), 0)
    )  # stable: oldest first within a severity
    return tuple(flags)


@dataclass(frozen=True)
class Suggestion:
    conversation_id: int
    author: str
    channel: str
    received_at: dt.datetime
    text: str
    category: str
    severity: str
    words: tuple[str, ...]


def suggested_flags(*, session: Session, since: dt.datetime, limit: int = 200) -> tuple[Suggestion, ...]:
    """Conversations received since ``since``, never flagged, whose text holds a listed flag word."""
    words = flag_word_rules(session)
    if not words:
        return ()
    channels, _ = _names(session)
    flagged = select(col(ModerationFlag.conversation_id))
    found: list[Suggestion] = []
    for c in session.scalars(
        select(Conversation)
        .where(col(Conversation.received_at) >= since, col(Conversation.id).not_in(flagged))
        .order_by(col(Conversation.received_at).desc())
    ):
        hit = rules.suggest_flag(c.text, words)
        if hit is not None:
            found.append(
                Suggestion(
                    stored_id(c.id),
                    c.author_handle,
                    channels.get(c.channel_id, ""),
                    c.received_at,
                    c.text,
                    hit.category,
                    hit.severity,
                    hit.words,
                )
            )
            if len(found) >= limit:
                break
    return tuple(found)


@dataclass(frozen=True)
class ActionRow:
    id: int
    conversation_id: int
    kind: str
    until: dt.datetime | None
    member: str
    member_key: str
    rule: str
    rules_number: int | None
    note: str
    acted_at: dt.datetime
    acted_by: str
    text: str


def actions(*, session: Session, limit: int = 300) -> tuple[ActionRow, ...]:
    """The moderation log, newest first."""
    _, users = _names(session)
    numbers = {r.id: r.number for r in session.scalars(select(CommunityRules))}
    found = session.execute(
        select(ModerationAction, Conversation)
        .join(Conversation, col(Conversation.id) == ModerationAction.conversation_id)
        .order_by(col(ModerationAction.acted_at).desc(), col(ModerationAction.id).desc())
        .limit(limit)
    ).all()
    return tuple(
        ActionRow(
            a.id,
            c.id,
            a.kind,
            a.until,
            c.author_handle,
            a.member_key,
            a.rule,
            numbers.get(a.rules_id),
            a.note,
            a.acted_at,
            users.get(a.acted_by_id, "—"),
            c.text,
        )
        for a, c in found
    )


def in_slow_mode(*, session: Session, now: dt.datetime) -> tuple[ActionRow, ...]:
    """Threads in slow mode right now (the latest slow-mode action of each, still running)."""
    return _running(session, ModerationKind.slow_mode, now)


def muted_members(*, session: Session, now: dt.datetime) -> tuple[ActionRow, ...]:
    return _running(session, ModerationKind.muted, now)


def _running(session: Session, kind: str, now: dt.datetime) -> tuple[ActionRow, ...]:
    return running(actions(session=session, limit=10_000), kind, now, merge_map(session))


def running(
    rows: tuple[ActionRow, ...], kind: str, now: dt.datetime, roots: dict[str, str] | None = None
) -> tuple[ActionRow, ...]:
    """Of the actions ``rows`` (newest first), the slow modes (per thread) or mutes (per member)
    whose latest one still runs at ``now``."""
    roots = roots or {}
    seen: set[int | str] = set()
    found = []
    for row in rows:
        if row.kind != kind:
            continue
        key: int | str = (
            row.conversation_id if kind == ModerationKind.slow_mode else roots.get(row.member_key, row.member_key)
        )
        if key in seen:
            continue
        seen.add(key)
        if row.until is not None and row.until > now:
            found.append(row)
    return tuple(found)


def rules_versions(session: Session) -> tuple[CommunityRules, ...]:
    """Every version of the community rules, the one in force first."""
    return tuple(session.scalars(select(CommunityRules).order_by(col(CommunityRules.number).desc())))


def flag_words(session: Session) -> tuple[FlagWord, ...]:
    return tuple(
        session.scalars(select(FlagWord).order_by(col(FlagWord.language), col(FlagWord.category), col(FlagWord.word)))
    )


def repeat_offenders(session: Session) -> dict[str, int]:
    """Members (their key, merges applied) with more than one moderation action, and how many."""
    roots = merge_map(session)
    counts: dict[str, int] = {}
    for (key,) in session.execute(select(col(ModerationAction.member_key))):
        root = roots.get(key, key)
        counts[root] = counts.get(root, 0) + 1
    return {k: n for k, n in counts.items() if n > 1}


@dataclass(frozen=True)
class ConversationChoice:
    id: int
    author: str
    channel: str
    received_at: dt.datetime
    text: str


def recent_conversations(session: Session, *, since: dt.datetime, limit: int = 300) -> tuple[ConversationChoice, ...]:
    """Conversations received since ``since`` without an open flag, newest first (to flag by hand)."""
    channels, _ = _names(session)
    open_flag = select(col(ModerationFlag.conversation_id)).where(col(ModerationFlag.closed_at).is_(None))
    return tuple(
        ConversationChoice(stored_id(c.id), c.author_handle, channels.get(c.channel_id, ""), c.received_at, c.text)
        for c in session.scalars(
            select(Conversation)
            .where(col(Conversation.received_at) >= since, col(Conversation.id).not_in(open_flag))
            .order_by(col(Conversation.received_at).desc())
            .limit(limit)
        )
    )
