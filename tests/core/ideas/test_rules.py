"""The idea board's pure rules: the status flow, quick wins, priority, handles and similar titles."""

from __future__ import annotations

import itertools

import pytest

from core import i18n
from core.errors import ValidationError
from core.ideas.rules import (
    FLOW_ORDER,
    SIMILARITY_THRESHOLD,
    TRANSITIONS,
    check_transition,
    is_quick_win,
    next_statuses,
    parse_handles,
    priority_score,
    status_label,
    title_from_text,
    title_similarity,
    title_stems,
)
from db.models import IdeaStatus

S = IdeaStatus

# --- pure rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.new, (S.valid, S.invalid)),
        (S.valid, (S.planned, S.declined)),
        (S.planned, (S.in_progress, S.declined)),
        (S.in_progress, (S.shipped, S.declined)),
        (S.invalid, (S.valid,)),
        (S.shipped, ()),
        (S.declined, ()),
    ],
)
def test_next_statuses_follow_the_flow(status, expected):
    assert next_statuses(status) == expected


ALL_PAIRS = [(a, b) for a, b in itertools.product(S, S) if a != b]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a.value}-{b.value}" for a, b in ALL_PAIRS])
def test_only_transitions_in_the_table_are_accepted(current, target):
    allowed = target in TRANSITIONS[current]
    if allowed:
        assert check_transition(current, target, reason="why") == "why"
    else:
        with pytest.raises(ValidationError, match="cannot become"):
            check_transition(current, target, reason="why")


@pytest.mark.parametrize("current", [S.valid, S.planned, S.in_progress])
def test_declining_needs_a_reason(current):
    with pytest.raises(ValidationError, match="Say why"):
        check_transition(current, S.declined, reason="   ")
    assert check_transition(current, S.declined, reason="  Too costly  ") == "Too costly"


@pytest.mark.parametrize(
    ("impact", "cost", "min_impact", "max_cost", "expected"),
    [
        (4, 2, 4, 2, True),  # exactly on both thresholds
        (5, 1, 4, 2, True),
        (3, 2, 4, 2, False),  # impact one below
        (4, 3, 4, 2, False),  # cost one above
        (5, 5, 4, 2, False),
        (1, 1, 4, 2, False),
        (None, 1, 4, 2, False),  # not scored yet
        (5, None, 4, 2, False),
        (5, 1, 5, 1, True),  # the lead's stricter rule
        (4, 1, 5, 1, False),
        (3, 3, 3, 3, True),  # a looser rule
    ],
)
def test_quick_win_classification_at_the_boundaries(impact, cost, min_impact, max_cost, expected):
    assert is_quick_win(impact, cost, min_impact, max_cost) is expected


@pytest.mark.parametrize(
    ("impact", "cost", "score"), [(5, 1, 25), (1, 5, 1), (4, 2, 16), (None, 2, None), (3, None, None)]
)
def test_priority_score_prefers_high_impact_and_low_cost(impact, cost, score):
    assert priority_score(impact, cost) == score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ann, @bo", ["@ann", "@bo"]),
        # Never split on spaces: "@cy  @dee" is one (odd) name; "Doc James" is one person.
        ("@ann;@bo\n@cy  @dee", ["@ann", "@bo", "@cy @dee"]),
        ("Doc James, Ann", ["Doc James", "Ann"]),
        ("@Ann, @ann, @ANN", ["@Ann"]),
        ("  ", []),
        (["@ann, @bo", "@bo"], ["@ann", "@bo"]),
    ],
)
def test_handles_are_split_trimmed_and_not_repeated(text, expected):
    assert [h.display for h in parse_handles(text)] == expected


def test_a_handle_longer_than_the_column_is_refused():
    with pytest.raises(ValidationError, match="longer than 120"):
        parse_handles("@" + "x" * 130)


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("Dark mode for the mobile app", "dark mode in the app", True),
        ("Dark mode for the mobile app", "Dark-mode please!", True),
        ("Export reports as Excel", "Excel export of reports", True),
        ("Mute notifications at night", "mute notification at night", True),
        ("Dark mode for the mobile app", "Pay by bank transfer", False),
        ("Family plan", "Cheaper plan for students", False),
    ],
)
def test_similar_titles_score_above_the_threshold_and_others_below(a, b, alike):
    assert (title_similarity(a, b) >= SIMILARITY_THRESHOLD) is alike


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (
            S.new,
            S.shipped,
            "Eine Idee mit dem Status „Neu“ kann nicht „Umgesetzt“ werden; möglich ist: „Gültig“, „Ungültig“.",
        ),
        (S.shipped, S.valid, "Der Status „Umgesetzt“ ist endgültig: Die Idee kann nicht mehr „Gültig“ werden."),
        (S.in_progress, S.in_progress, "Die Idee hat bereits den Status „In Arbeit“."),
    ],
)
def test_a_refused_transition_is_explained_in_german(current, target, message):
    with i18n.using("de"), pytest.raises(ValidationError) as refused:
        check_transition(current, target, reason="weil")
    assert str(refused.value) == message


def test_labels_and_the_fallback_title_follow_the_language():
    with i18n.using("de"):
        assert [status_label(s) for s in FLOW_ORDER] == [
            "Neu",
            "Gültig",
            "Geplant",
            "In Arbeit",
            "Umgesetzt",
            "Ungültig",
            "Abgelehnt",
        ]
        assert title_from_text("@Mila_K ") == "Idee aus einem Gespräch"
    assert status_label(S.in_progress) == "In progress" and title_from_text("") == "Idea from a conversation"


def test_german_filler_words_do_not_make_titles_alike():
    assert title_stems("Bitte einen Dunkelmodus für die App") == ["dunkel", "app"]
    assert title_similarity("Dunkelmodus für die App", "Bitte einen Dunkelmodus für die App") >= SIMILARITY_THRESHOLD
    assert title_stems("Könnt ihr mehr Umfragen zum Wochenende machen") == ["umfrag", "wochen"]
