"""Working conversations: log one by hand, assign, log the first reply, escalate, resolve,
"no reply needed", UGC marks.

Every action is one versioned, audited update (``records.update_versioned``): a second person
acting on a conversation someone else changed meanwhile gets a ``ConflictError``. The first human
public reply stops the SLA clock: its business and calendar minutes are fixed on the row with the
calendar of the policy the conversation was stored under.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select

from core import records
from core.errors import ValidationError
from core.permissions import Action, Actor, require
from core.sla.calendars import calendar_from_json
from core.sla.checks import check_kind, is_web_link
from core.sla.figures import needs_reply, reply_figures
from core.sla.policies import store_conversation_figures
from core.sla.queues import ConversationRow, conversation_rows
from core.sla.quick_answers import record_use
from core.text import check_input_text, check_plain_text
from db.models import (
    BusinessCalendarRow,
    Channel,
    Conversation,
    ConversationCreate,
    ConversationKind,
    ConversationStatus,
    EscalationTeam,
    SlaPolicy,
    max_length,
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


def get_conversation(session: Session, *, conversation_id: int, now: dt.datetime | None = None) -> ConversationRow:
    rows = conversation_rows(session, ids=[conversation_id], now=now)
    if not rows:
        records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    return rows[0]


def _update(
    session: Session, *, actor: Actor, conversation_id: int, expected_version: int, changes: dict[str, Any], action: str
) -> ConversationRow:
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
    *, session: Session, actor: Actor, conversation_in: ConversationCreate, now: dt.datetime | None = None
) -> ConversationRow:
    """Store a conversation typed in by hand; the policy that fits it fixes its SLA figures."""
    require(actor, Action.work_conversations)
    check_input_text(conversation_in, labels={"author_handle": "author's handle"})
    now = now or utcnow()
    received_at = _aware(conversation_in.received_at, "received time")
    _not_future(received_at, "received time", now)
    handle = (conversation_in.author_handle or "").strip()
    if not handle:
        raise ValidationError("Who wrote it? Enter the author's handle, e.g. @mila.")
    limit = max_length(Conversation, "author_handle")
    if len(handle) > limit:
        raise ValidationError(f"The author's handle is longer than {limit} characters.")
    kind = check_kind(conversation_in.kind)
    channel_id = conversation_in.channel_id
    if session.get(Channel, channel_id) is None:
        raise ValidationError(f"Channel #{channel_id} does not exist; pick one from the list.")
    link = conversation_in.link.strip()
    if link and not is_web_link(link):
        raise ValidationError("The link must start with https:// (or http://).")
    category = conversation_in.category.strip()
    limit = max_length(Conversation, "category")
    if len(category) > limit:
        raise ValidationError(f"The category is longer than {limit} characters.")
    external_id = (conversation_in.external_id or "").strip() or None
    if external_id is not None:
        taken = select(Conversation.id).where(
            Conversation.channel_id == channel_id, Conversation.external_id == external_id
        )
        if session.exec(taken).first() is not None:
            raise ValidationError(f"A conversation with the id {external_id!r} exists already in this channel.")
    conversation = Conversation(
        channel_id=channel_id,
        kind=kind,
        author_handle=handle,
        text=conversation_in.text.strip(),
        link=link,
        category=category,
        received_at=received_at,
        external_id=external_id,
    )
    store_conversation_figures(session, conversation)
    records.create(session, conversation, actor=actor, action="conversation.create")
    return get_conversation(session, conversation_id=records.stored_id(conversation.id), now=now)


def assign_to_me(*, session: Session, actor: Actor, conversation_id: int, expected_version: int) -> ConversationRow:
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
    *,
    session: Session,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    replied_at: dt.datetime | None = None,
    quick_answer_id: int | None = None,
    now: dt.datetime | None = None,
) -> ConversationRow:
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
            calendar = None if row is None else calendar_from_json(row.definition)
        business, calendar_minutes, before = reply_figures(conversation.received_at, replied_at, calendar)
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
        record_use(session=session, quick_answer_id=quick_answer_id)
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
    *,
    session: Session,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    team_id: int,
    reason: str,
    now: dt.datetime | None = None,
) -> ConversationRow:
    """Hand a conversation to a team (when and why are kept); the team's RACI owner owns it now."""
    require(actor, Action.work_conversations)
    reason = check_plain_text(reason or "", field="reason for the escalation").strip()
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
    *, session: Session, actor: Actor, conversation_id: int, expected_version: int, now: dt.datetime | None = None
) -> ConversationRow:
    require(actor, Action.work_conversations)
    conversation = records.get_or_404(session, Conversation, conversation_id, what="Conversation")
    if conversation.status == ConversationStatus.resolved:
        raise ValidationError("This conversation is resolved already.")
    if conversation.first_reply_at is None and needs_reply(conversation.kind, conversation.status):
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
    *, session: Session, actor: Actor, conversation_id: int, expected_version: int, reason: str
) -> ConversationRow:
    """Take a conversation out of "needs a reply"; the reason is required and audited."""
    require(actor, Action.work_conversations)
    reason = check_plain_text(reason or "", field="reason").strip()
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
    *,
    session: Session,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    useful: bool | None = None,
    best: bool | None = None,
) -> ConversationRow:
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
