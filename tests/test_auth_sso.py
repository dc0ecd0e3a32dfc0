"""Single sign-on end to end against a real OpenID Connect provider (npm's oidc-provider on 127.0.0.1).

The provider is started once for this module (``tests/oidc_provider``); the app talks to it over
HTTP (discovery document, JWKS, token endpoint) and the test plays the browser at the provider's
own sign-in and consent pages.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import select, update

from lms import create_app
from lms.audit.models import AuditLog
from lms.auth.models import LoginAttempt, User, UserSession
from lms.common.types import utcnow
from lms.config import ConfigError, parse_oidc_providers
from lms.school.models import StudentProfile
from tests.conftest import make_test_config
from tests.oidc_provider import browse_to_callback, free_port, start_provider
from tests.oidc_provider.tamper import tampering_proxy

APP_BASE = "http://localhost"  # BASE_URL of the test config
ACCOUNTS = {
    "ann": {"email": "Ann@School.test", "email_verified": True, "name": "Ann Teacher"},
    "unverified": {"email": "unv@school.test", "email_verified": False, "name": "Not Verified"},
    "stranger": {"email": "stranger@elsewhere.test", "email_verified": True, "name": "A Stranger"},
    "newkid": {"email": "newkid@students.school.test", "email_verified": True, "name": "New  Kid"},
    "gone": {"email": "gone@school.test", "email_verified": True, "name": "Gone Away"},
}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    clients = [
        {"client_id": "lms-local", "client_secret": "local-secret-0123456789",
         "redirect_uris": [f"{APP_BASE}/auth/sso/local/callback"]},
        {"client_id": "lms-backup", "client_secret": "backup-secret-0123456789",
         "redirect_uris": [f"{APP_BASE}/auth/sso/backup/callback"]},
    ]
    with start_provider(tmp_path_factory.mktemp("oidc"), clients, ACCOUNTS) as url:
        yield url


@pytest.fixture(scope="module")
def sso_app(issuer, database_url, redis_url, app, tmp_path_factory):
    """An app with two providers configured through the env settings (the shared ``app`` made the tables)."""
    providers = parse_oidc_providers({
        "OIDC_PROVIDERS": "local,backup",
        "OIDC_LOCAL_ISSUER": issuer, "OIDC_LOCAL_CLIENT_ID": "lms-local",
        "OIDC_LOCAL_CLIENT_SECRET": "local-secret-0123456789", "OIDC_LOCAL_NAME": "School ID",
        "OIDC_LOCAL_AUTO_CREATE_DOMAINS": "students.school.test",
        "OIDC_BACKUP_ISSUER": issuer + "/", "OIDC_BACKUP_CLIENT_ID": "lms-backup",
        "OIDC_BACKUP_CLIENT_SECRET": "backup-secret-0123456789", "OIDC_BACKUP_NAME": "Backup ID",
        "OIDC_BACKUP_AUTO_CREATE_DOMAINS": "staff.school.test", "OIDC_BACKUP_AUTO_CREATE_ROLE": "teacher",
    })
    sso_app = create_app(make_test_config(database_url, redis_url, OIDC_PROVIDERS=providers,
                                          STORAGE_DIR=str(tmp_path_factory.mktemp("storage"))))
    yield sso_app
    with sso_app.app_context():
        from lms.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def browser(sso_app):
    return sso_app.test_client()


def _button_hrefs(html: str) -> dict[str, str]:
    return {name: href.replace("&amp;", "&") for href, name in
            re.findall(r'<a href="([^"]+)"[^>]*data-sso-provider="([a-z0-9]+)"', html)}


def _to_provider(browser, provider: str = "local", next_path: str | None = None) -> str:
    """Click the provider's button on the sign-in page; the URL of the provider's authorize page."""
    page = browser.get("/auth/login" + (f"?next={next_path}" if next_path else ""))
    href = _button_hrefs(page.text)[provider]
    response = browser.get(href)
    assert response.status_code == 302
    return response.headers["Location"]


def _callback_path(url: str) -> str:
    assert url.startswith(APP_BASE + "/auth/sso/")
    return url[len(APP_BASE):]


def _sign_in(browser, issuer, login: str, provider: str = "local", next_path: str | None = None):
    authorize = _to_provider(browser, provider, next_path)
    assert authorize.startswith(issuer + "/auth?")
    return browser.get(_callback_path(browse_to_callback(authorize, login, APP_BASE)))


def _signed_in(browser) -> bool:
    return browser.get("/me").status_code == 200


def test_the_sign_in_page_shows_one_button_per_configured_provider(browser):
    page = browser.get("/auth/login")
    assert "Sign in with School ID" in page.text
    assert "Sign in with Backup ID" in page.text
    assert set(_button_hrefs(page.text)) == {"local", "backup"}


def test_without_providers_there_is_no_button_and_no_route(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert "Sign in with" not in page.text.replace("Sign in with pictures", "")  # no SSO button
    assert "data-sso-provider" not in page.text
    assert client.get("/auth/sso/local").status_code == 404
    assert client.get("/auth/sso/local/callback?code=x&state=y").status_code == 404


def test_an_unknown_provider_is_not_found(browser):
    assert browser.get("/auth/sso/github").status_code == 404
    assert browser.get("/auth/sso/github/callback?code=x&state=y").status_code == 404


def test_the_authorization_request_uses_pkce_state_and_nonce(browser, issuer):
    query = parse_qs(urlsplit(_to_provider(browser)).query)
    assert query["client_id"] == ["lms-local"]
    assert query["redirect_uri"] == [f"{APP_BASE}/auth/sso/local/callback"]
    assert query["response_type"] == ["code"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]


def test_a_verified_email_signs_in_to_its_account_like_a_password_sign_in(browser, issuer, make, db):
    teacher = make.user(role="TEACHER", email="ann@school.test")
    response = _sign_in(browser, issuer, "ann", next_path="/me")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/me")
    assert _signed_in(browser)
    assert db.get(User, teacher.id).last_login_at is not None
    sessions = db.scalars(select(UserSession).where(UserSession.user_id == teacher.id))
    assert len(sessions) == 1 and sessions[0].ended_at is None
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "user.login"))
    assert entry.actor_id == teacher.id
    assert entry.details == {"method": "sso", "provider": "local"}
    attempt = db.scalar(select(LoginAttempt))
    assert (attempt.user_id, attempt.success, attempt.reason) == (teacher.id, True, "SSO")


def test_the_second_provider_signs_in_too(browser, issuer, make, db):
    teacher = make.user(role="TEACHER", email="ann@school.test")
    response = _sign_in(browser, issuer, "ann", provider="backup")
    assert response.status_code in (302, 303)
    assert _signed_in(browser)
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "user.login"))
    assert (entry.actor_id, entry.details["provider"]) == (teacher.id, "backup")


def test_an_unverified_email_is_refused_even_when_the_account_exists(browser, issuer, make, db):
    make.user(role="STUDENT", email="unv@school.test")
    response = _sign_in(browser, issuer, "unverified")
    assert response.status_code == 403
    assert "did not confirm that your email address is verified" in response.text
    assert not _signed_in(browser)
    assert db.count(UserSession) == 0
    assert db.count(LoginAttempt) == 0
    assert db.count(AuditLog) == 0


def test_an_unknown_email_is_refused_and_nothing_is_created(browser, issuer, make, db):
    make.user(role="ADMIN", email="admin@school.test")
    response = _sign_in(browser, issuer, "stranger")
    assert response.status_code == 403
    assert "There is no account for stranger@elsewhere.test at this school" in response.text
    assert not _signed_in(browser)
    assert db.count(User) == 1
    assert db.count(LoginAttempt) == 0
    assert db.count(AuditLog) == 0


def test_an_allowed_domain_gets_an_account_with_the_configured_role(browser, issuer, db):
    response = _sign_in(browser, issuer, "newkid")
    assert response.status_code in (302, 303)
    assert _signed_in(browser)
    user = db.scalar(select(User).where(User.email == "newkid@students.school.test"))
    assert (user.role, user.full_name, user.active) == ("STUDENT", "New Kid", True)
    assert user.password_hash is None
    assert db.get(StudentProfile, user.id) is not None
    actions = [e.action for e in db.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["user.create", "user.login"]


def test_the_allowed_domains_and_role_belong_to_each_provider(browser, issuer, db):
    # students.school.test is listed for "local" only: through "backup" it is refused.
    response = _sign_in(browser, issuer, "newkid", provider="backup")
    assert response.status_code == 403
    assert db.count(User) == 0


def test_a_deactivated_account_is_refused(browser, issuer, make, db):
    user = make.user(role="TEACHER", email="gone@school.test", active=False)
    response = _sign_in(browser, issuer, "gone")
    assert response.status_code == 403
    assert "deactivated" in response.text
    assert not _signed_in(browser)
    assert db.count(UserSession) == 0
    attempt = db.scalar(select(LoginAttempt))
    assert (attempt.user_id, attempt.success, attempt.reason) == (user.id, False, "INACTIVE")


def test_a_suspended_account_is_refused_and_told_why(browser, issuer, make, db):
    user = make.user(role="TEACHER", email="gone@school.test")
    with db.ctx() as session:
        session.execute(update(User).where(User.id == user.id).values(
            suspended_at=utcnow(), suspension_reason="Records under review"))
        session.commit()
    response = _sign_in(browser, issuer, "gone")
    assert response.status_code == 403
    assert "suspended" in response.text and "Records under review" in response.text
    assert not _signed_in(browser)
    assert db.count(UserSession) == 0
    attempt = db.scalar(select(LoginAttempt))
    assert (attempt.user_id, attempt.success, attempt.reason) == (user.id, False, "SUSPENDED")


def test_a_tampered_state_is_refused_and_the_callback_works_only_once(browser, issuer, make, db):
    make.user(role="TEACHER", email="ann@school.test")
    callback = _callback_path(browse_to_callback(_to_provider(browser), "ann", APP_BASE))
    parts = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    tampered = urlunsplit(("", "", parts.path, urlencode({**query, "state": query["state"] + "x"}), ""))
    response = browser.get(tampered)
    assert response.status_code == 400
    assert "could not be completed" in response.text
    assert not _signed_in(browser)
    assert db.count(UserSession) == 0
    # The genuine answer still works once; replaying it is refused.
    assert browser.get(callback).status_code in (302, 303)
    assert _signed_in(browser)
    assert browser.get(callback).status_code == 400


def test_a_callback_from_another_browser_is_refused(browser, sso_app, issuer, make, db):
    """The state belongs to the browser that started: a link forced on someone else signs no one in."""
    make.user(role="TEACHER", email="ann@school.test")
    callback = _callback_path(browse_to_callback(_to_provider(browser), "ann", APP_BASE))
    victim = sso_app.test_client()
    assert victim.get(callback).status_code == 400
    assert not _signed_in(victim)


def test_the_provider_refusing_is_a_message_not_an_error(browser):
    response = browser.get("/auth/sso/local/callback?error=access_denied&state=whatever")
    assert response.status_code == 400
    assert "cancelled or refused" in response.text


def test_a_provider_that_cannot_be_reached_is_a_message_not_an_error(database_url, redis_url, tmp_path):
    providers = parse_oidc_providers({
        "OIDC_PROVIDERS": "google", "OIDC_GOOGLE_ISSUER": "http://127.0.0.1:9",
        "OIDC_GOOGLE_CLIENT_ID": "x", "OIDC_GOOGLE_CLIENT_SECRET": "y"})
    down = create_app(make_test_config(database_url, redis_url, OIDC_PROVIDERS=providers,
                                       STORAGE_DIR=str(tmp_path)))
    response = down.test_client().get("/auth/sso/google")
    assert response.status_code == 503
    assert "Google cannot be reached right now" in response.text


# --- configuration -------------------------------------------------------------------------------


def _settings(**extra):
    return {"OIDC_PROVIDERS": "google", "OIDC_GOOGLE_ISSUER": "https://accounts.google.com",
            "OIDC_GOOGLE_CLIENT_ID": "id", "OIDC_GOOGLE_CLIENT_SECRET": "secret", **extra}


def test_provider_settings_are_read_with_defaults():
    google = parse_oidc_providers(_settings())["google"]
    assert google["label"] == "Google"
    assert google["auto_create_domains"] == ()
    assert google["auto_create_role"] == "STUDENT"
    assert google["email_verified_claim"] == "email_verified"
    assert parse_oidc_providers({}) == {}


@pytest.mark.parametrize(("extra", "message"), [
    ({"OIDC_GOOGLE_CLIENT_SECRET": ""}, "OIDC_GOOGLE_CLIENT_SECRET is missing"),
    ({"OIDC_GOOGLE_ISSUER": ""}, "OIDC_GOOGLE_ISSUER is missing"),
    ({"OIDC_PROVIDERS": "google,microsoft"}, "OIDC_MICROSOFT_ISSUER is missing"),
    ({"OIDC_PROVIDERS": "my-idp"}, "not a valid provider name"),
    ({"OIDC_GOOGLE_ISSUER": "accounts.google.com"}, "OIDC_GOOGLE_ISSUER must be"),
    ({"OIDC_GOOGLE_AUTO_CREATE_ROLE": "ADMIN"}, "administrator accounts are never created"),
    ({"OIDC_GOOGLE_AUTO_CREATE_DOMAINS": "school ac th"}, "is not an email domain"),
    ({"LMS_ENV": "production", "OIDC_GOOGLE_ISSUER": "http://idp.example.org"}, "must be an https://"),
])
def test_bad_provider_settings_stop_the_start_with_a_clear_message(extra, message):
    with pytest.raises(ConfigError, match=message):
        parse_oidc_providers(_settings(**extra))


def test_the_instance_env_file_configures_providers(tmp_path, monkeypatch):
    from lms.config import load_config

    (tmp_path / "school.env").write_text(
        "OIDC_PROVIDERS=google,microsoft\n"
        "OIDC_GOOGLE_ISSUER=https://accounts.google.com\nOIDC_GOOGLE_CLIENT_ID=g\nOIDC_GOOGLE_CLIENT_SECRET=gs\n"
        "OIDC_MICROSOFT_ISSUER=https://login.microsoftonline.com/tenant/v2.0\n"
        "OIDC_MICROSOFT_CLIENT_ID=m\nOIDC_MICROSOFT_CLIENT_SECRET=ms\n"
        "OIDC_MICROSOFT_EMAIL_VERIFIED_CLAIM=xms_edov\n")
    monkeypatch.setenv("LMS_INSTANCES_DIR", str(tmp_path))
    config = load_config("school", {"OIDC_GOOGLE_NAME": "Google Workspace"})
    assert list(config["OIDC_PROVIDERS"]) == ["google", "microsoft"]
    assert config["OIDC_PROVIDERS"]["google"]["label"] == "Google Workspace"
    assert config["OIDC_PROVIDERS"]["microsoft"]["email_verified_claim"] == "xms_edov"


def test_failed_callbacks_count_against_the_sign_in_limit_per_address(database_url, redis_url, tmp_path):
    providers = parse_oidc_providers({
        "OIDC_PROVIDERS": "google", "OIDC_GOOGLE_ISSUER": "http://127.0.0.1:9",
        "OIDC_GOOGLE_CLIENT_ID": "x", "OIDC_GOOGLE_CLIENT_SECRET": "y"})
    limited = create_app(make_test_config(database_url, redis_url, OIDC_PROVIDERS=providers,
                                          STORAGE_DIR=str(tmp_path), RATELIMIT_ENABLED=True,
                                          LOGIN_LIMIT_PER_IP="2 per minute"))
    client = limited.test_client()
    statuses = [client.get("/auth/sso/google/callback?code=c&state=forged").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_the_buttons_and_messages_are_in_thai(browser):
    thai = {"Accept-Language": "th"}
    assert "เข้าสู่ระบบด้วย School ID" in browser.get("/auth/login", headers=thai).text
    refused = browser.get("/auth/sso/local/callback?error=access_denied", headers=thai)
    assert "การเข้าสู่ระบบด้วย School ID ถูกยกเลิกหรือถูกปฏิเสธ" in refused.text


def _local_app(issuer_setting, secret, database_url, redis_url, tmp_path):
    providers = parse_oidc_providers({
        "OIDC_PROVIDERS": "local", "OIDC_LOCAL_ISSUER": issuer_setting,
        "OIDC_LOCAL_CLIENT_ID": "lms-local", "OIDC_LOCAL_CLIENT_SECRET": secret})
    return create_app(make_test_config(database_url, redis_url, OIDC_PROVIDERS=providers,
                                       STORAGE_DIR=str(tmp_path)))


def test_a_wrong_client_secret_signs_no_one_in(issuer, database_url, redis_url, tmp_path, make, db):
    make.user(role="TEACHER", email="ann@school.test")
    client = _local_app(issuer, "not-the-secret", database_url, redis_url, tmp_path).test_client()
    authorize = client.get("/auth/sso/local").headers["Location"]
    response = client.get(_callback_path(browse_to_callback(authorize, "ann", APP_BASE)))
    assert response.status_code == 400
    assert not _signed_in(client)
    assert db.count(UserSession) == 0


def test_a_discovery_document_naming_another_issuer_is_refused(issuer, database_url, redis_url, tmp_path,
                                                               make, db):
    """The configured issuer must be the one the provider names (and signs its ID tokens as)."""
    make.user(role="TEACHER", email="ann@school.test")
    other_name = issuer.replace("127.0.0.1", "localhost")  # same server, another issuer name
    client = _local_app(other_name, "local-secret-0123456789", database_url, redis_url, tmp_path).test_client()
    authorize = client.get("/auth/sso/local").headers["Location"]
    response = client.get(_callback_path(browse_to_callback(authorize, "ann", APP_BASE)))
    assert response.status_code == 400
    assert not _signed_in(client)
    assert db.count(UserSession) == 0


def test_an_id_token_changed_on_the_way_fails_its_signature_check(database_url, redis_url, tmp_path, make, db,
                                                                  caplog):
    """A proxy between the app and the real provider rewrites the ID token's email: refused."""
    make.user(role="TEACHER", email="mallory@school.test")
    make.user(role="ADMIN", email="admin@school.test")
    proxy_port, forged = free_port(), {}
    clients = [{"client_id": "lms-local", "client_secret": "local-secret-0123456789",
                "redirect_uris": [f"{APP_BASE}/auth/sso/local/callback"]}]
    accounts = {"mallory": {"email": "mallory@school.test", "email_verified": True}}
    provider_port = free_port()
    with start_provider(tmp_path, clients, accounts, port=provider_port,
                        issuer=f"http://127.0.0.1:{proxy_port}") as issuer, \
            tampering_proxy(proxy_port, f"http://127.0.0.1:{provider_port}", forged):
        app = _local_app(issuer, "local-secret-0123456789", database_url, redis_url, tmp_path)

        def sign_in(client):
            authorize = client.get("/auth/sso/local").headers["Location"]
            return client.get(_callback_path(browse_to_callback(authorize, "mallory", APP_BASE)))

        honest = app.test_client()
        assert sign_in(honest).status_code in (302, 303)  # through the proxy, untouched: signed in
        assert _signed_in(honest)
        forged["email"] = "admin@school.test"
        attacked = app.test_client()
        assert sign_in(attacked).status_code == 400
        assert not _signed_in(attacked)
    assert "BadSignatureError" in caplog.text  # checked against the provider's JWKS
    assert db.count(UserSession) == 1
