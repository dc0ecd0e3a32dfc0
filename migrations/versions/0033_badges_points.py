"""issue 18.7: badges and points (point rules, the points ledger, badge definitions and awards,
leaderboard opt-outs)

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-03 19:50:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badge',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('name_key', sa.String(length=160), nullable=False),
    sa.Column('description', sa.String(length=300), server_default='', nullable=False),
    sa.Column('icon', sa.String(length=16), nullable=False),
    sa.Column('criterion', sa.String(length=24), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("(criterion = 'MANUAL' AND threshold IS NULL) OR (criterion <> 'MANUAL' AND threshold BETWEEN 1 AND 1000)", name=op.f('ck_badge_threshold_range')),
    sa.CheckConstraint("criterion IN ('SESSIONS_ATTENDED', 'SECTIONS_COMPLETED', 'ASSESSMENTS_PASSED', 'PERFECT_SCORES', 'POINTS', 'MANUAL')", name=op.f('ck_badge_criterion_valid')),
    sa.CheckConstraint("icon IN ('star', 'trophy', 'medal', 'rocket', 'books', 'target', 'fire', 'sparkles', 'calendar', 'brain', 'crown', 'heart')", name=op.f('ck_badge_icon_valid')),
    sa.CheckConstraint('length(description) <= 300', name=op.f('ck_badge_description_length')),
    sa.CheckConstraint('length(trim(name)) BETWEEN 1 AND 80', name=op.f('ck_badge_name_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_badge_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge')),
    sa.UniqueConstraint('name_key', name=op.f('uq_badge_name_key'))
    )
    with op.batch_alter_table('badge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('leaderboard_opt_out',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_leaderboard_opt_out_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_leaderboard_opt_out'))
    )
    op.create_table('point_entry',
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('awarded_at', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('ATTENDANCE', 'SECTION', 'ASSESSMENT')", name=op.f('ck_point_entry_kind_valid')),
    sa.CheckConstraint('points BETWEEN 0 AND 1000', name=op.f('ck_point_entry_points_range')),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_point_entry_student_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_entry')),
    sa.UniqueConstraint('student_id', 'kind', 'source_id', name='uq_point_entry_event')
    )
    with op.batch_alter_table('point_entry', schema=None) as batch_op:
        batch_op.create_index('ix_point_entry_student_awarded', ['student_id', 'awarded_at'], unique=False)

    op.create_table('reward_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('points_present', sa.Integer(), server_default='10', nullable=False),
    sa.Column('points_late', sa.Integer(), server_default='5', nullable=False),
    sa.Column('points_section', sa.Integer(), server_default='5', nullable=False),
    sa.Column('points_assessment', sa.Integer(), server_default='20', nullable=False),
    sa.Column('pass_percent', sa.Integer(), server_default='50', nullable=False),
    sa.Column('leaderboards_enabled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_reward_settings_single_row')),
    sa.CheckConstraint('pass_percent BETWEEN 1 AND 100', name=op.f('ck_reward_settings_pass_percent_range')),
    sa.CheckConstraint('points_present BETWEEN 0 AND 1000 AND points_late BETWEEN 0 AND 1000 AND points_section BETWEEN 0 AND 1000 AND points_assessment BETWEEN 0 AND 1000', name=op.f('ck_reward_settings_points_range')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_reward_settings_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_settings'))
    )
    op.create_table('badge_award',
    sa.Column('badge_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('awarded_at', sa.DateTime(), nullable=False),
    sa.Column('awarded_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('reason IS NULL OR length(reason) BETWEEN 1 AND 300', name=op.f('ck_badge_award_reason_length')),
    sa.ForeignKeyConstraint(['awarded_by_id'], ['user.id'], name=op.f('fk_badge_award_awarded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['badge_id'], ['badge.id'], name=op.f('fk_badge_award_badge_id_badge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_badge_award_student_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_award')),
    sa.UniqueConstraint('badge_id', 'student_id', name='uq_badge_award_badge_student')
    )
    with op.batch_alter_table('badge_award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_award_awarded_by_id'), ['awarded_by_id'], unique=False)
        batch_op.create_index('ix_badge_award_student_awarded', ['student_id', 'awarded_at'], unique=False)



def downgrade():
    with op.batch_alter_table('badge_award', schema=None) as batch_op:
        batch_op.drop_index('ix_badge_award_student_awarded')
        batch_op.drop_index(batch_op.f('ix_badge_award_awarded_by_id'))

    op.drop_table('badge_award')
    op.drop_table('reward_settings')
    with op.batch_alter_table('point_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_point_entry_student_awarded')

    op.drop_table('point_entry')
    op.drop_table('leaderboard_opt_out')
    with op.batch_alter_table('badge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_created_by_id'))

    op.drop_table('badge')
