"""seed 000: a teacher has at most one active (not deleted, not expired) session per course

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 11:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

ACTIVE = sa.text("NOT is_deleted AND status <> 'EXPIRED'")


def upgrade():
    rows = op.get_bind().execute(sa.text(
        "SELECT teacher_id, course_id, COUNT(*) FROM course_session "
        "WHERE NOT is_deleted AND status <> 'EXPIRED' GROUP BY teacher_id, course_id HAVING COUNT(*) > 1")).all()
    if rows:
        pairs = ", ".join(f"teacher {t} / course {c} ({n} sessions)" for t, c, n in rows)
        raise RuntimeError("A teacher may have only one active session per course; end or delete the extra "
                           f"sessions first: {pairs}")
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.create_index('uq_course_session_teacher_course_active', ['teacher_id', 'course_id'], unique=True,
                              postgresql_where=ACTIVE, sqlite_where=ACTIVE)


def downgrade():
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.drop_index('uq_course_session_teacher_course_active',
                            postgresql_where=ACTIVE, sqlite_where=ACTIVE)
