"""issue 14: privacy — retention settings, erased students

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_retention_days', sa.Integer(), server_default='365', nullable=False))
        batch_op.add_column(sa.Column('audit_retention_days', sa.Integer(), server_default='1825', nullable=False))
        batch_op.create_check_constraint(op.f('ck_organization_log_retention_range'),
                                         'log_retention_days BETWEEN 30 AND 3650')
        batch_op.create_check_constraint(op.f('ck_organization_audit_retention_range'),
                                         'audit_retention_days BETWEEN 365 AND 3650')
        batch_op.create_check_constraint(op.f('ck_organization_audit_kept_as_long_as_logs'),
                                         'audit_retention_days >= log_retention_days')

    with op.batch_alter_table('student_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('student_profile', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organization_audit_kept_as_long_as_logs'), type_='check')
        batch_op.drop_constraint(op.f('ck_organization_audit_retention_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_organization_log_retention_range'), type_='check')
        batch_op.drop_column('audit_retention_days')
        batch_op.drop_column('log_retention_days')
