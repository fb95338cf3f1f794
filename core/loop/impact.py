"""The measured impact of loop items: the before/after figure (NPS entered, or conversations in
the linked categories counted in SQL), setting how it is measured, recording the measurement,
and the loop items whose measurement is overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from core import records, workspace
from core.errors import ConflictError, ValidationError
from core.i18n import _
from core.local_time import local_today
from core.loop.items import advance
from core.loop.queries import LIST_LIMIT, LoopItemView, get_loop_item, views
from core.loop.rules import (
    Impact,
    categories_text,
    conversation_impact,
    impact_windows,
    measurement_missing,
    no_impact,
    nps_impact,
    parse_categories,
    validate_nps,
    validate_window,
)
from core.permissions import Action, Actor, require
from db.models import Conversation, LoopItem, LoopItemImpact
from db.types import utcnow


def _count(categories: Sequence[str], start: dt.datetime, end: dt.datetime):
    """A COUNT of conversations in these categories received in [start, end): one range of the
    (category, received_at) index."""
    return (
        select(func.count())
        .select_from(Conversation)
        .where(
            col(Conversation.category).in_(list(categories)),
            col(Conversation.received_at) >= start,
            col(Conversation.received_at) < end,
        )
        .scalar_subquery()
    )


@dataclass(frozen=True)
class ImpactFacts:
    """What a loop item's impact is worked out from (as a caller that read the item has it)."""

    id: int
    shipped_on: dt.date
    impact_window_days: int
    impact_categories: str
    nps_before: float | None
    nps_after: float | None


IMPACT_FIELDS = tuple(field.name for field in fields(ImpactFacts))  # the loop item's columns, by name


def impact_columns() -> list[Any]:
    """The loop item's columns ``ImpactFacts`` is read from, in its order."""
    return [getattr(LoopItem, name) for name in IMPACT_FIELDS]


def impacts(
    session: Session, *, loop_item_ids: Sequence[int], today: dt.date | None = None, tz: ZoneInfo | None = None
) -> dict[int, Impact]:
    """The before/after figures of several loop items, by id: NPS entered, or the conversations in
    their categories before vs after each shipped day, counted in one statement for them all
    (``tz``: the workspace's time zone, when the caller has read it already)."""
    ids = list(loop_item_ids)
    rows = session.execute(select(*impact_columns()).where(col(LoopItem.id).in_(ids))).all() if ids else []
    return impacts_of(session, [ImpactFacts(*row) for row in rows], today=today, tz=tz)


def impacts_of(
    session: Session, items: Sequence[ImpactFacts], *, today: dt.date | None = None, tz: ZoneInfo | None = None
) -> dict[int, Impact]:
    """``impacts`` of loop items the caller has read already (``impact_columns``): the counts only."""
    tz = tz or workspace.timezone(session)
    today = today or local_today(utcnow(), tz)
    counted = [
        item
        for item in items
        if item.nps_before is None and item.nps_after is None and parse_categories(item.impact_categories)
    ]
    counts: dict[int | None, tuple[int, int]] = {}
    if counted:
        columns = []
        for item in counted:
            categories = parse_categories(item.impact_categories)
            before_start, before_end, after_start, after_end = impact_windows(
                item.shipped_on, item.impact_window_days, tz
            )
            columns += [_count(categories, before_start, before_end), _count(categories, after_start, after_end)]
        row = session.execute(select(*columns)).one()
        counts = {item.id: (int(row[2 * n]), int(row[2 * n + 1])) for n, item in enumerate(counted)}
    result = {}
    for item in items:
        if item.nps_before is not None or item.nps_after is not None:
            result[item.id] = nps_impact(item.nps_before, item.nps_after)
        elif item.id not in counts:
            result[item.id] = no_impact(item.impact_window_days)
        else:
            before, after = counts[item.id]
            result[item.id] = conversation_impact(
                before,
                after,
                shipped_on=item.shipped_on,
                days=item.impact_window_days,
                categories=parse_categories(item.impact_categories),
                today=today,
            )
    return result


def loop_item_impact(session: Session, *, loop_item_id: int, today: dt.date | None = None) -> Impact:
    """The loop item's before/after figure (see ``impacts``)."""
    found = impacts(session, loop_item_ids=[loop_item_id], today=today)
    if loop_item_id not in found:  # read with the figures: there is no such loop item
        records.get_or_404(session, LoopItem, loop_item_id, what=_("Loop item"))
    return found[loop_item_id]


def _not_measured(session: Session, today: dt.date | None) -> ColumnElement[bool] | None:
    """The condition of loop items shipped at least their window ago with no measurement (None: there is none)."""
    today = today or local_today(utcnow(), workspace.timezone(session))
    unmeasured = col(LoopItem.measured_at).is_(None)
    # shipped_on + window <= today without date arithmetic in SQL (it differs per dialect): one
    # exact condition per window length in use — there are only a few.
    windows = session.exec(select(LoopItem.impact_window_days).where(unmeasured).distinct()).all()
    if not windows:
        return None
    due = or_(
        *(
            and_(
                col(LoopItem.impact_window_days) == days,
                col(LoopItem.shipped_on) <= today - dt.timedelta(days=days),
            )
            for days in windows
        )
    )
    return and_(unmeasured, due)


def impact_not_measured(
    session: Session, *, today: dt.date | None = None, limit: int = LIST_LIMIT
) -> list[LoopItemView]:
    """Loop items shipped at least their window (30 days by default) ago with no measurement recorded."""
    due = _not_measured(session, today)
    if due is None:
        return []
    items = session.exec(
        select(LoopItem).where(due).order_by(col(LoopItem.shipped_on), col(LoopItem.id)).limit(limit)
    ).all()
    return views(session, list(items))


def impact_not_measured_count(session: Session, *, today: dt.date | None = None) -> int:
    """How many loop items ``impact_not_measured`` lists (all of them, in two statements)."""
    due = _not_measured(session, today)
    if due is None:
        return 0
    return int(session.exec(select(func.count()).select_from(LoopItem).where(due)).one())


def set_impact(
    *, session: Session, actor: Actor, loop_item_id: int, expected_version: int, impact_in: LoopItemImpact
) -> LoopItemView:
    """Set how the impact is measured: NPS before/after, and/or conversation categories and
    the window. Entering both NPS values records the measurement."""
    require(actor, Action.manage_loop)
    changes: dict[str, object] = {
        "nps_before": validate_nps(impact_in.nps_before, "before"),
        "nps_after": validate_nps(impact_in.nps_after, "after"),
        "impact_categories": categories_text(impact_in.impact_categories),
        "impact_window_days": validate_window(impact_in.impact_window_days),
    }
    item = records.update_versioned(
        session,
        LoopItem,
        loop_item_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action="loop_item.impact_set",
    )
    if item.measured_at is None and impact_in.nps_before is not None and impact_in.nps_after is not None:
        advance(session, item, actor=actor, measured_at=utcnow(), action="loop_item.measured")
    return get_loop_item(session, loop_item_id)


def record_measurement(
    *, session: Session, actor: Actor, loop_item_id: int, expected_version: int, today: dt.date | None = None
) -> LoopItemView:
    """Record that the impact was measured (its figure must be complete)."""
    require(actor, Action.manage_loop)
    item = records.get_or_404(session, LoopItem, loop_item_id, what=_("Loop item"))
    if item.version != expected_version:
        raise ConflictError(
            _("This loop item was changed after you opened it. Nothing was recorded; reload and try again.")
        )
    missing = measurement_missing(loop_item_impact(session, loop_item_id=loop_item_id, today=today))
    if missing:
        raise ValidationError(missing)
    if item.measured_at is None:
        advance(session, item, actor=actor, measured_at=utcnow(), action="loop_item.measured")
    return get_loop_item(session, loop_item_id)
