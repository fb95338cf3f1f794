"""User text, in and out: what may be saved (``check_plain_text``) and how it is shown.

``escape_markdown`` is THE helper for user text that reaches a Markdown context (st.markdown,
st.caption, messages, headings, widget labels and help, radio and pill options): nothing in it can
turn into formatting, a link, a colour, an icon, an emoji, HTML or reversed text. ``plain_text`` is
its twin for the few places Streamlit shows text as typed (select box and multiselect options), and
``plain_block`` for blocks shown as typed with their lines (st.text, st.code).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Protocol

from core.errors import ValidationError
from core.i18n import N_, _

# Every character that opens Markdown, Streamlit's extensions (:colour[…], $…$) or HTML. With
# "[" and "<" escaped no link, image or HTML can form.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$&])")
# Line starts that would open a list or a heading underline: "- x", "+ x", "1. x", "2) x", "= x".
_LINE_START = re.compile(r"^(?:([+=.-])|(\d+)([.)]))")

# U+2060 WORD JOINER: invisible, keeps the words together, and breaks what the browser's Markdown
# would otherwise read into the text after the Markdown is parsed: Streamlit's directives
# (":red[…]" still draws an empty coloured span when "[" is escaped), ":material/icon:",
# ":emoji_shortcode:", and the bare links GitHub-flavoured Markdown makes of "https://…",
# "www.…" and "name@example.com". A backslash escape does none of this (tried in Chromium).
_JOINER = "\u2060"
# The colons that open something: a shortcode or icon (":smile:", ":+1:", ":material/warning:"), a
# directive (":red[", ":blue-background\["), an address ("https://host"). "SYSTEM: text", "15:30"
# and "http:// or https://" stay as they are.
_OPENING_COLON = re.compile(r":(?=[\w+\-/]+:|[A-Za-z][\w-]*\\?\[|//\S)")
_WWW = re.compile(r"\b(www)\.", re.IGNORECASE)
_EMAIL_AT = re.compile(r"(?<=[\w.+-])@")  # "name@host"; a bare "@handle" links to nothing

# Bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the
# left-to-right, right-to-left and Arabic letter marks. U+202E in a name reverses the rest of the
# line, the app's own words included; the script of the letters themselves still shows right.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")

# C0 control characters other than tab, line feed and carriage return: nobody types them, they come
# with text pasted from other programs, and NUL in particular hides a formula from the CSV export.
_FORBIDDEN_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_NAMES = {
    "\x00": "NUL",  # i18n: not text
    "\x1b": "ESC",  # i18n: not text
    "\x08": N_("backspace"),
    "\x0b": N_("vertical tab"),
    "\x0c": N_("form feed"),
}


def strip_bidi_controls(text: str) -> str:
    """``text`` without the characters that reorder the line around it."""
    return _BIDI.sub("", text)


def plain_text(text: object) -> str:
    """User text for a widget that shows text as typed (select box and multiselect options, which
    render no Markdown): without bidi controls or other control characters, on one line."""
    return " ".join(_FORBIDDEN_CONTROL.sub("", strip_bidi_controls(str(text))).split())


def plain_block(text: object) -> str:
    """User text for a block shown as typed (st.text, st.code): its lines kept, without bidi
    controls (U+202E in a message would reverse the rest of it) or other control characters."""
    return _FORBIDDEN_CONTROL.sub("", strip_bidi_controls(str(text)))


def escape_markdown(text: object) -> str:
    """User text as literal Markdown on one line: no links (also no bare URLs, www. addresses or
    e-mail addresses), images, HTML, headings, lists, colours, icons, emoji shortcodes or formulas
    can come out of it, and no bidi control reorders the line."""
    flat = _SPECIAL.sub(r"\\\1", plain_text(text))
    flat = _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), flat)
    flat = _OPENING_COLON.sub(":" + _JOINER, flat)
    flat = _WWW.sub(r"\1" + _JOINER + ".", flat)
    return _EMAIL_AT.sub(_JOINER + "@", flat)


def unescape_markdown(text: str) -> str:
    """What a reader sees of ``escape_markdown``'s output (for tests and previews): the escapes
    and joiners removed."""
    return re.sub(r"\\(.)", r"\1", text).replace(_JOINER, "")


# --- what may be saved ------------------------------------------------------------------------


def forbidden_control(text: str) -> str | None:
    """The first C0 control character (other than tab, line feed, carriage return) in ``text``."""
    found = _FORBIDDEN_CONTROL.search(text)
    return found.group() if found else None


def check_plain_text(value: str, *, field: str) -> str:
    """``value`` unchanged, or a ValidationError naming ``field`` when it holds NUL or another C0
    control character: typed text never does, and such a character can hide a formula or break
    the files the text is exported to."""
    char = forbidden_control(value)
    if char is None:
        return value
    known = _CONTROL_NAMES.get(char)
    name = _(known) if known else unicodedata.name(char, "") or _("control character")
    raise ValidationError(
        _(
            "The {field} contains an invisible control character (U+{code}, {name}) that can't be saved; "
            "delete it (it usually comes with text pasted from another program) and try again.",
            field=field,
            code=f"{ord(char):04X}",
            name=name,
        )
    )


class _TypedInput(Protocol):
    def model_dump(self, *, exclude_unset: bool = ...) -> dict[str, object]: ...


def check_input_text(typed_input: _TypedInput, *, labels: Mapping[str, str] | None = None) -> None:
    """``check_plain_text`` over every text field a typed input (``db.models``) sets; a field is
    named by ``labels`` or by its name ("next_step_text" → "next step text")."""
    labels = labels or {}
    values = typed_input.model_dump(exclude_unset=True)
    check_plain_texts((labels.get(name, name.replace("_", " ")), value) for name, value in values.items())


def check_plain_texts(values: Iterable[tuple[str, object]]) -> None:
    """``check_plain_text`` over (field, value) pairs; values that are not text (numbers, dates,
    None) are passed over, lists and tuples of text are checked item by item."""
    for field, value in values:
        if isinstance(value, str):
            check_plain_text(value, field=field)
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, str):
                    check_plain_text(item, field=field)
