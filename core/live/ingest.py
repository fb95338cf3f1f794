"""A conversation or a reply pushed by a platform (a webhook, n8n, Make …) through the ingest API:
one JSON object, read and checked by the conversation import itself (``core.sla.imports``: the
same fields, the same checks and messages, the same SLA figures and watch window), as a file of
one row would be. Idempotent by external id: sending the same conversation or reply again
creates nothing new.

* a conversation: the import's fields (``core.sla.import_fields.FIELDS``) with ``external_id``
  required, plus ``timezone`` for times written without an offset;
* a reply: the thread import's fields (``MESSAGE_FIELDS``: ``message_id``, ``author``, ``sent``,
  ``text``, ``from_team`` …); it joins the conversation named in the address, and the team's
  first reply fixes the conversation's first-reply figures.

The token decides the channel: a ``channel`` field naming another one is refused (``WrongChannel``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core.errors import DomainError, NotFoundError
from core.i18n import _
from core.permissions import Actor
from core.sla.import_fields import FIELDS, MESSAGE_FIELDS, ImportOptions
from core.sla.import_rows import channel_key
from core.sla.imports import ImportReport, import_conversations, import_messages
from db.models import ApiToken, Channel, Conversation, ConversationMessage, MessageSource, Role, max_length
from db.types import utcnow

CONVERSATION_KEYS = tuple(f.key for f in FIELDS)
REPLY_KEYS = tuple(f.key for f in MESSAGE_FIELDS if f.key not in ("in_reply_to", "thread_id", "channel"))
SCALARS = (str, int, float, bool)


class WrongChannel(DomainError):
    """The token is good, but for another channel (the API answers 403)."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class Refused(DomainError):
    """The body is not what the import takes (the API answers 422 with the field errors)."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field or 'body'}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Ingested:
    conversation_id: int
    created: bool  # False: known already (a replay, or an update of a known one)
    messages: int
    deadline_at: dt.datetime | None
    first_reply_at: dt.datetime | None
    status: str


def api_actor(token: ApiToken) -> Actor:
    """Who the audit log says imported it: the token, by name (may import conversations only)."""
    return Actor(
        id=None, username=f"api:{token.id}"[:64], role=Role.support, name=_("API token '{name}'", name=token.name)
    )


def _check_body(body: Any, known: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Refused([FieldError("", _("Send one JSON object with the conversation's fields."))])
    errors = [
        FieldError(key, _("Unknown field; the fields are {fields} and timezone.", fields=", ".join(known)))
        for key in body
        if key not in known and key != "timezone"
    ]
    errors += [
        FieldError(key, _("Give a text, a number or true/false here."))
        for key, value in body.items()
        if value is not None and not isinstance(value, SCALARS)
    ]
    errors += [FieldError(key, _("This field is required.")) for key in required if body.get(key) in (None, "")]
    zone = body.get("timezone")
    if zone is not None and not isinstance(zone, str):
        errors.append(FieldError("timezone", _("Give an IANA time zone such as 'Europe/Berlin'.")))
    if errors:
        raise Refused(errors)
    return {key: value for key, value in body.items() if value is not None}


def _check_channel(session: Session, token: ApiToken, body: dict[str, Any]) -> Channel:
    channel = session.get(Channel, token.channel_id)
    if channel is None:
        raise NotFoundError(_("The token's channel no longer exists."))
    named = body.get("channel")
    if named is not None and channel_key(str(named)) != channel_key(channel.name):
        raise WrongChannel(
            _(
                "This token is for {channel}, not {named!r}; use that channel's token.",
                channel=channel.name,
                named=named,
            )
        )
    return channel


def _line(body: dict[str, Any]) -> tuple[str, dict[str, str]]:
    fields = {key: value for key, value in body.items() if key != "timezone"}
    return json.dumps(fields, ensure_ascii=False), {key: key for key in fields}


def _refused(report: ImportReport) -> Refused:
    return Refused([FieldError(e.column, e.message) for e in report.errors])


def _result(session: Session, conversation_id: int, *, created: bool, messages: int) -> Ingested:
    session.expire_all()
    row = session.get(Conversation, conversation_id)
    assert row is not None
    return Ingested(conversation_id, created, messages, row.deadline_at, row.first_reply_at, row.status)


def _stored(session: Session, channel_id: int, external_id: str) -> Conversation | None:
    return session.exec(
        select(Conversation).where(Conversation.channel_id == channel_id, Conversation.external_id == external_id)
    ).first()


def ingest_conversation(*, session: Session, token: ApiToken, body: Any, now: dt.datetime | None = None) -> Ingested:
    """Store one conversation (or fill in a known one) through the import; idempotent by external id."""
    fields = _check_body(body, CONVERSATION_KEYS, ("external_id", "received", "author"))
    channel = _check_channel(session, token, fields)
    fields.pop("channel", None)
    data, mapping = _line(fields)
    options = ImportOptions(
        channel_id=channel.id, mapping=mapping, timezone=fields.get("timezone"), file_name=f"API ({token.name})"
    )
    report = _nothing_new_undone(
        session,
        lambda: import_conversations(session=session, actor=api_actor(token), data=data, options=options, now=now),
    )
    if not report.ok:
        raise _refused(report)
    stored = _stored(session, token.channel_id, str(fields["external_id"]).strip())
    assert stored is not None and stored.id is not None
    _ensure_root_message(session, stored, now=now or utcnow())
    return _result(session, stored.id, created=report.created == 1, messages=report.messages)


def _nothing_new_undone(session: Session, run: Callable[[], ImportReport]) -> ImportReport:
    """Run an import; a replay that adds nothing leaves no trace (not even an import batch)."""
    savepoint = session.begin_nested()
    report = run()
    if report.ok and not (report.created or report.updated or report.messages):
        savepoint.rollback()
    else:
        savepoint.commit()
    return report


def _ensure_root_message(session: Session, conversation: Conversation, *, now: dt.datetime) -> None:
    """The community's own message starts the thread, so replies sent later join it."""
    m = ConversationMessage
    known = session.exec(
        select(m.id).where(m.conversation_id == conversation.id, col(m.external_id) == conversation.external_id)
    ).first()
    if known is not None:
        return
    session.add(
        ConversationMessage(
            conversation_id=conversation.id or 0,
            external_id=conversation.external_id,
            sent_at=conversation.received_at,
            author_handle=conversation.author_handle,
            text=conversation.text[: max_length(ConversationMessage, "text")],
            source=MessageSource.api,
            created_at=now,
        )
    )
    session.flush()


def ingest_reply(
    *, session: Session, token: ApiToken, external_id: str, body: Any, now: dt.datetime | None = None
) -> Ingested:
    """Add one message to the thread of the conversation ``external_id`` of the token's channel."""
    fields = _check_body(body, (*REPLY_KEYS, "channel"), ("message_id", "sent"))
    _check_channel(session, token, fields)
    fields.pop("channel", None)
    conversation = _stored(session, token.channel_id, external_id)
    if conversation is None or conversation.id is None:
        raise NotFoundError(
            _("No conversation with the external id {id!r} in this channel; send it first.", id=external_id)
        )
    _ensure_root_message(session, conversation, now=now or utcnow())
    fields["in_reply_to"] = external_id
    if fields.get("from_team") and not fields.get("author"):
        fields["author"] = "team"
    data, mapping = _line(fields)
    options = ImportOptions(
        channel_id=token.channel_id, mapping=mapping, timezone=fields.get("timezone"), file_name=f"API ({token.name})"
    )
    report = _nothing_new_undone(
        session, lambda: import_messages(session=session, actor=api_actor(token), data=data, options=options, now=now)
    )
    if not report.ok:
        raise _refused(report)
    return _result(session, conversation.id, created=False, messages=report.messages)
