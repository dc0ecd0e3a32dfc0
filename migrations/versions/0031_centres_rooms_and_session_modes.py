"""issue 18.1-2: centres (sites), their rooms, centre membership, and a teaching session's centre, mode
(online, in person, hybrid), room and meeting link

Revision ID: 0031
Revises: 0022
Create Date: 2026-12-03 19:45:44.243099

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('centre',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=500), server_default='', nullable=False),
    sa.Column('timezone', sa.String(length=50), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('length(address) <= 500', name=op.f('ck_centre_address_length')),
    sa.CheckConstraint('length(name) BETWEEN 1 AND 100', name=op.f('ck_centre_name_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre')),
    sa.UniqueConstraint('name_key', name=op.f('uq_centre_name_key'))
    )
    op.create_table('centre_membership',
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_centre_membership_added_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_centre_membership_centre_id_centre'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_centre_membership_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_membership')),
    sa.UniqueConstraint('centre_id', 'user_id', name='uq_centre_membership_centre_user')
    )
    with op.batch_alter_table('centre_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centre_membership_added_by_id'), ['added_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_centre_membership_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_centre_membership_user_id'), ['user_id'], unique=False)

    op.create_table('room',
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity BETWEEN 1 AND 10000', name=op.f('ck_room_capacity_range')),
    sa.CheckConstraint('length(name) BETWEEN 1 AND 60', name=op.f('ck_room_name_length')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_room_centre_id_centre'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room')),
    sa.UniqueConstraint('centre_id', 'name_key', name='uq_room_centre_name'),
    sa.UniqueConstraint('id', 'centre_id', name='uq_room_id_centre')
    )
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_centre_id'), ['centre_id'], unique=False)

    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('centre_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mode', sa.String(length=16), server_default='ONLINE', nullable=False))
        batch_op.add_column(sa.Column('room_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('meeting_link', sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f('ix_course_session_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_session_room_id'), ['room_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_course_session_centre_id_centre'), 'centre', ['centre_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key('fk_course_session_room_in_centre', 'room', ['room_id', 'centre_id'], ['id', 'centre_id'], ondelete='RESTRICT')
        batch_op.create_check_constraint(op.f('ck_course_session_mode_valid'), "mode IN ('ONLINE', 'IN_PERSON', 'HYBRID')")
        batch_op.create_check_constraint(op.f('ck_course_session_room_when_in_person'), "mode = 'ONLINE' OR room_id IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_course_session_centre_of_room'), "room_id IS NULL OR centre_id IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_course_session_meeting_link_length'),
                                         "meeting_link IS NULL OR length(meeting_link) <= 500")



def downgrade():
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        for check in ('mode_valid', 'room_when_in_person', 'centre_of_room', 'meeting_link_length'):
            batch_op.drop_constraint(op.f(f'ck_course_session_{check}'), type_='check')
        batch_op.drop_constraint('fk_course_session_room_in_centre', type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_course_session_centre_id_centre'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_course_session_room_id'))
        batch_op.drop_index(batch_op.f('ix_course_session_centre_id'))
        batch_op.drop_column('meeting_link')
        batch_op.drop_column('room_id')
        batch_op.drop_column('mode')
        batch_op.drop_column('centre_id')

    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_centre_id'))

    op.drop_table('room')
    with op.batch_alter_table('centre_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_centre_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_centre_membership_centre_id'))
        batch_op.drop_index(batch_op.f('ix_centre_membership_added_by_id'))

    op.drop_table('centre_membership')
    op.drop_table('centre')
