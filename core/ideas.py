"""The idea board: feedback from comments, forms and surveys becomes a prioritised backlog.

Owns capture (with similar-title suggestions), givers and votes, merging duplicates (and undoing
a merge), the status flow, impact/cost scores, quick wins, the hot plan, CSV import and export,
and the board's read models.

Demand is the number of distinct givers (people in the community) of an idea; votes are the
team's, one per member. A merge of B into A moves B's givers and votes to A except those already
on A, and marks each moved row with where it came from (``origin_idea_id``), so an undo puts
exactly those rows back. Counts are aggregated in SQL; pages receive plain dataclasses.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, literal, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import audit, records, workspace
from core.errors import NotFoundError, ValidationError
from core.exports import to_csv
from core.permissions import Action, Actor, allowed, require
from db.models import (
    AuditLog,
    Channel,
    Conversation,
    Idea,
    IdeaGiver,
    IdeaSource,
    IdeaStatus,
    LoopItem,
    LoopItemIdea,
    User,
    Vote,
    Workspace,
)
from db.types import utcnow

S = IdeaStatus

SOURCE_LABELS: dict[str, str] = {
    IdeaSource.comment: "Comment",
    IdeaSource.dm: "Direct message",
    IdeaSource.thread: "Thread",
    IdeaSource.form: "Form",
    IdeaSource.survey: "Monthly survey",
    IdeaSource.team: "Team",
}

STATUS_LABELS: dict[str, str] = {
    S.new: "New",
    S.valid: "Valid",
    S.invalid: "Invalid",
    S.planned: "Planned",
    S.in_progress: "In progress",
    S.shipped: "Shipped",
    S.declined: "Declined",
}

# The status flow (SPEC §Screens 2). Shipped and declined are final.
TRANSITIONS: Mapping[IdeaStatus, frozenset[IdeaStatus]] = {
    S.new: frozenset({S.valid, S.invalid}),
    S.valid: frozenset({S.planned, S.declined}),
    S.planned: frozenset({S.in_progress, S.declined}),
    S.in_progress: frozenset({S.shipped, S.declined}),
    S.invalid: frozenset({S.valid}),
    S.shipped: frozenset(),
    S.declined: frozenset(),
}
REASON_REQUIRED = frozenset({S.declined})
FLOW_ORDER = (S.new, S.valid, S.planned, S.in_progress, S.shipped, S.invalid, S.declined)
OPEN_STATUSES = (S.new, S.valid, S.planned, S.in_progress)
HOT_PLAN_STATUSES = frozenset({S.valid, S.planned, S.in_progress})
HOT_PLAN_LIMIT = 10
SCORES = range(1, 6)
TITLE_MAX = 200
HANDLE_MAX = 120
CATEGORY_MAX = 80
URL_MAX = 1000
SIMILARITY_THRESHOLD = 0.5


class SortKey(StrEnum):
    demand = "demand"
    votes = "votes"
    newest = "newest"
    oldest = "oldest"
    score = "score"


SORT_LABELS: dict[str, str] = {
    SortKey.demand: "Demand (distinct givers)",
    SortKey.votes: "Team votes",
    SortKey.newest: "Newest first",
    SortKey.oldest: "Oldest first",
    SortKey.score: "Priority score (impact × low cost)",
}


# --- pure rules -------------------------------------------------------------------------------


def next_statuses(status: str) -> tuple[IdeaStatus, ...]:
    """The statuses an idea in ``status`` may move to, in flow order."""
    allowed_next = TRANSITIONS[IdeaStatus(status)]
    return tuple(s for s in FLOW_ORDER if s in allowed_next)


def check_transition(current: str, target: str, reason: str = "") -> str:
    """Raise ``ValidationError`` unless ``current → target`` is in the flow; returns the cleaned reason."""
    try:
        target_status = IdeaStatus(target)
    except ValueError:
        raise ValidationError(f"Unknown status {target!r}; use one of: {', '.join(STATUS_LABELS)}.") from None
    current_status = IdeaStatus(current)
    if target_status == current_status:
        raise ValidationError(f"The idea is {STATUS_LABELS[current_status].lower()} already.")
    if target_status not in TRANSITIONS[current_status]:
        options = ", ".join(STATUS_LABELS[s].lower() for s in next_statuses(current_status)) or "nothing (it is final)"
        raise ValidationError(
            f"A {STATUS_LABELS[current_status].lower()} idea cannot become {STATUS_LABELS[target_status].lower()}; "
            f"it can become: {options}."
        )
    reason = (reason or "").strip()
    if target_status in REASON_REQUIRED and not reason:
        raise ValidationError("Say why the idea is declined; the reason is kept and shown with the idea.")
    return reason


def is_quick_win(impact: int | None, cost: int | None, min_impact: int, max_cost: int) -> bool:
    """High impact and low cost: impact ≥ ``min_impact`` and cost ≤ ``max_cost`` (unscored: no)."""
    if impact is None or cost is None:
        return False
    return impact >= min_impact and cost <= max_cost


def priority_score(impact: int | None, cost: int | None) -> int | None:
    """Impact × (6 − cost): 1…25, higher is better; None until both are scored."""
    if impact is None or cost is None:
        return None
    return impact * (6 - cost)


def validate_score(value: object, what: str) -> int:
    try:
        score = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValidationError(f"{what} is a whole number from 1 to 5.") from None
    if score not in SCORES or score != value:
        raise ValidationError(f"{what} is a whole number from 1 to 5 (got {value}).")
    return score


_HANDLE_SPLIT = re.compile(r"[,;\n]+|\s+")


def parse_handles(value: str | Iterable[str]) -> list[str]:
    """Handles from free text (commas, semicolons, spaces, new lines) or a list; trimmed, without
    repeats (case-insensitive), in the order given."""
    parts = _HANDLE_SPLIT.split(value) if isinstance(value, str) else [p for v in value for p in _HANDLE_SPLIT.split(v)]
    seen: set[str] = set()
    handles = []
    for part in parts:
        handle = part.strip()
        if not handle:
            continue
        if len(handle) > HANDLE_MAX:
            raise ValidationError(f"The handle {handle[:30]!r}… is longer than {HANDLE_MAX} characters.")
        if handle.lower() not in seen:
            seen.add(handle.lower())
            handles.append(handle)
    return handles


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "for",
        "from",
        "have",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "that",
        "the",
        "this",
        "to",
        "us",
        "we",
        "with",
        "would",
        "you",
        "your",
        "more",
        "less",
        "should",
        "add",
        "make",
        "let",
        "lets",
        "allow",
        "option",
    ]
)
_SUFFIXES = ("ings", "ing", "ions", "ion", "es", "s", "ed")


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:6]


def title_stems(title: str) -> list[str]:
    """The significant word stems of a title (stop words and 1–2 letter words left out)."""
    stems = []
    for word in _WORD.findall(title.lower()):
        if len(word) < 3 or word in _STOP_WORDS:
            continue
        stem = _stem(word)
        if stem not in stems:
            stems.append(stem)
    return stems


def title_similarity(a: str, b: str) -> float:
    """0…1: how alike two titles are (shared word stems, or nearly the same spelling)."""
    stems_a, stems_b = set(title_stems(a)), set(title_stems(b))
    dice = 2 * len(stems_a & stems_b) / (len(stems_a) + len(stems_b)) if stems_a and stems_b else 0.0
    norm_a = " ".join(_WORD.findall(a.lower()))
    norm_b = " ".join(_WORD.findall(b.lower()))
    spelling = difflib.SequenceMatcher(None, norm_a, norm_b).ratio() if norm_a and norm_b else 0.0
    return max(dice, spelling * 0.95)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from ``first``'s month to ``last``'s, inclusive."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def count_by_month(
    instants: Iterable[dt.datetime], tz: ZoneInfo, first: dt.date, last: dt.date
) -> list[tuple[dt.date, int]]:
    """How many instants fall into each local month from ``first`` to ``last`` (every month listed)."""
    counts = dict.fromkeys(months_between(first, last), 0)
    for instant in instants:
        local_day = instant.astimezone(tz).date()
        if first <= local_day <= last:
            counts[month_start(local_day)] += 1
    return list(counts.items())


def local_day_bounds(first: dt.date, last: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """UTC instants [start of ``first``, start of the day after ``last``) in the local zone."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    return start, end


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        raise ValidationError(f"The link is longer than {URL_MAX} characters.")
    if not re.match(r"^https?://\S+$", url, re.IGNORECASE):
        raise ValidationError("The link to the original should start with http:// or https:// (or leave it empty).")
    return url


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("Give the idea a short title (what people asked for).")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            f"The title is {len(title)} characters long; keep it under {TITLE_MAX} and put the rest in the description."
        )
    return title


def _clean_category(category: str) -> str:
    category = " ".join((category or "").split())
    if len(category) > CATEGORY_MAX:
        raise ValidationError(f"The category is longer than {CATEGORY_MAX} characters.")
    return category


def _clean_source(source: str) -> IdeaSource:
    try:
        return IdeaSource(source)
    except ValueError:
        raise ValidationError(f"Unknown source {source!r}; use one of: {', '.join(SOURCE_LABELS)}.") from None


# --- read models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaView:
    """One idea as the board shows it (counts aggregated in SQL)."""

    id: int
    title: str
    status: str
    category: str
    channel_id: int | None
    impact: int | None
    cost: int | None
    votes: int
    demand: int
    created_at: dt.datetime
    valid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    source: str = IdeaSource.team
    channel_name: str = ""
    source_url: str = ""
    status_reason: str = ""
    hot_plan_position: int | None = None
    merged_into_id: int | None = None
    version: int = 1
    quick_win: bool = False

    @property
    def score(self) -> int | None:
        return priority_score(self.impact, self.cost)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows: empty tuples mean "all"."""

    statuses: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    channel_ids: tuple[int, ...] = ()
    quick_wins_only: bool = False
    text: str = ""


@dataclass(frozen=True)
class Thresholds:
    min_impact: int
    max_cost: int
    version: int = 1


@dataclass(frozen=True)
class KanbanColumn:
    status: str
    label: str
    count: int
    ideas: tuple[IdeaView, ...]


@dataclass(frozen=True)
class BoardPage:
    rows: tuple[IdeaView, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class MatrixData:
    """Scored ideas for the Impact/Cost matrix (a bounded set: see ``matrix``)."""

    points: tuple[IdeaView, ...]
    scored: int
    quick_wins: int
    thresholds: Thresholds
    top_n: int


@dataclass(frozen=True)
class SimilarIdea:
    id: int
    title: str
    status: str
    votes: int
    demand: int
    similarity: float


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


@dataclass(frozen=True)
class MergeResult:
    source_id: int
    target_id: int
    givers_moved: int
    votes_moved: int
    givers_already_there: int
    votes_already_there: int


@dataclass(frozen=True)
class SupportResult:
    idea_id: int
    givers_added: int
    vote_added: bool


# --- queries shared by the board --------------------------------------------------------------


def thresholds(session: Session) -> Thresholds:
    info = workspace.info(session)
    return Thresholds(info.quick_win_min_impact, info.quick_win_max_cost, info.version)


def _board_select() -> tuple[Select, dict]:
    # Correlated COUNTs over the (idea_id, …) indexes: the database counts only the rows it needs
    # (with a LIMIT and an order by date, just the rows shown), unlike a GROUP BY over every vote.
    votes = select(func.count()).select_from(Vote).where(col(Vote.idea_id) == Idea.id).scalar_subquery()
    demand = select(func.count()).select_from(IdeaGiver).where(col(IdeaGiver.idea_id) == Idea.id).scalar_subquery()
    statement = (
        select(
            Idea.id,
            Idea.title,
            Idea.status,
            Idea.category,
            Idea.channel_id,
            Idea.impact,
            Idea.cost,
            votes.label("votes"),
            demand.label("demand"),
            Idea.created_at,
            Idea.valid_at,
            Idea.shipped_at,
            Idea.source,
            Channel.name.label("channel_name"),
            Idea.source_url,
            Idea.status_reason,  # type: ignore[attr-defined]
            Idea.hot_plan_position,
            Idea.merged_into_id,
            Idea.version,
        )
        .select_from(Idea)
        .outerjoin(Channel, col(Channel.id) == Idea.channel_id)
    )
    return statement, {"votes": votes, "demand": demand}


def _quick_win_clause(limits: Thresholds):
    return (col(Idea.impact) >= limits.min_impact) & (col(Idea.cost) <= limits.max_cost)


def _apply_filters(statement, filters: BoardFilters, limits: Thresholds):
    statement = statement.where(col(Idea.merged_into_id).is_(None))
    if filters.statuses:
        statement = statement.where(col(Idea.status).in_(filters.statuses))
    if filters.sources:
        statement = statement.where(col(Idea.source).in_(filters.sources))
    if filters.channel_ids:
        statement = statement.where(col(Idea.channel_id).in_(filters.channel_ids))
    if filters.quick_wins_only:
        statement = statement.where(_quick_win_clause(limits))
    text = " ".join(filters.text.split())
    if text:
        statement = statement.where(
            or_(
                col(Idea.title).icontains(text, autoescape=True), col(Idea.description).icontains(text, autoescape=True)
            )
        )
    return statement


def _order(sort: str, aggregates: dict) -> list:
    votes, demand = aggregates["votes"], aggregates["demand"]
    score = col(Idea.impact) * (6 - col(Idea.cost))
    newest = [col(Idea.created_at).desc(), col(Idea.id).desc()]
    match SortKey(sort):
        case SortKey.demand:
            return [demand.desc(), votes.desc(), *newest]
        case SortKey.votes:
            return [votes.desc(), demand.desc(), *newest]
        case SortKey.newest:
            return newest
        case SortKey.oldest:
            return [col(Idea.created_at).asc(), col(Idea.id).asc()]
        case SortKey.score:
            return [score.desc().nulls_last(), demand.desc(), *newest]


def _view(row, limits: Thresholds) -> IdeaView:
    return IdeaView(
        id=row.id,
        title=row.title,
        status=row.status,
        category=row.category,
        channel_id=row.channel_id,
        impact=row.impact,
        cost=row.cost,
        votes=int(row.votes),
        demand=int(row.demand),
        created_at=row.created_at,
        valid_at=row.valid_at,
        shipped_at=row.shipped_at,
        source=row.source,
        channel_name=row.channel_name or "",
        source_url=row.source_url,
        status_reason=row.status_reason,
        hot_plan_position=row.hot_plan_position,
        merged_into_id=row.merged_into_id,
        version=row.version,
        quick_win=is_quick_win(row.impact, row.cost, limits.min_impact, limits.max_cost),
    )


def ideas_by_id(session: Session, idea_ids: Iterable[int]) -> dict[int, IdeaView]:
    """Board views of the given ideas (merged ones included), keyed by id."""
    ids = list(dict.fromkeys(idea_ids))
    if not ids:
        return {}
    limits = thresholds(session)
    statement, _ = _board_select()
    rows = session.exec(statement.where(col(Idea.id).in_(ids))).all()
    return {row.id: _view(row, limits) for row in rows}


def get_idea(session: Session, *, idea_id: int) -> IdeaView:
    view = ideas_by_id(session, [idea_id]).get(idea_id)
    if view is None:
        raise NotFoundError(f"Idea #{idea_id} does not exist (any more).")
    return view


# --- board ------------------------------------------------------------------------------------


def status_counts(session: Session, *, filters: BoardFilters = BoardFilters()) -> dict[str, int]:
    """How many ideas match the filters, per status (every status listed)."""
    limits = thresholds(session)
    statement = _apply_filters(select(Idea.status, func.count()).group_by(Idea.status), filters, limits)
    counts = dict.fromkeys(FLOW_ORDER, 0)
    for status, n in session.exec(statement):
        counts[IdeaStatus(status)] = n
    return {str(k): v for k, v in counts.items()}


def kanban(
    session: Session,
    *,
    filters: BoardFilters = BoardFilters(),
    sort: str = SortKey.demand,
    statuses: Sequence[str] = OPEN_STATUSES + (S.shipped,),
    per_column: int = 8,
) -> list[KanbanColumn]:
    """Status columns: each with its count and its first ``per_column`` ideas in ``sort`` order."""
    limits = thresholds(session)
    counts = status_counts(session, filters=filters)
    wanted = [s for s in statuses if not filters.statuses or s in filters.statuses]
    statement, aggregates = _board_select()
    statement = _apply_filters(statement, filters, limits).order_by(*_order(sort, aggregates)).limit(per_column)
    # One small query per column: each sorts only its own status (a window over all is slower).
    by_status = {
        s: [_view(row, limits) for row in session.exec(statement.where(Idea.status == s))] if counts.get(s) else []
        for s in wanted
    }
    return [KanbanColumn(s, STATUS_LABELS[s], counts.get(s, 0), tuple(by_status[s])) for s in wanted]


def board_page(
    session: Session,
    *,
    filters: BoardFilters = BoardFilters(),
    sort: str = SortKey.demand,
    page: int = 1,
    page_size: int = 50,
) -> BoardPage:
    """One page of the table view, with the total number of matching ideas."""
    limits = thresholds(session)
    total = sum(status_counts(session, filters=filters).values())
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    statement, aggregates = _board_select()
    statement = _apply_filters(statement, filters, limits).order_by(*_order(sort, aggregates))
    rows = session.exec(statement.limit(page_size).offset((page - 1) * page_size)).all()
    return BoardPage(tuple(_view(r, limits) for r in rows), total, page, pages)


def matrix(session: Session, *, filters: BoardFilters = BoardFilters(), top_n: int = 200) -> MatrixData:
    """Scored ideas for the Impact/Cost matrix: the ``top_n`` with the highest demand plus the
    ``top_n`` quick wins with the highest demand (a bounded set, so the chart stays readable and
    fast whatever the size of the backlog), with the totals it was taken from."""
    limits = thresholds(session)
    scored_filter = (col(Idea.impact).is_not(None)) & (col(Idea.cost).is_not(None))
    count_statement = _apply_filters(
        select(func.count(), func.coalesce(func.sum(case((_quick_win_clause(limits), 1), else_=0)), 0)).select_from(
            Idea
        ),
        filters,
        limits,
    ).where(scored_filter)
    scored, quick = session.exec(count_statement).one()
    statement, aggregates = _board_select()
    statement = (
        _apply_filters(statement, filters, limits).where(scored_filter).order_by(*_order(SortKey.demand, aggregates))
    )
    top = session.exec(statement.limit(top_n)).all()
    wins = session.exec(statement.where(_quick_win_clause(limits)).limit(top_n)).all()
    points = {row.id: _view(row, limits) for row in [*top, *wins]}
    return MatrixData(tuple(points.values()), int(scored), int(quick), limits, top_n)


def quick_wins(session: Session, *, limit: int = 20, outside_hot_plan: bool = True) -> list[IdeaView]:
    """Open quick wins by demand (by default those not in the hot plan yet)."""
    limits = thresholds(session)
    statement, aggregates = _board_select()
    statement = _apply_filters(statement, BoardFilters(statuses=tuple(OPEN_STATUSES)), limits).where(
        _quick_win_clause(limits)
    )
    if outside_hot_plan:
        statement = statement.where(col(Idea.hot_plan_position).is_(None))
    rows = session.exec(statement.order_by(*_order(SortKey.demand, aggregates)).limit(limit)).all()
    return [_view(r, limits) for r in rows]


def hot_plan(session: Session) -> list[IdeaView]:
    """The hot plan, in its order."""
    limits = thresholds(session)
    statement, _ = _board_select()
    statement = statement.where(col(Idea.hot_plan_position).is_not(None), col(Idea.merged_into_id).is_(None))
    rows = session.exec(statement.order_by(col(Idea.hot_plan_position), col(Idea.id))).all()
    return [_view(r, limits) for r in rows]


def my_votes(session: Session, *, user_id: int | None, idea_ids: Iterable[int]) -> set[int]:
    """Which of these ideas the user has voted for."""
    ids = list(idea_ids)
    if user_id is None or not ids:
        return set()
    statement = select(Vote.idea_id).where(Vote.user_id == user_id, col(Vote.idea_id).in_(ids))
    return set(session.exec(statement).all())


def similar_ideas(session: Session, *, title: str, limit: int = 5, exclude_id: int | None = None) -> list[SimilarIdea]:
    """Ideas on the board whose titles look like ``title`` (possible duplicates), most alike first."""
    stems = title_stems(title)
    if not stems:
        return []
    matches = [case((func.lower(Idea.title).contains(stem, autoescape=True), 1), else_=0) for stem in stems]
    hits = sum(matches[1:], matches[0])
    statement = (
        select(Idea.id, Idea.title, Idea.status)
        .where(col(Idea.merged_into_id).is_(None), hits > 0)
        .order_by(hits.desc(), col(Idea.id).desc())
        .limit(300)
    )
    if exclude_id is not None:
        statement = statement.where(Idea.id != exclude_id)
    scored = sorted(
        ((title_similarity(title, row.title), row) for row in session.exec(statement)),
        key=lambda pair: (-pair[0], -pair[1].id),
    )
    best = [(score, row) for score, row in scored if score >= SIMILARITY_THRESHOLD][:limit]
    views = ideas_by_id(session, [row.id for _, row in best])
    return [
        SimilarIdea(row.id, row.title, row.status, views[row.id].votes, views[row.id].demand, round(score, 2))
        for score, row in best
    ]


def category_suggestions(session: Session) -> list[str]:
    """Categories in use on conversations and ideas (impact is measured by conversation category)."""
    conversation = select(Conversation.category).where(Conversation.category != "").distinct()
    idea = select(Idea.category).where(Idea.category != "").distinct()
    names = set(session.exec(conversation).all()) | set(session.exec(idea).all())
    return sorted(names, key=str.lower)


def _subtree(session: Session, idea_ids: Iterable[int]) -> set[int]:
    """The ideas and every idea merged into them, however deep."""
    found = set(idea_ids)
    frontier = set(found)
    while frontier:
        children = set(session.exec(select(Idea.id).where(col(Idea.merged_into_id).in_(frontier))).all())
        frontier = children - found
        found |= frontier
    return found


def givers(session: Session, idea_ids: Iterable[int]) -> list[tuple[str, int | None]]:
    """Distinct givers (handle, channel id) of these ideas and of ideas merged into them, first
    given first; a handle appears once (case-insensitive)."""
    ids = _subtree(session, idea_ids)
    if not ids:
        return []
    statement = (
        select(IdeaGiver.handle, IdeaGiver.channel_id)
        .where(col(IdeaGiver.idea_id).in_(ids))
        .order_by(col(IdeaGiver.given_at), col(IdeaGiver.id))
    )
    seen: set[str] = set()
    result = []
    for handle, channel_id in session.exec(statement):
        if handle.lower() not in seen:
            seen.add(handle.lower())
            result.append((handle, channel_id))
    return result


def _describe_changes(row: AuditLog) -> str:
    before = json.loads(row.before) if row.before else {}
    after = json.loads(row.after) if row.after else {}
    if row.before is None and after:
        return "created"
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


def idea_detail(session: Session, *, idea_id: int) -> IdeaDetail:
    """Everything about one idea: givers, votes, history, merges and loop items."""
    view = get_idea(session, idea_id=idea_id)
    idea = records.get_or_404(session, Idea, idea_id, what="Idea")
    names = {u.id: (u.name or u.username) for u in session.exec(select(User))}
    channels = {c.id: c.name for c in session.exec(select(Channel))}
    giver_rows = session.exec(
        select(IdeaGiver).where(IdeaGiver.idea_id == idea_id).order_by(col(IdeaGiver.given_at), col(IdeaGiver.id))
    ).all()
    vote_rows = session.exec(
        select(Vote).where(Vote.idea_id == idea_id).order_by(col(Vote.created_at), col(Vote.id))
    ).all()
    merged_into = None
    if idea.merged_into_id is not None:
        target = session.get(Idea, idea.merged_into_id)
        merged_into = (idea.merged_into_id, target.title if target else "")
    merged_from = tuple(
        (row.id, row.title)
        for row in session.exec(
            select(Idea.id, Idea.title).where(Idea.merged_into_id == idea_id).order_by(col(Idea.id))
        )
    )
    loop_items = tuple(
        (row.id, row.what_changed)
        for row in session.exec(
            select(LoopItem.id, LoopItem.what_changed)
            .join(LoopItemIdea, col(LoopItemIdea.loop_item_id) == LoopItem.id)
            .where(LoopItemIdea.idea_id == idea_id)
        )
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


def merge_candidates(session: Session, *, idea_id: int, text: str = "", limit: int = 20) -> list[SimilarIdea]:
    """Ideas this one could be merged into: similar titles first, or those matching ``text``."""
    if not text.strip():
        idea = records.get_or_404(session, Idea, idea_id, what="Idea")
        return similar_ideas(session, title=idea.title, limit=limit, exclude_id=idea_id)
    statement = (
        select(Idea.id)
        .where(col(Idea.merged_into_id).is_(None), Idea.id != idea_id)
        .where(
            or_(
                col(Idea.title).icontains(text.strip(), autoescape=True),
                Idea.id == (int(text) if text.strip().isdigit() else -1),
            )
        )
        .order_by(col(Idea.id).desc())
        .limit(limit)
    )
    ids = list(session.exec(statement).all())
    views = ideas_by_id(session, ids)
    return [SimilarIdea(i, views[i].title, views[i].status, views[i].votes, views[i].demand, 0.0) for i in ids]


def valid_proposals_per_month(
    session: Session, *, first: dt.date, last: dt.date, tz: ZoneInfo
) -> list[tuple[dt.date, int]]:
    """KPI "valid proposals per month": ideas that became valid in each local month of the period
    (merged duplicates are not counted twice: they count with the idea they were merged into)."""
    start, end = local_day_bounds(first, last, tz)
    statement = select(Idea.valid_at).where(
        col(Idea.valid_at) >= start, col(Idea.valid_at) < end, col(Idea.merged_into_id).is_(None)
    )
    return count_by_month(session.exec(statement).all(), tz, first, last)  # type: ignore[arg-type]


# --- capture, givers and votes ----------------------------------------------------------------


def _open_idea(session: Session, idea_id: int) -> Idea:
    idea = records.get_or_404(session, Idea, idea_id, what="Idea")
    if idea.merged_into_id is not None:
        raise ValidationError(f"Idea #{idea_id} was merged into #{idea.merged_into_id}; add to that one instead.")
    return idea


def _check_channel(session: Session, channel_id: int | None) -> int | None:
    if channel_id is None:
        return None
    if session.get(Channel, channel_id) is None:
        raise ValidationError(f"Channel #{channel_id} does not exist; pick one from the list.")
    return channel_id


def _add_givers(
    session: Session,
    *,
    actor: Actor,
    idea: Idea,
    handles: Sequence[str],
    channel_id: int | None,
    given_at: dt.datetime | None = None,
) -> int:
    existing = {h.lower() for h in session.exec(select(IdeaGiver.handle).where(IdeaGiver.idea_id == idea.id)).all()}
    added = 0
    for handle in handles:
        if handle.lower() in existing:
            continue
        existing.add(handle.lower())
        giver = IdeaGiver(idea_id=idea.id, handle=handle, channel_id=channel_id, given_at=given_at or utcnow())  # type: ignore[arg-type]
        records.create(session, giver, actor=actor, action="idea_giver.create")
        added += 1
    return added


def log_idea(
    session: Session,
    *,
    actor: Actor,
    title: str,
    description: str = "",
    source: str = IdeaSource.team,
    channel_id: int | None = None,
    source_url: str = "",
    handles: str | Sequence[str] = (),
    category: str = "",
) -> IdeaView:
    """Log a new idea with the people who gave it; it starts as "new"."""
    require(actor, Action.log_idea)
    idea = Idea(
        title=_clean_title(title),
        description=(description or "").strip(),
        source=_clean_source(source),
        channel_id=_check_channel(session, channel_id),
        source_url=_clean_url(source_url),
        category=_clean_category(category),
        status=S.new,
        logged_by_id=actor.id,
    )
    giver_handles = parse_handles(handles)
    records.create(session, idea, actor=actor, action="idea.create")
    _add_givers(
        session, actor=actor, idea=idea, handles=giver_handles, channel_id=idea.channel_id, given_at=idea.created_at
    )
    session.flush()
    return get_idea(session, idea_id=idea.id)  # type: ignore[arg-type]


def add_givers(
    session: Session, *, actor: Actor, idea_id: int, handles: str | Sequence[str], channel_id: int | None = None
) -> int:
    """Add people who gave (or asked for) this idea; handles already there are skipped. Returns how many were added."""
    require(actor, Action.log_idea)
    idea = _open_idea(session, idea_id)
    parsed = parse_handles(handles)
    if not parsed:
        raise ValidationError("Type at least one handle (e.g. @mila) of a person who gave the idea.")
    return _add_givers(
        session,
        actor=actor,
        idea=idea,
        handles=parsed,
        channel_id=_check_channel(session, channel_id) or idea.channel_id,
    )


def vote(session: Session, *, actor: Actor, idea_id: int) -> None:
    """One vote per team member per idea."""
    require(actor, Action.vote_idea)
    if actor.id is None:
        raise ValidationError("Votes belong to team members; sign in as yourself to vote.")
    _open_idea(session, idea_id)
    already = session.exec(select(Vote.id).where(Vote.idea_id == idea_id, Vote.user_id == actor.id)).first()
    if already is not None:
        raise ValidationError(f"You have voted for idea #{idea_id} already (one vote per person).")
    try:
        with session.begin_nested():
            records.create(session, Vote(idea_id=idea_id, user_id=actor.id), actor=actor, action="vote.create")
    except IntegrityError:
        raise ValidationError(f"You have voted for idea #{idea_id} already (one vote per person).") from None


def withdraw_vote(session: Session, *, actor: Actor, idea_id: int) -> None:
    require(actor, Action.vote_idea)
    row = session.exec(select(Vote).where(Vote.idea_id == idea_id, Vote.user_id == actor.id)).first()
    if row is None:
        raise ValidationError(f"You have no vote on idea #{idea_id} to withdraw.")
    records.delete(session, row, actor=actor, action="vote.delete")


def add_support(
    session: Session, *, actor: Actor, idea_id: int, handles: str | Sequence[str] = (), with_vote: bool = True
) -> SupportResult:
    """Instead of logging a duplicate: add the givers to the existing idea and (if not yet) the actor's vote."""
    require(actor, Action.log_idea)
    idea = _open_idea(session, idea_id)
    parsed = parse_handles(handles)
    added = _add_givers(session, actor=actor, idea=idea, handles=parsed, channel_id=idea.channel_id) if parsed else 0
    voted = False
    if (
        with_vote
        and actor.id is not None
        and allowed(actor, Action.vote_idea)
        and session.exec(select(Vote.id).where(Vote.idea_id == idea_id, Vote.user_id == actor.id)).first() is None
    ):
        vote(session, actor=actor, idea_id=idea_id)
        voted = True
    if not added and not voted:
        raise ValidationError(
            f"Nothing to add to idea #{idea_id}: those givers are on it already and you have voted for it."
            if parsed
            else f"You have voted for idea #{idea_id} already; type the givers' handles to add them."
        )
    return SupportResult(idea_id, added, voted)


def update_details(
    session: Session,
    *,
    actor: Actor,
    idea_id: int,
    expected_version: int,
    title: str | None = None,
    description: str | None = None,
    category: str | None = None,
    channel_id: int | None | bool = False,
    source_url: str | None = None,
) -> IdeaView:
    """Edit what the idea says (lead/admin, or the person who logged it). ``channel_id=False`` leaves it."""
    idea = records.get_or_404(session, Idea, idea_id, what="Idea")
    if not (
        allowed(actor, Action.triage_idea)
        or (allowed(actor, Action.log_idea) and actor.id is not None and idea.logged_by_id == actor.id)
    ):
        require(actor, Action.triage_idea)
    changes: dict = {}
    if title is not None:
        changes["title"] = _clean_title(title)
    if description is not None:
        changes["description"] = description.strip()
    if category is not None:
        changes["category"] = _clean_category(category)
    if channel_id is not False:
        changes["channel_id"] = _check_channel(session, channel_id)  # type: ignore[arg-type]
    if source_url is not None:
        changes["source_url"] = _clean_url(source_url)
    records.update_versioned(
        session, Idea, idea_id, expected_version=expected_version, changes=changes, actor=actor, action="idea.update"
    )
    return get_idea(session, idea_id=idea_id)


# --- triage: status, scores, thresholds -------------------------------------------------------


def set_status(
    session: Session, *, actor: Actor, idea_id: int, status: str, expected_version: int, reason: str = ""
) -> IdeaView:
    """Move an idea along the flow (lead/admin). Becoming valid stamps ``valid_at``; shipping stamps
    ``shipped_at``; declining needs a reason, which is kept. Shipped or declined ideas leave the hot plan."""
    require(actor, Action.triage_idea)
    idea = records.get_or_404(session, Idea, idea_id, what="Idea")
    if idea.merged_into_id is not None:
        raise ValidationError(
            f"Idea #{idea_id} is merged into #{idea.merged_into_id}; undo the merge to change its status."
        )
    reason = check_transition(idea.status, status, reason)
    target = IdeaStatus(status)
    now = utcnow()
    changes: dict = {"status": target, "status_reason": reason}
    if target == S.valid:
        changes["valid_at"] = now
    if target == S.shipped:
        changes["shipped_at"] = now
    leaves_plan = target not in HOT_PLAN_STATUSES and idea.hot_plan_position is not None
    if leaves_plan:
        changes["hot_plan_position"] = None
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action=f"idea.status.{target.value}",
    )
    if leaves_plan:
        _renumber_hot_plan(session, actor=actor)
    return get_idea(session, idea_id=idea_id)


def set_scores(
    session: Session, *, actor: Actor, idea_id: int, impact: int, cost: int, expected_version: int
) -> IdeaView:
    """Score impact and cost (1–5 each); who scored and when is kept."""
    require(actor, Action.triage_idea)
    impact = validate_score(impact, "Impact")
    cost = validate_score(cost, "Cost")
    _open_idea(session, idea_id)
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=expected_version,
        changes={"impact": impact, "cost": cost, "scored_by_id": actor.id, "scored_at": utcnow()},
        actor=actor,
        action="idea.score",
    )
    return get_idea(session, idea_id=idea_id)


def set_quick_win_thresholds(
    session: Session, *, actor: Actor, min_impact: int, max_cost: int, expected_version: int
) -> Thresholds:
    """The lead's quick-win rule: impact ≥ min_impact and cost ≤ max_cost (needs ``triage_idea``)."""
    require(actor, Action.triage_idea)
    min_impact = validate_score(min_impact, "The minimum impact")
    max_cost = validate_score(max_cost, "The maximum cost")
    row = session.exec(select(Workspace).order_by(col(Workspace.id))).first()
    if row is None:
        raise NotFoundError("The workspace is not set up yet.")
    records.update_versioned(
        session,
        Workspace,
        row.id,  # type: ignore[arg-type]
        expected_version=expected_version,
        changes={"quick_win_min_impact": min_impact, "quick_win_max_cost": max_cost},
        actor=actor,
        action="workspace.quick_win_thresholds",
    )
    return thresholds(session)


# --- merge and undo ---------------------------------------------------------------------------


def merge(session: Session, *, actor: Actor, source_id: int, target_id: int, expected_version: int) -> MergeResult:
    """Merge duplicate ``source`` into ``target``: the source's givers and votes move to the target
    except people already there (no double counting); the source leaves the board, marked "merged
    into" the target. ``expected_version`` is the source's."""
    require(actor, Action.triage_idea)
    if source_id == target_id:
        raise ValidationError("Pick another idea to merge into; an idea cannot be merged into itself.")
    source = records.get_or_404(session, Idea, source_id, what="Idea")
    target = records.get_or_404(session, Idea, target_id, what="Idea")
    if source.merged_into_id is not None:
        raise ValidationError(f"Idea #{source_id} is merged into #{source.merged_into_id} already.")
    if target.merged_into_id is not None:
        raise ValidationError(
            f"Idea #{target_id} is itself merged into #{target.merged_into_id}; merge into #{target.merged_into_id} instead."
        )
    if source.hot_plan_position is not None:
        raise ValidationError(
            f"Idea #{source_id} is in the hot plan; take it off the hot plan (or merge the other way round) first."
        )

    target_handles = {
        h.lower() for h in session.exec(select(IdeaGiver.handle).where(IdeaGiver.idea_id == target_id)).all()
    }
    source_givers = session.exec(select(IdeaGiver.id, IdeaGiver.handle).where(IdeaGiver.idea_id == source_id)).all()
    moving_givers = [g.id for g in source_givers if g.handle.lower() not in target_handles]
    target_voters = set(session.exec(select(Vote.user_id).where(Vote.idea_id == target_id)).all())
    source_votes = session.exec(select(Vote.id, Vote.user_id).where(Vote.idea_id == source_id)).all()
    moving_votes = [v.id for v in source_votes if v.user_id not in target_voters]

    # Rows keep the idea they first came from, so nested merges undo one step at a time.
    for model, ids in ((IdeaGiver, moving_givers), (Vote, moving_votes)):
        if ids:
            table = model.__table__  # type: ignore[attr-defined]
            session.execute(
                update(table)
                .where(table.c.id.in_(ids))
                .values(idea_id=target_id, origin_idea_id=func.coalesce(table.c.origin_idea_id, source_id))
            )
    session.expire_all()
    records.update_versioned(
        session,
        Idea,
        source_id,
        expected_version=expected_version,
        changes={"merged_into_id": target_id},
        actor=actor,
        action="idea.merge",
    )
    result = MergeResult(
        source_id,
        target_id,
        len(moving_givers),
        len(moving_votes),
        len(source_givers) - len(moving_givers),
        len(source_votes) - len(moving_votes),
    )
    audit.record_change(
        session,
        actor=actor,
        action="idea.merge_in",
        entity="idea",
        entity_id=target_id,
        after={"merged_idea_id": source_id, "giver_ids_moved": moving_givers, "vote_ids_moved": moving_votes},
    )
    return result


def undo_merge(session: Session, *, actor: Actor, idea_id: int, expected_version: int) -> MergeResult:
    """Undo the merge of ``idea_id``: the givers and votes that came from it (or from ideas merged
    into it) go back, and it returns to the board."""
    require(actor, Action.triage_idea)
    idea = records.get_or_404(session, Idea, idea_id, what="Idea")
    if idea.merged_into_id is None:
        raise ValidationError(f"Idea #{idea_id} is not merged into another idea.")
    target_id = idea.merged_into_id
    subtree = _subtree(session, [idea_id])
    moved_back: dict[str, list[int]] = {}
    for name, model in (("givers", IdeaGiver), ("votes", Vote)):
        table = model.__table__  # type: ignore[attr-defined]
        ids = list(
            session.execute(
                select(table.c.id).where(table.c.origin_idea_id.in_(subtree), table.c.idea_id.not_in(subtree))
            ).scalars()
        )
        if ids:
            session.execute(
                update(table)
                .where(table.c.id.in_(ids))
                .values(
                    idea_id=idea_id,
                    origin_idea_id=case(
                        (table.c.origin_idea_id == idea_id, literal(None)), else_=table.c.origin_idea_id
                    ),
                )
            )
        moved_back[name] = ids
    session.expire_all()
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=expected_version,
        changes={"merged_into_id": None},
        actor=actor,
        action="idea.unmerge",
    )
    audit.record_change(
        session,
        actor=actor,
        action="idea.merge_undone",
        entity="idea",
        entity_id=target_id,
        after={
            "unmerged_idea_id": idea_id,
            "giver_ids_moved_back": moved_back["givers"],
            "vote_ids_moved_back": moved_back["votes"],
        },
    )
    return MergeResult(idea_id, target_id, len(moved_back["givers"]), len(moved_back["votes"]), 0, 0)


# --- hot plan ---------------------------------------------------------------------------------


def _hot_plan_rows(session: Session) -> list[Idea]:
    statement = (
        select(Idea)
        .where(col(Idea.hot_plan_position).is_not(None), col(Idea.merged_into_id).is_(None))
        .order_by(col(Idea.hot_plan_position), col(Idea.id))
    )
    return list(session.exec(statement).all())


def _renumber_hot_plan(session: Session, *, actor: Actor, order: Sequence[int] | None = None) -> None:
    rows = {row.id: row for row in _hot_plan_rows(session)}
    ids = list(order) if order is not None else list(rows)
    for position, idea_id in enumerate(ids, start=1):
        row = rows[idea_id]
        if row.hot_plan_position != position:
            records.update_versioned(
                session,
                Idea,
                idea_id,
                expected_version=row.version,
                changes={"hot_plan_position": position},
                actor=actor,
                action="idea.hot_plan_move",
            )


def add_to_hot_plan(session: Session, *, actor: Actor, idea_id: int, expected_version: int | None = None) -> int:
    """Put an idea at the end of the hot plan (one action); returns its position."""
    require(actor, Action.triage_idea)
    idea = _open_idea(session, idea_id)
    if idea.hot_plan_position is not None:
        raise ValidationError(f"Idea #{idea_id} is in the hot plan already (position {idea.hot_plan_position}).")
    if idea.status not in HOT_PLAN_STATUSES:
        raise ValidationError(
            f"Only valid, planned or in-progress ideas go into the hot plan; idea #{idea_id} is "
            f"{STATUS_LABELS[idea.status].lower()}." + (" Mark it valid first." if idea.status == S.new else "")
        )
    current = _hot_plan_rows(session)
    if len(current) >= HOT_PLAN_LIMIT:
        raise ValidationError(
            f"The hot plan is a short list of at most {HOT_PLAN_LIMIT} ideas; ship or remove one before adding another."
        )
    position = len(current) + 1
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=idea.version if expected_version is None else expected_version,
        changes={"hot_plan_position": position},
        actor=actor,
        action="idea.hot_plan_add",
    )
    _renumber_hot_plan(session, actor=actor)
    return position


def remove_from_hot_plan(session: Session, *, actor: Actor, idea_id: int) -> None:
    require(actor, Action.triage_idea)
    idea = records.get_or_404(session, Idea, idea_id, what="Idea")
    if idea.hot_plan_position is None:
        raise ValidationError(f"Idea #{idea_id} is not in the hot plan.")
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=idea.version,
        changes={"hot_plan_position": None},
        actor=actor,
        action="idea.hot_plan_remove",
    )
    _renumber_hot_plan(session, actor=actor)


def move_in_hot_plan(session: Session, *, actor: Actor, idea_id: int, offset: int) -> int:
    """Move an idea up (offset −1) or down (+1) the hot plan; returns its new position."""
    require(actor, Action.triage_idea)
    ids = [row.id for row in _hot_plan_rows(session)]
    if idea_id not in ids:
        raise ValidationError(f"Idea #{idea_id} is not in the hot plan.")
    index = ids.index(idea_id)
    new_index = min(max(index + offset, 0), len(ids) - 1)
    if new_index == index:
        raise ValidationError(f"Idea #{idea_id} is at the {'top' if offset < 0 else 'bottom'} of the hot plan already.")
    ids.insert(new_index, ids.pop(index))
    _renumber_hot_plan(session, actor=actor, order=ids)  # type: ignore[arg-type]
    return new_index + 1


# --- CSV import -------------------------------------------------------------------------------

MAX_IMPORT_BYTES = 5_000_000
MAX_IMPORT_ROWS = 20_000
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
)
_GUESSES = {
    "title": ("title", "idea", "suggestion", "proposal", "feature", "what should we", "subject", "summary"),
    "description": ("description", "details", "detail", "comment", "why", "explain", "more"),
    "handle": ("handle", "username", "user name", "nickname", "nick", "author", "email", "e-mail", "name"),
    "date": ("timestamp", "date", "time", "submitted", "created"),
    "channel": ("channel", "platform", "network"),
}


@dataclass(frozen=True)
class ImportMapping:
    """Which CSV column holds what; only the title is required."""

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
class ImportRow:
    row: int  # the spreadsheet row number (the header is row 1)
    title: str
    description: str
    handles: tuple[str, ...]
    given_at: dt.datetime | None
    channel_id: int | None
    key: str


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ImportPreview:
    columns: tuple[str, ...]
    rows: tuple[ImportRow, ...]  # valid rows that are not imported yet, first occurrence only
    errors: tuple[RowError, ...]
    already_imported: int
    repeated_in_file: int
    blank: int

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    givers: int
    already_imported: int
    repeated_in_file: int


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and rows of an uploaded CSV (UTF-8, comma, semicolon or tab separated)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            f"The file is {len(data) / 1e6:.1f} MB; split it into files under {MAX_IMPORT_BYTES // 1_000_000} MB."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text; export it again as CSV (UTF-8).") from None
    if not text.strip():
        raise ValidationError("The file is empty; export the survey results as CSV with a header row.")
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    table = list(csv.reader(io.StringIO(text), dialect))
    header = [h.strip() for h in table[0]]
    if not any(header):
        raise ValidationError("The first row should name the columns (e.g. Timestamp, Idea, Username).")
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise ValidationError(f"Column names must be unique; these repeat: {', '.join(duplicates)}.")
    rows = table[1:]
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError(f"The file has {len(rows)} rows; import at most {MAX_IMPORT_ROWS} at a time.")
    return header, rows


def guess_mapping(columns: Sequence[str]) -> ImportMapping:
    """A first mapping from the column names (the user confirms or changes it)."""
    chosen: dict[str, str | None] = {}
    taken: set[str] = set()
    for what, words in _GUESSES.items():
        chosen[what] = None
        for word in words:
            hit = next((c for c in columns if c not in taken and word in c.lower()), None)
            if hit:
                chosen[what] = hit
                taken.add(hit)
                break
    title = chosen.pop("title") or next((c for c in columns if c not in taken), columns[0] if columns else "")
    return ImportMapping(title=title, **chosen)  # type: ignore[arg-type]


def parse_date(value: str, tz: ZoneInfo) -> dt.datetime:
    """A local date or date-time (ISO, 31.12.2025, 12/31/2025 …) as a UTC instant."""
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValueError(f"{value!r} is not a date; use e.g. 2025-03-31 or 2025-03-31 14:05")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(dt.UTC)


def import_key(
    source: str,
    title: str,
    description: str,
    handles: Sequence[str],
    given_at: dt.datetime | None,
    channel_id: int | None,
) -> str:
    """A fingerprint of one mapped row, so importing the same row again is recognised."""
    payload = json.dumps(
        [
            source,
            title,
            description,
            sorted(h.lower() for h in handles),
            given_at.isoformat() if given_at else "",
            channel_id,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def map_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    mapping: ImportMapping,
    *,
    source: str,
    channels: Mapping[str, int],
    default_channel_id: int | None,
    tz: ZoneInfo,
    now: dt.datetime,
) -> tuple[list[ImportRow], list[RowError], int]:
    """Map CSV rows to ideas (pure): valid rows, row-level errors (row and column named), blank rows."""
    used = mapping.used()
    missing = [f"{what} → {name!r}" for what, name in used.items() if name not in columns]
    if missing:
        raise ValidationError(f"These mapped columns are not in the file: {', '.join(missing)}.")
    names = list(used.values())
    if len(set(names)) != len(names):
        raise ValidationError("Map each column to one field only (the same column is used twice).")
    index = {name: columns.index(name) for name in names}
    lowered_channels = {name.lower(): channel_id for name, channel_id in channels.items()}
    parsed: list[ImportRow] = []
    errors: list[RowError] = []
    blank = 0

    def cell(values: Sequence[str], name: str | None) -> str:
        if not name:
            return ""
        i = index[name]
        return values[i].strip() if i < len(values) else ""

    for number, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            blank += 1
            continue
        row_errors: list[RowError] = []
        title = " ".join(cell(values, mapping.title).split())
        if not title:
            row_errors.append(RowError(number, mapping.title, "the title is empty"))
        elif len(title) > TITLE_MAX:
            row_errors.append(
                RowError(number, mapping.title, f"the title is {len(title)} characters; at most {TITLE_MAX}")
            )
        description = cell(values, mapping.description)
        try:
            handles = tuple(parse_handles(cell(values, mapping.handle)))
        except ValidationError as error:
            handles = ()
            row_errors.append(RowError(number, mapping.handle or "", str(error)))
        given_at = None
        if mapping.date and cell(values, mapping.date):
            try:
                given_at = parse_date(cell(values, mapping.date), tz)
                if given_at > now + dt.timedelta(days=1):
                    row_errors.append(
                        RowError(number, mapping.date, f"{cell(values, mapping.date)!r} is in the future")
                    )
            except ValueError as error:
                row_errors.append(RowError(number, mapping.date, str(error)))
        channel_id = default_channel_id
        if mapping.channel and cell(values, mapping.channel):
            name = cell(values, mapping.channel)
            channel_id = lowered_channels.get(name.lower())
            if channel_id is None:
                known = ", ".join(sorted(channels)) or "none yet"
                row_errors.append(RowError(number, mapping.channel, f"unknown channel {name!r} (known: {known})"))
        if row_errors:
            errors.extend(row_errors)
            continue
        key = import_key(source, title, description, handles, given_at, channel_id)
        parsed.append(ImportRow(number, title, description, handles, given_at, channel_id, key))
    return parsed, errors, blank


def preview_import(
    session: Session,
    *,
    data: bytes,
    mapping: ImportMapping,
    source: str = IdeaSource.survey,
    default_channel_id: int | None = None,
) -> ImportPreview:
    """What an import would do: new rows, rows imported before, repeats in the file and errors."""
    _clean_source(source)
    _check_channel(session, default_channel_id)
    columns, rows = read_csv(data)
    channels = {c.name: c.id for c in session.exec(select(Channel))}
    parsed, errors, blank = map_rows(
        columns,
        rows,
        mapping,
        source=source,
        channels=channels,
        default_channel_id=default_channel_id,  # type: ignore[arg-type]
        tz=workspace.timezone(session),
        now=utcnow(),
    )
    keys = [row.key for row in parsed]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing |= set(session.exec(select(Idea.import_key).where(col(Idea.import_key).in_(chunk))).all())  # type: ignore[arg-type]
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
    return ImportPreview(tuple(columns), tuple(fresh), tuple(errors), already, repeated, blank)


def import_ideas(
    session: Session,
    *,
    actor: Actor,
    data: bytes,
    mapping: ImportMapping,
    source: str = IdeaSource.survey,
    default_channel_id: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImportResult:
    """Import survey or form results as new ideas, all or nothing; rows imported before are skipped."""
    require(actor, Action.import_ideas)
    preview = preview_import(session, data=data, mapping=mapping, source=source, default_channel_id=default_channel_id)
    if preview.errors:
        shown = "; ".join(f"row {e.row}, column {e.column!r}: {e.message}" for e in preview.errors[:5])
        more = f" (and {len(preview.errors) - 5} more)" if len(preview.errors) > 5 else ""
        raise ValidationError(f"Nothing was imported: {len(preview.errors)} problem(s) to fix first — {shown}{more}.")
    givers_added = 0
    total = len(preview.rows)
    for n, row in enumerate(preview.rows, start=1):
        idea = Idea(
            title=row.title,
            description=row.description,
            source=IdeaSource(source),
            channel_id=row.channel_id,
            status=S.new,
            import_key=row.key,
            logged_by_id=actor.id,
            created_at=row.given_at or utcnow(),
        )
        records.create(session, idea, actor=actor, action="idea.import")
        givers_added += _add_givers(
            session, actor=actor, idea=idea, handles=row.handles, channel_id=row.channel_id, given_at=idea.created_at
        )
        if progress and (n % 50 == 0 or n == total):
            progress(n / total)
    session.flush()
    return ImportResult(total, givers_added, preview.already_imported, preview.repeated_in_file)


# --- CSV export -------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "title",
    "description",
    "status",
    "status_reason",
    "source",
    "channel",
    "category",
    "source_url",
    "impact",
    "cost",
    "quick_win",
    "votes",
    "demand",
    "givers",
    "hot_plan_position",
    "created_at",
    "valid_at",
    "shipped_at",
)


def export_csv(
    session: Session, *, actor: Actor, filters: BoardFilters = BoardFilters(), sort: str = SortKey.demand
) -> str:
    """The filtered board as CSV (times in the workspace time zone; formula cells neutralised)."""
    require(actor, Action.export_data)
    limits = thresholds(session)
    tz = workspace.timezone(session)
    statement, aggregates = _board_select()
    statement = _apply_filters(statement.add_columns(Idea.description), filters, limits).order_by(
        *_order(sort, aggregates)
    )
    rows = session.exec(statement).all()
    handles: dict[int, list[str]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        giver_rows = session.exec(
            select(IdeaGiver.idea_id, IdeaGiver.handle)
            .where(col(IdeaGiver.idea_id).in_(chunk))
            .order_by(col(IdeaGiver.id))
        )
        for idea_id, handle in giver_rows:
            handles.setdefault(idea_id, []).append(handle)

    def local(value: dt.datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    def export_row(row) -> dict:
        view = _view(row, limits)
        return {
            "id": view.id,
            "title": view.title,
            "description": row.description,
            "status": view.status,
            "status_reason": view.status_reason,
            "source": view.source,
            "channel": view.channel_name,
            "category": view.category,
            "source_url": view.source_url,
            "impact": view.impact,
            "cost": view.cost,
            "quick_win": "yes" if view.quick_win else "",
            "votes": view.votes,
            "demand": view.demand,
            "givers": ", ".join(handles.get(view.id, [])),
            "hot_plan_position": view.hot_plan_position,
            "created_at": local(view.created_at),
            "valid_at": local(view.valid_at),
            "shipped_at": local(view.shipped_at),
        }

    return to_csv((export_row(r) for r in rows), EXPORT_COLUMNS)
