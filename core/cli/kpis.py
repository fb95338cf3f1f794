"""``kpis``: every KPI of a period beside the previous period, as JSON or CSV (with the counts
behind each share)."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.engine import Engine

from core.cli.common import date_argument
from core.kpis import periods
from core.permissions import CLI_ACTOR
from db.engine import write_session
from db.types import utcnow


def _kpis(args: argparse.Namespace, engine: Engine) -> int:
    """``kpis``: the audited KPI report, as the screen exports it."""
    from core.kpis import report  # every KPI family: loaded only for this command (see core.cli)

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


def add_commands(sub: Any) -> None:
    kpis_parser = sub.add_parser("kpis", help="every KPI for a period, with the previous period, as JSON or CSV")
    kpis_parser.add_argument(
        "--from", dest="start", required=True, type=date_argument, metavar="YYYY-MM-DD", help="first day"
    )
    kpis_parser.add_argument(
        "--to", dest="end", required=True, type=date_argument, metavar="YYYY-MM-DD", help="last day (inclusive)"
    )
    kpis_parser.add_argument("--channel", help="one channel by name (default: all channels)")
    kpis_format = kpis_parser.add_mutually_exclusive_group(required=True)
    kpis_format.add_argument("--json", action="store_true", help="a JSON document")
    kpis_format.add_argument("--csv", action="store_true", help="a CSV table")
    kpis_parser.set_defaults(run=_kpis)
