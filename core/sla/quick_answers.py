"""The quick-answer library: scripts for typical questions and FAQ entries (paper §5, §12).

Support writes and edits entries (``Action.manage_quick_answers``); everyone who may open the
SLA monitor reads and searches them. Each logged reply that used an entry counts one use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import CursorResult, func, or_, update
from sqlmodel import Session, col, select

from core import records
from core.errors import NotFoundError, ValidationError
from core.i18n import _
from core.permissions import Action, Actor, require
from core.sla.checks import is_web_link
from core.text import check_input_text
from db.models import QuickAnswer, QuickAnswerCreate, QuickAnswerUpdate, max_length

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
        records.stored_id(answer.id),
        answer.title,
        answer.category,
        answer.text,
        answer.link,
        answer.kind,
        answer.use_count,
        answer.version,
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


def _checked(*, title: str, category: str, text: str, link: str, kind: str) -> QuickAnswerCreate:
    """An entry's fields, tidied, or a message saying what to fix."""
    title, category, text, link, kind = (
        (title or "").strip(),
        (category or "").strip(),
        (text or "").strip(),
        (link or "").strip(),
        (kind or "").strip(),
    )
    if not title:
        raise ValidationError(_("Give the quick answer a title, e.g. 'Reset your password'."))
    limit = max_length(QuickAnswer, "title")
    if len(title) > limit:
        raise ValidationError(_("The title is longer than {limit} characters; shorten it.", limit=limit))
    if not text:
        raise ValidationError(_("Write the answer text people will copy."))
    limit = max_length(QuickAnswer, "category")
    if len(category) > limit:
        raise ValidationError(_("The category is longer than {limit} characters; shorten it.", limit=limit))
    if link and not is_web_link(link):
        raise ValidationError(_("The link must start with https:// (or http://); leave it empty if there is no guide."))
    limit = max_length(QuickAnswer, "link")
    if len(link) > limit:
        raise ValidationError(_("The link is longer than {limit} characters.", limit=limit))
    if kind not in {k.value for k in QuickAnswerKind}:
        raise ValidationError(_("The kind must be 'script' (a reply to send) or 'faq' (an FAQ or guide entry)."))
    return QuickAnswerCreate(title=title, category=category, text=text, link=link, kind=kind)


def create_quick_answer(*, session: Session, actor: Actor, answer_in: QuickAnswerCreate) -> QuickAnswerView:
    require(actor, Action.manage_quick_answers)
    check_input_text(answer_in)
    checked = _checked(**answer_in.model_dump())
    return _view(
        records.create(session, QuickAnswer.model_validate(checked), actor=actor, action="quick_answer.create")
    )


def update_quick_answer(
    *, session: Session, actor: Actor, quick_answer_id: int, expected_version: int, answer_in: QuickAnswerUpdate
) -> QuickAnswerView:
    """Change the fields given (the others keep their stored values)."""
    require(actor, Action.manage_quick_answers)
    check_input_text(answer_in)
    answer = records.get_or_404(session, QuickAnswer, quick_answer_id, what=_("Quick answer"))
    wanted = {name: getattr(answer, name) for name in QuickAnswerUpdate.model_fields} | answer_in.model_dump(
        exclude_unset=True
    )
    checked = _checked(**wanted)
    updated = records.update_versioned(
        session,
        QuickAnswer,
        quick_answer_id,
        expected_version=expected_version,
        changes=checked.model_dump(),
        actor=actor,
        action="quick_answer.update",
    )
    return _view(updated)


def record_use(*, session: Session, quick_answer_id: int) -> None:
    """Count one use (an atomic increment: a concurrent edit of the text is not a conflict)."""
    table = QuickAnswer.__table__  # type: ignore[attr-defined]
    result = session.execute(update(table).where(table.c.id == quick_answer_id).values(use_count=table.c.use_count + 1))
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise NotFoundError(_("Quick answer #{id} does not exist (any more); pick another one.", id=quick_answer_id))
