"""``python -m core kpis --from … --to … --json`` for a month, each time as a new process (the
interpreter's start-up and imports included: what a script or a cron job waits for)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before the one ``today`` is in."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def measure(
    database_url: str, *, start: dt.date, end: dt.date, runs: int, log: Callable[[str], None]
) -> dict[str, Any]:
    env = dict(os.environ, DATABASE_URL=database_url)
    command = [sys.executable, "-m", "core", "kpis", "--from", start.isoformat(), "--to", end.isoformat(), "--json"]
    timings = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = (time.perf_counter() - started) * 1000
        if done.returncode != 0:
            return {"skipped": f"the command failed: {done.stderr.strip()[-300:]}"}
        json.loads(done.stdout)  # a JSON document, or this is not the figure we mean
        if attempt:  # the first run fills the operating system's file cache
            timings.append(elapsed)
    log(f"  kpis --json {start}..{end}: {sorted(timings)[len(timings) // 2]:.0f} ms")
    return {"cli_ms": timings, "period": [start.isoformat(), end.isoformat()]}
