"""issue 18.3: the SUPERVISOR role (centre managers) and a supervisor of the whole organization

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 20:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('ADMIN', 'TEACHER', 'STUDENT', 'PARENT')"
NEW_ROLES = "role IN ('ADMIN', 'TEACHER', 'STUDENT', 'PARENT', 'SUPERVISOR')"


def _roles(table: str, check: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_role_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f(f'ck_{table}_role_valid'), check)


def upgrade():
    _roles('invitation', NEW_ROLES)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_role_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role_valid'), NEW_ROLES)
        batch_op.add_column(sa.Column('supervises_all', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_user_supervises_all_only_supervisors'),
                                         "role = 'SUPERVISOR' OR NOT supervises_all")


def downgrade():
    # Supervisors cannot be kept under the old roles: they become deactivated teachers (no data
    # of theirs is lost; an admin decides what they become).
    op.execute("UPDATE \"user\" SET active = false WHERE role = 'SUPERVISOR'")
    op.execute("UPDATE \"user\" SET role = 'TEACHER', supervises_all = false WHERE role = 'SUPERVISOR'")
    op.execute("UPDATE invitation SET status = 'REVOKED' WHERE role = 'SUPERVISOR' AND status = 'PENDING'")
    op.execute("UPDATE invitation SET role = 'TEACHER' WHERE role = 'SUPERVISOR'")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_supervises_all_only_supervisors'), type_='check')
        batch_op.drop_column('supervises_all')
        batch_op.drop_constraint(batch_op.f('ck_user_role_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_role_valid'), OLD_ROLES)
    _roles('invitation', OLD_ROLES)
