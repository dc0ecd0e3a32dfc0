"""issue 15.2: login cards (QR sign-in), activation links, "must change password"

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 12:20:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_account_token_purpose_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_account_token_purpose_valid'),
                                         "purpose IN ('RESET_PASSWORD', 'CHANGE_EMAIL', 'ACTIVATE')")
    op.create_table(
        'sign_in_card',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('classroom_id', sa.Integer(), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('expires_at > created_at', name=op.f('ck_sign_in_card_expires_after_created')),
        sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_sign_in_card_classroom_id_classroom'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_sign_in_card_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_in_card_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_card')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_card_token_hash')),
    )
    op.create_index('ix_sign_in_card_classroom_open', 'sign_in_card', ['classroom_id', 'used_at', 'revoked_at'])
    op.create_index(op.f('ix_sign_in_card_user_id'), 'sign_in_card', ['user_id'])
    op.create_table(
        'login_card_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('classroom_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.Column('card_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('expires_at > created_at', name=op.f('ck_login_card_batch_expires_after_created')),
        sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'],
                                name=op.f('fk_login_card_batch_classroom_id_classroom'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_login_card_batch_created_by_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_card_batch')),
    )
    op.create_index(op.f('ix_login_card_batch_classroom_id'), 'login_card_batch', ['classroom_id'])
    op.create_index(op.f('ix_login_card_batch_created_by_id'), 'login_card_batch', ['created_by_id'])
    op.create_index(op.f('ix_login_card_batch_expires_at'), 'login_card_batch', ['expires_at'])


def downgrade():
    op.drop_table('login_card_batch')
    op.drop_table('sign_in_card')
    op.execute("DELETE FROM account_token WHERE purpose = 'ACTIVATE'")
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_account_token_purpose_valid'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_account_token_purpose_valid'),
                                         "purpose IN ('RESET_PASSWORD', 'CHANGE_EMAIL')")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
