"""What a page shows that is still English, checked against the German catalogue.

Every text the page draws (titles, Markdown, captions, messages, metrics, widget labels, help,
options and placeholders, tab labels, table headers) is compared with every English message whose
German differs: a short message (up to three words) must not be a whole text or line; a longer one
must not appear anywhere in it (its placeholders match anything). Made-up content (the test's own
titles and names) is English on purpose and never that long a match for a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pandas as pd
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
CODE = re.compile(r"[a-z_]+")
_TEXT_ATTRIBUTES = ("label", "value", "body", "help", "placeholder", "caption")


@cache
def _english_messages() -> tuple[tuple[str, re.Pattern[str], bool], ...]:
    """(message, pattern, is_short) for each message whose German differs from its English."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    found = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if not english or english in strings:
                continue
            words = [word for word in re.findall(r"[^\W\d_]+", PLACEHOLDER.sub(" ", english)) if len(word) >= 3]
            # "{days}d {hours:02d}h", "{names} and {last}", "{count} votes": too little of the message
            # is its own words to tell it from anybody's text.
            if not words or (PLACEHOLDER.search(english) and len(words) < 2):
                continue
            pattern = re.compile(".+?".join(re.escape(part) for part in PLACEHOLDER.split(english)), re.DOTALL)
            found.append((english, pattern, len(words) <= 3))
    return tuple(found)


def _texts(node: object) -> Iterator[str]:
    try:
        options = getattr(node, "options", None)
    except Exception:
        options = None
    for name in _TEXT_ATTRIBUTES:
        if name == "value" and (options is not None or isinstance(node, Widget)):
            continue  # a widget's value is what the program holds (a code); the reader sees its label and options
        try:
            value = getattr(node, name, None)
        except Exception:  # some elements compute a value from state that a test never set
            continue
        if isinstance(value, str) and value:
            yield value
        elif isinstance(value, pd.DataFrame):
            # A header written in code ("open", "day") is renamed on screen by its column_config.
            yield from (str(column) for column in value.columns if not CODE.fullmatch(str(column)))
        elif isinstance(value, pd.Series):
            yield str(value.name)
    if options:
        yield from (str(option) for option in options)
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def page_texts(at: AppTest) -> list[str]:
    """Every text of the page and its sidebar, one entry per element's text."""
    return [text for root in (at.main, at.sidebar) for text in _texts(root)]


def english_left(at: AppTest) -> list[str]:
    """The page's texts that contain an English message (empty: the page reads German)."""
    left = []
    for text in page_texts(at):
        lines = [line.strip(" *#_-·:") for line in text.splitlines()]
        for english, pattern, is_short in _english_messages():
            hit = any(pattern.fullmatch(line) for line in lines) if is_short else pattern.search(text)
            if hit:
                left.append(f"{english!r} in {text[:90]!r}")
    return left
