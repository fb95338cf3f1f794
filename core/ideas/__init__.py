"""The idea board: feedback from comments, forms and surveys becomes a prioritised backlog.

Rooms, by layer:

- ``rules``   — pure rules: status flow, scores and quick wins, handles, title similarity, cleaning input;
- ``queries`` — the board's read models: board, kanban, table pages, Impact/Cost matrix, quick wins, hot plan;
- ``detail``  — one idea up close: detail, givers (with merged ideas), look-alike titles, merge candidates;
- ``capture`` — logging ideas, givers, support and the team's votes; editing what an idea says;
- ``triage``  — the lead's status moves, scores, quick-win rule and the hot plan;
- ``merges``  — merging duplicates and undoing a merge exactly;
- ``files``   — survey/form CSV import and the board's CSV export.

Write inputs with many fields are models beside the table (``db.models.IdeaCreate``, ``IdeaUpdate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session

from core.ideas import capture, files, queries, triage
from core.ideas import detail as _detail
from core.ideas import merges as _merges
from core.permissions import Actor
from db.models import IdeaCreate, IdeaSource

# Transitional: names other domains still import from here; the lead removes this after the merge.
# The functions keep the old call shape (the session first, by position) for the loop, the CLI, the
# demo and their tests; the services themselves take ``session=`` by keyword.
ImportMapping = files.ImportMapping
guess_mapping = files.guess_mapping
read_csv = files.read_csv
category_suggestions = _detail.category_suggestions


def givers(session: Session, idea_ids: Iterable[int]) -> list[tuple[str, int | None]]:
    return _detail.givers(session=session, idea_ids=idea_ids)


def get_idea(session: Session, *, idea_id: int) -> queries.IdeaView:
    return queries.get_idea(session=session, idea_id=idea_id)


def log_idea(
    session: Session,
    *,
    actor: Actor,
    title: str,
    description: str = "",
    source: str = IdeaSource.team,
    channel_id: int | None = None,
    source_url: str = "",
    handles: str | Sequence[str] = "",
    category: str = "",
) -> queries.IdeaView:
    idea_in = IdeaCreate(
        title=title,
        description=description,
        source=source,
        channel_id=channel_id,
        source_url=source_url,
        handles=handles if isinstance(handles, str) else list(handles),
        category=category,
    )
    return capture.log_idea(session=session, actor=actor, idea_in=idea_in)


def set_status(
    session: Session, *, actor: Actor, idea_id: int, status: str, expected_version: int, reason: str = ""
) -> queries.IdeaView:
    return triage.set_status(
        session=session,
        actor=actor,
        idea_id=idea_id,
        status=status,
        expected_version=expected_version,
        reason=reason,
    )


def merge(
    session: Session, *, actor: Actor, source_id: int, target_id: int, expected_version: int
) -> _merges.MergeResult:
    return _merges.merge(
        session=session, actor=actor, source_id=source_id, target_id=target_id, expected_version=expected_version
    )


def preview_import(
    session: Session,
    *,
    data: bytes,
    mapping: files.ImportMapping,
    source: str = IdeaSource.survey,
    default_channel_id: int | None = None,
) -> files.ImportPreview:
    return files.preview_import(
        session=session, data=data, mapping=mapping, source=source, default_channel_id=default_channel_id
    )


def import_ideas(
    session: Session,
    *,
    actor: Actor,
    data: bytes,
    mapping: files.ImportMapping,
    source: str = IdeaSource.survey,
    default_channel_id: int | None = None,
) -> files.ImportResult:
    return files.import_ideas(
        session=session,
        actor=actor,
        data=data,
        mapping=mapping,
        source=source,
        default_channel_id=default_channel_id,
    )


def export_csv(session: Session, *, actor: Actor) -> str:
    return files.export_csv(session=session, actor=actor)
