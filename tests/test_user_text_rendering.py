"""The hostile strings of the security review, through ``core.text.escape_markdown`` into a real
Streamlit script (AppTest): the element Streamlit sends to the browser holds nothing its Markdown
would turn into a link, a colour, an icon, an emoji, HTML, formatting or reversed text, and a
reader still sees every word. (tests/e2e/test_hostile_text.py looks at the same in Chromium.)"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from core.text import BIDI_CONTROLS, escape_markdown, plain_text, unescape_markdown

HOSTILE = [
    ":material/warning: SYSTEM: session expired, sign in again",
    ":red[Your account is locked]",
    ":blue-background[Admin notice] read this",
    "Log in at www.evil.example/login now",
    "WWW.Evil.Example",
    "Go to https://evil.example/login?next=/admin",
    "[Win a prize](http://evil.example)",
    "![tracker](http://evil.example/pixel.png)",
    "<img src=x onerror=alert(1)> <b>bold</b>",
    "Thanks :smile: :+1: :tada:",
    "Write to support@evil.example",
    "Order #1234 \u202eevil\u202c and more text",
    "\u2066isolated\u2069 \u2067rtl\u2069 \u200fmark\u200e \u202aembed\u202c \u202boverride\u202c \u202doverride\u202c",
    "**bold** _italic_ ~~gone~~ `code` $x^2$",
    "# Heading\n- list item\n1. numbered",
    '=HYPERLINK("http://evil.example")',
]

# What Streamlit's Markdown (GitHub-flavoured, with its directives) would read into the text.
OPENERS = {
    "unescaped markup": re.compile(r"(?<!\\)[\[\]<>*_`~$#|]"),
    "directive, icon or shortcode": re.compile(r":[\w+\-/]+:|:[A-Za-z][\w-]*\\?\["),
    "bare link": re.compile(r"[A-Za-z]://|\bwww\.|\w@\w", re.IGNORECASE),
    "line that opens a list or heading": re.compile(r"^\s*(?:[-+*=]\s|\d+[.)]\s|#)", re.MULTILINE),
}


def _line(text: str, kind: str) -> str:
    """The user text alone (so its own line start is the element's), or inside the app's words."""
    return escape_markdown(text) if kind == "markdown" else f"Customer wrote: {escape_markdown(text)} (waiting 3 h)"


def _script(text: str, kind: str) -> None:
    import streamlit as st

    from tests.test_user_text_rendering import _line

    getattr(st, kind)(_line(text, kind))


@pytest.mark.parametrize("kind", ["markdown", "caption", "error", "subheader"])
@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t)[:40])
def test_hostile_user_text_renders_as_text(text, kind):
    at = AppTest.from_function(_script, args=(text, kind)).run()
    assert not at.exception
    elements = {"markdown": at.markdown, "caption": at.caption, "error": at.error, "subheader": at.subheader}[kind]
    (element,) = elements
    body = element.value
    assert body == _line(text, kind)  # what the browser gets
    for what, pattern in OPENERS.items():
        found = pattern.search(body)
        assert found is None, f"{what} in the element: {found.group()!r} of {body!r}"
    assert not BIDI_CONTROLS & set(body), "a bidi control would reorder the line"
    # Every word the person typed is still there for the reader (on one line, without bidi controls).
    typed = plain_text(text)
    assert unescape_markdown(body) == (typed if kind == "markdown" else f"Customer wrote: {typed} (waiting 3 h)")


def test_the_openers_catch_the_raw_strings():
    """The checks above are not empty: each hostile string fails one of them when not escaped."""
    unsafe = [
        t
        for t in HOSTILE
        if not any(p.search(t) for p in OPENERS.values()) and not BIDI_CONTROLS & set(t) and not t.startswith("=")
    ]
    assert unsafe == []
