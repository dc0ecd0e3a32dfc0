"""The Alembic history builds exactly the models' schema, and unwinds to nothing."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from lms import create_app
from lms.extensions import db
from tests.conftest import make_test_config, temporary_database


def test_upgrade_to_head_matches_the_models_and_downgrades_to_base(tmp_path_factory):
    with temporary_database(tmp_path_factory, "migrations") as url:
        app = create_app(make_test_config(url, "fakeredis://"))
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                drift = compare_metadata(context, db.metadata)
            assert drift == [], f"models and migrations differ: {drift}"

            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

            upgrade()  # and up again: downgrades leave nothing behind that blocks a re-run
            db.session.remove()
            db.engine.dispose()
