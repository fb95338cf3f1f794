"""Counts kept on a row so that lists can sort by them through an index: an idea's demand (how
many givers it has) and its votes.

Every ORM write of a giver or a vote notes the ideas it touches. After each flush those ideas are
locked and their counts taken afresh from the rows, in the same transaction, so a read later in
the transaction sees them too. A recount cannot drift the way an increment can, and the lock makes
a second transaction that touches the same idea wait and then count what the first one committed.
Writes that bypass the ORM (an import's bulk insert, a merge moving rows) call ``touch`` with the
ideas they changed: those are recounted at the next flush, at the latest before the commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session as OrmSession

from db.models import Idea, IdeaGiver, Vote

_TOUCHED = "dialogdesk_touched_ideas"
_CHUNK = 500


def touch(session: OrmSession, idea_ids: Iterable[int | None]) -> None:
    """Recount these ideas' demand and votes at the next flush (at the latest before the commit)."""
    session.info.setdefault(_TOUCHED, set()).update(i for i in idea_ids if i is not None)


def recount(session: OrmSession, idea_ids: Iterable[int]) -> None:
    """Set the ideas' demand and votes to the number of their givers and votes, now."""
    ids = sorted(set(idea_ids))
    idea = Idea.__table__  # type: ignore[attr-defined]
    givers = IdeaGiver.__table__  # type: ignore[attr-defined]
    votes = Vote.__table__  # type: ignore[attr-defined]
    locking = session.get_bind().dialect.name != "sqlite"  # SQLite lets one writer in at a time
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        if locking:
            session.execute(select(idea.c.id).where(idea.c.id.in_(chunk)).order_by(idea.c.id).with_for_update())
        session.execute(
            update(idea)
            .where(idea.c.id.in_(chunk))
            .values(
                demand=select(func.count()).where(givers.c.idea_id == idea.c.id).scalar_subquery(),
                votes=select(func.count()).where(votes.c.idea_id == idea.c.id).scalar_subquery(),
            )
        )


def recount_all(session: OrmSession) -> None:
    """Every idea's counts (after rows were written without the ORM and without ``touch``)."""
    idea = Idea.__table__  # type: ignore[attr-defined]
    recount(session, session.execute(select(idea.c.id)).scalars())


@event.listens_for(OrmSession, "after_flush")
def _note_touched(session: OrmSession, _flush_context: object) -> None:
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, IdeaGiver | Vote):
            history = inspect(row).attrs.idea_id.history
            touch(session, [row.idea_id, *(history.deleted or ())])


@event.listens_for(OrmSession, "after_flush_postexec")
def _recount_touched(session: OrmSession, _flush_context: object) -> None:
    """After each flush, so that reads later in the same transaction see the counts too."""
    touched = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    recount(session, touched)
    for idea_id in touched:  # an idea loaded in this session reads its new counts
        loaded = session.identity_map.get(session.identity_key(Idea, idea_id))
        if loaded is not None:
            session.expire(loaded, ["demand", "votes"])


@event.listens_for(OrmSession, "before_commit")
def _flush_touched(session: OrmSession) -> None:
    """Counts touched without the ORM (``touch``) are recounted before the commit."""
    if session.info.get(_TOUCHED):
        recount_now(session)


def recount_now(session: OrmSession) -> None:
    """Recount the ideas touched so far in this transaction (reads that follow see the counts)."""
    _recount_touched(session, None)


@event.listens_for(OrmSession, "after_rollback")
def _forget_touched(session: OrmSession) -> None:
    session.info.pop(_TOUCHED, None)
