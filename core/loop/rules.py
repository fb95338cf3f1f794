"""The loop's pure rules: the forward-only status, the impact figure and its windows, and the
texts of the announcement and the thank-you replies (plain values in, plain values out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.errors import ValidationError
from core.local_time import local_midnight
from db.models import IMPACT_WINDOW_DAYS, LoopItem, LoopStatus, Post, max_length

RUBRIC = "You asked, we did"
DEFAULT_WINDOW_DAYS = IMPACT_WINDOW_DAYS
MAX_WINDOW_DAYS = 365
NEXT_STEP_TEXT = "What should we improve next? Tell us in the idea form."
MICRO_GOAL = "New proposals for what to improve next"

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
    LoopStatus.shipped: "shipped",
    LoopStatus.announced: "announced",
    LoopStatus.thanked: "givers thanked",
    LoopStatus.measured: "impact measured",
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
        raise ValidationError("Say in a few words what changed (e.g. “Dark mode is live in the app”).")
    if len(tidy) > limit:
        raise ValidationError(f"“What changed” is {len(tidy)} characters; keep it to {limit}.")
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
        raise ValidationError(f"Too many impact categories; keep the list under {limit} characters.")
    return text


def validate_nps(value: float | None, label: str) -> float | None:
    if value is None:
        return None
    if not -100 <= value <= 100:
        raise ValidationError(f"NPS {label} must be between -100 and 100 (you entered {value:g}).")
    return float(value)


def validate_window(days: int) -> int:
    if not 1 <= int(days) <= MAX_WINDOW_DAYS:
        raise ValidationError(f"The impact window must be 1 to {MAX_WINDOW_DAYS} days (you entered {days}).")
    return int(days)


def check_shipped_on(shipped_on: dt.date, *, today: dt.date) -> None:
    if shipped_on > today:
        raise ValidationError(
            f"The shipped date {shipped_on:%d %b %Y} is in the future; loop items are for what has shipped."
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
            return "nothing to measure set"
        if self.kind == "nps":
            if self.before is None or self.after is None:
                return "NPS: enter both the value before and after"
            return f"NPS {_number(self.before)} → {_number(self.after)} ({_signed(self.change)})"
        topic = ", ".join(self.categories)
        counted = f"conversations about {topic}: {_number(self.before)} → {_number(self.after)} in the {self.window_days} days before / after"
        share = self.change_share
        change = _signed(self.change) + (f", {share:+.0%}" if share is not None else "")
        if not self.measured:
            return f"{counted} (so far; complete on {self.complete_on:%d %b %Y})"
        return f"{counted} ({change})"


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:+g}"


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
        return "Set the impact first: enter NPS before and after, or choose conversation categories."
    if figure.kind == "nps":
        return "Enter both NPS values, before and after, to record the measurement."
    return f"The {figure.window_days} days after shipping are not over yet; the figure is complete on {figure.complete_on:%d %b %Y}."


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
) -> tuple[str, str]:
    """Title and body of the 'You asked, we did' post: what changed, the ideas it answers, the
    givers credited by handle, the people who answered the calls for ideas it came from (counted,
    not named), and the next step (tell us what to improve next)."""
    title = f"You asked, we did: {what_changed}"
    limit = max_length(Post, "title")
    if len(title) > limit:
        title = title[: limit - 1] + "…"
    lines = [f"You asked, we did: {what_changed}."]
    if details.strip():
        lines += ["", details.strip()]
    if idea_titles:
        lines += ["", "It started with your ideas: " + "; ".join(f"“{t}”" for t in idea_titles) + "."]
    lines.append("")
    if handles:
        lines.append(f"Thank you {_join(handles)} — you gave us the idea.")
    else:
        lines.append("Thank you to everyone who asked for it.")
    if respondents and calls:
        people = f"{respondents} {'person' if respondents == 1 else 'people'}"
        lines.append(f"And thanks to the {people} who answered our call {_join([f'“{c}”' for c in calls])}.")
    lines += ["", NEXT_STEP_TEXT + (f" {idea_form_url}" if idea_form_url else "")]
    return title, "\n".join(lines)


def thank_you_reply(
    *, handles: Sequence[str], what_changed: str, idea_titles: Sequence[str], idea_form_url: str = ""
) -> str:
    """A ready-to-copy reply thanking the givers of one channel."""
    asked = (
        f" You asked for “{idea_titles[0]}”"
        + (f" and {len(idea_titles) - 1} more" if len(idea_titles) > 1 else "")
        + "."
        if idea_titles
        else ""
    )
    greeting = " ".join(handles) + " " if handles else ""
    text = f"{greeting}Thank you for the idea!{asked} It is done: {what_changed}."
    return (
        text
        + " What should we improve next? Tell us in the idea form"
        + (f": {idea_form_url}" if idea_form_url else ".")
    )


def call_reply(*, handles: Sequence[str], what_changed: str, call_title: str) -> str:
    """A ready-to-copy reply for the people who answered a call for ideas (not givers of this one)."""
    greeting = " ".join(handles) + " " if handles else ""
    return (
        f"{greeting}You answered our call “{call_title}” — thank you! One of the ideas from it is done: "
        f"{what_changed}. The others are on our board, and we will come back with them too."
    )


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
