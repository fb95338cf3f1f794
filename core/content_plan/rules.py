"""The pre-publication checklist (paper §13) as pure rules: formats and the accessibility each
needs, the next step, the ad label, the SLA owner, UTM tags on every link and the builder that
adds them, and the next-step conversion rate.

Nothing here touches the database: a post is read as ``db.models.PostBase`` (a saved row or the
editor's unsaved form alike).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from core.errors import ValidationError
from db.models import NextStepType, PostBase

# --- formats and what accessibility each needs ------------------------------------------------

FORMATS: tuple[str, ...] = ("text", "image", "carousel", "video", "reel", "story", "poll", "live", "meme")

#: Accessibility inputs each format needs before it may be approved (paper §13: subtitles,
#: contrast, timecodes; alt text for images). Text and polls need nothing extra.
ACCESSIBILITY_NEEDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
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
)

_ACCESSIBILITY_LABELS = {
    "alt_text": "alt text",
    "contrast_confirmed": "contrast confirmed",
    "subtitles": "subtitles",
    "timecodes": "timecodes",
}

NEXT_STEP_LABELS: Mapping[str, str] = MappingProxyType(
    {
        NextStepType.poll: "Poll",
        NextStepType.thread: "Thread",
        NextStepType.form: "Form",
        NextStepType.event: "Event sign-up",
        NextStepType.guide_link: "Guide / FAQ link",
        NextStepType.comment_prompt: "Comment prompt",
    }
)

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


def checklist(post: PostBase) -> list[CheckItem]:
    """The paper's §13 checklist for a post; each item says what is missing, so a refused
    approval can list what to fix."""
    return [
        _next_step_item(post),
        _micro_goal_item(post),
        _tone_item(post),
        _accessibility_item(post),
        _ad_label_item(post),
        _sla_owner_item(post),
        _utm_item(post),
    ]


def failing(items: Iterable[CheckItem]) -> list[CheckItem]:
    return [item for item in items if not item.ok]


def _next_step_item(post: PostBase) -> CheckItem:
    step_type = (post.next_step_type or "").strip()
    step_text = (post.next_step_text or "").strip()
    if not step_type:
        detail = "Choose a next step (poll, thread, form, event, guide/FAQ link or comment prompt)."
    elif not step_text:
        detail = "Write the next step's text: what exactly should people do?"
    else:
        detail = f"{NEXT_STEP_LABELS.get(step_type, step_type)}: {step_text}"
    return CheckItem("next_step", "A next step with its text", bool(step_type and step_text), detail)


def _micro_goal_item(post: PostBase) -> CheckItem:
    goal = (post.micro_goal or "").strip()
    return CheckItem(
        "micro_goal",
        "A measurable micro-interaction goal",
        bool(goal),
        goal or "Say what you want people to do, measurably (e.g. '30 comments with topic ideas').",
    )


def _tone_item(post: PostBase) -> CheckItem:
    tone = bool(post.tone_confirmed)
    return CheckItem(
        "tone",
        "Community rules and tone of voice checked",
        tone,
        "Confirmed." if tone else "Read the post against the community rules and tone of voice, then confirm.",
    )


def _accessibility_item(post: PostBase) -> CheckItem:
    fmt = post.format or "text"
    needs = ACCESSIBILITY_NEEDS.get(fmt, ())
    missing = [need for need in needs if not _present(getattr(post, need))]
    if not needs:
        detail = f"Nothing extra needed for {fmt}."
    elif missing:
        detail = f"A {fmt} needs " + ", ".join(_ACCESSIBILITY_LABELS[m] for m in missing) + "."
    else:
        detail = "Provided: " + ", ".join(_ACCESSIBILITY_LABELS[n] for n in needs) + "."
    return CheckItem("accessibility", f"Accessibility for the format ({fmt})", not missing, detail)


def _ad_label_item(post: PostBase) -> CheckItem:
    partner = (post.partner or "").strip()
    paid = bool(post.sponsored) or bool(partner)
    labelled = bool(post.ad_label)
    if not paid:
        detail = "Not sponsored and no partner: no label needed."
    elif labelled:
        detail = "The ad/partnership label is on the post."
    else:
        why = f"has the partner {partner!r}" if partner else "is sponsored"
        detail = f"The post {why}: add the ad/partnership label."
    return CheckItem("ad_label", "Ad / partnership label when sponsored", labelled or not paid, detail)


def _sla_owner_item(post: PostBase) -> CheckItem:
    assigned = post.sla_owner_id is not None
    return CheckItem(
        "sla_owner",
        "An SLA owner who answers the comments",
        assigned,
        "Assigned." if assigned else "Pick who answers the comments on this post, within the SLA.",
    )


def _utm_item(post: PostBase) -> CheckItem:
    links = find_links(post.link_url or "", post.body or "", post.next_step_text or "")
    untagged = [(link, miss) for link in links if (miss := missing_utm(link))]
    if not links:
        detail = "No links in the post."
    elif untagged:
        detail = "; ".join(f"{link} lacks {', '.join(miss)}" for link, miss in untagged) + ". Use the UTM builder."
    else:
        detail = f"{len(links)} link(s), all tagged."
    return CheckItem("utm", "UTM tags on every link", not untagged, detail)


def _present(value: object) -> bool:
    return bool(value.strip()) if isinstance(value, str) else bool(value)


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


# --- figures ---------------------------------------------------------------------------------


def conversion_rate(conversions: int | None, impressions: int | None) -> float | None:
    """Next-step conversions ÷ impressions (None when there is nothing to divide by)."""
    if not impressions or conversions is None:
        return None
    return conversions / impressions
