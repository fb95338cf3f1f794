"""The five post templates of paper §11: what each pre-fills (format, cognitive load, the body's
structure, the next step and its call to action, the goal) and the rubric it belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from core.errors import ValidationError
from db.models import CognitiveLoad, NextStepType


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    rubric: str
    summary: str
    fields: Mapping[str, Any]  # post fields (``db.models.PostBase`` names) it pre-fills


def _template(key: str, label: str, rubric: str, summary: str, **fields: Any) -> Template:
    return Template(key, label, rubric, summary, MappingProxyType({"template": key, **fields}))


TEMPLATES: Mapping[str, Template] = MappingProxyType(
    {
        t.key: t
        for t in (
            _template(
                "myth_busting",
                "Myth busting",
                "Myth vs fact",
                "Carousel: myth → fact → what to do.",
                format="carousel",
                cognitive_load=CognitiveLoad.high,
                body=(
                    "Slide 1 — Myth: (the belief we keep hearing in the comments)\n"
                    "Slide 2 — Fact: (what is true, and how we know)\n"
                    "Slide 3 — What to do: (one concrete step)\n"
                    "Last slide — Which myth should we take apart next?"
                ),
                next_step_type=NextStepType.comment_prompt,
                next_step_text="Which myth should we take apart next? Tell us in the comments.",
                micro_goal="20 comments naming the next myth",
            ),
            _template(
                "how_it_works",
                "How it works",
                "How it works",
                "Video of 45–90 seconds; collect questions for the FAQ.",
                format="video",
                cognitive_load=CognitiveLoad.high,
                body=(
                    "Video, 45–90 seconds, with subtitles and timecodes.\n"
                    "0:00 The question we keep getting\n"
                    "0:10 How it works, step by step\n"
                    "0:50 Where to read more (guide / FAQ)\n"
                    "End card — Leave your question, we are collecting the FAQ."
                ),
                next_step_type=NextStepType.comment_prompt,
                next_step_text="Leave your question, we are collecting the FAQ.",
                micro_goal="15 new questions for the FAQ",
            ),
            _template(
                "ideas_for_the_product",
                "Ideas for the product",
                "Ideas for the product",
                "A brief post, a proposal form, a promise to come back with results.",
                format="text",
                cognitive_load=CognitiveLoad.low,
                body=(
                    "What would make the product better for you? Tell us in a two-minute form.\n"
                    "We read every proposal and will come back with the results — what we build and why."
                ),
                next_step_type=NextStepType.form,
                next_step_text="Fill in the proposal form: which feature should we build next? We will come back with the results.",
                micro_goal="40 proposals through the form",
            ),
            _template(
                "digest_of_the_week",
                "Digest of the week",
                "Digest of the week",
                "Best questions and answers, hero of the week, event announcement.",
                format="carousel",
                cognitive_load=CognitiveLoad.low,
                body=(
                    "The best questions and answers of the week:\n1. …\n2. …\n3. …\n"
                    "Hero of the week: (who, and what they did for the community)\n"
                    "Coming up: (the event or next topic) — sign up!"
                ),
                next_step_type=NextStepType.event,
                next_step_text="Sign up for the next event — the link is in the first comment.",
                micro_goal="50 event sign-ups",
            ),
            _template(
                "open_retro",
                "Open retro",
                "Open retro",
                "What was launched, what did not work, what we change; invitation to discuss.",
                format="text",
                cognitive_load=CognitiveLoad.high,
                body="What we launched: …\nWhat did not work: …\nWhat we change: …\nTell us in the thread what you noticed.",
                next_step_type=NextStepType.thread,
                next_step_text="Join the retro thread: what should we change next?",
                micro_goal="25 replies in the retro thread",
            ),
        )
    }
)


def template_defaults(key: str) -> dict[str, Any]:
    """The fields a template pre-fills (format, load, body structure, next step, goal)."""
    try:
        return dict(TEMPLATES[key].fields)
    except KeyError:
        raise ValidationError(f"Unknown template {key!r}; choose one of: {', '.join(TEMPLATES)}.") from None
