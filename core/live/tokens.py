"""The ingest API's keys: one per channel (a platform's webhook, an n8n flow, …), shown once when
created, stored as a SHA-256 hash (a random 256-bit key needs no slow hash), revoked any time."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from core import records
from core.errors import NotFoundError, ValidationError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.text import check_plain_text
from db.models import ApiToken, ApiTokenCreate, Channel, max_length
from db.types import utcnow

PREFIX = "ddk_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    channel_id: int
    channel: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewToken:
    view: TokenView
    token: str  # shown once, never stored


def create_token(*, session: Session, actor: Actor, token_in: ApiTokenCreate) -> NewToken:
    """A new key for one channel; the key itself is returned once and only its hash is kept."""
    require(actor, Action.manage_api_tokens)
    name = " ".join(check_plain_text(token_in.name, field=_("token name")).split())
    if not name:
        raise ValidationError(_("Name the token after what uses it, e.g. 'n8n Instagram flow'."))
    if len(name) > max_length(ApiToken, "name"):
        raise ValidationError(
            _("The token name is longer than {limit} characters.", limit=max_length(ApiToken, "name"))
        )
    channel = session.get(Channel, token_in.channel_id)
    if channel is None:
        raise ValidationError(_("Channel #{id} does not exist; pick one from the list.", id=token_in.channel_id))
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(channel_id=token_in.channel_id, name=name, token_hash=token_hash(token), created_by_id=actor.id)
    records.create(session, row, actor=actor, action="api_token.create")
    return NewToken(_view(row, channel.name), token)


def revoke_token(*, session: Session, actor: Actor, token_id: int) -> TokenView:
    require(actor, Action.manage_api_tokens)
    row = records.get_or_404(session, ApiToken, token_id, what=_("API token"))
    if row.revoked_at is None:
        records.update(session, row, {"revoked_at": utcnow()}, actor=actor, action="api_token.revoke")
    channel = session.get(Channel, row.channel_id)
    return _view(row, channel.name if channel else "")


def list_tokens(*, session: Session) -> tuple[TokenView, ...]:
    rows = session.exec(
        select(ApiToken, Channel).join(Channel, col(Channel.id) == ApiToken.channel_id).order_by(col(ApiToken.id))
    ).all()
    return tuple(_view(token, channel.name) for token, channel in rows)


def token_for(session: Session, token: str) -> ApiToken:
    """The active token row of a presented key, or ``NotFoundError`` (the API answers 401)."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None:
        raise NotFoundError(_("Unknown or revoked API token."))
    return row


def _view(row: ApiToken, channel: str) -> TokenView:
    return TokenView(
        id=records.stored_id(row.id),
        name=row.name,
        channel_id=row.channel_id,
        channel=channel,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
