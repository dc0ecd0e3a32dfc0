"""Rate limits that cannot be turned against other users.

* The school's API budget counts signed-in requests only; each user and each anonymous address has
  its own limit.
* Failed sign-ins on the page and on the API share one counter per account and one per address.
* A student's repeated join attempts never close a session to the rest of the class.
* Every 429 says when to come back (``Retry-After``), as a page, an htmx fragment or JSON; every 405
  lists the allowed methods (``Allow``).
"""

import re

import pytest

from lms import create_app
from lms.extensions import limiter
from tests.api_helpers import api_token, bearer, headers_for
from tests.conftest import TEST_PASSWORD, AuthActions, make_test_config


@pytest.fixture
def limited(app, database_url, redis_url):
    def build(**limits):
        limited_app = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True, **limits))
        with limited_app.app_context():
            limiter.reset()
        return limited_app

    yield build
    with app.app_context():
        limiter.reset()
    limiter.init_app(app)


def _ip(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _retry_after(response) -> int:
    value = int(response.headers["Retry-After"])
    assert value >= 1
    return value


# --- the API: per school (signed in only), per user, per anonymous address ---------------------------


def test_anonymous_requests_never_use_up_the_schools_api_budget(limited, make):
    client = limited(API_LIMIT_PER_TENANT="3 per hour", API_LIMIT_PER_ANONYMOUS_IP="1000 per hour").test_client()
    teacher = make.teacher("P1/1")
    token = api_token(client, teacher)  # an anonymous request itself
    for i in range(20):  # someone hammers the public document from many addresses
        assert client.get("/api/v1/openapi.json", **_ip(f"10.9.0.{i % 5}")).status_code == 200
    statuses = [client.get("/api/v1/teacher/sessions", headers=bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # the school's limit counts the teacher's requests only


def test_each_anonymous_address_has_its_own_limit(limited):
    client = limited(API_LIMIT_PER_ANONYMOUS_IP="2 per hour").test_client()
    assert [client.get("/api/v1/openapi.json", **_ip("10.9.1.1")).status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get("/api/v1/openapi.json", **_ip("10.9.1.1"))
    assert refused.json["errorCode"] == "RATE_LIMITED" and refused.json["details"]["retryAfter"] >= 1
    assert 3000 <= _retry_after(refused) <= 3601
    assert client.get("/api/v1/openapi.json", **_ip("10.9.1.2")).status_code == 200
    # A made-up token is no way around it: it counts as anonymous.
    assert client.get("/api/v1/teacher/sessions", headers=bearer("lms_pat_made-up"),
                      **_ip("10.9.1.1")).status_code == 429


def test_each_user_has_their_own_api_limit_whatever_token_they_use(limited, make):
    app = limited(API_LIMIT_PER_USER="3 per hour")
    client = app.test_client()
    busy, other = make.user(role="TEACHER"), make.user(role="TEACHER")
    jwt_headers = headers_for(client, busy)
    web = app.test_client()
    AuthActions(web).login(busy)
    made = web.post("/me/api-tokens", data={"name": "Script", "days": "7"}).get_data(as_text=True)
    pat = re.search(r"(lms_pat_[A-Za-z0-9_-]+)", made).group(1)
    statuses = [client.get("/api/v1/teacher/sessions", headers=headers).status_code
                for headers in (jwt_headers, bearer(pat), jwt_headers, bearer(pat))]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/teacher/sessions", headers=headers_for(client, other)).status_code == 200


# --- sign-in: one counter for the page and the API ---------------------------------------------------


def _wrong_page(client, email, ip="10.8.0.1"):
    return client.post("/auth/login", data={"login": email, "password": "not-the-password"}, **_ip(ip))


def _wrong_api(client, email, ip="10.8.0.1"):
    return client.post("/api/v1/auth/token", json={"email": email, "password": "not-the-password"}, **_ip(ip))


def test_failed_sign_ins_on_the_page_and_the_api_share_the_account_counter(limited, make):
    client = limited(LOGIN_LIMIT_PER_ACCOUNT="4 per 15 minutes").test_client()
    user = make.user()
    assert [_wrong_page(client, user.email).status_code, _wrong_api(client, user.email.upper()).status_code,
            _wrong_page(client, user.email).status_code, _wrong_api(client, user.email).status_code] \
        == [200, 401, 200, 401]
    page = _wrong_page(client, user.email, ip="10.8.0.2")
    assert page.status_code == 429 and "Too many requests" in page.get_data(as_text=True)
    assert _retry_after(page) > 60
    api = client.post("/api/v1/auth/token", json={"email": user.email, "password": TEST_PASSWORD}, **_ip("10.8.0.3"))
    assert api.status_code == 429 and api.json["errorCode"] == "RATE_LIMITED" and _retry_after(api) > 60


def test_failed_sign_ins_on_the_page_and_the_api_share_the_address_counter(limited, make):
    client = limited(LOGIN_LIMIT_PER_IP="3 per 15 minutes").test_client()
    assert _wrong_api(client, "a@example.org").status_code == 401
    assert _wrong_page(client, "b@example.org").status_code == 200
    assert _wrong_api(client, "c@example.org").status_code == 401
    assert _wrong_page(client, "d@example.org").status_code == 429
    assert _wrong_api(client, "e@example.org").status_code == 429
    assert _wrong_api(client, "e@example.org", ip="10.8.0.9").status_code == 401


# --- joining a teaching session by code ---------------------------------------------------------------


def _join_api(client, headers, code="JNFAKRXY"):
    return client.post("/api/v1/student/sessions/join", headers=headers, json={"session_code": code})


def test_one_students_duplicate_joins_do_not_close_the_session_to_others(limited, make):
    app = limited(TEACHING_ENROLLMENT_LIMIT_PER_SESSION="2 per hour")
    client = app.test_client()
    make.course_session(code="JNFAKRXY")
    eager, late = make.student("P1/1"), make.student("P1/1")
    eager_headers = headers_for(client, eager)
    assert _join_api(client, eager_headers).status_code == 201
    page = app.test_client()
    AuthActions(page).login(eager)
    for _ in range(3):  # the same student taps "join" again, on the API and on the page
        assert _join_api(client, eager_headers).status_code == 409
        assert page.post("/my/sessions/join", data={"session_code": "JNFAKRXY"}).status_code == 200
    assert _join_api(client, headers_for(client, late)).status_code == 201


def test_repeated_joins_of_one_student_are_limited_per_session_with_retry_after(limited, make):
    app = limited(TEACHING_JOIN_LIMIT_PER_STUDENT_AND_SESSION="2 per 10 minutes")
    make.course_session(code="JNFAKRXY")
    make.course_session(code="THERXNEW")
    student, classmate = make.student("P1/1"), make.student("P1/1")
    page = app.test_client()
    AuthActions(page).login(student)
    htmx = {"HX-Request": "true"}
    statuses = [page.post("/my/sessions/join", data={"session_code": "jnfakrxy"}, headers=htmx).status_code
                for _ in range(3)]
    assert statuses[:2] == [204, 422] and statuses[2] == 429  # joined; "already enrolled"; too many
    refused = page.post("/my/sessions/join", data={"session_code": "JNFAKRXY"})
    assert refused.status_code == 429 and 60 < _retry_after(refused) <= 601
    assert "Too many requests" in refused.get_data(as_text=True) and 'name="session_code"' in refused.get_data(
        as_text=True)  # the form again, with the message
    assert page.post("/my/sessions/join", data={"session_code": "THERXNEW"}, headers=htmx).status_code == 204
    api = app.test_client()
    assert _join_api(api, headers_for(api, classmate)).status_code == 201  # the class is not affected
    over = _join_api(api, headers_for(api, student))
    assert over.status_code == 429 and over.json["errorCode"] == "RATE_LIMITED" and _retry_after(over) > 60


def test_code_guessing_is_limited_per_student(limited, make):
    app = limited(TEACHING_JOIN_LIMIT_PER_STUDENT="3 per 10 minutes")
    make.course_session(code="JNFAKRXY")
    guesser, classmate = make.student("P1/1"), make.student("P1/1")
    client = app.test_client()
    headers = headers_for(client, guesser)
    assert [_join_api(client, headers, code).json["errorCode"] for code in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC")] \
        == ["INVALID_SESSION_CODE"] * 3
    assert _join_api(client, headers).status_code == 429
    assert _join_api(client, headers_for(client, classmate)).status_code == 201


def test_a_check_in_over_its_limit_answers_429_with_retry_after(limited, make):
    app = limited(TEACHING_CHECKIN_LIMIT_PER_STUDENT="1 per 10 minutes")
    course_session = make.course_session(code="JNFAKRXY")
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    page = app.test_client()
    AuthActions(page).login(student)
    url = f"/my/sessions/{course_session.id}/check-in"
    assert page.post(url, data={"code": "ZZZZ"}).status_code == 200  # a wrong code: the form says so
    over = page.post(url, data={"code": "ZZZZ"}, headers={"HX-Request": "true"})
    assert over.status_code == 429 and _retry_after(over) > 60


# --- 405 says what is allowed ------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("get", "/auth/logout", {"POST", "OPTIONS"}),
    ("delete", "/me", {"GET", "HEAD", "OPTIONS"}),
    ("get", "/api/v1/auth/token", {"POST", "OPTIONS"}),
    ("put", "/api/v1/openapi.json", {"GET", "HEAD", "OPTIONS"}),
])
def test_every_405_carries_allow(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    if path.startswith("/api/"):
        assert response.json["errorCode"] == "METHOD_NOT_ALLOWED"
    else:
        assert "That action is not available here." in response.get_data(as_text=True)
