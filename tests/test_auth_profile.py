"""``/me``: name and language, email change by link, password change, own login sessions."""

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import User, UserSession
from tests.conftest import TEST_PASSWORD, AuthActions, email_link

NEW_PASSWORD = "another-strong-password"


def test_the_profile_page_shows_the_forms_and_login_sessions(client, as_role):
    user = as_role("STUDENT", full_name="Sam Student")
    response = client.get("/me")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for marker in ('id="profile-form"', 'id="email-form"', 'id="password-form"', 'id="login-sessions"',
                   "Sign out everywhere else", "This device", user.email):
        assert marker in html
    assert 'value="th"' in html  # the language choice (en/th)
    assert "My profile" in client.get("/").get_data(as_text=True)  # linked from the user menu


def test_the_profile_requires_sign_in(client):
    assert client.get("/me").status_code == 302
    assert client.post("/me/password").status_code == 302


def test_name_and_language_are_saved(client, as_role, db):
    user = as_role("PARENT")
    response = client.post("/me/profile", data={"full_name": "  Pat Parent  ", "locale": "th"})
    assert response.status_code == 303
    saved = db.get(User, user.id)
    assert saved.full_name == "Pat Parent" and saved.locale == "th"
    assert client.get("/me").headers.get("Content-Language", "th") == "th"
    assert b'lang="th"' in client.get("/me").data
    client.post("/me/profile", data={"full_name": "Pat Parent", "locale": ""})
    assert db.get(User, user.id).locale is None


def test_bad_profile_input_is_refused(client, as_role, db):
    user = as_role("PARENT", full_name="Kept Name")
    response = client.post("/me/profile", data={"full_name": "", "locale": "xx"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and b'id="profile-form"' in response.data and b"<html" not in response.data
    assert db.get(User, user.id).full_name == "Kept Name"


def test_email_change_is_confirmed_by_a_link_to_the_new_address(app, client, as_role, outbox, db):
    user = as_role("TEACHER")
    response = client.post("/me/email", data={"new_email": "New.Address@Example.org",
                                              "current_password": TEST_PASSWORD}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"We sent a confirmation link" in response.data
    assert db.get(User, user.id).email == user.email  # not yet
    [message] = outbox
    assert message["To"] == "new.address@example.org"
    path = email_link(message, "/auth/confirm-email/")
    # A mail scanner opening the link changes nothing; the button does.
    assert client.get(path).status_code == 200 and db.get(User, user.id).email == user.email
    assert client.post(path).status_code == 303
    assert db.get(User, user.id).email == "new.address@example.org"
    assert outbox[-1]["To"] == user.email  # the old address is told
    assert client.post(path).status_code == 404  # single use
    AuthActions(app.test_client()).login("new.address@example.org")
    assert "user.email_changed" in db.scalars(select(AuditLog.action))


def test_email_change_needs_the_current_password_and_a_free_address(client, as_role, make, outbox):
    as_role("TEACHER")
    taken = make.user()
    wrong = client.post("/me/email", data={"new_email": "fresh@example.org", "current_password": "nope"},
                        headers={"HX-Request": "true"})
    assert wrong.status_code == 422 and b"current password is not correct" in wrong.data
    used = client.post("/me/email", data={"new_email": taken.email, "current_password": TEST_PASSWORD},
                       headers={"HX-Request": "true"})
    assert b"Another account already uses that address" in used.data
    assert outbox == []


def test_password_change_needs_the_current_password_and_a_good_new_one(client, as_role, db):
    user = as_role("STUDENT")
    for data, message in (
        ({"current_password": "wrong", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
         b"current password is not correct"),
        ({"current_password": TEST_PASSWORD, "new_password": "short", "confirm": "short"}, b"at least 10"),
        ({"current_password": TEST_PASSWORD, "new_password": user.email, "confirm": user.email},
         b"must not be your email"),
        ({"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm": "different-one"},
         b"The two passwords differ"),
    ):
        response = client.post("/me/password", data=data, headers={"HX-Request": "true"})
        assert response.status_code == 422 and message in response.data
    assert db.get(User, user.id).check_password(TEST_PASSWORD)


def test_password_change_keeps_this_browser_and_signs_out_the_others(app, client, as_role, db):
    user = as_role("STUDENT")
    other = app.test_client()
    AuthActions(other).login(user)
    response = client.post("/me/password", data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert client.get("/me").status_code == 200
    assert client.post("/api/session/ping").status_code == 204
    assert other.get("/me").status_code == 302
    assert db.get(User, user.id).check_password(NEW_PASSWORD)


def test_sign_out_everywhere_else(app, client, as_role, db):
    user = as_role("STUDENT")
    others = [app.test_client() for _ in range(2)]
    for other in others:
        other.post("/auth/login", data={"login": user.email, "password": TEST_PASSWORD, "remember": "y"})
    response = client.post("/me/sessions/sign-out-others", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"2 login sessions ended" in response.data
    assert b'id="login-sessions"' in response.data and b"<html" not in response.data
    for other in others:  # even their remember-me cookies no longer work
        assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200
    reasons = db.scalars(select(UserSession.end_reason).where(UserSession.user_id == user.id))
    assert sorted(r or "open" for r in reasons) == ["REVOKED", "REVOKED", "open"]


def test_the_token_placeholder_on_the_profile_is_shown_as_text(client, as_role):
    as_role("TEACHER")
    page = client.get("/me").get_data(as_text=True)
    assert "Authorization: Bearer &lt;token&gt;" in page and "<token>" not in page
