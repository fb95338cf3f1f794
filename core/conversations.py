"""Working conversations: assign, log the first reply, escalate, resolve, "no reply needed".

Every action is one versioned, audited update (``records.update_versioned``): a second person
acting on a conversation someone else changed meanwhile gets a ``ConflictError``. The first human
public reply stops the SLA clock: its business and calendar minutes are fixed on the row with the
calendar of the policy the conversation was stored under. Escalation teams (with their RACI
owner, paper §14) live here as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import quick_answers, records, sla
from core.errors import ValidationError
from core.permissions import Action, Actor, require
from db.models import (
    BusinessCalendarRow,
    Channel,
    Conversation,
    ConversationKind,
    ConversationStatus,
    EscalationTeam,
    SlaPolicy,
    User,
)
from db.types import utcnow

FUTURE_TOLERANCE = dt.timedelta(minutes=2)
MIN_REASON_LENGTH = 3


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"The {what} needs a date, a time and a time zone.")
    return value.astimezone(dt.UTC)


def _not_future(value: dt.datetime, what: str, now: dt.datetime) -> None:
    if value > now + FUTURE_TOLERANCE:
        raise ValidationError(f"The {what} {value:%Y-%m-%d %H:%M} UTC is in the future; check the date and time.")


def get_conversation(session: Session, *, conversation_id: int, now: dt.datetime | None = None) -> sla.ConversationRow:
    rows = sla.conversation_rows(session, ids=[conversation_id], now=now)
    if not rows:
        records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    return rows[0]


def _update(
    session: Session, *, actor: Actor, conversation_id: int, expected_version: int, changes: dict[str, Any], action: str
) -> sla.ConversationRow:
    records.update_versioned(
        session,
        Conversation,
        conversation_id,
        expected_version=expected_version,
        changes=changes,
        actor=actor,
        action=action,
    )
    return get_conversation(session, conversation_id=conversation_id)


def log_conversation(
    session: Session,
    *,
    actor: Actor,
    channel_id: int,
    author_handle: str,
    received_at: dt.datetime,
    kind: str = ConversationKind.question,
    text: str = "",
    link: str = "",
    category: str = "",
    external_id: str | None = None,
    now: dt.datetime | None = None,
) -> sla.ConversationRow:
    """Store a conversation typed in by hand; the policy that fits it fixes its SLA figures."""
    require(actor, Action.work_conversations)
    now = now or utcnow()
    received_at = _aware(received_at, "received time")
    _not_future(received_at, "received time", now)
    handle = (author_handle or "").strip()
    if not handle:
        raise ValidationError("Who wrote it? Enter the author's handle, e.g. @mila.")
    if len(handle) > 120:
        raise ValidationError("The author's handle is longer than 120 characters.")
    if kind not in {k.value for k in ConversationKind}:
        raise ValidationError(f"Unknown kind {kind!r}; use one of {', '.join(k.value for k in ConversationKind)}.")
    if session.get(Channel, channel_id) is None:
        raise ValidationError(f"Channel #{channel_id} does not exist; pick one from the list.")
    if link and not link.strip().lower().startswith(("https://", "http://")):
        raise ValidationError("The link must start with https:// (or http://).")
    if len(category.strip()) > 80:
        raise ValidationError("The category is longer than 80 characters.")
    if external_id is not None:
        external_id = external_id.strip() or None
        if (
            external_id
            and session.exec(
                select(Conversation.id).where(
                    Conversation.channel_id == channel_id, Conversation.external_id == external_id
                )
            ).first()
            is not None
        ):
            raise ValidationError(f"A conversation with the id {external_id!r} exists already in this channel.")
    conversation = Conversation(
        channel_id=channel_id,
        kind=kind,
        author_handle=handle,
        text=text.strip(),
        link=link.strip(),
        category=category.strip(),
        received_at=received_at,
        external_id=external_id,
    )
    sla.store_conversation_figures(session, conversation)
    records.create(session, conversation, actor=actor, action="conversation.create")
    return get_conversation(session, conversation_id=conversation.id, now=now)  # type: ignore[arg-type]


def assign_to_me(session: Session, *, actor: Actor, conversation_id: int, expected_version: int) -> sla.ConversationRow:
    require(actor, Action.work_conversations)
    if actor.id is None:
        raise ValidationError("Only a signed-in person can take a conversation.")
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={"assignee_id": actor.id},
        action="conversation.assign",
    )


def log_reply(
    session: Session,
    *,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    replied_at: dt.datetime | None = None,
    quick_answer_id: int | None = None,
    now: dt.datetime | None = None,
) -> sla.ConversationRow:
    """Log a human public reply. The first one stops the SLA clock (its minutes are fixed on the
    row); the quick answer used, if any, is recorded and counted."""
    require(actor, Action.work_conversations)
    now = now or utcnow()
    replied_at = now if replied_at is None else _aware(replied_at, "reply time")
    _not_future(replied_at, "reply time", now)
    conversation = records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    changes: dict[str, Any] = {}
    if conversation.first_reply_at is None:
        if replied_at < conversation.received_at:
            raise ValidationError(
                f"The reply time {replied_at:%Y-%m-%d %H:%M} UTC is before the message arrived "
                f"({conversation.received_at:%Y-%m-%d %H:%M} UTC); check the date and time."
            )
        policy = session.get(SlaPolicy, conversation.sla_policy_id) if conversation.sla_policy_id is not None else None
        calendar = None
        if policy is not None:
            row = session.get(BusinessCalendarRow, policy.calendar_id)
            calendar = None if row is None else sla.calendar_from_json(row.definition)
        business, calendar_minutes, before = sla.reply_figures(conversation.received_at, replied_at, calendar)
        changes.update(
            first_reply_at=replied_at,
            business_minutes_to_reply=business,
            calendar_minutes_to_reply=calendar_minutes,
            reply_before_message=before,
        )
    if conversation.status in (ConversationStatus.open, ConversationStatus.no_reply_needed):
        changes["status"] = ConversationStatus.waiting
    if conversation.assignee_id is None and actor.id is not None:
        changes["assignee_id"] = actor.id
    if quick_answer_id is not None:
        quick_answers.record_use(session, quick_answer_id)
        changes["quick_answer_id"] = quick_answer_id
    if not changes:
        raise ValidationError("The first reply was logged already; pick a quick answer to record another reply.")
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes=changes,
        action="conversation.reply",
    )


def escalate(
    session: Session,
    *,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    team_id: int,
    reason: str,
    now: dt.datetime | None = None,
) -> sla.ConversationRow:
    """Hand a conversation to a team (when and why are kept); the team's RACI owner owns it now."""
    require(actor, Action.work_conversations)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError("Say why it is escalated, so the team knows what to do.")
    team = session.get(EscalationTeam, team_id)
    if team is None:
        raise ValidationError(f"Escalation team #{team_id} does not exist; pick one from the list.")
    conversation = records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    if conversation.status == ConversationStatus.resolved:
        raise ValidationError("This conversation is resolved; there is nothing left to escalate.")
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={"escalation_team_id": team_id, "escalated_at": now or utcnow(), "escalation_reason": reason},
        action="conversation.escalate",
    )


def resolve(
    session: Session, *, actor: Actor, conversation_id: int, expected_version: int, now: dt.datetime | None = None
) -> sla.ConversationRow:
    require(actor, Action.work_conversations)
    conversation = records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    if conversation.status == ConversationStatus.resolved:
        raise ValidationError("This conversation is resolved already.")
    if conversation.first_reply_at is None and sla.needs_reply(conversation.kind, conversation.status):
        raise ValidationError(
            "This conversation has no reply yet: log the reply first, or mark it 'no reply needed' with a reason."
        )
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={"status": ConversationStatus.resolved, "resolved_at": now or utcnow()},
        action="conversation.resolve",
    )


def mark_no_reply_needed(
    session: Session, *, actor: Actor, conversation_id: int, expected_version: int, reason: str
) -> sla.ConversationRow:
    """Take a conversation out of "needs a reply"; the reason is required and audited."""
    require(actor, Action.work_conversations)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError("Give a reason why no reply is needed (e.g. 'spam', 'thanked with a reaction').")
    conversation = records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    if conversation.first_reply_at is not None:
        raise ValidationError("This conversation was answered already; resolve it instead.")
    if conversation.status == ConversationStatus.resolved:
        raise ValidationError("This conversation is resolved already.")
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={"status": ConversationStatus.no_reply_needed, "no_reply_reason": reason},
        action="conversation.no_reply_needed",
    )


def mark_ugc(
    session: Session,
    *,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    useful: bool | None = None,
    best: bool | None = None,
) -> sla.ConversationRow:
    """Mark user-generated content as useful, and any conversation as one of the best (for the digest)."""
    require(actor, Action.work_conversations)
    conversation = records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    changes: dict[str, Any] = {}
    if useful is not None:
        if conversation.kind != ConversationKind.ugc and useful:
            raise ValidationError("Only user-generated content (kind 'ugc') can be marked useful.")
        changes["useful"] = bool(useful)
    if best is not None:
        changes["best"] = bool(best)
    if not changes:
        raise ValidationError("Nothing to change: choose useful and/or best.")
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes=changes,
        action="conversation.mark",
    )


# -- escalation teams --------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    description: str
    owner_id: int | None
    owner: str | None  # the accountable owner (RACI)
    open_escalations: int
    version: int


def list_teams(session: Session) -> list[TeamView]:
    rows = session.exec(
        select(EscalationTeam, User.name, User.username)
        .join(User, col(User.id) == col(EscalationTeam.owner_id), isouter=True)
        .order_by(col(EscalationTeam.name))
    ).all()
    team_ids = [t.id for t, _, _ in rows]
    # Driven by the team column (its index holds the status too): open escalations per team.
    open_counts = (
        dict(
            session.exec(
                select(
                    Conversation.escalation_team_id,
                    func.count().filter(col(Conversation.status).in_([s.value for s in sla.OPEN_STATUSES])),
                )
                .where(col(Conversation.escalation_team_id).in_(team_ids))
                .group_by(Conversation.escalation_team_id)
            ).all()
        )
        if team_ids
        else {}
    )
    return [
        TeamView(
            id=t.id,
            name=t.name,
            description=t.description,
            owner_id=t.owner_id,  # type: ignore[arg-type]
            owner=(name or username) if t.owner_id else None,
            open_escalations=int(open_counts.get(t.id, 0)),
            version=t.version,
        )
        for t, name, username in rows
    ]


def _clean_team(
    session: Session, *, name: str, description: str, owner_id: int | None, except_id: int | None
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the team a name, e.g. 'Billing'.")
    if len(name) > 80:
        raise ValidationError("The team name is longer than 80 characters.")
    existing = session.exec(select(EscalationTeam.id).where(EscalationTeam.name == name)).first()
    if existing is not None and existing != except_id:
        raise ValidationError(f"A team named {name!r} exists already.")
    if owner_id is None:
        raise ValidationError("Pick the team's accountable owner (RACI): escalations need someone who owns them.")
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise ValidationError("The owner must be an active user; pick one from the list.")
    return {"name": name, "description": (description or "").strip(), "owner_id": owner_id}


def create_team(session: Session, *, actor: Actor, name: str, owner_id: int | None, description: str = "") -> TeamView:
    require(actor, Action.manage_sla_policies)
    fields = _clean_team(session, name=name, description=description, owner_id=owner_id, except_id=None)
    team = records.create(session, EscalationTeam(**fields), actor=actor, action="escalation_team.create")
    return next(t for t in list_teams(session) if t.id == team.id)


def update_team(
    session: Session,
    *,
    actor: Actor,
    team_id: int,
    expected_version: int,
    name: str,
    owner_id: int | None,
    description: str = "",
) -> TeamView:
    require(actor, Action.manage_sla_policies)
    fields = _clean_team(session, name=name, description=description, owner_id=owner_id, except_id=team_id)
    records.update_versioned(
        session,
        EscalationTeam,
        team_id,
        expected_version=expected_version,
        changes=fields,
        actor=actor,
        action="escalation_team.update",
    )
    return next(t for t in list_teams(session) if t.id == team_id)


def team_owner_choices(session: Session) -> list[tuple[int, str]]:
    """Active people who can own an escalation team."""
    return [
        (uid, name or username)  # type: ignore[misc]
        for uid, name, username in session.exec(
            select(User.id, User.name, User.username).where(col(User.active).is_(True)).order_by(col(User.username))
        )
    ]
