"""Shared benchmark tools: a generated year of data and timing a page's script run."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from core import demo, workspace  # noqa: E402
from core.handles import stored_key  # noqa: E402
from core.permissions import CLI_ACTOR  # noqa: E402
from core.sla import calendars, figures  # noqa: E402
from core.users.rules import hash_password  # noqa: E402
from db.engine import make_engine, write_session  # noqa: E402
from db.migrate import upgrade_to_head  # noqa: E402
from db.models import (  # noqa: E402
    BusinessCalendarRow,
    Channel,
    Conversation,
    Idea,
    IdeaGiver,
    Post,
    Role,
    Rubric,
    SlaPolicy,
    User,
    Vote,
)

CACHE = ROOT / "bench" / ".cache"
UTC = dt.UTC
BENCH_PASSWORD = "bench-password-1"


def year_database(
    *,
    conversations: int = 200_000,
    posts: int = 20_000,
    ideas: int = 50_000,
    votes: int = 200_000,
    today: dt.date = dt.date(2026, 6, 30),
) -> str:
    """The URL of a SQLite database holding a generated year (built once, then reused)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"year-c{conversations}-p{posts}-i{ideas}-v{votes}-{today:%Y%m%d}-{_schema_fingerprint()}.db"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{tmp}")
    upgrade_to_head(engine)
    _fill(engine, conversations=conversations, posts=posts, ideas=ideas, votes=votes, today=today)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    tmp.rename(path)
    print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return url


def _schema_fingerprint() -> str:
    """Changes whenever a migration or the generator changes, so a cached database is never stale."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "db" / "migrations" / "versions").glob("*.py")) + [Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _fill(engine, *, conversations: int, posts: int, ideas: int, votes: int, today: dt.date) -> None:
    rng = random.Random(7)
    start = dt.datetime.combine(today - dt.timedelta(days=364), dt.time(0), tzinfo=UTC)
    seconds = 365 * 86400
    with write_session(engine) as session:
        workspace.ensure_workspace(session=session, actor=CLI_ACTOR)
        password_hash = hash_password(BENCH_PASSWORD, rounds=4)
        for role in Role:
            session.add(User(username=role.value, name=role.value.title(), role=role, password_hash=password_hash))
        for n in range(40):
            session.add(User(username=f"member{n}", role=Role.editor, password_hash=password_hash))
        for name in ("Instagram", "Telegram", "YouTube", "Community forum"):
            session.add(Channel(name=name, platform=name.lower(), daily_post_limit=50))
        calendar_row = BusinessCalendarRow(name="Support hours", definition=json.dumps(demo.DEMO_CALENDAR))
        session.add(calendar_row)
        session.flush()
        policy = SlaPolicy(name="Default", calendar_id=calendar_row.id)
        session.add(policy)
        session.flush()
        user_ids = list(session.exec(select(User.id)))
        channel_ids = list(session.exec(select(Channel.id)))
        rubric_ids = list(session.exec(select(Rubric.id)))

    calendar = calendars.calendar_from_json(demo.DEMO_CALENDAR)
    handles = [f"@user{n}" for n in range(max(1000, conversations // 4))]

    def batches(rows, size=5000):
        for i in range(0, len(rows), size):
            yield rows[i : i + size]

    post_rows = []
    for n in range(posts):
        when = start + dt.timedelta(seconds=rng.uniform(0, seconds + 30 * 86400))
        published = when.date() < today
        impressions = rng.randint(500, 20000) if published else None
        post_rows.append(
            dict(
                title=f"Post {n}",
                body="Body with a question for the community.",
                channel_id=rng.choice(channel_ids),
                rubric_id=rng.choice(rubric_ids),
                template="",
                format=rng.choice(("carousel", "video", "text", "image", "poll")),
                cognitive_load=rng.choice(("low", "high")),
                owner_id=rng.choice(user_ids),
                status="published" if published else rng.choice(("draft", "in_review", "approved", "scheduled")),
                scheduled_at=when,
                published_at=when if published else None,
                next_step_type=rng.choice(("poll", "thread", "form", "")),
                next_step_text="Tell us what you think.",
                micro_goal="",
                link_url="",
                tone_confirmed=True,
                subtitles=False,
                timecodes=False,
                alt_text="",
                contrast_confirmed=False,
                sponsored=False,
                partner="",
                ad_label=False,
                blocked_reason="",
                impressions=impressions,
                reactions=impressions and impressions // 20,
                comments=impressions and impressions // 100,
                shares=impressions and impressions // 200,
                saves=impressions and impressions // 50,
                guide_clicks=impressions and impressions // 80,
                next_step_conversions=impressions and impressions // 150,
                created_at=when,
                updated_at=when,
                version=1,
            )
        )
    idea_rows = []
    statuses = ("new", "valid", "invalid", "planned", "in_progress", "shipped", "declined")
    for n in range(ideas):
        logged = start + dt.timedelta(seconds=rng.uniform(0, seconds))
        status = rng.choice(statuses)
        valid = logged + dt.timedelta(days=rng.randint(1, 10)) if status not in ("new", "invalid") else None
        idea_rows.append(
            dict(
                title=f"Idea {n}: {rng.choice(('dark mode', 'export', 'billing', 'search', 'offline', 'widgets'))}",
                description="",
                source=rng.choice(("comment", "dm", "thread", "form", "survey", "team")),
                channel_id=rng.choice(channel_ids),
                source_url="",
                category="",
                status=status,
                status_reason="",
                impact=rng.randint(1, 5) if valid else None,
                cost=rng.randint(1, 5) if valid else None,
                valid_at=valid,
                shipped_at=valid + dt.timedelta(days=20) if status == "shipped" else None,
                logged_by_id=rng.choice(user_ids),
                created_at=logged,
                version=1,
            )
        )
    with engine.begin() as connection:
        for batch in batches(post_rows):
            connection.execute(insert(Post), batch)
        for batch in batches(idea_rows):
            connection.execute(insert(Idea), batch)
        idea_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM idea")]
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < min(votes, len(idea_ids) * len(user_ids)):
            pairs.add((rng.choice(idea_ids), rng.choice(user_ids)))
        vote_rows = [dict(idea_id=i, user_id=u, created_at=start) for i, u in pairs]
        for batch in batches(vote_rows):
            connection.execute(insert(Vote), batch)
        giver_rows = [
            dict(idea_id=i, handle=h, handle_key=stored_key(h), given_at=start)
            for i in idea_ids
            for h in {rng.choice(handles) for _ in range(2)}
        ]
        for batch in batches(giver_rows):
            connection.execute(insert(IdeaGiver), batch)

        conversation_rows = []
        policy_row = SlaPolicy(id=policy.id, name="Default", calendar_id=calendar_row.id, first_response_minutes=120)
        now = dt.datetime.combine(today, dt.time(12), tzinfo=UTC)
        for n in range(conversations):
            received = start + dt.timedelta(seconds=rng.uniform(0, seconds))
            kind = rng.choice(("question", "question", "question", "complaint", "ugc", "praise", "other"))
            reply = received + dt.timedelta(minutes=rng.expovariate(1 / 240)) if rng.random() < 0.9 else None
            if reply is not None and reply > now:
                reply = None
            c = Conversation(
                external_id=f"gen-{n}",
                channel_id=rng.choice(channel_ids),
                kind=kind,
                author_handle=rng.choice(handles),
                text="Generated conversation",
                category=rng.choice(("billing", "login", "export", "mobile app")),
                received_at=received,
                first_reply_at=reply,
                status="resolved" if reply and rng.random() < 0.8 else ("open" if reply is None else "waiting"),
                assignee_id=rng.choice(user_ids),
                useful=kind == "ugc" and rng.random() < 0.5,
                engagement=rng.randint(0, 50),
            )
            if c.status == "resolved":
                c.resolved_at = reply + dt.timedelta(hours=rng.randint(1, 48))  # type: ignore[operator]
            if rng.random() < 0.05:
                c.escalated_at = received + dt.timedelta(hours=1)
            figures.apply_sla(c, policy=policy_row, calendar=calendar)
            row = c.model_dump(exclude={"id"}) | {"author_key": stored_key(c.author_handle)}
            conversation_rows.append(row)
            if len(conversation_rows) >= 5000:
                connection.execute(insert(Conversation), conversation_rows)
                conversation_rows = []
        if conversation_rows:
            connection.execute(insert(Conversation), conversation_rows)


def signed_in_page(page: str, *, database_url: str, username: str = "admin", setup=None):
    """An AppTest of one page against ``database_url``, signed in as ``username`` (not run yet)."""
    from streamlit import logger as streamlit_logger
    from streamlit.testing.v1 import AppTest

    from ui.auth import SESSION_TOKEN

    # Bare-mode warnings would drown the figures.
    streamlit_logger.set_log_level("error")

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DIALOGDESK_COOKIE_KEY", "bench-cookie-key-that-is-long-enough-0123456789")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if page != "home":
        at.switch_page(f"pages/{page}.py")
    at.session_state[SESSION_TOKEN] = _session_for(username, database_url=database_url)
    if setup:
        setup(at)
    return at


def _session_for(username: str, *, database_url: str) -> str:
    """A server-side session for ``username``, as the sign-in form starts one; its cookie value."""
    from core.settings import load_settings, require_cookie_key
    from core.users import sessions

    settings = load_settings()
    engine = make_engine(database_url)
    with write_session(engine) as session:
        user_id = session.exec(select(User.id).where(User.username == username)).one()
        started = sessions.start_session(
            session=session,
            user_id=user_id,
            key=require_cookie_key(settings, is_demo=True),
            now=dt.datetime.now(UTC),
            limits=settings.sessions,
        )
    engine.dispose()
    return started.token


def timed_runs(at, *, runs: int, clear_caches: bool = False) -> list[float]:
    """Wall time (ms) of each of ``runs`` script runs; with ``clear_caches`` every run starts with
    no cached read, as right after a save (``ui.actions.perform`` clears them)."""
    import streamlit as st

    timings = []
    for _ in range(runs):
        if clear_caches:
            st.cache_data.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            at.run()
            timings.append((time.perf_counter() - started) * 1000)
        if at.exception:
            raise RuntimeError(f"the page raised: {at.exception[0].message}")
    return timings


def time_page(page: str, *, database_url: str, username: str = "admin", runs: int = 7, setup=None) -> dict[str, float]:
    """Cold and warm wall time (ms) of one page's script run in AppTest, signed in."""
    at = signed_in_page(page, database_url=database_url, username=username, setup=setup)
    timings = timed_runs(at, runs=runs)
    return {"cold_ms": timings[0], "warm_ms": statistics.median(timings[1:]), "runs": runs}
