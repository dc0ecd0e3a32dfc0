"""HSTS in production, and the CSP violation reports: the header points at ``POST /csp-report``, which
logs one WARNING line per violation and answers 204 (never a 500 on garbage)."""

import json
import logging

import pytest

from lms import create_app
from lms.extensions import limiter
from tests.conftest import make_test_config

CSP_REPORT = {"csp-report": {
    "document-uri": "https://school.example.org/sections/3", "referrer": "",
    "violated-directive": "script-src-elem", "effective-directive": "script-src-elem",
    "original-policy": "default-src 'self'", "disposition": "enforce",
    "blocked-uri": "https://evil.example.com/x.js", "status-code": 200, "source-file": "https://school.example.org/",
    "line-number": 12}}
REPORTS_JSON = [
    {"type": "csp-violation", "age": 10, "url": "https://school.example.org/news", "user_agent": "Chrome",
     "body": {"documentURL": "https://school.example.org/news", "effectiveDirective": "img-src",
              "blockedURL": "https://tracker.example.net/p.gif", "disposition": "enforce", "lineNumber": 3,
              "sourceFile": "https://school.example.org/static/js/app.js", "statusCode": 200}},
    {"type": "deprecation", "body": {"id": "x"}},
    {"type": "csp-violation", "body": {"documentURL": "https://school.example.org/me",
                                       "effectiveDirective": "style-src-attr", "blockedURL": "inline"}},
]


@pytest.fixture
def other_app(app, database_url, redis_url):
    """Build another app with extra settings; the module-level limiter goes back to the test app after."""
    def build(**overrides):
        return create_app(make_test_config(database_url, redis_url, **overrides))

    yield build
    limiter.init_app(app)


def _violations(caplog):
    return [r for r in caplog.records if r.name == "lms.csp"]


def test_hsts_only_in_production(client, other_app):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers  # testing
    development = other_app(LMS_ENV="development", TESTING=False).test_client()
    assert "Strict-Transport-Security" not in development.get("/auth/login").headers
    production = other_app(LMS_ENV="production", SESSION_COOKIE_SECURE=True).test_client()
    for path in ("/auth/login", "/healthz", "/nope"):
        assert production.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_policy_names_the_report_endpoint(client):
    headers = client.get("/auth/login").headers
    assert "report-uri /csp-report" in headers["Content-Security-Policy"]
    assert "report-to csp" in headers["Content-Security-Policy"]
    assert headers["Reporting-Endpoints"] == 'csp="/csp-report"'


def test_a_report_uri_report_is_logged_once_and_answered_204(other_app, caplog):
    client = other_app(WTF_CSRF_ENABLED=True).test_client()  # a browser sends no CSRF token with a report
    with caplog.at_level(logging.WARNING, logger="lms.csp"):
        response = client.post("/csp-report", data=json.dumps(CSP_REPORT), content_type="application/csp-report")
    assert response.status_code == 204 and response.data == b""
    [line] = _violations(caplog)
    assert line.levelno == logging.WARNING
    message = line.getMessage()
    assert "directive=script-src-elem" in message and "blocked=https://evil.example.com/x.js" in message
    assert "document=https://school.example.org/sections/3" in message and "line=12" in message


def test_a_reporting_api_batch_logs_one_line_per_violation(client, caplog):
    with caplog.at_level(logging.WARNING, logger="lms.csp"):
        response = client.post("/csp-report", data=json.dumps(REPORTS_JSON), content_type="application/reports+json")
    assert response.status_code == 204
    lines = [r.getMessage() for r in _violations(caplog)]
    assert len(lines) == 2
    assert "directive=img-src" in lines[0] and "blocked=https://tracker.example.net/p.gif" in lines[0]
    assert "directive=style-src-attr" in lines[1] and "blocked=inline" in lines[1]


def test_a_report_cannot_forge_log_lines_and_long_values_are_cut(client, caplog):
    report = {"csp-report": {"blocked-uri": "https://x.example/\nCRITICAL fake line\r\n" + "a" * 5000,
                             "effective-directive": "img-src"}}
    with caplog.at_level(logging.WARNING, logger="lms.csp"):
        assert client.post("/csp-report", json=report).status_code == 204
    [line] = _violations(caplog)
    assert "\n" not in line.getMessage() and "\r" not in line.getMessage()
    assert len(line.getMessage()) < 1000


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"", None, 415),
    (b"hello", "text/plain", 415),
    (b"<xml/>", "application/xml", 415),
    (b"not json at all", "application/csp-report", 400),
    (b"\xff\xfe\x00garbage", "application/reports+json", 400),
    (b"{}", "application/csp-report", 400),
    (b'{"csp-report": "just a string"}', "application/csp-report", 400),
    (b"[1, 2, 3]", "application/reports+json", 400),
    (b"null", "application/json", 400),
    (b"[" * 100_000 + b"]" * 100_000, "application/reports+json", 400),  # the edge's depth check answers first
    (b"[" * 50_000, "application/reports+json", 400),
    (json.dumps({"csp-report": {"x": "y" * 70_000}}).encode(), "application/csp-report", 413),
])
def test_anything_that_is_not_a_report_gets_a_clear_4xx(client, caplog, body, content_type, status):
    with caplog.at_level(logging.WARNING, logger="lms.csp"):
        response = client.post("/csp-report", data=body, content_type=content_type)
    assert response.status_code == status
    assert _violations(caplog) == []


def test_reports_are_rate_limited_per_address(other_app):
    limited = other_app(RATELIMIT_ENABLED=True, CSP_REPORT_LIMIT_PER_IP="3 per minute")
    with limited.app_context():
        limiter.reset()
    client = limited.test_client()
    answers = [client.post("/csp-report", data=json.dumps(CSP_REPORT), content_type="application/csp-report")
               .status_code for _ in range(4)]
    assert answers == [204, 204, 204, 429]
    with limited.app_context():
        limiter.reset()
