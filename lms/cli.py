"""``flask --app wsgi lms ...``: demo data and per-organization instances."""

from __future__ import annotations

import secrets
import socket

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms.auth.models import Role, User
from lms.config import (
    SLUG_RE,
    ConfigError,
    instance_env_path,
    instances_dir,
    load_config,
    normalise_database_url,
    read_settings,
)
from lms.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from lms.extensions import db
from lms.school.services import ensure_organization

lms_cli = AppGroup("lms", help="LMS administration commands.")
instance_cli = AppGroup("instance", help="Create and upgrade organization instances.")
lms_cli.add_command(instance_cli)

FIRST_PORT = 8001


def register_cli(app) -> None:
    app.cli.add_command(lms_cli)


@lms_cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Allow seeding a production instance.")
def seed_demo_command(force: bool) -> None:
    """Create the demo organization and accounts (idempotent)."""
    if current_app.config["LMS_ENV"] == "production" and not force:
        raise click.ClickException(
            "refusing to load demo accounts into a production instance (pass --force if you mean it)"
        )
    seed_demo()
    click.echo(f"Demo data ready. Sign in with any of these (password {DEMO_PASSWORD}):")
    for email, _name, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:8} {email}")


@lms_cli.command("thumbnails")
def thumbnails_command() -> None:
    """Make the missing thumbnails of images, videos and PDFs (after installing ffmpeg)."""
    from lms.resources.jobs import ask_for_missing_thumbnails

    count = ask_for_missing_thumbnails()
    click.echo(f"Asked for {count} thumbnail(s); files that cannot be pictured are logged and skipped.")


# --- instances --------------------------------------------------------------

def instance_slugs() -> list[str]:
    return sorted(p.stem for p in instances_dir().glob("*.env") if p.stem != "example")


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _free_port() -> int:
    taken = set()
    for slug in instance_slugs():
        try:
            taken.add(int(read_settings(slug, environ={})["PORT"]))
        except (ConfigError, ValueError):
            continue
    port = FIRST_PORT
    while port in taken or _port_in_use(port):
        port += 1
    return port


def _env_file_text(slug: str, name: str, database_url: str, redis_url: str, port: int,
                   base_url: str, workers: int) -> str:
    return f"""\
# Instance "{slug}" ({name}). Written by `flask lms instance create`; keep it secret (chmod 600).
LMS_ENV=production
ORG_NAME="{name}"
SECRET_KEY={secrets.token_urlsafe(48)}
DATABASE_URL={database_url}
REDIS_URL={redis_url}
QUEUE_NAME=lms-{slug}
PORT={port}
WEB_WORKERS={workers}
BASE_URL={base_url}
ORG_TIMEZONE=Asia/Bangkok
ORG_LOCALE=en
# Email: MAIL_BACKEND=smtp sends through the server below; console writes messages to the log.
MAIL_BACKEND=console
MAIL_SERVER=
MAIL_PORT=587
MAIL_USERNAME=
MAIL_PASSWORD=
MAIL_USE_TLS=true
MAIL_FROM="{name} <no-reply@{slug}.example.org>"
# Single sign-on ("Sign in with Google / Microsoft"): see instances/example.env and the README.
OIDC_PROVIDERS=
"""


def _create_database(database_url: str) -> bool:
    """Create the PostgreSQL database if it does not exist; True when it was created."""
    url = make_url(normalise_database_url(database_url))
    if not url.drivername.startswith("postgresql"):
        raise click.ClickException("--database-url must be a PostgreSQL URL")
    dbname = url.database
    admin_engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": dbname})
            if exists:
                _refuse_non_empty(url)
                return False
            quoted = conn.dialect.identifier_preparer.quote(dbname)
            conn.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        admin_engine.dispose()


def _refuse_non_empty(url) -> None:
    """An existing database may be reused only while it is empty (e.g. made by a DBA)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.scalar(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
    finally:
        engine.dispose()
    if tables:
        raise click.ClickException(
            f"database {url.database!r} already exists and is not empty; "
            "choose another with --database-url or drop it first")


def _drop_database(database_url: str) -> None:
    url = make_url(normalise_database_url(database_url))
    admin_engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(url.database)
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))
    finally:
        admin_engine.dispose()


def instance_app(slug: str):
    """The app of one instance, configured from its env file only."""
    from lms import create_app  # the composition root imports this module

    return create_app(load_config(instance=slug, environ={}))


@instance_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help='The organization\'s name, e.g. "Acme School".')
@click.option("--database-url", default=None,
              help="PostgreSQL URL (default: postgresql://postgres@127.0.0.1:5432/lms_<slug>).")
@click.option("--redis-url", default="redis://127.0.0.1:6379/0", show_default=True)
@click.option("--port", type=int, default=None, help="Port for gunicorn (default: the next free one from 8001).")
@click.option("--base-url", default=None, help="Public URL (default: https://<slug>.example.org).")
@click.option("--workers", type=int, default=2, show_default=True, help="gunicorn workers.")
@click.option("--admin-email", default=None, help="The first admin's email (default: admin@<slug>.example.org).")
def instance_create(slug, name, database_url, redis_url, port, base_url, workers, admin_email):
    """Create instances/<slug>.env, its database, schema, organization and first admin."""
    if not SLUG_RE.match(slug) or slug == "example":
        raise click.ClickException(f"invalid slug {slug!r}: use lower-case letters, digits and '-' (e.g. acme)")
    env_path = instance_env_path(slug)
    if env_path.exists():
        raise click.ClickException(f"instance {slug!r} already exists ({env_path})")
    if not name.strip():
        raise click.ClickException("--name must not be empty")
    database_url = database_url or f"postgresql://postgres@127.0.0.1:5432/lms_{slug.replace('-', '_')}"
    port = port or _free_port()
    base_url = base_url or f"https://{slug}.example.org"
    admin_email = (admin_email or f"admin@{slug}.example.org").strip().lower()

    instances_dir().mkdir(parents=True, exist_ok=True)
    env_path.write_text(_env_file_text(slug, name.strip(), database_url, redis_url, port, base_url, workers))
    env_path.chmod(0o600)
    created_db = False
    try:
        created_db = _create_database(database_url)
        password = _migrate_and_bootstrap(slug, name.strip(), admin_email)
    except Exception as err:
        env_path.unlink(missing_ok=True)
        if created_db:
            _drop_database(database_url)
        if isinstance(err, click.ClickException):
            raise
        raise click.ClickException(f"instance {slug!r} was not created: {err}") from err

    click.echo(f"Instance {slug!r} created: {env_path}")
    click.echo(f"  database  {make_url(normalise_database_url(database_url)).render_as_string(hide_password=True)}")
    click.echo(f"  port      {port}")
    click.echo(f"  admin     {admin_email}")
    click.echo(f"  password  {password}   (shown once: sign in and change it on /me)")
    click.echo("Start it with PM2: pm2 start ecosystem.config.js && pm2 save")


def _migrate_and_bootstrap(slug: str, name: str, admin_email: str) -> str:
    from flask_migrate import upgrade

    app = instance_app(slug)
    with app.app_context():
        upgrade()
        org = ensure_organization()
        org.name, org.slug = name, slug
        password = secrets.token_urlsafe(12)
        admin = User(email=admin_email, full_name="Administrator", role=Role.ADMIN)
        admin.set_password(password)
        db.session.add(admin)
        db.session.commit()
        db.engine.dispose()
    return password


@instance_cli.command("list")
def instance_list():
    """Slug, name, port, database and migration revision of every instance."""
    rows = [("SLUG", "NAME", "PORT", "DATABASE", "REVISION")]
    for slug in instance_slugs():
        try:
            settings = read_settings(slug, environ={})
        except ConfigError as err:
            rows.append((slug, "?", "?", "?", f"error: {err}"))
            continue
        url = make_url(normalise_database_url(settings["DATABASE_URL"] or "sqlite://"))
        name, revision = settings["ORG_NAME"], "unreachable"
        engine = create_engine(url, connect_args={"connect_timeout": 3} if url.drivername.startswith("postgresql") else {})
        try:
            with engine.connect() as conn:
                revision = conn.scalar(text("SELECT version_num FROM alembic_version")) or "empty"
                name = conn.scalar(text("SELECT name FROM organization ORDER BY id LIMIT 1")) or name
        except Exception:  # noqa: S110 - shown as "unreachable"
            pass
        finally:
            engine.dispose()
        rows.append((slug, name, settings["PORT"], url.render_as_string(hide_password=True), revision))
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@instance_cli.command("migrate-all")
def instance_migrate_all():
    """Upgrade every instance's database to the latest schema; stop at the first failure."""
    from flask_migrate import upgrade

    slugs = instance_slugs()
    if not slugs:
        click.echo("No instances in instances/.")
        return
    for index, slug in enumerate(slugs):
        click.echo(f"Upgrading {slug}...")
        try:
            app = instance_app(slug)
            with app.app_context():
                upgrade()
                db.engine.dispose()
        except Exception as err:
            remaining = ", ".join(slugs[index + 1:]) or "none"
            raise click.ClickException(
                f"migrate-all stopped: instance {slug!r} failed: {err}. Not upgraded: {remaining}"
            ) from err
    click.echo(f"All {len(slugs)} instance(s) are up to date.")
