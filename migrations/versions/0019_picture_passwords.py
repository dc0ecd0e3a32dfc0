"""issue 15: picture passwords for young learners

The organization names the levels (by code) whose students may sign in with a picture password;
a user's picture password is stored hashed like a password, in its own column.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 12:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picture_password_levels', sa.String(length=500),
                                      server_default='P1,P2,P3', nullable=False))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picture_password_hash', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('picture_password_hash')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('picture_password_levels')
