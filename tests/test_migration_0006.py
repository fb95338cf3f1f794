"""Revision 0006's data step: every escalation team made before it gets its owner as the
responsible person, so escalations to it are assigned to someone who may act on them."""

import datetime as dt

import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select

from db.migrate import alembic_config, is_at_head, upgrade_to_head
from db.models import EscalationTeam, EscalationTeamMember, Raci
from db.types import UTCDateTime

AT = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)


def _insert_user(connection, username: str, name: str) -> int:
    connection.execute(
        sa.text(
            'INSERT INTO "user" (username, name, email, role, password_hash, active, password_changed_at, '
            "created_at, version) VALUES (:u, :n, '', 'lead', 'x', :active, :at, :at, 1)"
        ).bindparams(sa.bindparam("at", type_=UTCDateTime())),
        {"u": username, "n": name, "active": True, "at": AT},
    )
    return connection.execute(sa.text('SELECT id FROM "user" WHERE username = :u'), {"u": username}).scalar_one()


def _insert_team(connection, name: str, owner_id: int | None) -> int:
    connection.execute(
        sa.text("INSERT INTO escalation_team (name, description, owner_id, version) VALUES (:n, '', :o, 1)"),
        {"n": name, "o": owner_id},
    )
    return connection.execute(sa.text("SELECT id FROM escalation_team WHERE name = :n"), {"n": name}).scalar_one()


def test_existing_team_owners_become_responsible_and_teams_get_the_default_deadline(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        lena = _insert_user(connection, "lena", "Lena Hoffmann")
        carl = _insert_user(connection, "carl", "Carl Weber")
        product = _insert_team(connection, "Product", lena)
        legal = _insert_team(connection, "Legal & Privacy", carl)
        orphan = _insert_team(connection, "Old team", None)
        connection.commit()
    upgrade_to_head(engine)
    assert is_at_head(engine)
    with Session(engine) as session:
        members = {(m.team_id, m.user_id, m.raci) for m in session.exec(select(EscalationTeamMember))}
        assert members == {(product, lena, Raci.responsible), (legal, carl, Raci.responsible)}
        teams = {t.id: t for t in session.exec(select(EscalationTeam))}
        assert {t.deadline_minutes for t in teams.values()} == {480}
        assert teams[orphan].owner_id is None and teams[orphan].calendar_id is None
