"""The idea board's pure rules: status flow, scores and quick wins, handles, title similarity, input cleaning.

Plain values in, plain values out (no session): the commands and queries of the board, the import
and the tests all reach the same rules. Field length limits are the table's (``db/models.py``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import SupportsInt

from core.errors import ValidationError
from core.handles import DEFAULT_SEPARATORS, Handle, split_handles
from core.i18n import N_, _
from db.models import Idea, IdeaSource, IdeaStatus, max_length

S = IdeaStatus

SOURCE_LABELS: dict[str, str] = {
    IdeaSource.comment: N_("Comment"),
    IdeaSource.dm: N_("Direct message"),
    IdeaSource.thread: N_("Thread"),
    IdeaSource.form: N_("Form"),
    IdeaSource.survey: N_("Monthly survey"),
    IdeaSource.team: N_("Team"),
}

STATUS_LABELS: dict[str, str] = {
    S.new: N_("New"),
    S.valid: N_("Valid"),
    S.invalid: N_("Invalid"),
    S.planned: N_("Planned"),
    S.in_progress: N_("In progress"),
    S.shipped: N_("Shipped"),
    S.declined: N_("Declined"),
}


def status_label(status: str) -> str:
    """The label of ``status`` in the current language (an unknown code as it is)."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def source_label(source: str) -> str:
    """The label of an idea's source in the current language (an unknown code as it is)."""
    return _(SOURCE_LABELS[source]) if source in SOURCE_LABELS else source


def sort_label(key: str) -> str:
    return _(SORT_LABELS[key]) if key in SORT_LABELS else key


# The status flow (SPEC §Screens 2). Shipped and declined are final.
TRANSITIONS: Mapping[IdeaStatus, frozenset[IdeaStatus]] = {
    S.new: frozenset({S.valid, S.invalid}),
    S.valid: frozenset({S.planned, S.declined}),
    S.planned: frozenset({S.in_progress, S.declined}),
    S.in_progress: frozenset({S.shipped, S.declined}),
    S.invalid: frozenset({S.valid}),
    S.shipped: frozenset(),
    S.declined: frozenset(),
}
REASON_REQUIRED = frozenset({S.declined})
FLOW_ORDER = (S.new, S.valid, S.planned, S.in_progress, S.shipped, S.invalid, S.declined)
OPEN_STATUSES = (S.new, S.valid, S.planned, S.in_progress)
HOT_PLAN_STATUSES = frozenset({S.valid, S.planned, S.in_progress})
HOT_PLAN_LIMIT = 10
SCORES = range(1, 6)
SIMILARITY_THRESHOLD = 0.5


TITLE_MAX = max_length(Idea, "title")
CATEGORY_MAX = max_length(Idea, "category")
URL_MAX = max_length(Idea, "source_url")


class SortKey(StrEnum):
    demand = "demand"
    votes = "votes"
    newest = "newest"
    oldest = "oldest"
    score = "score"


SORT_LABELS: dict[str, str] = {
    SortKey.demand: N_("Demand (distinct givers)"),
    SortKey.votes: N_("Team votes"),
    SortKey.newest: N_("Newest first"),
    SortKey.oldest: N_("Oldest first"),
    SortKey.score: N_("Priority score (impact × low cost)"),
}


# --- status flow ------------------------------------------------------------------------------


def next_statuses(status: str) -> tuple[IdeaStatus, ...]:
    """The statuses an idea in ``status`` may move to, in flow order."""
    allowed_next = TRANSITIONS[IdeaStatus(status)]
    return tuple(s for s in FLOW_ORDER if s in allowed_next)


def check_transition(current: str, target: str, reason: str = "") -> str:
    """Raise ``ValidationError`` unless ``current → target`` is in the flow; returns the cleaned reason."""
    try:
        target_status = IdeaStatus(target)
    except ValueError:
        raise ValidationError(
            _("Unknown status {status!r}; use one of: {choices}.", status=target, choices=", ".join(STATUS_LABELS))
        ) from None
    current_status = IdeaStatus(current)
    if target_status == current_status:
        raise ValidationError(_("The idea has the status “{status}” already.", status=status_label(current_status)))
    if target_status not in TRANSITIONS[current_status]:
        following = next_statuses(current_status)
        if not following:
            raise ValidationError(
                _(
                    "The status “{status}” is final: the idea cannot become “{target}”.",
                    status=status_label(current_status),
                    target=status_label(target_status),
                )
            )
        options = ", ".join(_("“{status}”", status=status_label(s)) for s in following)
        raise ValidationError(
            _(
                "An idea with the status “{status}” cannot become “{target}”; it can become: {options}.",
                status=status_label(current_status),
                target=status_label(target_status),
                options=options,
            )
        )
    reason = (reason or "").strip()
    if target_status in REASON_REQUIRED and not reason:
        raise ValidationError(_("Say why the idea is declined; the reason is kept and shown with the idea."))
    return reason


# --- scores and quick wins --------------------------------------------------------------------


def is_quick_win(impact: int | None, cost: int | None, min_impact: int, max_cost: int) -> bool:
    """High impact and low cost: impact ≥ ``min_impact`` and cost ≤ ``max_cost`` (unscored: no)."""
    if impact is None or cost is None:
        return False
    return impact >= min_impact and cost <= max_cost


def priority_score(impact: int | None, cost: int | None) -> int | None:
    """Impact × (6 − cost): 1…25, higher is better; None until both are scored."""
    if impact is None or cost is None:
        return None
    return impact * (6 - cost)


def validate_score(value: object, what: str) -> int:
    """``value`` as a score from 1 to 5, or a ``ValidationError`` naming ``what``."""
    if not isinstance(value, SupportsInt | str):
        raise ValidationError(_("{what} is a whole number from 1 to 5.", what=what))
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("{what} is a whole number from 1 to 5.", what=what)) from None
    if score not in SCORES or score != value:
        raise ValidationError(_("{what} is a whole number from 1 to 5 (got {value}).", what=what, value=value))
    return score


# --- handles ----------------------------------------------------------------------------------


def parse_handles(value: str | Iterable[str], separators: Iterable[str] = DEFAULT_SEPARATORS) -> list[Handle]:
    """The givers in free text (split on commas, semicolons and new lines — never on spaces, so
    "Doc James" stays one person) or a list; trimmed, checked, one per person, in the order given."""
    return split_handles(value, separators)


# --- title similarity -------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "for",
        "from",
        "have",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "that",
        "the",
        "this",
        "to",
        "us",
        "we",
        "with",
        "would",
        "you",
        "your",
        "more",
        "less",
        "should",
        "add",
        "make",
        "let",
        "lets",
        "allow",
        "option",
        # German: the same filler words of a request
        "ein",
        "eine",
        "einen",
        "einem",
        "einer",
        "und",
        "oder",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "für",
        "mit",
        "auf",
        "bitte",
        "wir",
        "ihr",
        "euch",
        "uns",
        "ist",
        "sind",
        "zum",
        "zur",
        "von",
        "vom",
        "mehr",
        "weniger",
        "machen",
        "soll",
        "sollte",
        "könnt",
        "können",
        "hinzufügen",
    ]
)
_SUFFIXES = ("ings", "ing", "ions", "ion", "es", "s", "ed")


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:6]


def title_stems(title: str) -> list[str]:
    """The significant word stems of a title (stop words and 1–2 letter words left out)."""
    stems = []
    for word in _WORD.findall(title.lower()):
        if len(word) < 3 or word in _STOP_WORDS:
            continue
        stem = _stem(word)
        if stem not in stems:
            stems.append(stem)
    return stems


def title_similarity(a: str, b: str) -> float:
    """0…1: how alike two titles are (shared word stems, or nearly the same spelling)."""
    stems_a, stems_b = set(title_stems(a)), set(title_stems(b))
    dice = 2 * len(stems_a & stems_b) / (len(stems_a) + len(stems_b)) if stems_a and stems_b else 0.0
    norm_a = " ".join(_WORD.findall(a.lower()))
    norm_b = " ".join(_WORD.findall(b.lower()))
    spelling = difflib.SequenceMatcher(None, norm_a, norm_b).ratio() if norm_a and norm_b else 0.0
    return max(dice, spelling * 0.95)


# --- cleaning what people typed ---------------------------------------------------------------


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(_("Give the idea a short title (what people asked for)."))
    if len(title) > TITLE_MAX:
        raise ValidationError(
            _(
                "The title is {length} characters long; keep it under {limit} and put the rest in the description.",
                length=len(title),
                limit=TITLE_MAX,
            )
        )
    return title


_LEADING_MENTIONS = re.compile(r"^(?:@[\w.]+[,:]?(?:\s+|$))+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|[\r\n]")
FALLBACK_TITLE = N_("Idea from a conversation")


def title_from_text(text: str, *, limit: int = TITLE_MAX) -> str:
    """A title suggested from what someone wrote: its first sentence or line, without the
    @mentions it opens with, capitalised, cut at a word within ``limit`` characters."""
    flat = _LEADING_MENTIONS.sub("", (text or "").strip())
    first = _SENTENCE_END.split(flat, maxsplit=1)[0] if flat else ""
    title = " ".join(first.split()).rstrip(" ,;:")
    if not title:
        return _(FALLBACK_TITLE)
    title = title[0].upper() + title[1:]
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0] if " " in title[: limit - 1] else title[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        raise ValidationError(_("The link is longer than {limit} characters.", limit=URL_MAX))
    if not re.match(r"^https?://\S+$", url, re.IGNORECASE):
        raise ValidationError(_("The link to the original should start with http:// or https:// (or leave it empty)."))
    return url


def clean_category(category: str) -> str:
    category = " ".join((category or "").split())
    if len(category) > CATEGORY_MAX:
        raise ValidationError(_("The category is longer than {limit} characters.", limit=CATEGORY_MAX))
    return category


def clean_source(source: str) -> IdeaSource:
    try:
        return IdeaSource(source)
    except ValueError:
        raise ValidationError(
            _("Unknown source {source!r}; use one of: {choices}.", source=source, choices=", ".join(SOURCE_LABELS))
        ) from None
