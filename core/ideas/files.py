"""The idea board's CSV export: the filtered board, times in the workspace zone, givers listed,
cells that look like formulas neutralised. (Survey imports are ``core.ideas.imports``.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session, col, select

from core import exports, workspace
from core.ideas.queries import (
    NO_FILTERS,
    BoardFilters,
    apply_filters,
    board_order,
    board_select,
    thresholds,
    to_view,
)
from core.ideas.rules import SortKey
from core.permissions import Action, Actor, require
from db.models import Idea, IdeaGiver

# --- export -----------------------------------------------------------------------------------

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
    *,
    session: Session,
    actor: Actor,
    filters: BoardFilters = NO_FILTERS,
    sort: str = SortKey.demand,
    dialect: exports.Dialect | str = exports.Dialect.plain,
) -> str:
    """The filtered board as CSV (times in the workspace time zone; formula cells neutralised); the
    export is audited in the caller's transaction."""
    require(actor, Action.export_data)
    limits = thresholds(session=session)
    tz = workspace.timezone(session)
    query = board_select(col(Idea.description))
    statement = apply_filters(query.statement, filters, limits).order_by(*board_order(sort, query))
    rows = session.execute(statement).all()
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
        # A file for other programs: ISO dates in every language (the codes and values stay as stored).
        return value.astimezone(tz).replace(tzinfo=None).isoformat(sep=" ", timespec="minutes") if value else ""

    def export_row(row: Row[Any]) -> dict[str, Any]:
        view = to_view(row, limits)
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

    dialect = exports.dialect_of(dialect)
    details = {**exports.describe(filters), "sort": str(sort), "dialect": dialect.value}
    exports.record_export(session, actor=actor, what="ideas", file_format="csv", rows=len(rows), details=details)
    return exports.to_csv((export_row(r) for r in rows), EXPORT_COLUMNS, dialect=dialect)
