"""Storing an event once and its deliveries: per person, per channel they chose; the inbox (unread
count, entries, mark read) and each person's choices.

An event is one ``notification`` row, de-duplicated by its key (one "at risk" per conversation):
a second announcement of the same key adds nothing. Each person told gets an in-app entry (their
inbox) and, when they chose it, an e-mail or team-chat delivery that the worker sends. Those wait
for the opening of the person's business calendar when the event comes in outside it (quiet
hours), except breaches, which go out at once.

Each person reads the event in their own language (theirs, else the workspace's): an announcement
carries its texts as ``Text`` (a marked message and its parameters), written once per language
of the people told. The first language's notification holds the event's key (what the scan and
the de-duplication look for); each further language gets its own row keyed ``key@language``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from core import audit, i18n, records, workspace
from core.changes import mark_changed
from core.errors import ValidationError
from core.i18n import _
from core.live.kinds import KINDS, Kind, kind_of
from core.permissions import Action, Actor, require
from core.sla.business_time import BusinessCalendar
from core.sla.calendars import calendar_from_json
from db.models import (
    BusinessCalendarRow,
    DeliveryStatus,
    EscalationTeam,
    EscalationTeamMember,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotifyChannel,
    User,
    max_length,
)
from db.types import utcnow


@dataclass(frozen=True)
class Text:
    """A message written when its reader's language is known: a marked message (``N_``) and its
    parameters; a parameter may be a ``Text`` too, or a function giving a formatted value (a date
    through ``core.formats``). User data goes in as parameters, never as the message."""

    message: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self) -> str:
        """The text in the current language (``core.i18n.using``)."""
        return _(self.message, **{name: _rendered(value) for name, value in self.params})


def later(message: str, /, **params: object) -> Text:
    """``Text(message, params)``: ``later(N_("Shipped: {title}"), title=idea.title)``."""
    return Text(message, tuple(params.items()))


def _rendered(value: object) -> object:
    if isinstance(value, Text):
        return value.render()
    if callable(value):
        return value()
    return value


def render(value: Text | str) -> str:
    """A text for the current language; a plain string (user data: a reason, a title) as it is."""
    return value.render() if isinstance(value, Text) else value


@dataclass(frozen=True)
class Announcement:
    """What to tell, before it is known who wants it how (and in which language)."""

    kind: Kind
    key: str  # one notification per key, ever
    title: Text | str
    body: Text | str = ""
    entity: str = ""
    entity_id: int | None = None
    urgent: bool = False  # breaches: no quiet hours


def announce(
    session: Session,
    announcement: Announcement,
    *,
    recipients: Iterable[int | None],
    calendar: BusinessCalendar | None = None,
    now: dt.datetime | None = None,
) -> int | None:
    """Store the event (once per key) and a delivery per recipient and channel; returns the new
    notification's id, or None when the key was announced before or nobody is told.
    ``calendar`` is the item's business calendar, the quiet hours of people without a team's own."""
    now = now or utcnow()
    people = sorted({r for r in recipients if r is not None})
    if not people:
        return None
    default = workspace.language(session)
    languages = languages_of(session, people, default=default)
    # The workspace's language first: its notification holds the plain key.
    order = sorted(set(languages.values()), key=lambda language: (language != default, language))
    first_id = None
    for language in order:
        group = [p for p in people if languages[p] == language]
        key = announcement.key if first_id is None else f"{announcement.key}@{language}"
        new_id = _store(session, announcement, key=key, language=language, now=now)
        if new_id is None:  # announced before (the first key decides for every language)
            return first_id
        first_id = first_id or new_id
        _deliveries(session, announcement, notification_id=new_id, people=group, calendar=calendar, now=now)
    session.flush()
    mark_changed(session, entity="notification")
    return first_id


def languages_of(session: Session, user_ids: list[int], *, default: str | None = None) -> dict[int, str]:
    """The language each person reads (their own choice, else the workspace's)."""
    default = default or workspace.language(session)
    chosen = dict(session.exec(select(User.id, User.language).where(col(User.id).in_(user_ids))).all())
    return {user_id: language_or(chosen.get(user_id), default) for user_id in user_ids}


def language_or(language: str | None, default: str) -> str:
    """``language`` when Dialog Desk has it, else ``default``."""
    return language if language in i18n.LANGUAGES else default


def _store(session: Session, announcement: Announcement, *, key: str, language: str, now: dt.datetime) -> int | None:
    """The event's notification in ``language`` (None: its key exists already)."""
    with i18n.using(language):
        title, body = render(announcement.title), render(announcement.body)
    limit = max_length(Notification, "title")
    key_limit = max_length(Notification, "dedupe_key")
    suffix = key[len(announcement.key) :]  # "@de": kept whole when the key is cut
    values = {
        "kind": announcement.kind.value,
        "dedupe_key": announcement.key[: key_limit - len(suffix)] + suffix,
        "entity": announcement.entity,
        "entity_id": announcement.entity_id,
        "title": title if len(title) <= limit else title[: limit - 1] + "…",
        "body": body,
        "urgent": announcement.urgent,
        "created_at": now,
    }
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = Notification.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
    return session.execute(statement.returning(table.c.id)).scalar()


def _deliveries(
    session: Session,
    announcement: Announcement,
    *,
    notification_id: int,
    people: list[int],
    calendar: BusinessCalendar | None,
    now: dt.datetime,
) -> None:
    new_id = notification_id
    active = set(session.exec(select(User.id).where(col(User.id).in_(people), col(User.active))).all())
    choices = preferences_of(session, [p for p in people if p in active], announcement.kind)
    calendars = _calendars_of(session, list(choices))
    rows = []
    for user_id, channel in choices.items():
        if channel == NotifyChannel.off:
            continue
        rows.append(
            NotificationDelivery(
                notification_id=new_id,
                user_id=user_id,
                channel=NotifyChannel.in_app,
                status=DeliveryStatus.delivered,
                delivered_at=now,
                next_attempt_at=now,
                created_at=now,
            )
        )
        if channel != NotifyChannel.in_app:
            quiet = calendars.get(user_id) or calendar
            due = now
            if not announcement.urgent and quiet is not None and not quiet.is_open(now):
                due = quiet.next_opening(now)
            rows.append(
                NotificationDelivery(
                    notification_id=new_id, user_id=user_id, channel=channel, next_attempt_at=due, created_at=now
                )
            )
    session.add_all(rows)


def preferences_of(session: Session, user_ids: list[int], kind: Kind) -> dict[int, NotifyChannel]:
    """Each person's channel for ``kind`` (their choice, else the kind's default)."""
    chosen = {
        row.user_id: NotifyChannel(row.channel)
        for row in session.exec(
            select(NotificationPreference).where(
                col(NotificationPreference.user_id).in_(user_ids), NotificationPreference.kind == kind.value
            )
        )
    }
    return {user_id: chosen.get(user_id, KINDS[kind].default) for user_id in user_ids}


def _calendars_of(session: Session, user_ids: list[int]) -> dict[int, BusinessCalendar]:
    """The business calendar a person works to: the calendar of an escalation team they own or
    belong to (the lowest team id when several), if it has one."""
    if not user_ids:
        return {}
    owned = select(EscalationTeam.owner_id, EscalationTeam.id, EscalationTeam.calendar_id).where(
        col(EscalationTeam.owner_id).in_(user_ids), col(EscalationTeam.calendar_id).is_not(None)
    )
    member = (
        select(EscalationTeamMember.user_id, EscalationTeam.id, EscalationTeam.calendar_id)
        .join(EscalationTeam, col(EscalationTeam.id) == EscalationTeamMember.team_id)
        .where(col(EscalationTeamMember.user_id).in_(user_ids), col(EscalationTeam.calendar_id).is_not(None))
    )
    chosen: dict[int, tuple[int, int]] = {}
    for user_id, team_id, calendar_id in [*session.exec(owned).all(), *session.exec(member).all()]:
        if user_id is not None and calendar_id is not None and (user_id not in chosen or team_id < chosen[user_id][0]):
            chosen[user_id] = (team_id, calendar_id)
    if not chosen:
        return {}
    ids = {calendar_id for __, calendar_id in chosen.values()}
    rows = session.exec(select(BusinessCalendarRow).where(col(BusinessCalendarRow.id).in_(ids))).all()
    by_id = {row.id: calendar_from_json(row.definition) for row in rows}
    return {user_id: by_id[calendar_id] for user_id, (__, calendar_id) in chosen.items() if calendar_id in by_id}


# --- the inbox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxEntry:
    id: int  # the delivery
    kind: str
    title: str
    body: str
    entity: str
    entity_id: int | None
    created_at: dt.datetime
    read: bool


def unread_count(*, session: Session, user_id: int) -> int:
    """How many inbox entries the person has not read (one indexed count)."""
    d = NotificationDelivery
    return session.exec(
        select(func.count()).where(d.user_id == user_id, d.channel == NotifyChannel.in_app, col(d.read_at).is_(None))
    ).one()


def inbox(*, session: Session, user_id: int, limit: int = 50) -> tuple[InboxEntry, ...]:
    """The person's newest inbox entries, unread first."""
    d, n = NotificationDelivery, Notification
    rows = session.exec(
        select(d, n)
        .join(n, col(n.id) == d.notification_id)
        .where(d.user_id == user_id, d.channel == NotifyChannel.in_app)
        .order_by(col(d.read_at).is_not(None), col(d.id).desc())
        .limit(limit)
    ).all()
    return tuple(
        InboxEntry(
            id=delivery.id or 0,
            kind=note.kind,
            title=note.title,
            body=note.body,
            entity=note.entity,
            entity_id=note.entity_id,
            created_at=note.created_at,
            read=delivery.read_at is not None,
        )
        for delivery, note in rows
    )


def mark_read(*, session: Session, actor: Actor, delivery_ids: list[int] | None = None) -> int:
    """Mark the actor's own inbox entries read (``None``: all of them); returns how many."""
    require(actor, Action.use_inbox)
    if actor.id is None:
        raise ValidationError(_("Only a signed-in person has an inbox."))
    d = NotificationDelivery
    statement = update(d).where(
        col(d.user_id) == actor.id, col(d.channel) == NotifyChannel.in_app, col(d.read_at).is_(None)
    )
    if delivery_ids is not None:
        statement = statement.where(col(d.id).in_(delivery_ids))
    count = session.execute(statement.values(read_at=utcnow())).rowcount  # type: ignore[attr-defined]
    if count:
        audit.record_change(
            session,
            actor=actor,
            action="notification.read",
            entity="notification_delivery",
            entity_id=None,
            after={"read": count},
        )
    return int(count)


# --- choices -------------------------------------------------------------------------------------


def my_preferences(*, session: Session, user_id: int) -> dict[str, str]:
    """The person's channel for every kind of event (defaults filled in)."""
    chosen = {
        row.kind: row.channel
        for row in session.exec(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    }
    return {kind.value: chosen.get(kind.value, info.default.value) for kind, info in KINDS.items()}


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def set_my_email(*, session: Session, actor: Actor, email: str) -> str:
    """The address the actor's e-mail alerts go to (empty: none)."""
    require(actor, Action.use_inbox)
    if actor.id is None:
        raise ValidationError(_("Only a signed-in person has an e-mail address here."))
    email = email.strip()
    if email and not _EMAIL.match(email):
        raise ValidationError(
            _("{address!r} is not an e-mail address; write it like name@example.org.", address=email[:80])
        )
    if len(email) > max_length(User, "email"):
        raise ValidationError(
            _("The e-mail address is longer than {limit} characters.", limit=max_length(User, "email"))
        )
    user = session.get(User, actor.id)
    if user is None:
        raise ValidationError(_("Your account no longer exists."))
    records.update_versioned(
        session,
        User,
        actor.id,
        expected_version=user.version,
        changes={"email": email},
        actor=actor,
        action="user.email",
    )
    return email


def set_preference(*, session: Session, actor: Actor, kind: str, channel: str) -> None:
    """The actor's own choice for one kind of event: in app, e-mail, team chat or off."""
    require(actor, Action.use_inbox)
    if actor.id is None:
        raise ValidationError(_("Only a signed-in person chooses how they are told."))
    chosen_kind = kind_of(kind)
    try:
        chosen = NotifyChannel(channel)
    except ValueError:
        raise ValidationError(
            _("Unknown channel {channel!r}; use one of {channels}.", channel=channel, channels=", ".join(NotifyChannel))
        ) from None
    if chosen == NotifyChannel.email:
        user = session.get(User, actor.id)
        if user is None or not user.email:
            raise ValidationError(_("You have no e-mail address here yet: add it above, then choose e-mail."))
    row = session.get(NotificationPreference, (actor.id, chosen_kind.value))
    before = None if row is None else audit.snapshot(row)
    if row is None:
        row = NotificationPreference(user_id=actor.id, kind=chosen_kind.value, channel=chosen.value)
    else:
        row.channel = chosen.value
    session.add(row)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action="notification.preference",
        entity="notification_preference",
        entity_id=actor.id,
        before=before,
        after=audit.snapshot(row),
    )
