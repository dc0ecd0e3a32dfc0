"""issue 15: a student's work and history block deleting the account (ON DELETE RESTRICT)

Deleting a student made by mistake is allowed only without work or history
(lms.school.deletion); these foreign keys make a wrong delete fail in the database
instead of erasing the records.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 11:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# (table, column) referring to user.id that change from CASCADE to RESTRICT.
HISTORY = [
    ('user_session', 'user_id'),
    ('classroom_membership', 'student_id'),
    ('promotion_move', 'student_id'),
    ('submission', 'student_id'),
    ('assessment_excusal', 'student_id'),
    ('course_session_enrollment', 'student_id'),
    ('course_session_attendance', 'student_id'),
    ('section_progress', 'student_id'),
    ('section_visit', 'student_id'),
]


def _set_ondelete(ondelete: str) -> None:
    for table, column in HISTORY:
        name = f'fk_{table}_{column}_user'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_='foreignkey')
            batch_op.create_foreign_key(name, 'user', [column], ['id'], ondelete=ondelete)


def upgrade():
    _set_ondelete('RESTRICT')


def downgrade():
    _set_ondelete('CASCADE')
