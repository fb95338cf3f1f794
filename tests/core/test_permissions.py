"""The permission table of SPEC §Roles, role by action, written out independently here."""

import re

import pytest

from core.errors import PermissionDenied
from core.i18n import using
from core.permissions import Action, Actor, allowed, require, require_on, role_label
from db.models import Role

# Columns: admin lead editor community support analyst compliance viewer ("x" = may).
EXPECTED = """
view_calendar            x x x x x x x x
view_ideas               x x x x x x x x
view_sla                 x x x x x x x x
view_loop                x x x x x x x x
view_kpis                x x x x x x x x
view_admin               x x . . . . . .
view_community           x x x x x x x x
view_moderation          x x x x x x x x
draft_post               x x x . . . . .
edit_any_post            x x . . . . . .
approve_post             x x . . . . . .
block_post               x . . . . . x .
enter_post_metrics       x x . . . x . .
manage_content_rules     x x . . . . . .
review_sensitive         x . . . . . x .
manage_help_paths        x x . . . . x .
log_idea                 x x x x x x x .
vote_idea                x x x x x x x .
triage_idea              x x . . . . . .
import_ideas             x x . . . . . .
work_conversations       x . . x x . . .
import_conversations     x . . . x . . .
manage_quick_answers     x . . . x . . .
manage_sla_policies      x x . . . . . .
recompute_sla            x . . . . . . .
manage_loop              x x . . . . . .
thank_givers             x x . x . . . .
export_data              x x . . . x x .
manage_audience          x . . . . x . .
edit_digest              x x . x . . . .
manage_members           x x . x . . . .
moderate                 x x . x . . . .
manage_community_rules   x x . . . . . .
tick_rollout             x x . . . . . .
manage_users             x . . . . . . .
manage_channels          x . . . . . . .
view_audit_log           x x . . . x x .
use_inbox                x x x x x x x x
comment                  x x x x x x x .
manage_api_tokens        x . . . . . . .
"""
ROLES = [Role.admin, Role.lead, Role.editor, Role.community, Role.support, Role.analyst, Role.compliance, Role.viewer]
CASES = [
    (Action(line.split()[0]), role, mark == "x")
    for line in EXPECTED.strip().splitlines()
    for role, mark in zip(ROLES, line.split()[1:], strict=True)
]


def test_the_expected_table_covers_every_action():
    assert {action for action, _, _ in CASES} == set(Action)


@pytest.mark.parametrize(("action", "role", "may"), CASES, ids=[f"{r.value}-{a.value}" for a, r, _ in CASES])
def test_role_may_or_may_not_do_action(action, role, may):
    actor = Actor(id=1, username="someone", role=role)
    assert allowed(actor, action) is may
    if may:
        require(actor, action)
    else:
        # The role by its name ("community manager"), not its code.
        with pytest.raises(PermissionDenied, match=re.escape(f"Your role ({role_label(role)}) may not")):
            require(actor, action)


@pytest.mark.parametrize(
    ("role", "action", "german"),
    [
        (Role.viewer, Action.draft_post, "Deine Rolle (Lesezugriff) darf das nicht: Beiträge entwerfen."),
        (
            Role.community,
            Action.manage_users,
            "Deine Rolle (Community-Management) darf das nicht: Nutzer:innen verwalten.",
        ),
    ],
)
def test_a_refusal_reads_german_in_german_with_the_role_by_its_name(role, action, german):
    actor = Actor(id=1, username="someone", role=role)
    with using("de"), pytest.raises(PermissionDenied) as refused:
        require(actor, action)
    assert str(refused.value) == german
    with pytest.raises(PermissionDenied) as in_english:
        require(actor, action)
    assert str(in_english.value).startswith(f"Your role ({role_label(role)}) may not ")


def test_a_refusal_on_one_record_reads_german_in_german():
    actor = Actor(id=1, username="someone", role=Role.viewer)
    with using("de"), pytest.raises(PermissionDenied) as refused:
        require_on(actor, Action.work_conversations, grant=None, record="Gespräch #12")
    assert str(refused.value).startswith("Deine Rolle (Lesezugriff) darf das nicht: an Gesprächen arbeiten.")
    assert "Gespräch #12" in str(refused.value)
