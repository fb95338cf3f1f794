"""Alembic environment: runs migrations against DATABASE_URL (or a connection handed in)."""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers every table on SQLModel.metadata)
from core.settings import load_settings
from db.engine import make_engine
from db.types import UTCDateTime

target_metadata = SQLModel.metadata


def render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import db.types")
        return "db.types.UTCDateTime()"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )


@contextmanager
def _sqlite_foreign_keys_deferred(connection) -> Iterator[None]:
    """SQLite rebuilds a table to alter it (batch mode): copy, drop, rename. With foreign keys
    enforced, dropping a table that other rows refer to fails, so a revision could never alter
    such a table once it holds data. The checks are off while the revisions run (the pragma only
    works outside a transaction) and every reference is checked once they are done."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")
    broken = driver.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"The migration left rows that refer to missing rows: {broken[:5]}")


def _run(connection) -> None:
    _configure(connection)
    with _sqlite_foreign_keys_deferred(connection), context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(load_settings().database_url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
