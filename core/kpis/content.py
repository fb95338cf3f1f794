"""The content KPIs read from published posts: posts with a next step, next-step conversions,
saves and guide clicks per post, and the display KPIs (published posts, impressions, reactions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from core import formats
from core.i18n import _, ngettext
from core.kpis.periods import Period
from core.kpis.sql import bucket_index, count_if, in_range, period_bounds, ratio
from core.kpis.values import Measured
from db.models import Post, PostStatus
from db.types import Unindexed


def published_scope(lo: dt.datetime, hi: dt.datetime, channel_id: int | None) -> list[ColumnElement[bool]]:
    """Posts published in ``[lo, hi)``, in one channel or all."""
    p = Post
    conditions = [Unindexed(p.status) == PostStatus.published.value, in_range(col(p.published_at), lo, hi)]
    if channel_id is not None:
        conditions.append(Unindexed(p.channel_id) == channel_id)
    return conditions


def _post_conditions() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    p = Post
    with_step = and_(col(p.next_step_type).is_not(None), col(p.next_step_type) != "")
    with_metrics = col(p.impressions).is_not(None)
    return with_step, with_metrics


def _utility_entered() -> ColumnElement[bool]:
    """A post counts for content utility once its impressions, saves or guide clicks are entered
    (saves typed in without impressions still count; a post with nothing entered is not a zero)."""
    p = Post
    return or_(col(p.impressions).is_not(None), col(p.saves).is_not(None), col(p.guide_clicks).is_not(None))


def post_columns() -> list[ColumnElement[Any]]:
    """The per-period post counts, one pass over the published posts."""
    p = Post
    with_step, with_metrics = _post_conditions()
    step_measured = and_(with_step, with_metrics)
    return [
        func.count().label("published"),
        count_if(with_step).label("with_step"),
        func.coalesce(func.sum(case((step_measured, func.coalesce(p.next_step_conversions, 0)), else_=0)), 0).label(
            "step_conversions"
        ),
        func.coalesce(func.sum(case((step_measured, p.impressions), else_=0)), 0).label("step_impressions"),
        count_if(with_metrics).label("with_metrics"),
        count_if(_utility_entered()).label("with_utility"),
        func.coalesce(func.sum(func.coalesce(p.saves, 0) + func.coalesce(p.guide_clicks, 0)), 0).label(
            "saves_and_clicks"
        ),
        func.coalesce(func.sum(p.impressions), 0).label("impressions"),
        func.coalesce(func.sum(p.reactions), 0).label("reactions"),
    ]


def post_kpis(counts: Mapping[str, int]) -> dict[str, float | None]:
    """The content KPIs from the counts of one period (or one trend bucket)."""
    return {
        "next_step_share": ratio(counts["with_step"], counts["published"], 100),
        "next_step_conversion": ratio(counts["step_conversions"], counts["step_impressions"], 100),
        "content_utility": ratio(counts["saves_and_clicks"], counts["with_utility"]),
    }


def _post_counts(session: Session, bounds: list[dt.datetime], channel_id: int | None) -> list[dict[str, int]]:
    """The post counts of each period between ``bounds`` (one grouped statement), and whether any
    post was ever published (asked in the same statement)."""
    index = bucket_index(col(Post.published_at), bounds).label("bucket")
    ever = select(col(Post.id)).where(col(Post.status) == PostStatus.published.value).limit(1).exists().label("ever")
    grouped = (
        select(index, *post_columns())
        .where(*published_scope(bounds[0], bounds[-1], channel_id))
        .group_by(index)
        .subquery()
    )
    # One row even without posts in the periods: the grouped counts joined to the "ever" flag.
    flag = select(ever).subquery()
    rows = session.execute(select(flag.c.ever, grouped).select_from(flag.outerjoin(grouped, true()))).all()
    ever_published = int(bool(rows[0][0])) if rows else 0
    empty = {column.name: 0 for column in post_columns()}
    out = [dict(empty) for __ in range(len(bounds) - 1)]
    for row in rows:
        if row.bucket is not None:
            out[int(row.bucket)] = {key: int(row._mapping[key] or 0) for key in empty}
    for counts in out:
        counts["ever_published"] = ever_published
    return out


def measure(
    session: Session, periods: Sequence[Period], tz: ZoneInfo, channel_id: int | None
) -> list[dict[str, Measured]]:
    """The content and display KPIs of consecutive periods (oldest first), with the detail each card shows."""
    counts = _post_counts(session, period_bounds(periods, tz), channel_id)
    return [_measured(posts) for posts in counts]


def _measured(posts: dict[str, int]) -> dict[str, Measured]:
    out: dict[str, Measured] = {}
    values = post_kpis(posts)
    published = posts["published"]
    out["next_step_share"] = Measured(
        values["next_step_share"],
        _("{with_step} of {published} posts", with_step=posts["with_step"], published=published) if published else "",
        counts=(("published", published), ("with_next_step", posts["with_step"])),
    )
    out["next_step_conversion"] = Measured(
        values["next_step_conversion"],
        _(
            "{conversions} conversions of {impressions} impressions",
            conversions=formats.number(posts["step_conversions"]),
            impressions=formats.number(posts["step_impressions"]),
        )
        if posts["step_impressions"]
        else "",
        counts=(("step_impressions", posts["step_impressions"]), ("step_conversions", posts["step_conversions"])),
    )
    measured_posts = posts["with_metrics"]
    utility_posts = posts["with_utility"]
    out["content_utility"] = Measured(
        values["content_utility"],
        ngettext(
            "{saves} saves and clicks on {count} post",
            "{saves} saves and clicks on {count} posts",
            utility_posts,
            saves=formats.number(posts["saves_and_clicks"]),
        )
        if utility_posts
        else "",
        counts=(("posts_with_utility", utility_posts), ("saves_and_clicks", posts["saves_and_clicks"])),
    )
    out["published_posts"] = Measured(float(published) if published or posts["ever_published"] else None)
    out["impressions"] = Measured(float(posts["impressions"]) if measured_posts else None)
    out["reactions"] = Measured(float(posts["reactions"]) if measured_posts else None)
    return out
