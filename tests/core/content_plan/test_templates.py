"""The five post templates of paper §11: what each pre-fills, and the rubric a post made from one gets."""

from __future__ import annotations

import pytest

from core import i18n
from core.content_plan import posts, templates
from core.errors import ValidationError
from db.models import PostCreate

pytestmark = pytest.mark.daily_post_limit(2)  # Instagram allows 2 posts a day here


# --- templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "fmt", "step", "rubric", "in_body"),
    [
        ("myth_busting", "carousel", "comment_prompt", "Myth vs fact", ["Myth:", "Fact:", "What to do:"]),
        ("how_it_works", "video", "comment_prompt", "How it works", ["45–90 seconds", "timecodes"]),
        ("ideas_for_the_product", "text", "form", "Ideas for the product", ["form", "come back with the results"]),
        (
            "digest_of_the_week",
            "carousel",
            "event",
            "Digest of the week",
            ["questions and answers", "Hero of the week", "sign up"],
        ),
        ("open_retro", "text", "thread", "Open retro", ["What we launched", "What did not work", "What we change"]),
    ],
)
def test_each_template_prefills_format_structure_next_step_and_rubric(
    write, team, channel, key, fmt, step, rubric, in_body
):
    defaults = templates.template_defaults(key)
    assert defaults["template"] == key and defaults["format"] == fmt and defaults["next_step_type"] == step
    assert defaults["next_step_text"] and defaults["micro_goal"]
    for phrase in in_body:
        assert phrase in defaults["body"]
    with write() as s:
        view = posts.create_post(
            session=s,
            actor=team["lead"],
            post_in=PostCreate(**defaults, title="From a template", channel_id=channel.id),
        )
    assert view.rubric_name == rubric and view.format == fmt and view.status == "draft"


def test_template_texts_carry_the_papers_calls_to_action():
    assert "Which myth should we take apart next?" in templates.template_defaults("myth_busting")["next_step_text"]
    assert "we are collecting the FAQ" in templates.template_defaults("how_it_works")["next_step_text"]
    assert "come back with the results" in templates.template_defaults("ideas_for_the_product")["next_step_text"]


def test_unknown_template_is_refused():
    with pytest.raises(ValidationError, match="Unknown template"):
        templates.template_defaults("clickbait")


# --- the workspace's language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "body_starts", "step_text", "goal"),
    [
        (
            "de",
            "Folie 1 – Mythos:",
            "Welchen Mythos sollen wir als Nächstes auseinandernehmen? Schreib es uns in die Kommentare.",
            "20 Kommentare, die den nächsten Mythos nennen",
        ),
        (
            "en",
            "Slide 1 — Myth:",
            "Which myth should we take apart next? Tell us in the comments.",
            "20 comments naming the next myth",
        ),
    ],
)
def test_a_templates_texts_are_written_in_the_language_asked_for_whatever_the_reader_reads(
    language, body_starts, step_text, goal
):
    # The reader reads the other language: the post's texts follow the workspace, not the reader.
    reader = "en" if language == "de" else "de"
    with i18n.using(reader):
        defaults = templates.template_defaults("myth_busting", language=language)
        label = i18n._(templates.TEMPLATES["myth_busting"].label)
    assert defaults["body"].startswith(body_starts)
    assert defaults["next_step_text"] == step_text and defaults["micro_goal"] == goal
    # Codes stay codes in every language.
    assert (defaults["template"], defaults["format"], defaults["next_step_type"]) == (
        "myth_busting",
        "carousel",
        "comment_prompt",
    )
    assert label == ("Mythen entlarven" if reader == "de" else "Myth busting")


def test_every_templates_wording_has_german_and_keeps_its_line_structure():
    for key, template in templates.TEMPLATES.items():
        english = templates.template_defaults(key, language="en")
        german = templates.template_defaults(key, language="de")
        for field in templates.TEXT_FIELDS:
            assert german[field] != english[field], (key, field)
            assert german[field].count("\n") == english[field].count("\n"), (key, field)
        with i18n.using("de"):
            assert i18n._(template.summary) != template.summary, key
            assert i18n._(template.label) != template.label, key


def test_a_template_post_in_a_german_workspace_gets_the_built_in_rubric_by_its_stored_name(write, team, channel):
    defaults = templates.template_defaults("how_it_works", language="de")
    assert "Video, 45–90 Sekunden, mit Untertiteln und Timecodes." in defaults["body"]
    with i18n.using("de"), write() as s:
        view = posts.create_post(
            session=s,
            actor=team["lead"],
            post_in=PostCreate(**defaults, title="So funktionieren Benachrichtigungen", channel_id=channel.id),
        )
    assert view.rubric_name == "How it works"  # stored by its English name; shown translated


def test_an_unknown_template_is_refused_in_german():
    with i18n.using("de"), pytest.raises(ValidationError, match="Unbekannte Vorlage 'clickbait'"):
        templates.template_defaults("clickbait")
