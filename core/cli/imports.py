"""Files in and out: ``import-conversations`` (one row per conversation), ``import-messages`` (one
row per message, folded into conversations), ``import-ideas``, ``export-ideas``, and ``imports
list/show/presets`` — the imports made and the rows each created. The same checks and writes as
the screens: all or nothing, every problem named by row and column."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from core.cli.common import channel_named, read_file, table
from core.errors import ValidationError
from core.handles import split_handles
from core.permissions import CLI_ACTOR
from db.engine import read_session, write_session

ERRORS_SHOWN = 50


def _progress(done: int, total: int, stage: str) -> None:
    print(f"\r{stage}: {done:,} of {total:,}", end="", file=sys.stderr, flush=True)


def _print_problems(errors: Any, count: int) -> None:
    print(f"Nothing was imported: {count:,} problem(s).", file=sys.stderr)
    for error in errors[:ERRORS_SHOWN]:
        print(f"  row {error.row}, column {error.column or '-'}: {error.message}", file=sys.stderr)
    if count > ERRORS_SHOWN:
        print(f"  … and {count - ERRORS_SHOWN:,} more.", file=sys.stderr)


def _options(args: argparse.Namespace, engine: Engine, data: bytes, *, messages: bool) -> Any:
    from core.sla import import_fields, import_rows, presets

    mapping: dict[str, str] = {}
    if getattr(args, "preset", None):
        preset = presets.preset_named(args.preset)
        if preset.messages != messages:
            command = "import-messages" if preset.messages else "import-conversations"
            raise ValidationError(f"The preset {preset.name!r} is for {command}.")
        mapping.update(preset.mapping)
    if args.mapping:
        mapping.update(import_fields.parse_mapping(args.mapping, messages=messages))
    if not mapping:
        columns = import_rows.read_csv(data, Path(args.file).name).columns
        mapping = import_fields.suggest_mapping(columns, messages=messages)
        print("Columns (guessed): " + ", ".join(f"{k} ← {v!r}" for k, v in mapping.items()), file=sys.stderr)
    channel_id = None
    if args.channel:
        with read_session(engine) as session:
            channel_id = channel_named(session, args.channel).id
    team = tuple(h.display for h in split_handles(args.team_handles)) if getattr(args, "team_handles", None) else ()
    return import_fields.ImportOptions(
        channel_id=channel_id,
        mapping=mapping,
        timezone=args.timezone,
        date_order=args.date_order,
        ambiguous=args.ambiguous,
        default_kind=args.default_kind,
        file_name=Path(args.file).name,
        create_channels=args.create_channels,
        history=args.history,
        history_days=args.history_days,
        team_handles=team,
    )


def _import(messages: bool):
    def run(args: argparse.Namespace, engine: Engine) -> int:
        from core.sla import imports

        data = read_file(args.file)
        options = _options(args, engine, data, messages=messages)
        preview = imports.preview_messages if messages else imports.preview_import
        write = imports.import_messages if messages else imports.import_conversations
        if args.dry_run:
            with read_session(engine) as session:
                report = preview(session=session, actor=CLI_ACTOR, data=data, options=options)
        else:
            with write_session(engine) as session:
                report = write(session=session, actor=CLI_ACTOR, data=data, options=options, progress=_progress)
            print(file=sys.stderr)
        for note in (report.file_note, report.date_note):
            if note:
                print(note)
        if not report.ok:
            _print_problems(report.errors, report.error_count)
            return 1
        if report.fold_summary:
            print(report.fold_summary)
        if report.channels_created:
            verb = "Would create" if args.dry_run else "Created"
            print(f"{verb} channel(s): {', '.join(report.channels_created)}.")
        what = "message(s)" if messages else "row(s)"
        if args.dry_run:
            print(
                f"{report.total_rows:,} {what} are fine: {report.created:,} conversation(s) would be new, "
                f"{report.unchanged:,} known already. Nothing written (dry run)."
            )
        else:
            print(
                f"Imported {report.total_rows:,} {what}: {report.created:,} new, {report.updated:,} completed, "
                f"{report.unchanged:,} known already (import #{report.import_id}: python -m core imports show {report.import_id})."
            )
        if report.archived:
            print(
                f"{report.archived:,} unanswered conversation(s) older than the cut-off are archived, never answered (not in the queues)."
            )
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return 0

    return run


def _import_ideas(args: argparse.Namespace, engine: Engine) -> int:
    """``import-ideas FILE``: survey or form results as new ideas, all or nothing (as on the board)."""
    from core.ideas import imports as survey

    data = read_file(args.file, "the survey export")
    columns = survey.read_columns(data, Path(args.file).name)
    guess = survey.guess_mapping(columns)
    mapping = survey.ImportMapping(
        title=args.title or guess.title,
        **{
            f: getattr(args, f) or (None if args.title else getattr(guess, f))
            for f in ("description", "handle", "date", "channel")
        },
    )
    with read_session(engine) as session:
        channel_id = channel_named(session, args.default_channel).id if args.default_channel else None
    options = survey.SurveyOptions(
        mapping=mapping,
        source=args.source,
        default_channel_id=channel_id,
        separators=args.separators,
        date_order=args.date_order,
        timezone=args.timezone,
        ambiguous=args.ambiguous,
        file_name=Path(args.file).name,
    )
    with read_session(engine) as session:
        preview = survey.preview_import(session=session, data=data, options=options)
    print("Columns: " + ", ".join(f"{k} ← {v!r}" for k, v in mapping.used().items()))
    for note in (preview.file_note, preview.date_note):
        if note:
            print(note)
    if not preview.ok:
        _print_problems(preview.errors, preview.error_count)
        return 1
    if args.dry_run:
        print(
            f"{len(preview.rows):,} new idea(s) with {preview.givers:,} giver(s), {preview.already_imported:,} row(s) "
            "imported before. Nothing written (dry run)."
        )
        return 0
    with write_session(engine) as session:
        result = survey.import_ideas(session=session, actor=CLI_ACTOR, data=data, options=options)
    print(
        f"Imported {result.created:,} idea(s) with {result.givers:,} giver(s); {result.already_imported:,} row(s) "
        f"were imported before (import #{result.import_id})."
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


def _imports_list(args: argparse.Namespace, engine: Engine) -> int:
    from core import import_batches  # loaded only for this command (see core.cli)

    with read_session(engine) as session:
        batches = import_batches.recent_imports(session=session, limit=args.limit)
    if not batches:
        print("No imports yet.")
        return 0
    rows = [
        (
            f"#{b.id}",
            f"{b.created_at:%Y-%m-%d %H:%M} UTC",
            b.kind,
            b.actor,
            f"{b.summary.get('created', 0):,} created",
            b.file_name or "-",
        )
        for b in batches
    ]
    print(table(rows, ("import", "when", "kind", "who", "created", "file")))
    return 0


def _imports_show(args: argparse.Namespace, engine: Engine) -> int:
    from core import import_batches  # loaded only for this command (see core.cli)

    with read_session(engine) as session:
        found = import_batches.rows_of(session=session, import_id=args.import_id, limit=args.limit)
    if found is None:
        raise ValidationError(f"There is no import #{args.import_id}; python -m core imports list shows them.")
    batch = found.batch
    print(
        f"Import #{batch.id}: {batch.kind} from {batch.file_name or 'a file'} by {batch.actor}, {batch.created_at:%Y-%m-%d %H:%M} UTC"
    )
    print(
        json.dumps(
            {k: v for k, v in batch.summary.items() if k != "created_ids"}, indent=2, ensure_ascii=False, default=str
        )
    )
    for entity, count in found.counts.items():
        rows = found.rows[entity]
        print(
            f"\n{entity}: {count:,} row(s) carry this import's id"
            + (f" (the first {len(rows)})" if count > len(rows) else "")
        )
        if rows:
            header = tuple(rows[0])
            print(table([tuple(str(r[k]) for k in header) for r in rows], header))
    return 0


def _imports_presets(args: argparse.Namespace, engine: Engine) -> int:
    from core.sla import presets

    for preset in presets.presets().values():
        command = "import-messages" if preset.messages else "import-conversations"
        print(f"{preset.name}  ({command} --preset {preset.name})\n  {preset.label}\n  {preset.description}")
    return 0


def _conversation_flags(parser: argparse.ArgumentParser, *, messages: bool) -> None:
    parser.add_argument("file", help="the export: CSV/TSV, .xlsx or JSON lines")
    parser.add_argument(
        "--channel", help="the channel of rows that name none (by name); needed without a channel column"
    )
    parser.add_argument(
        "--map",
        dest="mapping",
        default="",
        help="field=column pairs, e.g. "
        + (
            "message_id=id,in_reply_to=parent,author=user,sent=time,inbound=incoming"
            if messages
            else "received=created_at,author=user,external_id=id"
        )
        + " (default: the preset, else guessed from the header)",
    )
    parser.add_argument("--timezone", help="the time zone of timestamps without an offset, e.g. Europe/Berlin")
    parser.add_argument(
        "--date-order",
        type=str.upper,
        choices=("DMY", "MDY"),
        help="how to read 03/04/2025: dmy (3 April) or mdy (March 4); needed when the file's own dates do not settle it",
    )
    parser.add_argument(
        "--ambiguous",
        choices=("earlier", "later"),
        help="read a local time the clocks showed twice (the autumn hour) as the earlier or the later one",
    )
    parser.add_argument("--default-kind", default="question", help="kind of rows without one (default: question)")
    parser.add_argument(
        "--create-channels", action="store_true", help="create the channels the file names that do not exist"
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="a backfill: unanswered conversations older than the cut-off are archived, not work in the queues",
    )
    parser.add_argument(
        "--history-days", type=int, default=7, help="the backfill's cut-off in days before now (default 7)"
    )
    parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")


def add_commands(sub: Any) -> None:
    conversations = sub.add_parser(
        "import-conversations", help="import conversations, one row each, from a platform's export (all or nothing)"
    )
    _conversation_flags(conversations, messages=False)
    conversations.add_argument("--preset", help="a preset mapping (python -m core imports presets)")
    conversations.set_defaults(run=_import(messages=False))

    messages = sub.add_parser(
        "import-messages", help="import a thread-shaped export (one row per message), folded into conversations"
    )
    _conversation_flags(messages, messages=True)
    messages.add_argument("--preset", help="a preset mapping, e.g. twitter-customer-support")
    messages.add_argument("--team-handles", help="the team's own handles, when no column says who is the team")
    messages.set_defaults(run=_import(messages=True))

    ideas = sub.add_parser("import-ideas", help="import survey or form results as ideas, all or nothing")
    ideas.add_argument("file", help="the survey export: CSV/TSV, .xlsx or JSON lines, with a header row")
    for field in ("title", "description", "handle", "date", "channel"):
        ideas.add_argument(f"--{field}", help=f"the column holding the {field} (default: guessed from the header)")
    ideas.add_argument("--default-channel", help="channel (by name) of rows without a channel column")
    ideas.add_argument("--source", default="survey", help="where the ideas came from (default: survey)")
    ideas.add_argument(
        "--separators",
        default="comma,semicolon,newline",
        help="what separates several givers in one cell: comma, semicolon, newline, pipe, slash (never spaces)",
    )
    ideas.add_argument(
        "--date-order",
        type=str.upper,
        choices=("DMY", "MDY"),
        help="dmy or mdy, when the file's dates do not settle it",
    )
    ideas.add_argument("--timezone", help="the time zone of dates without an offset (default: the workspace's)")
    ideas.add_argument(
        "--ambiguous", choices=("earlier", "later"), help="read the autumn hour as the earlier or later one"
    )
    ideas.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
    ideas.set_defaults(run=_import_ideas)

    export = sub.add_parser("export-ideas", help="write every idea on the board as CSV (to a file or stdout)")
    export.add_argument("target", nargs="?", help="the CSV file to write (default: standard output)")
    export.set_defaults(run=_export_ideas)

    made = sub.add_parser("imports", help="the imports made and the rows each created").add_subparsers(
        dest="imports_command", required=True
    )
    listing = made.add_parser("list", help="the latest imports")
    listing.add_argument("--limit", type=int, default=30)
    listing.set_defaults(run=_imports_list)
    show = made.add_parser("show", help="one import: what it read and the rows it created")
    show.add_argument("import_id", type=int)
    show.add_argument("--limit", type=int, default=20, help="rows shown per table (default 20)")
    show.set_defaults(run=_imports_show)
    made.add_parser("presets", help="the preset mappings of documented export shapes").set_defaults(
        run=_imports_presets
    )
