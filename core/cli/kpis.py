"""``kpis``: every KPI of a period beside the previous period, as JSON or CSV (with the counts
behind each share)."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.engine import Engine

from core.cli.common import date_argument
from core.kpis import overview, periods, report
from db.engine import read_session
from db.types import utcnow


def _kpis(args: argparse.Namespace, engine: Engine) -> int:
    now = utcnow()
    with read_session(engine) as session:
        channel_id = report.channel_id_by_name(session, args.channel) if args.channel else None
        period = periods.Period(args.start, args.end)
        values = overview.compute_kpis(session, start=period.start, end=period.end, channel_id=channel_id, now=now)
    if args.json:
        print(report.report_json(values, period=period, channel=args.channel, generated_at=now))
    else:
        print(report.report_csv(values), end="")
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
