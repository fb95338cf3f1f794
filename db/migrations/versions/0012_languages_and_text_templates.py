"""languages: each user's language, the workspace's language, the lead's wording of generated texts

Revision ID: 0012
Revises: 0011

Adds ``user.language`` (None: the workspace's), ``workspace.language`` (English for existing
workspaces, as they read until now) and ``text_template``, the lead's own wording of a generated
text (announcement, thank-you reply, monthly update, weekly digest, public board) in one language.
No existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import db.types

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "text_template",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name="fk_text_template_updated_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_text_template"),
        sa.UniqueConstraint("key", "language", name="uq_text_template"),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True))
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), server_default="en", nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("language")
    op.drop_table("text_template")
