"""Suspension: an admin suspends an account with a reason and an optional end day;
the user cannot sign in by any path and is told why (only after a correct password); the periodic job
lifts it at the end; everything is audited and shown on the user pages."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from lms.audit.models import AuditLog
from lms.auth.models import LoginAttempt, User
from lms.common.types import utcnow
from tests.api_helpers import api_token
from tests.conftest import TEST_PASSWORD, AuthActions

NEXT_YEAR = date.today().year + 1  # an end day always in the future

COOKIE = "lms_remember"


def _login(client, user, password=TEST_PASSWORD, **extra):
    # "email" today, "login" once the form accepts usernames: both are sent.
    return client.post("/auth/login", data={"email": user.email, "login": user.email, "password": password,
                                            **extra})


def _future(days=10) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _audit(db, user_id) -> list[str]:
    return [e.action for e in db.scalars(select(AuditLog).where(  # sign-ins aside
        AuditLog.entity_type == "User", AuditLog.entity_id == user_id, AuditLog.action.notin_(("user.login", "user.logout"))).order_by(AuditLog.id))]


@pytest.mark.parametrize("role", ["TEACHER", "STUDENT", "PARENT"])
def test_only_admins_may_suspend_or_lift(client, as_role, make, db, role):
    as_role(role)
    target = make.user(role="STUDENT")
    assert client.post(f"/admin/users/{target.id}/suspend", data={"reason": "x"}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/lift-suspension").status_code == 403
    assert db.get(User, target.id).suspended_at is None


def test_suspended_user_is_told_why_after_a_correct_password_only(app, client, as_role, make, db):
    admin = as_role("ADMIN")
    user = make.user(role="TEACHER")
    response = client.post(f"/admin/users/{user.id}/suspend", headers={"HX-Request": "true"},
                           data={"reason": "Unpaid library fines", "until": f"{NEXT_YEAR}-12-12"})
    assert response.status_code == 200 and b"is suspended" in response.data
    stored = db.get(User, user.id)
    assert stored.suspension_reason == "Unpaid library fines" and stored.suspended_by_id == admin.id
    browser = app.test_client()
    wrong = _login(browser, user, "not-the-password")
    assert b"Wrong sign-in name or password." in wrong.data and b"suspended" not in wrong.data
    right = _login(browser, user)
    assert right.status_code == 200
    text = right.get_data(as_text=True)
    assert f"Your account is suspended until Dec 12, {NEXT_YEAR}: Unpaid library fines. Ask the school office." in text
    assert browser.get("/me").status_code == 302
    reasons = [a.reason for a in db.scalars(select(LoginAttempt).where(LoginAttempt.user_id == user.id))]
    assert reasons == ["WRONG_PASSWORD", "SUSPENDED"]


def test_suspension_without_an_end_and_the_api_token_endpoint(client, as_role, make):
    as_role("ADMIN")
    user = make.user(role="STUDENT")
    client.post(f"/admin/users/{user.id}/suspend", data={"reason": "Ask the office"})
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 401
    assert response.get_json()["message"] == "Your account is suspended: Ask the office. Ask the school office."
    assert response.get_json()["errorCode"] == "ACCOUNT_SUSPENDED"


def test_suspension_ends_sessions_tokens_and_remembered_browsers(app, client, as_role, make, db):
    as_role("ADMIN")
    user = make.user(role="STUDENT")
    remembered = app.test_client()
    AuthActions(remembered).login(user, remember="y")
    jwt = api_token(app.test_client(), user)
    client.post(f"/admin/users/{user.id}/suspend", data={"reason": "Testing"})
    assert remembered.get("/me").status_code == 302
    remembered.delete_cookie("session")
    assert remembered.get("/me").status_code == 302  # the remember-me cookie no longer signs in
    assert app.test_client().get("/api/v1/student/sessions",
                                 headers={"Authorization": f"Bearer {jwt}"}).status_code == 401


def test_a_remember_cookie_cannot_sign_in_a_suspended_user_even_when_set_directly(app, make, db):
    user = make.user(role="STUDENT")
    browser = app.test_client()
    AuthActions(browser).login(user, remember="y")
    with db.ctx() as session:  # suspended behind the app's back (no revocation): the checks still hold
        session.execute(update(User).where(User.id == user.id).values(
            suspended_at=utcnow(), suspension_reason="Direct"))
        session.commit()
    browser.delete_cookie("session")
    assert browser.get("/me").status_code == 302


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": ""}, "Give a reason"),
    ({"reason": "   "}, "Give a reason"),
    ({"reason": "x" * 501}, "at most 500"),
    ({"reason": "ok", "until": "yesterday"}, "Enter the end date as a date"),
    ({"reason": "ok", "until": "1800-01-01"}, "between 1900 and 2200"),
    ({"reason": "ok", "until": "2999-01-01"}, "between 1900 and 2200"),
    ({"reason": "ok", "until": date.today().isoformat()}, "must be after today"),
])
def test_bad_input_is_refused_and_nothing_stored(client, as_role, make, db, data, message):
    as_role("ADMIN")
    user = make.user(role="STUDENT")
    response = client.post(f"/admin/users/{user.id}/suspend", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.get(User, user.id).suspended_at is None and _audit(db, user.id) == []


def test_not_yourself_and_not_the_last_admin(client, as_role, make, db):
    admin = as_role("ADMIN")
    response = client.post(f"/admin/users/{admin.id}/suspend", data={"reason": "x"})
    assert response.status_code == 422 and "You cannot suspend your own account." in response.get_data(as_text=True)
    assert db.get(User, admin.id).suspended_at is None
    other = make.user(role="ADMIN")
    assert client.post(f"/admin/users/{other.id}/suspend", data={"reason": "x"}).status_code == 303
    assert db.get(User, other.id).is_suspended


def test_lift_by_hand_is_audited_and_the_user_signs_in_again(app, client, as_role, make, db):
    as_role("ADMIN")
    user = make.user(role="PARENT")
    client.post(f"/admin/users/{user.id}/suspend", data={"reason": "Check", "until": _future()})
    response = client.post(f"/admin/users/{user.id}/lift-suspension", headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"can sign in again" in response.data
    AuthActions(app.test_client()).login(user)
    assert _audit(db, user.id) == ["user.suspended", "user.suspension_lifted"]


def test_badge_on_lists_filter_and_user_page(client, as_role, make):
    as_role("ADMIN")
    user = make.user(role="STUDENT", full_name="Somchai Suspended")
    make.user(role="STUDENT", full_name="Nok Normal")
    client.post(f"/admin/users/{user.id}/suspend", data={"reason": "Behaviour", "until": _future()})
    listed = client.get("/admin/users?status=suspended").get_data(as_text=True)
    assert "Somchai Suspended" in listed and "Nok Normal" not in listed and "Suspended</span>" in listed
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Behaviour" in page and "Lift the suspension" in page
    student = make.student(full_name="Pat Pupil")
    client.post(f"/admin/users/{student.id}/suspend", data={"reason": "Behaviour"})
    assert "Suspended</span>" in client.get(f"/students/{student.id}").get_data(as_text=True)


def test_the_job_lifts_at_the_end_exactly_once(app, client, as_role, make, db):
    from lms.auth.suspension import lift_ended

    as_role("ADMIN")
    ended = make.user(role="STUDENT")
    running = make.user(role="STUDENT")
    forever = make.user(role="STUDENT")
    for user in (ended, running):
        client.post(f"/admin/users/{user.id}/suspend", data={"reason": "r", "until": _future()})
    client.post(f"/admin/users/{forever.id}/suspend", data={"reason": "r"})
    end = db.get(User, ended.id).suspended_until
    with db.ctx() as session:
        session.execute(update(User).where(User.id == running.id).values(suspended_until=end + timedelta(seconds=1)))
        session.commit()
    with app.app_context():
        assert lift_ended(now=end - timedelta(seconds=1)) == 0
        assert lift_ended(now=end) == 1
        from lms.extensions import db as sqla

        sqla.session.commit()
        assert lift_ended(now=end) == 0  # idempotent
        sqla.session.commit()
    assert db.get(User, ended.id).suspended_at is None
    assert db.get(User, running.id).suspended_at is not None and db.get(User, forever.id).suspended_at is not None
    assert _audit(db, ended.id)[-1] == "user.suspension_ended"
    AuthActions(app.test_client()).login(ended)


def test_an_ended_suspension_no_longer_blocks_before_the_job_runs(app, make, db):
    user = make.user(role="STUDENT")
    with db.ctx() as session:
        past = utcnow() - timedelta(minutes=1)
        session.execute(update(User).where(User.id == user.id).values(
            suspended_at=past - timedelta(days=1), suspended_until=past, suspension_reason="old"))
        session.commit()
    AuthActions(app.test_client()).login(user)


def test_the_database_refuses_inconsistent_suspensions(app, make):
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db as sqla

    user = make.user(role="STUDENT")
    with app.app_context():
        for values in ({"suspension_reason": "no start"},
                       {"suspended_at": datetime(2026, 1, 2), "suspended_until": datetime(2026, 1, 1),
                        "suspension_reason": "ends first"},
                       {"suspended_at": datetime(2026, 1, 2), "suspension_reason": ""}):
            with pytest.raises(IntegrityError):
                sqla.session.execute(update(User).where(User.id == user.id).values(**values))
                sqla.session.flush()
            sqla.session.rollback()


def test_suspended_in_the_periodic_list():
    from lms.periodic import PERIODIC_JOBS

    assert any(job.func == "lms.auth.jobs:lift_ended_suspensions" for job in PERIODIC_JOBS)


def test_the_reason_is_shown_in_thai(app, client, as_role, make):
    as_role("ADMIN")
    user = make.user(role="STUDENT", locale="th")
    client.post(f"/admin/users/{user.id}/suspend", data={"reason": "ค้างค่าปรับห้องสมุด", "until": f"{NEXT_YEAR}-12-12"})
    browser = app.test_client()
    text = browser.post(  # signed out: the language the browser asks for
        "/auth/login", data={"email": user.email, "login": user.email, "password": TEST_PASSWORD},
        headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert "บัญชีของคุณถูกระงับถึง" in text and "ค้างค่าปรับห้องสมุด" in text and "12 ธ.ค." in text
