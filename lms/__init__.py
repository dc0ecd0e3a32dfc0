"""The LMS application factory."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from importlib import import_module

from flask import Blueprint, Flask, current_app, request, url_for
from sqlalchemy import event
from sqlalchemy.engine import Engine

from lms.config import PROJECT_ROOT, load_config
from lms.extensions import babel, csrf, db, login_manager, migrate

# The blueprints in registration order, as "module:attribute".  Each domain package has one
# blueprint, built by its ``blueprint()`` with a nested blueprint per area, so endpoints read
# ``<domain>.<area>.<view>`` (``<domain>.<view>`` for a domain's own pages).
BLUEPRINTS = [
    "lms.health:bp",
    "lms.csp_report:bp",
    "lms.home:blueprint",
    "lms.auth:blueprint",
    "lms.audit:blueprint",
    "lms.centres:blueprint",
    "lms.school:blueprint",
    "lms.curriculum:blueprint",
    "lms.resources:blueprint",
    "lms.analytics:blueprint",
    "lms.communication:blueprint",
    "lms.teaching:blueprint",
    "lms.api:blueprint",
    "lms.assessments:blueprint",
    "lms.digest:blueprint",
    "lms.rewards:blueprint",
    "lms.privacy:blueprint",
    "lms.profiles:blueprint",
    "lms.supervision:blueprint",
    "lms.conversations:blueprint",
    "lms.streams:blueprint",
]

def create_app(config: dict | None = None) -> Flask:
    """Build the app for the instance in the environment, or for ``config`` (tests).

    With ``config`` given, settings start from the embedded defaults (the real
    environment and instance files are ignored) and ``config`` overrides them.
    """
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "var"),
    )
    from lms.common.downloads import RangeResponse

    app.response_class = RangeResponse  # byte ranges as RFC 9110 says (lms.common.downloads)
    app.config.update(APP_DEFAULTS)
    if config is None:
        app.config.update(load_config())
    else:
        app.config.update(load_config(instance=None, environ={}))
        app.config.update(config)
    _apply_engine_options(app)
    if app.config.get("PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _configure_logging(app)

    from lms.common import edge

    edge.init_app(app)  # first: bounded ids in the URL map, and its check runs before every other hook
    _init_database(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    from lms.common import ratelimit

    ratelimit.init_app(app)
    from lms.common import i18n

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    _init_login(app)

    import lms.models  # noqa: F401 - every model registered before blueprints use them

    for target in BLUEPRINTS:
        module, _, attr = target.partition(":")
        blueprint = getattr(import_module(module), attr)
        app.register_blueprint(blueprint if isinstance(blueprint, Blueprint) else blueprint())

    from lms.common.errorpages import register_error_handlers
    from lms.common.security import set_security_headers

    register_error_handlers(app)
    app.after_request(set_security_headers)
    _init_templates(app)
    _init_inline_periodic_jobs(app)

    from lms.cli import register_cli

    register_cli(app)
    return app


APP_DEFAULTS = {
    "PASSWORD_HASH_METHOD": "scrypt",
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "MAX_FORM_PARTS": 20000,  # the year-end rollover posts one checkbox per student
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the login session
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "lms" / "translations"),
    "BABEL_DEFAULT_LOCALE": "en",
}


def _apply_engine_options(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 30}}
    else:
        engine_options = {
            "pool_pre_ping": True,
            "pool_size": 5,
            "max_overflow": 10,
            "connect_args": {"connect_timeout": 3, "options": "-c timezone=UTC"},
        }
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options)


def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.logger.setLevel(level)


def _init_database(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from lms.auth.services import load_user

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    from lms.auth import remember

    remember.init_app(app)  # "keep me signed in": our own rotating cookie, not Flask-Login's

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash

        from lms.common.errorpages import error_response, wants_json
        from lms.common.htmx import redirect_to

        if wants_json():
            return error_response(401)
        if request.headers.get("HX-Request") == "true":
            current = request.headers.get("HX-Current-URL", "")
            path = "/" + current.split("/", 3)[3] if current.count("/") >= 3 else None
            return redirect_to(url_for("auth.login", next=path))
        flash(login_manager.login_message, "info")
        return redirect_to(url_for("auth.login", next=request.full_path.rstrip("?")), status=302)


_static_versions: dict[str, str] = {}


def static_url(filename: str) -> str:
    """URL of a static file with a content hash, so browsers cache it safely for long."""
    version = _static_versions.get(filename)
    if version is None:
        path = PROJECT_ROOT / "static" / filename
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.exists() else "0"
        if not current_app.debug:
            _static_versions[filename] = version
    return url_for("static", filename=filename, v=version)


def _init_templates(app: Flask) -> None:
    from flask_login import current_user

    from lms.auth.models import Role
    from lms.common.navigation import nav_for
    from lms.common.pagination import url_args

    app.jinja_env.globals.update(static_url=static_url, url_args=url_args, Role=Role,
                                has_endpoint=lambda name: name in app.view_functions)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale

    @app.context_processor
    def layout_context():
        return {"organization": _layout_organization, "nav_items": lambda: nav_for(current_user)}


def _layout_organization():
    """The organization for the layout; falls back to the settings when the DB is down."""
    from lms.core.organization import current_organization, default_organization

    try:
        return current_organization()
    except Exception:
        return default_organization()


def _init_inline_periodic_jobs(app: Flask) -> None:
    if app.config.get("REDIS_URL") or app.config.get("TESTING"):
        return

    @app.before_request
    def run_periodic_jobs():
        if request.endpoint in ("static", "health.healthz"):
            return
        from lms.jobs import run_due_periodic_jobs_inline

        run_due_periodic_jobs_inline()
