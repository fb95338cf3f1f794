"""Pure rules of the community: which role a member's activity earns, what each role brings,
which flag words a text contains (the same word-boundary rules as stop words), where the on-call
rota leaves business hours uncovered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.content_plan.guards import StopWordRule, match_stop_words
from core.i18n import N_, _
from db.models import FlagCategory, FlagSeverity, MemberRole, ModerationKind

DERIVED_ROLES = (MemberRole.newcomer, MemberRole.active, MemberRole.activist)
GIVEN_ROLES = (MemberRole.expert, MemberRole.moderator)

ROLE_LABELS: dict[str, str] = {
    MemberRole.newcomer: N_("Newcomer"),
    MemberRole.active: N_("Active"),
    MemberRole.activist: N_("Activist"),
    MemberRole.expert: N_("Expert"),
    MemberRole.moderator: N_("Moderator"),
}
NO_ROLE = "member"
NO_ROLE_LABEL = N_("Member (no role yet)")

BENEFITS: dict[str, str] = {
    MemberRole.newcomer: N_("A personal welcome, the community rules linked, and their first question answered first."),
    MemberRole.active: N_("Early looks at what we plan, and their questions picked for the question of the week."),
    MemberRole.activist: N_("A say in the roadmap: invited to product calls, named in 'You asked, we did' posts."),
    MemberRole.expert: N_("An expert badge, answers pinned, and a direct line to the product team."),
    MemberRole.moderator: N_(
        "Moderation tools on the platforms, the moderators' chat, and a place on the on-call rota."
    ),
}

CATEGORY_LABELS: dict[str, str] = {
    FlagCategory.toxic: N_("Toxic"),
    FlagCategory.spam: N_("Spam"),
    FlagCategory.manipulation: N_("Manipulation"),
    FlagCategory.off_topic: N_("Off-topic"),
    FlagCategory.sensitive: N_("Sensitive"),
}
SEVERITY_LABELS: dict[str, str] = {
    FlagSeverity.low: N_("low"),
    FlagSeverity.medium: N_("medium"),
    FlagSeverity.high: N_("high"),
}
# A moderation action as recorded (the log, a member's history).
ACTION_LABELS: dict[str, str] = {
    ModerationKind.hidden: N_("Hidden"),
    ModerationKind.deleted: N_("Deleted on the platform"),
    ModerationKind.warned: N_("Warned"),
    ModerationKind.muted: N_("Member muted"),
    ModerationKind.slow_mode: N_("Thread in slow mode"),
}
SEVERITY_ORDER = {FlagSeverity.low: 0, FlagSeverity.medium: 1, FlagSeverity.high: 2}


# --- roles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleRules:
    """The lead's rules (``db.models.CommunitySettings``)."""

    active_min_contributions: int = 3
    active_window_days: int = 30
    activist_min_useful: int = 5
    activist_window_days: int = 30
    newcomer_days: int = 30


@dataclass(frozen=True)
class Activity:
    """What a member did, counted for the role rules: contributions (conversations, ideas) and
    useful ones (conversations marked useful or best, ideas found valid) inside each window."""

    first_seen: dt.datetime
    contributions: int  # in the active window
    useful: int  # in the activist window


def derived_role(activity: Activity, rules: RoleRules, now: dt.datetime) -> str:
    """activist (≥ N useful contributions in its window) before active (≥ M contributions in its
    window) before newcomer (first seen within the newcomer days); else no role."""
    if activity.useful >= rules.activist_min_useful:
        return MemberRole.activist
    if activity.contributions >= rules.active_min_contributions:
        return MemberRole.active
    if activity.first_seen >= now - dt.timedelta(days=rules.newcomer_days):
        return MemberRole.newcomer
    return NO_ROLE


def roles_of(derived: str, given: Iterable[str]) -> tuple[str, ...]:
    """Every role a member holds: the derived one (if any) and the ones given by hand."""
    held = [derived] if derived != NO_ROLE else []
    held.extend(role for role in GIVEN_ROLES if role in set(given))
    return tuple(held)


def check_rules(rules: RoleRules) -> list[str]:
    """What is wrong with a set of role rules (empty when they hold)."""
    problems = []
    for name, value in vars(rules).items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(_(RULE_PROBLEMS[name]))
    return problems


# What check_rules says about each role rule that is not a whole number of at least 1.
RULE_PROBLEMS: dict[str, str] = {
    "active_min_contributions": N_("Active min contributions must be a whole number of at least 1."),
    "active_window_days": N_("Active window days must be a whole number of at least 1."),
    "activist_min_useful": N_("Activist min useful must be a whole number of at least 1."),
    "activist_window_days": N_("Activist window days must be a whole number of at least 1."),
    "newcomer_days": N_("Newcomer days must be a whole number of at least 1."),
}


# --- flag words ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagWordRule:
    word: str
    category: str
    severity: str


@dataclass(frozen=True)
class FlagSuggestion:
    """A flag the word lists suggest: the strongest category and severity the text's words carry."""

    category: str
    severity: str
    words: tuple[str, ...]


def matching_flag_words(text: str, words: Iterable[FlagWordRule]) -> list[FlagWordRule]:
    """The flag words in ``text``, matched as stop words are (case-folded, word boundaries,
    umlauts and ß included)."""
    rules = list(words)
    hits = {hit.word for hit in match_stop_words({"text": text}, [StopWordRule(r.word, "warn") for r in rules])}
    return [rule for rule in rules if rule.word in hits]


def suggest_flag(text: str, words: Iterable[FlagWordRule]) -> FlagSuggestion | None:
    """The flag to suggest for ``text``, or None when no listed word occurs in it."""
    hits = matching_flag_words(text, words)
    if not hits:
        return None
    top = max(hits, key=lambda r: SEVERITY_ORDER.get(FlagSeverity(r.severity), 0))
    return FlagSuggestion(top.category, top.severity, tuple(sorted({h.word for h in hits})))


def parse_word_list(text: str) -> list[tuple[str, str, str]]:
    """A shipped word list: one ``word | category | severity`` a line; '#' starts a comment."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, category, severity = (part.strip() for part in line.split("|"))
        entries.append((word, FlagCategory(category).value, FlagSeverity(severity).value))
    return entries


# --- the on-call rota ----------------------------------------------------------------------------

Span = tuple[dt.datetime, dt.datetime]


def uncovered(needed: Sequence[Span], covered: Iterable[Span]) -> list[Span]:
    """The parts of ``needed`` (business hours) that no span of ``covered`` (shifts) covers."""
    shifts = sorted(covered)
    gaps: list[Span] = []
    for start, end in needed:
        cursor = start
        for s, e in shifts:
            if e <= cursor or s >= end:
                continue
            if s > cursor:
                gaps.append((cursor, s))
            cursor = max(cursor, e)
            if cursor >= end:
                break
        if cursor < end:
            gaps.append((cursor, end))
    return gaps
