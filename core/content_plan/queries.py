"""What the content plan shows: read models (plain frozen values) and the queries behind them —
one post, the calendar window, the paged list, undated posts and those waiting for metrics, the
rhythm of a week, a post's history and what the editor's pickers offer.

Windows are always bounded by the indexed ``scheduled_at`` in SQL and lists are paged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Float, cast, func, literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from core import audit, formats, records, workspace
from core.content_plan.guards import over_limit_positions
from core.content_plan.rules import conversion_rate
from core.errors import NotFoundError, ValidationError
from core.i18n import N_, _
from db.models import Channel, Conversation, Post, PostBase, PostMetrics, PostStatus, Rubric, User

#: The fields an author edits (the editor's form, the CSV import), in the form's order.
EDITABLE_FIELDS: tuple[str, ...] = tuple(PostBase.model_fields)
#: A published post's figures.
METRIC_FIELDS: tuple[str, ...] = tuple(PostMetrics.model_fields)
METRIC_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "impressions": N_("Impressions"),
        "reactions": N_("Reactions"),
        "comments": N_("Comments"),
        "shares": N_("Shares"),
        "saves": N_("Saves"),
        "guide_clicks": N_("Click-throughs to guide/FAQ"),
        "next_step_conversions": N_("Next-step conversions"),
    }
)
WINDOW_LIMIT = 10_000
MAX_PAGE_SIZE = 500

# --- read models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostView:
    id: int
    title: str
    body: str
    status: str
    channel_id: int
    channel_name: str
    rubric_id: int | None
    rubric_name: str
    template: str
    format: str
    cognitive_load: str
    owner_id: int | None
    owner_name: str
    sla_owner_id: int | None
    sla_owner_name: str
    scheduled_at: dt.datetime | None
    published_at: dt.datetime | None
    next_step_type: str
    next_step_text: str
    micro_goal: str
    link_url: str
    tone_confirmed: bool
    subtitles: bool
    timecodes: bool
    alt_text: str
    contrast_confirmed: bool
    sponsored: bool
    partner: str
    ad_label: bool
    blocked_reason: str
    blocked_by_id: int | None
    blocked_by_name: str
    blocked_at: dt.datetime | None
    impressions: int | None
    reactions: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    guide_clicks: int | None
    next_step_conversions: int | None
    created_by_id: int | None
    version: int
    published_url: str = ""

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_reason)

    @property
    def conversion_rate(self) -> float | None:
        return conversion_rate(self.next_step_conversions, self.impressions)

    def editable_fields(self) -> dict[str, Any]:
        """The saved values of the fields an author edits (to load them into the form)."""
        return {name: getattr(self, name) for name in EDITABLE_FIELDS}

    def metrics(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRIC_FIELDS}


@dataclass(frozen=True)
class CalendarEntry:
    """A post as the calendar grid and the list show it (no body: windows stay light)."""

    id: int
    title: str
    status: str
    channel_id: int
    channel_name: str
    rubric_name: str
    format: str
    cognitive_load: str
    owner_id: int | None
    owner_name: str
    scheduled_at: dt.datetime | None
    published_at: dt.datetime | None
    blocked: bool
    next_step_type: str
    impressions: int | None
    next_step_conversions: int | None
    conversations: int = 0  # the dialog it created: conversations on it

    @property
    def conversion_rate(self) -> float | None:
        return conversion_rate(self.next_step_conversions, self.impressions)


@dataclass(frozen=True)
class PostFilter:
    """Calendar filters; an empty tuple means "all"."""

    channel_ids: tuple[int, ...] = ()
    rubric_ids: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()


ALL_POSTS = PostFilter()


@dataclass(frozen=True)
class PostPage:
    rows: tuple[CalendarEntry, ...]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Person:
    id: int
    label: str


@dataclass(frozen=True)
class RubricView:
    id: int
    name: str
    description: str
    builtin: bool
    active: bool


@dataclass(frozen=True)
class CalendarOptions:
    """What the screen's pickers offer: channels, rubrics, people, the rhythm limit."""

    channels: tuple[workspace.ChannelView, ...]
    rubrics: tuple[RubricView, ...]
    people: tuple[Person, ...]
    rhythm_limit: int
    workspace_version: int


@dataclass(frozen=True)
class RhythmPoint:
    post_id: int
    channel: str
    at: dt.datetime
    load: str
    title: str
    over_limit: bool


@dataclass(frozen=True)
class HistoryRow:
    at: str  # local wall time of the workspace
    who: str
    what: str


# --- one post and the pickers ----------------------------------------------------------------


def _label(user: User | None) -> str:
    return "" if user is None else (user.name or user.username)


def rubric_view(r: Rubric) -> RubricView:
    if r.id is None:
        raise ValueError("an unsaved rubric has no view")  # i18n: not text
    return RubricView(r.id, r.name, r.description, r.builtin, r.active)


def rubric_id(session: Session, name: str) -> int:
    """The id of the rubric called ``name`` (exact, then case-insensitive)."""
    found = session.exec(select(Rubric.id).where(Rubric.name == name)).first()
    if found is None:
        found = session.exec(select(Rubric.id).where(func.lower(Rubric.name) == name.strip().lower())).first()
    if found is None:
        raise NotFoundError(_("There is no rubric called {name!r}; a lead can add it under Rules.", name=name))
    return found


def view_of(session: Session, post: Post) -> PostView:
    """The read model of a saved post, with the names of its channel, rubric and people."""
    channel = session.get(Channel, post.channel_id)
    rubric = session.get(Rubric, post.rubric_id) if post.rubric_id else None
    values = {f.name: getattr(post, f.name) for f in dc_fields(PostView) if hasattr(Post, f.name)}
    return PostView(
        **values,
        channel_name=channel.name if channel else "",
        rubric_name=rubric.name if rubric else "",
        owner_name=_person(session, post.owner_id),
        sla_owner_name=_person(session, post.sla_owner_id),
        blocked_by_name=_person(session, post.blocked_by_id),
    )


def _person(session: Session, user_id: int | None) -> str:
    return _label(session.get(User, user_id)) if user_id else ""


def get_post(session: Session, post_id: int) -> PostView:
    return view_of(session, records.get_or_404(session, Post, post_id, what=_("Post")))


def calendar_options(session: Session) -> CalendarOptions:
    people = session.exec(
        select(User).where(col(User.active).is_(True)).order_by(col(User.name), col(User.username))
    ).all()
    info = workspace.info(session)
    return CalendarOptions(
        channels=tuple(workspace.list_channels(session)),
        rubrics=tuple(rubric_view(r) for r in workspace.list_rubrics(session)),
        people=tuple(Person(u.id, _label(u)) for u in people if u.id is not None),
        rhythm_limit=info.high_load_run_limit,
        workspace_version=info.version,
    )


def post_history(session: Session, *, post_id: int) -> list[HistoryRow]:
    """The post's audit trail, oldest first (times in the workspace time zone)."""
    tz = workspace.timezone(session)
    return [
        HistoryRow(
            at=formats.date_time(row.at.astimezone(tz)),
            who=row.actor,
            what=row.action.removeprefix("post.").replace("_", " "),
        )
        for row in audit.history(session, entity="post", entity_id=post_id)
    ]


# --- windows and lists -----------------------------------------------------------------------

_Owner = aliased(User)
_OWNER_LABEL = func.coalesce(func.nullif(_Owner.name, ""), _Owner.username)
_RATE = cast(Post.next_step_conversions, Float) / func.nullif(Post.impressions, 0)
# The dialog a post created: the conversations on it (read from the SLA monitor's table).
_DIALOG = (
    select(func.count())
    .select_from(Conversation)
    .where(col(Conversation.post_id) == col(Post.id))
    .correlate(Post)
    .scalar_subquery()
)
SORTS: Mapping[str, Any] = MappingProxyType(
    {
        "scheduled_at": Post.scheduled_at,
        "title": Post.title,
        "status": Post.status,
        "channel": Channel.name,
        "rubric": Rubric.name,
        "owner": _OWNER_LABEL,
        "impressions": Post.impressions,
        "conversion_rate": _RATE,
        "dialog": _DIALOG,
    }
)
_Statement = TypeVar("_Statement", Select[*tuple[Any, ...]], SelectOfScalar[Any])


def _entry_select(*, dialog: bool = True) -> Select[*tuple[Any, ...]]:
    # dialog=False: lists of posts not out yet count no conversations (and read no SLA data).
    return (
        Select(
            col(Post.id),
            col(Post.title),
            col(Post.status),
            col(Post.channel_id),
            col(Channel.name),
            func.coalesce(Rubric.name, ""),
            col(Post.format),
            col(Post.cognitive_load),
            col(Post.owner_id),
            func.coalesce(_OWNER_LABEL, ""),
            col(Post.scheduled_at),
            col(Post.published_at),
            col(Post.blocked_reason),
            col(Post.next_step_type),
            col(Post.impressions),
            col(Post.next_step_conversions),
            _DIALOG if dialog else literal(0),
        )
        .select_from(Post)
        .join(Channel, col(Channel.id) == Post.channel_id)
        .outerjoin(Rubric, col(Rubric.id) == Post.rubric_id)
        .outerjoin(_Owner, col(_Owner.id) == Post.owner_id)
    )


def _entry(row: Sequence[Any]) -> CalendarEntry:
    values = list(row)
    values[12] = bool(values[12])  # the block reason: shown as "blocked" or not
    return CalendarEntry(*values)


def apply_filters(statement: _Statement, filters: PostFilter) -> _Statement:
    """``statement`` narrowed to the calendar's filters."""
    if filters.channel_ids:
        statement = statement.where(col(Post.channel_id).in_(filters.channel_ids))
    if filters.rubric_ids:
        statement = statement.where(col(Post.rubric_id).in_(filters.rubric_ids))
    if filters.statuses:
        statement = statement.where(col(Post.status).in_(filters.statuses))
    if filters.owner_ids:
        statement = statement.where(col(Post.owner_id).in_(filters.owner_ids))
    return statement


def in_window(statement: _Statement, start: dt.datetime, end: dt.datetime) -> _Statement:
    """``statement`` narrowed to posts planned in [start, end)."""
    if end <= start:
        raise ValidationError(_("The end of the period must be after its start."))
    return statement.where(col(Post.scheduled_at) >= start, col(Post.scheduled_at) < end)


def calendar_entries(
    session: Session,
    *,
    start: dt.datetime,
    end: dt.datetime,
    filters: PostFilter = ALL_POSTS,
    limit: int = WINDOW_LIMIT,
) -> list[CalendarEntry]:
    """Posts planned in [start, end), ordered by time (bounded by the indexed ``scheduled_at``)."""
    statement = apply_filters(in_window(_entry_select(), start, end), filters)
    statement = statement.order_by(col(Post.scheduled_at), col(Post.id)).limit(limit)
    return [_entry(row) for row in session.exec(statement)]


def list_posts(
    session: Session,
    *,
    start: dt.datetime,
    end: dt.datetime,
    filters: PostFilter = ALL_POSTS,
    sort: str = "scheduled_at",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> PostPage:
    """One page of the window's posts, sorted in SQL."""
    if sort not in SORTS:
        raise ValidationError(
            _("Unknown sort {sort!r}; choose one of: {choices}.", sort=sort, choices=", ".join(SORTS))
        )
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    count = apply_filters(in_window(select(func.count()).select_from(Post), start, end), filters)
    total = session.exec(count).one()
    page = max(1, min(page, max(1, -(-total // page_size))))
    key = SORTS[sort]
    order = key.desc().nulls_last() if descending else key.asc().nulls_last()
    statement = apply_filters(in_window(_entry_select(), start, end), filters)
    statement = statement.order_by(order, col(Post.id)).offset((page - 1) * page_size).limit(page_size)
    return PostPage(tuple(_entry(row) for row in session.exec(statement)), total, page, page_size)


def unscheduled_posts(session: Session, *, filters: PostFilter = ALL_POSTS, limit: int = 50) -> list[CalendarEntry]:
    """Open posts without a date yet (newest first)."""
    statement = apply_filters(_entry_select(dialog=False), filters).where(
        col(Post.scheduled_at).is_(None), col(Post.status).not_in((PostStatus.cancelled, PostStatus.published))
    )
    return [_entry(row) for row in session.exec(statement.order_by(col(Post.id).desc()).limit(limit))]


def awaiting_metrics(session: Session, *, start: dt.datetime, end: dt.datetime, limit: int = 20) -> list[CalendarEntry]:
    """Posts published in [start, end) that have no impressions yet (oldest first)."""
    statement = in_window(_entry_select(dialog=False), start, end).where(
        Post.status == PostStatus.published, col(Post.impressions).is_(None)
    )
    return [_entry(row) for row in session.exec(statement.order_by(col(Post.scheduled_at), col(Post.id)).limit(limit))]


def entries_by_day(entries: Iterable[CalendarEntry], tz: ZoneInfo) -> dict[dt.date, list[CalendarEntry]]:
    """Entries grouped by their local day in the workspace time zone, each day in time order."""
    days: dict[dt.date, list[CalendarEntry]] = {}
    for entry in entries:
        if entry.scheduled_at is not None:
            days.setdefault(entry.scheduled_at.astimezone(tz).date(), []).append(entry)
    for items in days.values():
        items.sort(key=lambda e: (e.scheduled_at, e.id))
    return days


def rhythm_points(entries: Iterable[CalendarEntry], *, limit: int) -> list[RhythmPoint]:
    """Each channel's posts in order with their load, marking runs of high load over ``limit``."""
    by_channel: dict[str, list[tuple[dt.datetime, CalendarEntry]]] = {}
    for entry in entries:
        if entry.scheduled_at is not None and entry.status != PostStatus.cancelled:
            by_channel.setdefault(entry.channel_name, []).append((entry.scheduled_at, entry))
    points: list[RhythmPoint] = []
    for channel, items in sorted(by_channel.items()):
        items.sort(key=lambda item: (item[0], item[1].id))
        over = over_limit_positions([e.cognitive_load for __, e in items], limit)
        points += [
            RhythmPoint(e.id, channel, at, e.cognitive_load, e.title, i in over) for i, (at, e) in enumerate(items)
        ]
    return points
