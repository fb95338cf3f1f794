"""handle keys (one person however spelt), import batches on the rows they created

Revision ID: 0005
Revises: 0004

Every stored handle gets its key beside it (``idea_giver.handle_key``, ``conversation.author_key``,
``loop_thanks.handle_key``): NFKC, case-folded, without the leading "@", whitespace trimmed and
collapsed, invisible characters removed. Existing rows are normalised here; two givers of one idea
with the same key ("@Ann" and "@ann") become one row, the earliest given one, and two thanks of one
loop item for the same person the earliest one. The key rules are copied here on purpose: a
revision must keep doing what it did when it shipped, whatever ``core.handles`` becomes.

``data_import`` records each imported file; the rows it created carry its id. The conversation
status "archived" (imported history never answered) needs no schema change.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import db.types

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
_KEY = sqlmodel.sql.sqltypes.AutoString(length=120)
_KPI_COLUMNS = [
    "received_at",
    "kind",
    "status",
    "reply_before_message",
    "channel_id",
    "business_minutes_to_reply",
    "calendar_minutes_to_reply",
    "deadline_at",
    "first_reply_at",
    "escalated_at",
    "escalation_team_id",
    "useful",
]
_IMPORTED = ("conversation", "conversation_message", "idea", "idea_giver", "post")


def handle_key(text: str) -> str:
    """The key of a handle as this revision defines it (a frozen copy of core.handles)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    folded = unicodedata.normalize("NFKC", folded)
    key = " ".join(folded.split()).lstrip("@").strip()
    # A stored handle with nothing left (only "@" or invisible characters) keeps its own spelling
    # as its key, so it stays one person of its own.
    return key or text.casefold()


def _fill_keys(table: str, display: str, key: str) -> None:
    """Set the key of every row from its display form, one update per distinct spelling."""
    bind = op.get_bind()
    t = sa.table(table, sa.column(display, sa.String), sa.column(key, sa.String))
    spellings = [row[0] for row in bind.execute(sa.select(t.c[display]).distinct())]
    statement = sa.update(t).where(t.c[display] == sa.bindparam("_display")).values({key: sa.bindparam("_key")})
    values = [{"_display": s, "_key": handle_key(s or "")} for s in spellings]
    for start in range(0, len(values), BATCH):
        bind.execute(statement, values[start : start + BATCH])


def _merge_duplicates(table: str, owner: str, when: str) -> None:
    """Keep one row per (owner, key): the earliest (then the first stored); delete the others."""
    bind = op.get_bind()
    t = sa.table(table, sa.column("id", sa.Integer), sa.column(owner), sa.column("handle_key"), sa.column(when))
    doubled = (
        sa.select(t.c[owner], t.c.handle_key)
        .group_by(t.c[owner], t.c.handle_key)
        .having(sa.func.count() > 1)
        .subquery()
    )
    rows = bind.execute(
        sa.select(t.c.id, t.c[owner], t.c.handle_key)
        .join(doubled, sa.and_(doubled.c[owner] == t.c[owner], doubled.c.handle_key == t.c.handle_key))
        .order_by(t.c[owner], t.c.handle_key, t.c[when], t.c.id)
    ).all()
    seen: set[tuple[object, str]] = set()
    extra = []
    for row_id, owner_id, key in rows:
        if (owner_id, key) in seen:
            extra.append(row_id)
        else:
            seen.add((owner_id, key))
    for start in range(0, len(extra), BATCH):
        bind.execute(sa.delete(t).where(t.c.id.in_(extra[start : start + BATCH])))


def upgrade() -> None:
    op.create_table(
        "data_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name="fk_data_import_actor_id_user"),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in _IMPORTED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
            batch_op.create_index(f"ix_{table}_import_id", ["import_id"], unique=False)
            batch_op.create_foreign_key(f"fk_{table}_import_id_data_import", "data_import", ["import_id"], ["id"])

    for table in ("conversation", "idea_giver", "loop_thanks"):
        column = "author_key" if table == "conversation" else "handle_key"
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, _KEY, nullable=True))
    _fill_keys("conversation", "author_handle", "author_key")
    _fill_keys("idea_giver", "handle", "handle_key")
    _fill_keys("loop_thanks", "handle", "handle_key")
    _merge_duplicates("idea_giver", "idea_id", "given_at")
    _merge_duplicates("loop_thanks", "loop_item_id", "thanked_at")

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.alter_column("author_key", existing_type=_KEY, nullable=False)
        batch_op.drop_index("ix_conversation_handle_received")
        batch_op.drop_index("ix_conversation_kpi")
        batch_op.create_index("ix_conversation_kpi", [*_KPI_COLUMNS, "author_key"], unique=False)
        batch_op.create_index("ix_conversation_author_received", ["author_key", "received_at"], unique=False)

    with op.batch_alter_table("idea_giver", schema=None) as batch_op:
        batch_op.alter_column("handle_key", existing_type=_KEY, nullable=False)
        batch_op.drop_index("ix_idea_giver_handle")
        batch_op.drop_index("ix_idea_giver_handle_given")
        batch_op.drop_constraint("uq_idea_giver_handle", type_="unique")
        batch_op.create_index("ix_idea_giver_key_given", ["handle_key", "given_at"], unique=False)
        batch_op.create_unique_constraint("uq_idea_giver_key", ["idea_id", "handle_key"])

    with op.batch_alter_table("loop_thanks", schema=None) as batch_op:
        batch_op.alter_column("handle_key", existing_type=_KEY, nullable=False)
        batch_op.drop_constraint("uq_loop_thanks_handle", type_="unique")
        batch_op.create_unique_constraint("uq_loop_thanks_key", ["loop_item_id", "handle_key"])


def downgrade() -> None:
    # Archived conversations were open ones before this revision knew the status.
    op.execute("UPDATE conversation SET status = 'open' WHERE status = 'archived'")
    with op.batch_alter_table("loop_thanks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_loop_thanks_key", type_="unique")
        batch_op.create_unique_constraint("uq_loop_thanks_handle", ["loop_item_id", "handle"])
        batch_op.drop_column("handle_key")

    with op.batch_alter_table("idea_giver", schema=None) as batch_op:
        batch_op.drop_constraint("uq_idea_giver_key", type_="unique")
        batch_op.drop_index("ix_idea_giver_key_given")
        batch_op.create_unique_constraint("uq_idea_giver_handle", ["idea_id", "handle"])
        batch_op.create_index("ix_idea_giver_handle_given", ["handle", "given_at"], unique=False)
        batch_op.create_index("ix_idea_giver_handle", ["handle"], unique=False)
        batch_op.drop_column("handle_key")

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_author_received")
        batch_op.drop_index("ix_conversation_kpi")
        batch_op.create_index("ix_conversation_kpi", [*_KPI_COLUMNS, "author_handle"], unique=False)
        batch_op.create_index("ix_conversation_handle_received", ["author_handle", "received_at"], unique=False)
        batch_op.drop_column("author_key")

    for table in reversed(_IMPORTED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_import_id_data_import", type_="foreignkey")
            batch_op.drop_index(f"ix_{table}_import_id")
            batch_op.drop_column("import_id")
    op.drop_table("data_import")
