"""What differs between the checkouts the bench measures: how a test run is signed in, which
screens exist, and how user B saves in a screen's domain through the core.

The bench measures the current code first; an older checkout (``--against``) is measured with the
same bench where its API allows. Where it does not, the figure is reported as skipped with the
reason instead of being guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOKIE_KEY = "bench-cookie-key-that-is-long-enough-0123456789"
BENCH_PASSWORD = "bench-password-1"  # every generated person's (bench.year)
_TOKENS: dict[tuple[str, str], str] = {}


def available_screens() -> set[str]:
    pages = {path.stem for path in (ROOT / "pages").glob("*.py")}
    return pages | {"home"}


def has_server_sessions() -> bool:
    return (ROOT / "core" / "users" / "sessions.py").is_file()


def sign_in(at, username: str, *, database_url: str) -> None:
    """Sign ``at`` in as ``username``, as the checkout's own sign-in leaves a browser tab."""
    if not has_server_sessions():
        # Older checkouts: streamlit-authenticator's session keys.
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
        return
    from ui.auth import SESSION_TOKEN

    key = (username, database_url)
    if key not in _TOKENS:
        _TOKENS[key] = start_session(username, database_url=database_url)
    at.session_state[SESSION_TOKEN] = _TOKENS[key]


def start_session(username: str, *, database_url: str, user_agent: str = "") -> str:
    """A server-side session for ``username``, as the sign-in form starts one; the cookie value."""
    from sqlmodel import select

    from core.settings import load_settings, require_cookie_key
    from core.users import sessions
    from db.engine import make_engine, write_session
    from db.models import User

    settings = load_settings()
    engine = make_engine(database_url)
    try:
        with write_session(engine) as session:
            user_id = session.exec(select(User.id).where(User.username == username)).one()
            started = sessions.start_session(
                session=session,
                user_id=user_id,
                key=require_cookie_key(settings, is_demo=False),
                now=dt.datetime.now(dt.UTC),
                limits=settings.sessions,
                user_agent=user_agent,
            )
    finally:
        engine.dispose()
    return started.token


def is_legacy_layout() -> bool:
    """The layout before this release: one module per domain (``core/sla.py``, ``core/ideas.py``…),
    every save clearing every cached read of the server process (``ui.state.clear_read_caches``)."""
    return (ROOT / "core" / "sla.py").is_file()


@dataclass
class Save:
    """One kind of save by user B, repeatable (each call changes something again)."""

    description: str
    run_once: Callable[[object], None]  # given a write session
    engine: object
    count: int = 0
    # What the checkout's UI does after a save in the same server process: the legacy layout
    # clears every cached read for everyone (``st.cache_data.clear()``); the current one bumps the
    # domain's counter in the database, which the write itself does.
    clears_every_cache: bool = False

    def run(self) -> None:
        from db.engine import write_session

        with write_session(self.engine) as session:
            self.run_once(session)
        if self.clears_every_cache:
            import streamlit as st

            st.cache_data.clear()
        self.count += 1

    def close(self) -> None:
        self.engine.dispose()  # type: ignore[attr-defined]


def saver_for(screen: str, *, database_url: str, username: str, viewer: str) -> Save | str:
    """User B's save in ``screen``'s domain, or why this checkout cannot do it."""
    try:
        if is_legacy_layout():
            return _legacy_saver_for(screen, database_url=database_url, username=username)
        return _saver_for(screen, database_url=database_url, username=username, viewer=viewer)
    except (ImportError, AttributeError, TypeError, ValueError) as error:
        return f"no save for this checkout's API ({type(error).__name__}: {error})"


def _saver_for(screen: str, *, database_url: str, username: str, viewer: str) -> Save:
    from sqlmodel import col, select

    from core.permissions import Actor
    from db.engine import make_engine, read_session
    from db.models import Role, User

    engine = make_engine(database_url)
    with read_session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
    actor = Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name)
    now = dt.datetime.now(dt.UTC)

    if screen in ("home", "sla"):
        from core.sla.conversations import log_conversation
        from db.models import Channel, ConversationCreate

        with read_session(engine) as session:
            channel_id = session.exec(select(Channel.id).order_by(Channel.id)).first()

        def new_question(session) -> None:
            log_conversation(
                session=session,
                actor=actor,
                conversation_in=ConversationCreate(
                    channel_id=channel_id,
                    kind="question",
                    author_handle="@Bench_Asker",
                    text="Where do I find the invoice for March?",
                    category="billing",
                    received_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
                ),
            )

        return Save(f"sla: {username} logs a new question (log_conversation)", new_question, engine)

    if screen == "calendar":
        from core.content_plan.posts import update_post
        from db.models import Post, PostUpdate

        with read_session(engine) as session:
            post_id = session.exec(
                select(Post.id)
                .where(col(Post.status) == "draft", col(Post.scheduled_at) > now)
                .order_by(col(Post.scheduled_at))
            ).first()

        def retitle(session) -> None:
            post = session.get(Post, post_id)
            title = (
                post.title.removesuffix(" (edited)") if post.title.endswith(" (edited)") else f"{post.title} (edited)"
            )
            update_post(
                session=session,
                actor=actor,
                post_id=post_id,
                expected_version=post.version,
                post_in=PostUpdate(title=title),
            )

        return Save(f"content_plan: {username} edits a draft's title (update_post)", retitle, engine)

    if screen == "ideas":
        from core.ideas.capture import vote, withdraw_vote
        from db.models import Idea, Vote

        with read_session(engine) as session:
            idea_id = session.exec(
                select(Idea.id).where(col(Idea.status) == "valid", col(Idea.merged_into_id).is_(None)).order_by(Idea.id)
            ).first()

        def toggle_vote(session) -> None:
            voted = session.exec(select(Vote.id).where(Vote.idea_id == idea_id, Vote.user_id == actor.id)).first()
            (withdraw_vote if voted else vote)(session=session, actor=actor, idea_id=idea_id)

        return Save(f"ideas: {username} votes / withdraws a vote (vote)", toggle_vote, engine)

    if screen == "loop":
        from core.loop.items import update_loop_item
        from db.models import LoopItem, LoopItemUpdate

        with read_session(engine) as session:
            item_id = session.exec(select(LoopItem.id).order_by(LoopItem.id)).first()

        def redetail(session) -> None:
            item = session.get(LoopItem, item_id)
            details = (
                "Thanks to everyone who asked."
                if item.details.endswith("for it.")
                else "Thanks to everyone who asked for it."
            )
            update_loop_item(
                session=session,
                actor=actor,
                loop_item_id=item_id,
                expected_version=item.version,
                item_in=LoopItemUpdate(details=details),
            )

        return Save(f"loop: {username} corrects a loop item's details (update_loop_item)", redetail, engine)

    if screen == "kpis":
        from core.kpis.digest import digest_note, save_digest_note
        from db.models import WeeklyDigestNoteSave

        today = now.date()
        week = today - dt.timedelta(days=today.weekday())

        def pick_hero(session) -> None:
            note = digest_note(session, week_start=week)
            topic = "Export tips" if note.next_topic != "Export tips" else "Billing tips"
            save_digest_note(
                session=session,
                actor=actor,
                note_in=WeeklyDigestNoteSave(
                    week_start=week, hero_handle="@mila_1", hero_reason="Helped three newcomers.", next_topic=topic
                ),
                expected_version=note.version,
            )

        return Save(f"kpis: {username} saves this week's digest picks (save_digest_note)", pick_hero, engine)

    if screen == "admin":
        from core import workspace
        from db.models import WorkspaceUpdate

        def rename(session) -> None:
            info = workspace.info(session)
            name = "Northwind community" if info.name != "Northwind community" else "Northwind community team"
            workspace.update_settings(
                session=session, actor=actor, expected_version=info.version, settings_in=WorkspaceUpdate(name=name)
            )

        return Save(f"workspace: {username} renames the workspace (update_settings)", rename, engine)

    if screen == "profile":
        from core.users import sessions

        def sign_out_colleague(session) -> None:
            sessions.sign_out_everywhere(session=session, actor=actor, username="member3", now=dt.datetime.now(dt.UTC))

        return Save(
            f"users: {username} signs a colleague out everywhere (sign_out_everywhere)", sign_out_colleague, engine
        )

    raise ValueError(f"no save for screen {screen!r}")


def _legacy_saver_for(screen: str, *, database_url: str, username: str) -> Save:
    """The same saves through the legacy layout's core functions (keyword names of that API)."""
    from sqlmodel import col, select

    from core.permissions import Actor
    from db.engine import make_engine, read_session
    from db.models import Channel, Idea, LoopItem, Post, Role, User, Vote

    engine = make_engine(database_url)
    with read_session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        channel_id = session.exec(select(Channel.id).order_by(Channel.id)).first()
        now = dt.datetime.now(dt.UTC)
        post_id = session.exec(
            select(Post.id)
            .where(col(Post.status) == "draft", col(Post.scheduled_at) > now)
            .order_by(col(Post.scheduled_at))
        ).first()
        idea_id = session.exec(
            select(Idea.id).where(col(Idea.status) == "valid", col(Idea.merged_into_id).is_(None)).order_by(Idea.id)
        ).first()
        item_id = session.exec(select(LoopItem.id).order_by(LoopItem.id)).first()
    actor = Actor(id=user.id, username=user.username, role=Role(user.role), name=user.name)

    def save(description: str, run_once: Callable[[object], None]) -> Save:
        return Save(description, run_once, engine, clears_every_cache=True)

    if screen in ("home", "sla"):
        from core.conversations import log_conversation

        def new_question(session) -> None:
            log_conversation(
                session,
                actor=actor,
                channel_id=channel_id,
                author_handle="@Bench_Asker",
                received_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
                kind="question",
                text="Where do I find the invoice for March?",
                category="billing",
            )

        return save(f"sla: {username} logs a new question (log_conversation)", new_question)
    if screen == "calendar":
        from core.posts import update_post

        def retitle(session) -> None:
            post = session.get(Post, post_id)
            title = (
                post.title.removesuffix(" (edited)") if post.title.endswith(" (edited)") else f"{post.title} (edited)"
            )
            update_post(session, actor=actor, post_id=post_id, expected_version=post.version, fields={"title": title})

        return save(f"content_plan: {username} edits a draft's title (update_post)", retitle)
    if screen == "ideas":
        from core.ideas import vote, withdraw_vote

        def toggle_vote(session) -> None:
            voted = session.exec(select(Vote.id).where(Vote.idea_id == idea_id, Vote.user_id == actor.id)).first()
            (withdraw_vote if voted else vote)(session, actor=actor, idea_id=idea_id)

        return save(f"ideas: {username} votes / withdraws a vote (vote)", toggle_vote)
    if screen == "loop":
        from core.loop import update_loop_item

        def redetail(session) -> None:
            item = session.get(LoopItem, item_id)
            details = (
                "Thanks to everyone who asked."
                if item.details.endswith("for it.")
                else "Thanks to everyone who asked for it."
            )
            update_loop_item(
                session,
                actor=actor,
                loop_item_id=item_id,
                expected_version=item.version,
                what_changed=item.what_changed,
                details=details,
                shipped_on=item.shipped_on,
            )

        return save(f"loop: {username} corrects a loop item's details (update_loop_item)", redetail)
    if screen == "kpis":
        from core.digest import digest_note, save_digest_note

        today = now.date()
        week = today - dt.timedelta(days=today.weekday())

        def pick_hero(session) -> None:
            note = digest_note(session, week_start=week)
            topic = "Export tips" if note.next_topic != "Export tips" else "Billing tips"
            save_digest_note(
                session,
                actor=actor,
                week_start=week,
                hero_handle="@mila_1",
                hero_reason="Helped three newcomers.",
                next_topic=topic,
                expected_version=note.version,
            )

        return save(f"kpis: {username} saves this week's digest picks (save_digest_note)", pick_hero)
    if screen == "admin":
        from core import workspace

        def rename(session) -> None:
            info = workspace.info(session)
            name = "Northwind community" if info.name != "Northwind community" else "Northwind community team"
            workspace.update_settings(session, actor=actor, expected_version=info.version, name=name)

        return save(f"workspace: {username} renames the workspace (update_settings)", rename)
    raise ValueError(f"no save for screen {screen!r} in this layout")
