"""subject copies: which subject a copy was made from, and the copy form's one-time token

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subject_copy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('copy_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('length(token) >= 16', name=op.f('ck_subject_copy_token_long_enough')),
    sa.ForeignKeyConstraint(['source_id'], ['subject.id'], name=op.f('fk_subject_copy_source_id_subject'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['copy_id'], ['subject.id'], name=op.f('fk_subject_copy_copy_id_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_copy')),
    sa.UniqueConstraint('token', name=op.f('uq_subject_copy_token')),
    sa.UniqueConstraint('copy_id', name=op.f('uq_subject_copy_copy_id'))
    )
    with op.batch_alter_table('subject_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_copy_source_id'), ['source_id'], unique=False)


def downgrade():
    with op.batch_alter_table('subject_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_copy_source_id'))
    op.drop_table('subject_copy')
