"""The five post templates of paper §11: what each pre-fills (format, cognitive load, the body's
structure, the next step and its call to action, the goal) and the rubric it belongs to.

Their wording is marked for translation: the label, summary and rubric are shown in the reader's
language; the texts a new post is pre-filled with are written in the workspace's language (the
language the team publishes in), ``template_defaults(key, language=…)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from core import i18n
from core.errors import ValidationError
from core.i18n import N_, _
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
                N_("Myth busting"),
                N_("Myth vs fact"),
                N_("Carousel: myth → fact → what to do."),
                format="carousel",
                cognitive_load=CognitiveLoad.high,
                body=N_(
                    "Slide 1 — Myth: (the belief we keep hearing in the comments)\n"
                    "Slide 2 — Fact: (what is true, and how we know)\n"
                    "Slide 3 — What to do: (one concrete step)\n"
                    "Last slide — Which myth should we take apart next?"
                ),
                next_step_type=NextStepType.comment_prompt,
                next_step_text=N_("Which myth should we take apart next? Tell us in the comments."),
                micro_goal=N_("20 comments naming the next myth"),
            ),
            _template(
                "how_it_works",
                N_("How it works"),
                N_("How it works"),
                N_("Video of 45–90 seconds; collect questions for the FAQ."),
                format="video",
                cognitive_load=CognitiveLoad.high,
                body=N_(
                    "Video, 45–90 seconds, with subtitles and timecodes.\n"
                    "0:00 The question we keep getting\n"
                    "0:10 How it works, step by step\n"
                    "0:50 Where to read more (guide / FAQ)\n"
                    "End card — Leave your question, we are collecting the FAQ."
                ),
                next_step_type=NextStepType.comment_prompt,
                next_step_text=N_("Leave your question, we are collecting the FAQ."),
                micro_goal=N_("15 new questions for the FAQ"),
            ),
            _template(
                "ideas_for_the_product",
                N_("Ideas for the product"),
                N_("Ideas for the product"),
                N_("A brief post, a proposal form, a promise to come back with results."),
                format="text",
                cognitive_load=CognitiveLoad.low,
                body=N_(
                    "What would make the product better for you? Tell us in a two-minute form.\n"
                    "We read every proposal and will come back with the results — what we build and why."
                ),
                next_step_type=NextStepType.form,
                next_step_text=N_(
                    "Fill in the proposal form: which feature should we build next? We will come back with the results."
                ),
                micro_goal=N_("40 proposals through the form"),
            ),
            _template(
                "digest_of_the_week",
                N_("Digest of the week"),
                N_("Digest of the week"),
                N_("Best questions and answers, hero of the week, event announcement."),
                format="carousel",
                cognitive_load=CognitiveLoad.low,
                body=N_(
                    "The best questions and answers of the week:\n1. …\n2. …\n3. …\n"
                    "Hero of the week: (who, and what they did for the community)\n"
                    "Coming up: (the event or next topic) — sign up!"
                ),
                next_step_type=NextStepType.event,
                next_step_text=N_("Sign up for the next event — the link is in the first comment."),
                micro_goal=N_("50 event sign-ups"),
            ),
            _template(
                "open_retro",
                N_("Open retro"),
                N_("Open retro"),
                N_("What was launched, what did not work, what we change; invitation to discuss."),
                format="text",
                cognitive_load=CognitiveLoad.high,
                body=N_(
                    "What we launched: …\nWhat did not work: …\nWhat we change: …\nTell us in the thread what you noticed."
                ),
                next_step_type=NextStepType.thread,
                next_step_text=N_("Join the retro thread: what should we change next?"),
                micro_goal=N_("25 replies in the retro thread"),
            ),
        )
    }
)


#: The pre-filled fields that are texts (translated into the language the post is written in).
TEXT_FIELDS = ("body", "next_step_text", "micro_goal")


def template_defaults(key: str, *, language: str | None = None) -> dict[str, Any]:
    """The fields a template pre-fills (format, load, body structure, next step, goal), its texts
    in ``language`` (the workspace's: core.workspace.language; None: English)."""
    try:
        fields = dict(TEMPLATES[key].fields)
    except KeyError:
        raise ValidationError(
            _("Unknown template {key!r}; choose one of: {choices}.", key=key, choices=", ".join(TEMPLATES))
        ) from None
    for name in TEXT_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = i18n.translated(fields[name], language)
    return fields
