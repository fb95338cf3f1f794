"""Merging a duplicate idea into another, and undoing a merge exactly.

A merge of B into A moves B's givers and votes to A except those already on A, and marks each
moved row with where it came from (``origin_idea_id``), so an undo puts exactly those rows back,
one step at a time when merges were nested.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, case, func, literal, update
from sqlmodel import Session, col, select

from core import audit, records
from core.errors import ValidationError
from core.i18n import _
from core.ideas.detail import merged_subtree
from core.permissions import Action, Actor, require
from db import counters
from db.models import Idea, IdeaGiver, Vote

# The rows a merge moves (bulk updates of the tables, audited once on the ideas).
_GIVERS: Table = IdeaGiver.__table__  # type: ignore[attr-defined]
_VOTES: Table = Vote.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MergeResult:
    source_id: int
    target_id: int
    givers_moved: int
    votes_moved: int
    givers_already_there: int
    votes_already_there: int


def merge(*, session: Session, actor: Actor, source_id: int, target_id: int, expected_version: int) -> MergeResult:
    """Merge duplicate ``source`` into ``target``: the source's givers and votes move to the target
    except people already there (no double counting); the source leaves the board, marked "merged
    into" the target. ``expected_version`` is the source's."""
    require(actor, Action.triage_idea)
    if source_id == target_id:
        raise ValidationError(_("Pick another idea to merge into; an idea cannot be merged into itself."))
    source = records.get_or_404(session, Idea, source_id, what=_("Idea"))
    target = records.get_or_404(session, Idea, target_id, what=_("Idea"))
    if source.merged_into_id is not None:
        raise ValidationError(
            _("Idea #{id} is merged into #{target} already.", id=source_id, target=source.merged_into_id)
        )
    if target.merged_into_id is not None:
        raise ValidationError(
            _(
                "Idea #{id} is itself merged into #{target}; merge into #{target} instead.",
                id=target_id,
                target=target.merged_into_id,
            )
        )
    if source.hot_plan_position is not None:
        raise ValidationError(
            _(
                "Idea #{id} is in the hot plan; take it off the hot plan (or merge the other way round) first.",
                id=source_id,
            )
        )

    target_people = set(session.exec(select(IdeaGiver.handle_key).where(col(IdeaGiver.idea_id) == target_id)))
    source_givers = session.exec(
        select(IdeaGiver.id, IdeaGiver.handle_key).where(col(IdeaGiver.idea_id) == source_id)
    ).all()
    moving_givers = [i for i, key in source_givers if i is not None and key not in target_people]
    target_voters = set(session.exec(select(Vote.user_id).where(col(Vote.idea_id) == target_id)))
    source_votes = session.exec(select(Vote.id, Vote.user_id).where(col(Vote.idea_id) == source_id)).all()
    moving_votes = [i for i, user_id in source_votes if i is not None and user_id not in target_voters]

    # Rows keep the idea they first came from, so nested merges undo one step at a time.
    for table, ids in ((_GIVERS, moving_givers), (_VOTES, moving_votes)):
        if ids:
            session.execute(
                update(table)
                .where(table.c.id.in_(ids))
                .values(idea_id=target_id, origin_idea_id=func.coalesce(table.c.origin_idea_id, source_id))
            )
    counters.touch(session, [source_id, target_id])  # rows moved without the ORM
    session.expire_all()
    records.update_versioned(
        session,
        Idea,
        source_id,
        expected_version=expected_version,
        changes={"merged_into_id": target_id},
        actor=actor,
        action="idea.merge",
    )
    result = MergeResult(
        source_id,
        target_id,
        len(moving_givers),
        len(moving_votes),
        len(source_givers) - len(moving_givers),
        len(source_votes) - len(moving_votes),
    )
    audit.record_change(
        session,
        actor=actor,
        action="idea.merge_in",
        entity="idea",
        entity_id=target_id,
        after={"merged_idea_id": source_id, "giver_ids_moved": moving_givers, "vote_ids_moved": moving_votes},
    )
    return result


def undo_merge(*, session: Session, actor: Actor, idea_id: int, expected_version: int) -> MergeResult:
    """Undo the merge of ``idea_id``: the givers and votes that came from it (or from ideas merged
    into it) go back, and it returns to the board."""
    require(actor, Action.triage_idea)
    idea = records.get_or_404(session, Idea, idea_id, what=_("Idea"))
    if idea.merged_into_id is None:
        raise ValidationError(_("Idea #{id} is not merged into another idea.", id=idea_id))
    target_id = idea.merged_into_id
    subtree = merged_subtree(session, [idea_id])
    moved_back: dict[str, list[int]] = {}
    for name, table in (("givers", _GIVERS), ("votes", _VOTES)):
        found = session.execute(
            select(table.c.id, table.c.idea_id).where(
                table.c.origin_idea_id.in_(subtree), table.c.idea_id.not_in(subtree)
            )
        ).all()
        ids = [row.id for row in found]
        counters.touch(session, [idea_id, *(row.idea_id for row in found)])  # rows moved without the ORM
        if ids:
            session.execute(
                update(table)
                .where(table.c.id.in_(ids))
                .values(
                    idea_id=idea_id,
                    origin_idea_id=case(
                        (table.c.origin_idea_id == idea_id, literal(None)), else_=table.c.origin_idea_id
                    ),
                )
            )
        moved_back[name] = ids
    session.expire_all()
    records.update_versioned(
        session,
        Idea,
        idea_id,
        expected_version=expected_version,
        changes={"merged_into_id": None},
        actor=actor,
        action="idea.unmerge",
    )
    audit.record_change(
        session,
        actor=actor,
        action="idea.merge_undone",
        entity="idea",
        entity_id=target_id,
        after={
            "unmerged_idea_id": idea_id,
            "giver_ids_moved_back": moved_back["givers"],
            "vote_ids_moved_back": moved_back["votes"],
        },
    )
    return MergeResult(idea_id, target_id, len(moved_back["givers"]), len(moved_back["votes"]), 0, 0)
