"""The five post templates of paper §11: what each pre-fills, and the rubric a post made from one gets."""

from __future__ import annotations

import pytest

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
