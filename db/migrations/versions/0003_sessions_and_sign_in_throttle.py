"""server-side sessions; sign-in throttle per username, client address and everyone

Revision ID: 0003
Revises: 0002

The old per-username throttle rows are dropped, not copied: they hold at most a quarter of an
hour of failed attempts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", db.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=20), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sign_in_throttle",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("locked_until", db.types.UTCDateTime(), nullable=True),
        sa.Column("last_failure_at", db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.drop_table("login_throttle")


def downgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", db.types.UTCDateTime(), nullable=True),
        sa.Column("last_failure_at", db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")
