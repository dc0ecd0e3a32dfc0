"""``POST /csp-report``: where browsers report Content-Security-Policy violations.

The CSP header (``lms.common.security``) names it in ``report-uri`` and, through the
``Reporting-Endpoints`` header, in ``report-to``.  Both report formats are read:
``application/csp-report`` (``{"csp-report": {...}}``, report-uri) and ``application/reports+json``
(a list of ``{"type": "csp-violation", "body": {...}}``, the Reporting API).  Each violation is one
WARNING line in the log (logger ``lms.csp``); the answer is 204.  Anyone may post (a browser sends
no cookie or CSRF token with a report), so the body is capped, posts are rate-limited per address,
and whatever is not a report gets a 4xx, never a 500.
"""

from __future__ import annotations

import json
import logging
import re

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from lms.common.access import PUBLIC, allow
from lms.common.ratelimit import client_ip, config_limit
from lms.extensions import csrf, limiter

bp = Blueprint("csp_report", __name__)
log = logging.getLogger("lms.csp")

MAX_BODY = 64 * 1024          # bytes: one report is well under 2 KB, a batch a few
MAX_VIOLATIONS = 20           # logged per post
MAX_FIELD = 300               # characters per logged value
REPORT_TYPES = {"application/csp-report", "application/reports+json", "application/json"}
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

# (what we log, the report-uri key, the Reporting API key)
FIELDS = [
    ("directive", "effective-directive", "effectiveDirective"),
    ("blocked", "blocked-uri", "blockedURL"),
    ("document", "document-uri", "documentURL"),
    ("source", "source-file", "sourceFile"),
    ("line", "line-number", "lineNumber"),
    ("disposition", "disposition", "disposition"),
]


def _error(status: int, message: str):
    return jsonify({"success": False, "error": {"message": message}}), status


def _clean(value) -> str:
    return CONTROL.sub(" ", str(value))[:MAX_FIELD] if value is not None else "-"


def _violations(payload) -> list[dict]:
    """The violation bodies in either format (anything else in the payload is ignored)."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [item["body"] for item in payload
                if isinstance(item, dict) and item.get("type") == "csp-violation" and isinstance(item.get("body"), dict)]
    return []


def _log(violation: dict) -> None:
    values = []
    for name, report_uri_key, reporting_key in FIELDS:
        value = violation.get(report_uri_key, violation.get(reporting_key))
        if name == "directive" and value is None:
            value = violation.get("violated-directive")
        values.append(f"{name}={_clean(value)}")
    log.warning("CSP violation: %s", " ".join(values))


@bp.route("/csp-report", methods=["POST"])
@allow(PUBLIC)
@csrf.exempt
@limiter.limit(config_limit("CSP_REPORT_LIMIT_PER_IP"), key_func=client_ip)
def report():
    if request.mimetype not in REPORT_TYPES:
        return _error(415, _("Send a CSP report (application/csp-report or application/reports+json)."))
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _error(413, _("The report is too large."))
    # A JSON body (application/reports+json) was already read and size-checked by the edge check.
    body = request.get_data(cache=True) if request.is_json else request.stream.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _error(413, _("The report is too large."))
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _error(400, _("The report is not JSON."))
    violations = _violations(payload)
    if not violations:
        return _error(400, _("The body holds no CSP violation report."))
    for violation in violations[:MAX_VIOLATIONS]:
        _log(violation)
    return "", 204
