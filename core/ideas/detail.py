"""One idea up close: its detail (givers, votes, history, merges, loop items), the givers of an idea
and the ideas merged into it, look-alike titles, merge candidates and category suggestions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from core import audit, records
from core.i18n import _
from core.ideas.queries import IdeaView, get_idea, ideas_by_id
from core.ideas.rules import SIMILARITY_THRESHOLD, next_statuses, title_similarity, title_stems
from db.models import AuditLog, Channel, Conversation, Idea, IdeaGiver, LoopItem, LoopItemIdea, User, Vote


@dataclass(frozen=True)
class SimilarIdea:
    id: int
    title: str
    status: str
    votes: int
    demand: int
    similarity: float


@dataclass(frozen=True)
class MergedIdea:
    """An idea merged into another: off the board, still there to open (and to undo the merge)."""

    id: int
    title: str
    merged_into_id: int
    merged_into_title: str


@dataclass(frozen=True)
class GiverView:
    handle: str
    channel_name: str
    given_at: dt.datetime
    moved_from_id: int | None


@dataclass(frozen=True)
class VoterView:
    user_id: int
    name: str
    voted_at: dt.datetime
    moved_from_id: int | None


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    action: str
    changes: str


@dataclass(frozen=True)
class IdeaDetail:
    idea: IdeaView
    description: str
    logged_by: str
    scored_by: str
    scored_at: dt.datetime | None
    givers: tuple[GiverView, ...]
    voters: tuple[VoterView, ...]
    history: tuple[HistoryEntry, ...]
    merged_into: tuple[int, str] | None
    merged_from: tuple[tuple[int, str], ...]
    loop_items: tuple[tuple[int, str], ...]
    next_statuses: tuple[str, ...]


def merged_subtree(session: Session, idea_ids: Iterable[int]) -> set[int]:
    """The ideas and every idea merged into them, however deep."""
    found = set(idea_ids)
    frontier = set(found)
    while frontier:
        children = {i for i in session.exec(select(Idea.id).where(col(Idea.merged_into_id).in_(frontier))) if i}
        frontier = children - found
        found |= frontier
    return found


def merged_subtrees(session: Session, idea_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each of these ideas with every idea merged into it, however deep: one query per level of
    merging, whatever the number of ideas."""
    roots = set(idea_ids)
    parent: dict[int, int] = {}
    found = set(roots)
    frontier = set(roots)
    while frontier:
        rows = session.exec(select(Idea.id, Idea.merged_into_id).where(col(Idea.merged_into_id).in_(frontier))).all()
        parent.update({child: above for child, above in rows if child is not None and above is not None})
        frontier = {child for child, _above in rows if child is not None} - found
        found |= frontier
    subtrees: dict[int, set[int]] = {root: {root} for root in roots}
    for idea_id in found - roots:
        seen: set[int] = set()
        above: int | None = parent.get(idea_id)
        while above is not None and above not in seen:
            seen.add(above)
            if above in subtrees:
                subtrees[above].add(idea_id)
            above = parent.get(above)
    return subtrees


def givers(*, session: Session, idea_ids: Iterable[int]) -> list[tuple[str, int | None]]:
    """Distinct givers (handle, channel id) of these ideas and of ideas merged into them, first
    given first; a person appears once (by key: "@Ann" and "@ann" are one), as first written."""
    return subtree_givers(session, merged_subtree(session, idea_ids))


def subtree_givers(session: Session, ids: Iterable[int]) -> list[tuple[str, int | None]]:
    """``givers`` of ideas whose merged ideas are among ``ids`` already (``merged_subtree``)."""
    ids = set(ids)
    if not ids:
        return []
    statement = (
        select(IdeaGiver.handle, IdeaGiver.handle_key, IdeaGiver.channel_id)
        .where(col(IdeaGiver.idea_id).in_(ids))
        .order_by(col(IdeaGiver.given_at), col(IdeaGiver.id))
    )
    seen: set[str] = set()
    result = []
    for handle, key, channel_id in session.exec(statement):
        if key not in seen:
            seen.add(key)
            result.append((handle, channel_id))
    return result


def _describe_changes(row: AuditLog) -> str:
    before = json.loads(row.before) if row.before else {}
    after = json.loads(row.after) if row.after else {}
    if row.before is None and after:
        return _("created")
    parts = []
    for key in sorted(set(before) | set(after)):
        if key in ("id", "version"):
            continue
        old, new = before.get(key), after.get(key)
        if key not in before:
            parts.append(f"{key}: {new}")
        else:
            parts.append(f"{key}: {old} → {new}")
    return "; ".join(parts)


def idea_detail(*, session: Session, idea_id: int) -> IdeaDetail:
    """Everything about one idea: givers, votes, history, merges and loop items."""
    view = get_idea(session=session, idea_id=idea_id)
    idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
    names = {u.id: (u.name or u.username) for u in session.exec(select(User))}
    channels = {c.id: c.name for c in session.exec(select(Channel))}
    giver_rows = session.exec(
        select(IdeaGiver).where(col(IdeaGiver.idea_id) == idea_id).order_by(col(IdeaGiver.given_at), col(IdeaGiver.id))
    ).all()
    vote_rows = session.exec(
        select(Vote).where(col(Vote.idea_id) == idea_id).order_by(col(Vote.created_at), col(Vote.id))
    ).all()
    merged_into = None
    if idea.merged_into_id is not None:
        target = session.get(Idea, idea.merged_into_id)
        merged_into = (idea.merged_into_id, target.title if target else "")
    merged_from = tuple(
        (merged_id, title)
        for merged_id, title in session.exec(
            select(Idea.id, Idea.title).where(col(Idea.merged_into_id) == idea_id).order_by(col(Idea.id))
        )
        if merged_id is not None
    )
    loop_items = tuple(
        (loop_id, what)
        for loop_id, what in session.exec(
            select(LoopItem.id, LoopItem.what_changed)
            .join(LoopItemIdea, col(LoopItemIdea.loop_item_id) == col(LoopItem.id))
            .where(col(LoopItemIdea.idea_id) == idea_id)
        )
        if loop_id is not None
    )
    history = tuple(
        HistoryEntry(row.at, row.actor, row.action, _describe_changes(row))
        for row in audit.history(session, entity="idea", entity_id=idea_id)
    )
    return IdeaDetail(
        idea=view,
        description=idea.description,
        logged_by=names.get(idea.logged_by_id, "") if idea.logged_by_id else "",
        scored_by=names.get(idea.scored_by_id, "") if idea.scored_by_id else "",
        scored_at=idea.scored_at,
        givers=tuple(
            GiverView(g.handle, channels.get(g.channel_id, ""), g.given_at, g.origin_idea_id) for g in giver_rows
        ),
        voters=tuple(
            VoterView(v.user_id, names.get(v.user_id, "?"), v.created_at, v.origin_idea_id) for v in vote_rows
        ),
        history=history,
        merged_into=merged_into,
        merged_from=merged_from,
        loop_items=loop_items,
        next_statuses=() if idea.merged_into_id else tuple(str(s) for s in next_statuses(idea.status)),
    )


def similar_ideas(*, session: Session, title: str, limit: int = 5, exclude_id: int | None = None) -> list[SimilarIdea]:
    """Ideas on the board whose titles look like ``title`` (possible duplicates), most alike first."""
    stems = title_stems(title)
    if not stems:
        return []
    matches = [case((func.lower(col(Idea.title)).contains(stem, autoescape=True), 1), else_=0) for stem in stems]
    hits = sum(matches[1:], matches[0])
    statement = (
        select(Idea.id, Idea.title, Idea.status)
        .where(col(Idea.merged_into_id).is_(None), hits > 0)
        .order_by(hits.desc(), col(Idea.id).desc())
        .limit(300)
    )
    if exclude_id is not None:
        statement = statement.where(col(Idea.id) != exclude_id)
    scored = sorted(
        (
            (title_similarity(title, other_title), other_id, other_title, status)
            for other_id, other_title, status in session.exec(statement)
            if other_id is not None
        ),
        key=lambda match: (-match[0], -match[1]),
    )
    best = [match for match in scored if match[0] >= SIMILARITY_THRESHOLD][:limit]
    views = ideas_by_id(session=session, idea_ids=[other_id for _similarity, other_id, _title, _status in best])
    return [
        SimilarIdea(other_id, other_title, status, views[other_id].votes, views[other_id].demand, round(score, 2))
        for score, other_id, other_title, status in best
    ]


def merge_candidates(*, session: Session, idea_id: int, text: str = "", limit: int = 20) -> list[SimilarIdea]:
    """Ideas this one could be merged into: similar titles first, or those matching ``text``."""
    if not text.strip():
        idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
        return similar_ideas(session=session, title=idea.title, limit=limit, exclude_id=idea_id)
    matches = [col(Idea.title).icontains(text.strip(), autoescape=True)]
    if text.strip().isdigit():
        matches.append(col(Idea.id) == int(text))
    statement = (
        select(Idea.id)
        .where(col(Idea.merged_into_id).is_(None), col(Idea.id) != idea_id, or_(*matches))
        .order_by(col(Idea.id).desc())
        .limit(limit)
    )
    ids = [i for i in session.exec(statement) if i is not None]
    views = ideas_by_id(session=session, idea_ids=ids)
    return [SimilarIdea(i, views[i].title, views[i].status, views[i].votes, views[i].demand, 0.0) for i in ids]


def merged_ideas_matching(*, session: Session, text: str, limit: int = 10) -> list[MergedIdea]:
    """Merged ideas whose title or description holds ``text`` (or whose number it is, "#12" or
    "12"), newest first: the board leaves them out, a search still finds them."""
    words = " ".join(text.split())
    if not words:
        return []
    matches = [
        col(Idea.title).icontains(words, autoescape=True),
        col(Idea.description).icontains(words, autoescape=True),
    ]
    number = words.removeprefix("#")
    if number.isdigit():
        matches.append(col(Idea.id) == int(number))
    rows = session.exec(
        select(Idea.id, Idea.title, Idea.merged_into_id)
        .where(col(Idea.merged_into_id).is_not(None), or_(*matches))
        .order_by(col(Idea.id).desc())
        .limit(limit)
    ).all()
    targets = {i: t for i, t in session.exec(select(Idea.id, Idea.title).where(col(Idea.id).in_([r[2] for r in rows])))}
    return [
        MergedIdea(idea_id, title, target_id, targets.get(target_id, ""))
        for idea_id, title, target_id in rows
        if idea_id is not None and target_id is not None
    ]


def category_suggestions(*, session: Session) -> list[str]:
    """Categories in use on conversations and ideas (impact is measured by conversation category)."""
    idea = select(Idea.category).where(col(Idea.category) != "").distinct()
    names = set(records.distinct_values(session, col(Conversation.category))) | set(session.exec(idea).all())
    return sorted(names, key=str.lower)
