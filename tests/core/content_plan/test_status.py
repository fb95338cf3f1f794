"""The status flow as a table: only the documented steps exist, the forward path to publication,
and what the screen asks it (button labels, the fast track, who may edit in each status)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core import i18n
from core.content_plan import status

# --- status flow ---------------------------------------------------------------------------------

ALL = ("draft", "in_review", "approved", "scheduled", "published", "cancelled")
ALLOWED = {
    ("draft", "in_review"),
    ("draft", "cancelled"),
    ("in_review", "approved"),
    ("in_review", "draft"),
    ("in_review", "cancelled"),
    ("approved", "scheduled"),
    ("approved", "draft"),
    ("approved", "cancelled"),
    ("scheduled", "published"),
    ("scheduled", "approved"),
    ("scheduled", "cancelled"),
}


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_status_flow_allows_only_the_documented_steps(current, target):
    assert status.transition_allowed(current, target) == ((current, target) in ALLOWED)


@pytest.mark.parametrize(
    ("current", "target", "steps"),
    [
        ("draft", "scheduled", ["in_review", "approved", "scheduled"]),
        ("in_review", "approved", ["approved"]),
        ("approved", "published", ["scheduled", "published"]),
        ("scheduled", "draft", []),
        ("cancelled", "scheduled", []),
    ],
)
def test_forward_steps_walk_the_path_to_publication(current, target, steps):
    assert status.forward_steps(current, target) == steps


# --- what the screen asks the table --------------------------------------------------------------


@dataclass(frozen=True)
class _Post:
    status: str
    owner_id: int | None = None
    blocked_reason: str = ""


def test_an_owner_withdraws_what_a_lead_sends_back(team):
    assert status.button_label(team["owner"], "in_review", "draft") == "Withdraw from review"
    assert status.button_label(team["lead"], "in_review", "draft") == "Send back to draft"
    assert status.button_label(team["lead"], "scheduled", "approved") == "Take off the schedule"


@pytest.mark.parametrize(
    ("post", "who", "fast"),
    [
        (_Post("draft"), "lead", True),
        (_Post("in_review"), "admin", True),
        (_Post("approved"), "lead", False),
        (_Post("in_review", blocked_reason="Label missing."), "lead", False),
        (_Post("draft"), "editor", False),
    ],
)
def test_only_an_approver_fast_tracks_an_open_unblocked_post(team, post, who, fast):
    assert status.may_fast_track(team[who], post) is fast


@pytest.mark.parametrize(
    ("state", "owner_editable", "lead_editable"),
    [
        ("draft", True, True),
        ("in_review", True, True),
        ("approved", False, True),
        ("scheduled", False, True),
        ("published", False, False),
        ("cancelled", False, False),
    ],
)
def test_who_may_edit_a_post_in_each_status(team, state, owner_editable, lead_editable):
    post = _Post(state, owner_id=team["owner"].id)
    assert status.editable_by(team["owner"], post) is owner_editable
    assert status.editable_by(team["lead"], post) is lead_editable
    assert status.editable_by(team["editor"], post) is False  # someone else's post


# --- in German -------------------------------------------------------------------------------------


def test_labels_buttons_and_refusals_read_german_while_the_codes_stay_english(team):
    with i18n.using("de"):
        assert [i18n._(label) for label in status.STATUS_LABELS.values()] == [
            "Entwurf",
            "In Prüfung",
            "Freigegeben",
            "Geplant",
            "Veröffentlicht",
            "Abgesagt",
        ]
        assert status.button_label(team["owner"], "in_review", "draft") == "Aus der Prüfung zurückziehen"
        assert status.button_label(team["lead"], "scheduled", "published") == "Als veröffentlicht markieren"
        refused = status.refusal(team["editor"], owner_id=None, current="in_review", target="approved")
        assert refused == "Nur Leitung oder Admin können Beiträge freigeben (deine Rolle: editor)."
        impossible = status.refusal(team["lead"], owner_id=None, current="draft", target="published")
        assert impossible == "Ein Beitrag im Status „Entwurf“ kann nicht zu „Veröffentlicht“ werden."
        blocked = status.blocked_refusal("Werbekennzeichnung fehlt.", "approved", "scheduled")
        assert blocked == "Von Compliance gesperrt: Werbekennzeichnung fehlt. Die Sperre muss zuerst aufgehoben werden."
    assert list(status.STATUS_LABELS) == list(ALL)
    assert status.button_label(team["lead"], "scheduled", "published") == "Mark as published"
