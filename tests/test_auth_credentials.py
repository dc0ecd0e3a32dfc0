"""Credential lifecycle: what stops working after which event.

Credentials: another browser's login session, another browser's remember-me cookie (its Flask
session gone, as after a restart), a 15-minute API JWT and a personal access token.  Events: a
password change, a password reset, "sign out everywhere", deactivation by an administrator (and,
for comparison, "sign out everywhere else" and a role change).  Then the remember-me cookie itself
(random, stored hashed, rotated, expiring on the server, a copied old cookie kills its series) and
the JWT's claims (credentials version, this instance only).
"""

import re
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select, update

from lms import create_app
from lms.api.models import ApiToken
from lms.audit.models import AuditLog
from lms.auth.models import LoginAttempt, RememberToken, User, UserSession
from lms.auth.tokens import hash_token
from lms.common.types import utcnow
from lms.extensions import limiter
from tests.api_helpers import api_token, bearer
from tests.conftest import TEST_PASSWORD, AuthActions, email_link, make_test_config

NEW_PASSWORD = "a-brand-new-passphrase"  # noqa: S105
COOKIE = "lms_remember"


def _remember_cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def _restart_browser(client) -> None:
    """The browser forgets its session cookie (closed and reopened); persistent cookies stay."""
    client.delete_cookie("session")


def _signed_in(client) -> bool:
    response = client.get("/me")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _api_works(app, raw_token) -> bool:
    status = app.test_client().get("/api/v1/student/sessions",
                                   headers=bearer(raw_token)).status_code
    assert status in (200, 401)
    return status == 200


def _personal_token(app, user) -> str:
    web = app.test_client()
    AuthActions(web).login(user)
    made = web.post("/me/api-tokens", data={"name": "Script", "days": "30"}).get_data(as_text=True)
    return re.search(r"(lms_pat_[A-Za-z0-9_-]+)", made).group(1)


@pytest.fixture
def credentials(app, make):
    """A student with every kind of credential, each checked to work."""
    user = make.user(role="STUDENT")
    elsewhere = app.test_client()
    AuthActions(elsewhere).login(user)
    remembered = app.test_client()
    AuthActions(remembered).login(user, remember="y")
    assert _remember_cookie(remembered)
    _restart_browser(remembered)
    creds = {"user": user, "elsewhere": elsewhere, "remembered": remembered,
             "jwt": api_token(app.test_client(), user), "pat": _personal_token(app, user)}
    assert _signed_in(elsewhere) and _signed_in(remembered)
    _restart_browser(remembered)  # its next request must come from the remember-me cookie again
    assert _api_works(app, creds["jwt"]) and _api_works(app, creds["pat"])
    return creds


def _change_password(app, make, user, outbox):
    actor = app.test_client()
    AuthActions(actor).login(user)
    response = actor.post("/me/password", data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert _signed_in(actor)  # this browser stays signed in
    return actor


def _reset_password(app, make, user, outbox):
    actor = app.test_client()
    actor.post("/auth/forgot-password", data={"email": user.email})
    path = email_link(outbox[-1], "/auth/reset-password/")
    assert actor.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    assert _signed_in(actor)
    return actor


def _sign_out_everywhere(app, make, user, outbox):
    actor = app.test_client()
    AuthActions(actor).login(user, remember="y")
    response = actor.post("/me/sessions/sign-out-everywhere")
    assert response.status_code == 303 and "/auth/login" in response.headers["Location"]
    assert not _signed_in(actor)  # this browser too
    _restart_browser(actor)
    assert not _signed_in(actor)  # and its remember-me cookie is gone
    return actor


def _deactivate(app, make, user, outbox):
    admin = app.test_client()
    AuthActions(admin).login(make.user(role="ADMIN"))
    assert admin.post(f"/admin/users/{user.id}/deactivate").status_code == 303
    return admin


def _suspend(app, make, user, outbox):
    admin = app.test_client()
    AuthActions(admin).login(make.user(role="ADMIN"))
    assert admin.post(f"/admin/users/{user.id}/suspend", data={"reason": "Testing"}).status_code == 303
    return admin


EVENTS = {"password change": _change_password, "password reset": _reset_password,
          "sign out everywhere": _sign_out_everywhere, "deactivation": _deactivate, "suspension": _suspend}


@pytest.mark.parametrize("event", list(EVENTS))
@pytest.mark.parametrize("kind", ["other browser", "remember-me cookie", "JWT", "personal access token"])
def test_each_event_ends_each_credential(app, make, outbox, db, credentials, event, kind):
    user = credentials["user"]
    EVENTS[event](app, make, user, outbox)
    if kind == "other browser":
        assert not _signed_in(credentials["elsewhere"])
    elif kind == "remember-me cookie":
        assert not _signed_in(credentials["remembered"])
        assert db.count(RememberToken, RememberToken.user_id == user.id) == 0
    elif kind == "JWT":
        assert not _api_works(app, credentials["jwt"])
    else:
        assert not _api_works(app, credentials["pat"])
        assert db.count(ApiToken, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)) == 0


def test_after_a_password_change_a_remembered_browser_stays_remembered(app, make, db):
    user = make.user()
    actor = app.test_client()
    AuthActions(actor).login(user, remember="y")
    before = _remember_cookie(actor)
    actor.post("/me/password", data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                     "confirm": NEW_PASSWORD})
    after = _remember_cookie(actor)
    assert after and after != before  # a new series for this browser, the old one deleted
    assert db.count(RememberToken, RememberToken.user_id == user.id) == 1
    _restart_browser(actor)
    assert _signed_in(actor)
    assert api_token(app.test_client(), user, NEW_PASSWORD)  # and a fresh JWT works
    assert _api_works(app, api_token(app.test_client(), user, NEW_PASSWORD))


def test_sign_out_everywhere_else_keeps_this_browser_and_personal_tokens(app, make, credentials):
    user = credentials["user"]
    actor = app.test_client()
    AuthActions(actor).login(user)
    assert actor.post("/me/sessions/sign-out-others").status_code == 303
    assert _signed_in(actor)
    assert not _signed_in(credentials["elsewhere"]) and not _signed_in(credentials["remembered"])
    assert not _api_works(app, credentials["jwt"])
    assert _api_works(app, credentials["pat"])


def test_a_role_change_signs_out_everywhere_but_keeps_personal_tokens(app, make, credentials):
    user = credentials["user"]
    admin = app.test_client()
    AuthActions(admin).login(make.user(role="ADMIN"))
    assert admin.post(f"/admin/users/{user.id}/role", data={"role": "PARENT"}).status_code == 303
    assert not _signed_in(credentials["elsewhere"]) and not _signed_in(credentials["remembered"])
    assert not _api_works(app, credentials["jwt"])


def test_the_profile_offers_sign_out_everywhere(client, make):
    AuthActions(client).login(make.user())
    page = client.get("/me").get_data(as_text=True)
    assert 'action="/me/sessions/sign-out-everywhere"' in page and "Sign out everywhere</button>" in page


def test_sign_out_everywhere_is_audited(client, make, db):
    user = make.user()
    AuthActions(client).login(user)
    client.post("/me/sessions/sign-out-everywhere")
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "user.signed_out_everywhere"))
    assert entry.actor_id == user.id and entry.details["sessions_ended"] == 1


# --- the remember-me cookie ---------------------------------------------------------------------------


def test_keep_me_signed_in_sets_a_random_server_stored_cookie_not_flask_logins(app, client, make, db):
    user = make.user()
    response = client.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") for c in cookies)
    mine = next(c for c in cookies if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in mine and "SameSite=Lax" in mine and "Expires=" in mine
    series, token = _remember_cookie(client).split(".")
    assert str(user.id) not in (series, token) and len(token) >= 40
    row = db.scalar(select(RememberToken))
    assert row.series_hash == hash_token(series) and row.token_hash == hash_token(token)
    assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)


def test_without_keep_me_signed_in_there_is_no_cookie_and_no_row(client, make, db):
    AuthActions(client).login(make.user())
    assert _remember_cookie(client) is None and db.count(RememberToken) == 0


def test_the_cookie_signs_back_in_and_rotates_on_use(app, client, make, db):
    user = make.user()
    AuthActions(client).login(user, remember="y")
    first = _remember_cookie(client)
    _restart_browser(client)
    assert _signed_in(client)
    second = _remember_cookie(client)
    assert second != first and second.split(".")[0] == first.split(".")[0]  # same series, new token
    assert db.count(LoginAttempt, LoginAttempt.reason == "REMEMBERED") == 1
    assert db.count(UserSession, UserSession.user_id == user.id, UserSession.ended_at.is_(None)) == 2
    assert _signed_in(client)  # later requests ride on the Flask session: no further rotation
    assert _remember_cookie(client) == second


def test_a_copied_old_cookie_is_refused_and_kills_the_series(app, client, make, db):
    user = make.user()
    AuthActions(client).login(user, remember="y")
    stolen = _remember_cookie(client)
    _restart_browser(client)
    assert _signed_in(client)  # the owner comes back: the token rotates
    with db.ctx() as session:  # ... a few minutes ago
        session.execute(update(RememberToken).values(rotated_at=utcnow() - timedelta(minutes=5)))
        session.commit()
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen)
    assert not _signed_in(thief)
    assert thief.get_cookie(COOKIE) is None  # deleted from the thief's browser
    assert db.count(RememberToken) == 0  # the series is gone...
    _restart_browser(client)
    assert not _signed_in(client)  # ...so the owner signs in again with the password
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "user.remember_cookie_reused"))
    assert entry.entity_id == user.id


def test_a_copied_cookie_also_ends_the_login_session_it_started(app, client, make, db):
    user = make.user()
    AuthActions(client).login(user, remember="y")
    stolen = _remember_cookie(client)
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen)
    assert _signed_in(thief)  # the thief got in first, with the current token
    with db.ctx() as session:
        session.execute(update(RememberToken).values(rotated_at=utcnow() - timedelta(minutes=5)))
        session.commit()
    _restart_browser(client)
    assert not _signed_in(client)  # the owner's (now old) token reveals the copy
    assert not _signed_in(thief)  # and the thief's login session ended with the series
    assert db.count(UserSession, UserSession.user_id == user.id, UserSession.ended_at.is_(None)) == 1  # the
    # owner's first login session (never restarted in this test's database) stays as it was


def test_the_token_just_replaced_still_works_for_requests_already_on_their_way(app, client, make, db):
    user = make.user()
    AuthActions(client).login(user, remember="y")
    old = _remember_cookie(client)
    _restart_browser(client)
    parallel = app.test_client()
    parallel.set_cookie(COOKIE, old)
    assert _signed_in(client)
    assert _signed_in(parallel)  # a second tab restored at the same moment
    assert db.count(RememberToken) == 1


def test_the_server_refuses_an_expired_cookie(app, client, make, db):
    AuthActions(client).login(make.user(), remember="y")
    with db.ctx() as session:
        session.execute(update(RememberToken).values(created_at=utcnow() - timedelta(days=31),
                                                     expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    _restart_browser(client)
    assert not _signed_in(client)
    assert db.count(RememberToken) == 0 and client.get_cookie(COOKIE) is None


@pytest.mark.parametrize("value", ["garbage", "a.b", "." * 3, "x" * 500])
def test_a_made_up_cookie_is_refused(client, value):
    client.set_cookie(COOKIE, value)
    assert not _signed_in(client)


def test_sign_out_deletes_the_row_and_the_cookie(client, make, db):
    AuthActions(client).login(make.user(), remember="y")
    response = client.post("/auth/logout")
    assert any(c.startswith(f"{COOKIE}=;") for c in response.headers.getlist("Set-Cookie"))
    assert db.count(RememberToken) == 0 and client.get_cookie(COOKIE) is None


def test_flask_logins_own_remember_cookie_no_longer_signs_in(app, client, make):
    from flask_login.utils import encode_cookie

    user = make.user()
    with app.test_request_context():
        legacy = encode_cookie(f"{user.id}:1")
    client.set_cookie("remember_token", legacy)
    assert not _signed_in(client)
    assert client.get_cookie("remember_token") is None  # and it is deleted


def test_expired_rows_are_deleted_by_the_hourly_job(app, make, db):
    from lms.auth.jobs import delete_expired_remember_tokens
    from lms.periodic import PERIODIC_JOBS

    user = make.user()
    with db.ctx() as session:
        now = utcnow()
        session.add_all([RememberToken(user_id=user.id, series_hash=str(i) * 64, token_hash="t" * 64,
                                       created_at=now - timedelta(days=40),
                                       expires_at=now + timedelta(days=i - 1)) for i in range(3)])
        session.commit()
    with app.app_context():
        assert delete_expired_remember_tokens() == 2
    assert db.count(RememberToken) == 1
    assert any(job.name == "delete-expired-remember-tokens" for job in PERIODIC_JOBS)


# --- the JWT: credentials version and this instance only ------------------------------------------------


def _claims(app, token) -> dict:
    return jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"], options={"verify_iss": False})


def _forge(app, **claims) -> str:
    return jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")


def test_the_jwt_carries_the_credentials_version_and_this_instance(app, client, make):
    user = make.user(role="TEACHER")
    claims = _claims(app, api_token(client, user))
    assert claims["ver"] == 1 and claims["iss"] == app.config["BASE_URL"]
    assert claims["tenant"].startswith(app.config["QUEUE_NAME"] + "/")


@pytest.mark.parametrize("change", [
    {"tenant": "another-school/another"},
    {"iss": "https://another.example.org"},
    {"ver": 2},
    {"tenant": None},
    {"ver": None},
    {"iss": None},
])
def test_a_jwt_for_another_instance_or_an_older_version_is_refused(app, client, make, change):
    user = make.user(role="TEACHER")
    claims = _claims(app, api_token(client, user))
    assert client.get("/api/v1/teacher/sessions", headers=bearer(_forge(app, **claims))).status_code == 200
    for name, value in change.items():
        if value is None:
            claims.pop(name)
        else:
            claims[name] = value
    response = client.get("/api/v1/teacher/sessions", headers=bearer(_forge(app, **claims)))
    assert response.status_code == 401 and response.json["errorCode"] == "INVALID_TOKEN"


def test_a_token_minted_by_another_instance_sharing_the_secret_is_refused(app, database_url, redis_url, make):
    teacher = make.user(role="TEACHER")
    other = create_app(make_test_config(database_url, redis_url, LMS_INSTANCE="other-school",
                                        BASE_URL="https://other.example.org"))
    try:
        token = api_token(other.test_client(), teacher)
        assert other.test_client().get("/api/v1/teacher/sessions", headers=bearer(token)).status_code == 200
        assert app.test_client().get("/api/v1/teacher/sessions", headers=bearer(token)).status_code == 401
    finally:
        limiter.init_app(app)


def test_deactivation_keeps_personal_tokens_revoked_after_reactivation(app, make, credentials, db):
    user = credentials["user"]
    admin = app.test_client()
    AuthActions(admin).login(make.user(role="ADMIN"))
    admin.post(f"/admin/users/{user.id}/deactivate")
    admin.post(f"/admin/users/{user.id}/reactivate")
    assert db.get(User, user.id).active
    assert not _api_works(app, credentials["pat"]) and not _api_works(app, credentials["jwt"])
