"""The user's language: gettext catalogues (managed with Babel, ``make translations``) and the
language the current code runs in.

English is the source language: every message is written in English in the code, marked with
``_("…")`` (translated where it runs) or ``N_("…")`` (a constant translated where it is shown),
and looked up in ``locale/<language>/LC_MESSAGES/messages.mo``. Placeholders are named and in
braces, ``_("{count} ideas", count=n)``, so a translation may put them in another order.

Which language: ``using(language)`` for a block of code (the worker writing a digest, the board
written in the workspace's language), else the resolver the screen installed (the signed-in
user's choice, read afresh on every run and fragment rerun), else English. ``core`` never
imports Streamlit: the UI hands its resolver in with ``set_resolver``.
"""

from __future__ import annotations

import contextvars
import gettext
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from core.errors import ValidationError

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# Each language in its own name: a person who cannot read the current one still finds theirs.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch"}  # i18n: not text

_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("dialogdesk_language", default=None)
_resolver: Callable[[], str | None] | None = None


def set_resolver(resolver: Callable[[], str | None] | None) -> None:
    """The screen's way of telling the current user's language (None: not known here)."""
    global _resolver
    _resolver = resolver


def current() -> str:
    """The language messages are translated into right now."""
    language = _override.get()
    if language is None and _resolver is not None:
        language = _resolver()
    return language if language in LANGUAGES else SOURCE_LANGUAGE


@contextmanager
def using(language: str | None) -> Iterator[None]:
    """Run a block in ``language`` (None or unknown: English), whatever the user reads."""
    token = _override.set(language if language in LANGUAGES else SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _override.reset(token)


def check_language(language: str) -> str:
    """A language code Dialog Desk has a catalogue for, or a message naming the ones it has."""
    if language not in LANGUAGES:
        raise ValidationError(
            _(
                "Unknown language {language!r}: choose one of {choices}.",
                language=language,
                choices=", ".join(LANGUAGES),
            )
        )
    return language


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language``; compiled in memory from the ``.po`` file when the
    ``.mo`` is missing or older (a checkout before ``make translations`` ran)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po.exists():
        log.warning("No catalogue for %s in %s: messages stay English", language, folder)
        return gettext.NullTranslations()
    return _compiled_in_memory(po)


def _compiled_in_memory(po: Path) -> gettext.NullTranslations:
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        messages = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str, /, **params: object) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``params``."""
    translated = catalogue(current()).gettext(message)
    return translated.format(**params) if params else translated


def ngettext(singular: str, plural: str, count: int, /, **params: object) -> str:
    """The singular or plural form for ``count`` (as the language counts), ``{count}`` filled."""
    translated = catalogue(current()).ngettext(singular, plural, count)
    return translated.format(count=count, **params)


def N_(message: str, /) -> str:
    """Marks a constant for the catalogue; it is translated with ``_`` where it is shown."""
    return message


def translated(message: str, language: str | None) -> str:
    """``message`` (a marked constant) in ``language``, whatever the current one is."""
    with using(language):
        return _(message)
