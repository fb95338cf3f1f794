"""User text through Markdown comes out literal: no formatting, links, lists, colours or HTML."""

import pytest

from core.text import escape_markdown, plain_block


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("a*b_c", r"a\*b\_c"),
        ("[Win](http://evil.example)", "\\[Win\\](http:\u2060//evil.example)"),
        ("![img](x.png)", r"!\[img\](x.png)"),
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        (":red[alarm]", ":\u2060red\\[alarm\\]"),
        ("Sponsored: add the label!", "Sponsored: add the label!"),
        ("$x^2$", r"\$x^2\$"),
        ("# heading\nsecond line", r"\# heading second line"),
        ("- not a list", r"\- not a list"),
        ("1. not a list", r"1\. not a list"),
        ("3) neither", r"3\) neither"),
        ("Tom & Jerry", r"Tom \& Jerry"),
    ],
)
def test_user_text_is_literal_in_markdown(text, expected):
    assert escape_markdown(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi team,\nthe link is broken.\r\n\tThanks", "Hi team,\nthe link is broken.\r\n\tThanks"),
        ("Order 1234 \u202edeveR\u202c please", "Order 1234 deveR please"),
        ("\u2066@mila\u2069 \u200fwrote\u200e", "@mila wrote"),
        ("**stays** as typed :red[x]", "**stays** as typed :red[x]"),  # no Markdown in a block
        ("bell\x07 and nul\x00", "bell and nul"),
    ],
)
def test_a_block_shown_as_typed_keeps_its_lines_without_bidi_or_control_characters(text, expected):
    assert plain_block(text) == expected
