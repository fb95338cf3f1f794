"""Pure rules of the community: role derivation, flag word matching, rota gaps across a clock change."""

import datetime as dt

import pytest

from core.community import rules
from core.community.moderation import LANGUAGES, shipped_words
from core.sla.business_time import BusinessCalendar
from db.models import FlagCategory, FlagSeverity, MemberRole

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
RULES = rules.RoleRules(active_min_contributions=3, activist_min_useful=5, newcomer_days=30)


@pytest.mark.parametrize(
    ("first_seen_days_ago", "contributions", "useful", "expected"),
    [
        (400, 12, 5, MemberRole.activist),  # five useful contributions in the window: activist
        (400, 12, 4, MemberRole.active),  # one short of activist, plenty of contributions
        (400, 3, 0, MemberRole.active),  # exactly the active threshold
        (400, 2, 0, rules.NO_ROLE),  # old and quiet: no derived role
        (10, 2, 0, MemberRole.newcomer),  # new and not yet active
        (30, 0, 0, MemberRole.newcomer),  # first seen exactly 30 days ago still counts as new
        (31, 0, 0, rules.NO_ROLE),
        (5, 9, 6, MemberRole.activist),  # a newcomer who contributes a lot is an activist
    ],
)
def test_derived_role_follows_the_leads_rules(first_seen_days_ago, contributions, useful, expected):
    activity = rules.Activity(NOW - dt.timedelta(days=first_seen_days_ago), contributions, useful)
    assert rules.derived_role(activity, RULES, NOW) == expected


def test_stricter_rules_change_the_role():
    activity = rules.Activity(NOW - dt.timedelta(days=200), 4, 5)
    assert rules.derived_role(activity, RULES, NOW) == MemberRole.activist
    strict = rules.RoleRules(active_min_contributions=5, activist_min_useful=6)
    assert rules.derived_role(activity, strict, NOW) == rules.NO_ROLE


def test_roles_given_by_hand_come_on_top_of_the_derived_one():
    assert rules.roles_of(MemberRole.active, [MemberRole.moderator, MemberRole.expert]) == (
        MemberRole.active,
        MemberRole.expert,
        MemberRole.moderator,
    )
    assert rules.roles_of(rules.NO_ROLE, []) == ()


@pytest.mark.parametrize("field", ["active_min_contributions", "newcomer_days"])
@pytest.mark.parametrize("value", [0, -1])
def test_rules_below_one_are_refused(field, value):
    assert rules.check_rules(rules.RoleRules(**{field: value}))


WORDS = [
    rules.FlagWordRule("müll", FlagCategory.toxic, FlagSeverity.low),
    rules.FlagWordRule("scheißladen", FlagCategory.toxic, FlagSeverity.medium),
    rules.FlagWordRule("Straße", FlagCategory.off_topic, FlagSeverity.low),
    rules.FlagWordRule("idiot", FlagCategory.toxic, FlagSeverity.medium),
    rules.FlagWordRule("buy followers", FlagCategory.spam, FlagSeverity.high),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Was für ein MÜLL!", {"müll"}),
        ("Die Müllabfuhr kommt morgen", set()),  # no match inside a longer word
        ("Was fur ein Mull", set()),  # umlauts are letters of their own
        ("Was für ein Mu\u0308ll", {"müll"}),  # decomposed ü equals ü
        ("So ein SCHEISSLADEN hier", {"scheißladen"}),  # written in capitals, ß becomes SS: still the word
        ("So ein Scheißladen hier", {"scheißladen"}),
        ("Ich wohne in der STRASSE 4", {"Straße"}),  # ß on the list matches SS in the text (casefold)
        ("Die Straßenbahn", set()),
        ("You idiot.", {"idiot"}),
        ("idiotic idea", set()),
        ("Idiot!", {"idiot"}),
        ("Want to buy   followers? DM", {"buy followers"}),
        ("@idiot_fan wrote", set()),  # the underscore is a word character
    ],
)
def test_flag_words_match_on_word_boundaries_like_stop_words(text, expected):
    assert {w.word for w in rules.matching_flag_words(text, WORDS)} == expected


def test_the_suggestion_takes_the_most_severe_word():
    suggestion = rules.suggest_flag("Idiot, buy followers here", WORDS)
    assert suggestion == rules.FlagSuggestion(FlagCategory.spam, FlagSeverity.high, ("buy followers", "idiot"))
    assert rules.suggest_flag("Thanks, that helped!", WORDS) is None


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_shipped_lists_parse_and_cover_every_category(language):
    words = shipped_words(language)
    assert len(words) >= 20
    assert {category for _, category, _ in words} == set(FlagCategory) - {FlagCategory.off_topic}
    assert len({w.casefold() for w, _, _ in words}) == len(words)


def test_the_german_list_finds_a_german_insult_with_an_umlaut():
    words = [rules.FlagWordRule(*entry) for entry in shipped_words("de")]
    hit = rules.suggest_flag("Verpiss dich, du Vollpfosten. Hier gibt's Gratis Follower!", words)
    assert hit is not None and hit.category == FlagCategory.toxic and hit.severity == FlagSeverity.high
    assert set(hit.words) == {"verpiss dich", "vollpfosten", "gratis follower"}
    assert rules.suggest_flag("Die Essstörung-Hilfe hat geholfen", words).category == FlagCategory.sensitive


# --- the rota: gaps across a clock change ----------------------------------------------------------

BERLIN_WEEKEND = BusinessCalendar.from_dict(
    {"timezone": "Europe/Berlin", "weekly": {d: [["08:00", "20:00"]] for d in ("fri", "sat", "sun", "mon")}}
)


def _utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_business_hours_follow_the_local_clock_across_the_spring_change():
    # 2026-03-29: Berlin goes from CET (+1) to CEST (+2) at 02:00.
    hours = BERLIN_WEEKEND.open_intervals(_utc(2026, 3, 28), _utc(2026, 3, 31))
    assert hours == [
        (_utc(2026, 3, 28, 7), _utc(2026, 3, 28, 19)),  # Saturday, CET
        (_utc(2026, 3, 29, 6), _utc(2026, 3, 29, 18)),  # Sunday, CEST: an hour earlier in UTC
        (_utc(2026, 3, 30, 6), _utc(2026, 3, 30, 18)),
    ]


def test_a_shift_written_in_winter_time_leaves_a_gap_after_the_spring_change():
    # Someone planned "07:00–19:00 UTC" for Saturday and Sunday, which is 08:00–20:00 only in winter.
    shifts = [(_utc(2026, 3, 28, 7), _utc(2026, 3, 28, 19)), (_utc(2026, 3, 29, 7), _utc(2026, 3, 29, 19))]
    needed = BERLIN_WEEKEND.open_intervals(_utc(2026, 3, 28), _utc(2026, 3, 30))
    assert rules.uncovered(needed, shifts) == [(_utc(2026, 3, 29, 6), _utc(2026, 3, 29, 7))]


def test_autumn_change_the_local_evening_is_an_hour_later_in_utc():
    # 2026-10-25: CEST → CET. Sunday 08:00–20:00 local = 07:00–19:00 UTC.
    needed = BERLIN_WEEKEND.open_intervals(_utc(2026, 10, 24), _utc(2026, 10, 26))
    shifts = [(_utc(2026, 10, 24, 6), _utc(2026, 10, 24, 18)), (_utc(2026, 10, 25, 6), _utc(2026, 10, 25, 18))]
    assert rules.uncovered(needed, shifts) == [(_utc(2026, 10, 25, 18), _utc(2026, 10, 25, 19))]


def test_overlapping_and_touching_shifts_cover_without_gaps():
    needed = [(_utc(2026, 5, 1, 8), _utc(2026, 5, 1, 20))]
    shifts = [
        (_utc(2026, 5, 1, 7), _utc(2026, 5, 1, 12)),
        (_utc(2026, 5, 1, 10), _utc(2026, 5, 1, 15)),
        (_utc(2026, 5, 1, 15), _utc(2026, 5, 1, 21)),
    ]
    assert rules.uncovered(needed, shifts) == []
    assert rules.uncovered(needed, shifts[:2]) == [(_utc(2026, 5, 1, 15), _utc(2026, 5, 1, 20))]
    assert rules.uncovered(needed, []) == needed
