"""The databases a bench run measures: a working copy of a generated year on SQLite, or a
database of its own on a PostgreSQL server, created and dropped by the bench.

``load`` runs in the process of the code being measured: it migrates the target with that code's
revisions, then copies the rows of the generated year column by column (the columns both schemas
have), so an older checkout is measured on the same data in its own schema. PostgreSQL gets the
rows by COPY, its sequences set past the copied ids, and a ``VACUUM ANALYZE`` (what autovacuum
would have done on a server that had held the data for a year).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, inspect, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

BATCH = 5_000


def server_url() -> str | None:
    """The PostgreSQL server to bench on: ``BENCH_DATABASE_URL``, else ``TEST_DATABASE_URL``."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or None


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()


@contextlib.contextmanager
def postgres_database(server: str, *, label: str) -> Iterator[str]:
    """A new, empty database on ``server`` for the duration of the block, then dropped."""
    name = f"dd_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def sqlite_copy(source: Path, folder: Path, *, label: str) -> str:
    """A working copy of the generated file (the measurements write to it: the saves of user B)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"work-{label}-{os.getpid()}.db"
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def remove_sqlite(url: str) -> None:
    path = Path(make_url(url).database or "")
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def load(source: Path, target_url: str) -> str:
    """Fill ``target_url`` with the generated year at this checkout's schema; returns how."""
    source_engine = create_engine(f"sqlite:///{source}")
    try:
        same_schema = _revision(source_engine) == _head_revision()
        if backend_of(target_url) == "sqlite" and same_schema:
            source_engine.dispose()
            shutil.copyfile(source, make_url(target_url).database or "")
            return "file copy"
        from db.engine import make_engine
        from db.migrate import upgrade_to_head

        engine = make_engine(target_url)
        upgrade_to_head(engine)
        engine.dispose()
        # Without the app's connect hooks: foreign keys are checked by PostgreSQL per statement,
        # and SQLite must not check a row against one that comes later in the same table.
        target = create_engine(target_url)
        try:
            copied = _copy_rows(source_engine, target)
        finally:
            target.dispose()
        return f"rows copied ({copied:,}) into this checkout's schema"
    finally:
        source_engine.dispose()


def _copy_rows(source: Engine, target: Engine) -> int:
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (registers every table)

    found = inspect(source)
    source_columns = {name: {c["name"] for c in found.get_columns(name)} for name in found.get_table_names()}
    plan = [
        (table, [c for c in table.columns if c.name in source_columns[table.name]])
        for table in SQLModel.metadata.sorted_tables
        if table.name in source_columns and table.name != "alembic_version"
    ]
    if target.dialect.name == "sqlite":
        return _sqlite_copy(
            source.url.database or "", target.url.database or "", [(t.name, [c.name for c in cs]) for t, cs in plan]
        )
    copied = 0
    for table, columns in plan:
        with source.connect() as reader, target.begin() as writer:
            writer.execute(table.delete())  # rows the migrations seeded, if any
            result = reader.execution_options(stream_results=True, yield_per=BATCH).execute(select(*columns))
            copied += _postgres_copy(writer, table.name, [c.name for c in columns], result, [c.type for c in columns])
    with target.begin() as writer:
        for table, _ in plan:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
                writer.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                    )
                )
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return copied


def _sqlite_copy(source: str, target: str, plan: list[tuple[str, list[str]]]) -> int:
    """INSERT … SELECT from the attached source in one transaction: both files store values the
    same way (SQLAlchemy's SQLite types), so the rows need no round trip through Python. Foreign
    keys are off on this connection: a merged idea may point at one inserted after it."""
    connection = sqlite3.connect(target, isolation_level=None)
    copied = 0
    try:
        connection.execute("ATTACH DATABASE ? AS year", (source,))
        connection.execute("BEGIN")
        for table, names in plan:
            columns = ", ".join(f'"{n}"' for n in names)
            connection.execute(f'DELETE FROM main."{table}"')
            copied += connection.execute(
                f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM year."{table}"'
            ).rowcount
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE year")
    finally:
        connection.close()
    return copied


def _postgres_copy(connection, table: str, names: list[str], rows, types) -> int:
    """COPY ``rows`` into ``table`` in one statement (values bound as the column types bind them)."""
    dialect = connection.dialect
    binders = [t.bind_processor(dialect) for t in types]
    raw = connection.connection.driver_connection
    columns = ", ".join(f'"{n}"' for n in names)
    count = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([b(v) if b else v for b, v in zip(binders, row, strict=True)])
            count += 1
    return count
