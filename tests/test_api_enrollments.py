"""Joining by code, enrollment status and grades, and the student endpoints of the API."""

from datetime import timedelta

import pytest

from lms.common.types import utcnow
from lms.communication.models import Notification
from lms.teaching.models import CourseSessionEnrollment
from tests.api_helpers import headers_for


@pytest.fixture
def world(client, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    course_session = make.course_session(teacher, subject, code="MATHSTAR")
    student = make.student("P1/1")
    return {"teacher": teacher, "subject": subject, "session": course_session, "student": student,
            "th": headers_for(client, teacher), "sh": headers_for(client, student)}


def _join(client, headers, code="MATHSTAR"):
    return client.post("/api/v1/student/sessions/join", headers=headers, json={"session_code": code})


def _error(response, status, code, message=None):
    assert response.status_code == status, response.json
    assert response.json["errorCode"] == code
    if message:
        assert response.json["message"] == message


def test_join_accepts_spaces_and_lower_case(client, world):
    response = _join(client, world["sh"], " math-star ")
    assert response.status_code == 201
    data = response.json["data"]
    assert data["course_session_id"] == world["session"].id and data["student_id"] == world["student"].id
    assert data["enrolled_at"].endswith("Z")


@pytest.mark.parametrize("status", ["DRAFT"])
def test_a_drafts_code_is_invalid(client, make, world, status):
    make.course_session(world["teacher"], world["subject"], name="Draft", status=status, code="DRAFTCDE")
    _error(_join(client, world["sh"], "DRAFTCDE"), 409, "INVALID_SESSION_CODE", "Invalid session code")
    _error(_join(client, world["sh"], "NOPE"), 409, "INVALID_SESSION_CODE")
    _error(_join(client, world["sh"], ""), 400, "VALIDATION_ERROR", "Session code is required")


def test_expired_sessions_refuse(client, make, world, db):
    make.course_session(world["teacher"], world["subject"], name="Old", status="EXPIRED", code="EXPRDCDE")
    _error(_join(client, world["sh"], "EXPRDCDE"), 422, "SESSION_EXPIRED", "Session has expired")
    assert db.count(CourseSessionEnrollment) == 0


def test_deadline_and_late_enrollment(client, make, world):
    make.course_session(world["teacher"], world["subject"], name="Late", code="LATECDEX",
                        deadline=utcnow() - timedelta(hours=1))
    _error(_join(client, world["sh"], "LATECDEX"), 400, "ENROLLMENT_DEADLINE_PASSED",
           "Cannot enroll after enrollment deadline")
    make.course_session(world["teacher"], world["subject"], name="Late ok", code="LATEYESX",
                        deadline=utcnow() - timedelta(hours=1), allow_late_enrollment=True)
    assert _join(client, world["sh"], "LATEYESX").status_code == 201


def test_capacity_counts_pending_and_enrolled(client, make, world, db):
    full = make.course_session(world["teacher"], world["subject"], name="Small", code="SMALLCDE", max_students=2)
    make.enrollment(full)
    make.enrollment(full, status="PENDING")
    make.enrollment(full, status="DROPPED")
    _error(_join(client, world["sh"], "SMALLCDE"), 422, "CAPACITY_REACHED", "Maximum student capacity reached")
    assert db.count(CourseSessionEnrollment, CourseSessionEnrollment.student_id == world["student"].id) == 0


def test_approval_makes_it_pending_then_the_teacher_approves(client, make, world, db):
    make.course_session(world["teacher"], world["subject"], name="Approve", code="APPRVCDE",
                        require_approval_for_enrollment=True)
    response = _join(client, world["sh"], "APPRVCDE")
    assert response.status_code == 201 and response.json["data"]["enrollment_status"] == "PENDING"
    enrollment_id = response.json["data"]["course_session_enrollment_id"]
    session_id = response.json["data"]["course_session_id"]
    base = f"/api/v1/teacher/sessions/{session_id}/enrollments/{enrollment_id}"
    _error(client.patch(f"{base}/grade", headers=world["th"], json={"completion_percentage": 10}), 422,
           "ENROLLMENT_NOT_ACTIVE")
    approved = client.patch(f"{base}/status", headers=world["th"], json={"enrollment_status": "ENROLLED"})
    assert approved.status_code == 200 and approved.json["data"]["enrollment_status"] == "ENROLLED"
    assert db.count(Notification, Notification.user_id == world["student"].id,
                    Notification.kind == "enrollment_approved") == 1


def test_rejecting_a_request_drops_it_and_tells_the_student(client, make, world, db):
    enrollment = make.enrollment(world["session"], world["student"], status="PENDING")
    base = f"/api/v1/teacher/sessions/{world['session'].id}/enrollments/{enrollment.id}"
    rejected = client.patch(f"{base}/status", headers=world["th"], json={"enrollment_status": "DROPPED"})
    assert rejected.json["data"]["enrollment_status"] == "DROPPED"
    assert db.count(Notification, Notification.kind == "enrollment_rejected") == 1
    _error(_join(client, world["sh"]), 422, "ENROLLMENT_CLOSED")


@pytest.mark.parametrize("start, wanted, ok", [
    ("PENDING", "ENROLLED", True), ("PENDING", "DROPPED", True), ("PENDING", "COMPLETED", False),
    ("PENDING", "EXPELLED", False), ("ENROLLED", "COMPLETED", True), ("ENROLLED", "DROPPED", True),
    ("ENROLLED", "EXPELLED", True), ("ENROLLED", "PENDING", False), ("COMPLETED", "ENROLLED", False),
    ("DROPPED", "ENROLLED", False), ("EXPELLED", "ENROLLED", False), ("ENROLLED", "ENROLLED", True),
])
def test_enrollment_transitions_are_one_way(client, make, world, db, start, wanted, ok):
    enrollment = make.enrollment(world["session"], status=start)
    response = client.patch(f"/api/v1/teacher/sessions/{world['session'].id}/enrollments/{enrollment.id}/status",
                            headers=world["th"], json={"enrollment_status": wanted})
    if ok:
        assert response.status_code == 200 and response.json["data"]["enrollment_status"] == wanted
    else:
        _error(response, 422, "INVALID_STATUS_TRANSITION",
               f"Enrollment status cannot change from {start} to {wanted}")
        assert db.get(CourseSessionEnrollment, enrollment.id).enrollment_status == start


def test_status_value_and_unknown_enrollment(client, make, world):
    enrollment = make.enrollment(world["session"])
    url = f"/api/v1/teacher/sessions/{world['session'].id}/enrollments"
    _error(client.patch(f"{url}/{enrollment.id}/status", headers=world["th"], json={"enrollment_status": "GONE"}),
           400, "VALIDATION_ERROR")
    _error(client.patch(f"{url}/999999/status", headers=world["th"], json={"enrollment_status": "ENROLLED"}),
           404, "ENROLLMENT_NOT_FOUND", "Session enrollment not found")
    other = make.course_session(world["teacher"], world["subject"], name="Other")
    _error(client.patch(f"/api/v1/teacher/sessions/{other.id}/enrollments/{enrollment.id}/status",
                        headers=world["th"], json={"enrollment_status": "COMPLETED"}), 404, "ENROLLMENT_NOT_FOUND")


@pytest.mark.parametrize("body, field", [
    ({"final_grade": 85}, "completion_percentage"),
    ({"completion_percentage": 101}, "completion_percentage"),
    ({"completion_percentage": -1}, "completion_percentage"),
    ({"completion_percentage": 50, "final_grade": 120}, "final_grade"),
    ({"completion_percentage": 50, "final_grade": "A"}, "final_grade"),
])
def test_grade_validation(client, make, world, db, body, field):
    enrollment = make.enrollment(world["session"])
    response = client.patch(f"/api/v1/teacher/sessions/{world['session'].id}/enrollments/{enrollment.id}/grade",
                            headers=world["th"], json=body)
    _error(response, 400, "VALIDATION_ERROR")
    assert response.json["details"]["field"] == field
    stored = db.get(CourseSessionEnrollment, enrollment.id)
    assert stored.final_grade is None and stored.completion_percentage == 0


def test_grades_with_letters_in_the_enrollment_list(client, make, world):
    make.enrollment(world["session"], world["student"])
    client.put(f"/api/v1/teacher/sessions/{world['session'].id}/settings", headers=world["th"], json={
        "reminder_days_before_expiry": 7, "grading_scale": {"A": {"min": 85, "max": 100}, "B": {"min": 75, "max": 84}}})
    rows = client.get(f"/api/v1/teacher/sessions/{world['session'].id}/enrollments", headers=world["th"]).json
    enrollment_id = rows["data"][0]["course_session_enrollment_id"]
    assert rows["pagination"]["limit"] == 20
    graded = client.patch(f"/api/v1/teacher/sessions/{world['session'].id}/enrollments/{enrollment_id}/grade",
                          headers=world["th"], json={"final_grade": 85, "completion_percentage": 90})
    assert graded.status_code == 200
    assert graded.json["data"]["final_grade"] == 85 and graded.json["data"]["letter_grade"] == "A"
    row = client.get(f"/api/v1/teacher/sessions/{world['session'].id}/enrollments?status=ENROLLED",
                     headers=world["th"]).json["data"][0]
    assert row["student"] == {"full_name": world["student"].full_name, "email_address": world["student"].email}
    assert row["letter_grade"] == "A" and row["completion_percentage"] == 90


def test_student_endpoints(client, make, world):
    make.enrollment(world["session"], world["student"])
    mine = client.get("/api/v1/student/sessions", headers=world["sh"]).json
    assert mine["data"][0] == {
        "course_session_id": world["session"].id, "session_name": world["session"].session_name,
        "course_session_status": "PUBLISHED", "enrollment_status": "ENROLLED", "completion_percentage": 0,
        "start_date": mine["data"][0]["start_date"], "end_date": mine["data"][0]["end_date"],
        "mode": "ONLINE", "centre_id": None, "room_id": None}
    assert client.get("/api/v1/student/sessions?status=DROPPED", headers=world["sh"]).json["data"] == []
    assert len(client.get("/api/v1/student/sessions?activeOnly=true", headers=world["sh"]).json["data"]) == 1
    detail = client.get(f"/api/v1/student/sessions/{world['session'].id}", headers=world["sh"]).json["data"]
    assert detail["enrollment"]["enrollment_status"] == "ENROLLED" and "tenant_id" not in detail
    dropped = client.delete(f"/api/v1/student/sessions/{world['session'].id}/enrollment", headers=world["sh"])
    assert dropped.status_code == 200 and dropped.json["data"]["enrollment_status"] == "DROPPED"
    assert dropped.json["message"] == "Successfully dropped from session"
    _error(client.get(f"/api/v1/student/sessions/{world['session'].id}", headers=world["sh"]), 403, "FORBIDDEN",
           "Students can only access enrolled sessions")


def test_dropping_needs_the_setting(client, make, world):
    strict = make.course_session(world["teacher"], world["subject"], name="Strict", allow_student_drop=False)
    make.enrollment(strict, world["student"])
    _error(client.delete(f"/api/v1/student/sessions/{strict.id}/enrollment", headers=world["sh"]), 422,
           "DROP_NOT_ALLOWED")


def test_roles_per_endpoint(client, make, world):
    """Students use only /student, teachers and admins only /teacher, admins /admin (bearer tokens)."""
    admin = headers_for(client, make.user(role="ADMIN"))
    parent = headers_for(client, make.parent_of(world["student"]))
    sid = world["session"].id
    matrix = [
        ("get", "/api/v1/teacher/sessions", {"admin": 200, "teacher": 200, "student": 403, "parent": 403}),
        ("get", f"/api/v1/teacher/sessions/{sid}/settings", {"admin": 200, "teacher": 200, "student": 403,
                                                             "parent": 403}),
        ("get", "/api/v1/student/sessions", {"admin": 403, "teacher": 403, "student": 200, "parent": 403}),
        ("post", "/api/v1/student/sessions/join", {"admin": 403, "teacher": 403, "parent": 403}),
        ("get", "/api/v1/admin/sessions", {"admin": 200, "teacher": 403, "student": 403, "parent": 403}),
        ("get", f"/api/v1/admin/sessions/{sid}/analytics", {"admin": 200, "teacher": 403, "student": 403,
                                                            "parent": 403}),
    ]
    who = {"admin": admin, "teacher": world["th"], "student": world["sh"], "parent": parent}
    for method, url, expected in matrix:
        for role, status in expected.items():
            response = getattr(client, method)(url, headers=who[role], json={})
            assert response.status_code == status, (role, method, url, response.json)
