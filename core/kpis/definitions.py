"""Every dialog KPI of SPEC §"KPI definitions" (paper §8), defined once: what it counts, its
unit, which direction is better, the family it belongs to and the screen where it is worked on.

How each is computed, and the choices the SPEC leaves open, are in ``core.kpis`` (the package
docstring) and the measure modules of each family.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.i18n import N_


class Better(StrEnum):
    """Which way a KPI improves."""

    higher = "higher"
    # The member shadows str.lower; its name and value are part of the reports and the screens.
    lower = "lower"  # type: ignore[assignment]


# How a definition's help names the better direction (translated where shown).
BETTER_LABELS = {Better.higher: N_("higher"), Better.lower: N_("lower")}


class Family(StrEnum):
    speed = "speed"
    community = "community"
    content = "content"
    product = "product"
    chain = "chain"
    moderation = "moderation"
    display = "display"


FAMILY_LABELS = {
    Family.speed: N_("Speed and quality of dialog"),
    Family.community: N_("Strength of the community"),
    Family.content: N_("Usefulness of content"),
    Family.product: N_("Product footprint"),
    Family.chain: N_("The chain: from post to change"),
    Family.moderation: N_("Moderation: trust in the space"),
    Family.display: N_("Display KPIs (reach)"),
}


@dataclass(frozen=True)
class KpiDefinition:
    """The wording (label, unit, definition, hint, short name) is English, marked for the
    catalogue: a screen shows it with ``_(…)``, the JSON report keeps it English."""

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


# Units: codes in the reports (English), names on the screen (translated where shown).
PERCENT = "%"
MINUTES = N_("business min")
CALENDAR_MINUTES = N_("calendar min")
DAYS = N_("days")
HOURS = N_("hours")
PER_WEEK = N_("per week")
PER_POST = N_("per post")

_CONVERSATIONS_HINT = N_("No conversations in this period yet: import them or log them on the SLA monitor.")

KPIS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "first_response_median",
        N_("First response (median)"),
        Family.speed,
        MINUTES,
        Better.lower,
        N_(
            "Median business minutes from the message to the first human reply, over conversations received "
            "in the period that need a reply and have a reply not stamped before the message. Needs a reply = a "
            "question or complaint not marked 'no reply needed'. Median by linear interpolation."
        ),
        "sla",
        N_("No answered questions or complaints in this period yet: replies recorded on the SLA monitor show here."),
        beside=("first_response_median_calendar", "replies_before_message"),
    ),
    KpiDefinition(
        "first_response_p90",
        N_("First response (p90)"),
        Family.speed,
        MINUTES,
        Better.lower,
        N_(
            "90th percentile of business minutes to the first reply (linear interpolation), over the same "
            "conversations as the median: nine in ten were answered at least this fast."
        ),
        "sla",
        N_("No answered questions or complaints in this period yet: replies recorded on the SLA monitor show here."),
        beside=("first_response_p90_calendar",),
    ),
    KpiDefinition(
        "first_response_median_calendar",
        N_("First response (median, calendar time)"),
        Family.speed,
        CALENDAR_MINUTES,
        Better.lower,
        N_(
            "Median calendar (wall-clock) minutes to the first reply, over the same conversations as the business median."
        ),
        "sla",
        N_("No answered questions or complaints in this period yet."),
        card=False,
        short=N_("calendar time"),
    ),
    KpiDefinition(
        "first_response_p90_calendar",
        N_("First response (p90, calendar time)"),
        Family.speed,
        CALENDAR_MINUTES,
        Better.lower,
        N_("90th percentile of calendar minutes to the first reply, over the same conversations as the business p90."),
        "sla",
        N_("No answered questions or complaints in this period yet."),
        card=False,
        short=N_("calendar time"),
    ),
    KpiDefinition(
        "sla_share",
        N_("Answered within SLA"),
        Family.speed,
        PERCENT,
        Better.higher,
        N_(
            "Met ÷ (met + breached) over conversations received in the period that need a reply. Met = first "
            "reply at or before the deadline; breached = first reply after it, or no reply and the deadline has "
            "passed. Open and not yet due: in neither. Replies stamped before the message are left out."
        ),
        "sla",
        N_("No question or complaint in this period has reached its deadline yet."),
    ),
    KpiDefinition(
        "closed_without_escalation",
        N_("Closed without escalation"),
        Family.speed,
        PERCENT,
        Better.higher,
        N_(
            "Resolved conversations received in the period that were never escalated ÷ resolved conversations "
            "received in the period."
        ),
        "sla",
        N_("No conversation received in this period is resolved yet: resolve them on the SLA monitor."),
    ),
    KpiDefinition(
        "replies_before_message",
        N_("Replies stamped before the message"),
        Family.speed,
        N_("conversations"),
        Better.lower,
        N_(
            "Conversations that need a reply whose first reply is stamped before the message: data problems, "
            "left out of response times and the SLA share. Fix their times on the SLA monitor."
        ),
        "sla",
        _CONVERSATIONS_HINT,
        card=False,
        short=N_("replies stamped before the message"),
    ),
    KpiDefinition(
        "escalations",
        N_("Escalations"),
        Family.speed,
        N_("escalations"),
        Better.lower,
        N_(
            "Conversations escalated to a team in the period (by the time they were escalated), with a line per "
            "team: how many, how many resolved and how fast, how many within the team's deadline."
        ),
        "sla",
        N_("No escalation teams yet: a lead adds them, with their RACI people, on the SLA monitor."),
    ),
    KpiDefinition(
        "escalation_resolve_hours",
        N_("Resolved after escalation (median)"),
        Family.speed,
        HOURS,
        Better.lower,
        N_(
            "Median wall-clock hours from the escalation to the resolution, over the period's escalations resolved so far."
        ),
        "sla",
        N_("No escalation of this period is resolved yet."),
    ),
    KpiDefinition(
        "escalation_within_deadline",
        N_("Escalations within the team's deadline"),
        Family.speed,
        PERCENT,
        Better.higher,
        N_(
            "Escalations resolved at or before their deadline (the team's business hours) ÷ those resolved "
            "plus those still open past it; open ones not yet due are in neither."
        ),
        "sla",
        N_("No escalation of this period has reached its deadline yet."),
    ),
    KpiDefinition(
        "active_share",
        N_("Active share"),
        Family.community,
        PERCENT,
        Better.higher,
        N_(
            "Distinct people (handles) who wrote a conversation or gave an idea in the period ÷ the audience size "
            "entered for the channel and period (summed over channels when not filtered)."
        ),
        "kpis",
        N_("Enter the audience size per channel for this period (analyst or admin, below on this page)."),
    ),
    KpiDefinition(
        "ugc_per_week",
        N_("UGC per week"),
        Family.community,
        N_("per week"),
        Better.higher,
        N_("User-generated content (UGC conversations) received in the period ÷ weeks in the period."),
        "sla",
        _CONVERSATIONS_HINT,
    ),
    KpiDefinition(
        "ugc_useful_share",
        N_("UGC marked useful"),
        Family.community,
        PERCENT,
        Better.higher,
        N_("UGC conversations of the period marked useful ÷ UGC conversations of the period."),
        "sla",
        N_("No UGC in this period yet: log UGC on the SLA monitor and mark the useful pieces."),
    ),
    KpiDefinition(
        "returns_d7",
        N_("Returns D7"),
        Family.community,
        PERCENT,
        Better.higher,
        N_(
            "Of the people whose first interaction ever (conversation or idea) falls in the period, the share "
            "with another interaction within 7 days after that first one."
        ),
        "sla",
        N_("Nobody interacted for the first time in this period."),
    ),
    KpiDefinition(
        "returns_d30",
        N_("Returns D30"),
        Family.community,
        PERCENT,
        Better.higher,
        N_(
            "Of the people whose first interaction ever (conversation or idea) falls in the period, the share "
            "with another interaction within 30 days after that first one."
        ),
        "sla",
        N_("Nobody interacted for the first time in this period."),
    ),
    KpiDefinition(
        "next_step_share",
        N_("Posts with a next step"),
        Family.content,
        PERCENT,
        Better.higher,
        N_(
            "Published posts of the period with a next step (poll, thread, form, event, guide link, comment "
            "prompt) ÷ published posts of the period."
        ),
        "calendar",
        N_("No post published in this period yet: plan and publish posts on the content calendar."),
    ),
    KpiDefinition(
        "next_step_conversion",
        N_("Next-step conversions"),
        Family.content,
        PERCENT,
        Better.higher,
        N_(
            "Sum of next-step conversions ÷ sum of impressions, over published posts of the period that have a "
            "next step and their metrics entered."
        ),
        "calendar",
        N_("No metrics entered for published posts with a next step: enter them on the content calendar."),
    ),
    KpiDefinition(
        "content_utility",
        N_("Saves + guide clicks per post"),
        Family.content,
        N_("per post"),
        Better.higher,
        N_(
            "(Saves + click-throughs to guides/FAQ) ÷ published posts of the period with their figures entered "
            "(impressions, saves or guide clicks; a post with nothing entered yet is left out, not counted as zero)."
        ),
        "calendar",
        N_("No metrics entered for posts published in this period: enter them on the content calendar."),
    ),
    KpiDefinition(
        "valid_proposals",
        N_("Valid proposals"),
        Family.product,
        N_("ideas"),
        Better.higher,
        N_(
            "Ideas that became valid in the period (by the date they were marked valid; merged duplicates not "
            "counted), shown per month."
        ),
        "ideas",
        N_("No ideas logged yet: log the community's proposals on the idea board."),
    ),
    KpiDefinition(
        "implemented_improvements",
        N_("Implemented improvements"),
        Family.product,
        N_("loop items"),
        Better.higher,
        N_(
            "'You asked, we did' loop items shipped in the period (by shipped date), shown per month with their "
            "measured effect where measured."
        ),
        "loop",
        N_("Nothing shipped from the community's ideas yet: close the loop on 'You asked, we did'."),
    ),
    KpiDefinition(
        "idea_to_shipped_days",
        N_("Idea → shipped (median)"),
        Family.chain,
        DAYS,
        Better.lower,
        N_(
            "Median days from logging an idea to shipping it, over the ideas shipped in the period (duplicates "
            "merged into another not counted)."
        ),
        "ideas",
        N_("No idea shipped in this period yet."),
    ),
    KpiDefinition(
        "shipped_to_announced_days",
        N_("Shipped → announced (median)"),
        Family.chain,
        DAYS,
        Better.lower,
        N_(
            "Median days from shipping an idea to publishing the 'You asked, we did' announcement of its loop "
            "item, over the ideas shipped in the period that are announced."
        ),
        "loop",
        N_("No idea shipped in this period is announced yet: open its loop on 'You asked, we did'."),
    ),
    KpiDefinition(
        "announced_within_14_days",
        N_("Announced within 14 days"),
        Family.chain,
        PERCENT,
        Better.higher,
        N_(
            "Ideas shipped in the period and announced within 14 days ÷ those plus the ones not announced "
            "within 14 days; ideas shipped less than 14 days ago and not announced yet are in neither."
        ),
        "loop",
        N_("No idea shipped in this period has had its 14 days yet."),
    ),
    KpiDefinition(
        "givers_thanked_share",
        N_("Givers thanked"),
        Family.chain,
        PERCENT,
        Better.higher,
        N_("Over the loop items shipped in the period: idea givers ticked as thanked ÷ idea givers."),
        "loop",
        N_("No loop item shipped in this period, or none of its ideas has a giver recorded."),
    ),
    KpiDefinition(
        "posts_answered_within_sla",
        N_("Posts whose dialog was answered within SLA"),
        Family.chain,
        PERCENT,
        Better.higher,
        N_(
            "Of the posts published in the period that got questions or complaints, the share where every one "
            "was answered within its SLA and none is still open; a post with a breached one counts against, a "
            "post whose questions are all still open and not due is in neither."
        ),
        "calendar",
        N_("No question or complaint on a post published in this period has reached its deadline yet."),
    ),
    KpiDefinition(
        "flagged_share",
        N_("Flagged share"),
        Family.moderation,
        PERCENT,
        Better.lower,
        N_(
            "Conversations of the period with a flag (toxic, spam, manipulation, off-topic, sensitive; dismissed "
            "flags left out) ÷ conversations received in the period."
        ),
        "moderation",
        _CONVERSATIONS_HINT,
    ),
    KpiDefinition(
        "time_to_moderate",
        N_("Time to moderate (median)"),
        Family.moderation,
        HOURS,
        Better.lower,
        N_(
            "Median hours from a flag to the first moderation action on its conversation (or its dismissal), over "
            "the flags raised in the period that were moderated."
        ),
        "moderation",
        N_("No flag of this period has been moderated yet."),
    ),
    KpiDefinition(
        "repeat_offenders",
        N_("Repeat offenders"),
        Family.moderation,
        N_("people"),
        Better.lower,
        N_(
            "Members (identities merged) hidden, deleted, warned or muted in the period who had been acted on "
            "before (in the period or earlier)."
        ),
        "moderation",
        N_("No moderation action in this period."),
    ),
    KpiDefinition(
        "slow_mode_share",
        N_("Threads in slow mode"),
        Family.moderation,
        PERCENT,
        Better.lower,
        N_("Conversations of the period whose thread was put in slow mode ÷ conversations received in the period."),
        "moderation",
        _CONVERSATIONS_HINT,
    ),
    KpiDefinition(
        "published_posts",
        N_("Published posts"),
        Family.display,
        N_("posts"),
        Better.higher,
        N_("Posts published in the period."),
        "calendar",
        N_("No post published yet: plan posts on the content calendar."),
    ),
    KpiDefinition(
        "impressions",
        N_("Impressions"),
        Family.display,
        N_("impressions"),
        Better.higher,
        N_("Sum of impressions of the posts published in the period (display KPI: reach, not dialog)."),
        "calendar",
        N_("No metrics entered for posts published in this period."),
    ),
    KpiDefinition(
        "reactions",
        N_("Reactions"),
        Family.display,
        N_("reactions"),
        Better.higher,
        N_("Sum of reactions to the posts published in the period (display KPI)."),
        "calendar",
        N_("No metrics entered for posts published in this period."),
    ),
)

KPI_BY_KEY: dict[str, KpiDefinition] = {k.key: k for k in KPIS}
