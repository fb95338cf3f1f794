"""SLA of conversations: policies, the figures fixed per conversation, status, queues and KPIs.

A policy is a business calendar plus a first-response target, optionally scoped to one channel
and/or one kind; the most specific active policy wins. When a conversation is stored (or its
first reply is logged) its figures — deadline, window, business and calendar minutes to the first
reply, "reply before the message" — are fixed on the row, so a changed policy applies to new
conversations only; recomputing old ones is the explicit, audited admin action ``recompute_sla``.

Status at ``now``: met / breached / at risk / on track / not applicable. At risk means the
business time left (window − elapsed(received, now)) is at most max(share × window, minimum).
Queues classify breached vs not in SQL (``deadline_at <= now``) and at risk vs on track in SQL
too, by turning each policy's threshold into a cut-off instant with the engine
(remaining ≤ T ⇔ deadline ≤ calendar.deadline(now, T)); business time left is computed with the
engine for the rows shown only. The SLA KPIs (response times, SLA share, closed without
escalation) are defined once, in ``core.kpis``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, case, false, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from core import audit, records
from core.business_time import WEEKDAYS, BusinessCalendar
from core.errors import ValidationError
from core.permissions import Action, Actor, require
from db.models import (
    BusinessCalendarRow,
    Channel,
    Conversation,
    ConversationKind,
    ConversationStatus,
    EscalationTeam,
    QuickAnswer,
    SlaPolicy,
    User,
)
from db.types import utcnow

NEEDS_REPLY_KINDS = frozenset({ConversationKind.question, ConversationKind.complaint})
OPEN_STATUSES = (ConversationStatus.open, ConversationStatus.waiting)
DEFAULT_FIRST_RESPONSE_MINUTES = 120
DEFAULT_AT_RISK_SHARE = 0.25
DEFAULT_AT_RISK_MIN_MINUTES = 15
MAX_FIRST_RESPONSE_MINUTES = 60 * 24 * 30  # a month of business minutes is surely a typo beyond
QUEUE_PAGE_SIZE = 50


class SlaStatus(StrEnum):
    met = "met"
    breached = "breached"
    at_risk = "at_risk"
    on_track = "on_track"
    not_applicable = "not_applicable"


class Queue(StrEnum):
    breached = "breached"
    at_risk = "at_risk"
    on_track = "on_track"
    follow_up = "follow_up"  # still open but outside the SLA clock: replied, or nothing to answer


STATUS_LABELS = {
    SlaStatus.met: "met",
    SlaStatus.breached: "breached",
    SlaStatus.at_risk: "at risk",
    SlaStatus.on_track: "on track",
    SlaStatus.not_applicable: "not applicable",
}


# -- pure rules --------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _calendar_from_text(text: str) -> BusinessCalendar:
    return BusinessCalendar.from_dict(json.loads(text))


def calendar_from_json(definition: str | Mapping[str, Any]) -> BusinessCalendar:
    """The engine's calendar for a stored definition (parsed calendars are shared: they are immutable)."""
    if isinstance(definition, str):
        try:
            return _calendar_from_text(definition)
        except json.JSONDecodeError:
            raise ValidationError("The stored calendar is not valid JSON; save the policy's calendar again.") from None
    return BusinessCalendar.from_dict(definition)


def needs_reply(kind: str, status: str, *, no_reply_reason: str = "", replied: bool = False) -> bool:
    """SPEC: kind question or complaint, and not marked "no reply needed".

    The mark outlives the status: a conversation marked and then resolved keeps its reason and
    has no reply, and stays out of the SLA (the same rule as ``core.kpis``).
    """
    if kind not in NEEDS_REPLY_KINDS or status == ConversationStatus.no_reply_needed:
        return False
    return replied or not no_reply_reason


@dataclass(frozen=True)
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
        _, calendar_minutes, before = reply_figures(received_at, first_reply_at, None)
        return SlaFigures(None, None, None, None, calendar_minutes, before)
    window = float(first_response_minutes)
    deadline = calendar.deadline(received_at, dt.timedelta(minutes=window))
    business, calendar_minutes, before = reply_figures(received_at, first_reply_at, calendar)
    return SlaFigures(policy_id, deadline, window, business, calendar_minutes, before)


def apply_sla(
    conversation: Conversation, *, policy: SlaPolicy | PolicyView | None, calendar: BusinessCalendar | None
) -> None:
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


# -- policies ----------------------------------------------------------------------------------


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
            f"channel {self.channel_name}" if self.channel_id is not None else "",
            f"kind {self.kind}" if self.kind else "",
        ]
        text = " · ".join(p for p in parts if p)
        return text or "all conversations"

    @property
    def specificity(self) -> int:
        return policy_specificity(self.channel_id, self.kind)


class _Scoped(Protocol):
    id: Any
    channel_id: int | None
    kind: str | None
    active: bool


def policy_specificity(channel_id: int | None, kind: str | None) -> int:
    """Channel and kind (3) > channel (2) > kind (1) > general (0)."""
    return (2 if channel_id is not None else 0) + (1 if kind else 0)


def choose_policy(policies: Iterable[_Scoped], *, channel_id: int, kind: str):
    """The active policy for a conversation: the most specific one whose scope matches."""
    matching = [
        p for p in policies if p.active and p.channel_id in (None, channel_id) and (not p.kind or p.kind == kind)
    ]
    if not matching:
        return None
    return min(matching, key=lambda p: (-policy_specificity(p.channel_id, p.kind), p.id))


def list_policies(session: Session, *, include_inactive: bool = True) -> list[PolicyView]:
    statement = (
        select(SlaPolicy, BusinessCalendarRow, Channel.name)
        .join(BusinessCalendarRow, col(BusinessCalendarRow.id) == col(SlaPolicy.calendar_id))
        .join(Channel, col(Channel.id) == col(SlaPolicy.channel_id), isouter=True)
        .order_by(col(SlaPolicy.active).desc(), col(SlaPolicy.name))
    )
    if not include_inactive:
        statement = statement.where(col(SlaPolicy.active).is_(True))
    return [
        PolicyView(
            id=p.id,  # type: ignore[arg-type]
            name=p.name,
            calendar_id=c.id,  # type: ignore[arg-type]
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


def validate_policy_settings(
    *, name: str, first_response_minutes: Any, at_risk_share: Any, at_risk_min_minutes: Any, kind: str | None
) -> tuple[str, int, float, int, str | None]:
    """Normalise a policy's own settings or raise a message saying what to fix."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the policy a name, e.g. 'First response in 2 business hours'.")
    if len(name) > 80:
        raise ValidationError("The policy name is longer than 80 characters; shorten it.")
    try:
        minutes = int(first_response_minutes)
    except (TypeError, ValueError):
        raise ValidationError("The first-response target must be a whole number of business minutes.") from None
    if minutes != first_response_minutes and not isinstance(first_response_minutes, str):
        raise ValidationError("The first-response target must be a whole number of business minutes.")
    if minutes <= 0:
        raise ValidationError("The first-response target must be more than 0 business minutes.")
    if minutes > MAX_FIRST_RESPONSE_MINUTES:
        raise ValidationError("The first-response target is longer than 30 days of business time; check the number.")
    try:
        share = float(at_risk_share)
    except (TypeError, ValueError):
        raise ValidationError("The at-risk share must be a number between 0 and 1, e.g. 0.25 for 25 %.") from None
    if not 0 < share < 1:
        raise ValidationError("The at-risk share must be more than 0 % and less than 100 % of the window.")
    try:
        minimum = int(at_risk_min_minutes)
    except (TypeError, ValueError):
        raise ValidationError("The at-risk minimum must be a whole number of minutes.") from None
    if minimum < 0:
        raise ValidationError("The at-risk minimum cannot be negative.")
    kind = kind or None
    if kind is not None and kind not in {k.value for k in ConversationKind}:
        raise ValidationError(f"Unknown kind {kind!r}; use one of {', '.join(k.value for k in ConversationKind)}.")
    return name, minutes, share, minimum, kind


def _normalised_calendar(definition: Mapping[str, Any]) -> str:
    calendar = BusinessCalendar.from_dict(definition)  # raises ValidationError with the reason
    return json.dumps(calendar.to_dict(), sort_keys=True)


def _check_scope_free(session: Session, *, channel_id: int | None, kind: str | None, except_id: int | None) -> None:
    statement = select(SlaPolicy).where(col(SlaPolicy.active).is_(True))
    for other in session.exec(statement):
        if other.id != except_id and other.channel_id == channel_id and (other.kind or None) == kind:
            raise ValidationError(
                f"The active policy '{other.name}' already covers this scope; change its scope or deactivate it first."
            )


def _check_channel(session: Session, channel_id: int | None) -> None:
    if channel_id is not None and session.get(Channel, channel_id) is None:
        raise ValidationError(f"Channel #{channel_id} does not exist; pick one from the list.")


def _check_name_free(session: Session, name: str, *, except_id: int | None) -> None:
    existing = session.exec(select(SlaPolicy.id).where(SlaPolicy.name == name)).first()
    if existing is not None and existing != except_id:
        raise ValidationError(f"A policy named {name!r} exists already; choose another name.")


def _policy_view(session: Session, policy_id: int) -> PolicyView:
    return next(p for p in list_policies(session) if p.id == policy_id)


def create_policy(
    session: Session,
    *,
    actor: Actor,
    name: str,
    calendar: Mapping[str, Any],
    first_response_minutes: int = DEFAULT_FIRST_RESPONSE_MINUTES,
    at_risk_share: float = DEFAULT_AT_RISK_SHARE,
    at_risk_min_minutes: int = DEFAULT_AT_RISK_MIN_MINUTES,
    channel_id: int | None = None,
    kind: str | None = None,
) -> PolicyView:
    """A new policy with its own business calendar; it applies to conversations stored from now on."""
    require(actor, Action.manage_sla_policies)
    name, minutes, share, minimum, kind = validate_policy_settings(
        name=name,
        first_response_minutes=first_response_minutes,
        at_risk_share=at_risk_share,
        at_risk_min_minutes=at_risk_min_minutes,
        kind=kind,
    )
    definition = _normalised_calendar(calendar)
    _check_name_free(session, name, except_id=None)
    _check_channel(session, channel_id)
    _check_scope_free(session, channel_id=channel_id, kind=kind, except_id=None)
    calendar_name = _free_calendar_name(session, f"{name} hours")
    calendar_row = records.create(
        session,
        BusinessCalendarRow(name=calendar_name, definition=definition),
        actor=actor,
        action="business_calendar.create",
    )
    policy = records.create(
        session,
        SlaPolicy(
            name=name,
            calendar_id=calendar_row.id,
            first_response_minutes=minutes,
            at_risk_share=share,  # type: ignore[arg-type]
            at_risk_min_minutes=minimum,
            channel_id=channel_id,
            kind=kind,
        ),
        actor=actor,
        action="sla_policy.create",
    )
    return _policy_view(session, policy.id)  # type: ignore[arg-type]


def _free_calendar_name(session: Session, wanted: str) -> str:
    wanted = wanted[:72]
    taken = set(session.exec(select(BusinessCalendarRow.name)).all())
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted} ({n})" in taken:
        n += 1
    return f"{wanted} ({n})"


def update_policy(
    session: Session,
    *,
    actor: Actor,
    policy_id: int,
    expected_version: int,
    name: str,
    first_response_minutes: int,
    at_risk_share: float,
    at_risk_min_minutes: int,
    channel_id: int | None = None,
    kind: str | None = None,
    active: bool = True,
    calendar: Mapping[str, Any] | None = None,
    calendar_expected_version: int | None = None,
) -> PolicyView:
    """Change a policy (and its calendar). Stored conversations keep their figures until an
    admin recomputes them."""
    require(actor, Action.manage_sla_policies)
    name, minutes, share, minimum, kind = validate_policy_settings(
        name=name,
        first_response_minutes=first_response_minutes,
        at_risk_share=at_risk_share,
        at_risk_min_minutes=at_risk_min_minutes,
        kind=kind,
    )
    policy = records.get_or_404(session, SlaPolicy, policy_id, what="SLA policy")
    stored_settings = audit.snapshot(policy)  # as it was: update_versioned refreshes the object
    definition = None if calendar is None else _normalised_calendar(calendar)
    _check_name_free(session, name, except_id=policy_id)
    _check_channel(session, channel_id)
    if active:
        _check_scope_free(session, channel_id=channel_id, kind=kind, except_id=policy_id)
    records.update_versioned(
        session,
        SlaPolicy,
        policy_id,
        expected_version=expected_version,
        changes={
            "name": name,
            "first_response_minutes": minutes,
            "at_risk_share": share,
            "at_risk_min_minutes": minimum,
            "channel_id": channel_id,
            "kind": kind,
            "active": bool(active),
        },
        actor=actor,
        action="sla_policy.update",
    )
    if definition is not None:
        row = records.get_or_404(session, BusinessCalendarRow, policy.calendar_id, what="Business calendar")
        before = row.definition
        if definition != row.definition:
            if calendar_expected_version is None:
                raise ValidationError("Reload the policy before changing its calendar (its version is missing).")
            records.update_versioned(
                session,
                BusinessCalendarRow,
                policy.calendar_id,
                expected_version=calendar_expected_version,
                changes={"definition": definition},
                actor=actor,
                action="business_calendar.update",
            )
            _keep_stored_hours(
                session, actor=actor, settings=stored_settings, calendar_name=row.name, old_definition=before
            )
    return _policy_view(session, policy_id)


def _keep_stored_hours(
    session: Session, *, actor: Actor, settings: Mapping[str, Any], calendar_name: str, old_definition: str
) -> None:
    """A policy's business hours changed: the conversations stored under it keep the hours they
    were stored under. They move to an inactive copy of the policy as it was (its old calendar
    included), so their time left, a reply logged later and their queue still count in those
    hours; the admin's recompute moves them to today's policies. Their figures do not change."""
    policy_id = settings["id"]
    table = Conversation.__table__  # type: ignore[attr-defined]
    stored = session.exec(
        select(func.count()).select_from(Conversation).where(col(Conversation.sla_policy_id) == policy_id)
    ).one()
    if not stored:
        return
    until = f" (hours until {utcnow():%Y-%m-%d %H:%M} UTC)"
    calendar_row = records.create(
        session,
        BusinessCalendarRow(
            name=_free_name(session, BusinessCalendarRow, calendar_name, until), definition=old_definition
        ),
        actor=actor,
        action="business_calendar.create",
    )
    kept = records.create(
        session,
        SlaPolicy(
            name=_free_name(session, SlaPolicy, settings["name"], until),
            calendar_id=calendar_row.id,  # type: ignore[arg-type]
            first_response_minutes=settings["first_response_minutes"],
            at_risk_share=settings["at_risk_share"],
            at_risk_min_minutes=settings["at_risk_min_minutes"],
            channel_id=settings["channel_id"],
            kind=settings["kind"],
            active=False,
        ),
        actor=actor,
        action="sla_policy.create",
    )
    # Only the reference moves (figures stay as they are), so nobody's open edit becomes stale.
    session.execute(update(table).where(table.c.sla_policy_id == policy_id).values(sla_policy_id=kept.id))
    audit.record_change(
        session,
        actor=actor,
        action="sla_policy.keep_stored_figures",
        entity="sla_policy",
        entity_id=policy_id,
        after={"kept_as_policy": kept.id, "kept_as_name": kept.name, "conversations": stored},
    )
    session.expire_all()


def _free_name(session: Session, model: Any, base: str, suffix: str) -> str:
    """``base`` + ``suffix`` within the 80-character name column, numbered when taken."""
    wanted = base[: 80 - len(suffix) - 5] + suffix
    taken = set(session.exec(select(model.name).where(col(model.name).startswith(wanted[:40]))).all())
    name, n = wanted, 2
    while name in taken:
        name = f"{wanted} ({n})"
        n += 1
    return name


# -- recompute (admin) -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputeResult:
    examined: int
    changed: int


def recompute_sla(
    session: Session, *, actor: Actor, received_from: dt.datetime | None = None, batch_size: int = 5000
) -> RecomputeResult:
    """Recompute the stored SLA figures of conversations (received from ``received_from`` on, or
    all) with today's policies. Explicit admin action; audited as one entry with its scope."""
    require(actor, Action.recompute_sla)
    book = PolicyBook.load(session)
    table = Conversation.__table__  # type: ignore[attr-defined]
    columns = (
        table.c.id,
        table.c.channel_id,
        table.c.kind,
        table.c.received_at,
        table.c.first_reply_at,
        table.c.sla_policy_id,
        table.c.deadline_at,
        table.c.window_minutes,
        table.c.business_minutes_to_reply,
        table.c.calendar_minutes_to_reply,
        table.c.reply_before_message,
    )
    statement = select(*columns).order_by(table.c.id)
    if received_from is not None:
        statement = statement.where(table.c.received_at >= received_from)
    examined = 0
    changes: list[dict[str, Any]] = []
    for row in session.execute(statement).all():
        examined += 1
        figures = book.figures(
            channel_id=row.channel_id, kind=row.kind, received_at=row.received_at, first_reply_at=row.first_reply_at
        )
        new = figures.as_columns()
        if any(_differs(getattr(row, name), value) for name, value in new.items()):
            changes.append({"_id": row.id, **new})
    if changes:
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in changes[0] if name != "_id"} | {"version": table.c.version + 1})
        )
        connection = session.connection()
        for start in range(0, len(changes), batch_size):
            connection.execute(statement, changes[start : start + batch_size])
    audit.record_change(
        session,
        actor=actor,
        action="sla.recompute",
        entity="conversation",
        entity_id=None,
        after={
            "received_from": None if received_from is None else received_from.isoformat(),
            "examined": examined,
            "changed": len(changes),
            "policies": {p.id: p.name for p in book.policies if p.active},
        },
    )
    session.expire_all()
    return RecomputeResult(examined=examined, changed=len(changes))


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        if old is None or new is None:
            return old is not new
        return abs(old - new) > 1e-6
    return old != new


# -- reading conversations (queues and details) ------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """Filters of the queue and the KPIs; None means "all"."""

    channel_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False  # only conversations nobody has taken
    category: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class ConversationRow:
    """One conversation as the screens show it, with its SLA status at ``now``."""

    id: int
    version: int
    external_id: str | None
    channel_id: int
    channel: str
    kind: str
    author_handle: str
    text: str
    link: str
    category: str
    status: str
    received_at: dt.datetime
    deadline_at: dt.datetime | None
    first_reply_at: dt.datetime | None
    resolved_at: dt.datetime | None
    window_minutes: float | None
    business_minutes_to_reply: float | None
    calendar_minutes_to_reply: float | None
    business_minutes_left: float | None
    sla_status: SlaStatus
    reply_before_message: bool
    no_reply_reason: str
    assignee_id: int | None
    assignee: str | None
    escalation_team_id: int | None
    escalation_team: str | None
    escalation_owner: str | None
    escalated_at: dt.datetime | None
    escalation_reason: str
    quick_answer_id: int | None
    quick_answer: str | None
    useful: bool
    best: bool
    sla_policy: str | None

    @property
    def needs_reply(self) -> bool:
        return needs_reply(
            self.kind, self.status, no_reply_reason=self.no_reply_reason, replied=self.first_reply_at is not None
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class QueuePage:
    queue: Queue
    items: tuple[ConversationRow, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class QueueCounts:
    breached: int
    at_risk: int
    on_track: int
    follow_up: int

    def of(self, queue: Queue) -> int:
        return getattr(self, queue.value)


_Assignee = aliased(User, name="assignee")
_Owner = aliased(User, name="team_owner")


def _row_select():
    c = Conversation
    return (
        select(
            c,
            Channel.name,
            _Assignee.name,
            _Assignee.username,
            EscalationTeam.name,
            _Owner.name,
            _Owner.username,
            QuickAnswer.title,
            SlaPolicy.name,
        )
        .join(Channel, col(Channel.id) == col(c.channel_id))
        .join(_Assignee, col(_Assignee.id) == col(c.assignee_id), isouter=True)
        .join(EscalationTeam, col(EscalationTeam.id) == col(c.escalation_team_id), isouter=True)
        .join(_Owner, col(_Owner.id) == col(EscalationTeam.owner_id), isouter=True)
        .join(QuickAnswer, col(QuickAnswer.id) == col(c.quick_answer_id), isouter=True)
        .join(SlaPolicy, col(SlaPolicy.id) == col(c.sla_policy_id), isouter=True)
    )


def _rows(session: Session, statement, *, now: dt.datetime, book: PolicyBook) -> list[ConversationRow]:
    result = []
    for (
        c,
        channel,
        assignee_name,
        assignee_username,
        team,
        owner_name,
        owner_username,
        answer,
        policy_name,
    ) in session.exec(statement):
        reply_needed = needs_reply(
            c.kind, c.status, no_reply_reason=c.no_reply_reason, replied=c.first_reply_at is not None
        )
        left = None
        threshold = DEFAULT_AT_RISK_MIN_MINUTES
        calendar = book.calendar_of(c.sla_policy_id)
        if reply_needed and c.deadline_at is not None and c.first_reply_at is None and c.window_minutes is not None:
            if calendar is not None:
                left = business_minutes_left(
                    received_at=c.received_at, window_minutes=c.window_minutes, now=now, calendar=calendar
                )
            threshold = book.threshold(c.sla_policy_id, c.window_minutes)
        status = sla_status(
            needs_reply=reply_needed,
            deadline_at=c.deadline_at,
            first_reply_at=c.first_reply_at,
            reply_before_message=c.reply_before_message,
            now=now,
            minutes_left=left,
            at_risk_threshold=threshold,
        )
        result.append(
            ConversationRow(
                id=c.id,
                version=c.version,
                external_id=c.external_id,
                channel_id=c.channel_id,
                channel=channel,
                kind=c.kind,
                author_handle=c.author_handle,
                text=c.text,
                link=c.link,
                category=c.category,
                status=c.status,
                received_at=c.received_at,
                deadline_at=c.deadline_at,
                first_reply_at=c.first_reply_at,
                resolved_at=c.resolved_at,
                window_minutes=c.window_minutes,
                business_minutes_to_reply=c.business_minutes_to_reply,
                calendar_minutes_to_reply=c.calendar_minutes_to_reply,
                business_minutes_left=left,
                sla_status=status,
                reply_before_message=c.reply_before_message,
                no_reply_reason=c.no_reply_reason,
                assignee_id=c.assignee_id,
                assignee=(assignee_name or assignee_username) if c.assignee_id else None,
                escalation_team_id=c.escalation_team_id,
                escalation_team=team,
                escalation_owner=(owner_name or owner_username) if (owner_name or owner_username) else None,
                escalated_at=c.escalated_at,
                escalation_reason=c.escalation_reason,
                quick_answer_id=c.quick_answer_id,
                quick_answer=answer,
                useful=c.useful,
                best=c.best,
                sla_policy=policy_name,
            )
        )
    return result


def conversation_rows(session: Session, *, ids: Sequence[int], now: dt.datetime | None = None) -> list[ConversationRow]:
    """Given conversations as the screens show them (in the order of ``ids``)."""
    if not ids:
        return []
    now = now or utcnow()
    rows = _rows(
        session, _row_select().where(col(Conversation.id).in_(list(ids))), now=now, book=PolicyBook.load(session)
    )
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def _filter_clauses(filters: QueueFilters | None) -> list[Any]:
    clauses: list[Any] = []
    if filters is None:
        return clauses
    if filters.channel_id is not None:
        clauses.append(col(Conversation.channel_id) == filters.channel_id)
    if filters.assignee_id is not None:
        clauses.append(col(Conversation.assignee_id) == filters.assignee_id)
    if filters.unassigned:
        clauses.append(col(Conversation.assignee_id).is_(None))
    if filters.category:
        clauses.append(col(Conversation.category) == filters.category)
    if filters.kind:
        clauses.append(col(Conversation.kind) == filters.kind)
    return clauses


def _sla_open_clauses() -> list[Any]:
    """Open items whose SLA clock is running: need a reply, none yet, and a deadline."""
    c = Conversation
    return [
        col(c.status).in_([s.value for s in OPEN_STATUSES]),
        col(c.kind).in_([k.value for k in NEEDS_REPLY_KINDS]),
        col(c.first_reply_at).is_(None),
        col(c.deadline_at).is_not(None),
    ]


def _at_risk_clause(session: Session, *, now: dt.datetime, book: PolicyBook, base: list[Any]) -> Any:
    """deadline ≤ cut-off, per (policy, window): remaining ≤ T ⇔ deadline ≤ calendar.deadline(now, T)."""
    c = Conversation
    pairs = session.exec(
        select(c.sla_policy_id, c.window_minutes).where(*base, col(c.deadline_at) > now).distinct()
    ).all()
    parts = []
    for policy_id, window in pairs:
        calendar = book.calendar_of(policy_id)
        if calendar is None or window is None:
            continue
        threshold = book.threshold(policy_id, window)
        if threshold <= 0:
            continue
        cutoff = calendar.deadline(now, dt.timedelta(minutes=threshold))
        parts.append(
            and_(col(c.sla_policy_id) == policy_id, col(c.window_minutes) == window, col(c.deadline_at) <= cutoff)
        )
    return or_(*parts) if parts else false()


def _queue_where(
    session: Session, queue: Queue, *, now: dt.datetime, filters: QueueFilters | None, book: PolicyBook
) -> list[Any]:
    c = Conversation
    open_sla = _sla_open_clauses() + _filter_clauses(filters)
    if queue == Queue.breached:
        return open_sla + [col(c.deadline_at) <= now]
    if queue in (Queue.at_risk, Queue.on_track):
        risky = _at_risk_clause(session, now=now, book=book, base=open_sla)
        return open_sla + [col(c.deadline_at) > now, risky if queue == Queue.at_risk else ~risky]
    # follow-up: open, but no SLA clock running
    running = and_(*_sla_open_clauses())
    return [col(c.status).in_([s.value for s in OPEN_STATUSES]), ~running] + _filter_clauses(filters)


def queue_counts(
    session: Session, *, now: dt.datetime | None = None, filters: QueueFilters | None = None
) -> QueueCounts:
    """How many open items each queue holds, counted in SQL: the running clocks split by deadline
    and risk, and follow-up as the rest of the open items."""
    now = now or utcnow()
    book = PolicyBook.load(session)
    c = Conversation
    running = _sla_open_clauses() + _filter_clauses(filters)
    risky = _at_risk_clause(session, now=now, book=book, base=running)
    due = col(c.deadline_at) <= now
    breached, at_risk, on_track = session.exec(
        select(
            func.count().filter(due),
            func.count().filter(and_(~due, risky)),
            func.count().filter(and_(~due, ~risky)),
        ).where(*running)
    ).one()
    open_total = session.exec(
        select(func.count()).where(col(c.status).in_([s.value for s in OPEN_STATUSES]), *_filter_clauses(filters))
    ).one()
    return QueueCounts(
        breached=breached, at_risk=at_risk, on_track=on_track, follow_up=open_total - breached - at_risk - on_track
    )


def queue_page(
    session: Session,
    *,
    queue: Queue | str,
    now: dt.datetime | None = None,
    filters: QueueFilters | None = None,
    limit: int = QUEUE_PAGE_SIZE,
    offset: int = 0,
    total: int | None = None,
) -> QueuePage:
    """One page of a queue, nearest deadline first, with business time left for these rows only
    (``total`` may be passed when the caller has counted already)."""
    queue = Queue(queue)
    now = now or utcnow()
    limit = max(1, min(int(limit), 500))
    offset = max(0, int(offset))
    book = PolicyBook.load(session)
    where = _queue_where(session, queue, now=now, filters=filters, book=book)
    if total is None:
        total = session.exec(select(func.count()).select_from(Conversation).where(*where)).one()
    c = Conversation
    if queue == Queue.follow_up:
        order = [case((col(c.deadline_at).is_(None), 1), else_=0), col(c.deadline_at), col(c.received_at), col(c.id)]
    else:
        order = [col(c.deadline_at), col(c.id)]
    statement = _row_select().where(*where).order_by(*order).limit(limit).offset(offset)
    return QueuePage(
        queue=queue, items=tuple(_rows(session, statement, now=now, book=book)), total=total, offset=offset, limit=limit
    )


@dataclass(frozen=True)
class FilterOptions:
    channels: tuple[tuple[int, str], ...]
    assignees: tuple[tuple[int, str], ...]
    categories: tuple[str, ...]
    kinds: tuple[str, ...] = tuple(k.value for k in ConversationKind)


def filter_options(session: Session) -> FilterOptions:
    """The choices for the queue filters: channels, people who work conversations, categories."""
    channels = tuple(
        (cid, name) for cid, name in session.exec(select(Channel.id, Channel.name).order_by(col(Channel.name)))
    )
    people = session.exec(
        select(User.id, User.name, User.username).where(col(User.active).is_(True)).order_by(col(User.username))
    ).all()
    categories = tuple(
        c
        for c in session.exec(
            select(Conversation.category)
            .where(Conversation.category != "")
            .distinct()
            .order_by(col(Conversation.category))
        )
        if c
    )
    return FilterOptions(
        channels=channels,  # type: ignore[arg-type]
        assignees=tuple((uid, name or username) for uid, name, username in people),  # type: ignore[misc]
        categories=categories,
    )


# -- calendars as the policy editor shows them ---------------------------------------------------


def calendar_table(definition: Mapping[str, Any]) -> list[dict[str, str]]:
    """The weekly schedule as rows of intervals (day, open, close), Monday first."""
    weekly = definition.get("weekly") or {}
    return [
        {"day": day, "open": str(opening), "close": str(closing)}
        for day in WEEKDAYS
        for opening, closing in (weekly.get(day) or [])
    ]


def calendar_from_form(
    *,
    timezone: str,
    intervals: Iterable[Mapping[str, Any]],
    holidays_text: str = "",
    country: str | None = None,
    subdivision: str | None = None,
) -> dict[str, Any]:
    """A calendar definition from the editor's table of intervals and its holiday lines (one
    YYYY-MM-DD per line; text after the date is a note). The engine validates the result."""
    weekly: dict[str, list[list[str]]] = {}
    for number, row in enumerate(intervals, start=1):
        day = str(row.get("day") or "").strip().lower()[:3]
        opening = str(row.get("open") or "").strip()
        closing = str(row.get("close") or "").strip()
        if not (day or opening or closing):
            continue  # an empty row the editor left
        if day not in WEEKDAYS:
            raise ValidationError(f"Row {number} of the schedule has no weekday; pick one of {', '.join(WEEKDAYS)}.")
        weekly.setdefault(day, []).append([opening, closing])
    holidays = []
    for line in holidays_text.splitlines():
        token = line.strip().split(" ")[0] if line.strip() else ""
        if token:
            holidays.append(token)
    definition: dict[str, Any] = {"timezone": (timezone or "").strip(), "weekly": weekly, "holidays": holidays}
    if country and country.strip():
        definition["country"] = country.strip().upper()
        if subdivision and subdivision.strip():
            definition["subdivision"] = subdivision.strip()
    BusinessCalendar.from_dict(definition)  # the engine's message says what to fix
    return definition


def data_problems(session: Session, *, limit: int = 50, now: dt.datetime | None = None) -> list[ConversationRow]:
    """Conversations whose first reply is stamped before the message (flagged, never hidden)."""
    statement = (
        _row_select()
        .where(col(Conversation.reply_before_message).is_(True))
        .order_by(col(Conversation.received_at).desc())
        .limit(limit)
    )
    return _rows(session, statement, now=now or utcnow(), book=PolicyBook.load(session))
