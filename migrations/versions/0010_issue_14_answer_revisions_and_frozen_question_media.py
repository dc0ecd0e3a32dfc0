"""issue 14: answer revisions (two tabs on one attempt) and the media frozen with question versions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # Existing answers start at revision 1 (the server default); existing question versions have
    # no frozen media and keep showing the assessment's file under each label.
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_answer_revision_positive'), 'revision >= 1')

    op.create_table('question_version_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('label_key', sa.String(length=40), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(label_key) > 0', name=op.f('ck_question_version_media_label_key_not_empty')),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_question_version_media_question_version_id_question_version'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_question_version_media_resource_id_resource'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_version_media')),
    sa.UniqueConstraint('question_version_id', 'label_key', name=op.f('uq_question_version_media_question_version_id_label_key'))
    )
    with op.batch_alter_table('question_version_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_version_media_resource_id'), ['resource_id'], unique=False)


def downgrade():
    with op.batch_alter_table('question_version_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_version_media_resource_id'))

    op.drop_table('question_version_media')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_answer_revision_positive'), type_='check')
        batch_op.drop_column('revision')
