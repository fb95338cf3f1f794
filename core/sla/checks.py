"""What the SLA's modules share when they check and store input: text limits read from db/models.py,
links, kinds, and the key of a stored row."""

from __future__ import annotations

from core.errors import ValidationError
from core.i18n import _
from db.models import ConversationKind

KINDS: tuple[str, ...] = tuple(k.value for k in ConversationKind)


def is_web_link(text: str) -> bool:
    """Whether a link is one a browser opens safely (no javascript:, ftp:, file: …)."""
    return text.lower().startswith(("https://", "http://"))


def check_kind(kind: str) -> str:
    """A conversation kind, or a message listing the kinds there are."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind {kind!r}; use one of {kinds}.", kind=kind, kinds=", ".join(KINDS)))
    return kind
