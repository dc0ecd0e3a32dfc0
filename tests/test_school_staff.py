"""/staff: teachers and admins with their assignments; creating staff accounts."""

import re

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.school.models import TeacherAssignment

HX = {"HX-Request": "true"}


def test_staff_list_shows_assignments(client, as_role, make, count_queries):
    p1 = make.classroom("P1/1")
    make.teacher(p1, full_name="Tess Teacher")
    make.teacher("P2/1", role="SUBJECT", subject_name="Music", full_name="Mo Music")
    make.user(role="STUDENT", full_name="Not Staff")
    as_role("ADMIN", full_name="The Admin")
    page = client.get("/staff").get_data(as_text=True)
    assert "Tess Teacher" in page and "P1/1" in page and "homeroom" in page
    assert "Mo Music" in page and "Music" in page and "The Admin" in page and "Not Staff" not in page
    fragment = client.get("/staff?q=tess", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "Tess Teacher" in fragment and "Mo Music" not in fragment
    with count_queries() as few:
        client.get("/staff")
    for n in range(3, 7):
        make.teacher(f"P{n}/1")
    with count_queries() as many:
        client.get("/staff")
    assert few.count == many.count


def test_admin_creates_a_teacher_and_sees_the_password_once(client, as_role, db):
    as_role("ADMIN")
    response = client.post("/staff/new", data={"full_name": "New Teacher", "email": "new.t@example.org",
                                               "role": "TEACHER"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    password = re.search(r'class="one-time-password">([^<]+)<', body).group(1)
    teacher = db.scalar(select(User).where(User.email == "new.t@example.org"))
    assert teacher.role == "TEACHER" and teacher.check_password(password)
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "staff.create"))
    assert password not in str(entry.details)
    assert password not in client.get("/staff").get_data(as_text=True)
    duplicate = client.post("/staff/new", data={"full_name": "Again", "email": "NEW.T@example.org",
                                                "role": "TEACHER"}, headers=HX)
    assert duplicate.status_code == 422 and "already an account" in duplicate.get_data(as_text=True)
    assert db.count(User, User.email == "new.t@example.org") == 1


def test_admin_assigns_a_teacher_from_the_staff_page(client, as_role, make, db):
    room = make.classroom("P3/2")
    teacher = make.teacher()
    as_role("ADMIN")
    response = client.post(f"/staff/{teacher.id}/assignments", data={"classroom_id": room.id, "role": "SUBJECT",
                                                                     "subject_name": "English"})
    assert response.status_code == 303
    page = client.get(f"/staff/{teacher.id}").get_data(as_text=True)
    assert "P3/2" in page and "English" in page
    assignment_id = db.scalar(select(TeacherAssignment.id))
    client.post(f"/staff/{teacher.id}/assignments/{assignment_id}/delete")
    assert db.count(TeacherAssignment) == 0
    bad = client.post(f"/staff/{teacher.id}/assignments", data={"classroom_id": "999", "role": "SUBJECT"},
                      headers=HX)
    assert bad.status_code == 422


def test_staff_pages_are_for_admins_only(client, as_role, make):
    teacher = make.teacher()
    as_role("TEACHER")
    assert client.get("/staff").status_code == 403
    assert client.get(f"/staff/{teacher.id}").status_code == 403
    assert client.post("/staff/new", data={"full_name": "X", "email": "x@example.org"}).status_code == 403


def test_students_are_not_staff_pages(client, as_role, make):
    student = make.student()
    as_role("ADMIN")
    assert client.get(f"/staff/{student.id}").status_code == 404


def test_staff_and_student_emails_are_checked_like_every_other_address(app, make, db):
    """Empty, malformed and over-long addresses are refused with the reason; nothing is stored."""
    import pytest

    from lms.common.errors import ValidationFailed
    from lms.extensions import db as sa_db
    from lms.school.people import create_staff_member, create_student

    admin = make.user(role="ADMIN")
    before = db.count(User)
    cases = [("", "Enter an email address."), ("nope", "is not a valid email address"),
             ("a" * 250 + "@example.org", "")]
    with app.test_request_context():
        actor = sa_db.session.get(User, admin.id)
        for email, reason in cases:
            creators = [lambda e: create_staff_member(actor, "New Person", e)]
            if email:  # a student may have no email (they sign in with a username)
                creators.append(lambda e: create_student(actor, "New Person", e, None))
            for create in creators:
                with pytest.raises(ValidationFailed) as err:
                    create(email)
                assert err.value.field == "email" and reason in err.value.message
                sa_db.session.rollback()
    assert db.count(User) == before
