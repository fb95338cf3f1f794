"""The generated texts and their wording: the announcement, the thank-you replies, the monthly
update, the weekly digest and the public board's fixed wording.

Each text ships with an English wording marked for the catalogue, so a workspace in German gets
the German one; the lead may store their own wording per language (``text_template``). The
wording in force for a language is the lead's stored one, else the shipped one in that language.

A wording is text with named placeholders in braces (``{what_changed}``), each one listed with the
text. A brace itself is written twice (``{{``). Saving refuses unknown placeholders, unbalanced
braces, format specs and empty bodies, naming what to fix. A placeholder marked *optional* leaves
out its whole line when it is empty (details that were not entered, no ideas to list).

Generated texts are written in the workspace's language (``core.workspace.language``), inside
``core.i18n.using(...)``, whatever the reader's own language is: ``in_workspace_language``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from core import i18n, records, workspace
from core.errors import ConflictError, ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, require
from core.text import check_plain_text
from db.models import TextTemplate, TextTemplateBase, max_length
from db.types import utcnow


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str  # marked N_: shown with _()
    example: str  # marked N_ when it is words: the preview's value
    optional: bool = False  # empty: its line is left out


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    label: str  # N_
    description: str  # N_
    body: str  # N_: the shipped wording
    placeholders: tuple[Placeholder, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.placeholders)


_WHAT_CHANGED = Placeholder(
    "what_changed", N_("What changed, in one sentence (the loop item)."), N_("Dark mode is live in the app")
)
_IDEA_FORM = Placeholder("idea_form_url", N_("The link to the idea form (may be empty)."), "https://example.org/ideas")
_HANDLES = Placeholder("handles", N_("The handles of the people thanked in this channel."), "@AnnaK @ben_w")
_WORKSPACE = Placeholder("workspace", N_("The workspace's name."), N_("Our app"))

TEMPLATES: dict[str, TemplateSpec] = {
    spec.key: spec
    for spec in (
        TemplateSpec(
            "announcement_title",
            N_("Announcement: title"),
            N_("The title of the “You asked, we did” post drafted for a loop item."),
            N_("You asked, we did: {what_changed}"),
            (_WHAT_CHANGED,),
        ),
        TemplateSpec(
            "announcement",
            N_("Announcement: text"),
            N_("The body of the “You asked, we did” post drafted for a loop item."),
            N_(
                "You asked, we did: {what_changed}.\n\n{details}\n\nIt started with your ideas: {ideas}.\n\n"
                "{thanks}\n{call_thanks}\n\nWhat should we improve next? Tell us in the idea form. {idea_form_url}"
            ),
            (
                _WHAT_CHANGED,
                Placeholder(
                    "details",
                    N_("The loop item's details (optional)."),
                    N_("Switch it on under Settings."),
                    optional=True,
                ),
                Placeholder("ideas", N_("The titles of the ideas it answers, quoted."), N_("“A dark theme”"), True),
                Placeholder(
                    "thanks",
                    N_("The thanks to the givers by handle (or to everyone who asked)."),
                    N_("Thank you @AnnaK and @ben_w — you gave us the idea."),
                ),
                Placeholder(
                    "call_thanks",
                    N_("The thanks to the people who answered a call for ideas it came from (optional)."),
                    N_("And thanks to the 12 people who answered our call “What should we build next?”."),
                    optional=True,
                ),
                _IDEA_FORM,
            ),
        ),
        TemplateSpec(
            "thank_you",
            N_("Thank-you reply"),
            N_("The ready-to-copy reply to the givers of an idea, one per channel."),
            N_("{handles} Thank you for the idea!{asked} It is done: {what_changed}. {next_step}"),
            (
                _HANDLES,
                Placeholder(
                    "asked",
                    N_("What they asked for, as a sentence with a space before it (may be empty)."),
                    N_(" You asked for “A dark theme”."),
                ),
                _WHAT_CHANGED,
                Placeholder(
                    "next_step",
                    N_("The invitation to the idea form, with its link when one is given."),
                    N_("What should we improve next? Tell us in the idea form."),
                ),
            ),
        ),
        TemplateSpec(
            "call_thank_you",
            N_("Reply to a call's respondents"),
            N_("The ready-to-copy reply to the people who answered a call for ideas, one per call and channel."),
            N_(
                "{handles} You answered our call “{call_title}” — thank you! One of the ideas from it is done: "
                "{what_changed}. The others are on our board, and we will come back with them too."
            ),
            (
                _HANDLES,
                Placeholder("call_title", N_("The title of the call for ideas."), N_("What should we build next?")),
                _WHAT_CHANGED,
            ),
        ),
        TemplateSpec(
            "monthly_title",
            N_("Monthly update: title"),
            N_("The title of the monthly “What we implemented” update."),
            N_("What we implemented in {month}"),
            (Placeholder("month", N_("The month and year."), N_("November 2026")),),
        ),
        TemplateSpec(
            "monthly_update",
            N_("Monthly update: text"),
            N_("The monthly “What we implemented” update, when something shipped."),
            N_(
                "# {title}\n\n{improvements} shipped this month, answering ideas from {people}. Thank you!\n\n"
                "{items}\n\nWhat should we improve next? Tell us in the idea form."
            ),
            (
                Placeholder("title", N_("The update's title."), N_("What we implemented in November 2026")),
                Placeholder("month", N_("The month and year."), N_("November 2026")),
                Placeholder("improvements", N_("How many improvements shipped."), N_("3 improvements")),
                Placeholder("people", N_("How many people gave the ideas."), N_("12 people")),
                Placeholder("items", N_("The list of what shipped, with requests and effects."), N_("## 1. Dark mode")),
            ),
        ),
        TemplateSpec(
            "monthly_update_empty",
            N_("Monthly update: nothing shipped"),
            N_("The monthly update of a month in which nothing shipped."),
            N_("# {title}\n\nNothing shipped in {month}. Your ideas are on the board — tell us what to improve next."),
            (
                Placeholder("title", N_("The update's title."), N_("What we implemented in November 2026")),
                Placeholder("month", N_("The month and year."), N_("November 2026")),
            ),
        ),
        TemplateSpec(
            "digest_title",
            N_("Weekly digest: title"),
            N_("The title of the digest of the week."),
            N_("Digest of the week · {week_start} – {week_end}"),
            (
                Placeholder("week_start", N_("The week's Monday."), "2026-11-16"),
                Placeholder("week_end", N_("The week's Sunday."), "2026-11-22"),
            ),
        ),
        TemplateSpec(
            "weekly_digest",
            N_("Weekly digest: text"),
            N_("The digest of the week (Markdown): its headings and the order of its parts."),
            N_(
                "# {title}\n\n## Best questions and answers\n\n{best}\n\n## Hero of the week\n\n{hero}\n\n"
                "## You asked, we did\n\n{loop}\n\n## Next topic\n\n{next_topic}"
            ),
            (
                Placeholder("title", N_("The digest's title."), N_("Digest of the week")),
                Placeholder(
                    "best", N_("The best questions and answers, numbered."), N_("1. **Q:** Is there a dark mode?")
                ),
                Placeholder("hero", N_("The hero of the week and why."), "**@AnnaK**"),
                Placeholder("loop", N_("The loops closed and shipped this week."), N_("- Dark mode (shipped 18 Nov)")),
                Placeholder("next_topic", N_("The next topic."), N_("Notifications")),
            ),
        ),
        TemplateSpec(
            "board_heading",
            N_("Public board: heading"),
            N_("The heading of the public idea board."),
            N_("{workspace}: what you asked for"),
            (_WORKSPACE,),
        ),
        TemplateSpec(
            "board_intro",
            N_("Public board: introduction"),
            N_("The line under the public idea board's heading."),
            N_("Your ideas — planned, in progress and shipped. You asked, we did."),
            (_WORKSPACE,),
        ),
        TemplateSpec(
            "board_footer",
            N_("Public board: footer"),
            N_("The line at the foot of the public idea board."),
            N_("Updated {date}. Tell us what to improve next."),
            (Placeholder("date", N_("The day the board was made."), "2026-11-24"),),
        ),
    )
}


def spec(key: str) -> TemplateSpec:
    if key not in TEMPLATES:
        raise ValidationError(
            _("Unknown text {key!r}: choose one of {choices}.", key=key, choices=", ".join(TEMPLATES))
        )
    return TEMPLATES[key]


# --- the wording in force ----------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    key: str
    language: str
    body: str
    stored: bool  # the lead's own (False: the shipped wording)
    version: int | None  # the stored row's version (None: nothing stored)


def shipped(key: str, language: str) -> str:
    """The shipped wording of ``key`` in ``language`` (from the catalogue)."""
    return i18n.translated(spec(key).body, language)


def _row(session: Session, key: str, language: str) -> TextTemplate | None:
    return session.exec(select(TextTemplate).where(TextTemplate.key == key, TextTemplate.language == language)).first()


def wording(session: Session, *, key: str, language: str) -> Wording:
    """The wording in force for (``key``, ``language``): the lead's stored one, else the shipped one."""
    spec(key)
    language = i18n.check_language(language)
    row = _row(session, key, language)
    if row is not None:
        return Wording(key, language, row.body, True, row.version)
    return Wording(key, language, shipped(key, language), False, None)


def wordings(session: Session, *, language: str) -> dict[str, str]:
    """Every text's wording in force in ``language`` (one query)."""
    language = i18n.check_language(language)
    stored = dict(
        session.exec(select(TextTemplate.key, TextTemplate.body).where(TextTemplate.language == language)).all()
    )
    return {key: stored.get(key) or shipped(key, language) for key in TEMPLATES}


def all_wordings(session: Session) -> list[Wording]:
    """Every text in every language, as the lead's editor lists them."""
    rows = {(row.key, row.language): row for row in session.exec(select(TextTemplate).order_by(col(TextTemplate.key)))}
    found = []
    for key in TEMPLATES:
        for language in i18n.LANGUAGES:
            row = rows.get((key, language))
            if row is not None:
                found.append(Wording(key, language, row.body, True, row.version))
            else:
                found.append(Wording(key, language, shipped(key, language), False, None))
    return found


@dataclass(frozen=True)
class WorkspaceWordings:
    """The workspace's language and every text's wording in force in it."""

    language: str = i18n.SOURCE_LANGUAGE
    templates: Mapping[str, str] = field(default_factory=dict)


def workspace_wordings(session: Session) -> WorkspaceWordings:
    language = workspace.language(session)
    return WorkspaceWordings(language, wordings(session, language=language))


@contextmanager
def in_workspace_language(session: Session) -> Iterator[str]:
    """Run a block in the workspace's language (generated texts); yields that language."""
    language = workspace.language(session)
    with i18n.using(language):
        yield language


# --- checking and filling in ---------------------------------------------------------------------


def problems(key: str, body: str) -> list[str]:
    """What is wrong with ``body`` as the wording of ``key`` (empty: it may be saved)."""
    allowed = spec(key).names
    if not body.strip():
        return [_("The text is empty: write its wording, or go back to the shipped wording.")]
    found: list[str] = []
    try:
        fields = list(string.Formatter().parse(body))
    except ValueError:
        return [
            _(
                "The braces do not match: a placeholder is written {example}, a brace itself as {{{{ or }}}}.",
                example="{" + allowed[0] + "}" if allowed else "{name}",
            )
        ]
    unknown: list[str] = []
    for _literal, name, format_spec, conversion in fields:
        if name is None:
            continue
        if "\n" in name:
            found.append(_("A placeholder must not span lines: close each brace on the line it opens."))
            continue
        if name not in allowed:
            unknown.append("{" + name + "}")
            continue
        if format_spec or conversion:
            found.append(
                _(
                    "The placeholder {placeholder} has a format ({format}); write it as {plain}: its value comes formatted.",
                    placeholder="{"
                    + name
                    + ("!" + conversion if conversion else "")
                    + (":" + format_spec if format_spec else "")
                    + "}",
                    format=(("!" + conversion) if conversion else "") + ((":" + format_spec) if format_spec else ""),
                    plain="{" + name + "}",
                )
            )
    if unknown:
        found.insert(
            0,
            _(
                "Unknown placeholders: {unknown}. This text may use {allowed}.",
                unknown=", ".join(dict.fromkeys(unknown)),
                allowed=", ".join("{" + n + "}" for n in allowed) or _("no placeholder"),
            ),
        )
    return found


_BLANK_LINES = re.compile(r"\n{3,}")


def render(body: str, placeholders: tuple[Placeholder, ...] = (), /, **values: object) -> str:
    """``body`` with its placeholders filled from ``values`` (a missing one: empty). A line with an
    empty *optional* placeholder is left out; spaces at a line's ends and runs of blank lines go."""
    optional = {p.name for p in placeholders if p.optional}
    lines = []
    for line in body.split("\n"):
        parts = []
        drop = False
        for literal, name, _spec, _conversion in string.Formatter().parse(line):
            parts.append(literal)
            if name is None:
                continue
            value = "" if values.get(name) is None else str(values[name])
            if not value and name in optional:
                drop = True
            parts.append(value)
        if not drop:
            lines.append("".join(parts).strip(" "))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def fill(templates: Mapping[str, str], key: str, /, **values: object) -> str:
    """Text ``key`` in the wording of ``templates`` (as ``wordings`` returns them; a key missing
    there: the shipped wording in the current language), filled in."""
    body = templates.get(key) or _(spec(key).body)
    return render(body, spec(key).placeholders, **values)


def example_values(key: str) -> dict[str, str]:
    """The preview's values, in the current language."""
    return {p.name: _(p.example) if p.example else "" for p in spec(key).placeholders}


def preview(key: str, body: str) -> str:
    """``body`` filled with example values; the problems instead when it cannot be saved."""
    found = problems(key, body)
    if found:
        raise ValidationError(" ".join(found))
    return render(body, spec(key).placeholders, **example_values(key))


# --- the lead's wording -------------------------------------------------------------------------


def save(*, session: Session, actor: Actor, template_in: TextTemplateBase, expected_version: int | None) -> Wording:
    """Store the lead's wording of one text in one language. ``expected_version``: the version the
    person loaded (None when the shipped wording was shown), so a save over a newer one is refused."""
    require(actor, Action.manage_content_rules)
    key = spec(template_in.key).key
    language = i18n.check_language(template_in.language)
    body = template_in.body.replace("\r\n", "\n").replace("\r", "\n").strip()
    check_plain_text(body, field=_("wording"))
    limit = max_length(TextTemplate, "body")
    if len(body) > limit:
        raise ValidationError(_("The text is {length} characters; keep it to {limit}.", length=len(body), limit=limit))
    found = problems(key, body)
    if found:
        raise ValidationError(" ".join(found))
    row = _row(session, key, language)
    now = utcnow()
    changes: dict[str, Any] = {"body": body, "updated_at": now, "updated_by_id": actor.id}
    if row is None:
        if expected_version is not None:
            raise ConflictError(
                _("Someone went back to the shipped wording after you opened it; reload and write yours again.")
            )
        records.create(
            session,
            TextTemplate(key=key, language=language, body=body, updated_at=now, updated_by_id=actor.id),
            actor=actor,
            action="text_template.save",
        )
    else:
        records.update_versioned(
            session,
            TextTemplate,
            records.stored_id(row.id),
            expected_version=0 if expected_version is None else expected_version,
            changes=changes,
            actor=actor,
            action="text_template.save",
        )
    return wording(session, key=key, language=language)


def reset(*, session: Session, actor: Actor, key: str, language: str) -> Wording:
    """Back to the shipped wording of ``key`` in ``language`` (the stored one is deleted, audited)."""
    require(actor, Action.manage_content_rules)
    spec(key)
    language = i18n.check_language(language)
    row = _row(session, key, language)
    if row is not None:
        records.delete(session, row, actor=actor, action="text_template.reset")
    return wording(session, key=key, language=language)
