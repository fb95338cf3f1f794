"""Running pages in AppTest as a given user, against the test database."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.settings import load_settings, require_cookie_key
from core.users import sessions
from db.engine import make_engine, write_session
from db.models import User
from db.types import utcnow
from ui import auth

ROOT = Path(__file__).resolve().parents[2]


def open_page(
    key: str,
    *,
    username: str | None = None,
    timeout: float = 30,
    state: dict[str, object] | None = None,
    language: str | None = None,
) -> AppTest:
    """Run a page as a direct URL would; with ``username``, as that user already signed in (as
    the real sign-in form leaves the session); ``state``: session-state values set first (a tab
    to open: its key → its label); ``language``: the user's own choice of language, saved first
    (as the sidebar's switch saves it)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if key != "home":
        at.switch_page(f"pages/{key}.py")
    if username is not None:
        at.session_state[auth.SESSION_TOKEN] = start_session_for(username, language=language)
    for name, value in (state or {}).items():
        at.session_state[name] = value
    return at.run()


def start_session_for(username: str, *, language: str | None = None) -> str:
    """A server-side session for ``username`` in the test database (as the sign-in form starts
    one); its id, as the browser's cookie would hold it. An unknown username gets a made-up id."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with write_session(engine) as session:
            user = session.exec(select(User).where(User.username == username)).first()
            if user is None or user.id is None:
                return sessions.new_token()
            if language is not None:
                user.language = language
                session.add(user)
            started = sessions.start_session(
                session=session,
                user_id=user.id,
                key=require_cookie_key(settings, is_demo=True),
                now=utcnow(),
                limits=settings.sessions,
                user_agent="AppTest",
            )
    finally:
        engine.dispose()
    return started.token


def show(at: AppTest, state: dict[str, object]) -> AppTest:
    """Rerun with these session-state values: how a test opens a tab or expander whose content is
    drawn only when open (its key → the tab's label, or True for an expander)."""
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def texts_of_tabs(at: AppTest, key: str, labels: list[str]) -> str:
    """The text of every one of these tabs (keyed ``key``), each opened in turn."""
    return "\n".join(texts(show(at, {key: label})) for label in labels)


def texts(at: AppTest) -> str:
    """All the text a person would read on the page, for assertions."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "error",
        "warning",
        "info",
        "success",
        "metric",
    ):
        for element in at.get(kind):
            parts.append(str(getattr(element, "value", "") or getattr(element, "label", "") or ""))
            label = getattr(element, "label", None)
            if label:
                parts.append(str(label))
    return "\n".join(parts)


def downloaded(at: AppTest, stores: list[MemoryMediaFileStorage], label: str) -> bytes:
    """What the download button ``label`` serves (``stores``: the ``downloads`` fixture)."""
    button = next(b for b in at.get("download_button") if b.label == label)
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    return stores[-1].get_file(file_id).content
