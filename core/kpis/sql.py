"""SQL building blocks the KPI families share: time ranges, conditional counts, buckets of a
trend and an instant plus hours on both backends (a filter term kept away from SQLite's indexes
is ``db.types.Unindexed``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from core.errors import ValidationError
from core.i18n import _
from core.kpis.periods import Period


def check_now(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError(_("'now' must be timezone-aware (UTC)."))


def ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if not denominator or numerator is None:
        return None
    return numerator / denominator * scale


def in_range(column: Any, lo: dt.datetime, hi: dt.datetime) -> ColumnElement[bool]:
    return and_(column >= lo, column < hi)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts_of(row: Row[Any]) -> dict[str, int]:
    """A row of labelled counts as a dict (a trend bucket's index left out)."""
    return {key: int(value or 0) for key, value in row._mapping.items() if key != "bucket"}


def period_bounds(periods: Sequence[Period], tz: ZoneInfo) -> list[dt.datetime]:
    """The UTC instants that split consecutive periods (oldest first): ``[start of the first, end
    of each]``, so that ``bucket_index`` tells which period a row falls in."""
    bounds = [periods[0].utc_bounds(tz)[0]]
    for before, period in zip(periods, periods[1:], strict=False):
        assert period.start == before.end + dt.timedelta(days=1), f"consecutive periods: {before.key}, {period.key}"
    bounds += [period.utc_bounds(tz)[1] for period in periods]
    return bounds


def by_bucket(rows: Any, count: int) -> list[Any]:
    """Rows keyed by their first column (a bucket index) as a list with one entry per bucket (None where none)."""
    out: list[Any] = [None] * count
    for row in rows:
        out[int(row[0])] = row
    return out


def bucket_index(column: Any, bounds: Sequence[Any]) -> ColumnElement[Any]:
    """The index of the ``[bounds[i], bounds[i+1])`` range the column falls in (rows outside are filtered)."""
    return case(*[(column < bound, index) for index, bound in enumerate(bounds[1:])], else_=len(bounds) - 1)


def bucket_counts(
    session: Session, column: Any, bounds: Sequence[Any], conditions: Sequence[ColumnElement[bool]]
) -> dict[int, int]:
    """How many rows fall in each range of ``bounds``, by range index."""
    index = bucket_index(column, bounds).label("bucket")
    rows = session.execute(
        select(index, func.count()).where(column >= bounds[0], column < bounds[-1], *conditions).group_by(index)
    )
    return {int(i): int(count) for i, count in rows}


def plus_hours(session: Session, instant: Any, hours: int) -> ColumnElement[Any]:
    """``instant + hours`` in SQL, exact to the microsecond on both backends."""
    if session.get_bind().dialect.name == "postgresql":
        return instant + literal_column(f"interval '{int(hours)} hours'")
    # SQLite keeps instants as 'YYYY-MM-DD HH:MM:SS.ffffff': shift the whole seconds, keep the fraction.
    return func.strftime("%Y-%m-%d %H:%M:%S", func.substr(instant, 1, 19), f"+{int(hours)} hours").op("||")(
        func.substr(instant, 20)
    )
