"""Every screen's script run in AppTest, signed in through a real server-side session.

For each screen and run:

- **cache empty** — ``st.cache_data.clear()`` and a fresh AppTest (new session state), then one
  run: what a user waits for when nothing they need is cached (after a restart, an expiry, or a
  save that touched every domain);
- **cached** — the identical rerun right after it, on the same session;
- **after another user's save** — user A has the screen open; user B saves something in the
  screen's domain through the core (in another "process": the bench's own engine); A's next run.

Each run also counts the SQL statements the app sent (SQLAlchemy ``before_cursor_execute`` on
every engine of the process, while the run is timed; transaction control like ``BEGIN`` is counted
apart). Runs in the process of the code being measured (``python -m bench.measure screens``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import compat

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Screen:
    key: str
    title: str  # the page's st.title, to check the run drew the screen (not the sign-in form)
    username: str  # who looks at it (the role that works the screen daily)
    saver: str  # user B, who saves something in the screen's domain


SCREENS: tuple[Screen, ...] = (
    Screen("home", "Dialog Desk", "lead", "support"),
    Screen("calendar", "Content calendar", "editor", "lead"),
    Screen("ideas", "Idea board", "lead", "community"),
    Screen("sla", "SLA monitor", "support", "community"),
    Screen("loop", "You asked, we did", "lead", "admin"),
    Screen("kpis", "KPI overview", "analyst", "community"),
    Screen("admin", "Admin", "admin", "lead"),
    Screen("profile", "Your profile", "lead", "admin"),
)
SCREEN_KEYS = tuple(s.key for s in SCREENS)


class StatementCounter:
    """SQL statements and transactions sent by any engine of this process while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.statements = 0
        self.transactions = 0
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.listen(Engine, "before_cursor_execute", self._on_execute)
        event.listen(Engine, "begin", self._on_begin)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.active and not statement.lstrip().upper().startswith(
            ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
        ):
            self.statements += 1

    def _on_begin(self, conn) -> None:
        if self.active:
            self.transactions += 1

    @contextlib.contextmanager
    def counting(self):
        self.statements = self.transactions = 0
        self.active = True
        try:
            yield self
        finally:
            self.active = False


def quiet() -> None:
    """Silence Streamlit's bare-mode warnings (clearing the cache outside a run, reading settings
    before a run): they would drown the figures. A filter, because AppTest resets the log level."""
    import logging

    for name in (
        "streamlit.runtime.scriptrunner_utils.script_run_context",
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.caching.cache_resource_api",
    ):
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.ERROR)


_COMPONENTS: list[Any] = []


def fresh_app_test(path: Path, timeout: float = 600):
    """A new AppTest (new session state) that does not rescan installed packages for Streamlit
    components on its first run, as a real server does once when it starts: that scan (100–400
    ms on this venv) would otherwise land in every cache-empty figure."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(path), default_timeout=timeout)
    if _COMPONENTS and hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _COMPONENTS[0]
    return at


def _keep_components(at) -> None:
    manager = getattr(at, "_bidi_component_manager", None)
    if manager is not None and not _COMPONENTS:
        _COMPONENTS.append(manager)


def new_app(screen: Screen, database_url: str):
    """A fresh AppTest of the screen, signed in as its user (not run yet)."""
    at = fresh_app_test(ROOT / "app.py")
    if screen.key != "home":
        at.switch_page(f"pages/{screen.key}.py")
    compat.sign_in(at, screen.username, database_url=database_url)
    return at


def timed_run(at, counter: StatementCounter, screen: Screen) -> tuple[float, int, int]:
    """(ms, statements, transactions) of one script run; fails loudly if the screen was not drawn."""
    with contextlib.redirect_stdout(io.StringIO()), counter.counting():
        started = time.perf_counter()
        at.run()
        elapsed = (time.perf_counter() - started) * 1000
        statements, transactions = counter.statements, counter.transactions
    _keep_components(at)
    if at.exception:
        raise RuntimeError(f"{screen.key}: the page raised: {at.exception[0].message}")
    titles = [t.value for t in at.title]
    if not any(screen.title in str(t) for t in titles):
        raise RuntimeError(f"{screen.key}: the screen was not drawn (titles {titles!r}); signed in?")
    return elapsed, statements, transactions


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()


def measure_screen(screen: Screen, database_url: str, *, runs: int, counter: StatementCounter) -> dict[str, Any]:
    """Cache-empty and cached runs of one screen, ``runs`` of each (after one unrecorded warm-up)."""
    clear_caches()
    timed_run(new_app(screen, database_url), counter, screen)  # imports the page's modules
    result: dict[str, list[float]] = {k: [] for k in ("empty_ms", "empty_statements", "empty_transactions")}
    result |= {k: [] for k in ("cached_ms", "cached_statements", "cached_transactions")}
    for _ in range(runs):
        clear_caches()
        at = new_app(screen, database_url)
        ms, statements, transactions = timed_run(at, counter, screen)
        result["empty_ms"].append(ms)
        result["empty_statements"].append(statements)
        result["empty_transactions"].append(transactions)
        ms, statements, transactions = timed_run(at, counter, screen)
        result["cached_ms"].append(ms)
        result["cached_statements"].append(statements)
        result["cached_transactions"].append(transactions)
    return result


def measure_after_save(screen: Screen, database_url: str, *, runs: int, counter: StatementCounter) -> dict[str, Any]:
    """User A's next run of the screen after user B saved in its domain, ``runs`` times."""
    save = compat.saver_for(screen.key, database_url=database_url, username=screen.saver, viewer=screen.username)
    if isinstance(save, str):
        return {"after_save_skipped": save}
    at = new_app(screen, database_url)
    timed_run(at, counter, screen)
    timed_run(at, counter, screen)  # A has the screen open, its reads cached
    timings, statements = [], []
    for _ in range(runs):
        save.run()
        ms, count, _ = timed_run(at, counter, screen)
        timings.append(ms)
        statements.append(count)
    save.close()
    return {"after_save_ms": timings, "after_save_statements": statements, "after_save_write": save.description}


def apptest_floor(*, runs: int, counter: StatementCounter) -> float:
    """The median run of a one-line script: what AppTest itself costs per run (not subtracted)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "floor.py"
        script.write_text('import streamlit as st\n\nst.title("Floor")\n')
        timings = []
        for _ in range(runs + 1):
            at = fresh_app_test(script, timeout=60)
            with contextlib.redirect_stdout(io.StringIO()):
                started = time.perf_counter()
                at.run()
                timings.append((time.perf_counter() - started) * 1000)
            _keep_components(at)
    return statistics.median(timings[1:])


def measure(
    database_url: str, *, screens: list[str], runs: int, after_save_runs: int, log: Callable[[str], None]
) -> dict:
    """Every chosen screen on ``database_url``: the figures of one backend and scale."""
    quiet()
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DIALOGDESK_COOKIE_KEY", compat.COOKIE_KEY)
    os.environ["DIALOGDESK_LOGIN_SLEEP"] = "0"  # an older sign-in library's pause; the current app has none
    counter = StatementCounter()
    figures: dict[str, Any] = {"apptest_floor_ms": apptest_floor(runs=5, counter=counter), "screens": {}}
    available = compat.available_screens()
    for screen in SCREENS:
        if screen.key not in screens:
            continue
        if screen.key not in available:
            figures["screens"][screen.key] = {"skipped": "this checkout has no such screen"}
            continue
        started = time.perf_counter()
        try:
            result = measure_screen(screen, database_url, runs=runs, counter=counter)
            result |= measure_after_save(screen, database_url, runs=after_save_runs, counter=counter)
        except Exception as error:  # noqa: BLE001 - reported as this screen's miss; the others go on
            figures["screens"][screen.key] = {"error": f"{type(error).__name__}: {error}"}
            log(f"  {screen.key:<9} FAILED: {type(error).__name__}: {error}")
            continue
        figures["screens"][screen.key] = result
        log(
            f"  {screen.key:<9} empty {statistics.median(result['empty_ms']):7.0f} ms · cached "
            f"{statistics.median(result['cached_ms']):6.0f} ms · {max(result['empty_statements'])} statements"
            f" · after save {_median_or_dash(result.get('after_save_ms'))} ({time.perf_counter() - started:.0f} s)"
        )
    figures["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return figures


def _median_or_dash(values: list[float] | None) -> str:
    return f"{statistics.median(values):.0f} ms" if values else "—"
