"""While the database is down, pages answer a localized 503 page that never touches it.

The app is started against the real test database, a user signs in, and then a second app with the
same secret key points at a database that cannot be reached (what a signed-in user meets when the
server goes away after they signed in): the pages answer 503 in the request's language, not the
server's bare "Internal Server Error"; /healthz keeps its 503 JSON and the API its error envelope.
"""

from __future__ import annotations

import pytest

from lms import create_app
from tests.conftest import AuthActions, make_test_config

UNREACHABLE = {
    "postgresql": "postgresql+psycopg2://lms@127.0.0.1:1/lms",  # nothing listens on port 1
    "sqlite": "sqlite:////nonexistent-lms-directory/missing/lms.sqlite3",  # a folder that is not there
}


@pytest.fixture(params=sorted(UNREACHABLE))
def down_client(request, app, client, make, redis_url, tmp_path):
    """A test client signed in as a teacher, then served by an app whose database is unreachable."""
    teacher = make.user(role="TEACHER")
    AuthActions(client).login(teacher)
    down = create_app(make_test_config(UNREACHABLE[request.param], redis_url, STORAGE_DIR=str(tmp_path),
                                       ORG_LOCALE="en", ORG_NAME="Down School"))
    down_client = down.test_client()
    for cookie in ("session", "remember_token"):
        value = client.get_cookie(cookie)
        if value is not None:
            down_client.set_cookie(cookie, value.value)
    yield down_client
    with down.app_context():
        from lms.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/classrooms", "/me", "/sessions"])
def test_a_signed_in_user_sees_the_503_page_not_a_bare_500(down_client, path):
    response = down_client.get(path)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Temporarily unavailable" in page
    assert "Down School" in page
    assert response.headers["Retry-After"]


def test_the_503_page_speaks_the_browsers_language(down_client):
    response = down_client.get("/", headers={"Accept-Language": "th"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert 'lang="th"' in page
    assert "Temporarily unavailable" not in page  # in Thai


def test_htmx_requests_get_the_message_in_the_page(down_client):
    response = down_client.get("/classrooms", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)


def test_a_form_post_answers_503(down_client):
    response = down_client.post("/auth/login", data={"email": "someone@example.org", "password": "x" * 12})
    assert response.status_code == 503


def test_healthz_and_the_api_keep_their_json(down_client):
    health = down_client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["db"] == "unavailable"
    api = down_client.post("/api/v1/auth/token", json={"email": "someone@example.org", "password": "x" * 12})
    assert api.status_code == 503
    assert api.get_json()["errorCode"] == "DATABASE_UNAVAILABLE"
