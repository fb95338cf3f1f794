"""Characters that never belong in what people type or import: control characters and text made
only of invisible characters.

A C0 control character (U+0000–U+001F, other than tab, line feed and carriage return) has no place
in a title, a handle or a survey answer; a leading NUL even hides a formula from a spreadsheet's
check. Invisible characters (Unicode "format" characters such as U+200B ZERO WIDTH SPACE, joiners,
byte order marks, bidirectional controls) may sit inside real text (an emoji sequence), but a
value made only of them is nobody's name. Both are refused with a message, never dropped quietly.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from core.i18n import _

_LONG = 4096  # characters: from here, a text's distinct characters are checked one by one
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Unicode's names of the characters: the same in every language.
_NAMES = {0: "NUL", 7: "BEL", 8: "BACKSPACE", 11: "VERTICAL TAB", 12: "FORM FEED", 27: "ESCAPE"}  # i18n: not text


@cache
def _invisible_class() -> re.Pattern[str]:
    """Every Unicode format character (category Cf), as one character class."""
    ranges: list[str] = []
    start = previous = -2
    # Format characters live in the first two planes and in the tags block of plane 14.
    for code in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code)) != "Cf":
            continue
        if code != previous + 1:
            if start >= 0:
                ranges.append(_range(start, previous))
            start = code
        previous = code
    ranges.append(_range(start, previous))
    return re.compile("[" + "".join(ranges) + "]")


def _range(start: int, end: int) -> str:
    return re.escape(chr(start)) if start == end else f"{re.escape(chr(start))}-{re.escape(chr(end))}"


def first_control(text: str) -> int | None:
    """The position of the first C0 control character (tab, LF and CR allowed), or None."""
    match = _C0.search(text)
    return None if match is None else match.start()


def has_control(text: str) -> bool:
    return _C0.search(text) is not None


def control_message(text: str) -> str:
    """What to say about a value holding a control character (which one, where)."""
    position = first_control(text)
    if position is None:
        return ""
    code = ord(text[position])
    return _(
        "holds an invisible control character ({character}) at position {position}; "
        "remove it (it can hide a formula or cut the text)",
        character=_character(code),
        position=position + 1,
    )


def _character(code: int) -> str:
    """A control character as people can look it up: U+000B VERTICAL TAB."""
    name = _NAMES.get(code)
    return f"U+{code:04X} {name}" if name else _("U+{code} control character", code=f"{code:04X}")


def strip_invisible(text: str) -> str:
    """The text without Unicode format characters (zero-width spaces, joiners, marks, BOMs)."""
    return text if text.isascii() else _invisible_class().sub("", text)


def has_invisible(text: str) -> bool:
    # No format character is ASCII, and a string knows in constant time whether it is ASCII only.
    if text.isascii():
        return False
    if len(text) < _LONG:
        return _invisible_class().search(text) is not None
    # A whole file: its distinct characters are few, and collecting them beats the long class.
    return any(unicodedata.category(c) == "Cf" for c in set(text) if c > "\x7f")


def is_invisible_only(text: str) -> bool:
    """Text that holds invisible characters and shows nothing else (spaces aside)."""
    return has_invisible(text) and not strip_invisible(text).strip()


def trim(text: str) -> str:
    """The text without whitespace and invisible characters at either end."""
    start, end = 0, len(text)
    pattern = _invisible_class()
    while start < end and (text[start].isspace() or pattern.match(text[start])):
        start += 1
    while end > start and (text[end - 1].isspace() or pattern.match(text[end - 1])):
        end -= 1
    return text[start:end]


def check_text(text: str, what: str) -> str | None:
    """The problem with a typed or imported value (control character, invisible only), or None."""
    position = first_control(text)
    if position is not None:
        return _(
            "The {what} holds an invisible control character ({character}) at position {position}; "
            "remove it (it can hide a formula or cut the text).",
            what=what,
            character=_character(ord(text[position])),
            position=position + 1,
        )
    if is_invisible_only(text):
        return _(
            "The {what} is made only of invisible characters (zero-width spaces, joiners); type it again.", what=what
        )
    return None
