"""thumbnail sizes: the width and height of a stored file's thumbnail (image, video poster, PDF page)

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-03 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thumbnail_width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('thumbnail_height', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_stored_file_thumbnail_size_positive'),
            '(thumbnail_width IS NULL AND thumbnail_height IS NULL) OR '
            '(thumbnail_width > 0 AND thumbnail_height > 0)')


def downgrade():
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_stored_file_thumbnail_size_positive'), type_='check')
        batch_op.drop_column('thumbnail_height')
        batch_op.drop_column('thumbnail_width')
