"""Benchmark the core reads of 'You asked, we did' on the generated year (200k conversations,
50k ideas, 300 loop items shipped over the year; ``bench.year``).

Run from the repository root: ``python bench/bench_loop.py``. Timed (median, no cache): open
loops, the impact counts of every loop item (conversations in its categories around shipping),
the monthly update of the last full month and the public board export. The loop screen itself
(cache empty, cached, statements) is measured by ``python -m bench``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select  # noqa: E402

from bench.year import local_today, year_file  # noqa: E402
from core.loop import public_board  # noqa: E402
from core.loop.impact import impacts  # noqa: E402
from core.loop.monthly import monthly_update  # noqa: E402
from core.loop.queries import open_loops  # noqa: E402
from core.permissions import CLI_ACTOR  # noqa: E402
from db.engine import make_engine, read_session  # noqa: E402
from db.models import LoopItem  # noqa: E402

TARGETS_MS = {
    "open loops": 500,
    "impact of every loop item": 1500,
    "monthly update": 500,
    "public board export": 1000,
}


def timed(function, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> int:
    path = year_file("200k")
    today = local_today(dt.datetime.now(dt.UTC))
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    engine = make_engine(f"sqlite:///{path}")
    figures: dict[str, float] = {}
    with read_session(engine) as session:
        ids = list(session.exec(select(LoopItem.id)).all())
        figures["open loops"] = timed(lambda: open_loops(session))
        figures["impact of every loop item"] = timed(lambda: impacts(session, loop_item_ids=ids, today=today), runs=3)
        figures["monthly update"] = timed(lambda: monthly_update(session, month=last_month, today=today))
        figures["public board export"] = timed(
            lambda: public_board.export_html(session=session, actor=CLI_ACTOR, today=today)
        )
    engine.dispose()
    failed = False
    print(f"loop: {len(ids)} loop items on a year of 200k conversations and 50k ideas")
    for name, target in TARGETS_MS.items():
        ok = figures[name] <= target
        failed |= not ok
        print(f"loop {name}: {figures[name]:.0f} ms (target <= {target} ms) {'OK' if ok else 'SLOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
