"""Checks that hold on every screen, for the roles they concern, on the demo workspace (the first
thing every user sees): no dead ends for a role, no internal references in the wording, no
missing value shown as "None"."""

from __future__ import annotations

import re

import pytest

from core import demo
from db.models import Role
from tests.pages.screens import screens, strings

ROLES = [role.value for role in Role]

# Wording that tells people what their role may not do: the screen offered them something it
# should not have (show only what the role can do).
DEAD_END = re.compile(r"\byour role\b|\bonly admins\b|\bis for (the )?leads?\b|\bfor leads, analysts\b", re.IGNORECASE)
# The strategy paper is the team's background reading, not the app's vocabulary.
INTERNAL_REFERENCE = re.compile(r"\bpaper\b|§", re.IGNORECASE)


@pytest.fixture
def demo_workspace(write) -> None:
    with write() as s:
        demo.load_demo(s, password_rounds=4)


@pytest.mark.parametrize("role", ROLES)
def test_no_screen_offers_a_role_what_it_cannot_do(demo_workspace, role):
    seen = 0
    for name, run in screens(role):
        at = run()
        assert not at.exception, (name, at.exception)
        said = [text for text in strings(at) if DEAD_END.search(text)]
        assert not said, f"{role} on {name}: {said}"
        seen += 1
    assert seen >= 10, "every role opens at least ten screens and tabs"


def _one_of_each_kind(at) -> list[tuple[str | None, str]]:
    """(key, label) of one button of each kind in the page (the day buttons of a month are one
    kind, the "Open" buttons of a list another)."""
    kinds: dict[str, tuple[str | None, str]] = {}
    for button in at.main.button:
        kinds.setdefault(re.sub(r"\d+", "#", button.key or button.label), (button.key, button.label))
    return list(kinds.values())


def _button(at, key: str | None, label: str):
    return next(b for b in at.main.button if (b.key == key if key else b.label == label))


def test_every_button_a_viewer_sees_leads_somewhere(demo_workspace):
    clicked = 0
    for name, run in screens("viewer"):
        if name == "profile":
            continue  # the viewer's own password and sessions: theirs to change
        first = run()
        greyed = [b.label for b in first.main.button if b.disabled]
        assert not greyed, f"{name}: buttons the viewer can never use: {greyed}"
        for key, label in _one_of_each_kind(first):
            at = _button(run(), key, label).click().run()
            assert not at.exception, (name, label, at.exception)
            assert not at.error, (name, label, [e.value for e in at.error])
            said = [text for text in strings(at) if DEAD_END.search(text)]
            assert not said, f"viewer on {name}, after {label!r}: {said}"
            clicked += 1
    assert clicked >= 8


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_no_screen_names_the_strategy_paper(demo_workspace, role):
    for name, run in screens(role):
        at = run()
        leaked = [text for text in strings(at) if INTERNAL_REFERENCE.search(text)]
        assert not leaked, f"{role} on {name}: {leaked}"


@pytest.mark.parametrize("role", ["lead", "viewer"])
def test_no_table_shows_a_missing_value_as_none(demo_workspace, role):
    tables = 0
    for name, run in screens(role):
        at = run()
        for table in at.dataframe:
            tables += 1
            frame, dash = table.value, table.proto.HasField("placeholder")
            shows_none = frame.isna().any().any() or (frame.astype(str) == "None").any().any()
            assert dash or not shows_none, f"{role} on {name}: a table shows None ({', '.join(frame.columns)})"
    assert tables >= 5
