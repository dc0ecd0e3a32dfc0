"""Fixtures shared by the whole suite.

The database is SQLite by default, or a throw-away PostgreSQL database when
``LMS_TEST_DATABASE_URL`` points at a server (the run creates and drops it).
Redis is fakeredis by default, or a real server with ``LMS_TEST_REDIS_URL``.
Every test starts with empty tables: it runs in one database transaction, rolled back
afterwards (tests/db_isolation.py).  A test whose data other connections must see (threads,
worker processes, a live server) is marked ``@pytest.mark.committed``: its rows are really
committed and deleted after the test.

Tests must not hold an app context while they use the test client (Flask
would share it with the request): the ``db`` helpers below open their own.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.config import normalise_database_url
from lms.extensions import db as _db
from tests.db_isolation import SingleConnectionEngine
from tests.factories import Factory

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
TEST_PASSWORD = "correct-horse-battery"  # noqa: S105


def pytest_sessionstart(session):
    """Compile the translation catalogs when a .po is newer than its .mo (pages read the .mo)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "lms" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source:
                catalog = read_po(source)
            with open(mo, "wb") as target:
                write_mo(target, catalog)


def pytest_report_header(config):
    return [
        f"lms database: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite'}",
        f"lms redis: {TEST_REDIS_URL or 'fakeredis'}",
    ]


def _pg_admin_engine(url: str):
    return create_engine(make_url(normalise_database_url(url)).set(database="postgres"),
                         isolation_level="AUTOCOMMIT")


@contextlib.contextmanager
def temporary_database(tmp_path_factory, label: str):
    """A new empty database URL (PostgreSQL when configured, else a SQLite file)."""
    if TEST_DATABASE_URL:
        name = f"lms_test_{label}_{RUN_ID}"
        admin = _pg_admin_engine(TEST_DATABASE_URL)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield str(make_url(normalise_database_url(TEST_DATABASE_URL)).set(database=name)
                      .render_as_string(hide_password=False))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        path = tmp_path_factory.mktemp(label) / "lms.sqlite3"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with temporary_database(tmp_path_factory, "main") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url():
    return TEST_REDIS_URL or "fakeredis://"


def make_test_config(database_url: str, redis_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "LMS_ENV": "testing",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": redis_url,
        "QUEUE_NAME": f"lms-test-{RUN_ID}",
        "RQ_RUN_SYNC": True,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_BACKEND": "memory",
        "BASE_URL": "http://localhost",
        "ORG_TIMEZONE": "Asia/Bangkok",
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    app = create_app(make_test_config(database_url, redis_url,
                                 STORAGE_DIR=str(tmp_path_factory.mktemp("storage"))))
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def _engines(app):
    """The app's own engine (committed tests) and the single-connection one (all others)."""
    with app.app_context():
        real = _db.engine
    single = SingleConnectionEngine(real.url)
    yield real, single
    single.close()


@pytest.fixture(autouse=True)
def _clean_state(request, app, _engines):
    """Roll back the test's transaction (or, for a committed test, empty every table), and clear
    this run's Redis keys, after each test."""
    real, single = _engines
    with pytest.MonkeyPatch.context() as patch:
        if request.node.get_closest_marker("committed"):
            _use_engine(real, patch)
            yield
            _delete_all_rows(app)
        else:
            with single.transaction() as engine:
                _use_engine(engine, patch)
                yield
    from lms.mail import clear_outbox

    clear_outbox()
    with app.app_context():
        from lms.extensions import redis_connection

        conn = redis_connection()
        if conn is not None:
            if app.config["REDIS_URL"].startswith("fakeredis://"):
                conn.flushall()
            else:
                for pattern in (f"lms:{app.config['QUEUE_NAME']}:*", f"*{RUN_ID}*"):
                    for key in conn.scan_iter(pattern):
                        conn.delete(key)


def _use_engine(engine, patch):
    """``engine`` serves every app on the test database: the shared ``app``, apps that fixtures of
    a wider scope built, and apps the test builds (a CSRF or rate-limited variant)."""
    url = _url_text(engine.url)
    for engines in list(_db._app_engines.values()):
        if None in engines and engines[None] is not engine and _url_text(engines[None].url) == url:
            patch.setitem(engines, None, engine)
    make_engine = _db._make_engine

    def make_or_share(bind_key, options, other_app):
        if _url_text(make_url(options["url"])) == url:
            return engine
        return make_engine(bind_key, options, other_app)

    patch.setattr(_db, "_make_engine", make_or_share)


def _url_text(url) -> str:
    return url.render_as_string(hide_password=False)


def _delete_all_rows(app):
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox():
    """Emails "sent" during the test (MAIL_BACKEND=memory), oldest first."""
    from lms.mail import clear_outbox, outbox

    clear_outbox()
    return outbox


def email_text(message) -> str:
    """The plain-text body of an email from the outbox."""
    return message.get_body(preferencelist=("plain",)).get_content()


def email_link(message, path_prefix: str) -> str:
    """The first link in ``message`` whose path starts with ``path_prefix``, as a path."""
    import re
    from urllib.parse import urlsplit

    for url in re.findall(r"https?://\S+", email_text(message)):
        path = urlsplit(url).path
        if path.startswith(path_prefix):
            return path
    raise AssertionError(f"no {path_prefix} link in: {email_text(message)}")


@pytest.fixture
def make(app):
    """Factories: ``make.user(role="TEACHER")`` etc. Objects come back committed and detached."""
    return Factory(app)


class DatabaseHelper:
    """Run queries in a fresh app context (never shared with test-client requests)."""

    def __init__(self, app):
        self.app = app

    @contextlib.contextmanager
    def ctx(self):
        with self.app.app_context():
            try:
                yield _db.session
            finally:
                _db.session.remove()

    def scalar(self, stmt):
        with self.ctx() as session:
            return session.scalar(stmt)

    def scalars(self, stmt) -> list:
        with self.ctx() as session:
            items = list(session.scalars(stmt))
            for item in items:
                if hasattr(item, "_sa_instance_state"):
                    session.expunge(item)
            return items

    def get(self, model, ident):
        with self.ctx() as session:
            obj = session.get(model, ident)
            if obj is not None:
                session.expunge(obj)
            return obj

    def count(self, model, *where) -> int:
        from sqlalchemy import func, select

        with self.ctx() as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def db(app):
    return DatabaseHelper(app)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_login, password: str = TEST_PASSWORD, **extra):
        """Sign in through the page: a user (by email, else username) or a login text."""
        login = getattr(user_or_login, "sign_in_name", user_or_login)
        response = self.client.post("/auth/login", data={"login": login, "password": password, **extra})
        assert response.status_code in (302, 303), f"login failed for {login}: {response.status_code}"
        return response

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def as_role(client, make):
    """Sign the test client in as a new user of ``role``; returns the user."""

    def sign_in(role: str, **kwargs):
        user = make.user(role=role, **kwargs)
        AuthActions(client).login(user)
        return user

    return sign_in


@pytest.fixture
def demo(app):
    """The demo data the README lists (``lms seed-demo``); returns {email: user id}."""
    from lms.demo import seed_demo

    with app.app_context():
        users = seed_demo()
        ids = {email: user.id for email, user in users.items()}
        _db.session.remove()
    return ids


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: client.get(...)``; then ``counter.count`` statements ran."""
    from sqlalchemy import event

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
                counter.statements.append(statement)

        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


def requires_redis_server():
    """Skip (visibly) without a real Redis; in CI the PostgreSQL+Redis pass runs these."""
    return pytest.mark.skipif(not TEST_REDIS_URL, reason="needs LMS_TEST_REDIS_URL (a real Redis server)")


def pytest_sessionfinish(session, exitstatus):
    """With LMS_TEST_NO_SKIPS=1 (CI's PostgreSQL + Redis pass) a skipped test fails the run."""
    if os.environ.get("LMS_TEST_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"LMS_TEST_NO_SKIPS=1 but {len(skipped)} test(s) were skipped", red=True)
        session.exitstatus = 1
