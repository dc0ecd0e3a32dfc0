"""issue 15.5/15.7: contact profiles (phone, photo, bio) and one-time family codes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('bio', sa.String(length=500), nullable=True),
    sa.Column('photo_name', sa.String(length=80), nullable=True),
    sa.Column('photo_type', sa.String(length=40), nullable=True),
    sa.Column('thumb_name', sa.String(length=80), nullable=True),
    sa.Column('thumb_type', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("phone IS NULL OR (phone LIKE '+%' AND length(phone) BETWEEN 8 AND 16)",
                       name=op.f('ck_person_profile_phone_normalised')),
    sa.CheckConstraint('bio IS NULL OR length(bio) <= 500', name=op.f('ck_person_profile_bio_length')),
    sa.CheckConstraint("photo_type IS NULL OR photo_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')",
                       name=op.f('ck_person_profile_photo_type_valid')),
    sa.CheckConstraint('(photo_name IS NULL) = (photo_type IS NULL)', name=op.f('ck_person_profile_photo_consistent')),
    sa.CheckConstraint('thumb_name IS NULL OR photo_name IS NOT NULL', name=op.f('ck_person_profile_thumb_needs_photo')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_person_profile_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_person_profile'))
    )
    op.create_table('family_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_family_code_expires_after_created')),
    sa.CheckConstraint('(used_at IS NULL) OR (used_at >= created_at)', name=op.f('ck_family_code_used_after_created')),
    sa.CheckConstraint('length(code_hash) = 64', name=op.f('ck_family_code_code_hash_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_family_code_created_by_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_family_code_student_id_user'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by_id'], ['user.id'], name=op.f('fk_family_code_used_by_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_family_code_code_hash'))
    )
    with op.batch_alter_table('family_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_code_student_id'), ['student_id'], unique=False)


def downgrade():
    with op.batch_alter_table('family_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_code_student_id'))

    op.drop_table('family_code')
    op.drop_table('person_profile')
