"""Roles, actions and the one permission table of SPEC §Roles.

Every write in the core calls ``require(actor, Action.…)`` first, so a rule holds whether it is
reached from a page, the CLI or a test; pages use ``allowed`` only to decide what to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import PermissionDenied
from core.i18n import N_, _
from db.models import Role


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, or the command line (``id`` None)."""

    id: int | None
    username: str
    role: Role
    name: str = ""
    language: str | None = None  # the user's own choice; None: the workspace's

    @property
    def label(self) -> str:
        return self.name or self.username


CLI_ACTOR = Actor(id=None, username="cli", role=Role.admin, name="Command line")  # i18n: not text


class Action(StrEnum):
    # screens
    view_calendar = "view_calendar"
    view_ideas = "view_ideas"
    view_sla = "view_sla"
    view_loop = "view_loop"
    view_kpis = "view_kpis"
    view_admin = "view_admin"
    view_community = "view_community"
    view_moderation = "view_moderation"
    # content calendar
    draft_post = "draft_post"
    edit_any_post = "edit_any_post"
    approve_post = "approve_post"
    block_post = "block_post"
    enter_post_metrics = "enter_post_metrics"
    manage_content_rules = "manage_content_rules"
    review_sensitive = "review_sensitive"
    manage_help_paths = "manage_help_paths"
    # idea board
    log_idea = "log_idea"
    vote_idea = "vote_idea"
    triage_idea = "triage_idea"
    import_ideas = "import_ideas"
    # SLA monitor
    work_conversations = "work_conversations"
    import_conversations = "import_conversations"
    manage_quick_answers = "manage_quick_answers"
    manage_sla_policies = "manage_sla_policies"
    recompute_sla = "recompute_sla"
    # "You asked, we did"
    manage_loop = "manage_loop"
    thank_givers = "thank_givers"
    # KPIs and rituals
    export_data = "export_data"
    manage_audience = "manage_audience"
    edit_digest = "edit_digest"
    # community and moderation
    manage_members = "manage_members"
    moderate = "moderate"
    manage_community_rules = "manage_community_rules"
    tick_rollout = "tick_rollout"
    # workspace
    manage_users = "manage_users"
    manage_channels = "manage_channels"
    view_audit_log = "view_audit_log"
    # live operations
    use_inbox = "use_inbox"  # one's own inbox and notification choices
    comment = "comment"  # internal notes with @mentions on posts, ideas and conversations
    manage_api_tokens = "manage_api_tokens"  # the ingest endpoint's keys


A = Action
_SCREENS = {
    A.view_calendar,
    A.view_ideas,
    A.view_sla,
    A.view_loop,
    A.view_kpis,
    A.view_community,
    A.view_moderation,
    A.use_inbox,
}
_TEAM = {A.log_idea, A.vote_idea, A.comment}  # every signed-in role except viewer

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.admin: frozenset(Action),
    Role.lead: frozenset(
        _SCREENS
        | _TEAM
        | {
            A.view_admin,
            A.draft_post,
            A.edit_any_post,
            A.approve_post,
            A.enter_post_metrics,
            A.manage_content_rules,
            A.manage_help_paths,
            A.triage_idea,
            A.import_ideas,
            A.manage_sla_policies,
            A.manage_loop,
            A.thank_givers,
            A.export_data,
            A.edit_digest,
            A.view_audit_log,
            A.manage_members,
            A.moderate,
            A.manage_community_rules,
            A.tick_rollout,
        }
    ),
    Role.editor: frozenset(_SCREENS | _TEAM | {A.draft_post}),
    Role.community: frozenset(
        _SCREENS | _TEAM | {A.work_conversations, A.thank_givers, A.edit_digest, A.manage_members, A.moderate}
    ),
    Role.support: frozenset(_SCREENS | _TEAM | {A.work_conversations, A.import_conversations, A.manage_quick_answers}),
    Role.analyst: frozenset(
        _SCREENS | _TEAM | {A.enter_post_metrics, A.export_data, A.manage_audience, A.view_audit_log}
    ),
    Role.compliance: frozenset(
        _SCREENS | _TEAM | {A.block_post, A.review_sensitive, A.manage_help_paths, A.export_data, A.view_audit_log}
    ),
    Role.viewer: frozenset(_SCREENS),
}

_DESCRIPTIONS: dict[Action, str] = {
    A.view_admin: N_("open the admin screen"),
    A.draft_post: N_("draft posts"),
    A.edit_any_post: N_("edit other people's posts"),
    A.approve_post: N_("approve, schedule or publish posts"),
    A.block_post: N_("block posts"),
    A.enter_post_metrics: N_("enter post metrics"),
    A.manage_content_rules: N_("change rubrics, stop words and limits"),
    A.review_sensitive: N_("give the compliance review of sensitive-topic posts"),
    A.manage_help_paths: N_("change the help-path library"),
    A.log_idea: N_("log ideas"),
    A.vote_idea: N_("vote on ideas"),
    A.triage_idea: N_("change an idea's status, scores, merges or the hot plan"),
    A.import_ideas: N_("import ideas"),
    A.work_conversations: N_("work on conversations"),
    A.import_conversations: N_("import conversations"),
    A.manage_quick_answers: N_("change the quick-answer library"),
    A.manage_sla_policies: N_("change SLA policies and calendars"),
    A.recompute_sla: N_("recompute SLA figures of stored conversations"),
    A.manage_loop: N_("manage 'You asked, we did' loop items"),
    A.thank_givers: N_("mark idea givers as thanked"),
    A.export_data: N_("export data"),
    A.manage_audience: N_("enter audience sizes"),
    A.edit_digest: N_("edit the weekly digest"),
    A.manage_members: N_("merge members' identities or give them roles"),
    A.moderate: N_("moderate conversations"),
    A.manage_community_rules: N_("change the community rules, role rules, flag words or the on-call rota"),
    A.tick_rollout: N_("tick steps of the 60-day rollout"),
    A.manage_users: N_("manage users"),
    A.manage_channels: N_("manage channels"),
    A.view_audit_log: N_("read the audit log"),
    A.use_inbox: N_("use an inbox"),
    A.comment: N_("write comments"),
    A.manage_api_tokens: N_("create or revoke API tokens"),
}


def allowed(actor: Actor | Role, action: Action) -> bool:
    role = actor.role if isinstance(actor, Actor) else actor
    return action in PERMISSIONS.get(Role(role), frozenset())


def require(actor: Actor, action: Action) -> None:
    """Raise ``PermissionDenied`` unless the actor's role may do ``action``."""
    if not allowed(actor, action):
        raise PermissionDenied(
            _("Your role ({role}) may not {what}.", role=role_label(actor.role), what=describe(action))
        )


def describe(action: Action) -> str:
    """What ``action`` lets a role do, in the reader's language ("draft posts")."""
    description = _DESCRIPTIONS.get(action)
    return _(description) if description else action.value.replace("_", " ")


def require_on(actor: Actor, action: Action, *, grant: str | None, record: str) -> str | None:
    """``require`` for one record: a person whose role may not do ``action`` may still do it on
    ``record`` when ``grant`` says why (e.g. "responsible for Billing escalations": a right scoped
    to that record, worked out by the domain that owns it). Returns the grant used — the caller
    audits it — or None when the role allows the action anyway."""
    if allowed(actor, action):
        return None
    if grant:
        return grant
    raise PermissionDenied(
        _(
            "Your role ({role}) may not {what}; you may act on {record} only when it is escalated to a team "
            "you are responsible or accountable for.",
            role=role_label(actor.role),
            what=describe(action),
            record=record,
        )
    )


ROLE_LABELS: dict[Role, str] = {
    Role.admin: N_("admin"),
    Role.lead: N_("lead"),
    Role.editor: N_("editor"),
    Role.community: N_("community manager"),
    Role.support: N_("support"),
    Role.analyst: N_("analyst"),
    Role.compliance: N_("compliance"),
    Role.viewer: N_("viewer"),
}


def role_label(role: str) -> str:
    """A role's name in the reader's language (the code's value when it is not a role)."""
    label = ROLE_LABELS.get(Role(role)) if role in Role.__members__ else None
    return _(label) if label else role
