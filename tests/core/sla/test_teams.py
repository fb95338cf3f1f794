"""Escalation teams: every team needs an accountable owner (RACI), names are unique, edits are
versioned, and only leads and admins manage them."""

from __future__ import annotations

import pytest

from core.errors import ConflictError, PermissionDenied, ValidationError
from core.sla import teams
from db.models import EscalationTeamCreate, EscalationTeamUpdate, Role
from tests.factories import make_user


def test_a_lead_manages_teams_and_every_team_needs_an_owner(session):
    lead = make_user(session, Role.lead, name="Lena")
    support = make_user(session, Role.support, name="Sam")
    with pytest.raises(ValidationError, match="owner"):
        teams.create_team(session=session, actor=lead, team_in=EscalationTeamCreate(name="Legal", owner_id=None))
    team = teams.create_team(
        session=session,
        actor=lead,
        team_in=EscalationTeamCreate(name="Legal", owner_id=lead.id, description="Data requests"),
    )
    with pytest.raises(ValidationError, match="exists already"):
        teams.create_team(session=session, actor=lead, team_in=EscalationTeamCreate(name="Legal", owner_id=lead.id))
    moved = teams.update_team(
        session=session,
        actor=lead,
        team_id=team.id,
        expected_version=team.version,
        team_in=EscalationTeamUpdate(name="Legal", owner_id=support.id),
    )
    assert moved.owner == "Sam"
    with pytest.raises(ConflictError):
        teams.update_team(
            session=session,
            actor=lead,
            team_id=team.id,
            expected_version=team.version,
            team_in=EscalationTeamUpdate(name="Legal", owner_id=lead.id),
        )
    with pytest.raises(PermissionDenied):
        teams.create_team(
            session=session, actor=support, team_in=EscalationTeamCreate(name="Mine", owner_id=support.id)
        )
