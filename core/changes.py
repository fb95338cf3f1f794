"""Which domains a transaction changed, counted per domain in the database.

Every audited write marks its entity's domain on the session; when the session commits, each
marked domain's counter in ``data_version`` goes up by one in the same transaction. Cached reads
are keyed by these counters, so a save in any process makes every process read that domain afresh
and leaves the other domains' cached reads alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from db.models import DataVersion

# "exports" holds no data of its own: its counter goes up with each export's audit row, so the
# audit log reads afresh and no domain's cached reads are dropped because someone downloaded a file.
DOMAINS = (
    "workspace",
    "content_plan",
    "ideas",
    "sla",
    "loop",
    "kpis",
    "users",
    "exports",
    "live",
    "community",
)

# The domain of each audited entity (an audit row's ``entity``, usually the table name).
DOMAIN_OF_ENTITY: dict[str, str] = {
    "workspace": "workspace",
    "user": "workspace",
    "channel": "workspace",
    "sign_in": "users",  # sign-in attempts, sessions ended, locks lifted
    "user_session": "users",
    "sign_in_throttle": "users",
    "post": "content_plan",
    "rubric": "content_plan",
    "stop_word": "content_plan",
    "help_path": "content_plan",
    "post_sensitivity": "content_plan",
    "idea": "ideas",
    "idea_giver": "ideas",
    "idea_conversation": "ideas",
    "vote": "ideas",
    "conversation": "sla",
    "conversation_message": "sla",
    "sla_policy": "sla",
    "business_calendar": "sla",
    "escalation_team": "sla",
    "escalation_team_member": "sla",
    "quick_answer": "sla",
    "loop_item": "loop",
    "loop_item_idea": "loop",
    "loop_thanks": "loop",
    "audience_size": "kpis",
    "weekly_digest_note": "kpis",
    "community_settings": "community",
    "member_merge": "community",
    "member_role_grant": "community",
    "community_rules": "community",
    "flag_word": "community",
    "moderation_flag": "community",
    "moderation_action": "community",
    "on_call_shift": "community",
    "rollout_tick": "community",
    "member_onboarding": "community",
    "ugc_consent": "community",
    "ritual_format": "community",
    "ritual_draft": "community",
    "text_template": "workspace",
    "data_import": "workspace",  # an imported file; its rows mark their own domains
    "export": "exports",  # core.exports.record_export: who exported what, how many rows
    # Live operations: notifications, the inbox, choices, comments, the ingest API's keys.
    "notification": "live",
    "notification_delivery": "live",
    "notification_preference": "live",
    "comment": "live",
    "api_token": "live",
    "worker_lease": "live",  # never audited: the worker's own bookkeeping
}

_CHANGED = "dialogdesk_changed_domains"


def domain_of(entity: str) -> str:
    """The domain an entity belongs to (an unknown entity is a domain of its own)."""
    return DOMAIN_OF_ENTITY.get(entity, entity)


def mark_changed(session: Session, *, entity: str) -> None:
    """Note that this transaction changes ``entity``'s domain (counted when it commits)."""
    session.info.setdefault(_CHANGED, set()).add(domain_of(entity))


def mark_all_changed(session: Session, domains: Iterable[str] = DOMAINS) -> None:
    """For writes that touch every domain at once (the demo workspace)."""
    session.info.setdefault(_CHANGED, set()).update(domains)


def versions(session: Session) -> dict[str, int]:
    """Each domain's change counter (a domain never changed is absent, read as 0)."""
    return {row.domain: row.version for row in session.exec(select(DataVersion))}


@event.listens_for(OrmSession, "before_commit")
def _count_changes(session: OrmSession) -> None:
    changed = session.info.pop(_CHANGED, None)
    if not changed:
        return
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = DataVersion.__table__  # type: ignore[attr-defined]
    # A fixed order, so two transactions bumping the same domains never wait on each other in a circle.
    for domain in sorted(changed):
        statement = insert(table).values(domain=domain, version=1)
        session.execute(
            statement.on_conflict_do_update(index_elements=[table.c.domain], set_={"version": table.c.version + 1})
        )


@event.listens_for(OrmSession, "after_rollback")
def _forget_changes(session: OrmSession) -> None:
    session.info.pop(_CHANGED, None)
