"""One measurement in the process of the code being measured (the runner starts these).

    python -m bench.measure load    --source YEAR.db --url URL
    python -m bench.measure screens --url URL --screens home,sla --runs 7 --after-save-runs 5 --out F.json
    python -m bench.measure browser --url URL --screens home,sla --tries 5 --out F.json
    python -m bench.measure cli     --url URL --start 2026-10-01 --end 2026-10-31 --runs 5 --out F.json

Each writes its figures as JSON to ``--out`` and progress lines to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load")
    load.add_argument("--source", type=Path, required=True)
    load.add_argument("--url", required=True)
    for name in ("screens", "browser", "cli"):
        command = commands.add_parser(name)
        command.add_argument("--url", required=True)
        command.add_argument("--out", type=Path, required=True)
        if name != "cli":
            command.add_argument("--screens", default="")
        if name == "screens":
            command.add_argument("--runs", type=int, default=7)
            command.add_argument("--after-save-runs", type=int, default=5)
        if name == "browser":
            command.add_argument("--tries", type=int, default=5)
        if name == "cli":
            command.add_argument("--start", type=dt.date.fromisoformat, required=True)
            command.add_argument("--end", type=dt.date.fromisoformat, required=True)
            command.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    if args.command == "load":
        from bench.databases import load as load_year

        _log(f"  loaded: {load_year(args.source, args.url)}")
        return 0
    screens = [s for s in getattr(args, "screens", "").split(",") if s]
    if args.command == "screens":
        from bench import screens as screen_bench

        figures = screen_bench.measure(
            args.url, screens=screens, runs=args.runs, after_save_runs=args.after_save_runs, log=_log
        )
    elif args.command == "browser":
        from bench import browser

        figures = browser.measure(args.url, screens=screens, tries=args.tries, log=_log)
    else:
        from bench import cli_kpis

        figures = cli_kpis.measure(args.url, start=args.start, end=args.end, runs=args.runs, log=_log)
    args.out.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
