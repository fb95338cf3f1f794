"""The SLA rules of one conversation: who needs a reply, the figures fixed when it is stored or
first answered (deadline, window, business and calendar minutes), and its status at a moment.

Pure: plain values in, plain values out (``apply_sla`` sets the figures on an unsaved row).
Status at ``now``: met / breached / at risk / on track / not applicable. At risk means the
business time left (window − elapsed(received, now)) is at most max(share × window, minimum).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from core.i18n import N_, _
from core.sla.business_time import BusinessCalendar
from db.models import Conversation, ConversationKind, ConversationStatus

NEEDS_REPLY_KINDS = frozenset({ConversationKind.question, ConversationKind.complaint})
OPEN_STATUSES = (ConversationStatus.open, ConversationStatus.waiting)
DEFAULT_AT_RISK_SHARE = 0.25
DEFAULT_AT_RISK_MIN_MINUTES = 15


class SlaStatus(StrEnum):
    met = "met"
    breached = "breached"
    at_risk = "at_risk"
    on_track = "on_track"
    not_applicable = "not_applicable"


# Marked constants: shown through ``_`` (or ``sla_status_label``) in the reader's language.
STATUS_LABELS: dict[str, str] = {
    SlaStatus.met: N_("met"),
    SlaStatus.breached: N_("breached"),
    SlaStatus.at_risk: N_("at risk"),
    SlaStatus.on_track: N_("on track"),
    SlaStatus.not_applicable: N_("not applicable"),
}
CONVERSATION_STATUS_LABELS: dict[str, str] = {
    ConversationStatus.open: N_("open"),
    ConversationStatus.waiting: N_("waiting"),
    ConversationStatus.resolved: N_("resolved"),
    ConversationStatus.no_reply_needed: N_("no reply needed"),
    ConversationStatus.archived: N_("archived"),
}
KIND_LABELS: dict[str, str] = {
    ConversationKind.question: N_("question"),
    ConversationKind.complaint: N_("complaint"),
    ConversationKind.ugc: N_("UGC"),
    ConversationKind.praise: N_("praise"),
    ConversationKind.other: N_("other"),
}


def sla_status_label(status: str) -> str:
    """An SLA status (met, breached, …) in the reader's language."""
    label = STATUS_LABELS.get(status)
    return _(label) if label else status


def status_label(status: str) -> str:
    """A conversation's status (open, waiting, …) in the reader's language."""
    label = CONVERSATION_STATUS_LABELS.get(status)
    return _(label) if label else status.replace("_", " ")


def kind_label(kind: str) -> str:
    """A conversation's kind (question, complaint, …) in the reader's language."""
    label = KIND_LABELS.get(kind)
    return _(label) if label else kind


def needs_reply(kind: str, status: str, *, no_reply_reason: str = "", replied: bool = False) -> bool:
    """SPEC: kind question or complaint, and not marked "no reply needed".

    The mark outlives the status: a conversation marked and then resolved keeps its reason and
    has no reply, and stays out of the SLA (the same rule as ``core.kpis``).
    """
    if kind not in NEEDS_REPLY_KINDS or status == ConversationStatus.no_reply_needed:
        return False
    return replied or not no_reply_reason


# Not frozen (built once per imported row; see ParsedRow); nothing changes one after it is built.
@dataclass(slots=True)
class SlaFigures:
    """What is fixed on a conversation when it is stored or its first reply is logged."""

    sla_policy_id: int | None
    deadline_at: dt.datetime | None
    window_minutes: float | None
    business_minutes_to_reply: float | None
    calendar_minutes_to_reply: float | None
    reply_before_message: bool

    def as_columns(self) -> dict[str, Any]:
        return {
            "sla_policy_id": self.sla_policy_id,
            "deadline_at": self.deadline_at,
            "window_minutes": self.window_minutes,
            "business_minutes_to_reply": self.business_minutes_to_reply,
            "calendar_minutes_to_reply": self.calendar_minutes_to_reply,
            "reply_before_message": self.reply_before_message,
        }


def reply_figures(
    received_at: dt.datetime, first_reply_at: dt.datetime | None, calendar: BusinessCalendar | None
) -> tuple[float | None, float | None, bool]:
    """(business minutes, calendar minutes, reply before the message) of a first reply.

    A reply before the message is a data problem: flagged, and no times are computed for it.
    """
    if first_reply_at is None:
        return None, None, False
    if first_reply_at < received_at:
        return None, None, True
    calendar_minutes = (first_reply_at - received_at).total_seconds() / 60
    business = None if calendar is None else calendar.elapsed(received_at, first_reply_at).total_seconds() / 60
    return business, calendar_minutes, False


def sla_figures(
    *,
    received_at: dt.datetime,
    first_reply_at: dt.datetime | None,
    policy_id: int | None,
    first_response_minutes: float | None,
    calendar: BusinessCalendar | None,
) -> SlaFigures:
    """The SLA figures of one conversation under one policy (or none: not applicable)."""
    if calendar is None or first_response_minutes is None:
        __, calendar_minutes, before = reply_figures(received_at, first_reply_at, None)
        return SlaFigures(None, None, None, None, calendar_minutes, before)
    window = float(first_response_minutes)
    if first_reply_at is None or first_reply_at < received_at:
        deadline = calendar.deadline(received_at, dt.timedelta(minutes=window))
        __, calendar_minutes, before = reply_figures(received_at, first_reply_at, None)
        return SlaFigures(policy_id, deadline, window, None, calendar_minutes, before)
    deadline, elapsed = calendar.deadline_and_elapsed(received_at, dt.timedelta(minutes=window), first_reply_at)
    business = None if elapsed is None else elapsed.total_seconds() / 60
    calendar_minutes = (first_reply_at - received_at).total_seconds() / 60
    return SlaFigures(policy_id, deadline, window, business, calendar_minutes, False)


class _Target(Protocol):
    """A policy as ``apply_sla`` needs it: a stored row or a read model."""

    @property
    def id(self) -> int | None: ...

    @property
    def first_response_minutes(self) -> int: ...


def apply_sla(conversation: Conversation, *, policy: _Target | None, calendar: BusinessCalendar | None) -> None:
    """Fix the SLA figures on a conversation (done when it is stored; a changed policy applies
    to new conversations until an admin recomputes old ones)."""
    figures = sla_figures(
        received_at=conversation.received_at,
        first_reply_at=conversation.first_reply_at,
        policy_id=None if policy is None else policy.id,
        first_response_minutes=None if policy is None else policy.first_response_minutes,
        calendar=None if policy is None else calendar,
    )
    for name, value in figures.as_columns().items():
        setattr(conversation, name, value)


def at_risk_minutes(window_minutes: float, *, share: float, min_minutes: float) -> float:
    """The business time left at or below which an open item is at risk: max(share × window, min)."""
    return max(share * window_minutes, float(min_minutes))


def business_minutes_left(
    *, received_at: dt.datetime, window_minutes: float, now: dt.datetime, calendar: BusinessCalendar
) -> float:
    """window − elapsed(received, now), in business minutes; negative once overdue."""
    if now <= received_at:
        return float(window_minutes)
    return window_minutes - calendar.elapsed(received_at, now).total_seconds() / 60


def sla_status(
    *,
    needs_reply: bool,
    deadline_at: dt.datetime | None,
    first_reply_at: dt.datetime | None,
    reply_before_message: bool,
    now: dt.datetime,
    minutes_left: float | None = None,
    at_risk_threshold: float = DEFAULT_AT_RISK_MIN_MINUTES,
) -> SlaStatus:
    """Met / breached / at risk / on track / not applicable at ``now``.

    A reply at the deadline itself is met; with no reply the item is breached once now ≥ deadline.
    Replies before the message are data problems, flagged elsewhere and outside met/breached.
    """
    if not needs_reply or deadline_at is None or reply_before_message:
        return SlaStatus.not_applicable
    if first_reply_at is not None:
        return SlaStatus.met if first_reply_at <= deadline_at else SlaStatus.breached
    if now >= deadline_at:
        return SlaStatus.breached
    if minutes_left is not None and minutes_left <= at_risk_threshold:
        return SlaStatus.at_risk
    return SlaStatus.on_track
