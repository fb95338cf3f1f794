"""The quick-answer library: scripts for typical questions and FAQ entries (paper §5, §12).

Support writes and edits entries (``Action.manage_quick_answers``); everyone who may open the
SLA monitor reads and searches them. Each logged reply that used an entry counts one use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from core import records
from core.errors import NotFoundError, ValidationError
from core.permissions import Action, Actor, require
from db.models import QuickAnswer

SEARCH_LIMIT = 50


class QuickAnswerKind(StrEnum):
    script = "script"  # a reply to adapt and send
    faq = "faq"  # an FAQ or guide entry to link to


@dataclass(frozen=True)
class QuickAnswerView:
    id: int
    title: str
    category: str
    text: str
    link: str
    kind: str
    use_count: int
    version: int


def _view(answer: QuickAnswer) -> QuickAnswerView:
    return QuickAnswerView(
        answer.id,
        answer.title,
        answer.category,
        answer.text,
        answer.link,
        answer.kind,
        answer.use_count,
        answer.version,  # type: ignore[arg-type]
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    session: Session, *, query: str = "", category: str | None = None, limit: int = SEARCH_LIMIT
) -> list[QuickAnswerView]:
    """Entries whose title, text or category contain every word of ``query`` (case-insensitive),
    the most used first."""
    statement = select(QuickAnswer)
    for word in query.split():
        pattern = f"%{_escape_like(word.lower())}%"
        statement = statement.where(
            or_(
                func.lower(QuickAnswer.title).like(pattern, escape="\\"),
                func.lower(QuickAnswer.text).like(pattern, escape="\\"),
                func.lower(QuickAnswer.category).like(pattern, escape="\\"),
            )
        )
    if category:
        statement = statement.where(QuickAnswer.category == category)
    statement = statement.order_by(
        col(QuickAnswer.use_count).desc(), col(QuickAnswer.title), col(QuickAnswer.id)
    ).limit(limit)
    return [_view(a) for a in session.exec(statement)]


def categories(session: Session) -> list[str]:
    return [c for c in session.exec(select(QuickAnswer.category).distinct().order_by(col(QuickAnswer.category))) if c]


def get(session: Session, quick_answer_id: int) -> QuickAnswerView:
    return _view(records.get_or_404(session, QuickAnswer, quick_answer_id, what="Quick answer"))


def _clean(*, title: str, category: str, text: str, link: str, kind: str) -> dict[str, str]:
    title, category, text, link, kind = (
        (title or "").strip(),
        (category or "").strip(),
        (text or "").strip(),
        (link or "").strip(),
        (kind or "").strip(),
    )
    if not title:
        raise ValidationError("Give the quick answer a title, e.g. 'Reset your password'.")
    if len(title) > 200:
        raise ValidationError("The title is longer than 200 characters; shorten it.")
    if not text:
        raise ValidationError("Write the answer text people will copy.")
    if len(category) > 80:
        raise ValidationError("The category is longer than 80 characters; shorten it.")
    if link and not link.lower().startswith(("https://", "http://")):
        raise ValidationError("The link must start with https:// (or http://); leave it empty if there is no guide.")
    if len(link) > 1000:
        raise ValidationError("The link is longer than 1000 characters.")
    if kind not in {k.value for k in QuickAnswerKind}:
        raise ValidationError("The kind must be 'script' (a reply to send) or 'faq' (an FAQ or guide entry).")
    return {"title": title, "category": category, "text": text, "link": link, "kind": kind}


def create_quick_answer(
    session: Session,
    *,
    actor: Actor,
    title: str,
    text: str,
    category: str = "",
    link: str = "",
    kind: str = QuickAnswerKind.script,
) -> QuickAnswerView:
    require(actor, Action.manage_quick_answers)
    fields = _clean(title=title, category=category, text=text, link=link, kind=kind)
    return _view(records.create(session, QuickAnswer(**fields), actor=actor, action="quick_answer.create"))


def update_quick_answer(
    session: Session,
    *,
    actor: Actor,
    quick_answer_id: int,
    expected_version: int,
    title: str,
    text: str,
    category: str = "",
    link: str = "",
    kind: str = QuickAnswerKind.script,
) -> QuickAnswerView:
    require(actor, Action.manage_quick_answers)
    fields = _clean(title=title, category=category, text=text, link=link, kind=kind)
    answer = records.update_versioned(
        session,
        QuickAnswer,
        quick_answer_id,
        expected_version=expected_version,
        changes=fields,
        actor=actor,
        action="quick_answer.update",
    )
    return _view(answer)


def record_use(session: Session, quick_answer_id: int) -> None:
    """Count one use (an atomic increment: a concurrent edit of the text is not a conflict)."""
    result = session.execute(
        update(QuickAnswer.__table__)  # type: ignore[attr-defined]
        .where(QuickAnswer.__table__.c.id == quick_answer_id)  # type: ignore[attr-defined]
        .values(use_count=QuickAnswer.__table__.c.use_count + 1)  # type: ignore[attr-defined]
    )
    if result.rowcount != 1:
        raise NotFoundError(f"Quick answer #{quick_answer_id} does not exist (any more); pick another one.")
