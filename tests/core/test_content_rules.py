"""The content calendar's pure rules: checklist, status flow, rhythm, daily limit, stop words, UTM."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from core import content_rules as rules
from core.errors import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
TAGGED = "https://example.com/guide?utm_source=instagram&utm_medium=social&utm_campaign=spring&utm_content=post1"

READY = {
    "title": "How exports work",
    "body": "Short and clear.",
    "format": "text",
    "next_step_type": "comment_prompt",
    "next_step_text": "Which export do you use most?",
    "micro_goal": "30 comments",
    "tone_confirmed": True,
    "sla_owner_id": 7,
    "link_url": "",
    "sponsored": False,
    "partner": "",
    "ad_label": False,
}


def failing_keys(**changes) -> set[str]:
    return {item.key for item in rules.failing(rules.checklist({**READY, **changes}))}


# --- checklist ---------------------------------------------------------------------------------


def test_a_complete_text_post_passes_every_checklist_item():
    items = rules.checklist(READY)
    assert [i.key for i in items] == [
        "next_step",
        "micro_goal",
        "tone",
        "accessibility",
        "ad_label",
        "sla_owner",
        "utm",
    ]
    assert all(item.ok for item in items)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"format": "video"}, {"accessibility"}),
        ({"format": "video", "subtitles": True}, {"accessibility"}),
        ({"format": "video", "subtitles": True, "timecodes": True}, set()),
        ({"format": "reel", "subtitles": True}, set()),
        ({"format": "image"}, {"accessibility"}),
        ({"format": "image", "alt_text": "A chart", "contrast_confirmed": False}, {"accessibility"}),
        ({"format": "image", "alt_text": "   ", "contrast_confirmed": True}, {"accessibility"}),
        ({"format": "carousel", "alt_text": "Slides", "contrast_confirmed": True}, set()),
        ({"format": "poll"}, set()),
        ({"sponsored": True}, {"ad_label"}),
        ({"partner": "Acme Bank"}, {"ad_label"}),
        ({"sponsored": True, "partner": "Acme", "ad_label": True}, set()),
        ({"link_url": "https://example.com/guide"}, {"utm"}),
        ({"link_url": "https://example.com/guide?utm_source=x&utm_medium=y"}, {"utm"}),
        ({"link_url": TAGGED}, set()),
        ({"body": "Read more at https://example.com/faq."}, {"utm"}),
        ({"next_step_text": "Sign up at https://example.com/event?utm_source=x&utm_medium=y&utm_campaign=z"}, set()),
        ({"next_step_type": ""}, {"next_step"}),
        ({"next_step_text": "  "}, {"next_step"}),
        ({"micro_goal": ""}, {"micro_goal"}),
        ({"tone_confirmed": False}, {"tone"}),
        ({"sla_owner_id": None}, {"sla_owner"}),
    ],
)
def test_checklist_fails_exactly_the_items_that_are_missing(changes, expected):
    assert failing_keys(**changes) == expected


def test_checklist_details_name_what_to_fix():
    items = {
        i.key: i
        for i in rules.checklist(
            {
                **READY,
                "format": "video",
                "subtitles": True,
                "sponsored": True,
                "link_url": "https://example.com/x?utm_source=a",
            }
        )
    }
    assert items["accessibility"].detail == "A video needs timecodes."
    assert "add the ad/partnership label" in items["ad_label"].detail
    assert "utm_medium, utm_campaign" in items["utm"].detail


def test_find_links_strips_trailing_punctuation_and_deduplicates():
    text = "See https://a.example/x?utm_source=1, and (https://b.example/y). Again: https://a.example/x?utm_source=1"
    assert rules.find_links(text) == ["https://a.example/x?utm_source=1", "https://b.example/y"]


# --- status flow ---------------------------------------------------------------------------------

ALL = ("draft", "in_review", "approved", "scheduled", "published", "cancelled")
ALLOWED = {
    ("draft", "in_review"),
    ("draft", "cancelled"),
    ("in_review", "approved"),
    ("in_review", "draft"),
    ("in_review", "cancelled"),
    ("approved", "scheduled"),
    ("approved", "draft"),
    ("approved", "cancelled"),
    ("scheduled", "published"),
    ("scheduled", "approved"),
    ("scheduled", "cancelled"),
}


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_status_flow_allows_only_the_documented_steps(current, target):
    assert rules.transition_allowed(current, target) == ((current, target) in ALLOWED)


@pytest.mark.parametrize(
    ("current", "target", "steps"),
    [
        ("draft", "scheduled", ["in_review", "approved", "scheduled"]),
        ("in_review", "approved", ["approved"]),
        ("approved", "published", ["scheduled", "published"]),
        ("scheduled", "draft", []),
        ("cancelled", "scheduled", []),
    ],
)
def test_forward_steps_walk_the_path_to_publication(current, target, steps):
    assert rules.forward_steps(current, target) == steps


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
    assert (rules.rhythm_warning(loads, index, limit) is not None) is warns


def test_rhythm_warning_says_how_long_the_run_is():
    assert rules.rhythm_warning(["high"] * 4, 1, 2).startswith("4 high-load posts in a row")


def test_over_limit_positions_marks_whole_runs():
    loads = ["high", "high", "high", "low", "high", "high", "low", "high", "high", "high", "high"]
    assert rules.over_limit_positions(loads, 2) == {0, 1, 2, 7, 8, 9, 10}
    assert rules.over_limit_positions(loads, 4) == set()


# --- daily limit across time zones ---------------------------------------------------------------


def berlin(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


def day_post(n: int, at: dt.datetime) -> rules.DayPost:
    return rules.DayPost(n, f"Post {n}", at.astimezone(UTC))


def test_a_post_at_2330_berlin_counts_for_that_berlin_day():
    late = berlin(2025, 3, 10, 23, 30)  # 22:30 UTC, still the 10th in both zones
    assert rules.local_day(late, BERLIN) == dt.date(2025, 3, 10)
    after_midnight = berlin(2025, 3, 11, 0, 30)  # 23:30 UTC on the 10th
    assert after_midnight.astimezone(UTC).date() == dt.date(2025, 3, 10)
    assert rules.local_day(after_midnight, BERLIN) == dt.date(2025, 3, 11)


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
    conflicts = rules.daily_limit_conflicts(candidate, limit=2, others=others, tz=BERLIN)
    assert [p.id for p in conflicts] == conflict_ids


def test_daily_limit_in_new_york_uses_new_york_days():
    # 02:00 UTC on the 11th is 22:00 on the 10th in New York (EDT).
    others = [day_post(1, dt.datetime(2025, 6, 10, 12, 0, tzinfo=NEW_YORK))]
    candidate = dt.datetime(2025, 6, 11, 2, 0, tzinfo=UTC)
    assert [p.id for p in rules.daily_limit_conflicts(candidate, limit=1, others=others, tz=NEW_YORK)] == [1]
    assert rules.daily_limit_conflicts(candidate, limit=1, others=others, tz=BERLIN) == []


def test_daily_limit_allows_up_to_the_limit():
    others = [day_post(1, berlin(2025, 3, 10, 9, 0))]
    assert rules.daily_limit_conflicts(berlin(2025, 3, 10, 12, 0), limit=2, others=others, tz=BERLIN) == []


@pytest.mark.parametrize(
    ("day", "hours"), [(dt.date(2025, 3, 30), 23), (dt.date(2025, 10, 26), 25), (dt.date(2025, 6, 1), 24)]
)
def test_local_day_bounds_follow_clock_changes(day, hours):
    start, end = rules.local_day_bounds(day, BERLIN)
    assert start.tzinfo == UTC and (end - start) == dt.timedelta(hours=hours)


def test_daily_limit_message_names_the_conflicting_posts():
    conflicts = [day_post(4, berlin(2025, 3, 10, 9, 0)), day_post(9, berlin(2025, 3, 10, 18, 30))]
    message = rules.daily_limit_message("Instagram", dt.date(2025, 3, 10), 2, conflicts, BERLIN)
    assert "#4 'Post 4' at 09:00" in message and "#9 'Post 9' at 18:30" in message and "Mon 10 Mar 2025" in message


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
    hits = rules.match_stop_words({"body": text}, [rules.StopWordRule(word, "warn")])
    assert bool(hits) is matches


def test_stop_word_hits_name_word_mode_and_field():
    texts = {"title": "A guaranteed win", "body": "Nothing here", "next_step_text": "Cheap seats, guaranteed"}
    hits = rules.match_stop_words(
        texts, [rules.StopWordRule("guaranteed", "block"), rules.StopWordRule("cheap", "warn")]
    )
    assert hits == [
        rules.StopWordHit("guaranteed", "block", "title"),
        rules.StopWordHit("guaranteed", "block", "next_step_text"),
        rules.StopWordHit("cheap", "warn", "next_step_text"),
    ]
    assert [h.field for h in rules.blocking(hits)] == ["title", "next_step_text"]


# --- UTM -------------------------------------------------------------------------------------------


def test_utm_builder_adds_all_four_tags_and_keeps_other_parameters():
    url = rules.build_utm_url(
        "https://example.com/faq?lang=de#export",
        source="Instagram",
        medium="social",
        campaign="Spring Guide",
        content="post 12",
    )
    parts = urlsplit(url)
    assert parts.fragment == "export"
    assert parse_qs(parts.query) == {
        "lang": ["de"],
        "utm_source": ["instagram"],
        "utm_medium": ["social"],
        "utm_campaign": ["spring_guide"],
        "utm_content": ["post_12"],
    }
    assert rules.missing_utm(url) == []


def test_utm_builder_replaces_old_tags_instead_of_duplicating_them():
    url = rules.build_utm_url(
        "https://example.com/?utm_source=old&utm_content=x", source="telegram", medium="social", campaign="c"
    )
    assert parse_qs(urlsplit(url).query) == {
        "utm_source": ["telegram"],
        "utm_medium": ["social"],
        "utm_campaign": ["c"],
    }


@pytest.mark.parametrize(
    ("url", "kwargs", "message"),
    [
        ("example.com/faq", {"source": "a", "medium": "b", "campaign": "c"}, "not a web link"),
        ("ftp://example.com", {"source": "a", "medium": "b", "campaign": "c"}, "not a web link"),
        ("https://example.com", {"source": "", "medium": "b", "campaign": " "}, "source, campaign"),
    ],
)
def test_utm_builder_refuses_what_it_cannot_tag(url, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        rules.build_utm_url(url, **kwargs)


@pytest.mark.parametrize(
    ("url", "missing"),
    [
        ("https://x.example/", ["utm_source", "utm_medium", "utm_campaign"]),
        ("https://x.example/?utm_source=a&utm_medium=&utm_campaign=c", ["utm_medium"]),
        (TAGGED, []),
    ],
)
def test_missing_utm_lists_absent_or_empty_tags(url, missing):
    assert rules.missing_utm(url) == missing


# --- local times -----------------------------------------------------------------------------------


def test_local_instant_refuses_a_wall_time_skipped_by_the_clock_change():
    with pytest.raises(ValidationError, match="does not exist in Europe/Berlin"):
        rules.local_instant(dt.date(2025, 3, 30), dt.time(2, 30), BERLIN)


def test_local_instant_takes_the_first_of_a_repeated_wall_time():
    assert rules.local_instant(dt.date(2025, 10, 26), dt.time(2, 30), BERLIN) == dt.datetime(
        2025, 10, 26, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-10 23:30", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
        ("2025-03-10T23:30", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
        ("2025-07-10 23:30", dt.datetime(2025, 7, 10, 21, 30, tzinfo=UTC)),
        ("2025-03-10 23:30+01:00", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
        ("2025-03-10T22:30:00Z", dt.datetime(2025, 3, 10, 22, 30, tzinfo=UTC)),
    ],
)
def test_parse_local_datetime_reads_workspace_time_or_explicit_offsets(text, expected):
    assert rules.parse_local_datetime(text, BERLIN) == expected


@pytest.mark.parametrize("text", ["2025-03-10", "10.03.2025 12:00", "tomorrow", "2025-13-01 10:00", "2025-03-30 02:30"])
def test_parse_local_datetime_refuses_unclear_times(text):
    with pytest.raises(ValidationError):
        rules.parse_local_datetime(text, BERLIN)


def test_month_grid_runs_monday_to_sunday_around_the_month():
    assert rules.month_grid(dt.date(2025, 3, 17)) == (dt.date(2025, 2, 24), dt.date(2025, 4, 6))
    assert rules.week_of(dt.date(2025, 3, 13)) == (dt.date(2025, 3, 10), dt.date(2025, 3, 16))


@pytest.mark.parametrize(
    ("conversions", "impressions", "rate"), [(30, 1000, 0.03), (0, 500, 0.0), (5, 0, None), (None, 100, None)]
)
def test_conversion_rate_is_conversions_over_impressions(conversions, impressions, rate):
    assert rules.conversion_rate(conversions, impressions) == rate
