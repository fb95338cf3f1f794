"""The on-call moderator rota on the business calendar: shifts, who is on call now, and the
business hours of the coming week nobody covers (clock changes included: the calendar's hours
follow the local clock, the shifts are instants)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from core import records
from core.community import rules
from core.errors import ValidationError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.records import stored_id
from core.sla.business_time import BusinessCalendar
from core.sla.calendars import calendar_from_json
from db.models import BusinessCalendarRow, CommunitySettings, OnCallShift, OnCallShiftCreate, Role, User

MAX_SHIFT = dt.timedelta(days=7)
MODERATING_ROLES = (Role.admin, Role.lead, Role.community)


def rota_calendar(session: Session) -> tuple[str, BusinessCalendar] | None:
    """The business calendar the rota covers: the one chosen in the community settings, else the
    first calendar of the workspace (None when there is none)."""
    settings = session.scalars(select(CommunitySettings)).first()
    row = None
    if settings is not None and settings.rota_calendar_id is not None:
        row = session.get(BusinessCalendarRow, settings.rota_calendar_id)
    if row is None:
        row = session.scalars(select(BusinessCalendarRow).order_by(col(BusinessCalendarRow.id))).first()
    return None if row is None else (row.name, calendar_from_json(row.definition))


def add_shift(*, session: Session, actor: Actor, shift: OnCallShiftCreate) -> OnCallShift:
    """Put a moderator on call from ``starts_at`` to ``ends_at``."""
    require(actor, Action.manage_community_rules)
    for value in (shift.starts_at, shift.ends_at):
        if value.tzinfo is None:
            raise ValidationError(_("A shift's times need a time zone: pick them again on the form."))
    if shift.ends_at <= shift.starts_at:
        raise ValidationError(_("The shift ends before it starts: check the end time."))
    if shift.ends_at - shift.starts_at > MAX_SHIFT:
        raise ValidationError(_("A shift is at most seven days long: split it into several."))
    user = records.get_or_404(session, User, shift.user_id, what=_("Team member"))
    if user.role not in MODERATING_ROLES or not user.active:
        raise ValidationError(
            _(
                "{name} does not moderate: pick a community manager, lead or admin.",
                name=user.name or user.username,
            )
        )
    row = OnCallShift(user_id=shift.user_id, starts_at=shift.starts_at, ends_at=shift.ends_at, created_by_id=actor.id)
    return records.create(session, row, actor=actor, action="community.add_shift")


def remove_shift(*, session: Session, actor: Actor, shift_id: int) -> None:
    require(actor, Action.manage_community_rules)
    row = records.get_or_404(session, OnCallShift, shift_id, what=_("Shift"))
    records.delete(session, row, actor=actor, action="community.remove_shift")


@dataclass(frozen=True)
class ShiftRow:
    id: int
    who: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Rota:
    calendar: str | None  # its name; None: no business calendar yet
    on_call: tuple[str, ...]  # who is on call at ``now``
    shifts: tuple[ShiftRow, ...]  # ending after now, within the week ahead
    gaps: tuple[rules.Span, ...]  # business hours of the week ahead nobody covers


def rota(*, session: Session, now: dt.datetime, days: int = 7) -> Rota:
    """Who is on call now, the shifts and the gaps of the next ``days`` days."""
    end = now + dt.timedelta(days=days)
    names = {u.id: (u.name or u.username) for u in session.scalars(select(User))}
    shifts = [
        ShiftRow(stored_id(s.id), names.get(s.user_id, "?"), s.starts_at, s.ends_at)
        for s in session.scalars(
            select(OnCallShift)
            .where(col(OnCallShift.ends_at) > now, col(OnCallShift.starts_at) < end)
            .order_by(col(OnCallShift.starts_at))
        )
    ]
    on_call = tuple(sorted({s.who for s in shifts if s.starts_at <= now < s.ends_at}))
    found = rota_calendar(session)
    if found is None:
        return Rota(None, on_call, tuple(shifts), ())
    name, calendar = found
    gaps = rules.uncovered(calendar.open_intervals(now, end), [(s.starts_at, s.ends_at) for s in shifts])
    return Rota(name, on_call, tuple(shifts), tuple(gaps))


def moderators(session: Session) -> tuple[tuple[int, str], ...]:
    """The team members who may be on call: (id, name) of active community managers, leads, admins."""
    return tuple(
        (u.id, u.name or u.username)
        for u in session.scalars(
            select(User).where(col(User.role).in_(MODERATING_ROLES), col(User.active)).order_by(col(User.name))
        )
        if u.id is not None
    )
