"""The content plan in and out of files: the posts of a window as CSV (safe to open in a
spreadsheet) and as an iCalendar file, and CSV imports of posts and of metrics, all or nothing,
read through ``core.tabular`` with every bad row and column named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import Select

from core import exports, records, workspace
from core.content_plan.queries import ALL_POSTS, METRIC_FIELDS, PostFilter, apply_filters, in_window
from core.content_plan.rules import NEXT_STEP_LABELS, conversion_rate
from core.content_plan.status import ON_THE_PLAN, STATUS_LABELS
from core.content_plan.timing import iso_local, parse_local_datetime
from core.content_plan.validation import (
    FieldProblems,
    check_metric_consistency,
    clean_fields,
    clean_metric,
    post_create,
)
from core.errors import PermissionDenied, ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, allowed, require
from core.tabular import RowError, RowErrors, Table, read_table
from db.models import Channel, CognitiveLoad, Post, PostStatus, Rubric, User
from db.types import utcnow

UTC = dt.UTC
# A reference column as an import message names it.
_COLUMN_NAMES = {"channel": N_("channel"), "rubric": N_("rubric"), "owner": N_("owner"), "sla_owner": N_("SLA owner")}
# A status inside a sentence ("Post #3 is scheduled, not published").
_LOWER_STATUS: dict[str, str] = {
    PostStatus.draft: N_("a draft"),
    PostStatus.in_review: N_("in review"),
    PostStatus.approved: N_("approved"),
    PostStatus.scheduled: N_("scheduled"),
    PostStatus.cancelled: N_("cancelled"),
}
MAX_IMPORT_ROWS = 5_000
ICS_EVENT_MINUTES = 30
_BOOL_COLUMNS = ("tone_confirmed", "subtitles", "timecodes", "contrast_confirmed", "sponsored", "ad_label")
_EMPTY_FILE = N_("The file is empty; export the calendar once to see the expected columns.")

EXPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "status",
    "channel",
    "rubric",
    "template",
    "format",
    "cognitive_load",
    "owner",
    "sla_owner",
    "scheduled_at",
    "published_at",
    "next_step_type",
    "next_step_text",
    "micro_goal",
    "link_url",
    "tone_confirmed",
    "subtitles",
    "timecodes",
    "alt_text",
    "contrast_confirmed",
    "sponsored",
    "partner",
    "ad_label",
    "body",
    "blocked_reason",
    *METRIC_FIELDS,
    "conversion_rate",
)
#: Columns an export carries that an import ignores (imported posts start as drafts).
EXPORT_ONLY_COLUMNS = frozenset({"id", "status", "published_at", "blocked_reason", *METRIC_FIELDS, "conversion_rate"})
IMPORT_COLUMNS: tuple[str, ...] = tuple(c for c in EXPORT_COLUMNS if c not in EXPORT_ONLY_COLUMNS)
_REFERENCE_COLUMNS = {"channel": "channel_id", "rubric": "rubric_id", "owner": "owner_id", "sla_owner": "sla_owner_id"}
_FIELD_TO_COLUMN = {v: k for k, v in _REFERENCE_COLUMNS.items()}


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: tuple[RowError, ...] = ()  # the first ones, as many as a person reads
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem_count

    @classmethod
    def refused(cls, errors: RowErrors) -> ImportReport:
        return cls(problems=tuple(errors.items), problem_count=errors.count)


# --- CSV export ------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_posts_csv(
    *,
    session: Session,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    filters: PostFilter = ALL_POSTS,
    dialect: exports.Dialect | str = exports.Dialect.plain,
) -> str:
    """The window's posts as CSV (times in the workspace zone with their offset; formula-like cells
    neutralised); the export is audited in the caller's transaction."""
    require(actor, Action.export_data)
    tz = workspace.timezone(session)
    owner, sla_owner = aliased(User), aliased(User)
    statement: Select[*tuple[Any, ...]] = (
        Select(Post, col(Channel.name), col(Rubric.name), col(owner.username), col(sla_owner.username))
        .join(Channel, col(Channel.id) == Post.channel_id)
        .outerjoin(Rubric, col(Rubric.id) == Post.rubric_id)
        .outerjoin(owner, col(owner.id) == Post.owner_id)
        .outerjoin(sla_owner, col(sla_owner.id) == Post.sla_owner_id)
    )
    statement = apply_filters(in_window(statement, start, end), filters).order_by(col(Post.scheduled_at), col(Post.id))
    rows = []
    for post, channel, rubric, owner_name, sla_name in session.exec(statement):
        row: dict[str, Any] = {name: getattr(post, name) for name in EXPORT_COLUMNS if hasattr(post, name)}
        rate = conversion_rate(post.next_step_conversions, post.impressions)
        row.update(
            channel=channel,
            rubric=rubric or "",
            owner=owner_name or "",
            sla_owner=sla_name or "",
            scheduled_at=iso_local(post.scheduled_at, tz),
            published_at=iso_local(post.published_at, tz),
            conversion_rate=None if rate is None else round(rate, 4),
        )
        row.update({name: _yes_no(getattr(post, name)) for name in _BOOL_COLUMNS})
        rows.append(row)
    dialect = exports.dialect_of(dialect)
    exports.record_export(
        session,
        actor=actor,
        what="posts",
        file_format="csv",
        rows=len(rows),
        details={**_window(start, end, filters), "dialect": dialect.value},
    )
    return exports.to_csv(rows, EXPORT_COLUMNS, dialect=dialect)


def _window(start: dt.datetime, end: dt.datetime, filters: PostFilter) -> dict[str, Any]:
    return {"from": start.isoformat(), "to": end.isoformat(), **exports.describe(filters)}


# --- CSV import of posts ---------------------------------------------------------------------


_TRUE, _FALSE = {"yes", "y", "true", "1", "x", "ja"}, {"no", "n", "false", "0", "", "nein"}


def _parse_bool(value: str) -> bool:
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValidationError(_("{value!r} is not yes or no.", value=value))


def _rows(table: Table, errors: RowErrors) -> list[tuple[int, dict[str, str]]]:
    """The table's rows as {column: cell} with their file row numbers; rows with more cells than
    the header are reported instead."""
    rows = []
    for index, cells in enumerate(table.rows):
        number = table.row_number(index)
        if len(cells) > len(table.columns):
            errors.add(number, "", _("This row has more cells than the header has columns."))
            continue
        rows.append(
            (number, dict(zip(table.columns, (*cells, *[""] * (len(table.columns) - len(cells))), strict=True)))
        )
    return rows


def import_posts_csv(
    *, session: Session, actor: Actor, data: bytes | str, progress: Callable[[float], None] | None = None
) -> ImportReport:
    """Create draft posts from CSV, all or nothing: when any row is wrong nothing is written and
    the report names every wrong row and column. Export-only columns (id, status, metrics…) are
    ignored, so an export can be imported back."""
    require(actor, Action.draft_post)
    table = read_table(data, empty_message=_(_EMPTY_FILE), max_rows=MAX_IMPORT_ROWS)
    errors = RowErrors()
    errors.include(table)
    known = set(EXPORT_COLUMNS)
    for name in table.columns:
        if name not in known:
            errors.add(
                1,
                name,
                _("Unknown column {name!r}; the columns are: {columns}.", name=name, columns=", ".join(IMPORT_COLUMNS)),
            )
    for required in ("title", "channel"):
        if required not in table.columns:
            errors.add(1, required, _("The column {name!r} is missing.", name=required))
    if not table.rows and not errors:
        errors.add(2, "", _("The file has a header but no posts."))
    if errors:
        return ImportReport.refused(errors)

    tz = workspace.timezone(session)
    channels = {c.name.casefold(): c.id for c in session.exec(select(Channel).where(col(Channel.active).is_(True)))}
    rubrics = {r.name.casefold(): r.id for r in session.exec(select(Rubric).where(col(Rubric.active).is_(True)))}
    people = {u.username.casefold(): u.id for u in session.exec(select(User).where(col(User.active).is_(True)))}
    lookups = {"channel": channels, "rubric": rubrics, "owner": people, "sla_owner": people}
    prepared: list[dict[str, Any]] = []
    for number, row in _rows(table, errors):
        clean, problems = _row_post(session, row, actor=actor, tz=tz, lookups=lookups)
        for column, message in problems:
            errors.add(number, column, message)
        prepared.append(clean)
    if errors:
        return ImportReport.refused(errors)

    now = utcnow()
    for index, clean in enumerate(prepared, start=1):
        post = Post(**clean, status=PostStatus.draft, created_by_id=actor.id, created_at=now, updated_at=now)
        records.create(session, post, actor=actor, action="post.import")
        if progress is not None and (index % 50 == 0 or index == len(prepared)):
            progress(index / len(prepared))
    return ImportReport(created=len(prepared))


def _row_post(
    session: Session,
    row: Mapping[str, str],
    *,
    actor: Actor,
    tz: ZoneInfo,
    lookups: Mapping[str, Mapping[str, int | None]],
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One row as the clean fields of a new post, or the (column, message) problems it has."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for column in IMPORT_COLUMNS:
        if column not in row:
            continue
        raw = exports.unneutralise_cell(row[column] or "")
        try:
            if column in _REFERENCE_COLUMNS:
                values[_REFERENCE_COLUMNS[column]] = _reference(column, raw, actor=actor, lookups=lookups)
            elif column == "scheduled_at":
                values["scheduled_at"] = _scheduled_at(raw, tz) if raw.strip() else None
            elif column in _BOOL_COLUMNS:
                values[column] = _parse_bool(raw)
            elif column in ("format", "cognitive_load"):
                values[column] = raw.strip().lower() or ("text" if column == "format" else CognitiveLoad.low)
            else:
                values[column] = raw
        except ValidationError as error:
            problems.append((column, str(error)))
    if problems:
        return values, problems
    values.setdefault("owner_id", actor.id)
    try:
        return clean_fields(session, post_create(values).model_dump(), actor=actor, current=None), []
    except FieldProblems as error:
        return values, [(_FIELD_TO_COLUMN.get(name, name), message) for name, message in error.problems.items()]
    except (ValidationError, PermissionDenied) as error:
        return values, [("", str(error))]


def _scheduled_at(raw: str, tz: ZoneInfo) -> dt.datetime:
    """A publication time from a file: a wall time the clocks showed twice (the autumn hour) is
    refused with a request for the offset, never read as one of the two."""
    instant = parse_local_datetime(raw, tz)
    text = raw.strip()
    naive = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if (
        naive.tzinfo is None
        and naive.replace(tzinfo=tz, fold=0).utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset()
    ):
        raise ValidationError(
            _(
                "'{text}' happened twice in {zone} (the clocks went back that night): add the UTC offset, "
                "e.g. {example} for the first.",
                text=text,
                zone=tz.key,
                example=naive.replace(tzinfo=tz, fold=0).isoformat(sep=" ", timespec="minutes"),
            )
        )
    return instant


def _reference(column: str, raw: str, *, actor: Actor, lookups: Mapping[str, Mapping[str, int | None]]) -> int | None:
    """The id a channel, rubric or person column names (by name, or username for people)."""
    name = raw.strip()
    if not name:
        if column == "channel":
            raise ValidationError(_("The channel is empty; every post needs one."))
        return actor.id if column == "owner" else None
    if name.casefold() not in lookups[column]:
        choices = ", ".join(sorted(lookups[column])) if column in ("channel", "rubric") else _("a username")
        raise ValidationError(
            _(
                "No {column} called {name!r} (expected {choices}).",
                column=_(_COLUMN_NAMES[column]) if column in _COLUMN_NAMES else column,
                name=name,
                choices=choices,
            )
        )
    ident = lookups[column][name.casefold()]
    if column == "owner" and ident != actor.id and not allowed(actor, Action.edit_any_post):
        raise ValidationError(
            _(
                "You can import only posts you own; leave the owner empty or write {username!r}.",
                username=actor.username,
            )
        )
    return ident


# --- CSV import of metrics -------------------------------------------------------------------


def import_metrics_csv(
    *, session: Session, actor: Actor, data: bytes | str, progress: Callable[[float], None] | None = None
) -> ImportReport:
    """Set published posts' metrics from CSV (a ``post_id`` or ``id`` column plus metric columns;
    empty cells leave a figure as it is). All or nothing, with every bad row and column named."""
    require(actor, Action.enter_post_metrics)
    table = read_table(data, empty_message=_(_EMPTY_FILE), max_rows=MAX_IMPORT_ROWS)
    header = table.columns
    errors = RowErrors()
    errors.include(table)
    id_column = "post_id" if "post_id" in header else "id" if "id" in header else ""
    if not id_column:
        errors.add(1, "post_id", _("The column 'post_id' (or 'id' from a calendar export) is missing."))
    metric_columns = [c for c in header if c in METRIC_FIELDS]
    if not metric_columns:
        errors.add(1, "", _("No metric columns; use any of: {columns}.", columns=", ".join(METRIC_FIELDS)))
    for name in header:
        if name not in METRIC_FIELDS and name not in EXPORT_COLUMNS and name != "post_id":
            errors.add(1, name, _("Unknown column {name!r}.", name=name))
    if errors:
        return ImportReport.refused(errors)

    updates: list[tuple[Post, dict[str, int | None]]] = []
    seen: dict[int, int] = {}
    for number, row in _rows(table, errors):
        post = _metrics_post(session, row, number=number, id_column=id_column, seen=seen, errors=errors)
        if post is None:
            continue
        changes: dict[str, int | None] = {}
        for column in metric_columns:
            if not (row.get(column) or "").strip():
                continue
            try:
                changes[column] = clean_metric(column, row[column])
            except ValidationError as error:
                errors.add(number, column, str(error))
        try:
            check_metric_consistency({**{n: getattr(post, n) for n in METRIC_FIELDS}, **changes})
        except ValidationError as error:
            errors.add(number, "next_step_conversions", str(error))
        if changes:
            updates.append((post, changes))
    if errors:
        return ImportReport.refused(errors)
    for index, (post, changes) in enumerate(updates, start=1):
        if post.id is None:
            continue
        records.update_versioned(
            session,
            Post,
            post.id,
            expected_version=post.version,
            changes={**changes, "updated_at": utcnow()},
            actor=actor,
            action="post.metrics_import",
        )
        if progress is not None and (index % 50 == 0 or index == len(updates)):
            progress(index / len(updates))
    return ImportReport(updated=len(updates))


def _metrics_post(
    session: Session, row: Mapping[str, str], *, number: int, id_column: str, seen: dict[int, int], errors: RowErrors
) -> Post | None:
    """The published post a metrics row is about, or None with the problem reported."""
    raw_id = (row.get(id_column) or "").strip()
    try:
        post_id = int(raw_id)
    except ValueError:
        errors.add(number, id_column, _("{value!r} is not a post number.", value=raw_id))
        return None
    if post_id in seen:
        errors.add(number, id_column, _("Post #{id} is already in row {row}.", id=post_id, row=seen[post_id]))
        return None
    seen[post_id] = number
    post = session.get(Post, post_id)
    if post is None:
        errors.add(number, id_column, _("There is no post #{id}.", id=post_id))
        return None
    if post.status != PostStatus.published:
        errors.add(
            number,
            id_column,
            _(
                "Post #{id} is {status}, not published; metrics come after publishing.",
                id=post_id,
                status=_(_LOWER_STATUS[post.status]) if post.status in _LOWER_STATUS else post.status,
            ),
        )
        return None
    return post


# --- iCalendar -------------------------------------------------------------------------------


def post_uid(post_id: int, workspace_uid: str) -> str:
    """The .ics UID of a post: the same on every export, so calendar apps update, not duplicate;
    the workspace's own uid keeps it apart from every other workspace's post with that number."""
    return f"post-{post_id}.{workspace_uid}@dialog-desk"


def export_ics(
    *, session: Session, actor: Actor, start: dt.datetime, end: dt.datetime, filters: PostFilter = ALL_POSTS
) -> bytes:
    """Scheduled and published posts of [start, end) as an iCalendar file (times in UTC), and the
    posts taken off the schedule since they were in it as cancelled events (``STATUS:CANCELLED``
    with a higher ``SEQUENCE``: every change of a post raises its version, which is the sequence),
    so subscribed calendars drop them; the export is audited in the caller's transaction."""
    require(actor, Action.view_calendar)
    info = workspace.info(session)
    statement = (
        select(Post, Channel.name, Rubric.name)
        .join(Channel, col(Channel.id) == Post.channel_id)
        .outerjoin(Rubric, col(Rubric.id) == Post.rubric_id)
        .where(or_(col(Post.status).in_(ON_THE_PLAN), col(Post.calendar_listed)))
    )
    statement = apply_filters(in_window(statement, start, end), filters).order_by(col(Post.scheduled_at), col(Post.id))
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Dialog Desk//Content calendar//EN")  # i18n: not text
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("{workspace} — content calendar", workspace=info.name))
    events = cancelled = 0
    for post, channel, rubric in session.exec(statement):
        if post.id is not None and post.scheduled_at is not None:  # always so in this window
            event = _event(post, post_uid(post.id, info.uid), post.scheduled_at, channel, rubric)
            calendar.add_component(event)
            events += 1
            cancelled += post.status not in ON_THE_PLAN
    details = _window(start, end, filters) | {"cancelled": cancelled}
    exports.record_export(session, actor=actor, what="calendar", file_format="ics", rows=events, details=details)
    return calendar.to_ical()


def _event(post: Post, uid: str, at: dt.datetime, channel: str, rubric: str | None) -> icalendar.Event:
    begins = at.astimezone(UTC)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", post.updated_at.astimezone(UTC))
    event.add("dtstart", begins)
    event.add("dtend", begins + dt.timedelta(minutes=ICS_EVENT_MINUTES))
    event.add("summary", f"[{channel}] {post.title}")
    lines = [post.body.strip()] if post.body.strip() else []
    if post.next_step_text:
        kind = post.next_step_type
        step = _(NEXT_STEP_LABELS[kind]) if kind in NEXT_STEP_LABELS else kind
        lines.append(_("Next step ({kind}): {text}", kind=step, text=post.next_step_text))
    if post.micro_goal:
        lines.append(_("Goal: {goal}", goal=post.micro_goal))
    lines.append(_("Status: {status}", status=_(STATUS_LABELS[post.status])))
    event.add("description", "\n\n".join(lines))
    if rubric:
        event.add("categories", [rubric])
    if post.link_url:
        event.add("url", post.link_url)
    event.add("status", "CONFIRMED" if post.status in ON_THE_PLAN else "CANCELLED")
    event.add("sequence", post.version)
    return event
