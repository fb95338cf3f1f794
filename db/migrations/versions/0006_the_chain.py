"""the chain: a post's watch window and link, ideas from conversations, escalation RACI and deadlines

Revision ID: 0006
Revises: 0005

Adds what links a post to its dialog and the dialog to the product: the channel's watch window
(hours after publishing in which a post's conversations go to its SLA owner), the post's link on
the platform, the post an idea came from, the conversations an idea came from, and escalation
teams with their RACI people, a deadline in business time and the calendar it counts in.

Data: every existing team's accountable owner becomes its responsible person too, so escalations
to teams made before this revision are assigned to someone who may act on them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import db.types

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalation_team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("raci", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["escalation_team.id"], name="fk_escalation_team_member_team_id"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_escalation_team_member_user_id"),
        sa.PrimaryKeyConstraint("id", name="pk_escalation_team_member"),
        sa.UniqueConstraint("team_id", "user_id", "raci", name="uq_escalation_team_member"),
    )
    with op.batch_alter_table("escalation_team_member", schema=None) as batch_op:
        batch_op.create_index("ix_escalation_team_member_team_id", ["team_id"], unique=False)
        batch_op.create_index("ix_escalation_team_member_user_id", ["user_id"], unique=False)

    op.create_table(
        "idea_conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], name="fk_idea_conversation_conversation_id"),
        sa.ForeignKeyConstraint(["idea_id"], ["idea.id"], name="fk_idea_conversation_idea_id"),
        sa.ForeignKeyConstraint(["linked_by_id"], ["user.id"], name="fk_idea_conversation_linked_by_id"),
        sa.PrimaryKeyConstraint("id", name="pk_idea_conversation"),
        sa.UniqueConstraint("conversation_id", name="uq_idea_conversation_conversation"),
    )
    with op.batch_alter_table("idea_conversation", schema=None) as batch_op:
        batch_op.create_index("ix_idea_conversation_idea_id", ["idea_id"], unique=False)

    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("watch_window_hours", sa.Integer(), nullable=False, server_default=sa.text("48")))

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_deadline_at", db.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table("escalation_team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deadline_minutes", sa.Integer(), nullable=False, server_default=sa.text("480")))
        batch_op.create_foreign_key(
            "fk_escalation_team_calendar_id_business_calendar", "business_calendar", ["calendar_id"], ["id"]
        )

    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_idea_post_id", ["post_id"], unique=False)
        batch_op.create_foreign_key("fk_idea_post_id_post", "post", ["post_id"], ["id"])

    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "published_url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=""
            )
        )

    # The owner of each team does its work too until the team names its responsible people.
    op.execute(
        "INSERT INTO escalation_team_member (team_id, user_id, raci) "
        "SELECT id, owner_id, 'responsible' FROM escalation_team WHERE owner_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("published_url")

    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_constraint("fk_idea_post_id_post", type_="foreignkey")
        batch_op.drop_index("ix_idea_post_id")
        batch_op.drop_column("post_id")

    with op.batch_alter_table("escalation_team", schema=None) as batch_op:
        batch_op.drop_constraint("fk_escalation_team_calendar_id_business_calendar", type_="foreignkey")
        batch_op.drop_column("deadline_minutes")
        batch_op.drop_column("calendar_id")

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("escalation_deadline_at")

    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("watch_window_hours")

    with op.batch_alter_table("idea_conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_conversation_idea_id")
    op.drop_table("idea_conversation")

    with op.batch_alter_table("escalation_team_member", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_team_member_user_id")
        batch_op.drop_index("ix_escalation_team_member_team_id")
    op.drop_table("escalation_team_member")
