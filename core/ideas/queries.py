"""The idea board's read models: the board, kanban columns, table pages, the Impact/Cost matrix,
quick wins and the hot plan, as frozen dataclasses.

Demand (distinct givers) and votes are the counts kept on the idea (``db.counters``); ideas merged
into another stay off the board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar, cast

import sqlalchemy
from sqlalchemy import ColumnElement, Row, Select, case, func, or_
from sqlmodel import Session, col, select

from core import workspace
from core.errors import NotFoundError
from core.i18n import _
from core.ideas.rules import (
    FLOW_ORDER,
    OPEN_STATUSES,
    STATUS_LABELS,
    S,
    SortKey,
    is_quick_win,
    priority_score,
    source_label,
    status_label,
)
from db.models import Channel, Idea, IdeaSource, IdeaStatus, Vote


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
        return status_label(self.status)

    @property
    def source_label(self) -> str:
        return source_label(self.source)


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows: empty tuples mean "all"."""

    statuses: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    channel_ids: tuple[int, ...] = ()
    quick_wins_only: bool = False
    text: str = ""


NO_FILTERS = BoardFilters()


@dataclass(frozen=True)
class Thresholds:
    """The lead's quick-win rule (kept on the workspace, with its version for saving)."""

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


# --- the board's SQL, shared by every list and the CSV export ---------------------------------


AnySelect = Select[*tuple[Any, ...]]
_Statement = TypeVar("_Statement", bound=AnySelect)


class BoardQuery(NamedTuple):
    """The board's select (one row per idea, with its counts) and the count expressions to sort by."""

    statement: AnySelect
    votes: ColumnElement[int]
    demand: ColumnElement[int]


def board_select(*extra: Any) -> BoardQuery:
    """Every column an ``IdeaView`` needs (plus ``extra`` ones), with the channel's name."""
    # The counts kept on the idea: a column sorted by demand reads its first ideas from ix_idea_board.
    votes = cast(ColumnElement[int], col(Idea.votes))
    demand = cast(ColumnElement[int], col(Idea.demand))
    # SQLAlchemy's select: SQLModel's is typed for up to four columns.
    statement = (
        sqlalchemy.select(
            col(Idea.id),
            col(Idea.title),
            col(Idea.status),
            col(Idea.category),
            col(Idea.channel_id),
            col(Idea.impact),
            col(Idea.cost),
            votes.label("votes"),
            demand.label("demand"),
            col(Idea.created_at),
            col(Idea.valid_at),
            col(Idea.shipped_at),
            col(Idea.source),
            col(Channel.name).label("channel_name"),
            col(Idea.source_url),
            col(Idea.status_reason),
            col(Idea.hot_plan_position),
            col(Idea.merged_into_id),
            col(Idea.version),
            *extra,
        )
        .select_from(Idea)
        .outerjoin(Channel, col(Channel.id) == col(Idea.channel_id))
    )
    return BoardQuery(statement, votes, demand)


def quick_win_clause(limits: Thresholds) -> ColumnElement[bool]:
    return (col(Idea.impact) >= limits.min_impact) & (col(Idea.cost) <= limits.max_cost)


def apply_filters(statement: _Statement, filters: BoardFilters, limits: Thresholds) -> _Statement:
    """``statement`` narrowed to the ideas on the board that match ``filters``."""
    statement = statement.where(col(Idea.merged_into_id).is_(None))
    if filters.statuses:
        statement = statement.where(col(Idea.status).in_(filters.statuses))
    if filters.sources:
        statement = statement.where(col(Idea.source).in_(filters.sources))
    if filters.channel_ids:
        statement = statement.where(col(Idea.channel_id).in_(filters.channel_ids))
    if filters.quick_wins_only:
        statement = statement.where(quick_win_clause(limits))
    text = " ".join(filters.text.split())
    if text:
        statement = statement.where(
            or_(
                col(Idea.title).icontains(text, autoescape=True), col(Idea.description).icontains(text, autoescape=True)
            )
        )
    return statement


def board_order(sort: str, query: BoardQuery) -> list[ColumnElement[Any]]:
    """The ORDER BY of a board sort (ties broken newest first)."""
    votes, demand = query.votes, query.demand
    score = col(Idea.impact) * (6 - col(Idea.cost))
    newest: list[ColumnElement[Any]] = [col(Idea.created_at).desc(), col(Idea.id).desc()]
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


def to_view(row: Row[Any], limits: Thresholds) -> IdeaView:
    """A row of ``board_select`` as the board shows it."""
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


# --- reads ------------------------------------------------------------------------------------


def thresholds(*, session: Session) -> Thresholds:
    """The quick-win rule in force."""
    info = workspace.info(session)
    return Thresholds(info.quick_win_min_impact, info.quick_win_max_cost, info.version)


def ideas_by_id(*, session: Session, idea_ids: Iterable[int]) -> dict[int, IdeaView]:
    """Board views of the given ideas (merged ones included), keyed by id."""
    ids = list(dict.fromkeys(idea_ids))
    if not ids:
        return {}
    limits = thresholds(session=session)
    query = board_select()
    rows = session.execute(query.statement.where(col(Idea.id).in_(ids))).all()
    return {row.id: to_view(row, limits) for row in rows}


def get_idea(*, session: Session, idea_id: int) -> IdeaView:
    view = ideas_by_id(session=session, idea_ids=[idea_id]).get(idea_id)
    if view is None:
        raise NotFoundError(_("Idea #{id} does not exist (any more).", id=idea_id))
    return view


def status_counts(*, session: Session, filters: BoardFilters = NO_FILTERS) -> dict[str, int]:
    """How many ideas match the filters, per status (every status listed)."""
    limits = thresholds(session=session)
    statement = apply_filters(select(col(Idea.status), func.count()).group_by(col(Idea.status)), filters, limits)
    # Every status named (no idea has another): SQLite, without table statistics, then counts the
    # board index by status instead of looking up each idea found through the merged_into_id index.
    statement = statement.where(col(Idea.status).in_([str(s) for s in FLOW_ORDER]))
    counts = dict.fromkeys(FLOW_ORDER, 0)
    for status, n in session.exec(statement):
        counts[IdeaStatus(status)] = n
    return {str(k): v for k, v in counts.items()}


def kanban(
    *,
    session: Session,
    filters: BoardFilters = NO_FILTERS,
    sort: str = SortKey.demand,
    statuses: Sequence[str] = (*OPEN_STATUSES, S.shipped),
    per_column: int = 8,
) -> list[KanbanColumn]:
    """Status columns: each with its count and its first ``per_column`` ideas in ``sort`` order."""
    limits = thresholds(session=session)
    counts = status_counts(session=session, filters=filters)
    wanted = [s for s in statuses if not filters.statuses or s in filters.statuses]
    query = board_select()
    statement = apply_filters(query.statement, filters, limits).order_by(*board_order(sort, query)).limit(per_column)
    # One small query per column: each sorts only its own status (a window over all is slower).
    by_status = {
        s: [to_view(row, limits) for row in session.execute(statement.where(col(Idea.status) == s))]
        if counts.get(s)
        else []
        for s in wanted
    }
    return [KanbanColumn(s, STATUS_LABELS[s], counts.get(s, 0), tuple(by_status[s])) for s in wanted]


def board_page(
    *,
    session: Session,
    filters: BoardFilters = NO_FILTERS,
    sort: str = SortKey.demand,
    page: int = 1,
    page_size: int = 50,
) -> BoardPage:
    """One page of the table view, with the total number of matching ideas."""
    limits = thresholds(session=session)
    total = sum(status_counts(session=session, filters=filters).values())
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    query = board_select()
    statement = apply_filters(query.statement, filters, limits).order_by(*board_order(sort, query))
    rows = session.execute(statement.limit(page_size).offset((page - 1) * page_size)).all()
    return BoardPage(tuple(to_view(r, limits) for r in rows), total, page, pages)


def matrix(*, session: Session, filters: BoardFilters = NO_FILTERS, top_n: int = 200) -> MatrixData:
    """Scored ideas for the Impact/Cost matrix: the ``top_n`` with the highest demand plus the
    ``top_n`` quick wins with the highest demand (a bounded set, so the chart stays readable and
    fast whatever the size of the backlog), with the totals it was taken from."""
    limits = thresholds(session=session)
    scored_filter = (col(Idea.impact).is_not(None)) & (col(Idea.cost).is_not(None))
    quick = func.coalesce(func.sum(case((quick_win_clause(limits), 1), else_=0)), 0)
    count_statement = apply_filters(select(func.count(), quick).select_from(Idea), filters, limits).where(scored_filter)
    scored, quick_wins = session.execute(count_statement).one()
    query = board_select()
    statement = (
        apply_filters(query.statement, filters, limits)
        .where(scored_filter)
        .order_by(*board_order(SortKey.demand, query))
    )
    top = session.execute(statement.limit(top_n)).all()
    wins = session.execute(statement.where(quick_win_clause(limits)).limit(top_n)).all()
    points = {row.id: to_view(row, limits) for row in [*top, *wins]}
    return MatrixData(tuple(points.values()), int(scored), int(quick_wins), limits, top_n)


def quick_wins(*, session: Session, limit: int = 20, outside_hot_plan: bool = True) -> list[IdeaView]:
    """Open quick wins by demand (by default those not in the hot plan yet)."""
    limits = thresholds(session=session)
    query = board_select()
    statement = apply_filters(query.statement, BoardFilters(statuses=tuple(OPEN_STATUSES)), limits).where(
        quick_win_clause(limits)
    )
    if outside_hot_plan:
        statement = statement.where(col(Idea.hot_plan_position).is_(None))
    rows = session.execute(statement.order_by(*board_order(SortKey.demand, query)).limit(limit)).all()
    return [to_view(r, limits) for r in rows]


def hot_plan(*, session: Session) -> list[IdeaView]:
    """The hot plan, in its order."""
    limits = thresholds(session=session)
    statement = board_select().statement.where(
        col(Idea.hot_plan_position).is_not(None), col(Idea.merged_into_id).is_(None)
    )
    rows = session.execute(statement.order_by(col(Idea.hot_plan_position), col(Idea.id))).all()
    return [to_view(r, limits) for r in rows]


def my_votes(*, session: Session, user_id: int | None, idea_ids: Iterable[int]) -> set[int]:
    """Which of these ideas the user has voted for."""
    ids = list(idea_ids)
    if user_id is None or not ids:
        return set()
    statement = select(Vote.idea_id).where(col(Vote.user_id) == user_id, col(Vote.idea_id).in_(ids))
    return set(session.exec(statement).all())
