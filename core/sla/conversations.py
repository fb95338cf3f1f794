"""Working conversations: log one by hand, set the post it answers, assign, log replies (kept as
text in its thread), escalate, resolve, "no reply needed", UGC marks.

Every action is one versioned, audited update (``records.update_versioned``): a second person
acting on a conversation someone else changed meanwhile gets a ``ConflictError``. The first human
public reply stops the SLA clock: its business and calendar minutes are fixed on the row with the
calendar of the policy the conversation was stored under.

Who may act: roles that work conversations, and — on a conversation escalated to their team — the
team's responsible and accountable people whatever their role (``core.sla.escalations``); such a
scoped right is audited beside the action it allowed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select

from core import audit, events, formats, i18n, records
from core.errors import ValidationError
from core.i18n import N_, _
from core.permissions import Action, Actor, require, require_on
from core.sla.calendars import calendar_from_json
from core.sla.checks import check_kind, is_web_link
from core.sla.escalations import escalation_deadline, escalation_grant, team_people
from core.sla.figures import needs_reply, reply_figures
from core.sla.policies import store_conversation_figures
from core.sla.queues import ConversationRow, conversation_rows
from core.sla.quick_answers import record_use
from core.sla.threads import add_team_reply, clean_reply_text
from core.sla.watch import WatchBook, apply_watch, check_post_for, post_from_link, watched_post
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


# What a time is, in the messages about it: one whole sentence per time (German word order).
RECEIVED, REPLIED = "received", "reply"
_NEEDS_ZONE = {
    RECEIVED: N_("The received time needs a date, a time and a time zone."),
    REPLIED: N_("The reply time needs a date, a time and a time zone."),
}
_IN_FUTURE = {
    RECEIVED: N_("The received time {time} UTC is in the future; check the date and time."),
    REPLIED: N_("The reply time {time} UTC is in the future; check the date and time."),
}


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(_(_NEEDS_ZONE[what]))
    return value.astimezone(dt.UTC)


def _not_future(value: dt.datetime, what: str, now: dt.datetime) -> None:
    if value > now + FUTURE_TOLERANCE:
        raise ValidationError(_(_IN_FUTURE[what], time=formats.date_time(value.astimezone(dt.UTC))))


def get_conversation(session: Session, *, conversation_id: int, now: dt.datetime | None = None) -> ConversationRow:
    rows = conversation_rows(session, ids=[conversation_id], now=now)
    if not rows:
        records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    return rows[0]


def authorise(*, session: Session, actor: Actor, conversation_id: int) -> str | None:
    """``require(work_conversations)`` for one conversation: a role that works conversations, or
    the responsible or accountable people of the team it is escalated to. Returns the scoped
    right used (None when the role allows it)."""
    grant = None
    if actor.id is not None:
        with i18n.using(i18n.SOURCE_LANGUAGE):  # the audit keeps the right in English
            grant = escalation_grant(session, user_id=actor.id, conversation_id=conversation_id)
    return require_on(actor, Action.work_conversations, grant=grant, record=f"conversation #{conversation_id}")


def _update(
    session: Session,
    *,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    changes: dict[str, Any],
    action: str,
    grant: str | None = None,
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
    if grant is not None:
        audit.record_change(
            session,
            actor=actor,
            action="conversation.scoped_right",
            entity="conversation",
            entity_id=conversation_id,
            after={"right": grant, "used_for": action},
        )
    return get_conversation(session, conversation_id=conversation_id)


def log_conversation(
    *, session: Session, actor: Actor, conversation_in: ConversationCreate, now: dt.datetime | None = None
) -> ConversationRow:
    """Store a conversation typed in by hand; the policy that fits it fixes its SLA figures."""
    require(actor, Action.work_conversations)
    check_input_text(conversation_in, labels={"author_handle": _("author's handle")})
    now = now or utcnow()
    received_at = _aware(conversation_in.received_at, RECEIVED)
    _not_future(received_at, RECEIVED, now)
    handle = (conversation_in.author_handle or "").strip()
    if not handle:
        raise ValidationError(_("Who wrote it? Enter the author's handle, e.g. @mila."))
    limit = max_length(Conversation, "author_handle")
    if len(handle) > limit:
        raise ValidationError(_("The author's handle is longer than {limit} characters.", limit=limit))
    kind = check_kind(conversation_in.kind)
    channel_id = conversation_in.channel_id
    if session.get(Channel, channel_id) is None:
        raise ValidationError(_("Channel #{id} does not exist; pick one from the list.", id=channel_id))
    link = conversation_in.link.strip()
    if link and not is_web_link(link):
        raise ValidationError(_("The link must start with https:// (or http://)."))
    category = conversation_in.category.strip()
    limit = max_length(Conversation, "category")
    if len(category) > limit:
        raise ValidationError(_("The category is longer than {limit} characters.", limit=limit))
    external_id = (conversation_in.external_id or "").strip() or None
    if external_id is not None:
        taken = select(Conversation.id).where(
            Conversation.channel_id == channel_id, Conversation.external_id == external_id
        )
        if session.exec(taken).first() is not None:
            raise ValidationError(
                _("A conversation with the id {id!r} exists already in this channel.", id=external_id)
            )
    if conversation_in.post_id is not None:
        post_id: int | None = check_post_for(watched_post(session, conversation_in.post_id), channel_id=channel_id).id
    else:
        post_id = post_from_link(session, channel_id=channel_id, link=link)
    conversation = Conversation(
        channel_id=channel_id,
        kind=kind,
        author_handle=handle,
        text=conversation_in.text.strip(),
        link=link,
        category=category,
        received_at=received_at,
        external_id=external_id,
        post_id=post_id,
    )
    store_conversation_figures(session, conversation)
    apply_watch(session, conversation)
    records.create(session, conversation, actor=actor, action="conversation.create")
    return get_conversation(session, conversation_id=records.stored_id(conversation.id), now=now)


def set_post(
    *, session: Session, actor: Actor, conversation_id: int, expected_version: int, post_id: int | None
) -> ConversationRow:
    """Say which published post of its channel the conversation answers (None: no post). A
    conversation nobody has taken goes to the post's SLA owner if it came in the watch window."""
    grant = authorise(session=session, actor=actor, conversation_id=conversation_id)
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    changes: dict[str, Any] = {"post_id": post_id}
    if post_id is not None:
        post = check_post_for(watched_post(session, post_id), channel_id=conversation.channel_id)
        book = WatchBook({post.id: post})
        assignee = book.assignee_for(
            post_id=post.id, assignee_id=conversation.assignee_id, received_at=conversation.received_at
        )
        if assignee != conversation.assignee_id:
            changes["assignee_id"] = assignee
    if conversation.post_id == post_id:
        raise ValidationError(
            _("The conversation is on that post already.") if post_id else _("It has no post already.")
        )
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes=changes,
        action="conversation.post",
        grant=grant,
    )


def assign_to_me(*, session: Session, actor: Actor, conversation_id: int, expected_version: int) -> ConversationRow:
    grant = authorise(session=session, actor=actor, conversation_id=conversation_id)
    if actor.id is None:
        raise ValidationError(_("Only a signed-in person can take a conversation."))
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={"assignee_id": actor.id},
        action="conversation.assign",
        grant=grant,
    )


def log_reply(
    *,
    session: Session,
    actor: Actor,
    conversation_id: int,
    expected_version: int,
    replied_at: dt.datetime | None = None,
    quick_answer_id: int | None = None,
    text: str = "",
    now: dt.datetime | None = None,
) -> ConversationRow:
    """Log a human public reply, kept as text in the thread (the quick answer's text when none
    is typed). The first one stops the SLA clock (its minutes are fixed on the row); the quick
    answer used, if any, is recorded and counted."""
    grant = authorise(session=session, actor=actor, conversation_id=conversation_id)
    text = clean_reply_text(text)
    now = now or utcnow()
    replied_at = now if replied_at is None else _aware(replied_at, REPLIED)
    _not_future(replied_at, REPLIED, now)
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    changes: dict[str, Any] = {}
    if conversation.first_reply_at is None:
        if replied_at < conversation.received_at:
            raise ValidationError(
                _(
                    "The reply time {replied} UTC is before the message arrived ({received} UTC); "
                    "check the date and time.",
                    replied=formats.date_time(replied_at.astimezone(dt.UTC)),
                    received=formats.date_time(conversation.received_at.astimezone(dt.UTC)),
                )
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
    if not changes and not text:
        raise ValidationError(
            _(
                "The first reply was logged already; write the text of the next reply (or pick a quick answer) "
                "to add it to the thread."
            )
        )
    replied = _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes=changes,
        action="conversation.reply",
        grant=grant,
    )
    add_team_reply(
        session,
        actor=actor,
        conversation_id=conversation_id,
        sent_at=replied_at,
        text=text,
        quick_answer_id=quick_answer_id,
    )
    return replied


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
    """Hand a conversation to a team (when and why are kept): it is assigned to the team's first
    responsible person and gets the team's escalation deadline in business time; the team's
    consulted and informed people are told (``core.events.escalated``)."""
    grant = authorise(session=session, actor=actor, conversation_id=conversation_id)
    reason = check_plain_text(reason or "", field=_("reason for the escalation")).strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(_("Say why it is escalated, so the team knows what to do."))
    team = session.get(EscalationTeam, team_id)
    if team is None:
        raise ValidationError(_("Escalation team #{id} does not exist; pick one from the list.", id=team_id))
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    if conversation.status == ConversationStatus.resolved:
        raise ValidationError(_("This conversation is resolved; there is nothing left to escalate."))
    responsible = team_people(session, team_id).responsible
    if not responsible:
        raise ValidationError(
            _(
                "Nobody is responsible for {team} escalations yet; a lead names the team's responsible people "
                "on the Escalation teams tab.",
                team=team.name,
            )
        )
    escalated_at = now or utcnow()
    row = _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={
            "escalation_team_id": team_id,
            "escalated_at": escalated_at,
            "escalation_reason": reason,
            "escalation_deadline_at": escalation_deadline(
                session, team=team, conversation=conversation, escalated_at=escalated_at
            ),
            "assignee_id": responsible[0],
        },
        action="conversation.escalate",
        grant=grant,
    )
    events.escalated(session, conversation=conversation, team=team, actor=actor)
    return row


def resolve(
    *, session: Session, actor: Actor, conversation_id: int, expected_version: int, now: dt.datetime | None = None
) -> ConversationRow:
    grant = authorise(session=session, actor=actor, conversation_id=conversation_id)
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    if conversation.status == ConversationStatus.resolved:
        raise ValidationError(_("This conversation is resolved already."))
    if conversation.first_reply_at is None and needs_reply(conversation.kind, conversation.status):
        raise ValidationError(
            _("This conversation has no reply yet: log the reply first, or mark it 'no reply needed' with a reason.")
        )
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={"status": ConversationStatus.resolved, "resolved_at": now or utcnow()},
        action="conversation.resolve",
        grant=grant,
    )


def mark_no_reply_needed(
    *, session: Session, actor: Actor, conversation_id: int, expected_version: int, reason: str
) -> ConversationRow:
    """Take a conversation out of "needs a reply"; the reason is required and audited."""
    grant = authorise(session=session, actor=actor, conversation_id=conversation_id)
    reason = check_plain_text(reason or "", field=_("reason")).strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(_("Give a reason why no reply is needed (e.g. 'spam', 'thanked with a reaction')."))
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    if conversation.first_reply_at is not None:
        raise ValidationError(_("This conversation was answered already; resolve it instead."))
    if conversation.status == ConversationStatus.resolved:
        raise ValidationError(_("This conversation is resolved already."))
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes={"status": ConversationStatus.no_reply_needed, "no_reply_reason": reason},
        action="conversation.no_reply_needed",
        grant=grant,
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
    grant = authorise(session=session, actor=actor, conversation_id=conversation_id)
    conversation = records.get_or_404(session, Conversation, conversation_id, what=_("Conversation"))
    changes: dict[str, Any] = {}
    if useful is not None:
        if conversation.kind != ConversationKind.ugc and useful:
            raise ValidationError(_("Only user-generated content (kind 'ugc') can be marked useful."))
        changes["useful"] = bool(useful)
    if best is not None:
        changes["best"] = bool(best)
    if not changes:
        raise ValidationError(_("Nothing to change: choose useful and/or best."))
    return _update(
        session,
        actor=actor,
        conversation_id=conversation_id,
        expected_version=expected_version,
        changes=changes,
        action="conversation.mark",
        grant=grant,
    )
