"""conversation indexes that the queries use

Four single-column indexes on ``conversation`` are the leading column of a wider index that every
query filtering on them uses instead, so they only cost time on each insert (a 100,000-row import
spends a third of its time keeping indexes up to date):

- ``ix_conversation_channel_id`` — ``uq_conversation_external`` (channel_id, external_id);
- ``ix_conversation_category`` — ``ix_conversation_category_received`` (category, received_at);
- ``ix_conversation_status`` — ``ix_conversation_status_reply_deadline`` (status, first_reply_at, …);
- ``ix_conversation_received_at`` — ``ix_conversation_kpi`` (received_at, …).

Revision ID: 0009
Revises: 0008

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REDUNDANT = {
    "ix_conversation_channel_id": "channel_id",
    "ix_conversation_category": "category",
    "ix_conversation_status": "status",
    "ix_conversation_received_at": "received_at",
}


def upgrade() -> None:
    for name in _REDUNDANT:
        op.drop_index(name, table_name="conversation")


def downgrade() -> None:
    for name, column in _REDUNDANT.items():
        op.create_index(name, "conversation", [column], unique=False)
