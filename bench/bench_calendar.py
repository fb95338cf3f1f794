"""Benchmark the content calendar with 20,000 posts in the database.

Run from the repository root: ``python bench/bench_calendar.py``. It builds (once, cached) the
generated year of ``bench/common.py`` and times the calendar page's script run in AppTest, signed
in as the admin: the month view with the list (the default tab), then the week view. It also
times the core queries behind them on their own, so a regression can be told apart from
rendering. The target is the page's warm run of the month view + list: <= 300 ms.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import func, select  # noqa: E402

from bench.common import signed_in_page, time_page, timed_runs, year_database  # noqa: E402
from core.content_plan import conversion, queries, timing  # noqa: E402
from core.local_time import days_bounds  # noqa: E402
from db.engine import make_engine, read_session  # noqa: E402
from db.models import Post  # noqa: E402

TARGET_MS = 300
POSTS = 20_000
TODAY = dt.date(2026, 6, 30)  # the generated year ends here
ANCHOR = dt.date(2026, 6, 15)  # a month full of posts (about 50 a day)


def _median_ms(call, runs: int = 7) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> int:
    url = year_database(posts=POSTS, today=TODAY)  # the shared generated year (cached in bench/.cache)
    engine = make_engine(url)
    tz = ZoneInfo("Europe/Berlin")
    first, last = timing.month_grid(ANCHOR)
    start, end = days_bounds(first, last, tz)
    with read_session(engine) as session:
        total = session.exec(select(func.count()).select_from(Post)).one()
        entries = queries.calendar_entries(session, start=start, end=end)
        window_ms = _median_ms(lambda: queries.calendar_entries(session, start=start, end=end))
        list_ms = _median_ms(lambda: queries.list_posts(session, start=start, end=end, sort="title", page=3))
        rubric_ms = _median_ms(lambda: conversion.rubric_conversions(session, start=start, end=end))
    engine.dispose()
    print(f"posts in the database: {total}; in the month grid {first} .. {last}: {len(entries)}")
    print(f"core month window query: {window_ms:.1f} ms")
    print(f"core list page query (sorted by title, page 3 of 50): {list_ms:.1f} ms")
    print(f"core conversion per rubric (GROUP BY): {rubric_ms:.1f} ms")

    def month(at):
        at.session_state["calendar_anchor"] = ANCHOR

    def week(at):
        at.session_state["calendar_anchor"] = ANCHOR
        at.session_state["calendar_mode"] = "Week"

    ok = True
    for label, setup, gated in (("month view + list", month, True), ("week view + list", week, False)):
        result = time_page("calendar", database_url=url, username="admin", runs=7, setup=setup)
        verdict = "OK" if result["warm_ms"] <= TARGET_MS else "TOO SLOW"
        if gated:
            ok = ok and verdict == "OK"
        print(
            f"calendar page ({label}) cold: {result['cold_ms']:.0f} ms, warm: {result['warm_ms']:.0f} ms "
            f"(target <= {TARGET_MS} ms) {verdict if gated else ''}".rstrip()
        )
    uncached = _time_after_writes(url)
    print(
        f"calendar page (month view + list, read caches cleared before each run as after a save): "
        f"{uncached['warm_ms']:.0f} ms; {uncached['posts_shown']} post lines in the grid, {uncached['list_rows']} list rows"
    )
    return 0 if ok else 1


def _time_after_writes(url: str, runs: int = 7) -> dict[str, float]:
    """The month view's run when no read is cached (every save clears the caches)."""

    def anchor(at):
        at.session_state["calendar_anchor"] = ANCHOR

    at = signed_in_page("calendar", database_url=url, username="admin", setup=anchor)
    timed_runs(at, runs=1)  # warm up
    timings = timed_runs(at, runs=runs, clear_caches=True)
    lines = sum(m.value.count("-badge[") for m in at.markdown if m.value.startswith(":"))
    rows = len(at.dataframe[0].value) if at.dataframe else 0
    return {"warm_ms": statistics.median(timings), "posts_shown": lines, "list_rows": rows}


if __name__ == "__main__":
    sys.exit(main())
