"""issue 15.1: sign in without email (usernames; every student has a student number)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:30:00

``user.email`` becomes optional; ``user.username`` (stored lower-case, unique) is new; an account
has at least one of them. Students without a student number get a generated one
(``<year><4-digit running number>``) and every student without a username gets one proposed from
the number.
"""
import re
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


def _backfill(bind):
    org = bind.execute(sa.text("SELECT academic_year FROM organization ORDER BY id LIMIT 1")).first()
    match = re.match(r"\d{4}", (org[0] if org and org[0] else "") or "")
    prefix = match.group(0) if match else str(date.today().year)
    numbers = {row[0] for row in bind.execute(sa.text(
        "SELECT student_number FROM student_profile WHERE student_number IS NOT NULL"))}
    running = max((int(n[len(prefix):]) for n in numbers
                   if n.startswith(prefix) and len(n) == len(prefix) + 4 and n[len(prefix):].isdigit()), default=0)
    # Students who have no profile yet get one.
    bind.execute(sa.text(
        "INSERT INTO student_profile (user_id, status, guardian_notes, created_at, updated_at) "
        "SELECT id, 'ACTIVE', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM \"user\" "
        "WHERE role = 'STUDENT' AND id NOT IN (SELECT user_id FROM student_profile)"))
    for (user_id,) in bind.execute(sa.text(
            "SELECT user_id FROM student_profile WHERE student_number IS NULL ORDER BY user_id")).all():
        running += 1
        number = f"{prefix}{running:04d}"
        bind.execute(sa.text("UPDATE student_profile SET student_number = :n WHERE user_id = :u"),
                     {"n": number, "u": user_id})
    taken = {row[0] for row in bind.execute(sa.text('SELECT username FROM "user" WHERE username IS NOT NULL'))}
    rows = bind.execute(sa.text(
        'SELECT u.id, p.student_number FROM "user" u JOIN student_profile p ON p.user_id = u.id '
        "WHERE u.username IS NULL AND u.role = 'STUDENT' ORDER BY u.id")).all()
    for user_id, number in rows:
        base = (number or "").replace("/", "-").lower()[:36]
        if len(base) < 3:
            base = "s-" + base
        if not USERNAME_RE.match(base):
            continue
        candidate, suffix = base, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}-{suffix}"
        taken.add(candidate)
        bind.execute(sa.text('UPDATE "user" SET username = :n WHERE id = :u'), {"n": candidate, "u": user_id})


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username', sa.String(length=40), nullable=True))
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_user_username'), ['username'])
        batch_op.create_check_constraint(batch_op.f('ck_user_username_lowercase'), 'username = lower(username)')
        batch_op.create_check_constraint(batch_op.f('ck_user_email_or_username'),
                                         'email IS NOT NULL OR username IS NOT NULL')
    _backfill(op.get_bind())


def downgrade():
    bind = op.get_bind()
    # Accounts without an email cannot exist before this revision: they keep a placeholder address
    # (".invalid" never receives mail) rather than being deleted with their work.
    bind.execute(sa.text("UPDATE \"user\" SET email = username || '@no-email.invalid' WHERE email IS NULL"))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_email_or_username'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_user_username_lowercase'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_user_username'), type_='unique')
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_column('username')
