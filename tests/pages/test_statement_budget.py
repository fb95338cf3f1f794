"""Every screen sends at most 40 SQL statements in one view with the cache empty (what a user waits
for after a save anywhere, an expiry or a restart), signed in as the person who works it daily, on
the demo workspace; the KPI overview and "You asked, we did" send the same number on three times
the data — no statement per row, per item or per period."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core import demo, workspace
from core.kpis.periods import PeriodKind, default_period
from core.local_time import local_today
from db.models import Conversation, Idea, LoopItem, Post
from db.types import utcnow
from tests.core.kpis.growth import grow_like_the_demo
from tests.pages.apptest import start_session_for
from ui import auth

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 40
# screen → (the person who works it daily, its title: the run drew the screen, not the sign-in form)
SCREENS = {
    "home": ("lead", "Dialog Desk"),
    "calendar": ("editor", "Content calendar"),
    "ideas": ("lead", "Idea board"),
    "sla": ("support", "SLA monitor"),
    "loop": ("lead", "You asked, we did"),
    "kpis": ("analyst", "KPI overview"),
    "admin": ("admin", "Admin"),
    "profile": ("lead", "Your profile"),
}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextlib.contextmanager
def _statements() -> Iterator[list[str]]:
    """The SQL statements any engine of this process sends inside the block (transaction control
    left out), as ``make bench`` counts them."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _view(key: str) -> list[str]:
    """The statements of one view of the screen with the cache empty, signed in (a fresh session)."""
    username, title = SCREENS[key]
    token = start_session_for(username)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if key != "home":
        at.switch_page(f"pages/{key}.py")
    at.session_state[auth.SESSION_TOKEN] = token
    st.cache_data.clear()
    with _statements() as seen:
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(title in str(t.value) for t in at.title), f"{key}: not drawn ({[t.value for t in at.title]})"
    return seen


def _listing(statements: list[str]) -> str:
    return "\n".join(s[:140] for s in statements)


@pytest.fixture
def demo_workspace(write) -> None:
    with write() as s:
        assert demo.load_demo(s, password_rounds=4)


def test_every_screen_sends_at_most_40_statements_with_the_cache_empty(demo_workspace):
    _view("home")  # the first run of the process imports the pages' modules
    views = {key: _view(key) for key in SCREENS}
    over = {key: len(seen) for key, seen in views.items() if len(seen) > BUDGET}
    assert not over, "\n\n".join(f"{key}: {len(views[key])} statements\n{_listing(views[key])}" for key in over)


def _rows(session) -> dict[str, int]:
    return {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in (Conversation, Post, Idea, LoopItem)
    }


def test_the_kpi_overview_and_the_loop_send_the_same_statements_on_three_times_the_data(demo_workspace, write, read):
    with read() as s:
        today = local_today(utcnow(), workspace.timezone(s))
    month = default_period(PeriodKind.month, today)  # the KPI overview's default period
    periods = [month.previous(), month]
    days = sum(p.days for p in periods)
    # A little more of every kind first, so that every statement a screen sends only when there is
    # something to read (a merged idea, an effect to count) is there in both views.
    with write() as s:
        grow_like_the_demo(s, periods, per_day=2)
    with read() as s:
        before = _rows(s)
    _view("home")
    small = {key: _view(key) for key in ("kpis", "loop")}

    with write() as s:
        grow_like_the_demo(s, periods, per_day=math.ceil(2 * before["Conversation"] / days))
    with read() as s:
        after = _rows(s)
    assert after["Conversation"] >= 3 * before["Conversation"]
    assert after["Post"] > before["Post"] and after["Idea"] > before["Idea"] and after["LoopItem"] > before["LoopItem"]
    big = {key: _view(key) for key in ("kpis", "loop")}

    for key in ("kpis", "loop"):
        assert len(small[key]) <= BUDGET, f"{key}\n{_listing(small[key])}"
        assert len(big[key]) == len(small[key]), f"{key}\n{_listing(small[key])}\n\n{_listing(big[key])}"
