"""SLA import benchmark: a 100,000-row CSV import (parse, SLA figures per row with the engine,
bulk insert, one transaction), and the same file again (idempotent).

Run: .venv/bin/python bench/bench_sla.py (the SLA screen's figures are in ``python -m bench``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import demo  # noqa: E402
from core.permissions import CLI_ACTOR  # noqa: E402
from core.sla import import_rows, imports  # noqa: E402
from db.engine import make_engine, write_session  # noqa: E402
from db.migrate import upgrade_to_head  # noqa: E402
from db.models import BusinessCalendarRow, Channel, SlaPolicy  # noqa: E402

IMPORT_TARGET_S = 15
IMPORT_ROWS = 100_000
BERLIN = ZoneInfo("Europe/Berlin")


def verdict(ok: bool) -> str:
    return "OK" if ok else "SLOW"


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


def bench_import() -> bool:
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
    return elapsed <= IMPORT_TARGET_S


if __name__ == "__main__":
    sys.exit(0 if bench_import() else 1)
