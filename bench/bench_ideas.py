"""Benchmark the idea board screen on a generated year: 50,000 ideas and 200,000 votes.

Run from the repository root: ``python bench/bench_ideas.py``. Times the page's script run in
AppTest, signed in as the lead, for each view (warm = reads served from the cache, as for every
click after the first), plus the uncached parts: an idea's detail and similar-title suggestions.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import time_page, year_database  # noqa: E402

from core.ideas import detail, queries  # noqa: E402
from db.engine import make_engine, read_session  # noqa: E402

TARGET_MS = 300
VIEWS = ("Board", "Table", "Impact/Cost matrix", "Hot plan")


def _view(mode: str, selected: int | None = None):
    def setup(at) -> None:
        at.session_state["ideas_mode"] = mode
        if selected is not None:
            at.session_state["ideas_selected"] = selected

    return setup


def _line(label: str, ms: float, target: float | None = TARGET_MS) -> str:
    if target is None:
        return f"{label}: {ms:.0f} ms"
    return f"{label}: {ms:.0f} ms (target <= {target} ms) {'OK' if ms <= target else 'SLOW'}"


def main() -> int:
    url = year_database(ideas=50_000, votes=200_000)
    engine = make_engine(url)
    with read_session(engine) as session:
        counts = queries.status_counts(session=session)
        busiest = queries.board_page(session=session, page_size=1).rows[0].id
        started = time.perf_counter()
        detail.similar_ideas(session=session, title="Dark mode for the mobile app")
        similar_ms = (time.perf_counter() - started) * 1000
    print(f"ideas on the board: {sum(counts.values()):,} (50,000 ideas, 200,000 votes generated)")
    failures = 0
    for mode in VIEWS:
        timing = time_page("ideas", database_url=url, username="lead", runs=7, setup=_view(mode))
        print(_line(f"ideas page ({mode}) cold", timing["cold_ms"], None))
        print(_line(f"ideas page ({mode}) warm", timing["warm_ms"]))
        failures += timing["warm_ms"] > TARGET_MS
    timing = time_page("ideas", database_url=url, username="lead", runs=7, setup=_view("Board", busiest))
    print(_line("ideas page (Board + idea detail, detail uncached) warm", timing["warm_ms"]))
    failures += timing["warm_ms"] > TARGET_MS
    print(_line("similar-title suggestions (uncached query)", similar_ms, None))
    engine.dispose()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
