"""Every dialog KPI of SPEC §"KPI definitions" (paper §8), defined once: what it counts, its
unit, which direction is better, the family it belongs to and the screen where it is worked on.

How each is computed, and the choices the SPEC leaves open, are in ``core.kpis`` (the package
docstring) and the measure modules of each family.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Better(StrEnum):
    """Which way a KPI improves."""

    higher = "higher"
    # The member shadows str.lower; its name and value are part of the reports and the screens.
    lower = "lower"  # type: ignore[assignment]


class Family(StrEnum):
    speed = "speed"
    community = "community"
    content = "content"
    product = "product"
    chain = "chain"
    moderation = "moderation"
    display = "display"


FAMILY_LABELS = {
    Family.speed: "Speed and quality of dialog",
    Family.community: "Strength of the community",
    Family.content: "Usefulness of content",
    Family.product: "Product footprint",
    Family.chain: "The chain: from post to change",
    Family.moderation: "Moderation: trust in the space",
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
DAYS = "days"
HOURS = "hours"

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
        "escalations",
        "Escalations",
        Family.speed,
        "escalations",
        Better.lower,
        "Conversations escalated to a team in the period (by the time they were escalated), with a line per "
        "team: how many, how many resolved and how fast, how many within the team's deadline.",
        "sla",
        "No escalation teams yet: a lead adds them, with their RACI people, on the SLA monitor.",
    ),
    KpiDefinition(
        "escalation_resolve_hours",
        "Resolved after escalation (median)",
        Family.speed,
        HOURS,
        Better.lower,
        "Median wall-clock hours from the escalation to the resolution, over the period's escalations resolved so far.",
        "sla",
        "No escalation of this period is resolved yet.",
    ),
    KpiDefinition(
        "escalation_within_deadline",
        "Escalations within the team's deadline",
        Family.speed,
        PERCENT,
        Better.higher,
        "Escalations resolved at or before their deadline (the team's business hours) ÷ those resolved "
        "plus those still open past it; open ones not yet due are in neither.",
        "sla",
        "No escalation of this period has reached its deadline yet.",
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
        "idea_to_shipped_days",
        "Idea → shipped (median)",
        Family.chain,
        DAYS,
        Better.lower,
        "Median days from logging an idea to shipping it, over the ideas shipped in the period (duplicates "
        "merged into another not counted).",
        "ideas",
        "No idea shipped in this period yet.",
    ),
    KpiDefinition(
        "shipped_to_announced_days",
        "Shipped → announced (median)",
        Family.chain,
        DAYS,
        Better.lower,
        "Median days from shipping an idea to publishing the 'You asked, we did' announcement of its loop "
        "item, over the ideas shipped in the period that are announced.",
        "loop",
        "No idea shipped in this period is announced yet: open its loop on 'You asked, we did'.",
    ),
    KpiDefinition(
        "announced_within_14_days",
        "Announced within 14 days",
        Family.chain,
        PERCENT,
        Better.higher,
        "Ideas shipped in the period and announced within 14 days ÷ those plus the ones not announced "
        "within 14 days; ideas shipped less than 14 days ago and not announced yet are in neither.",
        "loop",
        "No idea shipped in this period has had its 14 days yet.",
    ),
    KpiDefinition(
        "givers_thanked_share",
        "Givers thanked",
        Family.chain,
        PERCENT,
        Better.higher,
        "Over the loop items shipped in the period: idea givers ticked as thanked ÷ idea givers.",
        "loop",
        "No loop item shipped in this period, or none of its ideas has a giver recorded.",
    ),
    KpiDefinition(
        "posts_answered_within_sla",
        "Posts whose dialog was answered within SLA",
        Family.chain,
        PERCENT,
        Better.higher,
        "Of the posts published in the period that got questions or complaints, the share where every one "
        "was answered within its SLA and none is still open; a post with a breached one counts against, a "
        "post whose questions are all still open and not due is in neither.",
        "calendar",
        "No question or complaint on a post published in this period has reached its deadline yet.",
    ),
    KpiDefinition(
        "flagged_share",
        "Flagged share",
        Family.moderation,
        PERCENT,
        Better.lower,
        "Conversations of the period with a flag (toxic, spam, manipulation, off-topic, sensitive; dismissed "
        "flags left out) ÷ conversations received in the period.",
        "moderation",
        _CONVERSATIONS_HINT,
    ),
    KpiDefinition(
        "time_to_moderate",
        "Time to moderate (median)",
        Family.moderation,
        HOURS,
        Better.lower,
        "Median hours from a flag to the first moderation action on its conversation (or its dismissal), over "
        "the flags raised in the period that were moderated.",
        "moderation",
        "No flag of this period has been moderated yet.",
    ),
    KpiDefinition(
        "repeat_offenders",
        "Repeat offenders",
        Family.moderation,
        "people",
        Better.lower,
        "Members (identities merged) hidden, deleted, warned or muted in the period who had been acted on "
        "before (in the period or earlier).",
        "moderation",
        "No moderation action in this period.",
    ),
    KpiDefinition(
        "slow_mode_share",
        "Threads in slow mode",
        Family.moderation,
        PERCENT,
        Better.lower,
        "Conversations of the period whose thread was put in slow mode ÷ conversations received in the period.",
        "moderation",
        _CONVERSATIONS_HINT,
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
