"""Handles are people, not words: one normalised key per person, and one way to split a list of them.

A person writes as "@Ann" on one channel and "@ann" on another, or a survey lists "Doc James":
the *display form* is kept as written (trimmed), the *key* says who it is. ``handle_key`` is Unicode
NFKC, case-folded, without the leading "@", with surrounding whitespace trimmed, inner whitespace
collapsed and invisible characters removed; what is empty after that is not a handle. Every count of
people (demand, active share, returns, thanks) compares keys.

Lists of handles are split only on the separators the person chooses (by default comma, semicolon
and new line), never on spaces: a display name with a space stays one person.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from core import formats
from core.controls import check_text, strip_invisible, trim
from core.errors import ValidationError
from core.i18n import N_, _
from db.models import Conversation, IdeaGiver, LoopThanks, max_length

HANDLE_MAX = max_length(IdeaGiver, "handle")  # the same for every stored handle and key

SEPARATOR_NAMES: dict[str, str] = {
    "comma": ",",
    "semicolon": ";",
    "newline": "\n",
    "pipe": "|",
    "slash": "/",
}
DEFAULT_SEPARATORS: tuple[str, ...] = (",", ";", "\n")
_NAME_OF = {char: name for name, char in SEPARATOR_NAMES.items()}


@dataclass(frozen=True)
class Handle:
    """A person as written (``display``) and who it is (``key``)."""

    display: str
    key: str

    def __str__(self) -> str:
        return self.display


def handle_key(text: str) -> str:
    """The key of a handle: NFKC, case-folded, no leading "@", whitespace trimmed and collapsed,
    invisible characters removed. A ValidationError when nothing is left."""
    key = _key(text)
    if not key:
        raise ValidationError(
            _("{text!r} is not a handle: nothing is left once '@' and spaces are removed.", text=text.strip()[:40])
        )
    return key


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", strip_invisible(unicodedata.normalize("NFKC", text)).casefold())
    return " ".join(folded.split()).lstrip("@").strip()


def display_form(text: str) -> str:
    """A handle as shown: trimmed, inner whitespace collapsed (invisible characters at the edges dropped)."""
    return " ".join(trim(text).split())


def make_handle(text: str, *, what: str = N_("handle")) -> Handle:
    """One handle checked: no control characters, not invisible only, not too long, not empty.
    An import names the same people again and again, so the checked handles are remembered.
    ``what`` names the field in messages (already translated, or a marked constant; translated
    only for a message, which is never remembered: the cache keeps only handles that pass)."""
    return _checked_handle(text, what)


@functools.lru_cache(maxsize=65536)
def _checked_handle(text: str, what: str) -> Handle:
    what = _(what)
    problem = check_text(text, what)
    if problem:
        raise ValidationError(problem)
    display = display_form(text)
    if len(display) > HANDLE_MAX:
        raise ValidationError(
            _(
                "The {what} {handle!r}… is longer than {limit} characters.",
                what=what,
                handle=display[:30],
                limit=formats.number(HANDLE_MAX),
            )
        )
    key = _key(display)
    if not key:
        raise ValidationError(
            _(
                "The {what} {handle!r} names nobody: nothing is left once '@' is removed.",
                what=what,
                handle=display[:40],
            )
        )
    return Handle(display, key)


def parse_separators(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """The separators a person chose, by name ("comma,semicolon,newline") or as the characters
    themselves; never a space (a name with a space is one person)."""
    if value is None:
        return DEFAULT_SEPARATORS
    if isinstance(value, str) and value and not value.strip(" \t"):
        value = [value]
    parts = [p for p in re.split(r"[\s,]+", value) if p] if isinstance(value, str) else list(value)
    chosen: list[str] = []
    for part in parts:
        name = part.strip().lower()
        char = " " if name in ("space", "spaces", "blank", "tab") else SEPARATOR_NAMES.get(name, part) if name else part
        if char in ("\r\n", "\r"):
            char = "\n"
        if char == "\n" or char in SEPARATOR_NAMES.values():
            if char not in chosen:
                chosen.append(char)
            continue
        if not char.strip():
            raise ValidationError(
                _(
                    "Handles are never split on spaces: a name like 'Doc James' is one person. Choose from {names}.",
                    names=", ".join(SEPARATOR_NAMES),
                )
            )
        raise ValidationError(
            _("Unknown separator {part!r}; choose from {names}.", part=part, names=", ".join(SEPARATOR_NAMES))
        )
    if not chosen:
        raise ValidationError(_("Choose at least one separator: {names}.", names=", ".join(SEPARATOR_NAMES)))
    return tuple(chosen)


def separator_names(separators: Iterable[str]) -> list[str]:
    return [_NAME_OF.get(s, repr(s)) for s in separators]


def _splitter(separators: tuple[str, ...]) -> re.Pattern[str]:
    chars = set(separators)
    if "\n" in chars:
        chars.add("\r")
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]+")


def split_handles(
    value: str | Iterable[str], separators: Iterable[str] = DEFAULT_SEPARATORS, *, what: str = "handle"
) -> list[Handle]:
    """The people in free text (or in each item of a list), split only on ``separators``, checked,
    without repeats (by key), in the order given."""
    pattern = _splitter(tuple(separators))
    texts = [value] if isinstance(value, str) else list(value)
    seen: set[str] = set()
    handles: list[Handle] = []
    for text in texts:
        for part in pattern.split(text):
            if not part.strip():
                continue
            handle = make_handle(part, what=what)
            if handle.key not in seen:
                seen.add(handle.key)
                handles.append(handle)
    return handles


# --- the key beside every stored handle ------------------------------------------------------------


def stored_key(display: str) -> str:
    """The key stored beside a display form. A value that was never checked (nothing left once
    normalised) keeps its own spelling as its key rather than becoming everybody's empty key."""
    return _key(display or "") or (display or "").casefold()


_KEYED: tuple[tuple[type, str, str], ...] = (
    (IdeaGiver, "handle", "handle_key"),
    (LoopThanks, "handle", "handle_key"),
    (Conversation, "author_handle", "author_key"),
)


def _keep_key(display: str, key: str) -> Callable[..., None]:
    def listener(_mapper: Any, _connection: Any, target: Any) -> None:
        setattr(target, key, stored_key(getattr(target, display)))

    return listener


# Every row written through the ORM gets its key from its display form, so no code path (a
# screen, the demo, a test's factory) can store a key that disagrees with the handle. Bulk
# inserts (the imports) bypass the ORM and set the key themselves with ``stored_key``.
for _model, _display, _key_column in _KEYED:
    event.listen(_model, "before_insert", _keep_key(_display, _key_column))
    event.listen(_model, "before_update", _keep_key(_display, _key_column))
