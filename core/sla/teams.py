"""Escalation teams: who conversations are handed to, who does the work and who owns it (RACI,
paper §14), and by when it should be done.

Each team has one accountable owner (A), responsible people (R: escalations are assigned to the
first of them; a team that names none has its owner do the work), people who are consulted (C) or
informed (I), an escalation deadline in business minutes and the business calendar it counts in
(none: the calendar of the conversation's SLA policy). The list shows each team's open and
overdue escalations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core import records
from core.errors import ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, require
from core.sla.figures import OPEN_STATUSES
from core.text import check_input_text
from db.models import (
    BusinessCalendarRow,
    Conversation,
    EscalationTeam,
    EscalationTeamCreate,
    EscalationTeamMember,
    EscalationTeamUpdate,
    Raci,
    User,
    max_length,
)

MAX_DEADLINE_MINUTES = 60 * 24 * 30  # a month of business minutes is more than any team needs
MEMBER_PARTS = (Raci.responsible, Raci.consulted, Raci.informed)


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    description: str
    owner_id: int | None
    owner: str | None  # the accountable owner (RACI)
    open_escalations: int
    version: int
    responsible: tuple[Person, ...] = ()
    consulted: tuple[Person, ...] = ()
    informed: tuple[Person, ...] = ()
    deadline_minutes: int = 0
    calendar_id: int | None = None
    calendar_name: str | None = None  # None: the conversation's SLA calendar
    open_deadlines: tuple[dt.datetime, ...] = ()  # of the open escalations that have one

    def overdue_at(self, now: dt.datetime) -> int:
        """Open escalations past their deadline at ``now``."""
        return sum(1 for deadline in self.open_deadlines if deadline <= now)

    @property
    def doers(self) -> tuple[Person, ...]:
        """Who does the work: the responsible people, or the owner when none are named."""
        if self.responsible:
            return self.responsible
        return (Person(self.owner_id, self.owner or ""),) if self.owner_id is not None else ()


def _people(session: Session) -> dict[int, str]:
    return {
        records.stored_id(uid): name or username
        for uid, name, username in session.exec(select(User.id, User.name, User.username))
    }


def list_teams(session: Session) -> list[TeamView]:
    """Every team with its RACI people and its open escalations."""
    teams = session.exec(select(EscalationTeam).order_by(col(EscalationTeam.name))).all()
    team_ids = [t.id for t in teams]
    names = _people(session)
    calendars = dict(session.exec(select(BusinessCalendarRow.id, BusinessCalendarRow.name)).all())
    members: dict[tuple[int, str], list[Person]] = {}
    for team_id, user_id, raci in session.exec(
        select(EscalationTeamMember.team_id, EscalationTeamMember.user_id, EscalationTeamMember.raci).order_by(
            col(EscalationTeamMember.id)
        )
    ):
        members.setdefault((team_id, raci), []).append(Person(user_id, names.get(user_id, "?")))
    # Driven by the team column (its index holds the status too): the open escalations per team,
    # with their deadlines, so a screen counts the overdue ones at the moment it draws them.
    deadlines: dict[int | None, list[dt.datetime | None]] = {}
    if team_ids:
        for escalated_to, deadline in session.exec(
            select(col(Conversation.escalation_team_id), col(Conversation.escalation_deadline_at)).where(
                col(Conversation.escalation_team_id).in_(team_ids),
                col(Conversation.status).in_([s.value for s in OPEN_STATUSES]),
            )
        ).all():
            deadlines.setdefault(escalated_to, []).append(deadline)
    views = []
    for t in teams:
        team_id = records.stored_id(t.id)
        open_deadlines = deadlines.get(team_id, [])
        views.append(
            TeamView(
                id=team_id,
                name=t.name,
                description=t.description,
                owner_id=t.owner_id,
                owner=names.get(t.owner_id) if t.owner_id is not None else None,
                open_escalations=len(open_deadlines),
                version=t.version,
                responsible=tuple(members.get((team_id, Raci.responsible), ())),
                consulted=tuple(members.get((team_id, Raci.consulted), ())),
                informed=tuple(members.get((team_id, Raci.informed), ())),
                deadline_minutes=t.deadline_minutes,
                calendar_id=t.calendar_id,
                calendar_name=calendars.get(t.calendar_id) if t.calendar_id is not None else None,
                open_deadlines=tuple(sorted(d for d in open_deadlines if d is not None)),
            )
        )
    return views


def _team_view(session: Session, team_id: int) -> TeamView:
    return next(t for t in list_teams(session) if t.id == team_id)


_INACTIVE = {
    "responsible": N_("Every responsible person must be an active user; pick them from the list."),
    "consulted": N_("Every consulted person must be an active user; pick them from the list."),
    "informed": N_("Every informed person must be an active user; pick them from the list."),
}


def _active_people(session: Session, ids: Sequence[int], what: str) -> list[int]:
    unique = list(dict.fromkeys(ids))
    active = set(session.exec(select(User.id).where(col(User.id).in_(unique), col(User.active).is_(True))).all())
    missing = [i for i in unique if i not in active]
    if missing:
        raise ValidationError(_(_INACTIVE[what]))
    return unique


def _deadline_minutes(value: int | float) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ValidationError(
            _("The escalation deadline is a whole number of business minutes (e.g. 480 for 8 hours).")
        )
    minutes = int(value)
    if not 1 <= minutes <= MAX_DEADLINE_MINUTES:
        raise ValidationError(
            _(
                "The escalation deadline must be 1 to {most} business minutes (you entered {minutes}).",
                most=MAX_DEADLINE_MINUTES,
                minutes=minutes,
            )
        )
    return minutes


def _checked(session: Session, wanted: EscalationTeamCreate, *, except_id: int | None) -> EscalationTeamCreate:
    """A team's fields, tidied, or a message saying what to fix."""
    name = (wanted.name or "").strip()
    if not name:
        raise ValidationError(_("Give the team a name, e.g. 'Billing'."))
    limit = max_length(EscalationTeam, "name")
    if len(name) > limit:
        raise ValidationError(_("The team name is longer than {limit} characters.", limit=limit))
    existing = session.exec(select(EscalationTeam.id).where(EscalationTeam.name == name)).first()
    if existing is not None and existing != except_id:
        raise ValidationError(_("A team named {name!r} exists already.", name=name))
    owner_id = wanted.owner_id
    if owner_id is None:
        raise ValidationError(_("Pick the team's accountable owner (RACI): escalations need someone who owns them."))
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise ValidationError(_("The owner must be an active user; pick one from the list."))
    if wanted.calendar_id is not None and session.get(BusinessCalendarRow, wanted.calendar_id) is None:
        raise ValidationError(_("That business calendar does not exist (any more); pick one from the list."))
    responsible = _active_people(session, wanted.responsible_ids, "responsible") or [owner_id]
    return EscalationTeamCreate(
        name=name,
        description=(wanted.description or "").strip(),
        owner_id=wanted.owner_id,
        calendar_id=wanted.calendar_id,
        deadline_minutes=_deadline_minutes(wanted.deadline_minutes),
        responsible_ids=responsible,
        consulted_ids=_active_people(session, wanted.consulted_ids, "consulted"),
        informed_ids=_active_people(session, wanted.informed_ids, "informed"),
    )


def _member_ids(session: Session, team_id: int) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {part.value: [] for part in MEMBER_PARTS}
    for user_id, raci in session.exec(
        select(EscalationTeamMember.user_id, EscalationTeamMember.raci)
        .where(EscalationTeamMember.team_id == team_id)
        .order_by(col(EscalationTeamMember.id))
    ):
        ids.setdefault(raci, []).append(user_id)
    return ids


def _save_members(session: Session, *, actor: Actor, team_id: int, checked: EscalationTeamCreate) -> None:
    """Make the team's R, C and I exactly the people given (each change audited)."""
    wanted = {
        Raci.responsible.value: checked.responsible_ids,
        Raci.consulted.value: checked.consulted_ids,
        Raci.informed.value: checked.informed_ids,
    }
    rows = session.exec(select(EscalationTeamMember).where(EscalationTeamMember.team_id == team_id)).all()
    for row in rows:
        if row.user_id not in wanted.get(row.raci, []):
            records.delete(session, row, actor=actor, action="escalation_team.member_removed")
    present = {(row.raci, row.user_id) for row in rows}
    for raci, user_ids in wanted.items():
        for user_id in user_ids:
            if (raci, user_id) not in present:
                member = EscalationTeamMember(team_id=team_id, user_id=user_id, raci=raci)
                records.create(session, member, actor=actor, action="escalation_team.member_added")
    session.flush()


def _columns(checked: EscalationTeamCreate) -> dict[str, Any]:
    return checked.model_dump(include={"name", "description", "owner_id", "calendar_id", "deadline_minutes"})


_LABELS = {"name": N_("team name"), "description": N_("team description")}


def _labels() -> dict[str, str]:
    return {name: _(label) for name, label in _LABELS.items()}


def create_team(*, session: Session, actor: Actor, team_in: EscalationTeamCreate) -> TeamView:
    require(actor, Action.manage_sla_policies)
    check_input_text(team_in, labels=_labels())
    checked = _checked(session, team_in, except_id=None)
    team = records.create(session, EscalationTeam(**_columns(checked)), actor=actor, action="escalation_team.create")
    team_id = records.stored_id(team.id)
    _save_members(session, actor=actor, team_id=team_id, checked=checked)
    return _team_view(session, team_id)


def update_team(
    *, session: Session, actor: Actor, team_id: int, expected_version: int, team_in: EscalationTeamUpdate
) -> TeamView:
    """Change the fields given (the others keep their stored values; a list of people given
    replaces that part of the team)."""
    require(actor, Action.manage_sla_policies)
    check_input_text(team_in, labels=_labels())
    team = records.get_or_404(session, EscalationTeam, team_id, what=_("Escalation team"))
    members = _member_ids(session, team_id)
    stored = {
        "name": team.name,
        "description": team.description,
        "owner_id": team.owner_id,
        "calendar_id": team.calendar_id,
        "deadline_minutes": team.deadline_minutes,
        "responsible_ids": members[Raci.responsible.value],
        "consulted_ids": members[Raci.consulted.value],
        "informed_ids": members[Raci.informed.value],
    }
    checked = _checked(
        session, EscalationTeamCreate(**(stored | team_in.model_dump(exclude_unset=True))), except_id=team_id
    )
    records.update_versioned(
        session,
        EscalationTeam,
        team_id,
        expected_version=expected_version,
        changes=_columns(checked),
        actor=actor,
        action="escalation_team.update",
    )
    _save_members(session, actor=actor, team_id=team_id, checked=checked)
    return _team_view(session, team_id)


def team_owner_choices(session: Session) -> list[tuple[int, str]]:
    """Active people who can own an escalation team or take a part in it."""
    return [
        (records.stored_id(uid), name or username)
        for uid, name, username in session.exec(
            select(User.id, User.name, User.username).where(col(User.active).is_(True)).order_by(col(User.username))
        )
    ]


def calendar_choices(session: Session) -> list[tuple[int, str]]:
    """The business calendars a team's deadline can count in."""
    return [
        (records.stored_id(cid), name)
        for cid, name in session.exec(
            select(BusinessCalendarRow.id, BusinessCalendarRow.name).order_by(col(BusinessCalendarRow.name))
        )
    ]
