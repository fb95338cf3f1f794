"""The loop's pure rules: the forward-only status, the impact figure and its windows, and the
texts of the announcement and the thank-you replies (plain values in, plain values out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from zoneinfo import ZoneInfo

from core import formats, text_templates
from core.errors import ValidationError
from core.i18n import N_, _, ngettext
from core.local_time import local_midnight
from db.models import IMPACT_WINDOW_DAYS, LoopItem, LoopStatus, Post, max_length

RUBRIC = "You asked, we did"  # i18n: not text (the built-in rubric's stored name)
DEFAULT_WINDOW_DAYS = IMPACT_WINDOW_DAYS
MAX_WINDOW_DAYS = 365
NEXT_STEP_TEXT = N_("What should we improve next? Tell us in the idea form.")
MICRO_GOAL = N_("New proposals for what to improve next")

# --- status: forward only ---------------------------------------------------------------------

STATUS_ORDER: tuple[LoopStatus, ...] = (
    LoopStatus.shipped,
    LoopStatus.announced,
    LoopStatus.thanked,
    LoopStatus.measured,
)
# Open until announced and every giver thanked.
OPEN_STATUSES = (LoopStatus.shipped.value, LoopStatus.announced.value)
STATUS_LABELS = {
    LoopStatus.shipped: N_("shipped"),
    LoopStatus.announced: N_("announced"),
    LoopStatus.thanked: N_("givers thanked"),
    LoopStatus.measured: N_("impact measured"),
}


def status_rank(status: str) -> int:
    return STATUS_ORDER.index(LoopStatus(status))


def advance_status(current: str, *, announced: bool, all_thanked: bool, measured: bool) -> LoopStatus:
    """The status a loop item has reached given the events so far; never lower than ``current``.

    Each step needs the ones before it: thanked needs announced, measured needs thanked.
    """
    reached = LoopStatus.shipped
    if announced:
        reached = LoopStatus.announced
        if all_thanked:
            reached = LoopStatus.thanked
            if measured:
                reached = LoopStatus.measured
    return max(LoopStatus(current), reached, key=status_rank)


# --- what a person enters ---------------------------------------------------------------------


def tidy_what_changed(text: str) -> str:
    """ "What changed" on one line with single spaces, 1 to LoopItem's limit of characters."""
    tidy = " ".join(text.split())
    limit = max_length(LoopItem, "what_changed")
    if not tidy:
        raise ValidationError(_("Say in a few words what changed (e.g. “Dark mode is live in the app”)."))
    if len(tidy) > limit:
        raise ValidationError(
            _("“What changed” is {length} characters; keep it to {limit}.", length=len(tidy), limit=limit)
        )
    return tidy


def parse_categories(text: str | Iterable[str]) -> tuple[str, ...]:
    """Categories from a comma-separated text (or a list): trimmed, deduplicated, in order."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    seen: dict[str, None] = {}
    for part in parts:
        name = part.strip()
        if name:
            seen.setdefault(name, None)
    return tuple(seen)


def categories_text(categories: Iterable[str]) -> str:
    """The categories as stored (comma-separated), within LoopItem's limit."""
    text = ", ".join(parse_categories(categories))
    limit = max_length(LoopItem, "impact_categories")
    if len(text) > limit:
        raise ValidationError(_("Too many impact categories; keep the list under {limit} characters.", limit=limit))
    return text


def validate_nps(value: float | None, label: str) -> float | None:
    if value is None:
        return None
    if not -100 <= value <= 100:
        raise ValidationError(
            _("NPS {label} must be between -100 and 100 (you entered {value}).", label=label, value=f"{value:g}")
        )
    return float(value)


def validate_window(days: int) -> int:
    if not 1 <= int(days) <= MAX_WINDOW_DAYS:
        raise ValidationError(
            _("The impact window must be 1 to {limit} days (you entered {days}).", limit=MAX_WINDOW_DAYS, days=days)
        )
    return int(days)


def check_shipped_on(shipped_on: dt.date, *, today: dt.date) -> None:
    if shipped_on > today:
        raise ValidationError(
            _(
                "The shipped date {day} is in the future; loop items are for what has shipped.",
                day=formats.date(shipped_on),
            )
        )


# --- impact -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    """A loop item's before/after figure. ``kind`` is "nps", "conversations", or "none" when
    nothing to measure is set; ``measured`` is True once the figure is complete (both NPS values
    entered, or the after-window of the conversation count is over)."""

    kind: str
    before: float | None
    after: float | None
    change: float | None
    measured: bool
    window_days: int = DEFAULT_WINDOW_DAYS
    categories: tuple[str, ...] = ()
    complete_on: dt.date | None = None  # conversations: the first day the after-window is over

    @property
    def change_share(self) -> float | None:
        """The change relative to before (0.25 = +25 %); None when before is 0 or missing."""
        if self.change is None or not self.before:
            return None
        return self.change / self.before

    @property
    def summary(self) -> str:
        if self.kind == "none":
            return _("nothing to measure set")
        if self.kind == "nps":
            if self.before is None or self.after is None:
                return _("NPS: enter both the value before and after")
            return _(
                "NPS {before} → {after} ({change})",
                before=_number(self.before),
                after=_number(self.after),
                change=_signed(self.change),
            )
        counted = _(
            "conversations about {topic}: {before} → {after} in the {days} days before / after",
            topic=", ".join(self.categories),
            before=_number(self.before),
            after=_number(self.after),
            days=self.window_days,
        )
        share = self.change_share
        change = _signed(self.change)
        if share is not None:
            change += ", " + ("+" if share >= 0 else "-") + formats.percent(abs(share) * 100, 0)
        if not self.measured:
            return _(
                "{counted} (so far; complete on {day})",
                counted=counted,
                day=formats.date(self.complete_on),
            )
        return f"{counted} ({change})"


def _number(value: float | None) -> str:
    if value is None:
        return formats.NO_VALUE
    digits = 0 if float(value).is_integer() else 1
    return formats.number(value, digits)


def _signed(value: float | None) -> str:
    if value is None:
        return formats.NO_VALUE
    return ("-" if value < 0 else "+") + _number(abs(value))


def impact_windows(
    shipped_on: dt.date, days: int, tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
    """UTC instants [before_start, before_end) and [after_start, after_end): the ``days`` whole
    local days before the shipped day and the ``days`` whole local days after it."""
    return (
        local_midnight(shipped_on - dt.timedelta(days=days), tz),
        local_midnight(shipped_on, tz),
        local_midnight(shipped_on + dt.timedelta(days=1), tz),
        local_midnight(shipped_on + dt.timedelta(days=days + 1), tz),
    )


def nps_impact(before: float | None, after: float | None) -> Impact:
    if before is None or after is None:
        return Impact("nps", before, after, None, False)
    return Impact("nps", before, after, after - before, True)


def conversation_impact(
    before: int, after: int, *, shipped_on: dt.date, days: int, categories: Sequence[str], today: dt.date
) -> Impact:
    complete_on = shipped_on + dt.timedelta(days=days + 1)
    return Impact(
        "conversations", before, after, after - before, today >= complete_on, days, tuple(categories), complete_on
    )


def no_impact(window_days: int) -> Impact:
    return Impact("none", None, None, None, False, window_days)


def measurement_missing(figure: Impact) -> str:
    """Why the measurement cannot be recorded yet ("" once the figure is complete)."""
    if figure.measured:
        return ""
    if figure.kind == "none":
        return _("Set the impact first: enter NPS before and after, or choose conversation categories.")
    if figure.kind == "nps":
        return _("Enter both NPS values, before and after, to record the measurement.")
    return _(
        "The {days} days after shipping are not over yet; the figure is complete on {day}.",
        days=figure.window_days,
        day=formats.date(figure.complete_on),
    )


# --- texts ------------------------------------------------------------------------------------


def announcement_text(
    *,
    what_changed: str,
    details: str,
    idea_titles: Sequence[str],
    handles: Sequence[str],
    idea_form_url: str = "",
    calls: Sequence[str] = (),
    respondents: int = 0,
    templates: Mapping[str, str] = MappingProxyType({}),
) -> tuple[str, str]:
    """Title and body of the 'You asked, we did' post: what changed, the ideas it answers, the
    givers credited by handle, the people who answered the calls for ideas it came from (counted,
    not named), and the next step (tell us what to improve next). ``templates``: the wording in
    force (``core.text_templates.wordings``); the text is in the current language."""
    title = text_templates.fill(templates, "announcement_title", what_changed=what_changed)
    limit = max_length(Post, "title")
    if len(title) > limit:
        title = title[: limit - 1] + "…"
    if handles:
        thanks = _("Thank you {handles} — you gave us the idea.", handles=_join(handles))
    else:
        thanks = _("Thank you to everyone who asked for it.")
    call_thanks = ""
    if respondents and calls:
        call_thanks = ngettext(
            "And thanks to the {count} person who answered our call {calls}.",
            "And thanks to the {count} people who answered our call {calls}.",
            respondents,
            calls=_join([quoted(c) for c in calls]),
        )
    body = text_templates.fill(
        templates,
        "announcement",
        what_changed=what_changed,
        details=details.strip(),
        ideas="; ".join(quoted(t) for t in idea_titles),
        thanks=thanks,
        call_thanks=call_thanks,
        idea_form_url=idea_form_url,
    )
    return title, body


def next_step_text(idea_form_url: str = "") -> str:
    """The invitation to say what to improve next (the post's next step, the replies' last line)."""
    if idea_form_url:
        return _("What should we improve next? Tell us in the idea form: {url}", url=idea_form_url)
    return _(NEXT_STEP_TEXT)


def thank_you_reply(
    *,
    handles: Sequence[str],
    what_changed: str,
    idea_titles: Sequence[str],
    idea_form_url: str = "",
    templates: Mapping[str, str] = MappingProxyType({}),
) -> str:
    """A ready-to-copy reply thanking the givers of one channel."""
    asked = ""
    if idea_titles:
        first = quoted(idea_titles[0])
        if len(idea_titles) > 1:
            asked = " " + ngettext(
                "You asked for {idea} and {count} more.",
                "You asked for {idea} and {count} more.",
                len(idea_titles) - 1,
                idea=first,
            )
        else:
            asked = " " + _("You asked for {idea}.", idea=first)
    return text_templates.fill(
        templates,
        "thank_you",
        handles=" ".join(handles),
        asked=asked,
        what_changed=what_changed,
        next_step=next_step_text(idea_form_url),
    )


def call_reply(
    *, handles: Sequence[str], what_changed: str, call_title: str, templates: Mapping[str, str] = MappingProxyType({})
) -> str:
    """A ready-to-copy reply for the people who answered a call for ideas (not givers of this one)."""
    return text_templates.fill(
        templates, "call_thank_you", handles=" ".join(handles), what_changed=what_changed, call_title=call_title
    )


def quoted(title: str) -> str:
    """A title in the language's quotation marks: “Dark mode” / „Dark mode“."""
    return _("“{title}”", title=title)


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return _("{names} and {last}", names=", ".join(names[:-1]), last=names[-1])
