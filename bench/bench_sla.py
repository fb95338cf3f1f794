"""SLA monitor benchmark: the screen's script run on a year with 200,000 conversations (the
imports are timed in bench/bench_imports.py).

Run: .venv/bin/python bench/bench_sla.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import signed_in_page, time_page, timed_runs, year_database  # noqa: E402
from core.sla import queues  # noqa: E402
from db.engine import make_engine, read_session  # noqa: E402

PAGE_TARGET_MS = 300
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


if __name__ == "__main__":
    bench_page()
