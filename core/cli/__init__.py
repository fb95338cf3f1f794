"""Command-line entry point (``python -m core``): the jobs that are not clicks.

Each room registers its commands on the parser: ``maintenance`` (migrate, demo, backup), ``users``,
``workspace`` (workspace settings, channels, SLA policies, the SLA recompute), ``setup`` (a whole
workspace from a declarative file), ``imports`` (conversations, messages, ideas, the imports
made), ``kpis`` and ``live`` (the worker, the ingest API's tokens). Every command runs the same core services as the screens. Errors are one line
on standard error and a non-zero exit, never a traceback.

A command is a new process each time, so it loads only what it runs: building the parser imports
every room, and a room's heavy services (the worker, the demo, the KPI report, the imports) are
imported inside the function that runs its command (tests/test_cli_startup.py holds this). A
database already at the newest schema is found so by one query, without Alembic (``db.migrate``).

Passwords are read from a hidden prompt, or from standard input when it is not a terminal, so
scripts can pipe them; never from an argument.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.engine import Engine

from core.cli import imports, kpis, live, maintenance, setup, users, workspace
from core.cli.common import Command
from core.errors import DomainError
from core.settings import load_settings
from db.engine import make_engine
from db.migrate import upgrade_to_head

__all__ = ["Command", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Dialog Desk command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    for room in (maintenance, users, workspace, setup, imports, kpis, live):
        room.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, engine: Engine | None = None) -> int:
    args = build_parser().parse_args(argv)
    own_engine = None
    try:
        if engine is None:
            engine = own_engine = make_engine(load_settings().database_url)
        if args.command != "migrate":
            upgrade_to_head(engine)
        return args.run(args, engine)
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error.strerror or error} ({error.filename or 'file'}); nothing was changed.", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - the last line of defence: a message, never a traceback
        print(
            f"error: an unexpected problem stopped the command ({type(error).__name__}: {error}); nothing was saved.",
            file=sys.stderr,
        )
        return 2
    finally:
        if own_engine is not None:  # its connections close now, not whenever the process's objects go
            own_engine.dispose()
