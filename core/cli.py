"""Command-line entry point: users, demo data, migrations, backups (and what later screens add).

Passwords are read from a hidden prompt, or from standard input when it is not a terminal, so
scripts can pipe them; never from an argument.
"""

from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from core import demo, workspace
from core.errors import DomainError
from core.kpis import periods, report
from core.permissions import CLI_ACTOR
from core.settings import load_settings
from core.users import accounts, queries, throttle
from db.engine import make_engine, read_session, write_session
from db.migrate import upgrade_to_head
from db.models import UserCreate
from db.types import utcnow

Command = Callable[[argparse.Namespace, Engine], int]


def _read_password(prompt: str = "Password: ") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Repeat password: ") != first:
            raise DomainError("The two passwords differ; nothing was changed.")
        return first
    return sys.stdin.readline().rstrip("\n")


def _migrate(args: argparse.Namespace, engine: Engine) -> int:
    upgrade_to_head(engine)
    print("Database is at the newest schema.")
    return 0


def _users_add(args: argparse.Namespace, engine: Engine) -> int:
    password = _read_password()
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
    password = _read_password("New password: ")
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


def _demo(args: argparse.Namespace, engine: Engine) -> int:
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


def _date_argument(text: str):
    try:
        return periods.parse_date(text)
    except DomainError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _kpis(args: argparse.Namespace, engine: Engine) -> int:
    """``kpis``: the audited KPI report, as the screen exports it."""
    with write_session(engine) as session:
        text = report.export_report(
            session=session,
            actor=CLI_ACTOR,
            period=periods.Period(args.start, args.end),
            channel=args.channel,
            file_format="json" if args.json else "csv",
            now=utcnow(),
        )
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def _import_ideas(args: argparse.Namespace, engine: Engine) -> int:
    """``import-ideas FILE``: survey or form results as new ideas, all or nothing (as on the board)."""
    from core.ideas import files

    path = Path(args.file)
    if not path.is_file():
        raise DomainError(f"{path} is not a file; give the path of the CSV export.")
    data = path.read_bytes()
    columns, _ = files.read_csv(data)
    guess = files.guess_mapping(columns)
    mapping = files.ImportMapping(
        title=args.title or guess.title,
        **{
            f: getattr(args, f) or (None if args.title else getattr(guess, f))
            for f in ("description", "handle", "date", "channel")
        },
    )
    with read_session(engine) as session:
        channels = {c.name.casefold(): c.id for c in workspace.list_channels(session, include_inactive=True)}
        channel_id = channels.get(args.default_channel.strip().casefold()) if args.default_channel else None
        if args.default_channel and channel_id is None:
            raise DomainError(f"No channel named {args.default_channel!r}; create it first or check the spelling.")
        preview = files.preview_import(
            session=session, data=data, mapping=mapping, source=args.source, default_channel_id=channel_id
        )
    print("Columns: " + ", ".join(f"{k} ← {v!r}" for k, v in mapping.used().items()))
    if not preview.ok:
        print(f"Nothing was imported: {preview.error_count} problem(s).", file=sys.stderr)
        for error in preview.errors[:50]:
            print(f"  row {error.row}, column {error.column!r}: {error.message}", file=sys.stderr)
        return 1
    if args.dry_run:
        print(
            f"{len(preview.rows)} new idea(s), {preview.already_imported} row(s) imported before. Nothing written (dry run)."
        )
        return 0
    with write_session(engine) as session:
        result = files.import_ideas(
            session=session,
            actor=CLI_ACTOR,
            data=data,
            mapping=mapping,
            source=args.source,
            default_channel_id=channel_id,
        )
    print(
        f"Imported {result.created} idea(s) with {result.givers} giver(s); {result.already_imported} row(s) were imported before."
    )
    return 0


def _export_ideas(args: argparse.Namespace, engine: Engine) -> int:
    from core.ideas import files

    with write_session(engine) as session:  # the export's audit row
        text = files.export_csv(session=session, actor=CLI_ACTOR)
    if args.target:
        Path(args.target).write_text(text, encoding="utf-8")
        print(f"Ideas written to {args.target}.")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Dialog Desk command line.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="upgrade the database to the newest schema").set_defaults(run=_migrate)

    imports = sub.add_parser(
        "import-conversations", help="import conversations from a platform's CSV export (all or nothing)"
    )
    imports.add_argument("file", help="the CSV file")
    imports.add_argument("--channel", required=True, help="the channel the export comes from (by name)")
    imports.add_argument(
        "--map",
        dest="mapping",
        default="",
        help="field=column pairs, e.g. received=created_at,author=user,external_id=id (default: guessed from the header)",
    )
    imports.add_argument("--timezone", help="the time zone of timestamps without an offset, e.g. Europe/Berlin")
    imports.add_argument(
        "--date-order", choices=("DMY", "MDY"), default="DMY", help="how to read 03/04/2025 (default DMY: 3 April)"
    )
    imports.add_argument("--default-kind", default="question", help="kind of rows without one (default: question)")
    imports.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
    imports.set_defaults(run=_import_conversations)

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

    import_ideas = sub.add_parser("import-ideas", help="import survey or form results (CSV) as ideas, all or nothing")
    import_ideas.add_argument("file", help="the CSV file (UTF-8, with a header row)")
    for field in ("title", "description", "handle", "date", "channel"):
        import_ideas.add_argument(
            f"--{field}", help=f"the column holding the {field} (default: guessed from the header)"
        )
    import_ideas.add_argument("--default-channel", help="channel (by name) of rows without a channel column")
    import_ideas.add_argument("--source", default="survey", help="where the ideas came from (default: survey)")
    import_ideas.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
    import_ideas.set_defaults(run=_import_ideas)
    export_ideas = sub.add_parser("export-ideas", help="write every idea on the board as CSV (to a file or stdout)")
    export_ideas.add_argument("target", nargs="?", help="the CSV file to write (default: standard output)")
    export_ideas.set_defaults(run=_export_ideas)

    demo_parser = sub.add_parser("demo", help="load the demo workspace (idempotent)")
    demo_parser.add_argument("--force", action="store_true", help="load even into a real workspace")
    demo_parser.add_argument("--if-empty", action="store_true", help="do nothing when a real workspace exists")
    demo_parser.set_defaults(run=_demo)

    backup = sub.add_parser("backup", help="copy the SQLite database to a file, consistently")
    backup.add_argument("target")
    backup.set_defaults(run=_backup)

    kpis_parser = sub.add_parser("kpis", help="every KPI for a period, with the previous period, as JSON or CSV")
    kpis_parser.add_argument(
        "--from", dest="start", required=True, type=_date_argument, metavar="YYYY-MM-DD", help="first day"
    )
    kpis_parser.add_argument(
        "--to", dest="end", required=True, type=_date_argument, metavar="YYYY-MM-DD", help="last day (inclusive)"
    )
    kpis_parser.add_argument("--channel", help="one channel by name (default: all channels)")
    kpis_format = kpis_parser.add_mutually_exclusive_group(required=True)
    kpis_format.add_argument("--json", action="store_true", help="a JSON document")
    kpis_format.add_argument("--csv", action="store_true", help="a CSV table")
    kpis_parser.set_defaults(run=_kpis)
    return parser


def main(argv: Sequence[str] | None = None, *, engine: Engine | None = None) -> int:
    args = build_parser().parse_args(argv)
    engine = engine or make_engine(load_settings().database_url)
    try:
        if args.command != "migrate":
            upgrade_to_head(engine)
        return args.run(args, engine)
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _import_conversations(args: argparse.Namespace, engine: Engine) -> int:
    """``import-conversations FILE --channel NAME``: the same checks and writes as the screen."""
    from core.sla import import_rows, imports

    path = Path(args.file)
    if not path.is_file():
        raise DomainError(f"{path} is not a file; give the path of the CSV export.")
    data = path.read_bytes()
    with read_session(engine) as session:
        channel_id = next(
            (
                c.id
                for c in workspace.list_channels(session, include_inactive=True)
                if c.name.casefold() == args.channel.strip().casefold()
            ),
            None,
        )
    if channel_id is None:
        raise DomainError(f"No channel named {args.channel!r}; create it first or check the spelling.")
    mapping = (
        import_rows.parse_mapping(args.mapping)
        if args.mapping
        else import_rows.suggest_mapping(import_rows.read_csv(data).columns)
    )
    options = import_rows.ImportOptions(
        channel_id=channel_id,
        mapping=mapping,
        timezone=args.timezone,
        date_order=args.date_order,
        default_kind=args.default_kind,
        file_name=path.name,
    )

    def progress(done: int, total: int, stage: str) -> None:
        print(f"\r{stage}: {done:,} of {total:,}", end="", file=sys.stderr, flush=True)

    if args.dry_run:
        with read_session(engine) as session:
            report = imports.preview_import(session=session, actor=CLI_ACTOR, data=data, options=options)
    else:
        with write_session(engine) as session:
            report = imports.import_conversations(
                session=session, actor=CLI_ACTOR, data=data, options=options, progress=progress
            )
    print(file=sys.stderr)
    if not report.ok:
        print(f"Nothing was imported: {report.error_count} problem(s).", file=sys.stderr)
        for error in report.errors[:50]:
            print(f"  row {error.row}, column {error.column or '-'}: {error.message}", file=sys.stderr)
        if report.error_count > 50:
            print(f"  … and {report.error_count - 50} more.", file=sys.stderr)
        return 1
    if args.dry_run:
        print(
            f"{report.total_rows} row(s) are fine: {report.created} would be new, {report.unchanged} are known already. Nothing written (dry run)."
        )
    else:
        print(
            f"Imported {report.total_rows} row(s): {report.created} new, {report.updated} completed, {report.unchanged} known already."
        )
    return 0
