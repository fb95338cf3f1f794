"""The pre-publication checklist as pure rules: each item fails exactly when its input is missing
and says what to fix; links, UTM tags and the builder; the next-step conversion rate."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from core import i18n
from core.content_plan import rules
from core.errors import ValidationError
from db.models import PostCreate

TAGGED = "https://example.com/guide?utm_source=instagram&utm_medium=social&utm_campaign=spring&utm_content=post1"

READY = {
    "title": "How exports work",
    "channel_id": 1,
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
    return {item.key for item in rules.failing(rules.checklist(PostCreate(**{**READY, **changes})))}


# --- checklist ---------------------------------------------------------------------------------


def test_a_complete_text_post_passes_every_checklist_item():
    items = rules.checklist(PostCreate(**READY))
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
            PostCreate(
                **{
                    **READY,
                    "format": "video",
                    "subtitles": True,
                    "sponsored": True,
                    "link_url": "https://example.com/x?utm_source=a",
                }
            )
        )
    }
    assert items["accessibility"].detail == "Video needs timecodes."
    assert "add the ad/partnership label" in items["ad_label"].detail
    assert "utm_medium, utm_campaign" in items["utm"].detail


def test_find_links_strips_trailing_punctuation_and_deduplicates():
    text = "See https://a.example/x?utm_source=1, and (https://b.example/y). Again: https://a.example/x?utm_source=1"
    assert rules.find_links(text) == ["https://a.example/x?utm_source=1", "https://b.example/y"]


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


@pytest.mark.parametrize(
    ("conversions", "impressions", "rate"), [(30, 1000, 0.03), (0, 500, 0.0), (5, 0, None), (None, 100, None)]
)
def test_conversion_rate_is_conversions_over_impressions(conversions, impressions, rate):
    assert rules.conversion_rate(conversions, impressions) == rate


# --- in German -------------------------------------------------------------------------------------


def test_the_checklist_says_what_to_fix_in_german():
    post = PostCreate(
        **{**READY, "format": "video", "subtitles": True, "partner": "Müller & Söhne", "sla_owner_id": None}
    )
    with i18n.using("de"):
        items = {item.key: item for item in rules.checklist(post)}
        assert items["accessibility"].label == "Barrierefreiheit für das Format (Video)"
        assert items["accessibility"].detail == "Video braucht: Timecodes."
        assert items["ad_label"].detail == (
            "Der Beitrag hat den Partner 'Müller & Söhne': Füge die Kennzeichnung als Werbung/Partnerschaft hinzu."
        )
        assert items["sla_owner"].label == "SLA-Verantwortliche, die die Kommentare beantworten"
        assert items["next_step"].detail == "Aufruf zum Kommentieren: Which export do you use most?"
        with pytest.raises(ValidationError, match="Füll source, campaign für die UTM-Tags aus."):
            rules.build_utm_url("https://example.com", source="", medium="social", campaign=" ")
    # The same post in English: the codes and the user's text as they were.
    english = {item.key: item for item in rules.checklist(post)}
    assert english["accessibility"].detail == "Video needs timecodes."
