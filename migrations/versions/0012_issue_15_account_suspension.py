"""issue 15: account suspension (reason, start, optional end, by whom)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:40:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('suspended_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('suspension_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('suspended_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_suspended_until'), ['suspended_until'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_suspended_by_id_user'), 'user', ['suspended_by_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            batch_op.f('ck_user_suspension_consistent'),
            "(suspended_at IS NULL AND suspension_reason IS NULL AND suspended_until IS NULL"
            " AND suspended_by_id IS NULL) OR (suspended_at IS NOT NULL AND suspension_reason IS NOT NULL)")
        batch_op.create_check_constraint(batch_op.f('ck_user_suspension_reason_length'),
                                         "length(suspension_reason) BETWEEN 1 AND 500")
        batch_op.create_check_constraint(batch_op.f('ck_user_suspension_ends_after_start'),
                                         "suspended_until > suspended_at")


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_suspension_ends_after_start'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_user_suspension_reason_length'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_user_suspension_consistent'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_user_suspended_by_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_suspended_until'))
        batch_op.drop_column('suspended_by_id')
        batch_op.drop_column('suspension_reason')
        batch_op.drop_column('suspended_until')
        batch_op.drop_column('suspended_at')
