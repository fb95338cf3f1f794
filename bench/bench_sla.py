"""SLA monitor benchmarks: the screen's script run on a year with 200,000 conversations, and a
100,000-row CSV import (parse, SLA figures per row with the engine, bulk insert, one transaction).

Run: .venv/bin/python bench/bench_sla.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import signed_in_page, time_page, timed_runs, year_database  # noqa: E402
from core import demo  # noqa: E402
from core.permissions import CLI_ACTOR  # noqa: E402
from core.sla import import_rows, imports, queues  # noqa: E402
from db.engine import make_engine, read_session, write_session  # noqa: E402
from db.migrate import upgrade_to_head  # noqa: E402
from db.models import BusinessCalendarRow, Channel, SlaPolicy  # noqa: E402

PAGE_TARGET_MS = 300
IMPORT_TARGET_S = 15
IMPORT_ROWS = 100_000
YEAR_END = dt.date(2026, 6, 30)  # the generated year ends here (bench.common)
BERLIN = ZoneInfo("Europe/Berlin")


def verdict(ok: bool) -> str:
    return "OK" if ok else "SLOW"


def bench_page() -> None:
    url = year_database(conversations=200_000, today=YEAR_END)

    def period_with_data(at) -> None:
        # The generated year lies in the past: show its last four weeks in the KPI tab.
        at.session_state["sla_kpi_period"] = (YEAR_END - dt.timedelta(days=27), YEAR_END)

    timings = time_page("sla", database_url=url, username="support", runs=7, setup=period_with_data)
    print(f"SLA page, 200,000 conversations, cold: {timings['cold_ms']:.0f} ms")
    warm = timings["warm_ms"]
    print(
        f"SLA page, 200,000 conversations, warm: {warm:.0f} ms (target <= {PAGE_TARGET_MS} ms) {verdict(warm <= PAGE_TARGET_MS)}"
    )
    print(
        f"SLA page right after an action (read caches cleared), median: {_after_write_ms(url, period_with_data):.0f} ms"
    )
    engine = make_engine(url)
    with read_session(engine) as session:
        started = time.perf_counter()
        counts = queues.queue_counts(session)
        page = queues.queue_page(session, queue=queues.Queue.breached)
        uncached = (time.perf_counter() - started) * 1000
    engine.dispose()
    print(
        f"queue counts + first breached page without cache: {uncached:.0f} ms ({counts.breached:,} breached, {len(page.items)} shown)"
    )


def _after_write_ms(url: str, setup, runs: int = 5) -> float:
    """A warm process whose read caches were just cleared, as ``ui.actions.perform`` does after a write."""
    at = signed_in_page("sla", database_url=url, username="support", setup=setup)
    timed_runs(at, runs=1)  # warm up
    return statistics.median(timed_runs(at, runs=runs, clear_caches=True))


def import_csv(rows: int) -> str:
    """A platform export: ISO with offsets, naive local times, Unix seconds; replies and resolved times."""
    rng = random.Random(11)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    lines = ["Message ID,Created At,From,Body,First Response At,Closed At,Type,Topic,Permalink"]
    kinds = ("question", "question", "complaint", "ugc", "praise", "other")
    for n in range(rows):
        received = start + dt.timedelta(seconds=rng.randint(0, 330 * 86400))
        style = n % 3
        if style == 0:
            created = received.isoformat()
        elif style == 1:
            created = received.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")
        else:
            created = str(int(received.timestamp()))
        replied = received + dt.timedelta(minutes=rng.expovariate(1 / 200)) if rng.random() < 0.85 else None
        closed = replied + dt.timedelta(hours=rng.randint(1, 30)) if replied and rng.random() < 0.7 else None
        lines.append(
            f'msg-{n},{created},@user{rng.randint(0, 20000)},"Question {n}: how do I export, please?",'
            f"{replied.strftime('%Y-%m-%dT%H:%M:%SZ') if replied else ''},{closed.strftime('%Y-%m-%dT%H:%M:%SZ') if closed else ''},"
            f"{rng.choice(kinds)},{rng.choice(('billing', 'login', 'export'))},https://example.com/m/{n}"
        )
    return "\n".join(lines) + "\n"


def bench_import() -> None:
    data = import_csv(IMPORT_ROWS).encode()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/import.db")
        upgrade_to_head(engine)
        with write_session(engine) as session:
            channel = Channel(name="Instagram", platform="instagram")
            session.add(channel)
            session.flush()
            row = BusinessCalendarRow(name="Support hours", definition=json.dumps(demo.DEMO_CALENDAR))
            session.add(row)
            session.flush()
            session.add(SlaPolicy(name="General", calendar_id=row.id, first_response_minutes=120))
            session.add(SlaPolicy(name="Complaints", calendar_id=row.id, first_response_minutes=60, kind="complaint"))
            channel_id = channel.id
        columns = import_rows.read_csv(data).columns
        options = import_rows.ImportOptions(
            channel_id=channel_id,
            mapping=import_rows.suggest_mapping(columns),
            timezone="Europe/Berlin",
            file_name="bench.csv",
        )
        started = time.perf_counter()
        with write_session(engine) as session:
            report = imports.import_conversations(session=session, actor=CLI_ACTOR, data=data, options=options)
        elapsed = time.perf_counter() - started
        assert report.ok and report.created == IMPORT_ROWS, report.errors[:3]
        print(
            f"import of {IMPORT_ROWS:,} rows: {elapsed:.1f} s (target <= {IMPORT_TARGET_S} s) {verdict(elapsed <= IMPORT_TARGET_S)}"
        )
        started = time.perf_counter()
        with write_session(engine) as session:
            again = imports.import_conversations(session=session, actor=CLI_ACTOR, data=data, options=options)
        print(
            f"re-import of the same {IMPORT_ROWS:,} rows (idempotent, {again.unchanged:,} unchanged): {time.perf_counter() - started:.1f} s"
        )
        engine.dispose()


if __name__ == "__main__":
    bench_import()
    bench_page()
