"""conversation indexes that no query uses

Two single-column indexes on ``conversation`` date from the first schema and no query filters,
joins or sorts on their column: a person is found by ``author_key`` (``ix_conversation_author_received``),
and a resolved time is only ever read beside other columns. Each costs time on every insert and
on every import (about a tenth of rebuilding the table's indexes after a 100,000-row load):

- ``ix_conversation_author_handle`` (the display form of a handle, kept as it was written);
- ``ix_conversation_resolved_at``.

Revision ID: 0013
Revises: 0012

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNUSED = {
    "ix_conversation_author_handle": "author_handle",
    "ix_conversation_resolved_at": "resolved_at",
}


def upgrade() -> None:
    for name in _UNUSED:
        op.drop_index(name, table_name="conversation")


def downgrade() -> None:
    for name, column in _UNUSED.items():
        op.create_index(name, "conversation", [column], unique=False)
