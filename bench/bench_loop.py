"""Benchmark 'You asked, we did' on a generated year (200k conversations, 50k ideas).

Run from the repository root: ``python bench/bench_loop.py``. The year database is copied, then
300 loop items are opened on its shipped ideas (1–3 ideas each, with impact categories; a third
announced, some thanked) — the generated year has none. Timed: the loop page in AppTest (cold
and warm), and the core reads behind it: open loops, the impact counts of every loop item, a
monthly update and the public board export.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from bench.common import time_page, year_database  # noqa: E402
from core.loop import public_board  # noqa: E402
from core.loop.impact import impacts  # noqa: E402
from core.loop.monthly import monthly_update  # noqa: E402
from core.loop.queries import open_loops  # noqa: E402
from core.permissions import CLI_ACTOR  # noqa: E402
from db.engine import make_engine, read_session  # noqa: E402
from db.models import Idea, LoopItem, LoopItemIdea, LoopThanks  # noqa: E402

LOOP_ITEMS = 300
TODAY = dt.date(2026, 6, 30)
TARGETS_MS = {
    "page cold": 3000,
    "page warm": 300,
    "open loops": 500,
    "impact of every loop item": 1500,
    "monthly update": 500,
    "public board export": 1000,
}


def add_loop_items(url: str) -> None:
    rng = random.Random(11)
    engine = make_engine(url)
    with engine.begin() as connection:
        shipped = connection.execute(
            select(Idea.id, Idea.shipped_at).where(Idea.status == "shipped").order_by(Idea.id)
        ).all()
        rng.shuffle(shipped)
        chunks, position = [], 0
        for _ in range(LOOP_ITEMS):
            size = rng.randint(1, 3)
            chunks.append(shipped[position : position + size])
            position += size
        for n, chunk in enumerate(chunks):
            shipped_on = max(s for _, s in chunk).date()
            announced = (
                dt.datetime.combine(shipped_on + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC)
                if n % 3 == 0
                else None
            )
            item_id = connection.execute(
                insert(LoopItem).values(
                    what_changed=f"Improvement {n} is live",
                    details="",
                    shipped_on=shipped_on,
                    version=1,
                    status="announced" if announced else "shipped",
                    announced_at=announced,
                    impact_window_days=30,
                    impact_categories=rng.choice(("billing", "login", "export, mobile app")),
                    created_at=announced or dt.datetime.now(dt.UTC),
                )
            ).inserted_primary_key[0]
            connection.execute(
                insert(LoopItemIdea), [{"loop_item_id": item_id, "idea_id": idea_id} for idea_id, _ in chunk]
            )
            if announced and n % 2 == 0:
                connection.execute(
                    insert(LoopThanks).values(loop_item_id=item_id, handle="@user1", thanked_at=announced)
                )
    engine.dispose()


def timed(function, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> int:
    source = year_database()
    folder = Path(tempfile.mkdtemp(prefix="bench-loop-"))
    try:
        path = folder / "year.db"
        shutil.copyfile(source.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
        add_loop_items(url)
        engine = make_engine(url)
        figures: dict[str, float] = {}
        with read_session(engine) as session:
            ids = list(session.exec(select(LoopItem.id)).all())
            figures["open loops"] = timed(lambda: open_loops(session))
            figures["impact of every loop item"] = timed(
                lambda: impacts(session, loop_item_ids=ids, today=TODAY), runs=3
            )
            figures["monthly update"] = timed(lambda: monthly_update(session, month=dt.date(2026, 5, 1), today=TODAY))
            figures["public board export"] = timed(
                lambda: public_board.export_html(session=session, actor=CLI_ACTOR, today=TODAY)
            )
        engine.dispose()
        page = time_page("loop", database_url=url, username="lead", runs=7)
        figures["page cold"], figures["page warm"] = page["cold_ms"], page["warm_ms"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    failed = False
    print(f"loop: {LOOP_ITEMS} loop items on a year of 200k conversations and 50k ideas")
    for name, target in TARGETS_MS.items():
        ok = figures[name] <= target
        failed |= not ok
        print(f"loop {name}: {figures[name]:.0f} ms (target <= {target} ms) {'OK' if ok else 'SLOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
