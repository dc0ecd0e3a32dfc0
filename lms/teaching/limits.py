"""The API's per-object rate limits (per teacher, per session, per tenant) and its per-client ones.

Flask-Limiter's decorators key a limit by request; these limits are keyed by an object the view
only knows after loading it (the session a code belongs to), so they are checked with the
limiter's own storage and strategy (``limiter.limiter``).  Values come from the config
(``TEACHING_*`` / ``API_*``), off when rate limiting is off (tests enable it explicitly).
"""

from __future__ import annotations

import time

from flask import current_app, g
from flask_babel import gettext as _
from limits import parse

from lms.common.errors import DomainError
from lms.extensions import limiter

DEFAULTS = {
    # Authenticated API requests of the whole school (per tenant); anonymous ones never count here.
    "API_LIMIT_PER_TENANT": "1000 per hour",
    # Each API client: a signed-in user (whatever token), or an address for anonymous requests.
    "API_LIMIT_PER_USER": "300 per hour",
    "API_LIMIT_PER_ANONYMOUS_IP": "300 per hour",
    "TEACHING_SESSION_CREATE_LIMIT_PER_TEACHER": "10 per hour",
    # New enrollments of one session: refused attempts (a duplicate join) do not count.
    "TEACHING_ENROLLMENT_LIMIT_PER_SESSION": "100 per hour",
    # Join attempts by code: per student, and per student and session (typing the same code again).
    "TEACHING_JOIN_LIMIT_PER_STUDENT": "30 per 10 minutes",
    "TEACHING_JOIN_LIMIT_PER_STUDENT_AND_SESSION": "10 per 10 minutes",
    "TEACHING_ANNOUNCEMENT_LIMIT_PER_SESSION": "20 per hour",
    "TEACHING_CHECKIN_LIMIT_PER_STUDENT": "20 per 10 minutes",
}


class RateLimited(DomainError):
    """Over a limit: 429 with ``Retry-After`` (``retry_after`` seconds), whichever view catches it
    (``lms.common.ratelimit`` turns a form re-rendered with this error into a 429 too)."""

    status = 429
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def hit(name: str, *key) -> None:
    """Count one request against limit ``name`` for ``key``; over the limit → 429 RATE_LIMITED."""
    if not limiter.enabled or not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    item = parse(current_app.config.get(name) or DEFAULTS[name])
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "lms")
    keys = (prefix, name, *(str(k) for k in key))
    try:
        allowed = limiter.limiter.hit(item, *keys)
        reset_at = None if allowed else limiter.limiter.get_window_stats(item, *keys).reset_time
    except Exception:  # storage unreachable: never lock people out
        return
    if not allowed:
        retry_after = max(int(reset_at - time.time()) + 1, 1)
        g.lms_retry_after = retry_after
        raise RateLimited(_("Too many requests. Please wait and try again later."), retry_after=retry_after,
                          details={"limit": str(item), "retryAfter": retry_after})
