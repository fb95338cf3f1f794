"""SLA policies as the core reads them: a business calendar plus a first-response target, optionally
scoped to one channel and/or one kind; the most specific active policy wins.

When a conversation is stored its figures are fixed with the policy that fits it
(``store_conversation_figures``); ``PolicyBook`` loads the policies once for many conversations
(an import, a queue page, the admin's recompute).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, col, select

from core.i18n import _
from core.records import stored_id
from core.sla.business_time import BusinessCalendar
from core.sla.calendars import calendar_from_json
from core.sla.figures import (
    DEFAULT_AT_RISK_MIN_MINUTES,
    DEFAULT_AT_RISK_SHARE,
    SlaFigures,
    apply_sla,
    at_risk_minutes,
    kind_label,
    sla_figures,
)
from db.models import BusinessCalendarRow, Channel, Conversation, SlaPolicy


@dataclass(frozen=True)
class PolicyView:
    id: int
    name: str
    calendar_id: int
    calendar_name: str
    calendar_definition: str  # JSON, as BusinessCalendar.to_dict gives it
    calendar_version: int
    first_response_minutes: int
    at_risk_share: float
    at_risk_min_minutes: int
    channel_id: int | None
    channel_name: str | None
    kind: str | None
    active: bool
    version: int

    @property
    def calendar(self) -> BusinessCalendar:
        return calendar_from_json(self.calendar_definition)

    @property
    def calendar_dict(self) -> dict[str, Any]:
        return json.loads(self.calendar_definition)

    @property
    def scope(self) -> str:
        parts = [
            _("channel {name}", name=self.channel_name) if self.channel_id is not None else "",
            _("kind {kind}", kind=kind_label(self.kind)) if self.kind else "",
        ]
        text = " · ".join(p for p in parts if p)
        return text or _("all conversations")


class _Scoped(Protocol):
    @property
    def id(self) -> Any: ...

    @property
    def channel_id(self) -> int | None: ...

    @property
    def kind(self) -> str | None: ...

    @property
    def active(self) -> bool: ...


ScopedT = TypeVar("ScopedT", bound=_Scoped)


def policy_specificity(channel_id: int | None, kind: str | None) -> int:
    """Channel and kind (3) > channel (2) > kind (1) > general (0)."""
    return (2 if channel_id is not None else 0) + (1 if kind else 0)


def choose_policy(policies: Iterable[ScopedT], *, channel_id: int, kind: str) -> ScopedT | None:
    """The active policy for a conversation: the most specific one whose scope matches."""
    matching = [
        p for p in policies if p.active and p.channel_id in (None, channel_id) and (not p.kind or p.kind == kind)
    ]
    if not matching:
        return None
    return min(matching, key=lambda p: (-policy_specificity(p.channel_id, p.kind), p.id))


def list_policies(session: Session) -> list[PolicyView]:
    """Every policy with its calendar, the active ones first."""
    statement = (
        select(SlaPolicy, BusinessCalendarRow, Channel.name)
        .join(BusinessCalendarRow, col(BusinessCalendarRow.id) == col(SlaPolicy.calendar_id))
        .join(Channel, col(Channel.id) == col(SlaPolicy.channel_id), isouter=True)
        .order_by(col(SlaPolicy.active).desc(), col(SlaPolicy.name))
    )
    return [
        PolicyView(
            id=stored_id(p.id),
            name=p.name,
            calendar_id=stored_id(c.id),
            calendar_name=c.name,
            calendar_definition=c.definition,
            calendar_version=c.version,
            first_response_minutes=p.first_response_minutes,
            at_risk_share=p.at_risk_share,
            at_risk_min_minutes=p.at_risk_min_minutes,
            channel_id=p.channel_id,
            channel_name=channel_name,
            kind=p.kind,
            active=p.active,
            version=p.version,
        )
        for p, c, channel_name in session.exec(statement)
    ]


def policy_view(session: Session, policy_id: int) -> PolicyView:
    """One policy as ``list_policies`` shows it."""
    return next(p for p in list_policies(session) if p.id == policy_id)


class PolicyBook:
    """The policies of a workspace, loaded once for many conversations (an import, a recompute)."""

    def __init__(self, policies: Sequence[PolicyView]):
        self.policies = list(policies)
        self.by_id = {p.id: p for p in self.policies}
        self._chosen: dict[tuple[int, str], PolicyView | None] = {}

    @classmethod
    def load(cls, session: Session) -> PolicyBook:
        return cls(list_policies(session))

    def for_conversation(self, *, channel_id: int, kind: str) -> PolicyView | None:
        key = (channel_id, kind)
        if key not in self._chosen:
            self._chosen[key] = choose_policy(self.policies, channel_id=channel_id, kind=kind)
        return self._chosen[key]

    def figures(
        self, *, channel_id: int, kind: str, received_at: dt.datetime, first_reply_at: dt.datetime | None
    ) -> SlaFigures:
        policy = self.for_conversation(channel_id=channel_id, kind=kind)
        return sla_figures(
            received_at=received_at,
            first_reply_at=first_reply_at,
            policy_id=None if policy is None else policy.id,
            first_response_minutes=None if policy is None else policy.first_response_minutes,
            calendar=None if policy is None else policy.calendar,
        )

    def calendar_of(self, policy_id: int | None) -> BusinessCalendar | None:
        policy = self.by_id.get(policy_id) if policy_id is not None else None
        return None if policy is None else policy.calendar

    def threshold(self, policy_id: int | None, window_minutes: float) -> float:
        policy = self.by_id.get(policy_id) if policy_id is not None else None
        share = DEFAULT_AT_RISK_SHARE if policy is None else policy.at_risk_share
        minimum = DEFAULT_AT_RISK_MIN_MINUTES if policy is None else policy.at_risk_min_minutes
        return at_risk_minutes(window_minutes, share=share, min_minutes=minimum)


def store_conversation_figures(session: Session, conversation: Conversation, *, book: PolicyBook | None = None) -> None:
    """Apply the policy that fits a conversation being stored (before it is inserted)."""
    book = book or PolicyBook.load(session)
    policy = book.for_conversation(channel_id=conversation.channel_id, kind=conversation.kind)
    apply_sla(conversation, policy=policy, calendar=None if policy is None else policy.calendar)
