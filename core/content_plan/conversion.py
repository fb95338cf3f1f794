"""Next-step conversion over a period (the calendar's Insights): per rubric, in total, and the
published posts that converted best. Sums are taken in SQL over the posts published in the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col
from sqlmodel.sql.expression import Select

from core.content_plan.queries import ALL_POSTS, CalendarEntry, PostFilter, apply_filters, list_posts
from core.content_plan.rules import conversion_rate
from core.i18n import _
from db.models import Post, PostStatus, Rubric


@dataclass(frozen=True)
class RubricConversion:
    rubric: str
    posts: int
    posts_with_next_step: int
    impressions: int
    conversions: int

    @property
    def rate(self) -> float | None:
        return conversion_rate(self.conversions, self.impressions)


@dataclass(frozen=True)
class ConversionSummary:
    """Next-step conversion over the posts published in a period: per rubric and in total."""

    rubrics: tuple[RubricConversion, ...]

    @property
    def posts(self) -> int:
        return sum(r.posts for r in self.rubrics)

    @property
    def next_step_share(self) -> float | None:
        """The share of published posts that had a next step."""
        return sum(r.posts_with_next_step for r in self.rubrics) / self.posts if self.posts else None

    @property
    def rate(self) -> float | None:
        return conversion_rate(sum(r.conversions for r in self.rubrics), sum(r.impressions for r in self.rubrics))


def rubric_conversions(
    session: Session, *, start: dt.datetime, end: dt.datetime, filters: PostFilter = ALL_POSTS
) -> list[RubricConversion]:
    """Next-step conversion per rubric over the posts published in [start, end), summed in SQL."""
    name = func.coalesce(Rubric.name, _("(no rubric)"))
    statement: Select[*tuple[Any, ...]] = (
        Select(
            name,
            func.count(col(Post.id)),
            func.sum(case((col(Post.next_step_type) != "", 1), else_=0)),
            func.coalesce(func.sum(Post.impressions), 0),
            func.coalesce(func.sum(Post.next_step_conversions), 0),
        )
        .select_from(Post)
        .outerjoin(Rubric, col(Rubric.id) == Post.rubric_id)
        .where(Post.status == PostStatus.published, col(Post.published_at) >= start, col(Post.published_at) < end)
        .group_by(name)
        .order_by(name)
    )
    statement = apply_filters(statement, filters)
    return [RubricConversion(r, int(n), int(s or 0), int(i), int(c)) for r, n, s, i, c in session.exec(statement)]


def conversion_summary(
    session: Session, *, start: dt.datetime, end: dt.datetime, filters: PostFilter = ALL_POSTS
) -> ConversionSummary:
    """Next-step conversion of the posts published in [start, end): per rubric and overall."""
    return ConversionSummary(tuple(rubric_conversions(session, start=start, end=end, filters=filters)))


def best_converting_posts(
    session: Session, *, start: dt.datetime, end: dt.datetime, filters: PostFilter = ALL_POSTS, limit: int = 15
) -> list[CalendarEntry]:
    """The published posts of [start, end) with the highest next-step conversion first."""
    published = PostFilter(filters.channel_ids, filters.rubric_ids, (PostStatus.published,), filters.owner_ids)
    page = list_posts(
        session, start=start, end=end, filters=published, sort="conversion_rate", descending=True, page_size=limit
    )
    return list(page.rows)
