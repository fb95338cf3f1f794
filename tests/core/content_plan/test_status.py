"""The status flow as a table: only the documented steps exist, and the forward path to publication."""

from __future__ import annotations

import pytest

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
