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
from core.i18n import N_, _, ngettext
from db.models import NextStepType, PostBase

# --- formats and what accessibility each needs ------------------------------------------------

FORMATS: tuple[str, ...] = ("text", "image", "carousel", "video", "reel", "story", "poll", "live", "meme")
#: Each format by name ("Video needs subtitles."); translated where shown.
FORMAT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "text": N_("Text"),
        "image": N_("Image"),
        "carousel": N_("Carousel"),
        "video": N_("Video"),
        "reel": N_("Reel"),
        "story": N_("Story"),
        "poll": N_("Poll"),
        "live": N_("Live"),
        "meme": N_("Meme"),
    }
)


def format_label(code: str) -> str:
    """A format's name in the current language (an unknown code as it is)."""
    return _(FORMAT_LABELS[code]) if code in FORMAT_LABELS else code


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
    "alt_text": N_("alt text"),
    "contrast_confirmed": N_("contrast confirmed"),
    "subtitles": N_("subtitles"),
    "timecodes": N_("timecodes"),
}

NEXT_STEP_LABELS: Mapping[str, str] = MappingProxyType(
    {
        NextStepType.poll: N_("Poll"),
        NextStepType.thread: N_("Thread"),
        NextStepType.form: N_("Form"),
        NextStepType.event: N_("Event sign-up"),
        NextStepType.guide_link: N_("Guide / FAQ link"),
        NextStepType.comment_prompt: N_("Comment prompt"),
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
    label: str  # in the language current when the checklist was made
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
        detail = _("Choose a next step (poll, thread, form, event, guide/FAQ link or comment prompt).")
    elif not step_text:
        detail = _("Write the next step's text: what exactly should people do?")
    else:
        kind = _(NEXT_STEP_LABELS[step_type]) if step_type in NEXT_STEP_LABELS else step_type
        detail = f"{kind}: {step_text}"
    return CheckItem("next_step", _("A next step with its text"), bool(step_type and step_text), detail)


def _micro_goal_item(post: PostBase) -> CheckItem:
    goal = (post.micro_goal or "").strip()
    return CheckItem(
        "micro_goal",
        _("A measurable micro-interaction goal"),
        bool(goal),
        goal or _("Say what you want people to do, measurably (e.g. '30 comments with topic ideas')."),
    )


def _tone_item(post: PostBase) -> CheckItem:
    tone = bool(post.tone_confirmed)
    return CheckItem(
        "tone",
        _("Community rules and tone of voice checked"),
        tone,
        _("Confirmed.") if tone else _("Read the post against the community rules and tone of voice, then confirm."),
    )


def _accessibility_item(post: PostBase) -> CheckItem:
    fmt = post.format or "text"
    needs = ACCESSIBILITY_NEEDS.get(fmt, ())
    missing = [need for need in needs if not _present(getattr(post, need))]
    name = format_label(fmt)
    if not needs:
        detail = _("Nothing extra needed for {format}.", format=name)
    elif missing:
        detail = _(
            "{format} needs {missing}.",
            format=name,
            missing=", ".join(_(_ACCESSIBILITY_LABELS[m]) for m in missing),
        )
    else:
        detail = _("Provided: {provided}.", provided=", ".join(_(_ACCESSIBILITY_LABELS[n]) for n in needs))
    return CheckItem("accessibility", _("Accessibility for the format ({format})", format=name), not missing, detail)


def _ad_label_item(post: PostBase) -> CheckItem:
    partner = (post.partner or "").strip()
    paid = bool(post.sponsored) or bool(partner)
    labelled = bool(post.ad_label)
    if not paid:
        detail = _("Not sponsored and no partner: no label needed.")
    elif labelled:
        detail = _("The ad/partnership label is on the post.")
    elif partner:
        detail = _("The post has the partner {partner!r}: add the ad/partnership label.", partner=partner)
    else:
        detail = _("The post is sponsored: add the ad/partnership label.")
    return CheckItem("ad_label", _("Ad / partnership label when sponsored"), labelled or not paid, detail)


def _sla_owner_item(post: PostBase) -> CheckItem:
    assigned = post.sla_owner_id is not None
    return CheckItem(
        "sla_owner",
        _("An SLA owner who answers the comments"),
        assigned,
        _("Assigned.") if assigned else _("Pick who answers the comments on this post, within the SLA."),
    )


def _utm_item(post: PostBase) -> CheckItem:
    links = find_links(post.link_url or "", post.body or "", post.next_step_text or "")
    untagged = [(link, miss) for link in links if (miss := missing_utm(link))]
    if not links:
        detail = _("No links in the post.")
    elif untagged:
        lacking = "; ".join(_("{link} lacks {tags}", link=link, tags=", ".join(miss)) for link, miss in untagged)
        detail = _("{lacking}. Use the UTM builder.", lacking=lacking)
    else:
        detail = ngettext("{count} link, tagged.", "{count} links, all tagged.", len(links))
    return CheckItem("utm", _("UTM tags on every link"), not untagged, detail)


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
        raise ValidationError(_("{url!r} is not a web link; it must start with https:// (or http://).", url=url))
    values = {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign, "utm_content": content}
    tags = {key: _utm_value(value) for key, value in values.items()}
    empty = [key for key in REQUIRED_UTM if not tags[key]]
    if empty:
        raise ValidationError(
            _("Fill in {fields} for the UTM tags.", fields=", ".join(k.removeprefix("utm_") for k in empty))
        )
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
