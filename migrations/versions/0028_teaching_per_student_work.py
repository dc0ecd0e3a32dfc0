"""teaching sessions: per-student work (an assessment and an exercise) and notes shared with parents

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-03 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_session_enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes_shared_with_parents', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('assigned_assessment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('exercise_content', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('work_assigned_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_course_session_enrollment_assigned_assessment_id_assessment'), 'assessment',
            ['assigned_assessment_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(op.f('ix_course_session_enrollment_assigned_assessment_id'),
                              ['assigned_assessment_id'], unique=False)
        batch_op.create_check_constraint(
            op.f('ck_course_session_enrollment_exercise_length'),
            'exercise_content IS NULL OR length(exercise_content) BETWEEN 1 AND 4000')


def downgrade():
    with op.batch_alter_table('course_session_enrollment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_course_session_enrollment_exercise_length'), type_='check')
        batch_op.drop_index(op.f('ix_course_session_enrollment_assigned_assessment_id'))
        batch_op.drop_constraint(op.f('fk_course_session_enrollment_assigned_assessment_id_assessment'),
                                 type_='foreignkey')
        batch_op.drop_column('work_assigned_at')
        batch_op.drop_column('exercise_content')
        batch_op.drop_column('assigned_assessment_id')
        batch_op.drop_column('notes_shared_with_parents')
