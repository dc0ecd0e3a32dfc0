"""Password reset: same answer for every address, single-use hashed token valid one hour."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from lms.auth.models import AccountToken, User, UserSession
from lms.auth.tokens import hash_token
from lms.common.types import utcnow
from tests.conftest import TEST_PASSWORD, AuthActions, email_link, email_text

NEW_PASSWORD = "a-brand-new-passphrase"


def _request_link(client, outbox, email) -> str:
    client.post("/auth/forgot-password", data={"email": email})
    assert len(outbox) == 1
    return email_link(outbox[-1], "/auth/reset-password/")


def _without_csrf_tokens(page: bytes) -> bytes:
    return re.sub(rb"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}", b"CSRF", page)


def test_the_form_answers_identically_for_known_and_unknown_addresses(client, make, outbox, db):
    user = make.user()
    known = client.post("/auth/forgot-password", data={"email": user.email})
    unknown = client.post("/auth/forgot-password", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    # The pages are the same but for the CSRF token, whose signature carries the time in seconds.
    assert _without_csrf_tokens(known.data) == _without_csrf_tokens(unknown.data)
    assert b"If an account uses that address" in known.data
    assert [m["To"] for m in outbox] == [user.email]
    assert db.count(AccountToken) == 1


def test_the_email_carries_a_link_and_only_the_hash_is_stored(client, make, outbox, db):
    user = make.user(full_name="Somchai Jaidee")
    path = _request_link(client, outbox, user.email.upper())
    message = outbox[0]
    assert "Reset your password" in message["Subject"]
    assert "Somchai Jaidee" in email_text(message)
    assert message.get_body(preferencelist=("html",)) is not None
    assert email_text(message).count("http://localhost/auth/reset-password/") == 1  # BASE_URL
    raw = path.rsplit("/", 1)[1]
    token = db.scalar(select(AccountToken))
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert token.expires_at - token.created_at <= timedelta(hours=1, seconds=5)


def test_resetting_sets_the_password_signs_in_and_ends_other_sessions(app, client, make, outbox, db):
    user = make.user()
    elsewhere = app.test_client()
    AuthActions(elsewhere).login(user)
    assert elsewhere.post("/api/session/ping").status_code == 204
    path = _request_link(client, outbox, user.email)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # signed in with the new password
    assert elsewhere.get("/").status_code == 302  # the other browser is signed out
    assert elsewhere.post("/api/session/ping").status_code == 401
    ended = db.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_not(None)))
    assert [s.end_reason for s in ended] == ["REVOKED"]
    assert db.get(User, user.id).check_password(NEW_PASSWORD)
    other = app.test_client()
    AuthActions(other).login(user, password=NEW_PASSWORD)


def test_a_reset_link_works_once(client, make, outbox):
    user = make.user()
    path = _request_link(client, outbox, user.email)
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client.post("/auth/logout")
    again = client.post(path, data={"password": "another-long-password", "confirm": "another-long-password"})
    assert again.status_code == 404
    assert b"invalid or has expired" in again.data


def test_a_reset_link_expires_after_an_hour(client, make, outbox, db):
    user = make.user()
    path = _request_link(client, outbox, user.email)
    with db.ctx() as session:
        session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert client.get(path).status_code == 404


def test_a_newer_link_replaces_the_older_one(client, make, outbox):
    user = make.user()
    first = _request_link(client, outbox, user.email)
    client.post("/auth/forgot-password", data={"email": user.email})
    second = email_link(outbox[-1], "/auth/reset-password/")
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_weak_new_passwords_are_refused_and_nothing_changes(client, make, outbox, db):
    user = make.user(email="longaddress@example.org")
    path = _request_link(client, outbox, user.email)
    for password, message in (("short", b"at least 10 characters"),
                              ("LongAddress@example.org", b"must not be your email address")):
        response = client.post(path, data={"password": password, "confirm": password})
        assert response.status_code == 200 and message in response.data
    mismatch = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert b"The two passwords differ" in mismatch.data
    assert db.get(User, user.id).check_password(TEST_PASSWORD)
    assert db.scalar(select(AccountToken.used_at)) is None
    AuthActions(client).login(user)  # the old password still works


def test_deactivated_accounts_get_no_email(client, make, outbox):
    user = make.user(active=False)
    client.post("/auth/forgot-password", data={"email": user.email})
    assert outbox == []


def test_forgot_password_form_errors_and_fragment(client):
    response = client.post("/auth/forgot-password", data={"email": "not-an-email"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert b"<html" not in response.data and b'id="forgot-password"' in response.data
    page = client.get("/auth/forgot-password")
    assert page.status_code == 200 and b"Send me a link" in page.data


def test_the_login_page_links_to_the_reset_page(client):
    assert b'href="/auth/forgot-password"' in client.get("/auth/login").data


def test_the_request_does_the_same_work_for_every_address_and_the_job_finds_the_account(
        app, client, make, outbox, db, monkeypatch):
    """The page answers before any lookup: it queues one job with the address whatever it is (same
    response, same SQL), and only the job, for a real active account, stores a token and sends mail."""
    from sqlalchemy import event

    from lms.auth import jobs
    from lms.extensions import db as _db

    user = make.user(email="real@example.org")
    make.user(email="gone@example.org", active=False)
    queued = []
    monkeypatch.setattr("lms.auth.services.enqueue", lambda job, *args, **kwargs: queued.append((job, args)))
    with app.app_context():
        engine = _db.engine

    def answer(email):
        statements = []

        def log(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", log)
        try:
            response = client.post("/auth/forgot-password", data={"email": email})
        finally:
            event.remove(engine, "before_cursor_execute", log)
        return response, statements

    addresses = ["Real@Example.org", "nobody@example.org", "gone@example.org"]
    answers = [answer(email) for email in addresses]
    assert len({(r.status_code, _without_csrf_tokens(r.data)) for r, _sql in answers}) == 1
    assert len({tuple(sql) for _r, sql in answers}) == 1
    assert not any("FROM user" in s or 'FROM "user"' in s for _r, sql in answers for s in sql)
    assert [(job.__name__, args) for job, args in queued] == [
        ("send_password_reset", ("real@example.org",)), ("send_password_reset", ("nobody@example.org",)),
        ("send_password_reset", ("gone@example.org",))]
    assert db.count(AccountToken) == 0 and outbox == []  # nothing yet: the job does the work

    with app.app_context():  # as the worker runs it
        assert [jobs.send_password_reset(*args) for _job, args in queued] == [True, False, False]
    assert [m["To"] for m in outbox] == [user.email]
    assert db.scalar(select(AccountToken.user_id)) == user.id and db.count(AccountToken) == 1
