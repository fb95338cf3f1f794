"""The workspace: its settings row, its state on first start, channels and rubrics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from core import i18n, records
from core.errors import ValidationError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.text import check_input_text, check_plain_texts
from db.models import (
    WATCH_WINDOW_HOURS,
    Channel,
    ChannelCreate,
    ChannelUpdate,
    Rubric,
    User,
    Workspace,
    WorkspaceUpdate,
)

MAX_WATCH_WINDOW_HOURS = 24 * 14

# Stored as rows the team edits (data, like any rubric they add), not shown through the catalogue.
BUILTIN_RUBRICS = (
    ("Myth vs fact", "Myth → fact → what to do."),  # i18n: not text
    ("How it works", "A short explainer; collect questions for the FAQ."),  # i18n: not text
    ("Question of the week", "One open question that invites answers."),  # i18n: not text
    ("Ideas for the product", "Ask for proposals; promise to come back with results."),  # i18n: not text
    ("Digest of the week", "Best questions and answers, hero of the week, next topic."),  # i18n: not text
    ("Open retro", "What launched, what did not work, what we change."),  # i18n: not text
    ("You asked, we did", "Closing the loop with the people who gave the idea."),  # i18n: not text
)


class WorkspaceState(StrEnum):
    empty = "empty"  # no users yet: guided start
    demo = "demo"
    live = "live"


@dataclass(frozen=True)
class WorkspaceInfo:
    name: str
    timezone: str
    is_demo: bool
    high_load_run_limit: int
    quick_win_min_impact: int
    quick_win_max_cost: int
    version: int
    uid: str = ""  # generated once per workspace (the .ics UIDs carry it)
    language: str = "en"  # generated texts, and every user who has not chosen their own
    created_at: dt.datetime | None = None  # the 60-day rollout counts from it


@dataclass(frozen=True)
class ChannelView:
    id: int
    name: str
    platform: str
    url: str
    daily_post_limit: int
    active: bool
    version: int
    watch_window_hours: int = WATCH_WINDOW_HOURS


# The workspace row as the caller already read it for this read (``known``): the readers of one
# cached read share it instead of each reading the row again.
_known: ContextVar[WorkspaceInfo | None] = ContextVar("workspace_known", default=None)


@contextmanager
def known(workspace_info: WorkspaceInfo) -> Iterator[None]:
    """Inside: ``info``, ``timezone`` and ``language`` answer from ``workspace_info`` without a
    statement. Only for reads whose caller read the row at the same data version (the cached
    reads of the screens); never around a write, which may change the row."""
    token = _known.set(workspace_info)
    try:
        yield
    finally:
        _known.reset(token)


def state(session: Session) -> WorkspaceState:
    if session.exec(select(User.id).limit(1)).first() is None:
        return WorkspaceState.empty
    return WorkspaceState.demo if info(session).is_demo else WorkspaceState.live


def _row(session: Session) -> Workspace:
    workspace = session.exec(select(Workspace).order_by(col(Workspace.id))).first()
    if workspace is None:
        workspace = Workspace()
        session.add(workspace)
        session.flush()
    return workspace


def info(session: Session) -> WorkspaceInfo:
    already = _known.get()
    if already is not None:
        return already
    w = session.exec(select(Workspace).order_by(col(Workspace.id))).first() or Workspace()
    return WorkspaceInfo(
        w.name,
        w.timezone,
        w.is_demo,
        w.high_load_run_limit,
        w.quick_win_min_impact,
        w.quick_win_max_cost,
        w.version,
        w.uid,
        w.language,
        w.created_at,
    )


def timezone(session: Session) -> ZoneInfo:
    return ZoneInfo(info(session).timezone)


def language(session: Session) -> str:
    """The workspace's language: generated texts are written in it (core.i18n.using)."""
    return info(session).language


def validate_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("Unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'.", name=name)
        ) from None
    return name


def ensure_workspace(
    *,
    session: Session,
    actor: Actor,
    name: str = "Dialog Desk",  # i18n: not text
    timezone_name: str = "Europe/Berlin",
    is_demo: bool = False,
) -> WorkspaceInfo:
    """Create the settings row and the built-in rubrics if they are missing."""
    if session.exec(select(Workspace.id)).first() is None:
        records.create(
            session,
            Workspace(name=name, timezone=validate_timezone(timezone_name), is_demo=is_demo),
            actor=actor,
            action="workspace.create",
        )
    existing = set(session.exec(select(Rubric.name)).all())
    for rubric_name, description in BUILTIN_RUBRICS:
        if rubric_name not in existing:
            session.add(Rubric(name=rubric_name, description=description, builtin=True))
    session.flush()
    return info(session)


def update_settings(
    *, session: Session, actor: Actor, expected_version: int, settings_in: WorkspaceUpdate
) -> WorkspaceInfo:
    """Change workspace-wide rules (name, time zone, rhythm limit, quick-win thresholds)."""
    require(actor, Action.manage_content_rules)
    check_input_text(settings_in, labels={"name": _("workspace name"), "timezone": _("time zone")})
    changes = settings_in.model_dump(exclude_unset=True)
    if "name" in changes:
        changes["name"] = " ".join(changes["name"].split())
        if not changes["name"]:
            raise ValidationError(_("The workspace needs a name."))
    if "timezone" in changes:
        changes["timezone"] = validate_timezone(changes["timezone"].strip())
    if "language" in changes:
        changes["language"] = i18n.check_language(changes["language"])
    for key in ("quick_win_min_impact", "quick_win_max_cost"):
        if key in changes and not 1 <= changes[key] <= 5:
            raise ValidationError(_("Quick-win thresholds are scores from 1 to 5."))
    if "high_load_run_limit" in changes and changes["high_load_run_limit"] < 1:
        raise ValidationError(_("The rhythm limit must be at least 1 high-load post in a row."))
    records.update_versioned(
        session,
        Workspace,
        records.stored_id(_row(session).id),
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action="workspace.update",
    )
    return info(session)


def _channel_view(c: Channel) -> ChannelView:
    return ChannelView(
        records.stored_id(c.id),
        c.name,
        c.platform,
        c.url,
        c.daily_post_limit,
        c.active,
        c.version,
        c.watch_window_hours,
    )


def list_channels(session: Session, *, include_inactive: bool = False) -> list[ChannelView]:
    statement = select(Channel).order_by(col(Channel.name))
    if not include_inactive:
        statement = statement.where(Channel.active == True)  # noqa: E712
    return [_channel_view(c) for c in session.exec(statement)]


def _clean_channel(session: Session, changes: dict, *, except_id: int | None) -> dict:
    check_plain_texts((_("channel {field}", field=name), value) for name, value in changes.items())
    if "name" in changes:
        changes["name"] = " ".join(changes["name"].split())
        if not changes["name"]:
            raise ValidationError(_("A channel needs a name."))
        taken = session.exec(select(Channel.id).where(Channel.name == changes["name"])).first()
        if taken is not None and taken != except_id:
            raise ValidationError(_("A channel named {name!r} exists already.", name=changes["name"]))
    for key in ("platform", "url"):
        if key in changes:
            changes[key] = changes[key].strip()
    if "daily_post_limit" in changes and changes["daily_post_limit"] < 1:
        raise ValidationError(_("The daily post limit must be at least 1."))
    hours = changes.get("watch_window_hours")
    if hours is not None and not 1 <= hours <= MAX_WATCH_WINDOW_HOURS:
        raise ValidationError(
            _(
                "A post's watch window is 1 to {most} hours after publishing (you entered {hours}).",
                most=MAX_WATCH_WINDOW_HOURS,
                hours=hours,
            )
        )
    return changes


def create_channel(*, session: Session, actor: Actor, channel_in: ChannelCreate) -> ChannelView:
    require(actor, Action.manage_channels)
    values = _clean_channel(session, channel_in.model_dump(), except_id=None)
    channel = Channel(**values)
    return _channel_view(records.create(session, channel, actor=actor, action="channel.create"))


def update_channel(
    *, session: Session, actor: Actor, channel_id: int, expected_version: int, channel_in: ChannelUpdate
) -> ChannelView:
    require(actor, Action.manage_channels)
    changes = _clean_channel(session, channel_in.model_dump(exclude_unset=True), except_id=channel_id)
    channel = records.update_versioned(
        session,
        Channel,
        channel_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action="channel.update",
    )
    return _channel_view(channel)


def list_rubrics(session: Session, *, include_inactive: bool = False) -> list[Rubric]:
    statement = select(Rubric).order_by(col(Rubric.builtin).desc(), col(Rubric.name))
    if not include_inactive:
        statement = statement.where(Rubric.active == True)  # noqa: E712
    return list(session.exec(statement))
