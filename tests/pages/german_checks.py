"""``english_left`` (tests/pages/german.py) as the SLA monitor's German tests use it, with three
corrections of the checker for what is not text on a page:

- a table's headers are read (the shared checker asks a DataFrame for a ``name`` it has not);
- a select box's, radio's or multiselect's *value* is the code of the chosen option (``breached``,
  ``comment``), never shown: its shown texts are its label and formatted options, still checked;
- a message without a word of two letters or more (``{days}d {hours:02d}h``) is a unit pattern,
  which would match any line with a "d " and a final "h".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Multiselect, Radio, Selectbox

from tests.pages import german

_CHOICES = (Selectbox, Radio, Multiselect)
_shared_texts = german._texts
_shared_messages = german._english_messages


def _texts(node: object) -> Iterator[str]:
    if isinstance(node, _CHOICES):
        for name in ("label", "help", "placeholder"):
            value = getattr(node, name, None)
            if isinstance(value, str) and value:
                yield value
        yield from (str(option) for option in node.options)
        return
    if isinstance(node, pd.DataFrame):
        yield from (str(column) for column in node.columns)
        return
    for name in german._TEXT_ATTRIBUTES:
        try:
            value = getattr(node, name, None)
        except Exception:  # as the shared checker: a value computed from state a test never set
            continue
        if isinstance(value, str) and value:
            yield value
        elif isinstance(value, pd.DataFrame):
            yield from (str(column) for column in value.columns)
        elif isinstance(value, pd.Series):
            yield str(value.name)
    try:
        options = getattr(node, "options", None)
    except Exception:
        options = None
    if options:
        yield from (str(option) for option in options)
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def _worded_messages() -> tuple[tuple[str, re.Pattern[str], bool], ...]:
    return tuple(m for m in _shared_messages() if re.search(r"[^\W\d_]{2,}", german.PLACEHOLDER.sub(" ", m[0])))


def english_left(at: AppTest) -> list[str]:
    """The page's English texts, as ``tests.pages.german.english_left`` finds them (corrected as above)."""
    german._texts, german._english_messages = _texts, _worded_messages
    try:
        return german.english_left(at)
    finally:
        german._texts, german._english_messages = _shared_texts, _shared_messages


def messages_of(*paths: str) -> set[str]:
    """The English messages marked in these source files (paths from the project's root)."""
    from babel.messages.extract import extract_from_file

    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in paths:
        for _lineno, message, _comments, _context in extract_from_file(
            "python", root / path, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
        ):
            found.update(message if isinstance(message, tuple) else (message,))
    return found


def english_left_of(at: AppTest, *paths: str) -> list[str]:
    """``english_left`` for the messages of these files only: a page that shows parts of another
    area (the profile page around the inbox) is checked for the parts of this one."""
    mine = messages_of(*paths)
    assert mine, f"no messages found in {paths}"
    return [hit for hit in english_left(at) if any(hit.startswith(f"{message!r} in ") for message in mine)]
