"""SLA figures of conversations: deadline, time to first reply and status, in business time."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from core.business_time import BusinessCalendar
from db.models import Conversation, ConversationKind, ConversationStatus, SlaPolicy

NEEDS_REPLY_KINDS = frozenset({ConversationKind.question, ConversationKind.complaint})


def calendar_from_json(definition: str | dict[str, Any]) -> BusinessCalendar:
    data = json.loads(definition) if isinstance(definition, str) else definition
    return BusinessCalendar.from_dict(data)


def needs_reply(kind: str, status: str) -> bool:
    return kind in NEEDS_REPLY_KINDS and status != ConversationStatus.no_reply_needed


def apply_sla(conversation: Conversation, *, policy: SlaPolicy, calendar: BusinessCalendar) -> None:
    """Fix the SLA figures on a conversation (done when it is stored; a changed policy applies
    to new conversations until an admin recomputes old ones)."""
    received = conversation.received_at
    conversation.sla_policy_id = policy.id
    conversation.window_minutes = float(policy.first_response_minutes)
    conversation.deadline_at = calendar.deadline(received, dt.timedelta(minutes=policy.first_response_minutes))
    reply = conversation.first_reply_at
    conversation.reply_before_message = reply is not None and reply < received
    if reply is None or conversation.reply_before_message:
        conversation.business_minutes_to_reply = None
        conversation.calendar_minutes_to_reply = None
        return
    conversation.business_minutes_to_reply = calendar.elapsed(received, reply).total_seconds() / 60
    conversation.calendar_minutes_to_reply = (reply - received).total_seconds() / 60
