"""Handles are people: one key per person whatever the spelling, lists split only on the
separators the person chose (never on spaces), and invisible or control characters refused."""

import pytest

from core import controls
from core.errors import ValidationError
from core.handles import DEFAULT_SEPARATORS, handle_key, make_handle, parse_separators, split_handles


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("@Ann", "ann"),
        ("ann", "ann"),
        ("  @ANN  ", "ann"),
        ("＠Ａｎｎ", "ann"),  # full-width forms (NFKC)
        ("@Ann\u200b", "ann"),  # a zero-width space copied along
        ("@A\u200dnn", "ann"),  # a joiner inside
        ("Doc   James", "doc james"),  # inner whitespace collapsed, the space kept
        ("Doc\u00a0James", "doc james"),  # no-break space
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # case-folded, not just lower-cased
        ("@@ann", "ann"),
    ],
)
def test_the_key_of_a_handle(text, key):
    assert handle_key(text) == key


@pytest.mark.parametrize("text", ["", "   ", "@", " @ ", "\u200b\u200b", "@\u200b"])
def test_a_handle_with_nothing_left_is_invalid(text):
    with pytest.raises(ValidationError):
        handle_key(text)


def test_make_handle_keeps_the_display_form_and_refuses_what_is_no_name():
    assert make_handle("  @Ann\u200b ") == make_handle("@Ann")
    assert make_handle("Doc  James").display == "Doc James"
    with pytest.raises(ValidationError, match="invisible characters"):
        make_handle("\u200b\u200c\u2060")
    with pytest.raises(ValidationError, match="U\\+0000 NUL"):
        make_handle("\x00=HYPERLINK(1)")
    with pytest.raises(ValidationError, match="U\\+001B"):
        make_handle("@ann\x1b[31m")
    with pytest.raises(ValidationError, match="longer than 120"):
        make_handle("@" + "x" * 130)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Doc James, Ann Smith", ["Doc James", "Ann Smith"]),
        ("Doc James;Ann Smith\nBo", ["Doc James", "Ann Smith", "Bo"]),
        ("@Ann, @ann, @ANN", ["@Ann"]),
        ("@ann\r\n@bo\r@cy", ["@ann", "@bo", "@cy"]),  # Windows and bare carriage-return lines
        (" , ;\n", []),
        (["Doc James, @bo", "@BO"], ["Doc James", "@bo"]),
    ],
)
def test_lists_split_only_on_the_default_separators(text, expected):
    assert [h.display for h in split_handles(text)] == expected


def test_a_chosen_separator_is_the_only_one_used():
    assert [h.display for h in split_handles("Smith, Ann|Doe, John", parse_separators("pipe"))] == [
        "Smith, Ann",
        "Doe, John",
    ]
    assert [h.key for h in split_handles("a/b", parse_separators(["slash", "comma"]))] == ["a", "b"]


@pytest.mark.parametrize("value", [" ", "space", "\t", ["comma", " "]])
def test_spaces_are_never_a_separator(value):
    with pytest.raises(ValidationError):
        parse_separators(value)


def test_separators_by_name_or_character():
    assert parse_separators(None) == DEFAULT_SEPARATORS
    assert parse_separators("comma,semicolon,newline") == DEFAULT_SEPARATORS
    assert parse_separators([",", "\r\n"]) == (",", "\n")
    with pytest.raises(ValidationError, match="Unknown separator"):
        parse_separators("hash")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\x00=1+1", "U+0000"),
        ("a\x07b", "U+0007"),
        ("a\x0bb", "U+000B"),
        ("\u200b", "invisible"),
        ("\u202e\u200b", "invisible"),
    ],
)
def test_control_and_invisible_only_text_is_named(text, problem):
    assert problem in (controls.check_text(text, "title") or "")


@pytest.mark.parametrize("text", ["plain", "tab\tand\nnew line\r", "emoji 👩\u200d💻", ""])
def test_ordinary_text_passes(text):
    assert controls.check_text(text, "title") is None
