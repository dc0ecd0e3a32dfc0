"""The API blueprint: bearer authentication, the contract's envelopes, parameter parsing, route declarations.

* Rate limits: each signed-in user and each anonymous address has its own limit, and signed-in
  requests also count against the school's (``lms.teaching.limits``).
* Authentication is ``Authorization: Bearer <token>`` only — a short-lived JWT from
  ``POST /api/v1/auth/token`` or a personal access token from ``/me``.  Cookies never authenticate
  the API: ``before_request`` sets the request's user from the bearer token alone
  (``g._login_user``), so ``@allow(...)`` works unchanged and a request with only a session cookie
  answers 401.  CSRF does not apply (the blueprint is exempt: no cookie, no cross-site forgery).
* Success bodies: ``{"success": true, "data": ..., "message"?, "pagination"?}``; errors come from
  ``lms.common.errorpages`` (``success, statusCode, message, errorCode, details``) for the
  ``lms.common.errors`` exceptions the services raise.
* Every route is declared once with ``@operation(...)`` (method, path, schemas); the OpenAPI document
  is built from those declarations (``lms.api.openapi``) and a test checks them against the URL map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Blueprint, g, jsonify, make_response, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin

from lms.api.tokens import user_from_bearer
from lms.api.validation import RFC3339, check_body
from lms.common.errorpages import error_response
from lms.common.errors import NotFound, ValidationFailed
from lms.common.ids import ID_MAX, as_id
from lms.common.pagination import MAX_PAGE, page_of
from lms.common.ratelimit import client_ip
from lms.core.organization import current_organization
from lms.extensions import csrf
from lms.teaching import limits
from lms.teaching.rules import parse_datetime

API_PREFIX = "/api/v1"
bp = Blueprint("v1", __name__, url_prefix=API_PREFIX)
BLUEPRINT = "api.v1"  # its full name once nested in the api domain's blueprint (``request.blueprint``)
csrf.exempt(bp)


@bp.before_request
def authenticate_bearer():
    user, problem = user_from_bearer(request.headers.get("Authorization"))
    g._login_user = user or AnonymousUserMixin()
    if user is None:
        # Anonymous (or a bad token): counted per address only, never against the school's limit,
        # so nobody can use up the school's requests without signing in.
        limits.hit("API_LIMIT_PER_ANONYMOUS_IP", "ip", client_ip())
        if problem:
            return error_response(401, problem, code="INVALID_TOKEN")
        return None
    # Each user first (one busy script is stopped before the school's budget is spent), then the school.
    limits.hit("API_LIMIT_PER_USER", "user", user.id)
    limits.hit("API_LIMIT_PER_TENANT", "tenant", current_organization().id or 0)
    if user is not None or request.endpoint in PUBLIC_ENDPOINTS:
        refuse_impossible_ids()
        refuse_unknown_query_parameters()
    return None


def refuse_unknown_query_parameters() -> None:
    """Only the query parameters the operation declares (a typo is an error, not silently ignored)."""
    allowed = QUERIES.get(request.endpoint or "", set())
    unknown = [name for name in request.args if name not in allowed]
    if unknown:
        raise ValidationFailed(_("%(name)s is not a known query parameter", name=unknown[0]), field=unknown[0])


def refuse_impossible_ids() -> None:
    """An id in the path beyond what the database can hold names nothing: 404, not a database error."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and value > ID_MAX:
            code = "SESSION_NOT_FOUND" if name == "session_id" else "NOT_FOUND"
            raise NotFound(_("Not found"), code=code, details={"field": name})


# --- declarations (for the OpenAPI document) -----------------------------------------------------

OPERATIONS: list[dict] = []
BODIES: dict[str, str] = {}  # endpoint → the name of its body schema
QUERIES: dict[str, set[str]] = {}  # endpoint → its query parameters
PUBLIC_ENDPOINTS: set[str] = set()


def operation(method: str, path: str, *, summary: str, tag: str, roles: str = "", body: str | None = None,
              response: str | None = None, status: int = 200, query: tuple = (), errors: tuple = (),
              public: bool = False, list_response: bool = False):
    """Declare one route for the OpenAPI document (``path`` relative to /api/v1, ``{param}`` style)."""

    def decorator(view):
        OPERATIONS.append({"method": method.upper(), "path": path, "summary": summary, "tag": tag, "roles": roles,
                           "body": body, "response": response, "status": status, "query": query,
                           "errors": errors, "public": public, "list": list_response,
                           "operation_id": view.__name__})
        endpoint = f"{BLUEPRINT}.{view.__name__}"
        if body:
            BODIES[endpoint] = body
        QUERIES.setdefault(endpoint, set()).update(name.partition("@")[0] for name in query)
        if public:
            PUBLIC_ENDPOINTS.add(endpoint)
        return view

    return decorator


# --- responses -------------------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; the year always has four digits ("0005-01-01T00:00:00Z": ``strftime``
    writes year 5 as "5")."""
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo is not None else value
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def ok(data, message: str | None = None, status: int = 200):
    body = {"success": True, "data": data}
    if message:
        body["message"] = message
    response = jsonify(body)
    response.status_code = status
    return response


def no_content():
    return make_response("", 204)


@dataclass
class Page:
    page: int
    limit: int
    total: int
    items: list = field(default_factory=list)

    @property
    def pagination(self) -> dict:
        pages = math.ceil(self.total / self.limit) if self.total else 0
        return {"page": self.page, "limit": self.limit, "total": self.total, "totalPages": pages,
                "hasNext": self.page < pages, "hasPrev": self.page > 1}


def paginate_query(stmt, page: int, limit: int, *, scalars: bool = True) -> Page:
    """The contract's pagination over the project's one pagination query (``lms.common.pagination``)."""
    result = page_of(stmt, page, limit, scalars=scalars)
    return Page(page, limit, result.total, list(result.items))


def ok_list(page: Page, data: list, message: str | None = None):
    body = {"success": True, "data": data, "pagination": page.pagination}
    if message:
        body["message"] = message
    return jsonify(body)


# --- request bodies and query parameters ------------------------------------------------------------


def json_body() -> dict:
    """The request's JSON object, checked against the operation's documented body (``lms.api.validation``)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_("The request body must be a JSON object"), field="body")
    body = BODIES.get(request.endpoint or "")
    if body:
        from lms.api.openapi import SCHEMAS  # import cycle: openapi imports this module

        check_body(data, SCHEMAS[body])
    return data


class Query:
    """Query parameters, checked all at once: bad ones → 400 VALIDATION_ERROR listing each problem.
    A parameter that is absent takes its default; one sent empty (``?status=``) is refused like any other
    value that is not of its type."""

    def __init__(self):
        self.args = request.args
        self.errors: list[dict] = []

    def _bad(self, name: str, reason: str):
        self.errors.append({"field": name, "reason": reason})

    def integer(self, name: str, default: int | None = None, *, minimum: int = 1,
                maximum: int | None = None) -> int | None:
        raw = self.args.get(name)
        if raw is None:
            return default
        if as_id(raw) is None or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
            limits = f"{minimum}–{maximum}" if maximum is not None else f">= {minimum}"
            self._bad(name, _("%(name)s must be an integer (%(limits)s)", name=name, limits=limits))
            return default
        return int(raw)

    def page(self) -> int:
        return self.integer("page", 1, maximum=MAX_PAGE)

    def limit(self, default: int) -> int:
        return self.integer("limit", default, maximum=100)

    def choice(self, name: str, choices, default: str = "") -> str:
        raw = self.args.get(name)
        if raw is None:
            return default
        if raw not in choices:
            self._bad(name, _("%(name)s must be one of %(choices)s", name=name, choices=", ".join(choices)))
            return default
        return raw

    def boolean(self, name: str) -> bool | None:
        raw = self.args.get(name)
        if raw is None:
            return None
        if raw.lower() not in ("true", "false", "1", "0"):
            self._bad(name, _("%(name)s must be true or false", name=name))
            return None
        return raw.lower() in ("true", "1")

    def date(self, name: str) -> datetime | None:
        raw = self.args.get(name)
        if raw is None:
            return None

        try:
            if not RFC3339.match(raw):
                raise ValidationFailed(name)
            return parse_datetime(raw, name, name)
        except ValidationFailed:
            self._bad(name, _("%(name)s must be a valid ISO 8601 date", name=name))
            return None

    def check(self) -> None:
        if self.errors:
            first = self.errors[0]
            raise ValidationFailed(_("Validation error"),
                                   details={"field": first["field"], "reason": first["reason"],
                                            "errors": self.errors})
