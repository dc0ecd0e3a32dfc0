"""Error pages: a full page, an htmx fragment, or JSON under /api/."""

from __future__ import annotations

import logging

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from lms.common.errors import DomainError
from lms.common.htmx import is_htmx

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


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str | None = None, *, code: str | None = None,
                   details: dict | None = None, retry_after: int | None = None):
    title, default_message = _messages().get(status, (_("Error"), _("Something went wrong.")))
    message = message or default_message
    if wants_json():
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
            render_template(template, status=status, title=title, message=message, retry_after=retry_after),
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


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return error_response(400, _("This form has expired or was not sent from this site. "
                                     "Reload the page and try again."), code="CSRF_FAILED")

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        from lms.extensions import db

        db.session.rollback()
        return error_response(err.status, err.message, code=err.code, details=err.details)

    @app.errorhandler(OperationalError)
    def database_unavailable(err):
        from lms.extensions import db

        log.error("database unavailable: %s", err)
        try:
            db.session.rollback()
        except Exception:  # noqa: S110 - the connection may be gone entirely
            pass
        return error_response(503, code="DATABASE_UNAVAILABLE")

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code is None or err.code < 400:
            return err
        retry_after = None
        if err.code == 429:
            retry_after = _retry_after_seconds(err)
        response = error_response(err.code, getattr(err, "lms_message", None), retry_after=retry_after)
        if err.code == 405 and getattr(err, "valid_methods", None):
            response.headers["Allow"] = ", ".join(err.valid_methods)  # RFC 9110: a 405 lists what is allowed
        return response

    @app.errorhandler(Exception)
    def unexpected_error(err):
        from lms.extensions import db

        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:  # noqa: S110
            pass
        return error_response(500)


def _retry_after_seconds(err) -> int | None:
    limit = getattr(err, "limit", None)
    reset = getattr(err, "reset_at", None) or getattr(limit, "reset_at", None)
    if not reset:
        # Flask-Limiter keeps the breached limit of this request (with its window) here.
        from lms.extensions import limiter

        try:
            current = limiter.current_limit
            reset = current.reset_at if current is not None and current.breached else None
        except Exception:  # storage unreachable: no retry time, still a 429 page
            reset = None
    if reset:
        import time

        return max(int(reset - time.time()), 1)
    return None
