"""Keeping the database: ``migrate``, ``demo`` and ``backup``."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url

from core import workspace
from core.errors import DomainError
from db.engine import read_session, write_session
from db.migrate import upgrade_to_head


def _migrate(args: argparse.Namespace, engine: Engine) -> int:
    upgrade_to_head(engine)
    print("Database is at the newest schema.")
    return 0


def _demo(args: argparse.Namespace, engine: Engine) -> int:
    from core import demo  # every domain's services: loaded only for this command (see core.cli)

    with read_session(engine) as session:
        current = workspace.state(session)
    if args.if_empty and current == workspace.WorkspaceState.live:
        return 0
    with write_session(engine) as session:
        loaded = demo.load_demo(session, force=args.force)
    print("Demo workspace loaded." if loaded else "The demo workspace is there already.")
    print("Demo sign-ins (username / password / role):")
    for username, password, role in demo.DEMO_SIGN_INS:
        print(f"  {username:<11} {password:<22} {role}")
    return 0


def _backup(args: argparse.Namespace, engine: Engine) -> int:
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite":
        print('For PostgreSQL use its own tool, e.g.: pg_dump --format=custom --file=backup.dump "$DATABASE_URL"')
        return 2
    target = Path(args.target)
    if target.exists():
        raise DomainError(f"{target} exists already; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:  # type: ignore[arg-type]
        source.backup(copy)
    print(f"Backup written to {target}.")
    return 0


def add_commands(sub: Any) -> None:
    sub.add_parser("migrate", help="upgrade the database to the newest schema").set_defaults(run=_migrate)
    demo_parser = sub.add_parser("demo", help="load the demo workspace (idempotent)")
    demo_parser.add_argument("--force", action="store_true", help="load even into a real workspace")
    demo_parser.add_argument("--if-empty", action="store_true", help="do nothing when a real workspace exists")
    demo_parser.set_defaults(run=_demo)
    backup = sub.add_parser("backup", help="copy the SQLite database to a file, consistently")
    backup.add_argument("target")
    backup.set_defaults(run=_backup)
