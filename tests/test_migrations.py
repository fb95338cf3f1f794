"""The schema comes from Alembic revisions only, and the models never drift from them."""

import datetime as dt
import uuid

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, insert, inspect, text
from sqlmodel import SQLModel

from db.migrate import alembic_config, is_at_head, upgrade_to_head
from db.models import Channel, Post, Workspace


def test_an_empty_database_upgrades_to_head_with_every_table(engine):
    # The fixture's database was built by the same upgrade; run it again to prove it is a no-op.
    upgrade_to_head(engine)
    assert is_at_head(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_alembic_check_finds_no_drift_between_models_and_revisions(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.check(config)  # raises when autogenerate would emit operations


def test_the_revision_history_has_a_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_downgrade_to_base_and_up_again(engine):
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        connection.commit()
        assert MigrationContext.configure(connection).get_current_revision() is None
    assert "post" not in inspect(engine).get_table_names()
    upgrade_to_head(engine)
    assert is_at_head(engine)


def test_0007_marks_the_posts_already_in_calendars_and_gives_each_workspace_a_uid(engine):
    """Rows from before 0007: a workspace without a uid, and posts on the plan, once scheduled
    (its "Schedule" step in the audit log) or never scheduled."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        connection.commit()
    old = MetaData()
    old.reflect(engine, only=["workspace", "channel", "post", "audit_log"])
    new_columns = {"workspace": {"uid"}, "post": {"calendar_listed"}}

    def row(record: SQLModel) -> dict[str, object]:
        table = str(record.__tablename__)
        return {k: v for k, v in record.model_dump().items() if k not in new_columns.get(table, set())}

    when = dt.datetime(2031, 7, 3, 16, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(insert(old.tables["workspace"]), [row(Workspace(id=1, name="Dialog Desk"))])
        connection.execute(insert(old.tables["channel"]), [row(Channel(id=1, name="Instagram", platform="instagram"))])
        posts = {
            1: ("scheduled", when),  # on the plan now
            2: ("published", when),
            3: ("cancelled", when),  # scheduled once, then cancelled: in calendars
            4: ("approved", when),  # scheduled once, then taken off the schedule
            5: ("cancelled", None),  # a draft dropped before it was ever scheduled
            6: ("draft", when),
        }
        connection.execute(
            insert(old.tables["post"]),
            [
                row(Post(id=i, title=f"Post {i}", channel_id=1, status=s, scheduled_at=at))
                for i, (s, at) in posts.items()
            ],
        )
        connection.execute(
            insert(old.tables["audit_log"]),
            [
                {"at": when, "actor": "lea", "action": action, "entity": entity, "entity_id": entity_id}
                for action, entity, entity_id in (
                    ("post.schedule", "post", 3),
                    ("post.schedule", "post", 4),
                    ("post.unschedule", "post", 4),
                    ("post.submit", "post", 6),
                    ("post.schedule", "idea", 5),  # another entity's number 5
                )
            ],
        )
    upgrade_to_head(engine)
    with engine.connect() as connection:
        listed = dict(connection.execute(text("SELECT id, calendar_listed FROM post ORDER BY id")).all())
        (uid,) = connection.execute(text("SELECT uid FROM workspace")).scalars().all()
    assert {i for i, flag in listed.items() if flag} == {1, 2, 3, 4}
    assert str(uuid.UUID(uid)) == uid
