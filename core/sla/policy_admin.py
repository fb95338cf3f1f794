"""Setting up the SLA (leads and admins): policies with their own business calendar, and the
admin's audited recompute of stored figures.

A changed policy applies to conversations stored from then on: the stored ones keep the figures
and the business hours they were stored under until an admin recomputes them with today's
policies (``recompute_sla``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from core import audit, formats, records
from core.errors import ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, require
from core.records import stored_id
from core.sla.business_time import BusinessCalendar
from core.sla.calendars import stored_definition
from core.sla.checks import check_kind
from core.sla.policies import PolicyBook, PolicyView, policy_view
from core.text import check_input_text
from db.models import (
    BusinessCalendarRow,
    Channel,
    Conversation,
    SlaPolicy,
    SlaPolicyCreate,
    SlaPolicyUpdate,
    max_length,
)
from db.types import utcnow

MAX_FIRST_RESPONSE_MINUTES = 60 * 24 * 30  # a month of business minutes is surely a typo beyond


def _checked_settings(
    *,
    name: str | None,
    first_response_minutes: float | None,
    at_risk_share: float | None,
    at_risk_min_minutes: int | None,
    kind: str | None,
) -> tuple[str, int, float, int, str | None]:
    """A policy's own settings, normalised, or a message saying what to fix."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the policy a name, e.g. 'First response in 2 business hours'."))
    limit = max_length(SlaPolicy, "name")
    if len(name) > limit:
        raise ValidationError(
            _("The policy name is longer than {limit} characters; shorten it.", limit=formats.number(limit))
        )
    whole = _("The first-response target must be a whole number of business minutes.")
    if first_response_minutes is None:
        raise ValidationError(whole)
    try:
        minutes = int(first_response_minutes)
    except (ValueError, OverflowError):
        raise ValidationError(whole) from None
    if minutes != first_response_minutes:
        raise ValidationError(whole)
    if minutes <= 0:
        raise ValidationError(_("The first-response target must be more than 0 business minutes."))
    if minutes > MAX_FIRST_RESPONSE_MINUTES:
        raise ValidationError(_("The first-response target is longer than 30 days of business time; check the number."))
    if at_risk_share is None or not 0 < at_risk_share < 1:
        raise ValidationError(_("The at-risk share of the window must be more than 0 and less than 100 %."))
    if at_risk_min_minutes is None:
        raise ValidationError(_("The at-risk minimum must be a whole number of minutes."))
    if at_risk_min_minutes < 0:
        raise ValidationError(_("The at-risk minimum cannot be negative."))
    return name, minutes, float(at_risk_share), at_risk_min_minutes, check_kind(kind) if kind else None


def _check_scope_free(session: Session, *, channel_id: int | None, kind: str | None, except_id: int | None) -> None:
    statement = select(SlaPolicy).where(col(SlaPolicy.active).is_(True))
    for other in session.exec(statement):
        if other.id != except_id and other.channel_id == channel_id and (other.kind or None) == kind:
            raise ValidationError(
                _(
                    "The active policy '{name}' already covers this scope; change its scope or deactivate it first.",
                    name=other.name,
                )
            )


def _check_channel(session: Session, channel_id: int | None) -> None:
    if channel_id is not None and session.get(Channel, channel_id) is None:
        raise ValidationError(_("Channel #{channel} does not exist; pick one from the list.", channel=channel_id))


def _check_name_free(session: Session, name: str, *, except_id: int | None) -> None:
    existing = session.exec(select(SlaPolicy.id).where(SlaPolicy.name == name)).first()
    if existing is not None and existing != except_id:
        raise ValidationError(_("A policy named {name!r} exists already; choose another name.", name=name))


_LABELS = {"name": N_("policy name")}


def _labels() -> dict[str, str]:
    return {field: _(label) for field, label in _LABELS.items()}


def create_policy(
    *, session: Session, actor: Actor, policy_in: SlaPolicyCreate, calendar: BusinessCalendar
) -> PolicyView:
    """A new policy with its own business calendar; it applies to conversations stored from now on."""
    require(actor, Action.manage_sla_policies)
    check_input_text(policy_in, labels=_labels())
    name, minutes, share, minimum, kind = _checked_settings(
        name=policy_in.name,
        first_response_minutes=policy_in.first_response_minutes,
        at_risk_share=policy_in.at_risk_share,
        at_risk_min_minutes=policy_in.at_risk_min_minutes,
        kind=policy_in.kind,
    )
    _check_name_free(session, name, except_id=None)
    _check_channel(session, policy_in.channel_id)
    _check_scope_free(session, channel_id=policy_in.channel_id, kind=kind, except_id=None)
    calendar_row = records.create(
        session,
        BusinessCalendarRow(
            name=_free_name(session, BusinessCalendarRow, name, " hours"), definition=stored_definition(calendar)
        ),
        actor=actor,
        action="business_calendar.create",
    )
    policy = records.create(
        session,
        SlaPolicy(
            name=name,
            calendar_id=stored_id(calendar_row.id),
            first_response_minutes=minutes,
            at_risk_share=share,
            at_risk_min_minutes=minimum,
            channel_id=policy_in.channel_id,
            kind=kind,
        ),
        actor=actor,
        action="sla_policy.create",
    )
    return policy_view(session, stored_id(policy.id))


def update_policy(
    *,
    session: Session,
    actor: Actor,
    policy_id: int,
    expected_version: int,
    policy_in: SlaPolicyUpdate,
    calendar: BusinessCalendar | None = None,
    calendar_expected_version: int | None = None,
) -> PolicyView:
    """Change a policy (the fields given) and its calendar. Stored conversations keep their
    figures until an admin recomputes them."""
    require(actor, Action.manage_sla_policies)
    check_input_text(policy_in, labels=_labels())
    policy = records.get_or_404(session, SlaPolicy, policy_id, what=_("SLA policy"))
    wanted = {name: getattr(policy, name) for name in SlaPolicyUpdate.model_fields} | policy_in.model_dump(
        exclude_unset=True
    )
    name, minutes, share, minimum, kind = _checked_settings(
        name=wanted["name"],
        first_response_minutes=wanted["first_response_minutes"],
        at_risk_share=wanted["at_risk_share"],
        at_risk_min_minutes=wanted["at_risk_min_minutes"],
        kind=wanted["kind"],
    )
    channel_id, active = wanted["channel_id"], bool(wanted["active"])
    # The settings as they were (update_versioned refreshes the row), for the conversations stored under them.
    stored = SlaPolicyCreate.model_validate(policy)
    definition = None if calendar is None else stored_definition(calendar)
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
            "active": active,
        },
        actor=actor,
        action="sla_policy.update",
    )
    if definition is not None:
        row = records.get_or_404(session, BusinessCalendarRow, policy.calendar_id, what=_("Business calendar"))
        before = row.definition
        if definition != row.definition:
            if calendar_expected_version is None:
                raise ValidationError(_("Reload the policy before changing its calendar (its version is missing)."))
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
                session, actor=actor, policy_id=policy_id, stored=stored, calendar_name=row.name, old_definition=before
            )
    return policy_view(session, policy_id)


def _keep_stored_hours(
    session: Session,
    *,
    actor: Actor,
    policy_id: int,
    stored: SlaPolicyCreate,
    calendar_name: str,
    old_definition: str,
) -> None:
    """A policy's business hours changed: the conversations stored under it keep the hours they
    were stored under. They move to an inactive copy of the policy as it was (its old calendar
    included), so their time left, a reply logged later and their queue still count in those
    hours; the admin's recompute moves them to today's policies. Their figures do not change."""
    table = Conversation.__table__  # type: ignore[attr-defined]
    count = session.exec(
        select(func.count()).select_from(Conversation).where(col(Conversation.sla_policy_id) == policy_id)
    ).one()
    if not count:
        return
    until = " " + _("(hours until {until} UTC)", until=formats.date_time(utcnow()))
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
        SlaPolicy.model_validate(
            stored,
            update={
                "name": _free_name(session, SlaPolicy, stored.name, until),
                "calendar_id": calendar_row.id,
                "active": False,
            },
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
        after={"kept_as_policy": kept.id, "kept_as_name": kept.name, "conversations": count},
    )
    session.expire_all()


def _free_name(session: Session, model: type[BusinessCalendarRow] | type[SlaPolicy], base: str, suffix: str) -> str:
    """``base`` + ``suffix`` within the name column's length, numbered when taken."""
    wanted = base[: max_length(model, "name") - len(suffix) - 5] + suffix
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
    *, session: Session, actor: Actor, received_from: dt.datetime | None = None, batch_size: int = 5000
) -> RecomputeResult:
    """Recompute the stored SLA figures of conversations (received from ``received_from`` on, or
    all) with today's policies. Explicit admin action; audited as one entry with its scope."""
    require(actor, Action.recompute_sla)
    book = PolicyBook.load(session)
    table = Conversation.__table__  # type: ignore[attr-defined]
    statement = sql_select(
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
    ).order_by(table.c.id)
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
        bulk = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in changes[0] if name != "_id"} | {"version": table.c.version + 1})
        )
        connection = session.connection()
        for start in range(0, len(changes), batch_size):
            connection.execute(bulk, changes[start : start + batch_size])
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
