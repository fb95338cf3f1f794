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
from db.models import Idea, IdeaSource, IdeaStatus, max_length

S = IdeaStatus

SOURCE_LABELS: dict[str, str] = {
    IdeaSource.comment: "Comment",
    IdeaSource.dm: "Direct message",
    IdeaSource.thread: "Thread",
    IdeaSource.form: "Form",
    IdeaSource.survey: "Monthly survey",
    IdeaSource.team: "Team",
}

STATUS_LABELS: dict[str, str] = {
    S.new: "New",
    S.valid: "Valid",
    S.invalid: "Invalid",
    S.planned: "Planned",
    S.in_progress: "In progress",
    S.shipped: "Shipped",
    S.declined: "Declined",
}

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
    SortKey.demand: "Demand (distinct givers)",
    SortKey.votes: "Team votes",
    SortKey.newest: "Newest first",
    SortKey.oldest: "Oldest first",
    SortKey.score: "Priority score (impact × low cost)",
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
        raise ValidationError(f"Unknown status {target!r}; use one of: {', '.join(STATUS_LABELS)}.") from None
    current_status = IdeaStatus(current)
    if target_status == current_status:
        raise ValidationError(f"The idea is {STATUS_LABELS[current_status].lower()} already.")
    if target_status not in TRANSITIONS[current_status]:
        options = ", ".join(STATUS_LABELS[s].lower() for s in next_statuses(current_status)) or "nothing (it is final)"
        raise ValidationError(
            f"A {STATUS_LABELS[current_status].lower()} idea cannot become {STATUS_LABELS[target_status].lower()}; "
            f"it can become: {options}."
        )
    reason = (reason or "").strip()
    if target_status in REASON_REQUIRED and not reason:
        raise ValidationError("Say why the idea is declined; the reason is kept and shown with the idea.")
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
        raise ValidationError(f"{what} is a whole number from 1 to 5.")
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} is a whole number from 1 to 5.") from None
    if score not in SCORES or score != value:
        raise ValidationError(f"{what} is a whole number from 1 to 5 (got {value}).")
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
        raise ValidationError("Give the idea a short title (what people asked for).")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            f"The title is {len(title)} characters long; keep it under {TITLE_MAX} and put the rest in the description."
        )
    return title


_LEADING_MENTIONS = re.compile(r"^(?:@[\w.]+[,:]?(?:\s+|$))+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|[\r\n]")
FALLBACK_TITLE = "Idea from a conversation"


def title_from_text(text: str, *, limit: int = TITLE_MAX) -> str:
    """A title suggested from what someone wrote: its first sentence or line, without the
    @mentions it opens with, capitalised, cut at a word within ``limit`` characters."""
    flat = _LEADING_MENTIONS.sub("", (text or "").strip())
    first = _SENTENCE_END.split(flat, maxsplit=1)[0] if flat else ""
    title = " ".join(first.split()).rstrip(" ,;:")
    if not title:
        return FALLBACK_TITLE
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
        raise ValidationError(f"The link is longer than {URL_MAX} characters.")
    if not re.match(r"^https?://\S+$", url, re.IGNORECASE):
        raise ValidationError("The link to the original should start with http:// or https:// (or leave it empty).")
    return url


def clean_category(category: str) -> str:
    category = " ".join((category or "").split())
    if len(category) > CATEGORY_MAX:
        raise ValidationError(f"The category is longer than {CATEGORY_MAX} characters.")
    return category


def clean_source(source: str) -> IdeaSource:
    try:
        return IdeaSource(source)
    except ValueError:
        raise ValidationError(f"Unknown source {source!r}; use one of: {', '.join(SOURCE_LABELS)}.") from None
