"""Security headers on every response.

The Content-Security-Policy reports violations to ``POST /csp-report`` (``lms.csp_report``):
``report-uri`` for browsers that know only that, ``report-to`` (with ``Reporting-Endpoints``)
for the rest.  In production, ``Strict-Transport-Security`` tells browsers to use https only
(never in development or tests, which run over plain http).
"""

from __future__ import annotations

from flask import current_app

CSP_REPORT_PATH = "/csp-report"
HSTS = "max-age=31536000; includeSubDomains"
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    f"report-uri {CSP_REPORT_PATH}",
    "report-to csp",
])


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Reporting-Endpoints", f'csp="{CSP_REPORT_PATH}"')
    if current_app.config.get("LMS_ENV") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
