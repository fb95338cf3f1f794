"""User text shown through Markdown (Streamlit's st.markdown, st.error, captions): made literal."""

from __future__ import annotations

import re

# Every character that opens Markdown, Streamlit's extensions (:colour[…], $…$) or HTML. With
# "[" and "<" escaped no link, image or colour can form, so ":", "!" and "(" stay as typed.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$&])")
# Line starts that would open a list or a heading underline: "- x", "+ x", "1. x", "2) x", "= x".
_LINE_START = re.compile(r"^(?:([+=.-])|(\d+)([.)]))")


def escape_markdown(text: object) -> str:
    """User text as literal Markdown on one line: no links, images, HTML, headings, lists,
    colours or formulas can come out of it."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), flat)
