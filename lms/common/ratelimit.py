"""Rate limits (Flask-Limiter): Redis storage when ``REDIS_URL`` is set, memory otherwise.

Limits are declared on views with ``@limiter.limit(...)`` (``lms.extensions.limiter``);
their values come from the config so an instance can tune them.  Keys are prefixed per
instance queue, so instances sharing one Redis never share counters.  Over a limit the
error page (429) says when to try again (``Retry-After``), and so does a form that a view
re-rendered with a ``RateLimited`` error (``lms.teaching.limits``): that answer becomes a 429 too.

Failed sign-ins share one counter per account and one per address: ``lms.auth.sign_in_limits``.
"""

from __future__ import annotations

from flask import g, request

from lms.extensions import limiter

DEFAULT_LIMITS = {
    # Failed sign-ins: per account and per client address (a school's NAT hides many students).
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "LOGIN_LIMIT_PER_IP": "60 per 15 minutes",
    # Emails sent on request of an anonymous visitor.
    "FORGOT_PASSWORD_LIMIT_PER_EMAIL": "5 per hour",
    "FORGOT_PASSWORD_LIMIT_PER_IP": "30 per hour",
    # Pages that take a one-time token from a link.
    "TOKEN_LIMIT_PER_IP": "60 per hour",
    # Signed-in actions that check the current password or send email.
    "ACCOUNT_CHANGE_LIMIT_PER_USER": "20 per hour",
    "INVITE_LIMIT_PER_USER": "200 per hour",
    # "Resend all pending invitations" (one click may send hundreds of emails).
    "RESEND_ALL_LIMIT_PER_USER": "5 per hour",
    # Heavy CSV exports of login sessions; announcements (urgent ones send email to many people).
    "EXPORT_LIMIT_PER_USER": "60 per hour",
    "ANNOUNCEMENT_LIMIT_PER_USER": "60 per hour",
    # A supervisor's messages to tutors about a student (each one notifies the student's tutors).
    "SUPERVISOR_MESSAGE_LIMIT_PER_USER": "30 per hour",
    # Self-registration with a class code (/join/<code>): per address (a school's NAT hides a whole
    # class) and per code (registrations, POST only).
    "JOIN_LIMIT_PER_IP": "120 per hour",
    "JOIN_LIMIT_PER_CODE": "60 per hour",
    # Content-Security-Policy violation reports posted by browsers (anyone may post them).
    "CSP_REPORT_LIMIT_PER_IP": "120 per minute",
    # Family codes entered by parents (a guess at a code must stay hopeless).
    "FAMILY_CODE_LIMIT_PER_USER": "10 per hour",
    "FAMILY_CODE_LIMIT_PER_IP": "30 per hour",
    # Messages between parents and teachers, and students' help requests (lms.conversations).
    "MESSAGE_LIMIT_PER_USER": "60 per hour",
    "HELP_REQUEST_LIMIT_PER_USER": "10 per hour",
}


def client_ip() -> str:
    return request.remote_addr or "unknown"


def _rate_limited_answer(response):
    """A view that caught ``RateLimited`` and re-rendered its form answers 429 with Retry-After;
    any other 429 without the header gets one."""
    retry_after = g.get("lms_retry_after")
    if retry_after and response.status_code in (200, 422):
        response.status_code = 429
    if response.status_code == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(retry_after or 60)
    return response


def config_limit(name: str):
    """A limit value read from the app config at request time."""

    def value() -> str:
        from flask import current_app

        return current_app.config.get(name) or DEFAULT_LIMITS[name]

    return value


def init_app(app) -> None:
    cfg = app.config
    for key, value in DEFAULT_LIMITS.items():
        cfg.setdefault(key, value)
    redis_url = cfg.get("REDIS_URL") or ""
    use_redis = bool(redis_url) and not redis_url.startswith("fakeredis://")
    cfg.setdefault("RATELIMIT_STORAGE_URI", redis_url if use_redis else "memory://")
    if use_redis:
        cfg.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2})
    cfg.setdefault("RATELIMIT_KEY_PREFIX", f"lms:{cfg.get('QUEUE_NAME') or 'lms'}:ratelimit")
    cfg.setdefault("RATELIMIT_STRATEGY", "moving-window")
    # A Redis outage must not lock everyone out: fall back to per-process memory counters.
    cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    cfg.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    cfg.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    app.after_request(_rate_limited_answer)
