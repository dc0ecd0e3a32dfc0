"""issue 18.8: a user's colour theme (system, light or dark)

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-03 16:50:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme', sa.String(length=8), server_default='SYSTEM', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_user_theme_valid'), "theme IN ('SYSTEM', 'LIGHT', 'DARK')")


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_theme_valid'), type_='check')
        batch_op.drop_column('theme')
