"""The seed's per-object rate limits (per teacher, per session, per tenant).

Flask-Limiter's decorators key a limit by request; these limits are keyed by an object the view
only knows after loading it (the session a code belongs to), so they are checked with the
limiter's own storage and strategy (``limiter.limiter``).  Values come from the config
(``TEACHING_*`` / ``API_*``), off when rate limiting is off (tests enable it explicitly).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from limits import parse

from lms.common.errors import DomainError
from lms.extensions import limiter

DEFAULTS = {
    "API_LIMIT_PER_TENANT": "1000 per hour",
    "TEACHING_SESSION_CREATE_LIMIT_PER_TEACHER": "10 per hour",
    "TEACHING_ENROLLMENT_LIMIT_PER_SESSION": "100 per hour",
    "TEACHING_ANNOUNCEMENT_LIMIT_PER_SESSION": "20 per hour",
    "TEACHING_CHECKIN_LIMIT_PER_STUDENT": "20 per 10 minutes",
}


class RateLimited(DomainError):
    status = 429
    code = "RATE_LIMITED"


def hit(name: str, *key) -> None:
    """Count one request against limit ``name`` for ``key``; over the limit → 429 RATE_LIMITED."""
    if not limiter.enabled or not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    item = parse(current_app.config.get(name) or DEFAULTS[name])
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "lms")
    try:
        allowed = limiter.limiter.hit(item, prefix, name, *(str(k) for k in key))
    except Exception:  # storage unreachable: never lock people out
        return
    if not allowed:
        raise RateLimited(_("Too many requests. Please wait and try again later."),
                          details={"limit": str(item)})
