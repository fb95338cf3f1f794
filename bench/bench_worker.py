"""Benchmark the worker's SLA scan on the generated year (200k conversations; ``bench.year``).

Run from the repository root: ``python bench/bench_worker.py``. The scan runs every minute: the
first round on a copy of the year announces what is at risk or breached now (timed apart, it
writes the notifications); then each further round — the worker's steady state — is timed
(median of 7): the policies, the at-risk cut-offs and the one query over the queue's index that
finds what nobody was told yet. On SQLite, and on PostgreSQL too when ``BENCH_DATABASE_URL`` or
``TEST_DATABASE_URL`` names a server. Prints each figure beside its target; exits non-zero on a miss.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import year_database  # noqa: E402
from bench.databases import load, postgres_database, remove_sqlite, server_url, sqlite_copy  # noqa: E402
from core.live import scan  # noqa: E402
from db.engine import make_engine, write_session  # noqa: E402
from db.migrate import upgrade_to_head  # noqa: E402

TARGET_MS = 200
RUNS = 7


def measure(url: str, backend: str) -> bool:
    engine = make_engine(url)
    upgrade_to_head(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        now = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        with write_session(engine) as session:
            first = scan.scan(session, now=now)
        first_ms = (time.perf_counter() - started) * 1000
        timings, queries = [], []
        for n in range(RUNS):
            statements.clear()
            started = time.perf_counter()
            with write_session(engine) as session:
                scan.scan(session, now=now + dt.timedelta(seconds=60 * (n + 1)))
            timings.append((time.perf_counter() - started) * 1000)
            queries.append(sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")))
    finally:
        engine.dispose()
    figure = statistics.median(timings)
    ok = figure <= TARGET_MS
    print(
        f"worker ({backend}): the first scan of the year announced {first[0]} at risk and {first[1]} breached "
        f"in {first_ms:.0f} ms"
    )
    print(
        f"worker scan ({backend}, steady state, 200k conversations): {figure:.0f} ms (target <= {TARGET_MS} ms) "
        f"{'OK' if ok else 'SLOW'}"
    )
    print(
        f"worker scan statements per round ({backend}): {min(queries)} SELECT when nothing is new (the policies and "
        f"calendars, the at-risk cut-offs, the scan itself), up to {max(queries)} when a round announces something"
    )
    return ok


def main() -> int:
    source = Path(make_url(year_database("200k")).database or "")
    url = sqlite_copy(source, Path(tempfile.gettempdir()) / "dialogdesk-bench", label="worker")
    try:
        ok = measure(url, "sqlite")
    finally:
        remove_sqlite(url)
    server = server_url()
    if server:
        with postgres_database(server, label="worker") as pg_url:
            load(source, pg_url)
            ok = measure(pg_url, "postgresql") and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
