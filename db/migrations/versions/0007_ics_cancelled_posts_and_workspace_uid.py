"""the .ics export: posts that have been in calendars (sent as cancelled once taken off the
schedule) and the workspace's own uid for the events' UIDs

Revision ID: 0007
Revises: 0006

"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_listed", sa.Boolean(), nullable=False, server_default=sa.false()))
    # A post is in the subscribers' calendars if it is on the plan now or was ever scheduled
    # (the audit log keeps every "Schedule" step).
    op.execute(
        "UPDATE post SET calendar_listed = TRUE WHERE status IN ('scheduled', 'published') OR id IN "
        "(SELECT entity_id FROM audit_log WHERE entity = 'post' AND action = 'post.schedule')"
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.alter_column("calendar_listed", server_default=None)

    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
    connection = op.get_bind()
    workspace = sa.table("workspace", sa.column("id", sa.Integer()), sa.column("uid", sa.String(36)))
    for (workspace_id,) in connection.execute(sa.select(workspace.c.id)).all():
        connection.execute(sa.update(workspace).where(workspace.c.id == workspace_id).values(uid=str(uuid.uuid4())))
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.alter_column("uid", existing_type=sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("uid")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("calendar_listed")
