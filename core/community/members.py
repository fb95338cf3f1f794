"""Members: people across channels, built from handle keys (``core.handles``) with the identity
merges applied, their activity counts, their roles and a member's history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from core.community import rules
from core.errors import NotFoundError
from core.i18n import _
from db.models import (
    Channel,
    CommunitySettings,
    Conversation,
    Idea,
    IdeaGiver,
    IdeaStatus,
    LoopItem,
    LoopThanks,
    MemberMerge,
    MemberRoleGrant,
    ModerationAction,
    ModerationFlag,
)

USEFUL_IDEA = (IdeaStatus.valid, IdeaStatus.planned, IdeaStatus.in_progress, IdeaStatus.shipped)


def role_rules(session: Session) -> rules.RoleRules:
    """The lead's role rules (the defaults until they are changed)."""
    row = session.scalars(select(CommunitySettings)).first()
    if row is None:
        return rules.RoleRules()
    return rules.RoleRules(
        active_min_contributions=row.active_min_contributions,
        active_window_days=row.active_window_days,
        activist_min_useful=row.activist_min_useful,
        activist_window_days=row.activist_window_days,
        newcomer_days=row.newcomer_days,
    )


def merge_map(session: Session) -> dict[str, str]:
    """Each merged key → the key of the member it now belongs to (merges of merges followed)."""
    direct = {m.handle_key: m.into_key for m in session.scalars(select(MemberMerge))}
    resolved = {}
    for key in direct:
        root, seen = key, {key}
        while root in direct and direct[root] not in seen:
            root = direct[root]
            seen.add(root)
        resolved[key] = root
    return resolved


@dataclass
class Member:
    key: str  # the member's own key (merged identities point to it)
    display: str
    identities: list[str] = field(default_factory=list)  # display forms of every key
    keys: list[str] = field(default_factory=list)
    channels: set[str] = field(default_factory=set)
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    conversations: int = 0
    ideas: int = 0
    useful_ugc: int = 0
    best_answers: int = 0
    thanks: int = 0
    recent: int = 0  # contributions in the active window
    recent_useful: int = 0  # useful contributions in the activist window
    derived: str = rules.NO_ROLE
    given: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        return rules.roles_of(self.derived, self.given)

    @property
    def role_labels(self) -> str:
        return ", ".join(_(rules.ROLE_LABELS[r]) for r in self.roles) or _(rules.NO_ROLE_LABEL)

    def _seen(self, first: dt.datetime | None, last: dt.datetime | None) -> None:
        if first is not None:
            first = first if first.tzinfo else first.replace(tzinfo=dt.UTC)
            self.first_seen = first if self.first_seen is None else min(self.first_seen, first)
        if last is not None:
            last = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
            self.last_seen = last if self.last_seen is None else max(self.last_seen, last)


def list_members(*, session: Session, now: dt.datetime, role: str | None = None) -> tuple[Member, ...]:
    """Every member (most recently seen first), optionally only those holding ``role``."""
    members = _members(session, now)
    found = [m for m in members.values() if role is None or role in m.roles or (role == rules.NO_ROLE and not m.roles)]
    return tuple(sorted(found, key=lambda m: (m.last_seen or now, m.key), reverse=True))


def _members(session: Session, now: dt.datetime) -> dict[str, Member]:
    settings = role_rules(session)
    roots = merge_map(session)
    active_from = now - dt.timedelta(days=settings.active_window_days)
    useful_from = now - dt.timedelta(days=settings.activist_window_days)
    members: dict[str, Member] = {}
    displays: dict[str, str] = {}

    def member(key: str, display: str) -> Member:
        displays.setdefault(key, display)
        root = roots.get(key, key)
        found = members.get(root)
        if found is None:
            found = members[root] = Member(key=root, display=display)
        if key not in found.keys:
            found.keys.append(key)
        return found

    c = Conversation
    useful_c = (col(c.useful)) | (col(c.best))
    rows = session.execute(
        select(
            col(c.author_key),
            func.max(c.author_handle),
            func.min(c.received_at),
            func.max(c.received_at),
            func.count(),
            func.sum(case((col(c.kind) == "ugc", case((col(c.useful), 1), else_=0)), else_=0)),
            func.sum(case((col(c.best), 1), else_=0)),
            func.sum(case((col(c.received_at) >= active_from, 1), else_=0)),
            func.sum(case(((col(c.received_at) >= useful_from) & useful_c, 1), else_=0)),
        ).group_by(col(c.author_key))
    )
    for key, display, first, last, count, ugc, best, recent, recent_useful in rows:
        m = member(key, display)
        m._seen(first, last)
        m.conversations += count
        m.useful_ugc += int(ugc or 0)
        m.best_answers += int(best or 0)
        m.recent += int(recent or 0)
        m.recent_useful += int(recent_useful or 0)
    g = IdeaGiver
    useful_i = col(Idea.status).in_(USEFUL_IDEA)
    rows = session.execute(
        select(
            col(g.handle_key),
            func.max(g.handle),
            func.min(g.given_at),
            func.max(g.given_at),
            func.count(),
            func.sum(case((col(g.given_at) >= active_from, 1), else_=0)),
            func.sum(case(((col(g.given_at) >= useful_from) & useful_i, 1), else_=0)),
        )
        .join(Idea, col(Idea.id) == g.idea_id)
        .group_by(col(g.handle_key))
    )
    for key, display, first, last, count, recent, recent_useful in rows:
        m = member(key, display)
        m._seen(first, last)
        m.ideas += count
        m.recent += int(recent or 0)
        m.recent_useful += int(recent_useful or 0)
    for key, count in session.execute(
        select(col(LoopThanks.handle_key), func.count()).group_by(col(LoopThanks.handle_key))
    ):
        root = roots.get(key, key)
        if root in members:
            members[root].thanks += count
    channel_names = {ch.id: ch.name for ch in session.scalars(select(Channel))}
    for key, channel_id in session.execute(select(col(c.author_key), col(c.channel_id)).distinct()):
        members[roots.get(key, key)].channels.add(channel_names.get(channel_id, "?"))
    for key, channel_id in session.execute(
        select(col(g.handle_key), func.coalesce(g.channel_id, Idea.channel_id))
        .join(Idea, col(Idea.id) == g.idea_id)
        .distinct()
    ):
        if channel_id is not None:
            members[roots.get(key, key)].channels.add(channel_names.get(channel_id, "?"))
    given: dict[str, set[str]] = defaultdict(set)
    for grant in session.scalars(select(MemberRoleGrant)):
        given[roots.get(grant.handle_key, grant.handle_key)].add(grant.role)
    for m in members.values():
        m.display = displays.get(m.key, m.display)
        m.identities = [displays[k] for k in m.keys]
        activity = rules.Activity(m.first_seen or now, m.recent, m.recent_useful)
        m.derived = rules.derived_role(activity, settings, now)
        m.given = tuple(r for r in rules.GIVEN_ROLES if r in given.get(m.key, set()))
    return members


def member_of(*, session: Session, key: str, now: dt.datetime) -> Member:
    """One member by any of their keys."""
    members = _members(session, now)
    root = merge_map(session).get(key, key)
    if root not in members:
        raise NotFoundError(_("Nobody with the handle {handle!r} has written or given an idea yet.", handle=key))
    return members[root]


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    what: str  # conversation, idea, thanks, moderation
    text: str
    channel: str = ""


@dataclass(frozen=True)
class MemberPage:
    member: Member
    history: tuple[HistoryEntry, ...]
    merged: tuple[tuple[str, str], ...]  # (merged key, into key) of this member's merges


def member_page(*, session: Session, key: str, now: dt.datetime, limit: int = 200) -> MemberPage:
    """A member with their history, newest first: conversations, ideas, thanks, moderation."""
    member = member_of(session=session, key=key, now=now)
    keys = member.keys
    channel_names = {ch.id: ch.name for ch in session.scalars(select(Channel))}
    history: list[HistoryEntry] = []
    for conv in session.scalars(
        select(Conversation)
        .where(col(Conversation.author_key).in_(keys))
        .order_by(col(Conversation.received_at).desc())
        .limit(limit)
    ):
        what = (
            _("{kind} (useful)", kind=conv.kind)
            if conv.useful
            else _("{kind} (best answer)", kind=conv.kind)
            if conv.best
            else conv.kind
        )
        history.append(HistoryEntry(conv.received_at, what, conv.text[:200], channel_names.get(conv.channel_id, "")))
    for giver, idea in session.execute(
        select(IdeaGiver, Idea).join(Idea, col(Idea.id) == IdeaGiver.idea_id).where(col(IdeaGiver.handle_key).in_(keys))
    ):
        history.append(
            HistoryEntry(
                giver.given_at,
                _("idea ({status})", status=idea.status),
                idea.title,
                channel_names.get(idea.channel_id or 0, ""),
            )
        )
    for thanks, item in session.execute(
        select(LoopThanks, LoopItem)
        .join(LoopItem, col(LoopItem.id) == LoopThanks.loop_item_id)
        .where(col(LoopThanks.handle_key).in_(keys))
    ):
        history.append(HistoryEntry(thanks.thanked_at, _("thanked"), item.what_changed))
    actions = session.scalars(select(ModerationAction).where(col(ModerationAction.member_key).in_(keys)))
    history.extend(
        HistoryEntry(a.acted_at, _("moderation: {action}", action=_(rules.ACTION_LABELS.get(a.kind, a.kind))), a.rule)
        for a in actions
    )
    flags = session.scalars(
        select(ModerationFlag)
        .join(Conversation, col(Conversation.id) == ModerationFlag.conversation_id)
        .where(col(Conversation.author_key).in_(keys))
    )
    history.extend(
        HistoryEntry(
            f.flagged_at,
            _(
                "flagged: {flag} ({severity})",
                flag=_(rules.CATEGORY_LABELS.get(f.category, f.category)),
                severity=_(rules.SEVERITY_LABELS.get(f.severity, f.severity)),
            ),
            f.words or f.note,
        )
        for f in flags
    )
    history.sort(key=lambda h: h.at, reverse=True)
    merged = tuple(
        (m.handle_key, m.into_key)
        for m in session.scalars(
            select(MemberMerge).where(col(MemberMerge.into_key).in_(keys) | col(MemberMerge.handle_key).in_(keys))
        )
    )
    return MemberPage(member, tuple(history[:limit]), merged)
