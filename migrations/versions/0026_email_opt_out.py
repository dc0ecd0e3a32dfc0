"""email opt-outs: the kinds of optional email a person turned off (one-click unsubscribe)

Revision ID: 0026
Revises: 0028
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_opt_out',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("kind IN ('all', 'announcements', 'session_reminders', 'absence_alerts')", name=op.f('ck_email_opt_out_kind_valid')),
    sa.CheckConstraint("source IN ('WEB', 'EMAIL')", name=op.f('ck_email_opt_out_source_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_email_opt_out_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_email_opt_out'))
    )


def downgrade():
    op.drop_table('email_opt_out')
