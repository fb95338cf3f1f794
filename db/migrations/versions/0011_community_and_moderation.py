"""community and moderation: members' merges and roles, community rules, flags, actions, the rota, the rollout, rituals; sensitive posts

Revision ID: 0011
Revises: 0010

Adds the community's tables: the lead's role rules (community_settings), identities merged by hand
(member_merge) and roles given by hand (member_role_grant), the community rules as versions,
the flag words, flags on conversations and the moderation actions taken, the on-call rota's
shifts and the rollout steps ticked by hand; and for the content plan the help-path library and
posts marked as a sensitive topic (post_sensitivity); the rituals: newcomers' onboarding, consent to
reuse UGC, recurring formats and the drafts they created. No existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import db.types

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('flag_word',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('word', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_flag_word'),
    sa.UniqueConstraint('word', 'category', name='uq_flag_word')
    )
    op.create_table('help_path',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('when_to_use', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_help_path'),
    sa.UniqueConstraint('title', name='uq_help_path_title')
    )
    op.create_table('community_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('change_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name='fk_community_rules_published_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_community_rules'),
    sa.UniqueConstraint('number', name='uq_community_rules_number')
    )
    op.create_table('community_settings',
    sa.Column('active_min_contributions', sa.Integer(), nullable=False),
    sa.Column('active_window_days', sa.Integer(), nullable=False),
    sa.Column('activist_min_useful', sa.Integer(), nullable=False),
    sa.Column('activist_window_days', sa.Integer(), nullable=False),
    sa.Column('newcomer_days', sa.Integer(), nullable=False),
    sa.Column('rota_calendar_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rota_calendar_id'], ['business_calendar.id'], name='fk_community_settings_rota_calendar_id'),
    sa.PrimaryKeyConstraint('id', name='pk_community_settings')
    )
    op.create_table('member_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('into_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merged_by_id'], ['user.id'], name='fk_member_merge_merged_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_member_merge'),
    sa.UniqueConstraint('handle_key', name='uq_member_merge_handle_key')
    )
    with op.batch_alter_table('member_merge', schema=None) as batch_op:
        batch_op.create_index('ix_member_merge_into_key', ['into_key'], unique=False)

    op.create_table('member_onboarding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('welcomed_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('welcomed_by_id', sa.Integer(), nullable=True),
    sa.Column('rules_linked_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('rules_linked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rules_linked_by_id'], ['user.id'], name='fk_member_onboarding_rules_linked_by_id'),
    sa.ForeignKeyConstraint(['welcomed_by_id'], ['user.id'], name='fk_member_onboarding_welcomed_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_member_onboarding'),
    sa.UniqueConstraint('handle_key', name='uq_member_onboarding_handle_key')
    )
    op.create_table('member_role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handle_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('given_by_id', sa.Integer(), nullable=True),
    sa.Column('given_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['given_by_id'], ['user.id'], name='fk_member_role_grant_given_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_member_role_grant'),
    sa.UniqueConstraint('handle_key', 'role', name='uq_member_role_grant')
    )
    with op.batch_alter_table('member_role_grant', schema=None) as batch_op:
        batch_op.create_index('ix_member_role_grant_handle_key', ['handle_key'], unique=False)

    op.create_table('on_call_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('ends_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name='fk_on_call_shift_created_by_id'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_on_call_shift_user_id'),
    sa.PrimaryKeyConstraint('id', name='pk_on_call_shift')
    )
    with op.batch_alter_table('on_call_shift', schema=None) as batch_op:
        batch_op.create_index('ix_on_call_shift_starts_at', ['starts_at'], unique=False)
        batch_op.create_index('ix_on_call_shift_user_id', ['user_id'], unique=False)

    op.create_table('ritual_format',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('local_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=True),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name='fk_ritual_format_channel_id'),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name='fk_ritual_format_rubric_id'),
    sa.PrimaryKeyConstraint('id', name='pk_ritual_format'),
    sa.UniqueConstraint('name', name='uq_ritual_format_name')
    )
    op.create_table('rollout_tick',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ticked_by_id', sa.Integer(), nullable=True),
    sa.Column('ticked_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticked_by_id'], ['user.id'], name='fk_rollout_tick_ticked_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_rollout_tick'),
    sa.UniqueConstraint('step', name='uq_rollout_tick_step')
    )
    op.create_table('post_sensitivity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('disclaimer', sa.Text(), nullable=False),
    sa.Column('help_path_id', sa.Integer(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['help_path_id'], ['help_path.id'], name='fk_post_sensitivity_help_path_id'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user.id'], name='fk_post_sensitivity_marked_by_id'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name='fk_post_sensitivity_post_id'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name='fk_post_sensitivity_reviewed_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_post_sensitivity'),
    sa.UniqueConstraint('post_id', name='uq_post_sensitivity_post_id')
    )
    op.create_table('ritual_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ritual_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name='fk_ritual_draft_post_id'),
    sa.ForeignKeyConstraint(['ritual_id'], ['ritual_format.id'], name='fk_ritual_draft_ritual_id'),
    sa.PrimaryKeyConstraint('id', name='pk_ritual_draft'),
    sa.UniqueConstraint('ritual_id', 'day', name='uq_ritual_draft')
    )
    op.create_table('moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('until', db.types.UTCDateTime(), nullable=True),
    sa.Column('member_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('rules_id', sa.Integer(), nullable=True),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('acted_by_id', sa.Integer(), nullable=True),
    sa.Column('acted_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['acted_by_id'], ['user.id'], name='fk_moderation_action_acted_by_id'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name='fk_moderation_action_conversation_id'),
    sa.ForeignKeyConstraint(['rules_id'], ['community_rules.id'], name='fk_moderation_action_rules_id'),
    sa.PrimaryKeyConstraint('id', name='pk_moderation_action')
    )
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_action_acted_at', ['acted_at'], unique=False)
        batch_op.create_index('ix_moderation_action_conversation_id', ['conversation_id'], unique=False)
        batch_op.create_index('ix_moderation_action_member_key', ['member_key'], unique=False)

    op.create_table('moderation_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('words', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('flagged_by_id', sa.Integer(), nullable=True),
    sa.Column('flagged_at', db.types.UTCDateTime(), nullable=False),
    sa.Column('closed_at', db.types.UTCDateTime(), nullable=True),
    sa.Column('dismissed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name='fk_moderation_flag_conversation_id'),
    sa.ForeignKeyConstraint(['flagged_by_id'], ['user.id'], name='fk_moderation_flag_flagged_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_moderation_flag')
    )
    with op.batch_alter_table('moderation_flag', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_flag_conversation_id', ['conversation_id'], unique=False)
        batch_op.create_index('ix_moderation_flag_flagged_at', ['flagged_at'], unique=False)

    op.create_table('ugc_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name='fk_ugc_consent_conversation_id'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name='fk_ugc_consent_recorded_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_ugc_consent'),
    sa.UniqueConstraint('conversation_id', name='uq_ugc_consent_conversation_id')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('ugc_consent')
    with op.batch_alter_table('moderation_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_flag_flagged_at')
        batch_op.drop_index('ix_moderation_flag_conversation_id')

    op.drop_table('moderation_flag')
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_action_member_key')
        batch_op.drop_index('ix_moderation_action_conversation_id')
        batch_op.drop_index('ix_moderation_action_acted_at')

    op.drop_table('moderation_action')
    op.drop_table('ritual_draft')
    op.drop_table('post_sensitivity')
    op.drop_table('rollout_tick')
    op.drop_table('ritual_format')
    with op.batch_alter_table('on_call_shift', schema=None) as batch_op:
        batch_op.drop_index('ix_on_call_shift_user_id')
        batch_op.drop_index('ix_on_call_shift_starts_at')

    op.drop_table('on_call_shift')
    with op.batch_alter_table('member_role_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_member_role_grant_handle_key')

    op.drop_table('member_role_grant')
    op.drop_table('member_onboarding')
    with op.batch_alter_table('member_merge', schema=None) as batch_op:
        batch_op.drop_index('ix_member_merge_into_key')

    op.drop_table('member_merge')
    op.drop_table('community_settings')
    op.drop_table('community_rules')
    op.drop_table('help_path')
    op.drop_table('flag_word')
