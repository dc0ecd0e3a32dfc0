"""Picture passwords for young learners (three of twelve pictures, in order)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import LoginAttempt, User
from lms.common.types import utcnow
from tests.factories import DEFAULT_PASSWORD as PASSWORD

PICKS = ["cat", "sun", "boat"]
SETUP = "/auth/picture-password/setup"
PICTURE_LOGIN = "/auth/login/pictures"


def sign_in(client, login, password=PASSWORD):
    return client.post("/auth/login", data={"login": login, "password": password})


def pick_setup(client, picks):
    response = None
    for picture in picks:
        response = client.post(SETUP, data={"picture": picture})
    return response


def pictures_sign_in(client, login, picks):
    response = client.post(PICTURE_LOGIN, data={"login": login})
    assert response.status_code == 200
    for picture in picks:
        response = client.post(PICTURE_LOGIN, data={"login": login, "picture": picture})
    return response


def signed_in(client) -> bool:
    return client.get("/me").status_code == 200


def set_up(app, login="noi", picks=PICKS):
    client = app.test_client()
    assert sign_in(client, login).status_code == 303
    assert client.get(SETUP).status_code == 200
    pick_setup(client, picks)
    answer = pick_setup(client, picks)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    client.post("/auth/logout")
    return client


def test_setup_happy_path_is_hashed_and_audited(app, make, db):
    student = make.student("P1/1", username="noi", email=None)
    client = app.test_client()
    sign_in(client, "noi")
    page = client.get(SETUP).get_data(as_text=True)
    assert page.count('name="picture"') == 12
    assert '<span>cat</span>' in page
    after_two = pick_setup(client, PICKS[:2]).get_data(as_text=True)
    assert "2 of 3 pictures chosen" in after_two
    assert 'value="cat"' in after_two  # the grid, but the picks are not in any hidden field
    assert 'type="hidden" name="picture"' not in after_two
    confirming = pick_setup(client, PICKS[2:]).get_data(as_text=True)
    assert "Now press the same three pictures again" in confirming
    done = pick_setup(client, PICKS)
    assert done.status_code == 303
    stored = db.get(User, student.id).picture_password_hash
    assert stored and "cat" not in stored
    assert db.scalar(select(AuditLog.action).where(AuditLog.entity_id == student.id,
                                                   AuditLog.action.like("auth.picture_password%"))) \
        == "auth.picture_password_set"
    # Changing it is audited as a change.
    pick_setup(client, ["moon", "star", "tree"])
    assert pick_setup(client, ["moon", "star", "tree"]).status_code == 303
    actions = db.scalars(select(AuditLog.action).where(AuditLog.action.like("auth.picture_password%"))
                         .order_by(AuditLog.id))
    assert list(actions) == ["auth.picture_password_set", "auth.picture_password_changed"]


def test_setup_confirm_mismatch_stores_nothing_and_start_again(app, make, db):
    student = make.student("P2/1", username="ploy", email=None)
    client = app.test_client()
    sign_in(client, "ploy")
    pick_setup(client, PICKS)
    mismatch = pick_setup(client, ["cat", "sun", "moon"])
    assert mismatch.status_code == 422
    assert "The pictures did not match" in mismatch.get_data(as_text=True)
    assert db.get(User, student.id).picture_password_hash is None
    # "Start again" clears a partial choice.
    pick_setup(client, ["cat"])
    restarted = client.post(SETUP, data={"action": "restart"}).get_data(as_text=True)
    assert "0 of 3 pictures chosen" in restarted
    # A picture that is not one of the twelve: a clear message, nothing stored.
    bad = client.post(SETUP, data={"picture": "../../etc/passwd"})
    assert bad.status_code == 422
    assert "Choose one of the pictures." in bad.get_data(as_text=True)


def test_setup_is_not_for_m_levels_or_staff(app, make, as_role, client):
    make.student("M1/1", username="older", email=None)
    other = app.test_client()
    sign_in(other, "older")
    assert other.get(SETUP).status_code == 403
    assert other.post(SETUP, data={"picture": "cat"}).status_code == 403
    as_role("TEACHER")
    assert client.get(SETUP).status_code == 403
    assert app.test_client().get(SETUP).status_code in (302, 303, 401)


def test_sign_in_with_the_right_pictures(app, make, db):
    student = make.student("P1/1", username="noi", email=None, number="S-100")
    set_up(app)
    for login in ("noi", "NOI", "S-100"):
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        assert "Sign in with pictures" in page
        answer = pictures_sign_in(client, login, PICKS)
        assert answer.status_code == 303, login
        assert signed_in(client)
    attempts = db.scalars(select(LoginAttempt).where(LoginAttempt.user_id == student.id,
                                                     LoginAttempt.reason == "OK_PICTURES"))
    assert len(list(attempts)) == 3
    assert db.count(AuditLog, AuditLog.action == "auth.signed_in_with_pictures", AuditLog.entity_id == student.id) == 3


def test_wrong_pictures_get_the_wrong_password_message_and_are_recorded(app, make, db):
    student = make.student("P1/1", username="noi", email=None)
    set_up(app)
    client = app.test_client()
    password_answer = sign_in(client, "noi", "not-the-password").get_data(as_text=True)
    assert "Wrong sign-in name or password." in password_answer
    answer = pictures_sign_in(client, "noi", ["sun", "cat", "boat"])
    assert answer.status_code == 200
    assert "Wrong sign-in name or password." in answer.get_data(as_text=True)
    assert not signed_in(client)
    unknown = pictures_sign_in(app.test_client(), "nobody", PICKS)
    assert "Wrong sign-in name or password." in unknown.get_data(as_text=True)
    reasons = list(db.scalars(select(LoginAttempt.reason).order_by(LoginAttempt.id)))
    assert reasons[-3:] == ["WRONG_PASSWORD", "WRONG_PICTURES", "UNKNOWN_EMAIL"]
    assert db.scalar(select(LoginAttempt.user_id).where(LoginAttempt.reason == "WRONG_PICTURES")) == student.id


def test_a_student_without_a_picture_password_cannot_sign_in_with_pictures(app, make):
    make.student("P1/1", username="nopics", email=None)
    answer = pictures_sign_in(app.test_client(), "nopics", PICKS)
    assert "Wrong sign-in name or password." in answer.get_data(as_text=True)


def test_suspended_and_deactivated_are_refused(app, make, db):
    student = make.student("P1/1", username="noi", email=None)
    set_up(app)
    with db.ctx() as session:
        user = session.get(User, student.id)
        user.suspended_at = utcnow()
        user.suspension_reason = "Talk to the office first"
        user.suspended_until = utcnow() + timedelta(days=3)
        session.commit()
    client = app.test_client()
    answer = pictures_sign_in(client, "noi", PICKS).get_data(as_text=True)
    assert "Talk to the office first" in answer
    assert not signed_in(client)
    with db.ctx() as session:
        user = session.get(User, student.id)
        user.suspended_at = user.suspension_reason = user.suspended_until = None
        user.active = False
        session.commit()
    answer = pictures_sign_in(client, "noi", PICKS).get_data(as_text=True)
    assert "deactivated" in answer
    assert not signed_in(client)


def test_the_setting_is_scoped_by_levels(app, make, as_role, client, db):
    make.student("P1/1", username="pone", email=None)
    make.student("P4/1", username="pfour", email=None)
    set_up(app, "pone")
    four = app.test_client()
    sign_in(four, "pfour")
    assert four.get(SETUP).status_code == 403
    # The admin moves picture passwords to P4 only: P1 can no longer use them, P4 can.
    admin = as_role("ADMIN")
    page = client.get("/admin/organization").get_data(as_text=True)
    assert 'name="picture_password_levels" value="P1" checked' in page
    form = {"name": "School", "timezone": "Asia/Bangkok", "locale": "en", "academic_year": "2026",
            "session_timeout_minutes": 10, "heartbeat_seconds": 60, "classes_per_level": 6,
            "invitation_days": 7, "picture_password_levels_shown": "1", "picture_password_levels": ["P4"]}
    assert client.post("/admin/organization", data=form).status_code == 303
    from lms.core.models import Organization

    assert db.scalar(select(Organization.picture_password_levels)) == "P4"
    entries = db.scalars(select(AuditLog).where(AuditLog.action == "organization.update",
                                                AuditLog.actor_id == admin.id))
    assert [e.details["changes"]["picture_password_levels"] for e in entries
            if "picture_password_levels" in e.details["changes"]] == [["P1,P2,P3", "P4"]]
    assert four.get(SETUP).status_code == 200
    one = pictures_sign_in(app.test_client(), "pone", PICKS)
    assert "Wrong sign-in name or password." in one.get_data(as_text=True)
    # An unknown level: a clear message, nothing stored.
    bad = client.post("/admin/organization", data={**form, "picture_password_levels": ["Z9"]})
    assert "Choose levels from the list." in bad.get_data(as_text=True)
    assert db.scalar(select(Organization.picture_password_levels)) == "P4"


def test_uses_picture_password(app, make, db):
    from lms.auth.picture_password import uses_picture_password

    p1 = make.student("P1/1")
    m1 = make.student("M1/1")
    unplaced = make.student()
    teacher = make.teacher("P1/1")
    with app.test_request_context():
        assert uses_picture_password(db.get(User, p1.id))
        assert not uses_picture_password(db.get(User, m1.id))
        assert not uses_picture_password(db.get(User, unplaced.id))
        assert not uses_picture_password(db.get(User, teacher.id))


def test_reset_by_teacher(app, make, client, auth, db):
    classroom = make.classroom("P1/1")
    student = make.student(classroom, username="noi", email=None)
    teacher = make.teacher(classroom)
    outsider = make.teacher(make.classroom("P2/1"))
    set_up(app)
    auth.login(outsider)
    assert client.post(f"/students/{student.id}/picture-password/reset").status_code == 404
    auth.logout()
    auth.login(teacher)
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Reset the picture password" in page
    assert client.post(f"/students/{student.id}/picture-password/reset").status_code == 303
    assert db.get(User, student.id).picture_password_hash is None
    assert db.scalar(select(AuditLog.actor_id).where(AuditLog.action == "auth.picture_password_reset")) \
        == teacher.id
    answer = pictures_sign_in(app.test_client(), "noi", PICKS)
    assert "Wrong sign-in name or password." in answer.get_data(as_text=True)


@pytest.fixture
def limited_app(app, database_url, redis_url):
    from lms import create_app
    from lms.extensions import limiter
    from tests.conftest import make_test_config

    limited = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True))
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
    limiter.init_app(app)


def test_lockout_after_ten_wrong_tries_shared_with_passwords(limited_app, make, db):
    student = make.student("P1/1", username="noi", email=None)
    set_up(limited_app)
    for _i in range(5):  # five wrong passwords and five wrong picture sequences
        assert sign_in(limited_app.test_client(), "noi", "not-the-password").status_code == 200
        assert pictures_sign_in(limited_app.test_client(), "noi", ["moon", "moon", "moon"]).status_code == 200
    # The right pictures are refused now, and so is the right password.
    client = limited_app.test_client()
    assert client.post(PICTURE_LOGIN, data={"login": "noi"}).status_code == 429
    assert not signed_in(client)
    assert sign_in(limited_app.test_client(), "noi").status_code == 429
    assert db.scalar(select(LoginAttempt.reason).where(LoginAttempt.user_id == student.id)
                     .order_by(LoginAttempt.id.desc()).limit(1)) == "RATE_LIMITED"


def test_picks_are_not_counted_as_failures(limited_app, make):
    make.student("P1/1", username="noi", email=None)
    set_up(limited_app)
    client = limited_app.test_client()
    for _i in range(4):  # twelve picks and restarts, no failed sign-in
        client.post(PICTURE_LOGIN, data={"login": "noi", "picture": "cat"})
        client.post(PICTURE_LOGIN, data={"login": "noi", "picture": "sun"})
        client.post(PICTURE_LOGIN, data={"login": "noi", "action": "restart"})
    assert pictures_sign_in(client, "noi", PICKS).status_code == 303


def test_a_reset_signs_the_student_out_and_a_change_signs_other_browsers_out(app, make, auth, client, db):
    classroom = make.classroom("P1/1")
    student = make.student(classroom, username="noi", email=None)
    teacher = make.teacher(classroom)
    set_up(app)
    tablet = app.test_client()
    assert pictures_sign_in(tablet, "noi", PICKS).status_code == 303
    phone = app.test_client()
    assert pictures_sign_in(phone, "noi", PICKS).status_code == 303
    # The student changes the pictures on the phone: the tablet is signed out, the phone stays.
    pick_setup(phone, ["moon", "star", "tree"])
    assert pick_setup(phone, ["moon", "star", "tree"]).status_code == 303
    assert signed_in(phone) and not signed_in(tablet)
    # The teacher resets them: the phone is signed out too.
    auth.login(teacher)
    client.post(f"/students/{student.id}/picture-password/reset")
    assert not signed_in(phone)
    assert db.get(User, student.id).picture_password_hash is None


def test_erasing_a_student_removes_the_picture_password(app, make, db):
    from lms.privacy.erase import erase_student

    admin = make.user(role="ADMIN")
    student = make.student("P1/1", username="noi", email=None, number="S-555")
    set_up(app)
    from lms.school.models import StudentProfile

    with app.test_request_context(), db.ctx() as session:
        session.get(StudentProfile, student.id).status = "LEFT"
        erase_student(session.get(User, admin.id), session.get(User, student.id), "S-555")
        session.commit()
    assert db.get(User, student.id).picture_password_hash is None
