"""The embedded SQLite under concurrent writers, and instants stored as aware UTC."""

import datetime as dt
import multiprocessing
import shutil

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.engine import make_engine, write_session
from db.models import AuditLog, Channel

WRITES = 150


def _read_then_write(url: str, worker: int, queue) -> None:
    engine = make_engine(url)
    errors = 0
    for n in range(WRITES):
        try:
            with write_session(engine) as session:
                # Read first, then write: the pattern that locks up in a deferred transaction.
                count = session.exec(select(Channel.id)).all()
                session.add(Channel(name=f"w{worker}-{n}-{len(count)}"))
        except Exception as error:  # noqa: BLE001 - counted and reported by the test
            errors += 1
            queue.put(repr(error))
    queue.put(errors)
    engine.dispose()


def test_two_processes_writing_at_once_never_see_database_is_locked(sqlite_template, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'busy.db'}"
    shutil.copyfile(sqlite_template, tmp_path / "busy.db")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_read_then_write, args=(database_url, w, queue)) for w in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    results = [queue.get(timeout=5) for _ in range(len(workers))]
    assert results == [0, 0], results
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from channel")).scalar() == 2 * WRITES
        assert connection.execute(text("pragma journal_mode")).scalar() == "wal"
    engine.dispose()


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(Exception, match="naive datetime refused"), write_session(engine) as session:
        session.add(AuditLog(actor="t", action="x", entity="y", at=dt.datetime(2026, 1, 1, 12, 0)))


def test_instants_come_back_aware_in_utc(engine):
    berlin = dt.timezone(dt.timedelta(hours=1))
    with write_session(engine) as session:
        row = AuditLog(actor="t", action="x", entity="y", at=dt.datetime(2026, 1, 1, 13, 0, tzinfo=berlin))
        session.add(row)
        session.flush()
        row_id = row.id
    with write_session(engine) as session:
        stored = session.get(AuditLog, row_id)
        assert stored.at == dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
        assert stored.at.utcoffset() == dt.timedelta(0)
