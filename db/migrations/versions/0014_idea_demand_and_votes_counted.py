"""idea demand and votes counted on the idea, the board's index, and three indexes the home and SLA screens' queries use

The idea board sorts each status column by demand (how many people gave the idea), then votes.
Counted per idea in the query, every idea of a status was counted to find the first eight (about
13,000 for "valid" at year scale). The counts now live on the idea (``db.counters`` keeps them in
step when a transaction commits) and ``ix_idea_board`` holds the ideas on the board (not merged
into another) by status and demand, so a column reads its first ideas straight from the index.

The counts are taken from the existing givers and votes on the way up.

Three indexes for queries that read every row of a status or a channel at year scale:
``ix_post_channel_status_published`` (a channel's published posts, newest first: the posts a
conversation may have come in on), ``ix_post_status_scheduled`` (posts waiting for approval that go
out today) and ``ix_idea_source_created`` (new ideas from the form since the rollout began).

Revision ID: 0014
Revises: 0013

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ON_THE_BOARD = "merged_into_id IS NULL"
_INDEXES = {
    "ix_post_channel_status_published": ("post", ["channel_id", "status", "published_at"]),
    "ix_post_status_scheduled": ("post", ["status", "scheduled_at"]),
    "ix_idea_source_created": ("idea", ["source", "created_at"]),
}


def upgrade() -> None:
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.add_column(sa.Column("demand", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("votes", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE idea SET"  # i18n: not text
        " demand = (SELECT count(*) FROM idea_giver WHERE idea_giver.idea_id = idea.id),"
        " votes = (SELECT count(*) FROM vote WHERE vote.idea_id = idea.id)"
    )
    op.create_index(
        "ix_idea_board",
        "idea",
        ["status", "demand", "votes", "created_at", "id"],
        unique=False,
        sqlite_where=sa.text(ON_THE_BOARD),
        postgresql_where=sa.text(ON_THE_BOARD),
    )
    for name, (table, columns) in _INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _columns) in _INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_index("ix_idea_board", table_name="idea", sqlite_where=sa.text(ON_THE_BOARD), postgresql_where=sa.text(ON_THE_BOARD))
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_column("votes")
        batch_op.drop_column("demand")
