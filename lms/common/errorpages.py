"""Error pages: a full page, an htmx fragment, or JSON under /api/."""

from __future__ import annotations

import logging

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from lms.common.errors import DomainError
from lms.common.htmx import is_htmx
from lms.common.i18n import SESSION_LOCALE_KEY, SUPPORTED_LOCALES
from lms.extensions import db, limiter

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please check what you sent and try again.")),
        401: (_("Please sign in"), _("You need to sign in to see this page.")),
        403: (_("Not allowed"), _("You do not have permission to do that.")),
        404: (_("Not found"), _("We could not find that page. It may have been moved or you may not have access to it.")),
        405: (_("Not allowed"), _("That action is not available here.")),
        413: (_("Too large"), _("The file or form you sent is too large.")),
        422: (_("Please check the form"), _("Some of what you entered needs fixing.")),
        429: (_("Too many requests"), _("You are doing that too often. Please wait and try again.")),
        500: (_("Something went wrong"), _("An unexpected error happened. It has been logged; please try again.")),
        503: (_("Temporarily unavailable"), _("The service is temporarily unavailable. Please try again in a minute.")),
    }


def _way_back() -> str | None:
    """Where "Back" goes from an error page: the page the request came from when it is on this
    site, else the page itself for a GET (to try again), else nothing."""
    from urllib.parse import urlsplit

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/") and not referrer.path.startswith("//"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return None


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str | None = None, *, code: str | None = None,
                   details: dict | None = None, retry_after: int | None = None):
    title, default_message = _messages().get(status, (_("Error"), _("Something went wrong.")))
    message = message or default_message
    if wants_json():
        if retry_after:
            details = {**(details or {}), "retryAfter": retry_after}
        response = jsonify({
            "success": False,
            "statusCode": status,
            "message": message,
            "errorCode": code or _default_code(status),
            "details": details or {},
        })
        response.status_code = status
    else:
        template = "errors/_error.html" if is_htmx() else "errors/error.html"
        response = make_response(
            render_template(template, status=status, title=title, message=message, retry_after=retry_after,
                            way_back=_way_back() if status == 429 else None),
            status,
        )
        if is_htmx():
            # Show the error in the page's message region, not in the swapped element.
            response.headers["HX-Retarget"] = "#messages"
            response.headers["HX-Reswap"] = "innerHTML"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _default_code(status: int) -> str:
    return {
        400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE",
        422: "UNPROCESSABLE_ENTITY", 429: "RATE_LIMITED", 500: "INTERNAL_ERROR",
        503: "SERVICE_UNAVAILABLE",
    }.get(status, "ERROR")


DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


def register_error_handlers(app) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(DomainError, domain_error)
    for database_down in DATABASE_DOWN:  # PoolTimeout: every connection of the pool busy
        app.register_error_handler(database_down, database_unavailable_response)
    app.register_error_handler(DataError, value_refused_by_database)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


def csrf_error(err):
    return error_response(400, _("This form has expired or was not sent from this site. "
                                 "Reload the page and try again."), code="CSRF_FAILED")


def domain_error(err: DomainError):
    db.session.rollback()
    return error_response(err.status, err.message, code=err.code, details=err.details,
                          retry_after=getattr(err, "retry_after", None))


def value_refused_by_database(err):
    # A value the database cannot hold (too long, out of range) that no check caught first.
    log.warning("value refused by the database on %s %s: %s", request.method, request.path, err.orig)
    db.session.rollback()
    return error_response(400, _("A value you sent is too long or out of range."), code="VALUE_OUT_OF_RANGE")


def http_error(err: HTTPException):
    if err.code is None or err.code < 400:
        return err
    if isinstance(getattr(err, "original_exception", None), DATABASE_DOWN):  # raised after the view
        return database_unavailable_response(err.original_exception)
    retry_after = None
    if err.code == 429:
        retry_after = _retry_after_seconds(err) or 60  # a 429 always says when to come back
    response = error_response(err.code, getattr(err, "lms_message", None), retry_after=retry_after)
    if err.code == 405:
        # Werkzeug's own 405 lists the methods the URL takes; keep that on our page/JSON.
        allow_header = dict(err.get_headers()).get("Allow")
        if allow_header:
            response.headers["Allow"] = allow_header
    return response


def unexpected_error(err):
    log.exception("unhandled error on %s %s", request.method, request.path)
    try:
        db.session.rollback()
    except Exception:  # noqa: S110
        pass
    return error_response(500)

DATABASE_RETRY_SECONDS = 30


def request_locale() -> str:
    """The reader's language from the request alone (the language switch's choice in the session
    cookie, else Accept-Language, else the instance's setting): no user, no organization, no query."""
    from flask import current_app, session

    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    configured = current_app.config.get("ORG_LOCALE", "en")
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or (
        configured if configured in SUPPORTED_LOCALES else "en")


def database_unavailable_response(err):
    """503 while the database is down, without touching it again: the page is rendered without the
    layout (which loads the signed-in user and the organization) and in the request's language."""
    from flask import current_app
    from flask_babel import force_locale

    log.error("database unavailable: %s", err)
    try:
        db.session.rollback()
    except Exception:  # noqa: S110 - the connection may be gone entirely
        pass
    locale = request_locale()
    with force_locale(locale):
        title, message = _messages()[503]
        if wants_json():
            response = error_response(503, message, code="DATABASE_UNAVAILABLE")
        else:
            template = "errors/_unavailable.html" if is_htmx() else "errors/unavailable.html"
            # Straight from the Jinja environment: no context processors (they load the user).
            html = current_app.jinja_env.get_template(template).render(
                title=title, message=message, locale=locale, retry_after=DATABASE_RETRY_SECONDS,
                site_name=current_app.config.get("ORG_NAME") or "LMS")
            response = make_response(html, 503)
            if is_htmx():
                response.headers["HX-Retarget"] = "#messages"
                response.headers["HX-Reswap"] = "innerHTML"
    response.headers["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _retry_after_seconds(err) -> int | None:
    limit = getattr(err, "limit", None)
    reset = getattr(err, "reset_at", None) or getattr(limit, "reset_at", None)
    if not reset:
        # Flask-Limiter keeps the breached limit of this request (with its window) here.

        try:
            current = limiter.current_limit
            reset = current.reset_at if current is not None and current.breached else None
        except Exception:  # storage unreachable: no retry time, still a 429 page
            reset = None
    if reset:
        import time

        return max(int(reset - time.time()), 1)
    return None
