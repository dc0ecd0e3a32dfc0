from flask import Blueprint

from lms import create_app
from lms.auth.models import Role
from lms.common.access import allow
from lms.common.errors import NotFound
from tests.conftest import AuthActions, make_test_config


def test_login_page_has_the_layout_essentials(client):
    response = client.get("/auth/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<meta name="csrf-token"' in html
    assert "vendor/htmx-2.0.11.min.js" in html
    assert "vendor/pico-2.1.1.min.css" in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and "<header" in html and "<nav" in html
    assert 'name="viewport"' in html
    assert "<script>" not in html  # no inline scripts (CSP)


def test_security_headers_on_every_response(client):
    for path in ("/auth/login", "/healthz", "/nope"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    user = make.user()
    response = client.post("/auth/login", data={"login": user.email, "password": "correct-horse-battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_not_found_is_a_full_page_or_an_htmx_fragment(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert b"<html" in page.data and b"Not found" in page.data
    fragment = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    assert b"<html" not in fragment.data and b"Not found" in fragment.data
    assert fragment.headers["HX-Retarget"] == "#messages"


def test_api_paths_get_json_errors(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    body = response.get_json()
    assert body["success"] is False and body["statusCode"] == 404 and body["errorCode"] == "NOT_FOUND"


def _app_with_probe_routes(database_url, redis_url):
    app = create_app(make_test_config(database_url, redis_url))
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/teachers")
    @allow(Role.TEACHER)
    def teachers_only():
        return "teachers"

    @bp.route("/probe/missing")
    @allow(Role.TEACHER, Role.STUDENT)
    def missing():
        raise NotFound("That classroom does not exist.")

    @bp.route("/probe/crash")
    @allow(Role.STUDENT)
    def crash():
        raise RuntimeError("unexpected")

    app.register_blueprint(bp)
    return app


def test_role_declarations_answer_403_and_errors_render(database_url, redis_url, make):
    app = _app_with_probe_routes(database_url, redis_url)
    client = app.test_client()
    student = make.user(role=Role.STUDENT)
    AuthActions(client).login(student)
    forbidden = client.get("/probe/teachers")
    assert forbidden.status_code == 403
    assert b"Not allowed" in forbidden.data
    missing = client.get("/probe/missing")
    assert missing.status_code == 404 and b"That classroom does not exist." in missing.data
    crash = client.get("/probe/crash")
    assert crash.status_code == 500 and b"Something went wrong" in crash.data


def test_dates_are_shown_in_the_organization_timezone(app):
    from datetime import UTC, datetime

    from flask import render_template_string

    with app.test_request_context("/"):
        text = render_template_string("{{ when|datetime('yyyy-MM-dd HH:mm') }}",
                                      when=datetime(2026, 1, 1, 23, 30, tzinfo=UTC))
    assert text == "2026-01-02 06:30"  # Asia/Bangkok is UTC+7


def test_login_page_query_count_is_small(client, count_queries):
    client.get("/auth/login")
    with count_queries() as counter:
        client.get("/auth/login")
    assert counter.count <= 2


def test_every_htmx_fragment_carries_the_flashed_messages_out_of_band(app):
    from flask import flash

    from lms.common.htmx import render

    context = {"status": 409, "title": "Conflict", "message": "Changed meanwhile.", "retry_after": None}
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        flash("Saved.", "success")
        fragment = render("errors/error.html", "errors/_error.html", **context).get_data(as_text=True)
    assert "<html" not in fragment and "Changed meanwhile." in fragment
    assert fragment.count('<div id="messages" hx-swap-oob="innerHTML">') == 1 and "Saved." in fragment
    with app.test_request_context("/"):
        page = render("errors/error.html", "errors/_error.html", **context).get_data(as_text=True)
    assert "<html" in page and "hx-swap-oob" not in page


def test_a_page_title_is_also_its_heading_with_the_subtitle_under_it(client, make):
    AuthActions(client).login(make.user(role=Role.ADMIN))
    html = client.get("/admin/levels").get_data(as_text=True)
    assert "<title>Levels · " in html
    assert "<hgroup>\n      <h1>Levels</h1>\n      <p>The order here is the order students move up in" in html
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "<title>Audit log · " in html and "<h1>Audit log</h1>" in html and "<hgroup>" not in html


def test_htmx_conventions_are_set_once():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for template in (root / "templates").rglob("*.html"):
        text = template.read_text()
        assert 'hx-swap="outerHTML"' not in text, f"{template}: outerHTML is the default swap (htmx-config)"
        assert "hx-headers" not in text, f"{template}: app.js sends the CSRF header"
        assert "_flash_oob" not in text, f"{template}: render() adds the flash fragment"
    for script in (root / "static" / "js").glob("*.js"):
        if script.name != "app.js":
            assert 'meta[name="csrf-token"]' not in script.read_text(), f"{script}: use window.lms.csrfToken()"


def test_the_profile_page_has_no_two_elements_with_one_id(client, as_role):
    """The email choice "Messages" once took the id of the page's flash messages (#messages)."""
    import re
    from collections import Counter

    for role in ("PARENT", "TEACHER", "STUDENT"):
        as_role(role)
        page = client.get("/me").get_data(as_text=True)
        repeated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if n > 1]
        assert repeated == [], (role, repeated)
        client.post("/auth/logout")
