"""published posts get their planned time back

Until now "Mark as published" wrote the publication time over the planned time (``scheduled_at``)
when a post was marked before its plan. From now on ``scheduled_at`` is always the plan and
``published_at`` when the post went out. The planned time of posts published before is in the
audit log (the ``before`` of their ``post.publish`` row): this puts it back. The schema does not
change, so a downgrade leaves the restored times as they are.

Revision ID: 0008
Revises: 0007

"""

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The two tables as this revision knows them (not the models, which move on).
_post = sa.table(
    "post",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("scheduled_at", db.types.UTCDateTime()),
    sa.column("published_at", db.types.UTCDateTime()),
)
_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("before", sa.Text()),
)


def _planned_times(connection: sa.Connection) -> dict[int, dt.datetime]:
    """Each published post's planned time as the publish step found it (only where publishing
    changed it; the audit row's ``before`` holds the changed fields)."""
    rows = connection.execute(
        sa.select(_audit.c.entity_id, _audit.c.before)
        .where(_audit.c.entity == "post", _audit.c.action == "post.publish", _audit.c.entity_id.is_not(None))
        .order_by(_audit.c.id)
    )
    planned: dict[int, dt.datetime] = {}
    for post_id, before in rows:
        value = json.loads(before or "{}").get("scheduled_at")
        if value:
            at = dt.datetime.fromisoformat(value)
            planned[post_id] = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return planned


def upgrade() -> None:
    connection = op.get_bind()
    for post_id, planned in _planned_times(connection).items():
        connection.execute(
            sa.update(_post)
            .where(
                _post.c.id == post_id,
                _post.c.status == "published",
                # Still the time publishing wrote (a published post is never edited again).
                _post.c.scheduled_at == _post.c.published_at,
            )
            .values(scheduled_at=planned)
        )


def downgrade() -> None:
    # Nothing to undo in the schema; the planned times stay (the old code reads them as they are).
    pass
