"""Self-registration with a class code: a teacher turns it on, a student asks to join
at /join/<code> and waits PENDING (cannot sign in, sees nothing) until the teacher approves."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms import create_app
from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.communication.models import Notification
from lms.extensions import limiter
from lms.school.models import ClassCode, ClassroomMembership, StudentProfile, StudentRegistration
from tests.conftest import make_test_config

PASSWORD = "a-long-enough-password"


def turn_on(client, classroom, days=7):
    return client.post(f"/classrooms/{classroom.id}/class-code", data={"days": str(days)})


def current_code(db, classroom) -> str | None:
    return db.scalar(select(ClassCode.code).where(ClassCode.classroom_id == classroom.id))


def join(client, code, full_name="New Kid", **extra):
    data = {"full_name": full_name, "password": PASSWORD, "confirm": PASSWORD, **extra}
    return client.post(f"/join/{code}", data=data)


def username_of(db, full_name="New Kid") -> str:
    return db.scalar(select(User.username).where(User.full_name == full_name))


@pytest.fixture
def classroom(make):
    make.school()
    return make.classroom("P4/1")


@pytest.fixture
def teacher(make, classroom):
    return make.teacher(classroom, full_name="Khru Somsri")


def test_teacher_turns_it_on_sees_the_code_and_link_and_can_turn_it_off(client, auth, db, classroom, teacher):
    auth.login(teacher)
    page = client.get(f"/classrooms/{classroom.id}").get_data(as_text=True)
    assert "Self-registration" in page and "Off." in page
    assert turn_on(client, classroom, days=3).status_code in (302, 303)
    code = current_code(db, classroom)
    assert len(code) == 8 and not set(code) & set("0O1I")
    page = client.get(f"/classrooms/{classroom.id}").get_data(as_text=True)
    assert code in page and f"/join/{code}" in page
    sheet = client.get(f"/classrooms/{classroom.id}/class-code/print").get_data(as_text=True)
    assert code in sheet and f"http://localhost/join/{code}" in sheet
    expires = db.scalar(select(ClassCode.expires_at))
    created = db.scalar(select(ClassCode.created_at))
    assert timedelta(days=2, hours=23) < expires - created <= timedelta(days=3, minutes=1)
    client.post(f"/classrooms/{classroom.id}/class-code/off")
    assert current_code(db, classroom) is None
    assert client.get(f"/join/{code}").status_code == 404
    actions = db.scalars(select(AuditLog.action).where(AuditLog.action.like("class_code.%")).order_by(AuditLog.id))
    assert actions == ["class_code.enable", "class_code.disable"]


def test_days_out_of_range_store_nothing(client, auth, db, classroom, teacher):
    auth.login(teacher)
    for days in ("0", "31", "x", ""):
        client.post(f"/classrooms/{classroom.id}/class-code", data={"days": days})
    assert db.count(ClassCode) == 0


def test_other_teacher_gets_404_and_student_403(client, auth, make, db, classroom, teacher):
    other = make.teacher(make.classroom("P4/2"))
    auth.login(other)
    assert turn_on(client, classroom).status_code == 404
    assert client.post(f"/classrooms/{classroom.id}/class-code/off").status_code == 404
    auth.logout()
    student = make.user(role="STUDENT")
    auth.login(student)
    assert turn_on(client, classroom).status_code == 403
    assert db.count(ClassCode) == 0


def test_admin_may_turn_it_on(client, as_role, db, classroom):
    as_role("ADMIN")
    turn_on(client, classroom)
    assert current_code(db, classroom)


def test_join_happy_path_ends_pending_and_cannot_sign_in(client, auth, db, app, classroom, teacher, make):
    auth.login(teacher)
    turn_on(client, classroom)
    code = current_code(db, classroom)
    auth.logout()
    page = client.get(f"/join/{code.lower()}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "P4/1" in text and 'name="username"' not in text and 'name="email"' not in text
    response = join(client, code)
    assert response.status_code == 200
    user = db.scalar(select(User).where(User.full_name == "New Kid"))
    waiting = response.get_data(as_text=True)
    assert "Waiting for your teacher" in waiting and f'id="join-username">{user.username}<' in waiting
    assert user.active is False and user.role == "STUDENT"
    number = db.scalar(select(StudentProfile.student_number).where(StudentProfile.user_id == user.id))
    assert number and user.username == number.lower()  # made by the server from the student number
    assert db.count(StudentRegistration) == 1
    assert db.count(ClassroomMembership, ClassroomMembership.student_id == user.id) == 0
    # The teacher is told.
    assert db.count(Notification, Notification.user_id == teacher.id, Notification.kind == "student_registered") == 1
    # Signing in is refused with the reason, after the correct password only.
    refused = client.post("/auth/login", data={"login": user.username, "password": PASSWORD})
    assert refused.status_code == 200  # the form again, not signed in
    assert "not approved your registration yet" in refused.get_data(as_text=True)
    wrong = client.post("/auth/login", data={"login": user.username, "password": "wrong-password-x"})
    assert "not approved" not in wrong.get_data(as_text=True)
    # An administrator re-activating the account does not skip the teacher's approval.
    with app.app_context():
        from lms.extensions import db as _db

        _db.session.execute(update(User).where(User.id == user.id).values(active=True))
        _db.session.commit()
    refused = client.post("/auth/login", data={"login": user.username, "password": PASSWORD})
    assert "not approved your registration yet" in refused.get_data(as_text=True)
    # Nothing visible: pages and the API.
    assert client.get("/", follow_redirects=False).status_code in (302, 303)
    token = client.post("/api/v1/auth/token", json={"login": user.username, "password": PASSWORD})
    assert token.status_code in (401, 403, 422)
    assert "token" not in (token.get_json() or {}) or not token.get_json().get("token")
    auth.login(teacher)
    notifications = client.get("/notifications").get_data(as_text=True)
    assert "New Kid asked to join P4/1 with the class code" in notifications


def test_teacher_approves_one_and_all_placing_them_in_the_classroom(client, auth, db, classroom, teacher, make):
    auth.login(teacher)
    turn_on(client, classroom)
    code = current_code(db, classroom)
    auth.logout()
    for name in ("Kid One", "Kid Two", "Kid Three"):
        join(client, code, full_name=name)
    auth.login(teacher)
    page = client.get(f"/classrooms/{classroom.id}").get_data(as_text=True)
    assert "3 waiting" in page and "Kid Two" in page
    one = db.scalar(select(User.id).where(User.full_name == "Kid One"))
    client.post(f"/classrooms/{classroom.id}/registrations/{one}/approve")
    assert db.count(StudentRegistration) == 2
    client.post(f"/classrooms/{classroom.id}/registrations/approve-all")
    assert db.count(StudentRegistration) == 0
    memberships = db.scalars(select(ClassroomMembership).where(ClassroomMembership.classroom_id == classroom.id))
    assert len(memberships) == 3 and all(m.academic_year == "2026" and m.status == "ACTIVE" for m in memberships)
    assert db.count(AuditLog, AuditLog.action == "class_code.approve") == 3
    auth.logout()
    auth.login(username_of(db, "Kid One"), PASSWORD)
    assert client.get("/").status_code == 200


def test_reject_deletes_the_pending_account(client, auth, db, classroom, teacher):
    auth.login(teacher)
    turn_on(client, classroom)
    code = current_code(db, classroom)
    auth.logout()
    join(client, code)
    client.post("/auth/login", data={"login": username_of(db), "password": PASSWORD})  # a refused attempt is recorded
    auth.login(teacher)
    user_id = db.scalar(select(User.id).where(User.full_name == "New Kid"))
    client.post(f"/classrooms/{classroom.id}/registrations/{user_id}/reject")
    assert db.get(User, user_id) is None and db.count(StudentRegistration) == 0
    assert db.count(AuditLog, AuditLog.action == "class_code.reject") == 1
    # Handled twice or by another teacher: 404.
    assert client.post(f"/classrooms/{classroom.id}/registrations/{user_id}/approve").status_code == 404


def test_expired_regenerated_and_wrong_codes_are_refused_and_store_nothing(client, auth, db, app, classroom, teacher):
    auth.login(teacher)
    turn_on(client, classroom)
    old = current_code(db, classroom)
    turn_on(client, classroom)
    new = current_code(db, classroom)
    assert new != old
    auth.logout()
    for code in (old, "ZZZZZZZZ", "x" * 300, "%00"):
        response = join(client, code)
        assert response.status_code in (400, 404)
        assert "P4/1" not in response.get_data(as_text=True)
    with app.app_context():
        from lms.common.types import utcnow
        from lms.extensions import db as _db

        _db.session.execute(update(ClassCode).values(expires_at=utcnow() - timedelta(minutes=1)))
        _db.session.commit()
    assert join(client, new).status_code == 404
    assert db.count(User, User.role == "STUDENT") == 0


def test_bad_input_is_a_field_error_and_stores_nothing(client, auth, db, make, classroom, teacher):
    auth.login(teacher)
    turn_on(client, classroom)
    code = current_code(db, classroom)
    auth.logout()
    before = db.count(User)
    assert "at least 10" in join(client, code, password="short", confirm="short").get_data(as_text=True)
    assert "differ" in join(client, code, confirm="something-else-entirely").get_data(as_text=True)
    assert join(client, code, full_name="").status_code == 200
    htmx = client.post(f"/join/{code}", data={"full_name": "", "password": PASSWORD, "confirm": PASSWORD},
                       headers={"HX-Request": "true"})
    assert htmx.status_code == 422
    assert db.count(User) == before and db.count(StudentRegistration) == 0


def test_the_join_form_does_not_tell_whether_a_username_or_email_has_an_account(client, auth, db, make,
                                                                                 classroom, teacher):
    """Before: the form took a username (and an email) and answered "already taken" for existing
    accounts; now the server makes the username and posted ones are ignored."""
    existing = make.user(role="STUDENT", username="taken.name", email="someone@example.org")
    auth.login(teacher)
    turn_on(client, classroom)
    code = current_code(db, classroom)
    auth.logout()
    taken = join(client, code, full_name="Kid Taken", username="taken.name", email="someone@example.org")
    free = join(client, code, full_name="Kid Free", username="free.name", email="nobody@example.org")
    assert taken.status_code == free.status_code == 200
    for response in (taken, free):
        text = response.get_data(as_text=True)
        assert "Waiting for your teacher" in text and "already" not in text
    for name in ("Kid Taken", "Kid Free"):
        user = db.scalar(select(User).where(User.full_name == name))
        assert user.username not in ("taken.name", "free.name") and user.email is None
    assert db.get(User, existing.id).username == "taken.name"


@pytest.fixture
def limited_app(app, database_url, redis_url):
    limited = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True,
                                          JOIN_LIMIT_PER_CODE="2 per hour", JOIN_LIMIT_PER_IP="100 per hour"))
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
    limiter.init_app(app)


def test_registrations_are_rate_limited_per_code(limited_app, make, db, classroom, teacher):
    client = limited_app.test_client()
    client.post("/auth/login", data={"login": teacher.sign_in_name, "password": "correct-horse-battery"})
    turn_on(client, classroom)
    code = current_code(db, classroom)
    client.post("/auth/logout")
    assert join(client, code, full_name="Kid A").status_code == 200
    assert join(client, code, full_name="Kid B").status_code == 200
    limited = join(client, code, full_name="Kid C")
    assert limited.status_code == 429
    assert db.count(StudentRegistration) == 2


def test_the_join_page_is_rate_limited_per_address(app, database_url, redis_url, make, db, classroom):
    limited_app = create_app(make_test_config(database_url, redis_url, RATELIMIT_ENABLED=True,
                                              JOIN_LIMIT_PER_IP="3 per hour"))
    try:
        with limited_app.app_context():
            limiter.reset()
        client = limited_app.test_client()
        statuses = [client.get("/join/ABCDEFGH").status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
    finally:
        with limited_app.app_context():
            limiter.reset()
        limiter.init_app(app)


def test_a_student_number_taken_at_the_same_moment_takes_the_next_one(client, auth, db, make, classroom, teacher,
                                                                       monkeypatch):
    auth.login(teacher)
    turn_on(client, classroom)
    code = current_code(db, classroom)
    auth.logout()
    join(client, code, full_name="First Kid")
    first = db.scalar(select(StudentProfile.student_number).join(User, User.id == StudentProfile.user_id)
                      .where(User.full_name == "First Kid"))
    from lms.school import class_codes

    real = class_codes.next_student_numbers
    answers = iter([[first]])  # the first try races with the first registration's number
    monkeypatch.setattr(class_codes, "next_student_numbers", lambda n: next(answers, None) or real(n))
    monkeypatch.setattr(class_codes, "username_from_number", lambda number: number.lower() + "-x")
    response = join(client, code, full_name="Second Kid")
    assert response.status_code == 200 and "Waiting for your teacher" in response.get_data(as_text=True)
    assert db.count(StudentRegistration) == 2
