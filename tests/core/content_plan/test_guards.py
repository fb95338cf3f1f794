"""The guards as pure rules: the rhythm of high-load posts, the daily limit per local day of the
workspace (across time zones and clock changes), and stop words on word boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from core import local_time
from core.content_plan import guards
from tests.core.content_plan.times import BERLIN, NEW_YORK, UTC, berlin

# --- rhythm ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loads", "index", "limit", "warns"),
    [
        (["high", "high"], 1, 2, False),  # exactly the limit: fine
        (["high", "high", "high"], 2, 2, True),  # one over
        (["high", "high", "high"], 0, 2, True),  # the candidate at the start of the run
        (["high", "low", "high", "high"], 3, 2, False),  # a light post resets the run
        (["high", "high", "low"], 2, 2, False),  # a light candidate never warns
        (["high"], 0, 1, False),
        (["high", "high"], 0, 1, True),
        (["low", "high", "high", "high", "low"], 2, 3, False),
        (["low", "high", "high", "high", "high"], 4, 3, True),
    ],
)
def test_rhythm_warns_only_beyond_the_limit(loads, index, limit, warns):
    assert (guards.rhythm_warning(loads, index, limit) is not None) is warns


def test_rhythm_warning_says_how_long_the_run_is():
    assert guards.rhythm_warning(["high"] * 4, 1, 2).startswith("4 high-load posts in a row")


def test_over_limit_positions_marks_whole_runs():
    loads = ["high", "high", "high", "low", "high", "high", "low", "high", "high", "high", "high"]
    assert guards.over_limit_positions(loads, 2) == {0, 1, 2, 7, 8, 9, 10}
    assert guards.over_limit_positions(loads, 4) == set()


# --- daily limit across time zones ---------------------------------------------------------------


def day_post(n: int, at: dt.datetime) -> guards.DayPost:
    return guards.DayPost(n, f"Post {n}", at.astimezone(UTC))


def test_a_post_at_2330_berlin_counts_for_that_berlin_day():
    late = berlin(2025, 3, 10, 23, 30)  # 22:30 UTC, still the 10th in both zones
    assert local_time.local_day(late, BERLIN) == dt.date(2025, 3, 10)
    after_midnight = berlin(2025, 3, 11, 0, 30)  # 23:30 UTC on the 10th
    assert after_midnight.astimezone(UTC).date() == dt.date(2025, 3, 10)
    assert local_time.local_day(after_midnight, BERLIN) == dt.date(2025, 3, 11)


@pytest.mark.parametrize(
    ("candidate", "conflict_ids"),
    [
        (berlin(2025, 3, 10, 9, 0), [1, 2]),  # same Berlin day as posts 1 and 2
        (berlin(2025, 3, 10, 23, 59), [1, 2]),
        (berlin(2025, 3, 11, 0, 30), []),  # next Berlin day, although the UTC date is the 10th
        (berlin(2025, 3, 9, 23, 0), []),
    ],
)
def test_daily_limit_counts_per_local_day_of_the_workspace(candidate, conflict_ids):
    others = [
        day_post(1, berlin(2025, 3, 10, 0, 15)),
        day_post(2, berlin(2025, 3, 10, 23, 30)),
        day_post(3, berlin(2025, 3, 11, 0, 30)),
    ]
    conflicts = guards.daily_limit_conflicts(candidate, limit=2, others=others, tz=BERLIN)
    assert [p.id for p in conflicts] == conflict_ids


def test_daily_limit_in_new_york_uses_new_york_days():
    # 02:00 UTC on the 11th is 22:00 on the 10th in New York (EDT).
    others = [day_post(1, dt.datetime(2025, 6, 10, 12, 0, tzinfo=NEW_YORK))]
    candidate = dt.datetime(2025, 6, 11, 2, 0, tzinfo=UTC)
    assert [p.id for p in guards.daily_limit_conflicts(candidate, limit=1, others=others, tz=NEW_YORK)] == [1]
    assert guards.daily_limit_conflicts(candidate, limit=1, others=others, tz=BERLIN) == []


def test_daily_limit_allows_up_to_the_limit():
    others = [day_post(1, berlin(2025, 3, 10, 9, 0))]
    assert guards.daily_limit_conflicts(berlin(2025, 3, 10, 12, 0), limit=2, others=others, tz=BERLIN) == []


@pytest.mark.parametrize(
    ("day", "hours"), [(dt.date(2025, 3, 30), 23), (dt.date(2025, 10, 26), 25), (dt.date(2025, 6, 1), 24)]
)
def test_local_day_bounds_follow_clock_changes(day, hours):
    start, end = local_time.day_bounds(day, BERLIN)
    assert start.tzinfo == UTC and (end - start) == dt.timedelta(hours=hours)


def test_daily_limit_message_names_the_conflicting_posts():
    conflicts = [day_post(4, berlin(2025, 3, 10, 9, 0)), day_post(9, berlin(2025, 3, 10, 18, 30))]
    message = guards.daily_limit_message("Instagram", dt.date(2025, 3, 10), 2, conflicts, BERLIN)
    assert "#4 'Post 4' at 09:00" in message and "#9 'Post 9' at 18:30" in message and "Mon 2025-03-10" in message


# --- stop words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "text", "matches"),
    [
        ("cheap", "Cheap tricks", True),
        ("cheap", "CHEAP!", True),
        ("cheap", "cheapest deals", False),
        ("cheap", "not-cheap", True),
        ("cheap", "cheap.", True),
        ("müll", "Das ist Müll.", True),
        ("müll", "MÜLL", True),
        ("Müll", "die Müllabfuhr kommt", False),
        ("müll", "Restmüll", False),
        ("grün", "grünlich", False),
        ("grün", "Alles ist GRÜN", True),
        ("straße", "STRASSE gesperrt", True),
        ("über", "U\u0308ber uns", True),  # decomposed umlaut in the text
        ("free money", "Get FREE   money now", True),
        ("free money", "free moneybags", False),
        ("garantiert", "Garantiert!", True),
        ("100%", "100% sicher", True),
    ],
)
def test_stop_words_match_case_insensitively_on_word_boundaries(word, text, matches):
    hits = guards.match_stop_words({"body": text}, [guards.StopWordRule(word, "warn")])
    assert bool(hits) is matches


def test_stop_word_hits_name_word_mode_and_field():
    texts = {"title": "A guaranteed win", "body": "Nothing here", "next_step_text": "Cheap seats, guaranteed"}
    hits = guards.match_stop_words(
        texts, [guards.StopWordRule("guaranteed", "block"), guards.StopWordRule("cheap", "warn")]
    )
    assert hits == [
        guards.StopWordHit("guaranteed", "block", "title"),
        guards.StopWordHit("guaranteed", "block", "next_step_text"),
        guards.StopWordHit("cheap", "warn", "next_step_text"),
    ]
    assert [h.field for h in guards.blocking(hits)] == ["title", "next_step_text"]
