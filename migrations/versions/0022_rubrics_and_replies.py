"""rubrics for long and file answers (criteria x levels, attached to questions, levels chosen when grading)
and the student's one reply to the teacher's feedback

Revision ID: 0022
Revises: 0024
Create Date: 2026-12-03 16:41:16

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rubric',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('shared', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('length(description) <= 2000', name=op.f('ck_rubric_description_length')),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_rubric_title_not_empty')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_rubric_owner_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric'))
    )
    with op.batch_alter_table('rubric', schema=None) as batch_op:
        batch_op.create_index('ix_rubric_owner_title', ['owner_id', 'title'], unique=False)

    op.create_table('rubric_criterion',
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(description) <= 2000', name=op.f('ck_rubric_criterion_description_length')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_rubric_criterion_name_not_empty')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_rubric_criterion_position_not_negative')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_rubric_criterion_rubric_id_rubric'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_criterion')),
    sa.UniqueConstraint('rubric_id', 'position', name=op.f('uq_rubric_criterion_rubric_id_position'))
    )
    op.create_table('rubric_level',
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(description) <= 2000', name=op.f('ck_rubric_level_description_length')),
    sa.CheckConstraint('length(description) > 0', name=op.f('ck_rubric_level_description_not_empty')),
    sa.CheckConstraint('points >= 0 AND points <= 1000', name=op.f('ck_rubric_level_points_range')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_rubric_level_position_not_negative')),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criterion.id'], name=op.f('fk_rubric_level_criterion_id_rubric_criterion'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_level')),
    sa.UniqueConstraint('criterion_id', 'id', name=op.f('uq_rubric_level_criterion_id_id')),
    sa.UniqueConstraint('criterion_id', 'position', name=op.f('uq_rubric_level_criterion_id_position'))
    )
    op.create_table('feedback_reply',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('length(body) <= 2000', name=op.f('ck_feedback_reply_body_length')),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_feedback_reply_body_not_empty')),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_feedback_reply_student_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_feedback_reply_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_reply')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_feedback_reply_submission_id'))
    )
    with op.batch_alter_table('feedback_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_reply_student_id'), ['student_id'], unique=False)

    op.create_table('question_rubric',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_rubric_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_question_rubric_rubric_id_rubric'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_rubric')),
    sa.UniqueConstraint('question_id', name=op.f('uq_question_rubric_question_id'))
    )
    with op.batch_alter_table('question_rubric', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_rubric_rubric_id'), ['rubric_id'], unique=False)

    op.create_table('answer_rubric_level',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(comment) <= 2000', name=op.f('ck_answer_rubric_level_comment_length')),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_answer_rubric_level_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id', 'level_id'], ['rubric_level.criterion_id', 'rubric_level.id'], name=op.f('fk_answer_rubric_level_criterion_id_rubric_level'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criterion.id'], name=op.f('fk_answer_rubric_level_criterion_id_rubric_criterion'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_rubric_level')),
    sa.UniqueConstraint('answer_id', 'criterion_id', name=op.f('uq_answer_rubric_level_answer_id_criterion_id'))
    )
    with op.batch_alter_table('answer_rubric_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_rubric_level_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_rubric_level_level_id'), ['level_id'], unique=False)



def downgrade():
    with op.batch_alter_table('answer_rubric_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_rubric_level_level_id'))
        batch_op.drop_index(batch_op.f('ix_answer_rubric_level_criterion_id'))

    op.drop_table('answer_rubric_level')
    with op.batch_alter_table('question_rubric', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_rubric_rubric_id'))

    op.drop_table('question_rubric')
    with op.batch_alter_table('feedback_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_reply_student_id'))

    op.drop_table('feedback_reply')
    op.drop_table('rubric_level')
    op.drop_table('rubric_criterion')
    with op.batch_alter_table('rubric', schema=None) as batch_op:
        batch_op.drop_index('ix_rubric_owner_title')

    op.drop_table('rubric')
