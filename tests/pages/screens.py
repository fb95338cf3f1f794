"""Every screen of the app as one role sees it, for checks that must hold everywhere: each page,
and each tab or view that a page draws only while it is open."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_page
from ui import calendar_view
from ui.frame import PAGES

#: Pages that draw one tab (or view) per run, with the state key that picks it.
_ONE_AT_A_TIME = {"calendar": "calendar_tab", "ideas": "ideas_mode"}


def _views(key: str, at: AppTest) -> list[str]:
    """The tabs or views ``key`` offers in this run (the role decides which)."""
    if key == "calendar":
        return [t.label for t in at.tabs if t.label in calendar_view.TABS]
    return list(at.radio(key="ideas_mode").options)


def screens(username: str) -> Iterator[tuple[str, Callable[[], AppTest]]]:
    """(name, a function that runs the screen afresh) for every screen ``username`` may open:
    every page offered to the role, and every tab or view of it."""
    for key, page in PAGES.items():
        at = open_page(key, username=username)
        if any(f"cannot open {page.label}" in e.value for e in at.error):
            continue  # not a page of this role (the sidebar does not offer it)
        if key not in _ONE_AT_A_TIME:
            yield key, lambda key=key: open_page(key, username=username)
            continue
        for view in _views(key, at):
            yield f"{key} · {view}", lambda key=key, view=view: _open_view(key, view, username)


def _open_view(key: str, view: str, username: str) -> AppTest:
    at = open_page(key, username=username)
    at.session_state[_ONE_AT_A_TIME[key]] = view
    return at.run()


def strings(at: AppTest) -> list[str]:
    """Every piece of text the screen sends to the browser: labels, values, help, placeholders,
    options, captions, chart specs (table cells are Arrow data and not included)."""
    found: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            _collect(proto, found)
    return found


def _collect(message: Message, found: list[str]) -> None:
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        if field.type == field.TYPE_STRING:
            found.extend(values)
        elif field.type == field.TYPE_MESSAGE:
            for item in values:
                if isinstance(item, Message):
                    _collect(item, found)
