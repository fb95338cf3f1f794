"""The dialog KPIs of SPEC §"KPI definitions" (paper §8): each defined once, computed in SQL.

A period is an inclusive range of local dates in the workspace time zone; the SQL works on the
matching UTC range ``[start of the first day, start of the day after the last)``. A conversation
belongs to the period of its received time, a post to that of its published time, an idea to the
date the KPI names (valid = ``valid_at``), a loop item to its ``shipped_on`` date, an idea giver
to ``given_at``. The previous period is the period of equal length just before.

Choices the SPEC leaves open, made here once:

* Percentiles (median, p90) use **linear interpolation between closest ranks** — PostgreSQL's
  ``percentile_cont``: for ``n`` sorted values and share ``p`` the position is ``p·(n−1)``
  (0-based) and the value is interpolated between the two neighbours. SQLite has no percentile
  function, so it reads the one or two neighbours with ``ORDER BY … LIMIT 2 OFFSET ⌊p·(n−1)⌋``;
  both backends give the same figure.
* Replies stamped before the message are data problems: left out of the response times **and** of
  the SLA share (the real reply time is unknown), and counted on their own.
* Conversations without an SLA deadline (no policy applied) are in neither side of the SLA share.
* "Resolved in the period" = received in the period and status ``resolved`` now; "escalated" =
  an escalation time or an escalation team is set.
* Audience size of a channel for a period = the size entered for it, averaged over the days of
  the period each entry covers (an entry covering half the period counts for that half); days no
  entry covers are left out of the average. Not filtered by channel: the sum over the channels.
  People are counted once however many channels they wrote in.
* Returns: "first interaction ever" and "another interaction" look at conversations and idea
  givers (within the channel when filtered); another interaction is one strictly after the first,
  at most 7 × 24 h (30 × 24 h) later. For a recent period the window may still be open.
* Post KPIs count a published post's metrics once they are entered: impressions filled in for the
  next-step conversions and the display KPIs; impressions, saves or guide clicks for content utility.
* Valid proposals skip duplicates merged into another idea.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, false, func, literal_column, or_, select, true, union, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from core import exports, loop, workspace
from core.errors import ValidationError
from db.models import (
    AudienceSize,
    Channel,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Idea,
    IdeaGiver,
    LoopItem,
    LoopItemIdea,
    Post,
    PostStatus,
)

# --- definitions ------------------------------------------------------------------------------


class Better(StrEnum):
    higher = "higher"
    lower = "lower"


class Family(StrEnum):
    speed = "speed"
    community = "community"
    content = "content"
    product = "product"
    display = "display"


FAMILY_LABELS = {
    Family.speed: "Speed and quality of dialog",
    Family.community: "Strength of the community",
    Family.content: "Usefulness of content",
    Family.product: "Product footprint",
    Family.display: "Display KPIs (reach)",
}


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    label: str
    family: Family
    unit: str
    better: Better
    definition: str
    page: str  # the screen where the number is worked on (a key of ui.frame.PAGES)
    empty_hint: str  # what to do when there is no data yet
    card: bool = True  # False: shown beside another card rather than as one
    beside: tuple[str, ...] = ()  # keys of KPIs shown beside this card
    short: str = ""  # how it is named when shown beside another card


PERCENT = "%"
MINUTES = "business min"
CALENDAR_MINUTES = "calendar min"

_NEEDS_REPLY = "Needs a reply = a question or complaint not marked 'no reply needed'."
_CONVERSATIONS_HINT = "No conversations in this period yet: import them or log them on the SLA monitor."

KPIS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "first_response_median",
        "First response (median)",
        Family.speed,
        MINUTES,
        Better.lower,
        "Median business minutes from the message to the first human reply, over conversations received "
        f"in the period that need a reply and have a reply not stamped before the message. {_NEEDS_REPLY} "
        "Median by linear interpolation.",
        "sla",
        "No answered questions or complaints in this period yet: replies recorded on the SLA monitor show here.",
        beside=("first_response_median_calendar", "replies_before_message"),
    ),
    KpiDefinition(
        "first_response_p90",
        "First response (p90)",
        Family.speed,
        MINUTES,
        Better.lower,
        "90th percentile of business minutes to the first reply (linear interpolation), over the same "
        "conversations as the median: nine in ten were answered at least this fast.",
        "sla",
        "No answered questions or complaints in this period yet: replies recorded on the SLA monitor show here.",
        beside=("first_response_p90_calendar",),
    ),
    KpiDefinition(
        "first_response_median_calendar",
        "First response (median, calendar time)",
        Family.speed,
        CALENDAR_MINUTES,
        Better.lower,
        "Median calendar (wall-clock) minutes to the first reply, over the same conversations as the business median.",
        "sla",
        "No answered questions or complaints in this period yet.",
        card=False,
        short="calendar time",
    ),
    KpiDefinition(
        "first_response_p90_calendar",
        "First response (p90, calendar time)",
        Family.speed,
        CALENDAR_MINUTES,
        Better.lower,
        "90th percentile of calendar minutes to the first reply, over the same conversations as the business p90.",
        "sla",
        "No answered questions or complaints in this period yet.",
        card=False,
        short="calendar time",
    ),
    KpiDefinition(
        "sla_share",
        "Answered within SLA",
        Family.speed,
        PERCENT,
        Better.higher,
        "Met ÷ (met + breached) over conversations received in the period that need a reply. Met = first "
        "reply at or before the deadline; breached = first reply after it, or no reply and the deadline has "
        "passed. Open and not yet due: in neither. Replies stamped before the message are left out.",
        "sla",
        "No question or complaint in this period has reached its deadline yet.",
    ),
    KpiDefinition(
        "closed_without_escalation",
        "Closed without escalation",
        Family.speed,
        PERCENT,
        Better.higher,
        "Resolved conversations received in the period that were never escalated ÷ resolved conversations "
        "received in the period.",
        "sla",
        "No conversation received in this period is resolved yet: resolve them on the SLA monitor.",
    ),
    KpiDefinition(
        "replies_before_message",
        "Replies stamped before the message",
        Family.speed,
        "conversations",
        Better.lower,
        "Conversations that need a reply whose first reply is stamped before the message: data problems, "
        "left out of response times and the SLA share. Fix their times on the SLA monitor.",
        "sla",
        _CONVERSATIONS_HINT,
        card=False,
        short="replies stamped before the message",
    ),
    KpiDefinition(
        "active_share",
        "Active share",
        Family.community,
        PERCENT,
        Better.higher,
        "Distinct people (handles) who wrote a conversation or gave an idea in the period ÷ the audience size "
        "entered for the channel and period (summed over channels when not filtered).",
        "kpis",
        "Enter the audience size per channel for this period (analyst or admin, below on this page).",
    ),
    KpiDefinition(
        "ugc_per_week",
        "UGC per week",
        Family.community,
        "per week",
        Better.higher,
        "User-generated content (UGC conversations) received in the period ÷ weeks in the period.",
        "sla",
        _CONVERSATIONS_HINT,
    ),
    KpiDefinition(
        "ugc_useful_share",
        "UGC marked useful",
        Family.community,
        PERCENT,
        Better.higher,
        "UGC conversations of the period marked useful ÷ UGC conversations of the period.",
        "sla",
        "No UGC in this period yet: log UGC on the SLA monitor and mark the useful pieces.",
    ),
    KpiDefinition(
        "returns_d7",
        "Returns D7",
        Family.community,
        PERCENT,
        Better.higher,
        "Of the people whose first interaction ever (conversation or idea) falls in the period, the share "
        "with another interaction within 7 days after that first one.",
        "sla",
        "Nobody interacted for the first time in this period.",
    ),
    KpiDefinition(
        "returns_d30",
        "Returns D30",
        Family.community,
        PERCENT,
        Better.higher,
        "Of the people whose first interaction ever (conversation or idea) falls in the period, the share "
        "with another interaction within 30 days after that first one.",
        "sla",
        "Nobody interacted for the first time in this period.",
    ),
    KpiDefinition(
        "next_step_share",
        "Posts with a next step",
        Family.content,
        PERCENT,
        Better.higher,
        "Published posts of the period with a next step (poll, thread, form, event, guide link, comment "
        "prompt) ÷ published posts of the period.",
        "calendar",
        "No post published in this period yet: plan and publish posts on the content calendar.",
    ),
    KpiDefinition(
        "next_step_conversion",
        "Next-step conversions",
        Family.content,
        PERCENT,
        Better.higher,
        "Sum of next-step conversions ÷ sum of impressions, over published posts of the period that have a "
        "next step and their metrics entered.",
        "calendar",
        "No metrics entered for published posts with a next step: enter them on the content calendar.",
    ),
    KpiDefinition(
        "content_utility",
        "Saves + guide clicks per post",
        Family.content,
        "per post",
        Better.higher,
        "(Saves + click-throughs to guides/FAQ) ÷ published posts of the period with their figures entered "
        "(impressions, saves or guide clicks; a post with nothing entered yet is left out, not counted as zero).",
        "calendar",
        "No metrics entered for posts published in this period: enter them on the content calendar.",
    ),
    KpiDefinition(
        "valid_proposals",
        "Valid proposals",
        Family.product,
        "ideas",
        Better.higher,
        "Ideas that became valid in the period (by the date they were marked valid; merged duplicates not "
        "counted), shown per month.",
        "ideas",
        "No ideas logged yet: log the community's proposals on the idea board.",
    ),
    KpiDefinition(
        "implemented_improvements",
        "Implemented improvements",
        Family.product,
        "loop items",
        Better.higher,
        "'You asked, we did' loop items shipped in the period (by shipped date), shown per month with their "
        "measured effect where measured.",
        "loop",
        "Nothing shipped from the community's ideas yet: close the loop on 'You asked, we did'.",
    ),
    KpiDefinition(
        "published_posts",
        "Published posts",
        Family.display,
        "posts",
        Better.higher,
        "Posts published in the period.",
        "calendar",
        "No post published yet: plan posts on the content calendar.",
    ),
    KpiDefinition(
        "impressions",
        "Impressions",
        Family.display,
        "impressions",
        Better.higher,
        "Sum of impressions of the posts published in the period (display KPI: reach, not dialog).",
        "calendar",
        "No metrics entered for posts published in this period.",
    ),
    KpiDefinition(
        "reactions",
        "Reactions",
        Family.display,
        "reactions",
        Better.higher,
        "Sum of reactions to the posts published in the period (display KPI).",
        "calendar",
        "No metrics entered for posts published in this period.",
    ),
)

KPI_BY_KEY: dict[str, KpiDefinition] = {k.key: k for k in KPIS}


@dataclass(frozen=True)
class Measured:
    """One KPI over one period."""

    value: float | None
    detail: str = ""
    breakdown: tuple[tuple[str, float], ...] = ()  # per month: ("2026-06", 4.0)
    notes: tuple[str, ...] = ()  # e.g. each improvement with its measured effect


@dataclass(frozen=True)
class KpiValue:
    """A KPI for the chosen period beside the same KPI for the period just before."""

    definition: KpiDefinition
    value: float | None
    previous: float | None
    detail: str = ""
    breakdown: tuple[tuple[str, float], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def unit(self) -> str:
        return self.definition.unit

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def direction(self) -> str | None:
        """ "up", "down" or "flat" against the previous period; None when either is missing."""
        change = self.change
        if change is None:
            return None
        if abs(change) < 1e-9:
            return "flat"
        return "up" if change > 0 else "down"

    @property
    def improved(self) -> bool | None:
        """True when the change goes the way this KPI calls better; None when flat or unknown."""
        direction = self.direction
        if direction in (None, "flat"):
            return None
        return (direction == "up") == (self.definition.better == Better.higher)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "family": self.definition.family.value,
            "unit": self.unit,
            "better": self.definition.better.value,
            "value": self.value,
            "previous": self.previous,
            "change": self.change,
            "detail": self.detail,
            "breakdown": [{"month": month, "value": value} for month, value in self.breakdown],
            "notes": list(self.notes),
            "definition": self.definition.definition,
        }


# --- periods ----------------------------------------------------------------------------------


class PeriodKind(StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"
    custom = "custom"


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of local dates."""

    start: dt.date
    end: dt.date
    kind: PeriodKind = field(default=PeriodKind.custom, compare=False)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(f"The period ends ({self.end}) before it starts ({self.start}); swap the dates.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    def previous(self) -> Period:
        """The period of equal length just before."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1), self.kind)

    def utc_bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """``[local midnight of start, local midnight after end)`` as UTC instants."""
        return _local_midnight(self.start, tz), _local_midnight(self.end + dt.timedelta(days=1), tz)

    def clipped(self, last_day: dt.date) -> Period:
        """The part up to ``last_day`` (a period still running compares to-date with the same length)."""
        return self if self.end <= last_day or self.start > last_day else Period(self.start, last_day, self.kind)

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.week:
            iso = self.start.isocalendar()
            return f"Week {iso.week}, {iso.year} · {_short(self.start)} – {_short(self.end)}"
        if self.kind == PeriodKind.month and self.start.day == 1:
            return self.start.strftime("%B %Y")
        if self.kind == PeriodKind.quarter and self.start.day == 1:
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"{_short(self.start)} {self.start.year} – {_short(self.end)} {self.end.year}"

    def months(self) -> list[Period]:
        """The calendar months the period touches, each clipped to the period."""
        months, first = [], self.start.replace(day=1)
        while first <= self.end:
            following = _add_months(first, 1)
            months.append(
                Period(max(first, self.start), min(following - dt.timedelta(days=1), self.end), PeriodKind.month)
            )
            first = following
        return months


def _short(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-06-01.") from None


def period_containing(kind: PeriodKind | str, day: dt.date) -> Period:
    """The week (Monday–Sunday), month or quarter that contains ``day``."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.week:
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6), kind)
    if kind == PeriodKind.month:
        start = day.replace(day=1)
        return Period(start, _add_months(start, 1) - dt.timedelta(days=1), kind)
    if kind == PeriodKind.quarter:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(start, _add_months(start, 3) - dt.timedelta(days=1), kind)
    raise ValidationError("A custom period has no fixed length: give its first and last day.")


def recent_periods(kind: PeriodKind | str, today: dt.date, count: int = 12) -> list[Period]:
    """The ``count`` latest weeks, months or quarters, newest first; the running one ends today."""
    periods, day = [], today
    for _ in range(count):
        period = period_containing(kind, day)
        periods.append(period.clipped(today))
        day = period.start - dt.timedelta(days=1)
    return periods


def default_period(kind: PeriodKind | str, today: dt.date) -> Period:
    """The last complete week, month or quarter: the one a manager compares first."""
    running = period_containing(kind, today)
    return period_containing(kind, running.start - dt.timedelta(days=1))


def local_today(now: dt.datetime, tz: ZoneInfo) -> dt.date:
    return now.astimezone(tz).date()


# --- computing --------------------------------------------------------------------------------


def compute_kpis(
    session: Session, *, start: dt.date, end: dt.date, channel_id: int | None, now: dt.datetime
) -> list[KpiValue]:
    """Every KPI for the period ``start``–``end`` (inclusive local dates) and the period of equal
    length just before, optionally for one channel; ``now`` decides which open items are overdue."""
    _check_now(now)
    period = Period(start, end)
    tz = workspace.timezone(session)
    current = _measure(session, period, tz, channel_id, now)
    before = _measure(session, period.previous(), tz, channel_id, now)
    return [
        KpiValue(
            definition=d,
            value=current[d.key].value,
            previous=before[d.key].value,
            detail=current[d.key].detail,
            breakdown=current[d.key].breakdown,
            notes=current[d.key].notes,
        )
        for d in KPIS
    ]


def _check_now(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError("'now' must be timezone-aware (UTC).")


def _ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if not denominator or numerator is None:
        return None
    return numerator / denominator * scale


def _measure(
    session: Session, period: Period, tz: ZoneInfo, channel_id: int | None, now: dt.datetime
) -> dict[str, Measured]:
    lo, hi = period.utc_bounds(tz)
    out: dict[str, Measured] = {}

    conv = _conversation_counts(session, lo, hi, channel_id, now)
    has_conversations = conv["conversations"] > 0
    times = _response_times(session, lo, hi, channel_id)
    answered = times["answered"]
    flagged = conv["replies_before"]
    times_detail = f"{answered} answered conversation(s)" + (
        f"; {flagged} with a reply stamped before the message left out" if flagged else ""
    )
    for key, column in (
        ("first_response_median", "business_median"),
        ("first_response_p90", "business_p90"),
        ("first_response_median_calendar", "calendar_median"),
        ("first_response_p90_calendar", "calendar_p90"),
    ):
        out[key] = Measured(times[column], times_detail if answered else "")
    conv_values = conversation_kpis(conv, weeks=period.weeks)
    met, breached = conv["sla_met"], conv["sla_breached"]
    out["sla_share"] = Measured(conv_values["sla_share"], f"{met} met, {breached} breached" if met + breached else "")
    resolved, clean = conv["resolved"], conv["resolved_clean"]
    out["closed_without_escalation"] = Measured(
        conv_values["closed_without_escalation"], f"{clean} of {resolved} resolved" if resolved else ""
    )
    out["replies_before_message"] = Measured(conv_values["replies_before_message"])

    people = _active_people(session, lo, hi, channel_id)
    audience, missing = _audience(session, period, channel_id)
    detail = f"{people} active people of {audience:,.0f}" if audience else ""
    if missing:
        detail += ("; " if detail else "") + "no audience size for " + ", ".join(missing)
    out["active_share"] = Measured(_ratio(people, audience, 100), detail)
    ugc, useful = conv["ugc"], conv["ugc_useful"]
    out["ugc_per_week"] = Measured(
        conv_values["ugc_per_week"], f"{ugc} UGC in {period.days} days" if has_conversations else ""
    )
    out["ugc_useful_share"] = Measured(conv_values["ugc_useful_share"], f"{useful} of {ugc} useful" if ugc else "")
    newcomers, back7, back30 = _returns(session, lo, hi, channel_id)
    out["returns_d7"] = Measured(
        _ratio(back7, newcomers, 100), f"{back7} of {newcomers} new people back within 7 days" if newcomers else ""
    )
    out["returns_d30"] = Measured(
        _ratio(back30, newcomers, 100), f"{back30} of {newcomers} new people back within 30 days" if newcomers else ""
    )

    posts = _post_counts(session, lo, hi, channel_id)
    post_values = post_kpis(posts)
    published = posts["published"]
    out["next_step_share"] = Measured(
        post_values["next_step_share"], f"{posts['with_step']} of {published} posts" if published else ""
    )
    out["next_step_conversion"] = Measured(
        post_values["next_step_conversion"],
        f"{posts['step_conversions']:,} conversions of {posts['step_impressions']:,} impressions"
        if posts["step_impressions"]
        else "",
    )
    measured_posts = posts["with_metrics"]
    utility_posts = posts["with_utility"]
    out["content_utility"] = Measured(
        post_values["content_utility"],
        f"{posts['saves_and_clicks']:,} saves and clicks on {utility_posts} posts" if utility_posts else "",
    )
    out["published_posts"] = Measured(float(published) if published or posts["ever_published"] else None)
    out["impressions"] = Measured(float(posts["impressions"]) if measured_posts else None)
    out["reactions"] = Measured(float(posts["reactions"]) if measured_posts else None)

    out["valid_proposals"] = _valid_proposals(session, period, tz, channel_id)
    out["implemented_improvements"] = _improvements(session, period, channel_id, local_today(now, tz))
    return out


class _Unindexed(FunctionElement):
    """A column the query filters on but must not be looked up by.

    SQLite has no table statistics unless ANALYZE ran, so it prefers an index on an equality
    (``channel_id = 3``, ``status = 'published'``) to the far more selective time range of a
    period. Written ``+column`` (a no-op for any value) the term no longer qualifies for an index;
    other backends plan with statistics and get the plain column.
    """

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(_Unindexed)
def _compile_unindexed(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_Unindexed, "sqlite")
def _compile_unindexed_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


def _in_range(column, lo: dt.datetime, hi: dt.datetime) -> ColumnElement[bool]:
    return and_(column >= lo, column < hi)


def _needs_reply() -> ColumnElement[bool]:
    """Kind question or complaint and not marked "no reply needed".

    The mark is the status, and it outlives it: an item marked and then resolved keeps its
    reason and has no reply (marking is refused once answered; a later reply reopens it).
    """
    c = Conversation
    return and_(
        c.kind.in_((ConversationKind.question.value, ConversationKind.complaint.value)),  # type: ignore[attr-defined]
        c.status != ConversationStatus.no_reply_needed.value,
        or_(c.first_reply_at.is_not(None), ~_has_no_reply_reason()),  # type: ignore[union-attr]
    )


def _has_no_reply_reason() -> ColumnElement[bool]:
    """Whether the conversation carries a "no reply needed" reason. Looked up by id, so the
    per-period figures keep reading the covering KPI index (the reason is not in it) and only
    the few unanswered items reach this lookup."""
    marked = Conversation.__table__.alias("marked")  # type: ignore[attr-defined]
    return exists(select(1).select_from(marked).where(marked.c.id == Conversation.id, marked.c.no_reply_reason != ""))


def _conversation_scope(lo: dt.datetime, hi: dt.datetime, channel_id: int | None) -> list[ColumnElement[bool]]:
    conditions = [_in_range(Conversation.received_at, lo, hi)]
    if channel_id is not None:
        conditions.append(_Unindexed(Conversation.channel_id) == channel_id)
    return conditions


def _count_if(condition: ColumnElement[bool]):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sla_conditions(now: dt.datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(met, breached) for conversations that need a reply and carry a deadline."""
    c = Conversation
    counted = and_(_needs_reply(), c.reply_before_message == false(), c.deadline_at.is_not(None))  # type: ignore[union-attr]
    met = and_(counted, c.first_reply_at.is_not(None), c.first_reply_at <= c.deadline_at)  # type: ignore[union-attr, operator]
    breached = and_(
        counted,
        or_(
            and_(c.first_reply_at.is_not(None), c.first_reply_at > c.deadline_at),  # type: ignore[union-attr, operator]
            and_(c.first_reply_at.is_(None), c.deadline_at <= now),  # type: ignore[union-attr, operator]
        ),
    )
    return met, breached


def _resolved_conditions() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    c = Conversation
    resolved = c.status == ConversationStatus.resolved.value
    clean = and_(resolved, c.escalated_at.is_(None), c.escalation_team_id.is_(None))  # type: ignore[union-attr]
    return resolved, clean


def _conversation_columns(now: dt.datetime) -> list:
    """The per-period conversation counts, one pass over the covering index."""
    c = Conversation
    met, breached = _sla_conditions(now)
    resolved, clean = _resolved_conditions()
    ugc = c.kind == ConversationKind.ugc.value
    return [
        func.count().label("conversations"),
        _count_if(and_(_needs_reply(), c.reply_before_message == true())).label("replies_before"),
        _count_if(met).label("sla_met"),
        _count_if(breached).label("sla_breached"),
        _count_if(resolved).label("resolved"),
        _count_if(clean).label("resolved_clean"),
        _count_if(ugc).label("ugc"),
        _count_if(and_(ugc, c.useful == true())).label("ugc_useful"),
    ]


def conversation_kpis(counts: Mapping[str, int], *, weeks: float) -> dict[str, float | None]:
    """The conversation KPIs from the counts of one period (or one trend bucket)."""
    has_conversations = counts["conversations"] > 0
    return {
        "sla_share": _ratio(counts["sla_met"], counts["sla_met"] + counts["sla_breached"], 100),
        "closed_without_escalation": _ratio(counts["resolved_clean"], counts["resolved"], 100),
        "replies_before_message": float(counts["replies_before"]) if has_conversations else None,
        "ugc_per_week": counts["ugc"] / weeks if has_conversations else None,
        "ugc_useful_share": _ratio(counts["ugc_useful"], counts["ugc"], 100),
    }


def _counts(row) -> dict[str, int]:
    return {key: int(value or 0) for key, value in row._mapping.items() if key != "bucket"}


def _conversation_counts(session: Session, lo, hi, channel_id, now) -> dict[str, int]:
    row = session.execute(select(*_conversation_columns(now)).where(*_conversation_scope(lo, hi, channel_id))).one()
    return _counts(row)


def _answered_scope(lo, hi, channel_id) -> list[ColumnElement[bool]]:
    c = Conversation
    return [
        *_conversation_scope(lo, hi, channel_id),
        _needs_reply(),
        c.reply_before_message == false(),
        c.business_minutes_to_reply.is_not(None),  # type: ignore[union-attr]
        c.calendar_minutes_to_reply.is_not(None),  # type: ignore[union-attr]
    ]


PERCENTILES = {"median": 0.5, "p90": 0.9}


def _response_times(session: Session, lo, hi, channel_id) -> dict[str, Any]:
    """Median and p90 of business and calendar minutes to the first reply (see module docstring)."""
    c = Conversation
    scope = _answered_scope(lo, hi, channel_id)
    columns = {"business": c.business_minutes_to_reply, "calendar": c.calendar_minutes_to_reply}
    answered = int(session.execute(select(func.count()).where(*scope)).scalar_one())
    out: dict[str, Any] = {"answered": answered}
    if answered == 0:
        return out | {f"{name}_{p}": None for name in columns for p in PERCENTILES}
    if session.get_bind().dialect.name == "postgresql":
        selected = [
            func.percentile_cont(share).within_group(column).label(f"{name}_{p}")  # type: ignore[arg-type]
            for name, column in columns.items()
            for p, share in PERCENTILES.items()
        ]
        row = session.execute(select(*selected).where(*scope)).one()
        return out | {key: float(value) for key, value in row._mapping.items()}
    for name, column in columns.items():
        for p, share in PERCENTILES.items():
            position = share * (answered - 1)
            lower = math.floor(position)
            neighbours = (
                session.execute(
                    select(column).where(*scope).order_by(column).limit(2).offset(lower)  # type: ignore[arg-type]
                )
                .scalars()
                .all()
            )
            value = float(neighbours[0])
            if len(neighbours) > 1 and position > lower:
                value += (position - lower) * (float(neighbours[1]) - value)
            out[f"{name}_{p}"] = value
    return out


def _giver_scope(lo, hi, channel_id) -> tuple[Any, list[ColumnElement[bool]]]:
    """Idea givers in ``[lo, hi)``; an idea giver's channel is the one recorded on it, else its idea's."""
    g = IdeaGiver
    conditions = [_in_range(g.given_at, lo, hi)]
    source: Any = IdeaGiver
    if channel_id is not None:
        source = IdeaGiver.__table__.join(Idea.__table__, Idea.id == g.idea_id)  # type: ignore[attr-defined]
        conditions.append(func.coalesce(g.channel_id, Idea.channel_id) == channel_id)
    return source, conditions


def _active_people(session: Session, lo, hi, channel_id) -> int:
    source, conditions = _giver_scope(lo, hi, channel_id)
    people = union(
        select(Conversation.author_handle.label("handle")).where(*_conversation_scope(lo, hi, channel_id)),  # type: ignore[attr-defined]
        select(IdeaGiver.handle.label("handle")).select_from(source).where(*conditions),  # type: ignore[attr-defined]
    ).subquery()
    return int(session.execute(select(func.count()).select_from(people)).scalar_one())


@dataclass(frozen=True)
class AudienceRow:
    channel_id: int
    period_start: dt.date
    period_end: dt.date
    size: int


def audience_for(rows: Iterable[AudienceRow], period: Period) -> dict[int, float]:
    """Audience per channel for ``period``: each entry's size averaged over the period's days it covers."""
    weighted: dict[int, float] = {}
    covered: dict[int, int] = {}
    for row in rows:
        first, last = max(row.period_start, period.start), min(row.period_end, period.end)
        days = (last - first).days + 1
        if days <= 0:
            continue
        weighted[row.channel_id] = weighted.get(row.channel_id, 0.0) + row.size * days
        covered[row.channel_id] = covered.get(row.channel_id, 0) + days
    return {channel: weighted[channel] / covered[channel] for channel in weighted}


def _audience_rows(session: Session, period: Period, channel_id: int | None) -> list[AudienceRow]:
    a = AudienceSize
    statement = select(a.channel_id, a.period_start, a.period_end, a.size).where(
        a.period_start <= period.end,
        a.period_end >= period.start,  # type: ignore[operator]
    )
    if channel_id is not None:
        statement = statement.where(a.channel_id == channel_id)
    return [AudienceRow(*row) for row in session.execute(statement)]


def _audience(session: Session, period: Period, channel_id: int | None) -> tuple[float | None, list[str]]:
    """The audience for the period, and the names of active channels with no audience entered."""
    sizes = audience_for(_audience_rows(session, period, channel_id), period)
    statement = select(Channel.id, Channel.name).where(Channel.active == true()).order_by(Channel.name)  # type: ignore[arg-type]
    if channel_id is not None:
        statement = statement.where(Channel.id == channel_id)
    missing = [name for cid, name in session.execute(statement) if cid not in sizes]
    return (sum(sizes.values()) or None), missing


def _plus_hours(session: Session, instant, hours: int):
    """``instant + hours`` in SQL, exact to the microsecond on both backends."""
    if session.get_bind().dialect.name == "postgresql":
        return instant + literal_column(f"interval '{int(hours)} hours'")
    # SQLite keeps instants as 'YYYY-MM-DD HH:MM:SS.ffffff': shift the whole seconds, keep the fraction.
    return func.strftime("%Y-%m-%d %H:%M:%S", func.substr(instant, 1, 19), f"+{int(hours)} hours").op("||")(
        func.substr(instant, 20)
    )


def _returns(session: Session, lo, hi, channel_id) -> tuple[int, int, int]:
    """(people first seen in ``[lo, hi)``, of them back within 7 days, within 30 days)."""
    c, g = Conversation, IdeaGiver
    source, giver_conditions = _giver_scope(lo, hi, channel_id)
    firsts_in_period = union_all(
        select(c.author_handle.label("handle"), func.min(c.received_at).label("first_at"))  # type: ignore[attr-defined]
        .where(*_conversation_scope(lo, hi, channel_id))
        .group_by(c.author_handle),
        select(g.handle.label("handle"), func.min(g.given_at).label("first_at"))  # type: ignore[attr-defined]
        .select_from(source)
        .where(*giver_conditions)
        .group_by(g.handle),
    ).subquery("firsts_in_period")
    firsts = (
        select(firsts_in_period.c.handle, func.min(firsts_in_period.c.first_at).label("first_at"))
        .group_by(firsts_in_period.c.handle)
        .subquery("firsts")
    )

    def interactions(start_after, up_to=None) -> ColumnElement[bool]:
        """Whether the person has a conversation or idea in (start_after, up_to] / before ``lo``."""
        conv_alias = Conversation.__table__.alias()  # type: ignore[attr-defined]
        giver_alias = IdeaGiver.__table__.alias()  # type: ignore[attr-defined]
        idea_alias = Idea.__table__.alias()  # type: ignore[attr-defined]
        if start_after is None:
            conv_when = conv_alias.c.received_at < lo
            giver_when = giver_alias.c.given_at < lo
        else:
            conv_when = and_(conv_alias.c.received_at > start_after, conv_alias.c.received_at <= up_to)
            giver_when = and_(giver_alias.c.given_at > start_after, giver_alias.c.given_at <= up_to)
        conv_where = [conv_alias.c.author_handle == firsts.c.handle, conv_when]
        giver_where = [giver_alias.c.handle == firsts.c.handle, giver_when]
        giver_from: Any = giver_alias
        if channel_id is not None:
            conv_where.append(_Unindexed(conv_alias.c.channel_id) == channel_id)
            giver_from = giver_alias.join(idea_alias, idea_alias.c.id == giver_alias.c.idea_id)
            giver_where.append(func.coalesce(giver_alias.c.channel_id, idea_alias.c.channel_id) == channel_id)
        return or_(
            exists(select(1).select_from(conv_alias).where(*conv_where)),
            exists(select(1).select_from(giver_from).where(*giver_where)),
        )

    first_at = firsts.c.first_at
    row = session.execute(
        select(
            func.count(),
            _count_if(interactions(first_at, _plus_hours(session, first_at, 7 * 24))),
            _count_if(interactions(first_at, _plus_hours(session, first_at, 30 * 24))),
        )
        .select_from(firsts)
        .where(~interactions(None))
    ).one()
    return int(row[0]), int(row[1] or 0), int(row[2] or 0)


def _published_scope(lo, hi, channel_id) -> list[ColumnElement[bool]]:
    p = Post
    conditions = [_Unindexed(p.status) == PostStatus.published.value, _in_range(p.published_at, lo, hi)]
    if channel_id is not None:
        conditions.append(_Unindexed(p.channel_id) == channel_id)
    return conditions


def _post_conditions():
    p = Post
    with_step = and_(p.next_step_type.is_not(None), p.next_step_type != "")  # type: ignore[union-attr]
    with_metrics = p.impressions.is_not(None)  # type: ignore[union-attr]
    return with_step, with_metrics


def _utility_entered():
    """A post counts for content utility once its impressions, saves or guide clicks are entered
    (saves typed in without impressions still count; a post with nothing entered is not a zero)."""
    p = Post
    return or_(p.impressions.is_not(None), p.saves.is_not(None), p.guide_clicks.is_not(None))  # type: ignore[union-attr]


def _post_columns() -> list:
    p = Post
    with_step, with_metrics = _post_conditions()
    step_measured = and_(with_step, with_metrics)
    return [
        func.count().label("published"),
        _count_if(with_step).label("with_step"),
        func.coalesce(func.sum(case((step_measured, func.coalesce(p.next_step_conversions, 0)), else_=0)), 0).label(
            "step_conversions"
        ),
        func.coalesce(func.sum(case((step_measured, p.impressions), else_=0)), 0).label("step_impressions"),
        _count_if(with_metrics).label("with_metrics"),
        _count_if(_utility_entered()).label("with_utility"),
        func.coalesce(func.sum(func.coalesce(p.saves, 0) + func.coalesce(p.guide_clicks, 0)), 0).label(
            "saves_and_clicks"
        ),
        func.coalesce(func.sum(p.impressions), 0).label("impressions"),
        func.coalesce(func.sum(p.reactions), 0).label("reactions"),
    ]


def post_kpis(counts: Mapping[str, int]) -> dict[str, float | None]:
    """The content KPIs from the counts of one period (or one trend bucket)."""
    return {
        "next_step_share": _ratio(counts["with_step"], counts["published"], 100),
        "next_step_conversion": _ratio(counts["step_conversions"], counts["step_impressions"], 100),
        "content_utility": _ratio(counts["saves_and_clicks"], counts["with_utility"]),
    }


def _post_counts(session: Session, lo, hi, channel_id) -> dict[str, int]:
    counts = _counts(session.execute(select(*_post_columns()).where(*_published_scope(lo, hi, channel_id))).one())
    ever = select(Post.id).where(Post.status == PostStatus.published.value).limit(1)
    counts["ever_published"] = int(session.execute(ever).first() is not None)
    return counts


def _bucket(column, bounds: Sequence[Any]):
    """The index of the ``[bounds[i], bounds[i+1])`` range the column falls in (rows outside are filtered)."""
    return case(*[(column < bound, index) for index, bound in enumerate(bounds[1:])], else_=len(bounds) - 1)


def _valid_proposals(session: Session, period: Period, tz: ZoneInfo, channel_id: int | None) -> Measured:
    if session.execute(select(Idea.id).limit(1)).first() is None:
        return Measured(None)
    months = period.months()
    bounds = [months[0].utc_bounds(tz)[0]] + [m.utc_bounds(tz)[1] for m in months]
    counts = _bucket_counts(session, Idea.valid_at, bounds, _idea_scope(channel_id))
    breakdown = tuple((m.start.strftime("%Y-%m"), float(counts.get(i, 0))) for i, m in enumerate(months))
    return Measured(float(sum(counts.values())), breakdown=breakdown)


def _idea_scope(channel_id: int | None) -> list[ColumnElement[bool]]:
    conditions = [_Unindexed(Idea.merged_into_id).is_(None)]
    if channel_id is not None:
        conditions.append(_Unindexed(Idea.channel_id) == channel_id)
    return conditions


def _bucket_counts(
    session: Session, column, bounds: Sequence[Any], conditions: Sequence[ColumnElement[bool]]
) -> dict[int, int]:
    bucket = _bucket(column, bounds).label("bucket")
    rows = session.execute(
        select(bucket, func.count()).where(column >= bounds[0], column < bounds[-1], *conditions).group_by(bucket)
    )
    return {int(index): int(count) for index, count in rows}


def _loop_scope(channel_id: int | None) -> list[ColumnElement[bool]]:
    """With a channel: loop items answering at least one idea from that channel."""
    if channel_id is None:
        return []
    return [
        exists(
            select(1)
            .select_from(LoopItemIdea.__table__.join(Idea.__table__, Idea.id == LoopItemIdea.idea_id))  # type: ignore[attr-defined]
            .where(LoopItemIdea.loop_item_id == LoopItem.id, Idea.channel_id == channel_id)
        )
    ]


MAX_LISTED_IMPROVEMENTS = 12


def _improvements(session: Session, period: Period, channel_id: int | None, today: dt.date) -> Measured:
    if session.execute(select(LoopItem.id).limit(1)).first() is None:
        return Measured(None)
    months = period.months()
    bounds = [months[0].start] + [m.end + dt.timedelta(days=1) for m in months]
    counts = _bucket_counts(session, LoopItem.shipped_on, bounds, _loop_scope(channel_id))
    breakdown = tuple((m.start.strftime("%Y-%m"), float(counts.get(i, 0))) for i, m in enumerate(months))
    items = session.execute(
        select(LoopItem.id, LoopItem.what_changed, LoopItem.shipped_on)
        .where(LoopItem.shipped_on >= period.start, LoopItem.shipped_on <= period.end, *_loop_scope(channel_id))  # type: ignore[operator]
        .order_by(LoopItem.shipped_on.desc(), LoopItem.id.desc())  # type: ignore[attr-defined, union-attr]
        .limit(MAX_LISTED_IMPROVEMENTS)
    ).all()
    notes, measured = [], 0
    for item_id, what, shipped_on in items:
        effect = loop.impact(session, loop_item_id=item_id, today=today)
        measured += effect.measured
        summary = effect.summary if effect.kind != "none" else "effect not measured: nothing to measure set"
        notes.append(f"{shipped_on:%d %b %Y}: {what} — {summary}")
    total = sum(counts.values())
    detail = f"{measured} of the {len(items)} listed with a measured effect" if items else ""
    if total > len(items):
        detail += f" (the {len(items)} latest of {total} listed)"
    return Measured(float(total), detail=detail, breakdown=breakdown, notes=tuple(notes))


# --- trends -----------------------------------------------------------------------------------


class Grain(StrEnum):
    week = "week"
    month = "month"


TREND_KEYS: dict[Family, tuple[str, ...]] = {
    Family.speed: ("first_response_median", "sla_share", "closed_without_escalation"),
    Family.community: ("active_share", "ugc_per_week", "ugc_useful_share"),
    Family.content: ("next_step_share", "next_step_conversion", "content_utility"),
    Family.product: ("valid_proposals", "implemented_improvements"),
}


@dataclass(frozen=True)
class TrendSeries:
    key: str
    label: str
    unit: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    grain: Grain
    buckets: tuple[Period, ...]
    families: dict[Family, tuple[TrendSeries, ...]]

    def label(self, bucket: Period) -> str:
        return f"{bucket.start.day} {bucket.start:%b}" if self.grain == Grain.week else f"{bucket.start:%b %Y}"

    def rows(self, family: Family) -> list[dict[str, Any]]:
        """Long-form rows (bucket start, KPI, unit, value) for a chart; missing values left out."""
        return [
            {
                "bucket": bucket.start,
                "label": self.label(bucket),
                "kpi": series.label,
                "unit": series.unit,
                "value": value,
            }
            for series in self.families.get(family, ())
            for bucket, value in zip(self.buckets, series.values, strict=True)
            if value is not None
        ]


def trend_buckets(end: dt.date, grain: Grain | str, count: int) -> list[Period]:
    """``count`` weeks or months ending with the one containing ``end`` (the last clipped to ``end``), oldest first."""
    kind = PeriodKind.week if Grain(grain) == Grain.week else PeriodKind.month
    return list(reversed(recent_periods(kind, end, count)))


def grain_for(period: Period) -> Grain:
    """Weekly trends for periods up to about two months, monthly ones beyond."""
    return Grain.week if period.days <= 62 else Grain.month


def kpi_trends(
    session: Session, *, end: dt.date, grain: Grain | str, count: int = 12, channel_id: int | None, now: dt.datetime
) -> Trend:
    """The KPIs of each family per week or month, for ``count`` buckets ending at ``end``."""
    _check_now(now)
    grain = Grain(grain)
    tz = workspace.timezone(session)
    buckets = trend_buckets(end, grain, count)
    bounds = [buckets[0].utc_bounds(tz)[0]] + [b.utc_bounds(tz)[1] for b in buckets]
    lo, hi = bounds[0], bounds[-1]
    n = len(buckets)
    values: dict[str, list[float | None]] = {}

    bucket = _bucket(Conversation.received_at, bounds).label("bucket")
    conv = {
        int(row.bucket): conversation_kpis(_counts(row), weeks=buckets[int(row.bucket)].weeks)
        for row in session.execute(
            select(bucket, *_conversation_columns(now)).where(*_conversation_scope(lo, hi, channel_id)).group_by(bucket)
        )
    }
    medians = _bucket_medians(session, bounds, lo, hi, channel_id)
    values["first_response_median"] = [medians.get(i) for i in range(n)]
    for key in ("sla_share", "closed_without_escalation", "ugc_per_week", "ugc_useful_share"):
        values[key] = [conv[i][key] if i in conv else None for i in range(n)]

    people = _bucket_people(session, bounds, lo, hi, channel_id)
    rows = _audience_rows(session, Period(buckets[0].start, buckets[-1].end), channel_id)
    values["active_share"] = [
        _ratio(people.get(i, 0), sum(audience_for(rows, b).values()), 100) for i, b in enumerate(buckets)
    ]

    post_bucket = _bucket(Post.published_at, bounds).label("bucket")
    posts = {
        int(row.bucket): post_kpis(_counts(row))
        for row in session.execute(
            select(post_bucket, *_post_columns()).where(*_published_scope(lo, hi, channel_id)).group_by(post_bucket)
        )
    }
    for key in ("next_step_share", "next_step_conversion", "content_utility"):
        values[key] = [posts[i][key] if i in posts else None for i in range(n)]

    has_ideas = session.execute(select(Idea.id).limit(1)).first() is not None
    valid = _bucket_counts(session, Idea.valid_at, bounds, _idea_scope(channel_id)) if has_ideas else {}
    values["valid_proposals"] = [float(valid.get(i, 0)) if has_ideas else None for i in range(n)]
    has_loop = session.execute(select(LoopItem.id).limit(1)).first() is not None
    date_bounds = [buckets[0].start] + [b.end + dt.timedelta(days=1) for b in buckets]
    shipped = _bucket_counts(session, LoopItem.shipped_on, date_bounds, _loop_scope(channel_id)) if has_loop else {}
    values["implemented_improvements"] = [float(shipped.get(i, 0)) if has_loop else None for i in range(n)]

    families = {
        family: tuple(TrendSeries(key, KPI_BY_KEY[key].label, KPI_BY_KEY[key].unit, tuple(values[key])) for key in keys)
        for family, keys in TREND_KEYS.items()
    }
    return Trend(grain=grain, buckets=tuple(buckets), families=families)


def _bucket_medians(session: Session, bounds, lo, hi, channel_id) -> dict[int, float]:
    """Median business minutes per bucket: the mean of the one or two middle values (the same
    linear interpolation as the headline median), with window functions on both backends."""
    c = Conversation
    bucket = _bucket(c.received_at, bounds)
    minutes = c.business_minutes_to_reply
    ranked = (
        select(
            bucket.label("bucket"),
            minutes.label("minutes"),  # type: ignore[union-attr]
            func.row_number().over(partition_by=bucket, order_by=minutes).label("rank"),
            func.count().over(partition_by=bucket).label("n"),
        )
        .where(*_answered_scope(lo, hi, channel_id))
        .subquery()
    )
    middle = or_(ranked.c.rank == (ranked.c.n - 1) // 2 + 1, ranked.c.rank == ranked.c.n // 2 + 1)
    rows = session.execute(select(ranked.c.bucket, func.avg(ranked.c.minutes)).where(middle).group_by(ranked.c.bucket))
    return {int(index): float(value) for index, value in rows}


def _bucket_people(session: Session, bounds, lo, hi, channel_id) -> dict[int, int]:
    c, g = Conversation, IdeaGiver
    source, giver_conditions = _giver_scope(lo, hi, channel_id)
    both = union_all(
        select(_bucket(c.received_at, bounds).label("bucket"), c.author_handle.label("handle")).where(  # type: ignore[attr-defined]
            *_conversation_scope(lo, hi, channel_id)
        ),
        select(_bucket(g.given_at, bounds).label("bucket"), g.handle.label("handle"))  # type: ignore[attr-defined]
        .select_from(source)
        .where(*giver_conditions),
    ).subquery()
    rows = session.execute(select(both.c.bucket, func.count(func.distinct(both.c.handle))).group_by(both.c.bucket))
    return {int(index): int(count) for index, count in rows}


# --- presenting -------------------------------------------------------------------------------

NO_DATA = "no data yet"


def format_minutes(minutes: float) -> str:
    """Compact, for a card: 42 min · 3h 05m · 2d 04h."""
    if minutes < 59.5:
        return f"{minutes:.0f} min"
    if minutes < 24 * 60 - 30:
        hours, rest = divmod(round(minutes), 60)
        return f"{hours}h {rest:02d}m"
    days, rest = divmod(round(minutes / 60), 24)
    return f"{days}d {rest:02d}h"


def format_value(value: float | None, unit: str) -> str:
    """How a KPI value reads in the screen (the same text everywhere)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    if unit in (MINUTES, CALENDAR_MINUTES):
        return format_minutes(value)
    if unit == PERCENT:
        return f"{value:.1f} %"
    if unit in ("per week", "per post"):
        return f"{value:.1f}"
    return f"{value:,.0f}"


def format_change(kpi: KpiValue) -> str | None:
    """The change against the previous period, signed ("-" first for a fall), or None."""
    change = kpi.change
    if change is None:
        return None
    sign = "-" if change < 0 else "+"
    size = abs(change)
    if kpi.unit in (MINUTES, CALENDAR_MINUTES):
        return f"{sign}{format_minutes(size)}"
    if kpi.unit == PERCENT:
        return f"{sign}{size:.1f} pp"
    if kpi.unit in ("per week", "per post"):
        return f"{sign}{size:.1f}"
    return f"{sign}{size:,.0f}"


CSV_COLUMNS = ("key", "label", "family", "unit", "better", "value", "previous", "change", "detail")


def report(
    values: Sequence[KpiValue], *, period: Period, channel: str | None, generated_at: dt.datetime
) -> dict[str, Any]:
    """The KPIs as plain data for JSON: what a report or another tool consumes."""
    previous = period.previous()
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "previous_period": {"from": previous.start.isoformat(), "to": previous.end.isoformat()},
        "channel": channel,
        "generated_at": generated_at.isoformat(),
        "kpis": [v.as_dict() for v in values],
    }


def report_json(values: Sequence[KpiValue], *, period: Period, channel: str | None, generated_at: dt.datetime) -> str:
    return json.dumps(
        report(values, period=period, channel=channel, generated_at=generated_at), indent=2, ensure_ascii=False
    )


def report_csv(values: Sequence[KpiValue]) -> str:
    return exports.to_csv((v.as_dict() for v in values), CSV_COLUMNS)


def channel_id_by_name(session: Session, name: str) -> int:
    """The id of a channel given by name (case-insensitive), or a message listing the names."""
    channels = workspace.list_channels(session, include_inactive=True)
    for channel in channels:
        if channel.name.casefold() == name.strip().casefold():
            return channel.id
    known = ", ".join(c.name for c in channels) or "none yet"
    raise ValidationError(f"No channel named {name!r}. Channels: {known}.")
