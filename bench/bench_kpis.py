"""Benchmark the KPI overview and `python -m core kpis` on a generated year of data.

Run from the repository root: ``.venv/bin/python bench/bench_kpis.py``.

Two generated years (``bench.common.year_database``): the full one (200,000 conversations,
20,000 posts, 50,000 ideas, 200,000 votes) and one a hundredth of its size (2,000 conversations,
200 posts, 500 ideas, 2,000 votes). For each it reports the overview's script run in AppTest
signed in as the viewer (cold = first run, computing every figure; warm = the median of the next
runs, served from the per-period cache), the uncached core computation (every KPI for June 2026
and the period before, plus twelve weeks of trends), and the command line as a fresh process.
Targets: overview warm <= 300 ms, and the full year's warm run at most 3x the small one's.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, time_page, year_database  # noqa: E402
from core.kpis.overview import compute_kpis  # noqa: E402
from core.kpis.periods import PeriodKind  # noqa: E402
from core.kpis.trends import Grain, kpi_trends  # noqa: E402
from db.engine import make_engine, read_session  # noqa: E402

PERIOD = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))  # the last month of the generated year
NOW = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)
WARM_TARGET_MS = 300
RATIO_TARGET = 3.0


def choose_period(at) -> None:
    at.session_state["kpis_kind"] = PeriodKind.custom
    at.session_state["kpis_custom"] = PERIOD


def core_ms(url: str, runs: int = 5) -> float:
    """Median time of the uncached core work behind one overview: KPIs (both periods) and trends."""
    engine = make_engine(url)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with read_session(engine) as session:
            compute_kpis(session, start=PERIOD[0], end=PERIOD[1], channel_id=None, now=NOW)
            kpi_trends(session, end=PERIOD[1], grain=Grain.week, count=12, channel_id=None, now=NOW)
        timings.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return statistics.median(timings)


def cli_ms(url: str, runs: int = 3) -> float:
    """Median wall time of `python -m core kpis --json` as a new process (start-up included)."""
    env = dict(os.environ, DATABASE_URL=url)
    command = [
        sys.executable,
        "-m",
        "core",
        "kpis",
        "--from",
        PERIOD[0].isoformat(),
        "--to",
        PERIOD[1].isoformat(),
        "--json",
    ]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def cli_in_process_ms(url: str, runs: int = 5) -> float:
    """Median time of the same command run in this process (no interpreter start-up, warm imports)."""
    import contextlib
    import io

    from core import cli

    engine = make_engine(url)
    args = ["kpis", "--from", PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(), "--json"]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(args, engine=engine)
        timings.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return statistics.median(timings)


def main() -> int:
    sizes = {
        "2,000 conversations": year_database(conversations=2_000, posts=200, ideas=500, votes=2_000),
        "200,000 conversations": year_database(),
    }
    results = {}
    for name, url in sizes.items():
        page = time_page("kpis", database_url=url, username="viewer", runs=7, setup=choose_period)
        results[name] = page
        print(f"kpis overview ({name}): cold {page['cold_ms']:.0f} ms, warm {page['warm_ms']:.0f} ms")
        print(
            f"kpis core, uncached ({name}): {core_ms(url):.0f} ms for every KPI of June 2026 and the 30 days before, plus 12 weeks of trends"
        )
        print(
            f"kpis CLI --json ({name}): {cli_ms(url):.0f} ms as a new process, start-up included; {cli_in_process_ms(url):.0f} ms in process"
        )
    small, big = (results[name]["warm_ms"] for name in sizes)
    ratio = big / small
    ok_warm = big <= WARM_TARGET_MS
    ok_ratio = ratio <= RATIO_TARGET
    print(f"kpis overview warm: {big:.0f} ms (target <= {WARM_TARGET_MS} ms) {'OK' if ok_warm else 'TOO SLOW'}")
    print(
        f"kpis overview warm ratio 200,000 / 2,000 conversations: {ratio:.2f}x (target <= {RATIO_TARGET:.0f}x) {'OK' if ok_ratio else 'TOO STEEP'}"
    )
    return 0 if ok_warm and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
