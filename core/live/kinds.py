"""The kinds of event people are told about, their labels and default channels (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from core.errors import ValidationError
from core.i18n import N_, _
from db.models import NotifyChannel


class Kind(StrEnum):
    sla_at_risk = "sla_at_risk"
    sla_breached = "sla_breached"
    escalated = "escalated"
    review_requested = "review_requested"
    post_blocked = "post_blocked"
    post_unblocked = "post_unblocked"
    approval_given = "approval_given"
    mention = "mention"
    idea_shipped = "idea_shipped"
    digest_ready = "digest_ready"


@dataclass(frozen=True)
class KindInfo:
    label: str  # a marked constant: shown through ``_``
    default: NotifyChannel


KINDS: dict[Kind, KindInfo] = {
    Kind.sla_at_risk: KindInfo(N_("A conversation of mine is at risk of breaching its SLA"), NotifyChannel.in_app),
    Kind.sla_breached: KindInfo(N_("A conversation of mine breached its SLA"), NotifyChannel.in_app),
    Kind.escalated: KindInfo(N_("A conversation was escalated to my team"), NotifyChannel.in_app),
    Kind.review_requested: KindInfo(N_("A post waits for my review"), NotifyChannel.in_app),
    Kind.post_blocked: KindInfo(N_("A post of mine was blocked"), NotifyChannel.in_app),
    Kind.post_unblocked: KindInfo(N_("The block on a post of mine was lifted"), NotifyChannel.in_app),
    Kind.approval_given: KindInfo(N_("A post of mine was approved"), NotifyChannel.in_app),
    Kind.mention: KindInfo(N_("Someone mentioned me in a comment"), NotifyChannel.in_app),
    Kind.idea_shipped: KindInfo(N_("An idea I logged was shipped"), NotifyChannel.in_app),
    Kind.digest_ready: KindInfo(N_("The weekly digest is ready"), NotifyChannel.in_app),
}

CHANNEL_LABELS: dict[NotifyChannel, str] = {
    NotifyChannel.in_app: N_("In the app"),
    NotifyChannel.email: N_("E-mail (and in the app)"),
    NotifyChannel.webhook: N_("Team chat (and in the app)"),
    NotifyChannel.off: N_("Off"),
}

# Retries of an e-mail or chat message while the server is down: the wait before the next
# attempt (the last one repeats: nothing is dropped because a server was away for a day).
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 720)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after ``attempts`` failed attempts (1 or more)."""
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


def kind_of(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise ValidationError(
            _("Unknown kind of event {kind!r}; use one of {kinds}.", kind=value, kinds=", ".join(Kind))
        ) from None
