"""issue 14: server-stored, rotating remember-me tokens

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:50:00

Flask-Login's own remember cookie (a signed user id) no longer signs anyone in: browsers that
relied on it sign in once more after this upgrade.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('remember_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('series_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('previous_token_hash', sa.String(length=64), nullable=True),
    sa.Column('rotated_at', sa.DateTime(), nullable=True),
    sa.Column('login_session_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_remember_token_expires_after_created')),
    sa.ForeignKeyConstraint(['login_session_id'], ['user_session.id'],
                            name=op.f('fk_remember_token_login_session_id_user_session'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_remember_token_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remember_token')),
    sa.UniqueConstraint('series_hash', name=op.f('uq_remember_token_series_hash'))
    )
    with op.batch_alter_table('remember_token', schema=None) as batch_op:
        batch_op.create_index('ix_remember_token_expires', ['expires_at'], unique=False)
        batch_op.create_index('ix_remember_token_user', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('remember_token', schema=None) as batch_op:
        batch_op.drop_index('ix_remember_token_user')
        batch_op.drop_index('ix_remember_token_expires')

    op.drop_table('remember_token')
