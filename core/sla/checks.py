"""What the SLA's modules share when they check and store input: text limits read from db/models.py,
links, kinds, and the key of a stored row."""

from __future__ import annotations

from annotated_types import MaxLen
from sqlmodel import SQLModel

from core.errors import ValidationError
from db.models import ConversationKind

KINDS: tuple[str, ...] = tuple(k.value for k in ConversationKind)


def text_limit(model: type[SQLModel], field: str) -> int:
    """The most characters the column ``model.field`` stores, as db/models.py declares it."""
    for constraint in model.model_fields[field].metadata:
        if isinstance(constraint, MaxLen):
            return constraint.max_length
    raise LookupError(f"{model.__name__}.{field} declares no max_length")


def is_web_link(text: str) -> bool:
    """Whether a link is one a browser opens safely (no javascript:, ftp:, file: …)."""
    return text.lower().startswith(("https://", "http://"))


def check_kind(kind: str) -> str:
    """A conversation kind, or a message listing the kinds there are."""
    if kind not in KINDS:
        raise ValidationError(f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}.")
    return kind


def stored_id(value: int | None) -> int:
    """The key of a row read from (or just flushed to) the database, which always has one."""
    if value is None:
        raise AssertionError("a stored row without an id")
    return value
