"""The schema comes from Alembic revisions only, and the models never drift from them."""

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from db.migrate import alembic_config, is_at_head, upgrade_to_head


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
