"""People: ``users add/list/set-role/set-password/deactivate/activate/unlock``."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.engine import Engine

from core import workspace
from core.cli.common import Command, read_password
from core.permissions import CLI_ACTOR
from core.users import accounts, queries, throttle
from db.engine import read_session, write_session
from db.models import UserCreate


def _users_add(args: argparse.Namespace, engine: Engine) -> int:
    password = read_password()
    with write_session(engine) as session:
        workspace.ensure_workspace(session=session, actor=CLI_ACTOR)
        user_in = UserCreate(
            username=args.username, password=password, role=args.role, name=args.name or "", email=args.email or ""
        )
        user = accounts.create_user(session=session, actor=CLI_ACTOR, user_in=user_in)
    print(f"Created {user.username} ({user.role}).")
    return 0


def _users_list(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        rows = queries.list_users(session=session)
    if not rows:
        print("No users yet. Create the first admin with: python -m core users add NAME --role admin")
        return 0
    width = max(len(u.username) for u in rows)
    for u in rows:
        state = "active" if u.active else "deactivated"
        print(f"{u.username:<{width}}  {u.role:<10}  {state:<11}  {u.name}")
    return 0


def _users_set_role(args: argparse.Namespace, engine: Engine) -> int:
    with write_session(engine) as session:
        user = accounts.set_role(session=session, actor=CLI_ACTOR, username=args.username, role=args.role)
    print(f"{user.username} is now {user.role}.")
    return 0


def _users_set_password(args: argparse.Namespace, engine: Engine) -> int:
    password = read_password("New password: ")
    with write_session(engine) as session:
        accounts.set_password(session=session, actor=CLI_ACTOR, username=args.username, password=password)
    print(f"Password of {args.username} changed; their open sessions are signed out.")
    return 0


def _users_set_active(active: bool) -> Command:
    def run(args: argparse.Namespace, engine: Engine) -> int:
        with write_session(engine) as session:
            accounts.set_active(session=session, actor=CLI_ACTOR, username=args.username, active=active)
        print(f"{args.username} is {'active again' if active else 'deactivated and signed out at their next click'}.")
        return 0

    return run


def _users_unlock(args: argparse.Namespace, engine: Engine) -> int:
    with write_session(engine) as session:
        throttle.lift(session=session, actor=CLI_ACTOR, scope=throttle.Scope.username, key=args.username)
    print(f"{args.username} may sign in again (the sign-in lock is lifted).")
    return 0


def add_commands(sub: Any) -> None:
    users_parser = sub.add_parser("users", help="manage users")
    users_sub = users_parser.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="create a user (password from a prompt or stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True)
    add.add_argument("--name")
    add.add_argument("--email")
    add.set_defaults(run=_users_add)
    users_sub.add_parser("list", help="list users").set_defaults(run=_users_list)
    set_role = users_sub.add_parser("set-role", help="change a user's role")
    set_role.add_argument("username")
    set_role.add_argument("role")
    set_role.set_defaults(run=_users_set_role)
    for name, run, text in (
        ("set-password", _users_set_password, "set a new password (prompt or stdin)"),
        ("deactivate", _users_set_active(False), "deactivate a user"),
        ("activate", _users_set_active(True), "activate a user again"),
        ("unlock", _users_unlock, "lift the sign-in lock of a username after too many failed sign-ins"),
    ):
        p = users_sub.add_parser(name, help=text)
        p.add_argument("username")
        p.set_defaults(run=run)
