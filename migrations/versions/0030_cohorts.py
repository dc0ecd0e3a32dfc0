"""issue 18.4: cohorts (named groups of students across classrooms) and their membership history

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 17:10:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('length(name) BETWEEN 1 AND 100', name=op.f('ck_cohort_name_length')),
    sa.CheckConstraint('length(description) <= 500', name=op.f('ck_cohort_description_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_cohort_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort')),
    sa.UniqueConstraint('name_key', name=op.f('uq_cohort_name_key'))
    )
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('cohort_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('removed_at IS NULL OR removed_at >= added_at', name=op.f('ck_cohort_membership_removed_after_added')),
    sa.CheckConstraint('removed_by_id IS NULL OR removed_at IS NOT NULL', name=op.f('ck_cohort_membership_removed_by_when_removed')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_membership_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_cohort_membership_student_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_cohort_membership_added_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['user.id'], name=op.f('fk_cohort_membership_removed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_membership'))
    )
    with op.batch_alter_table('cohort_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_membership_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_membership_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_membership_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_membership_removed_by_id'), ['removed_by_id'], unique=False)
        batch_op.create_index('uq_cohort_membership_one_current', ['cohort_id', 'student_id'], unique=True,
                              postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))


def downgrade():
    with op.batch_alter_table('cohort_membership', schema=None) as batch_op:
        batch_op.drop_index('uq_cohort_membership_one_current', postgresql_where=sa.text('removed_at IS NULL'),
                            sqlite_where=sa.text('removed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_cohort_membership_removed_by_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_membership_added_by_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_membership_student_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_membership_cohort_id'))
    op.drop_table('cohort_membership')
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_created_by_id'))
    op.drop_table('cohort')
