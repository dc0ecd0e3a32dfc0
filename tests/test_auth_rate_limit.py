"""Sign-in rate limits: per account and per IP, counting failed attempts; 429 says when to retry."""

import re

import pytest
from sqlalchemy import select

from lms import create_app
from lms.auth.models import LoginAttempt
from lms.extensions import limiter
from tests.conftest import TEST_PASSWORD, make_test_config


@pytest.fixture
def limited_app(app, database_url, redis_url):
    """An app with rate limiting on (Redis storage with a real Redis, else memory)."""
    limited = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True,
                                          LOGIN_LIMIT_PER_IP="25 per 15 minutes"))
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
    # The limiter is a module-level extension: give it back to the (unlimited) test app.
    limiter.init_app(app)


def _wrong(client, email, ip="10.0.0.1"):
    return client.post("/auth/login", data={"login": email, "password": "not-the-password"},
                       environ_base={"REMOTE_ADDR": ip})


def test_the_eleventh_rapid_wrong_attempt_for_one_account_is_refused_with_429(limited_app, make, db):
    user = make.user()
    client = limited_app.test_client()
    for _ in range(10):
        response = _wrong(client, user.email)
        assert response.status_code == 200 and b"Wrong sign-in name or password" in response.data
    response = _wrong(client, user.email)
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Too many requests" in text
    retry = int(response.headers["Retry-After"])
    assert 60 < retry <= 15 * 60
    assert re.search(r"try again in \d+ minutes", text)
    # Even the right password waits now; other accounts are not affected.
    right = client.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert right.status_code == 429
    other = make.user()
    assert client.post("/auth/login", data={"login": other.email, "password": TEST_PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 303
    reasons = db.scalars(select(LoginAttempt.reason).where(LoginAttempt.email == user.email))
    assert reasons.count("WRONG_PASSWORD") == 10 and reasons.count("RATE_LIMITED") == 2


def test_the_account_limit_holds_across_addresses_and_case(limited_app, make):
    user = make.user()
    client = limited_app.test_client()
    for i in range(10):
        _wrong(client, user.email.upper() if i % 2 else user.email, ip=f"10.0.1.{i}")
    assert _wrong(client, user.email, ip="10.0.1.99").status_code == 429


def test_successful_sign_ins_do_not_count(limited_app, make):
    user = make.user()
    client = limited_app.test_client()
    for _ in range(12):
        response = client.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 303
        client.post("/auth/logout")


def test_the_per_ip_limit_covers_many_accounts(limited_app, make):
    client = limited_app.test_client()
    for i in range(25):
        assert _wrong(client, f"nobody{i}@example.org", ip="10.0.2.1").status_code == 200
    assert _wrong(client, "someone-else@example.org", ip="10.0.2.1").status_code == 429
    assert _wrong(client, "someone-else@example.org", ip="10.0.2.2").status_code == 200


def test_forgot_password_is_limited_per_address(limited_app, make):
    client = limited_app.test_client()
    for _ in range(5):
        assert client.post("/auth/forgot-password", data={"email": "x@example.org"}).status_code == 200
    assert client.post("/auth/forgot-password", data={"email": "x@example.org"}).status_code == 429


def test_rate_limits_are_off_in_the_test_app(client, make):
    user = make.user()
    for _ in range(12):
        assert _wrong(client, user.email).status_code == 200


def test_the_429_page_has_a_way_back(limited_app, make):
    user = make.user()
    client = limited_app.test_client()
    for _ in range(10):
        _wrong(client, user.email)
    response = client.post("/auth/login", data={"login": user.email, "password": "nope"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"},
                           headers={"Referer": "http://localhost/auth/login?next=%2Fme"})
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert '<a href="/auth/login?next=%2Fme">Back to the previous page</a>' in text
    assert "Go to the home page" in text
    foreign = client.post("/auth/login", data={"login": user.email, "password": "nope"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"Referer": "https://evil.example/x"})
    assert "evil.example" not in foreign.get_data(as_text=True) and "Go to the home page" in foreign.get_data(
        as_text=True)
