"""assessment extensions: a student's own due date and/or extra attempts per assessment

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 15:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('extra_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('extra_attempts BETWEEN 0 AND 20', name=op.f('ck_assessment_extension_extra_attempts_range')),
    sa.CheckConstraint('due_at IS NOT NULL OR extra_attempts > 0', name=op.f('ck_assessment_extension_grants_something')),
    sa.CheckConstraint('length(reason) <= 500', name=op.f('ck_assessment_extension_reason_length')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_extension_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_assessment_extension_student_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_assessment_extension_granted_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_extension')),
    sa.UniqueConstraint('assessment_id', 'student_id', name=op.f('uq_assessment_extension_assessment_id_student_id'))
    )
    with op.batch_alter_table('assessment_extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_extension_student_id'), ['student_id'], unique=False)


def downgrade():
    with op.batch_alter_table('assessment_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_extension_student_id'))
    op.drop_table('assessment_extension')
