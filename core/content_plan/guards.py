"""The guards around the plan, as pure rules: the rhythm (no more than N high-load posts in a row
in one channel, paper §7), the daily frequency limit per *local* day of the workspace (paper §10),
and stop words, matched case-insensitively on word boundaries (umlauts and ß included)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core import formats
from core.i18n import N_, _, ngettext
from core.local_time import local_day
from db.models import CognitiveLoad, StopWordMode

# --- rhythm ----------------------------------------------------------------------------------


def high_load_run_length(loads: Sequence[str], index: int) -> int:
    """Length of the run of consecutive high-load posts through position ``index`` (0 if that
    post is low-load)."""
    if not 0 <= index < len(loads) or loads[index] != CognitiveLoad.high:
        return 0
    start = index
    while start > 0 and loads[start - 1] == CognitiveLoad.high:
        start -= 1
    end = index
    while end + 1 < len(loads) and loads[end + 1] == CognitiveLoad.high:
        end += 1
    return end - start + 1


def rhythm_warning(loads: Sequence[str], index: int, limit: int) -> str | None:
    """A warning when the post at ``index`` makes a run of more than ``limit`` high-load posts."""
    run = high_load_run_length(loads, index)
    if run > limit:
        return _(
            "{run} high-load posts in a row in this channel (the rhythm allows {limit}). "
            "Alternate with something light: a meme, a poll, a short question.",
            run=run,
            limit=limit,
        )
    return None


def over_limit_positions(loads: Sequence[str], limit: int) -> set[int]:
    """Positions that belong to a high-load run longer than ``limit``."""
    positions: set[int] = set()
    run_start = None
    for i, load in enumerate([*loads, CognitiveLoad.low]):
        if load == CognitiveLoad.high:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None and i - run_start > limit:
            positions.update(range(run_start, i))
        run_start = None
    return positions


# --- daily frequency -------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPost:
    """A post already on the plan for a channel: what the daily guard needs to name it."""

    id: int
    title: str
    at: dt.datetime


def daily_limit_conflicts(at: dt.datetime, *, limit: int, others: Iterable[DayPost], tz: ZoneInfo) -> list[DayPost]:
    """The posts on the same local day when adding one at ``at`` would exceed ``limit``; else []."""
    day = local_day(at, tz)
    same_day = sorted((p for p in others if local_day(p.at, tz) == day), key=lambda p: (p.at, p.id))
    return same_day if len(same_day) + 1 > limit else []


def daily_limit_message(channel: str, day: dt.date, limit: int, conflicts: Sequence[DayPost], tz: ZoneInfo) -> str:
    named = "; ".join(
        _("#{id} {title!r} at {time}", id=p.id, title=p.title, time=formats.time(p.at.astimezone(tz)))
        for p in conflicts
    )
    return ngettext(
        "{channel} allows {count} post a day and already has {taken} on {day}: {posts}. "
        "Pick another day or time, or move one of those posts.",
        "{channel} allows {count} posts a day and already has {taken} on {day}: {posts}. "
        "Pick another day or time, or move one of those posts.",
        limit,
        channel=channel,
        taken=len(conflicts),
        day=f"{formats.weekday_name(day, 'abbreviated')} {formats.date(day)}",
        posts=named,
    )


# --- stop words ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StopWordRule:
    word: str
    mode: str  # "block" or "warn"


@dataclass(frozen=True)
class StopWordHit:
    word: str
    mode: str
    field: str


def _fold(text: str) -> str:
    # NFC first so a decomposed "u + ¨" equals "ü"; casefold so "STRASSE" equals "straße".
    return unicodedata.normalize("NFC", text).casefold()


def stop_word_pattern(word: str) -> re.Pattern[str]:
    """A case-insensitive pattern for ``word`` on word boundaries (Unicode letters count as word
    characters, so 'müll' does not match inside 'müllabfuhr'); inner spaces match any whitespace."""
    parts = [re.escape(part) for part in _fold(word).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


def match_stop_words(texts: Mapping[str, str], rules: Iterable[StopWordRule]) -> list[StopWordHit]:
    """Every (word, field) where a stop word occurs; fields keep the order given."""
    folded = {field: _fold(text or "") for field, text in texts.items()}
    hits: list[StopWordHit] = []
    for rule in rules:
        if not rule.word.strip():
            continue
        pattern = stop_word_pattern(rule.word)
        hits.extend(StopWordHit(rule.word, rule.mode, field) for field, text in folded.items() if pattern.search(text))
    return hits


def blocking(hits: Iterable[StopWordHit]) -> list[StopWordHit]:
    return [hit for hit in hits if hit.mode == StopWordMode.block]


def warning_only(hits: Iterable[StopWordHit]) -> list[StopWordHit]:
    return [hit for hit in hits if hit.mode == StopWordMode.warn]


#: The fields stop words are looked for in, as a message names them.
FIELD_LABELS = {"title": N_("title"), "body": N_("body"), "next_step_text": N_("next step text")}


def stop_word_message(hits: Sequence[StopWordHit]) -> str:
    words = sorted({f"'{hit.word}' ({_field_label(hit.field)})" for hit in hits})
    return ", ".join(words)


def _field_label(field: str) -> str:
    return _(FIELD_LABELS[field]) if field in FIELD_LABELS else field.replace("_", " ")
