"""``python -m core kpis --from … --to … --json`` for a month, each time as a new process (the
interpreter's start-up and imports included: what a script or a cron job waits for).

The child runs without ``PYTHONDONTWRITEBYTECODE`` (a user's machine writes bytecode): the first,
uncounted run compiles and caches the sources, the counted runs read the bytecode as a user's do.
Beside the command, ``python -m core --help`` is timed the same way: the same start-up, imports and
exit without the work, i.e. the share of the figure that is not the KPIs."""

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


def child_environment(database_url: str) -> dict[str, str]:
    """The bench's environment for the child, minus ``PYTHONDONTWRITEBYTECODE`` (see above)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["DATABASE_URL"] = database_url
    return env


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return (time.perf_counter() - started) * 1000, done


def measure(
    database_url: str, *, start: dt.date, end: dt.date, runs: int, log: Callable[[str], None]
) -> dict[str, Any]:
    env = child_environment(database_url)
    command = [sys.executable, "-m", "core", "kpis", "--from", start.isoformat(), "--to", end.isoformat(), "--json"]
    timings = []
    for attempt in range(runs + 1):
        elapsed, done = _timed(command, env)
        if done.returncode != 0:
            return {"skipped": f"the command failed: {done.stderr.strip()[-300:]}"}
        json.loads(done.stdout)  # a JSON document, or this is not the figure we mean
        if attempt:  # the first run writes the bytecode and fills the operating system's file cache
            timings.append(elapsed)
    imports = []
    for _ in range(runs):
        elapsed, done = _timed([sys.executable, "-m", "core", "--help"], env)
        if done.returncode != 0:
            return {"skipped": f"python -m core --help failed: {done.stderr.strip()[-300:]}"}
        imports.append(elapsed)
    middle = len(timings) // 2
    log(
        f"  kpis --json {start}..{end}: {sorted(timings)[middle]:.0f} ms, of which start-up, imports and exit "
        f"{sorted(imports)[middle]:.0f} ms"
    )
    return {"cli_ms": timings, "import_ms": imports, "period": [start.isoformat(), end.isoformat()]}
