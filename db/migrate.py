"""Upgrading a database to the newest schema, from code (CLI, app start, tests).

Revision ids are the four digits their file names start with and the chain is linear (a test
checks both), so whether a database is at the newest schema is one query of ``alembic_version``
against the newest file's name: the commands and screens that find it current never import
Alembic, which costs a new process most of a second.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def alembic_config() -> Config:
    from alembic.config import Config

    return Config(str(ALEMBIC_INI))


def newest_revision() -> str:
    """The id of the newest revision: the highest four-digit prefix of the revision files."""
    ids = [m.group(1) for path in VERSIONS.iterdir() if (m := _REVISION_FILE.match(path.name))]
    return max(ids)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for a database Alembic never touched)."""
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
        except DBAPIError:  # no alembic_version table yet
            return None


def is_at_head(engine: Engine) -> bool:
    return current_revision(engine) == newest_revision()


def upgrade_to_head(engine: Engine) -> None:
    if is_at_head(engine):
        return
    from alembic import command

    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
