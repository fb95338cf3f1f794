"""The loop's pure rules: forward-only status, impact arithmetic, texts, categories, escaping."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.errors import ValidationError
from core.loop.rules import (
    NEXT_STEP_TEXT,
    advance_status,
    announcement_text,
    conversation_impact,
    impact_windows,
    nps_impact,
    parse_categories,
    thank_you_reply,
    validate_nps,
)
from core.text import escape_markdown
from db.models import LoopStatus

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
S, A, T, M = LoopStatus.shipped, LoopStatus.announced, LoopStatus.thanked, LoopStatus.measured


@pytest.mark.parametrize(
    ("current", "announced", "all_thanked", "measured", "expected"),
    [
        (S, False, False, False, S),
        (S, True, False, False, A),
        (S, True, True, False, T),
        (S, True, True, True, M),
        # Early events wait for their turn: thanked or measured without the announcement stay shipped.
        (S, False, True, True, S),
        (A, True, False, True, A),
        # Never backwards, whatever the events say now.
        (A, False, False, False, A),
        (T, True, False, False, T),
        (M, False, False, False, M),
    ],
)
def test_status_moves_only_forward_with_the_events(current, announced, all_thanked, measured, expected):
    assert advance_status(current, announced=announced, all_thanked=all_thanked, measured=measured) == expected


def test_impact_windows_are_whole_local_days_around_the_shipped_day_across_a_clock_change():
    # 2026-03-29: Europe/Berlin moves to summer time.
    b0, b1, a0, a1 = impact_windows(dt.date(2026, 3, 20), 14, BERLIN)
    assert b0 == dt.datetime(2026, 3, 6, 0, tzinfo=BERLIN).astimezone(UTC)
    assert b1 == dt.datetime(2026, 3, 20, 0, tzinfo=BERLIN).astimezone(UTC)
    assert a0 == dt.datetime(2026, 3, 21, 0, tzinfo=BERLIN).astimezone(UTC)
    assert a1 == dt.datetime(2026, 4, 4, 0, tzinfo=BERLIN).astimezone(UTC)
    assert (a1 - a0) == dt.timedelta(days=14, hours=-1)  # the shorter day is counted whole


@pytest.mark.parametrize(
    ("today", "measured"),
    [(dt.date(2026, 4, 30), False), (dt.date(2026, 5, 1), True), (dt.date(2026, 6, 1), True)],
)
def test_a_conversation_count_is_measured_once_the_after_window_is_over(today, measured):
    figure = conversation_impact(40, 30, shipped_on=dt.date(2026, 3, 31), days=30, categories=["billing"], today=today)
    assert (figure.kind, figure.before, figure.after, figure.change) == ("conversations", 40, 30, -10)
    assert figure.measured is measured
    assert figure.change_share == pytest.approx(-0.25)


@pytest.mark.parametrize(
    ("before", "after", "measured", "change"),
    [(30.0, 42.0, True, 12.0), (30.0, None, False, None), (None, None, False, None), (-10.0, -20.0, True, -10.0)],
)
def test_nps_impact_needs_both_values(before, after, measured, change):
    figure = nps_impact(before, after)
    assert (figure.kind, figure.measured, figure.change) == ("nps", measured, change)


@pytest.mark.parametrize("value", [-100.5, 101, 1000])
def test_nps_outside_minus_100_to_100_is_refused(value):
    with pytest.raises(ValidationError, match="between -100 and 100"):
        validate_nps(value, "before")


@pytest.mark.parametrize(
    ("text", "expected"), [("billing, login ,billing", ("billing", "login")), ("", ()), (["a", " ", "b"], ("a", "b"))]
)
def test_categories_are_trimmed_and_deduplicated(text, expected):
    assert parse_categories(text) == expected


def test_the_announcement_names_what_changed_credits_the_givers_and_asks_what_next():
    title, body = announcement_text(
        what_changed="Dark mode is live",
        details="In the app settings.",
        idea_titles=["Dark mode"],
        handles=["@ann", "@bo", "@cy"],
        idea_form_url="https://x.example/f",
    )
    assert title == "You asked, we did: Dark mode is live"
    assert "Thank you @ann, @bo and @cy" in body
    assert "“Dark mode”" in body and "In the app settings." in body
    assert body.endswith(NEXT_STEP_TEXT + " https://x.example/f")


def test_the_thank_you_reply_greets_every_handle_of_its_channel():
    text = thank_you_reply(
        handles=["@ann", "@bo"], what_changed="Dark mode is live", idea_titles=["Dark mode", "Night theme"]
    )
    assert text.startswith("@ann @bo Thank you for the idea!")
    assert "“Dark mode” and 1 more" in text


@pytest.mark.parametrize(
    ("text", "expected"), [("a*b_c", r"a\*b\_c"), ("[x](y)", r"\[x\](y)"), ("<b>\n#1", r"\<b\> \#1"), ("$5", r"\$5")]
)
def test_user_text_is_escaped_for_markdown(text, expected):
    assert escape_markdown(text) == expected
