"""Deleting a student created by mistake; anyone with work or history is only deactivated."""

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.audit.models import AuditLog
from lms.auth.models import User
from lms.extensions import db as _db
from lms.school.models import ClassroomMembership, ParentLink, StudentProfile

HX = {"HX-Request": "true"}


def test_a_student_without_work_or_history_is_deleted_after_a_confirmation(client, as_role, make, db):
    student = make.student("P1/1", full_name="Mistaken Entry", number="X-1")
    parent = make.parent_of(student, full_name="Parent Stays")
    as_role("ADMIN")
    assert f"/students/{student.id}/delete".encode() in client.get(f"/students/{student.id}").data
    page = client.get(f"/students/{student.id}/delete").get_data(as_text=True)
    assert "Mistaken Entry" in page and student.email in page and "X-1" in page
    assert "the placement in P1/1" in page and "Parent Stays" in page and "hx-confirm" in page
    response = client.post(f"/students/{student.id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/students")
    assert db.get(User, student.id) is None and db.get(StudentProfile, student.id) is None
    assert db.count(ClassroomMembership) == 0 and db.count(ParentLink) == 0
    assert db.get(User, parent.id) is not None
    audit = db.scalar(select(AuditLog).where(AuditLog.action == "student.delete"))
    assert audit.entity_id == student.id and audit.details["student_number"] == "X-1"
    assert audit.details["classroom"] == "P1/1" and audit.details["parents"] == [parent.email]


def test_a_student_with_history_is_only_deactivated(client, as_role, make, db):
    student = make.student("P1/1", full_name="Real Pupil")
    make.login_session(student)
    as_role("ADMIN")
    page = client.get(f"/students/{student.id}/delete").get_data(as_text=True)
    assert "cannot be deleted" in page and "has signed in" in page
    assert f"/admin/users/{student.id}/deactivate" in page
    refused = client.post(f"/students/{student.id}/delete")
    assert refused.status_code == 422 and b"has signed in" in refused.data
    assert db.get(User, student.id) is not None
    assert db.scalar(select(AuditLog).where(AuditLog.action == "student.delete")) is None
    client.post(f"/admin/users/{student.id}/deactivate")
    assert db.get(User, student.id).active is False


def test_an_earlier_classroom_is_history(client, as_role, make, db):
    old = make.classroom("P1/1", academic_year="2025")
    student = make.student(old)
    as_role("ADMIN")
    assert b"has a classroom history" in client.get(f"/students/{student.id}/delete").data
    assert client.post(f"/students/{student.id}/delete").status_code == 422
    assert db.get(User, student.id) is not None


def test_only_admins_delete_students(client, make, db, auth):
    p1 = make.classroom("P1/1")
    student = make.student(p1)
    auth.login(make.teacher(p1))
    assert client.get(f"/students/{student.id}/delete").status_code == 403
    assert client.post(f"/students/{student.id}/delete").status_code == 403
    assert db.get(User, student.id) is not None


def test_unknown_or_non_student_ids_are_not_found(client, as_role, make):
    teacher = make.teacher()
    as_role("ADMIN")
    assert client.post("/students/999999/delete").status_code == 404
    assert client.post(f"/students/{teacher.id}/delete").status_code == 404


@pytest.mark.parametrize("history", ["login_session", "membership"])
def test_the_database_refuses_to_delete_an_account_with_history(app, make, history):
    student = make.student("P1/1")
    if history == "login_session":
        make.login_session(student)
    with app.app_context():
        if history == "login_session":
            _db.session.execute(delete(ClassroomMembership))
        _db.session.execute(delete(StudentProfile))
        with pytest.raises(IntegrityError):
            _db.session.execute(delete(User).where(User.id == student.id))
            _db.session.flush()
        _db.session.rollback()


def test_a_teaching_session_enrollment_blocks_the_delete(client, as_role, make, db):
    student = make.student("P1/1", full_name="Enrolled Pupil")
    make.enrollment(make.course_session(), student)
    as_role("ADMIN")
    refused = client.post(f"/students/{student.id}/delete")
    assert refused.status_code == 422 and b"enrolled in a teaching session" in refused.data
    assert db.get(User, student.id) is not None
