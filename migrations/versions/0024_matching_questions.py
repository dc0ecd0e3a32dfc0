"""matching questions: the question type MATCHING (pairs in the options and key JSON columns)

Revision ID: 0024
Revises: 0030
Create Date: 2026-12-03 16:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0030'
branch_labels = None
depends_on = None

OLD_TYPES = ('SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'TRUE_FALSE', 'SHORT_ANSWER', 'NUMERIC', 'LONG_ANSWER',
             'FILE_UPLOAD')
NEW_TYPES = OLD_TYPES + ('MATCHING',)


def _type_check(types) -> str:
    return "type IN ({})".format(", ".join(f"'{t}'" for t in types))


def _replace_type_check(types) -> None:
    for table in ('question', 'question_version'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_type_valid'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_type_valid'), _type_check(types))


def upgrade():
    _replace_type_check(NEW_TYPES)


def downgrade():
    # Matching questions cannot be kept by the older schema: a downgrade refuses to run while
    # there are any (the CHECK fails) rather than silently deleting students' answers.
    _replace_type_check(OLD_TYPES)
