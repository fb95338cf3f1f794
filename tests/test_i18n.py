"""Every message is translatable and the German catalogue is complete.

The scan reads pages/, ui/, app.py and core/ (the demo's made-up content and the command line's
own output aside) and fails on any string that reads like words — a space between letters, or a
capitalised word — and is not marked with ``_``, ``N_`` or ``ngettext``. What looks like words and
is not a message (a column's code name compared with data, a format pattern) carries the comment
``# i18n: not text`` on its line, or sits in a place listed in ``NOT_TEXT_ARGUMENTS`` below.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core import formats, i18n

ROOT = Path(__file__).resolve().parent.parent
SCANNED = sorted(
    path
    for path in [
        ROOT / "app.py",
        *(ROOT / "pages").rglob("*.py"),
        *(ROOT / "ui").rglob("*.py"),
        *(ROOT / "core").rglob("*.py"),
    ]
    if not path.is_relative_to(ROOT / "core" / "demo") and not path.is_relative_to(ROOT / "core" / "cli")
)
MARKERS = {"_", "N_", "ngettext"}
NOT_TEXT_COMMENT = "# i18n: not text"
# Keyword arguments that name, never show: widget keys, icons, types, MIME types, formats.
NOT_TEXT_ARGUMENTS = {
    "key",
    "icon",
    "type",
    "mime",
    "format",
    "language",
    "mode",
    "layout",
    "anchor",
    "width",
    "height",
    "on_change",
    "entity",
    "action",
    "domain",
}
# Calls whose strings are for developers and logs, not for the people using the app.
NOT_TEXT_CALLS = {"debug", "info_log", "warning_log", "exception", "getLogger", "AssertionError", "TypeVar", "text"}
WORDS = re.compile(r"[^\W\d_]{2,}[,.:;!?…]?\s+[^\W\d_]|^[A-ZÄÖÜ][a-zäöüß]+[.!?…:]?$")


def _reads_as_words(value: str) -> bool:
    return bool(WORDS.search(value.strip()))


def _unmarked(path: Path) -> Iterator[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    skipped: set[int] = set()  # ids of nodes inside a marker, a docstring, a log call, …

    def skip(node: ast.AST) -> None:
        skipped.update(id(child) for child in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip(first)
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            owner = (
                node.func.value.id
                if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                else ""
            )
            if name in MARKERS or name in NOT_TEXT_CALLS or owner in {"log", "logger", "logging"}:
                skip(node)
            for keyword in node.keywords:
                if keyword.arg in NOT_TEXT_ARGUMENTS:
                    skip(keyword.value)
        elif isinstance(node, ast.Compare | ast.Subscript | ast.Assert):
            skip(node.slice if isinstance(node, ast.Subscript) else node)
        elif isinstance(node, ast.Dict):
            for dict_key in node.keys:
                if dict_key is not None:
                    skip(dict_key)
        elif isinstance(node, ast.match_case):
            skip(node.pattern)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
            skip(node)
        else:
            continue
        if not _reads_as_words(text):
            continue
        line = lines[node.lineno - 1]
        end_line = lines[(node.end_lineno or node.lineno) - 1]
        if NOT_TEXT_COMMENT in line or NOT_TEXT_COMMENT in end_line:
            continue
        yield node.lineno, text


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", SCANNED, ids=_relative)
def test_every_message_is_marked_for_translation(path: Path) -> None:
    found = [f"{_relative(path)}:{line}: {text[:70]!r}" for line, text in _unmarked(path)]
    assert not found, "not marked for translation (wrap in _(...), or N_(...) for a constant):\n" + "\n".join(found)


@pytest.mark.parametrize("path", SCANNED, ids=_relative)
def test_no_throwaway_underscore_where_underscore_translates(path: Path) -> None:
    """``for _, x in …`` would shadow the translator inside that function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    stores = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
    ]
    imports_underscore = any(
        isinstance(node, ast.ImportFrom) and any(alias.name == "_" for alias in node.names) for node in ast.walk(tree)
    )
    assert not (imports_underscore and stores), f"{_relative(path)} assigns _ on lines {stores}; use another name"


@pytest.mark.parametrize("path", SCANNED, ids=_relative)
def test_no_literal_message_hides_inside_an_f_string(path: Path) -> None:
    """``pybabel extract`` does not look inside f-strings: ``f"[{_('today')}]"`` would never reach the
    catalogue and would show English to every German reader. A constant's label (``_(LABELS[x])``)
    is extracted where the constant is marked with ``N_`` and may stay."""
    hidden = [
        f"{_relative(path)}:{call.lineno}: {ast.unparse(call)[:70]}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.JoinedStr)
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in MARKERS
        and call.args
        and isinstance(call.args[0], ast.Constant)
    ]
    assert not hidden, "a message inside an f-string is not extracted; give it its own variable:\n" + "\n".join(hidden)


def _extracted() -> dict[str, tuple[str, ...]]:
    """Every message in the code (as `make translations` extracts it): msgid → its plural forms."""
    found: dict[str, tuple[str, ...]] = {}
    for folder in ("pages", "ui", "core"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None, "N_": None, "ngettext": (1, 2)}
        ):
            forms = message if isinstance(message, tuple) else (message,)
            found[forms[0]] = forms
    return found


def _catalogue(language: str):
    with (ROOT / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_the_german_catalogue_translates_every_message_without_a_fuzzy_entry() -> None:
    catalogue = _catalogue("de")
    missing, fuzzy = [], []
    for msgid in _extracted():
        entry = catalogue.get(msgid)
        strings = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or not all(strings):
            missing.append(msgid)
        elif entry.fuzzy:
            fuzzy.append(msgid)
    assert not missing, (
        f"{len(missing)} messages without German (run `make translations`, then translate):\n"
        + "\n".join(repr(m[:80]) for m in missing[:40])
    )
    assert not fuzzy, "fuzzy German entries:\n" + "\n".join(repr(m[:80]) for m in fuzzy[:40])


def _placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def test_german_translations_keep_every_placeholder() -> None:
    wrong = []
    for message in _catalogue("de"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(_placeholders(i) for i in ids))
        for translated_text in strings:
            try:
                names = _placeholders(translated_text)
            except ValueError as error:
                wrong.append(f"{ids[0][:60]!r}: {error}")
                continue
            if names - expected or (expected - names and len(ids) == 1):
                wrong.append(f"{ids[0][:60]!r}: {sorted(expected)} → {sorted(names)}")
    assert not wrong, "German entries whose {placeholders} differ:\n" + "\n".join(wrong)


def test_a_marked_message_reads_german_in_german_and_english_otherwise() -> None:
    with i18n.using("de"):
        assert i18n._("Idea board") == "Ideenboard"
        assert formats.percent(79.9) == "79,9\u00a0%"
        assert formats.number(26000) == "26.000"
    with i18n.using("en"):
        assert i18n._("Idea board") == "Idea board"
        assert formats.percent(79.9) == "79.9\u00a0%"
        assert formats.number(26000) == "26,000"
