import pytest

from lms.auth.models import User
from lms.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import make_test_config


@pytest.mark.parametrize("email", [email for email, _name, _role in DEMO_ACCOUNTS])
def test_every_demo_account_can_sign_in_and_out(client, demo, email):
    response = client.post("/auth/login", data={"login": email.upper(), "password": DEMO_PASSWORD})
    assert response.status_code == 303
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert b"Welcome" in home.data or home.request.path == "/supervision"  # a supervisor's home
    client.post("/auth/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, demo):
    response = client.post("/auth/login", data={"login": "admin@example.org", "password": "wrong-password"})
    assert response.status_code == 200
    assert b"Wrong sign-in name or password" in response.data
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_message(client, demo):
    response = client.post("/auth/login", data={"login": "nobody@example.org", "password": "wrong-password"})
    assert response.status_code == 200
    assert b"Wrong sign-in name or password" in response.data


def test_deactivated_user_cannot_sign_in(client, make):
    user = make.user(active=False)
    response = client.post("/auth/login", data={"login": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert b"deactivated" in response.data


def test_login_form_fragment_for_htmx(client):
    response = client.post("/auth/login", data={"login": "not-an-email", "password": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert b"<html" not in response.data
    assert b'id="login-form"' in response.data


def test_next_parameter_only_follows_local_paths(client, make):
    user = make.user()
    response = client.post("/auth/login?next=https://evil.example/", data={"login": user.email,
                                                                           "password": "correct-horse-battery"})
    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused(database_url, redis_url, make, db):
    from lms import create_app

    csrf_app = create_app(make_test_config(database_url, redis_url, WTF_CSRF_ENABLED=True))
    user = make.user()
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={"login": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert b"expired" in response.data
    assert db.get(User, user.id).last_login_at is None


def test_passwords_are_stored_with_a_slow_kdf(app):
    with app.app_context():
        from lms.auth.models import User as U

        u = U(email="x@y.z", full_name="X", role="STUDENT")
        app.config["PASSWORD_HASH_METHOD"] = "scrypt"
        try:
            u.set_password("a-long-password")
        finally:
            app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
        assert u.password_hash.startswith("scrypt:")
        assert u.check_password("a-long-password")
