"""Choosing the language: the switch, the account's choice, the browser, the organization."""

from datetime import UTC, datetime

from lms.auth.models import User


def _lang(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_browser_language_is_used_before_anyone_signs_in(client):
    assert _lang(client.get("/auth/login", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"})) == "th"
    assert _lang(client.get("/auth/login", headers={"Accept-Language": "en-US"})) == "en"


def test_the_language_switch_is_on_every_page_and_remembered_for_the_browser(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="locale" value="th"' in page and "ไทย" in page
    response = client.post("/language", data={"locale": "th", "next": "/auth/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert _lang(client.get("/auth/login", headers={"Accept-Language": "en"})) == "th"


def test_a_signed_in_user_s_choice_is_stored_on_the_account(client, as_role, db):
    user = as_role("TEACHER")
    client.post("/language", data={"locale": "th", "next": "/"})
    assert db.get(User, user.id).locale == "th"
    assert _lang(client.get("/")) == "th"


def test_the_organization_language_is_the_default_for_signed_in_users(client, make):
    make.organization(locale="th")
    user = make.user()
    client.post("/auth/login", data={"login": user.email, "password": "correct-horse-battery"})
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "th"


def test_unknown_languages_and_foreign_next_urls_are_ignored(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_buddhist_era_years_for_thai_readers_when_the_organization_asks(app, make):
    from flask import render_template_string

    make.organization(use_buddhist_era=True)
    when = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)  # already 1 January 2027 in Bangkok
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        thai = render_template_string("{{ when|date('long') }}", when=when)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = render_template_string("{{ when|date('long') }}", when=when)
    assert "2570" in thai and "2027" not in thai
    assert "2027" in english


def test_relative_times_read_naturally(app):
    from datetime import timedelta

    from flask import render_template_string

    from lms.common.types import utcnow

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        text = render_template_string("{{ when|timeago }}", when=utcnow() - timedelta(minutes=5))
    assert text == "5 minutes ago"
