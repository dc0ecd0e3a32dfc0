import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.auth.models import User
from lms.config import normalise_database_url
from tests.conftest import RUN_ID, TEST_DATABASE_URL, _pg_admin_engine, make_test_config


def test_seed_demo_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output
    count = db.count(User)
    second = runner.invoke(args=["lms", "seed-demo"])
    assert second.exit_code == 0
    assert db.count(User) == count  # demo steps add more (e.g. the demo school's students)
    assert count >= 6


def test_seed_demo_refuses_a_production_instance(database_url, redis_url, db):
    prod = create_app(make_test_config(database_url, redis_url, LMS_ENV="production"))
    result = prod.test_cli_runner().invoke(args=["lms", "seed-demo"])
    assert result.exit_code != 0
    assert "production" in result.output
    assert db.count(User) == 0


@pytest.mark.parametrize("slug", ["Acme", "a_b", "-x", "example", "x" * 50])
def test_instance_create_refuses_bad_slugs(app, tmp_path, monkeypatch, slug):
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["lms", "instance", "create", slug, "--name", "X"])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_instance_create_refuses_an_existing_slug(app, tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    (tmp_path / "acme.env").write_text("PORT=8001\n")
    result = app.test_cli_runner().invoke(args=["lms", "instance", "create", "acme", "--name", "Acme"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_instance_create_cleans_up_when_the_database_is_unreachable(app, tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    result = app.test_cli_runner().invoke(args=[
        "lms", "instance", "create", "ghost", "--name", "Ghost",
        "--database-url", "postgresql://nobody@127.0.0.1:1/lms_ghost",
    ])
    assert result.exit_code != 0
    assert "was not created" in result.output
    assert not (tmp_path / "ghost.env").exists()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")
def test_instance_create_list_and_migrate_all_on_postgresql(app, tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    slug = f"t{RUN_ID.replace('_', '-')}"
    dbname = f"lms_{slug.replace('-', '_')}"
    url = str(make_url(normalise_database_url(TEST_DATABASE_URL)).set(database=dbname)
              .render_as_string(hide_password=False))
    runner = app.test_cli_runner()
    try:
        result = runner.invoke(args=["lms", "instance", "create", slug, "--name", "Acme School",
                                     "--database-url", url, "--admin-email", "Head@Acme.example.org"])
        assert result.exit_code == 0, result.output
        assert "password" in result.output
        env_text = (tmp_path / f"{slug}.env").read_text()
        assert "LMS_ENV=production" in env_text and f"QUEUE_NAME=lms-{slug}" in env_text
        assert (tmp_path / f"{slug}.env").stat().st_mode & 0o077 == 0

        engine = create_engine(normalise_database_url(url))
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version"))
            assert conn.scalar(text("SELECT name FROM organization")) == "Acme School"
            assert conn.scalar(select(func.count()).select_from(User.__table__)
                               .where(User.__table__.c.email == "head@acme.example.org")) == 1
        engine.dispose()

        again = runner.invoke(args=["lms", "instance", "create", slug, "--name", "Again"])
        assert again.exit_code != 0

        reuse = runner.invoke(args=["lms", "instance", "create", "other", "--name", "Other",
                                    "--database-url", url])
        assert reuse.exit_code != 0 and "not empty" in reuse.output
        assert not (tmp_path / "other.env").exists()

        listing = runner.invoke(args=["lms", "instance", "list"])
        assert listing.exit_code == 0
        assert slug in listing.output and "Acme School" in listing.output and dbname in listing.output

        migrated = runner.invoke(args=["lms", "instance", "migrate-all"])
        assert migrated.exit_code == 0, migrated.output
        assert "up to date" in migrated.output
    finally:
        admin = _pg_admin_engine(TEST_DATABASE_URL)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()


def test_migrate_all_stops_at_the_first_failure_and_names_it(app, tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    (tmp_path / "aaa.env").write_text(
        "LMS_ENV=production\nSECRET_KEY=" + "s" * 40 + "\nDATABASE_URL=postgresql://nobody@127.0.0.1:1/x\n"
        "REDIS_URL=redis://127.0.0.1:6379/0\n")
    (tmp_path / "bbb.env").write_text((tmp_path / "aaa.env").read_text())
    result = app.test_cli_runner().invoke(args=["lms", "instance", "migrate-all"])
    assert result.exit_code != 0
    assert "'aaa' failed" in result.output
    assert "Not upgraded: bbb" in result.output
