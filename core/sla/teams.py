"""Escalation teams: who conversations are handed to, and who owns them.

Each team has an accountable owner (RACI, paper §14); the list shows its open escalations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import records
from core.errors import ValidationError
from core.permissions import Action, Actor, require
from core.sla.figures import OPEN_STATUSES
from core.text import check_input_text
from db.models import Conversation, EscalationTeam, EscalationTeamCreate, EscalationTeamUpdate, User, max_length


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    description: str
    owner_id: int | None
    owner: str | None  # the accountable owner (RACI)
    open_escalations: int
    version: int


def list_teams(session: Session) -> list[TeamView]:
    rows = session.exec(
        select(EscalationTeam, User.name, User.username)
        .join(User, col(User.id) == col(EscalationTeam.owner_id), isouter=True)
        .order_by(col(EscalationTeam.name))
    ).all()
    team_ids = [t.id for t, _, _ in rows]
    # Driven by the team column (its index holds the status too): open escalations per team.
    open_counts = (
        dict(
            session.exec(
                select(
                    col(Conversation.escalation_team_id),
                    func.count().filter(col(Conversation.status).in_([s.value for s in OPEN_STATUSES])),
                )
                .where(col(Conversation.escalation_team_id).in_(team_ids))
                .group_by(col(Conversation.escalation_team_id))
            ).all()
        )
        if team_ids
        else {}
    )
    return [
        TeamView(
            id=records.stored_id(t.id),
            name=t.name,
            description=t.description,
            owner_id=t.owner_id,
            owner=(name or username) if t.owner_id else None,
            open_escalations=int(open_counts.get(t.id, 0)),
            version=t.version,
        )
        for t, name, username in rows
    ]


def _team_view(session: Session, team_id: int) -> TeamView:
    return next(t for t in list_teams(session) if t.id == team_id)


def _checked(
    session: Session, *, name: str, description: str, owner_id: int | None, except_id: int | None
) -> EscalationTeamCreate:
    """A team's fields, tidied, or a message saying what to fix."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the team a name, e.g. 'Billing'.")
    limit = max_length(EscalationTeam, "name")
    if len(name) > limit:
        raise ValidationError(f"The team name is longer than {limit} characters.")
    existing = session.exec(select(EscalationTeam.id).where(EscalationTeam.name == name)).first()
    if existing is not None and existing != except_id:
        raise ValidationError(f"A team named {name!r} exists already.")
    if owner_id is None:
        raise ValidationError("Pick the team's accountable owner (RACI): escalations need someone who owns them.")
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise ValidationError("The owner must be an active user; pick one from the list.")
    return EscalationTeamCreate(name=name, description=(description or "").strip(), owner_id=owner_id)


_LABELS = {"name": "team name", "description": "team description"}


def create_team(*, session: Session, actor: Actor, team_in: EscalationTeamCreate) -> TeamView:
    require(actor, Action.manage_sla_policies)
    check_input_text(team_in, labels=_LABELS)
    checked = _checked(
        session, name=team_in.name, description=team_in.description, owner_id=team_in.owner_id, except_id=None
    )
    team = records.create(session, EscalationTeam.model_validate(checked), actor=actor, action="escalation_team.create")
    return _team_view(session, records.stored_id(team.id))


def update_team(
    *, session: Session, actor: Actor, team_id: int, expected_version: int, team_in: EscalationTeamUpdate
) -> TeamView:
    """Change the fields given (the others keep their stored values)."""
    require(actor, Action.manage_sla_policies)
    check_input_text(team_in, labels=_LABELS)
    team = records.get_or_404(session, EscalationTeam, team_id, what="Escalation team")
    wanted = {name: getattr(team, name) for name in EscalationTeamUpdate.model_fields} | team_in.model_dump(
        exclude_unset=True
    )
    checked = _checked(
        session,
        name=wanted["name"],
        description=wanted["description"],
        owner_id=wanted["owner_id"],
        except_id=team_id,
    )
    records.update_versioned(
        session,
        EscalationTeam,
        team_id,
        expected_version=expected_version,
        changes=checked.model_dump(),
        actor=actor,
        action="escalation_team.update",
    )
    return _team_view(session, team_id)


def team_owner_choices(session: Session) -> list[tuple[int, str]]:
    """Active people who can own an escalation team."""
    return [
        (records.stored_id(uid), name or username)
        for uid, name, username in session.exec(
            select(User.id, User.name, User.username).where(col(User.active).is_(True)).order_by(col(User.username))
        )
    ]
