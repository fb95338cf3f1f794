"""The content calendar's rules as pure functions: plain values in, plain values out.

* the pre-publication checklist (paper §13),
* the status flow (which status may follow which),
* the rhythm guard (no more than N high-load posts in a row in one channel, paper §7),
* the daily frequency guard, counted per *local* day of the workspace time zone (paper §10),
* stop words, matched case-insensitively on word boundaries (umlauts and ß included),
* UTM links: finding links, telling which tags they miss, and building tagged links,
* local wall times ↔ UTC instants, refusing wall times that do not exist.

Nothing here touches the database; ``core.posts`` feeds these functions and enforces them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from core.errors import ValidationError
from db.models import CognitiveLoad, NextStepType, PostStatus, StopWordMode

UTC = dt.UTC

# --- formats and what accessibility each needs ------------------------------------------------

FORMATS: tuple[str, ...] = ("text", "image", "carousel", "video", "reel", "story", "poll", "live", "meme")

#: Accessibility inputs each format needs before it may be approved (paper §13: subtitles,
#: contrast, timecodes; alt text for images). Text and polls need nothing extra.
ACCESSIBILITY_NEEDS: Mapping[str, tuple[str, ...]] = {
    "text": (),
    "poll": (),
    "image": ("alt_text", "contrast_confirmed"),
    "carousel": ("alt_text", "contrast_confirmed"),
    "meme": ("alt_text", "contrast_confirmed"),
    "story": ("alt_text", "contrast_confirmed"),
    "video": ("subtitles", "timecodes"),
    "reel": ("subtitles",),
    "live": ("subtitles",),
}

_ACCESSIBILITY_LABELS = {
    "alt_text": "alt text",
    "contrast_confirmed": "contrast confirmed",
    "subtitles": "subtitles",
    "timecodes": "timecodes",
}

NEXT_STEP_LABELS: Mapping[str, str] = {
    NextStepType.poll: "Poll",
    NextStepType.thread: "Thread",
    NextStepType.form: "Form",
    NextStepType.event: "Event sign-up",
    NextStepType.guide_link: "Guide / FAQ link",
    NextStepType.comment_prompt: "Comment prompt",
}

STATUS_LABELS: Mapping[str, str] = {
    PostStatus.draft: "Draft",
    PostStatus.in_review: "In review",
    PostStatus.approved: "Approved",
    PostStatus.scheduled: "Scheduled",
    PostStatus.published: "Published",
    PostStatus.cancelled: "Cancelled",
}

# --- pre-publication checklist ---------------------------------------------------------------

REQUIRED_UTM = ("utm_source", "utm_medium", "utm_campaign")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
_LINK = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)


@dataclass(frozen=True)
class CheckItem:
    """One line of the pre-publication checklist."""

    key: str
    label: str
    ok: bool
    detail: str


def find_links(*texts: str) -> list[str]:
    """Every http(s) link in the texts, in order, without trailing punctuation."""
    links: list[str] = []
    for text in texts:
        for match in _LINK.finditer(text or ""):
            link = match.group(0).rstrip(".,;:!?")
            if link not in links:
                links.append(link)
    return links


def missing_utm(url: str) -> list[str]:
    """The required UTM tags a link lacks (empty values count as missing)."""
    present = {key for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True) if value.strip()}
    return [key for key in REQUIRED_UTM if key not in present]


def checklist(post: Mapping[str, Any]) -> list[CheckItem]:
    """The paper's §13 checklist for a post given as a mapping of its fields.

    Each item says what is missing, so a refused approval can list what to fix.
    """
    items: list[CheckItem] = []

    step_type = (post.get("next_step_type") or "").strip()
    step_text = (post.get("next_step_text") or "").strip()
    if not step_type:
        detail = "Choose a next step (poll, thread, form, event, guide/FAQ link or comment prompt)."
    elif not step_text:
        detail = "Write the next step's text: what exactly should people do?"
    else:
        detail = f"{NEXT_STEP_LABELS.get(step_type, step_type)}: {step_text}"
    items.append(CheckItem("next_step", "A next step with its text", bool(step_type and step_text), detail))

    goal = (post.get("micro_goal") or "").strip()
    items.append(
        CheckItem(
            "micro_goal",
            "A measurable micro-interaction goal",
            bool(goal),
            goal or "Say what you want people to do, measurably (e.g. '30 comments with topic ideas').",
        )
    )

    tone = bool(post.get("tone_confirmed"))
    items.append(
        CheckItem(
            "tone",
            "Community rules and tone of voice checked",
            tone,
            "Confirmed." if tone else "Read the post against the community rules and tone of voice, then confirm.",
        )
    )

    fmt = post.get("format") or "text"
    needs = ACCESSIBILITY_NEEDS.get(fmt, ())
    missing = [need for need in needs if not _present(post.get(need))]
    if not needs:
        detail = f"Nothing extra needed for {fmt}."
    elif missing:
        detail = f"A {fmt} needs " + ", ".join(_ACCESSIBILITY_LABELS[m] for m in missing) + "."
    else:
        detail = "Provided: " + ", ".join(_ACCESSIBILITY_LABELS[n] for n in needs) + "."
    items.append(CheckItem("accessibility", f"Accessibility for the format ({fmt})", not missing, detail))

    partner = (post.get("partner") or "").strip()
    paid = bool(post.get("sponsored")) or bool(partner)
    labelled = bool(post.get("ad_label"))
    if not paid:
        detail = "Not sponsored and no partner: no label needed."
    elif labelled:
        detail = "The ad/partnership label is on the post."
    else:
        why = f"has the partner {partner!r}" if partner else "is sponsored"
        detail = f"The post {why}: add the ad/partnership label."
    items.append(CheckItem("ad_label", "Ad / partnership label when sponsored", labelled or not paid, detail))

    sla_owner = post.get("sla_owner_id")
    items.append(
        CheckItem(
            "sla_owner",
            "An SLA owner who answers the comments",
            sla_owner is not None,
            "Assigned." if sla_owner is not None else "Pick who answers the comments on this post, within the SLA.",
        )
    )

    links = find_links(post.get("link_url") or "", post.get("body") or "", post.get("next_step_text") or "")
    untagged = [(link, missing_utm(link)) for link in links]
    untagged = [(link, miss) for link, miss in untagged if miss]
    if not links:
        detail = "No links in the post."
    elif untagged:
        detail = "; ".join(f"{link} lacks {', '.join(miss)}" for link, miss in untagged) + ". Use the UTM builder."
    else:
        detail = f"{len(links)} link(s), all tagged."
    items.append(CheckItem("utm", "UTM tags on every link", not untagged, detail))
    return items


def failing(items: Iterable[CheckItem]) -> list[CheckItem]:
    return [item for item in items if not item.ok]


def _present(value: Any) -> bool:
    return bool(value.strip()) if isinstance(value, str) else bool(value)


# --- status flow -----------------------------------------------------------------------------

#: Which status may follow which. Published and cancelled are final.
NEXT_STATUSES: Mapping[str, tuple[str, ...]] = {
    PostStatus.draft: (PostStatus.in_review, PostStatus.cancelled),
    PostStatus.in_review: (PostStatus.approved, PostStatus.draft, PostStatus.cancelled),
    PostStatus.approved: (PostStatus.scheduled, PostStatus.draft, PostStatus.cancelled),
    PostStatus.scheduled: (PostStatus.published, PostStatus.approved, PostStatus.cancelled),
    PostStatus.published: (),
    PostStatus.cancelled: (),
}

#: The way forward from each status to publication (used by "approve and schedule").
FORWARD_PATH: tuple[str, ...] = (
    PostStatus.draft,
    PostStatus.in_review,
    PostStatus.approved,
    PostStatus.scheduled,
    PostStatus.published,
)


def transition_allowed(current: str, target: str) -> bool:
    return target in NEXT_STATUSES.get(current, ())


def forward_steps(current: str, target: str) -> list[str]:
    """The statuses to pass through from ``current`` up to ``target`` along the forward path."""
    if current not in FORWARD_PATH or target not in FORWARD_PATH:
        return []
    start, end = FORWARD_PATH.index(current), FORWARD_PATH.index(target)
    return list(FORWARD_PATH[start + 1 : end + 1])


# --- rhythm guard ----------------------------------------------------------------------------


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
        return (
            f"{run} high-load posts in a row in this channel (the rhythm allows {limit}). "
            "Alternate with something light: a meme, a poll, a short question."
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


# --- daily frequency guard --------------------------------------------------------------------


def local_day(instant: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The workspace-local date of an instant."""
    _require_aware(instant)
    return instant.astimezone(tz).date()


def local_day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local day as UTC instants (23 or 25 hours on clock-change days)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(UTC)
    return start, end


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
    named = "; ".join(f"#{p.id} {p.title!r} at {p.at.astimezone(tz):%H:%M}" for p in conflicts)
    return (
        f"{channel} allows {limit} post(s) a day and already has {len(conflicts)} on "
        f"{day:%a %d %b %Y}: {named}. Pick another day or time, or move one of those posts."
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
        for field, text in folded.items():
            if pattern.search(text):
                hits.append(StopWordHit(rule.word, rule.mode, field))
    return hits


def blocking(hits: Iterable[StopWordHit]) -> list[StopWordHit]:
    return [hit for hit in hits if hit.mode == StopWordMode.block]


def stop_word_message(hits: Sequence[StopWordHit]) -> str:
    words = sorted({f"'{hit.word}' ({hit.field.replace('_', ' ')})" for hit in hits})
    return ", ".join(words)


# --- UTM builder -----------------------------------------------------------------------------


def _utm_value(value: str) -> str:
    return re.sub(r"\s+", "_", (value or "").strip().lower())


def build_utm_url(url: str, *, source: str, medium: str, campaign: str, content: str = "") -> str:
    """``url`` with utm_source/medium/campaign(/content) set; other parameters and the fragment
    are kept, existing UTM tags replaced. Values are lower-cased, spaces become underscores."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(f"{url!r} is not a web link; it must start with https:// (or http://).")
    values = {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign, "utm_content": content}
    tags = {key: _utm_value(value) for key, value in values.items()}
    empty = [key for key in REQUIRED_UTM if not tags[key]]
    if empty:
        raise ValidationError(f"Fill in {', '.join(k.removeprefix('utm_') for k in empty)} for the UTM tags.")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in UTM_KEYS]
    query += [(key, value) for key, value in tags.items() if value]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))


def is_web_link(url: str) -> bool:
    parts = urlsplit((url or "").strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


# --- local wall times ------------------------------------------------------------------------


def _require_aware(instant: dt.datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValidationError("A time without a time zone was given; times must be time-zone aware.")


def local_instant(day: dt.date, clock: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall time. A wall time skipped by the clock change is refused;
    a repeated one (autumn) means its first occurrence."""
    local = dt.datetime.combine(day, clock.replace(tzinfo=None, fold=0), tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            f"{day:%Y-%m-%d} {clock:%H:%M} does not exist in {tz.key}: the clocks jump forward then. Pick another time."
        )
    return instant


_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_local_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """Parse 'YYYY-MM-DD HH:MM' (workspace local time) or an ISO 8601 time with an offset."""
    text = (text or "").strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or (parsed.tzinfo is None and not any(_fits(text, f) for f in _LOCAL_FORMATS)):
        raise ValidationError(f"{text!r} is not a date and time; write YYYY-MM-DD HH:MM ({tz.key} time).")
    if parsed.tzinfo is None:
        return local_instant(parsed.date(), parsed.time(), tz)
    return parsed.astimezone(UTC)


def _fits(text: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def format_local(instant: dt.datetime | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if instant is None else instant.astimezone(tz).strftime(fmt)


# --- calendar windows ------------------------------------------------------------------------


def month_grid(anchor: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the Monday-to-Sunday grid that shows ``anchor``'s month."""
    first = anchor.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    last = next_month - dt.timedelta(days=1)
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


def week_of(anchor: dt.date) -> tuple[dt.date, dt.date]:
    monday = anchor - dt.timedelta(days=anchor.weekday())
    return monday, monday + dt.timedelta(days=6)


def window_bounds(first: dt.date, last: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of the local days ``first`` .. ``last`` inclusive."""
    return local_day_bounds(first, tz)[0], local_day_bounds(last, tz)[1]


def conversion_rate(conversions: int | None, impressions: int | None) -> float | None:
    """Next-step conversions ÷ impressions (None when there is nothing to divide by)."""
    if not impressions or conversions is None:
        return None
    return conversions / impressions
