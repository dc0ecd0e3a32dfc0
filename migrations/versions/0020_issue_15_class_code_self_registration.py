"""issue 15: self-registration with a class code (codes per classroom, pending registrations)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 12:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('class_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('length(code) = 8', name=op.f('ck_class_code_code_length')),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_class_code_classroom_id_classroom'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_class_code_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_code')),
    sa.UniqueConstraint('classroom_id', name=op.f('uq_class_code_classroom_id')),
    sa.UniqueConstraint('code', name=op.f('uq_class_code_code'))
    )
    op.create_table('student_registration',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_student_registration_classroom_id_classroom'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_student_registration_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_student_registration'))
    )
    with op.batch_alter_table('student_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_registration_classroom_id'), ['classroom_id'], unique=False)


def downgrade():
    with op.batch_alter_table('student_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_registration_classroom_id'))
    op.drop_table('student_registration')
    op.drop_table('class_code')
