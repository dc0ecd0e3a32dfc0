"""Seed 004's attendance and student-management endpoints of the JSON API (issue 18.9): a session's
meetings and marks, its students (add, remove), one student's own work — with the API's envelope,
validation and access rules."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.common.ids import ID_MAX
from lms.common.types import utcnow
from lms.teaching.models import EXERCISE_MAX, CourseSessionAttendance, CourseSessionEnrollment
from tests.api_helpers import headers_for
from tests.assessment_fixtures import build_course
from tests.conftest import AuthActions

API = "/api/v1/teacher/sessions"


@pytest.fixture
def c(client, make):
    """A tutor's session (attendance on) with two students of P1/1 and a meeting yesterday, where the first
    was LATE; a published assessment in the bank; the tutor's token."""
    c = build_course(make)
    c.second = make.student("P1/1", email="second@example.org")
    c.session = make.course_session(c.teacher, c.subject, name="Olympiad club", attendance_tracking_enabled=True)
    c.enrollment = make.enrollment(c.session, c.student)
    c.second_enrollment = make.enrollment(c.session, c.second)
    c.quiz = make.assessment(c.other_teacher, title="Olympiad warm-up", publish=True)
    c.meeting = make.meeting(c.session, starts_at=utcnow() - timedelta(days=1))
    make.attendance(c.meeting, c.student, "LATE")
    c.th = headers_for(client, c.teacher)
    c.sheet = f"{API}/{c.session.id}/meetings/{c.meeting.id}/attendance"
    return c


def _error(response, status, code, field=None):
    assert response.status_code == status, response.json
    body = response.json
    assert body["success"] is False and body["statusCode"] == status and body["errorCode"] == code
    if field:
        assert body["details"]["field"] == field, body
    return body


def _marks(db, meeting):
    return {row.student_id: row.status for row in db.scalars(
        select(CourseSessionAttendance).where(CourseSessionAttendance.meeting_id == meeting.id))}


# --- meetings and attendance ---------------------------------------------------------------------------


def test_the_tutor_lists_meetings_and_reads_a_meetings_marks(client, c):
    meetings = client.get(f"{API}/{c.session.id}/meetings", headers=c.th)
    assert meetings.status_code == 200 and meetings.json["pagination"]["total"] == 1
    assert meetings.json["data"][0]["meeting_id"] == c.meeting.id
    assert meetings.json["data"][0]["starts_at"].endswith("Z")

    sheet = client.get(c.sheet, headers=c.th).json["data"]
    by_student = {m["student_id"]: m for m in sheet["marks"]}
    assert sheet["meeting"]["meeting_id"] == c.meeting.id
    assert by_student[c.student.id]["status"] == "LATE" and by_student[c.student.id]["source"] == "TEACHER"
    assert by_student[c.second.id]["status"] is None  # enrolled, not marked yet


def test_marking_several_students_at_once_and_again_changes_nothing_more(client, c, db):
    body = {"marks": [{"student_id": c.student.id, "status": "PRESENT"},
                      {"student_id": c.second.id, "status": "EXCUSED"}]}
    first = client.put(c.sheet, headers=c.th, json=body)
    assert first.status_code == 200, first.json
    assert {m["student_id"]: m["status"] for m in first.json["data"]["marks"]} == {
        c.student.id: "PRESENT", c.second.id: "EXCUSED"}
    again = client.put(c.sheet, headers=c.th, json=body)
    assert again.status_code == 200
    assert _marks(db, c.meeting) == {c.student.id: "PRESENT", c.second.id: "EXCUSED"}
    assert db.count(CourseSessionAttendance) == 2


def test_sending_the_same_marks_again_writes_nothing_and_audits_nothing(client, c, db):
    """An unchanged mark is a no-op: its time stays, no audit entry; a changed one among them is saved."""
    body = {"marks": [{"student_id": c.student.id, "status": "PRESENT"},
                      {"student_id": c.second.id, "status": "EXCUSED"}]}
    assert client.put(c.sheet, headers=c.th, json=body).status_code == 200
    audits = db.count(AuditLog, AuditLog.action == "course_session.attendance")
    times = {row.student_id: row.marked_at for row in db.scalars(select(CourseSessionAttendance))}
    assert audits == 2

    body["marks"][1]["status"] = "ABSENT"
    again = client.put(c.sheet, headers=c.th, json=body)
    assert again.status_code == 200
    after = {m["student_id"]: m for m in again.json["data"]["marks"]}
    assert after[c.second.id]["status"] == "ABSENT"
    assert db.count(AuditLog, AuditLog.action == "course_session.attendance") == 3  # only the changed one
    rows = {row.student_id: row for row in db.scalars(select(CourseSessionAttendance))}
    assert rows[c.student.id].marked_at == times[c.student.id]


def test_the_meeting_page_marking_the_same_status_again_changes_nothing(client, c, db):
    AuthActions(client).login(c.teacher)
    url = f"/sessions/{c.session.id}/meetings/{c.meeting.id}/mark"
    before = db.scalar(select(CourseSessionAttendance.marked_at).where(
        CourseSessionAttendance.student_id == c.student.id))
    same = client.post(url, data={"student_id": c.student.id, "status": "LATE"}, headers={"HX-Request": "true"})
    assert same.status_code == 200
    assert db.count(AuditLog, AuditLog.action == "course_session.attendance") == 0
    assert db.scalar(select(CourseSessionAttendance.marked_at).where(
        CourseSessionAttendance.student_id == c.student.id)) == before


@pytest.mark.parametrize("bad_entry, status, code", [
    (lambda c: {"student_id": 10**6, "status": "ABSENT"}, 404, "ENROLLMENT_NOT_FOUND"),  # not in the session
    (lambda c: {"student_id": 10**30, "status": "ABSENT"}, 404, "ENROLLMENT_NOT_FOUND"),  # beyond any id: no 500
    (lambda c: {"student_id": str(c.second.id), "status": "ABSENT"}, 400, "VALIDATION_ERROR"),  # not an integer
    (lambda c: {"student_id": {"id": c.second.id}, "status": "ABSENT"}, 404, "ENROLLMENT_NOT_FOUND"),
    (lambda c: {"student_id": c.second.id, "status": "ASLEEP"}, 400, "VALIDATION_ERROR"),
    (lambda c: {"student_id": c.second.id, "status": "absent"}, 400, "VALIDATION_ERROR"),  # spelled exactly
    (lambda c: {"student_id": c.second.id, "status": "ABSENT", "reason": "ill"}, 400, "VALIDATION_ERROR"),
    (lambda c: {"student_id": c.student.id, "status": "ABSENT"}, 400, "VALIDATION_ERROR"),  # the same student twice
    (lambda c: "ABSENT", 400, "VALIDATION_ERROR"),
])
def test_one_bad_entry_saves_no_mark_at_all(client, c, db, bad_entry, status, code):
    body = {"marks": [{"student_id": c.student.id, "status": "PRESENT"}, bad_entry(c)]}
    _error(client.put(c.sheet, headers=c.th, json=body), status, code)
    assert _marks(db, c.meeting) == {c.student.id: "LATE"}  # the first (good) entry was not kept either


@pytest.mark.parametrize("body, field", [
    ({}, "marks"),
    ({"marks": []}, "marks"),
    ({"marks": "PRESENT"}, "marks"),
    ({"marks": [{"student_id": 1, "status": "PRESENT"}] * 201}, "marks"),
    ({"marks": [], "meeting": 1}, "meeting"),
])
def test_the_marks_body_is_validated(client, c, body, field):
    _error(client.put(c.sheet, headers=c.th, json=body), 400, "VALIDATION_ERROR", field)


def test_nul_bytes_and_deep_json_are_refused_cleanly(client, c, db):
    nul = client.put(c.sheet, headers=c.th, json={"marks": [{"student_id": c.second.id, "status": "PRE\x00SENT"}]})
    assert nul.status_code == 400 and nul.json["errorCode"] == "INVALID_CHARACTERS"
    deep = '{"marks": ' + "[" * 200 + "]" * 200 + "}"
    response = client.put(c.sheet, headers={**c.th, "Content-Type": "application/json"}, data=deep)
    assert response.status_code == 400 and response.json["success"] is False
    assert _marks(db, c.meeting) == {c.student.id: "LATE"}


def test_marking_needs_attendance_tracking(client, make, c):
    off = make.course_session(c.teacher, name="No tracking")
    make.enrollment(off, c.student)
    meeting = make.meeting(off)
    response = client.put(f"{API}/{off.id}/meetings/{meeting.id}/attendance", headers=c.th,
                          json={"marks": [{"student_id": c.student.id, "status": "PRESENT"}]})
    _error(response, 422, "ATTENDANCE_DISABLED")


def test_only_the_sessions_teacher_and_admins_see_or_mark_attendance(client, make, c):
    mark = {"marks": [{"student_id": c.second.id, "status": "ABSENT"}]}
    for outsider in (c.student, c.other_teacher):
        headers = headers_for(client, outsider)
        _error(client.get(c.sheet, headers=headers), 403, "FORBIDDEN")
        _error(client.put(c.sheet, headers=headers, json=mark), 403, "FORBIDDEN")
        _error(client.get(f"{API}/{c.session.id}/meetings", headers=headers), 403, "FORBIDDEN")
    admin = headers_for(client, make.user(role="ADMIN"))
    assert client.put(c.sheet, headers=admin, json=mark).status_code == 200
    assert client.get(c.sheet).status_code == 401  # no token (cookies never authenticate the API)
    _error(client.get(f"{API}/{ID_MAX + 1}/meetings/1/attendance", headers=c.th), 404, "SESSION_NOT_FOUND")
    other = make.course_session(c.teacher, name="Another of mine")
    elsewhere = make.meeting(other)
    _error(client.get(f"{API}/{c.session.id}/meetings/{elsewhere.id}/attendance", headers=c.th), 404,
           "MEETING_NOT_FOUND")


# --- students ----------------------------------------------------------------------------------------


def test_the_tutor_lists_students_with_their_work(client, c):
    client.patch(f"{API}/{c.session.id}/students/{c.student.id}/work", headers=c.th,
                 json={"assessment_id": c.quiz.id, "exercise_content": "Three sums"})
    response = client.get(f"{API}/{c.session.id}/students?limit=1", headers=c.th)
    assert response.status_code == 200, response.json
    assert response.json["pagination"] == {"page": 1, "limit": 1, "total": 2, "totalPages": 2, "hasNext": True,
                                           "hasPrev": False}
    everyone = client.get(f"{API}/{c.session.id}/students", headers=c.th).json["data"]
    row = next(s for s in everyone if s["student_id"] == c.student.id)
    assert row["assigned_assessment_id"] == c.quiz.id and row["exercise_content"] == "Three sums"
    assert row["work_result"]["title"] == "Olympiad warm-up"
    _error(client.get(f"{API}/{c.session.id}/students?status=GONE", headers=c.th), 400, "VALIDATION_ERROR")
    _error(client.get(f"{API}/{c.session.id}/students?sort=name", headers=c.th), 400, "VALIDATION_ERROR")


def test_adding_a_student_by_email_number_or_id(client, make, c, db):
    url = f"{API}/{c.session.id}/students"
    by_email = make.student("P1/1", email="third@example.org")
    added = client.post(url, headers=c.th, json={"student": " THIRD@example.org "})
    assert added.status_code == 201, added.json
    assert added.json["data"]["student_id"] == by_email.id and added.json["data"]["enrollment_status"] == "ENROLLED"
    _error(client.post(url, headers=c.th, json={"student": "third@example.org"}), 409, "ALREADY_ENROLLED")

    by_id = make.student("P1/1")
    assert client.post(url, headers=c.th, json={"student_id": by_id.id}).status_code == 201
    by_number = make.student("P1/1", number="S-4242")
    assert client.post(url, headers=c.th, json={"student": "s-4242"}).status_code == 201
    assert db.count(CourseSessionEnrollment, CourseSessionEnrollment.student_id == by_number.id) == 1


@pytest.mark.parametrize("body, field", [
    ({}, "student"),
    ({"student": "   "}, "student"),
    ({"student": "nobody@example.org"}, "student"),
    ({"student_id": ID_MAX}, "student"),
    ({"student_id": "12"}, "student_id"),
    ({"student": "a@example.org", "student_id": 3}, "student"),
    ({"student": "a@example.org", "role": "ADMIN"}, "role"),
    ({"student": {"email": "a@example.org"}}, "student"),
])
def test_adding_a_student_refuses_bad_bodies(client, c, body, field):
    _error(client.post(f"{API}/{c.session.id}/students", headers=c.th, json=body), 400, "VALIDATION_ERROR", field)


def test_a_teacher_cannot_add_a_student_they_cannot_see(client, c, db):
    response = client.post(f"{API}/{c.session.id}/students", headers=c.th, json={"student_id": c.other_student.id})
    _error(response, 400, "VALIDATION_ERROR", "student")
    assert db.count(CourseSessionEnrollment, CourseSessionEnrollment.student_id == c.other_student.id) == 0


def test_removing_a_student_is_idempotent_and_rejects_a_pending_request(client, make, c, db):
    url = f"{API}/{c.session.id}/students/{c.second.id}"
    assert client.delete(url, headers=c.th).status_code == 204
    assert db.get(CourseSessionEnrollment, c.second_enrollment.id).enrollment_status == "EXPELLED"
    assert client.delete(url, headers=c.th).status_code == 204  # already out: nothing changes
    assert db.get(CourseSessionEnrollment, c.second_enrollment.id).enrollment_status == "EXPELLED"

    pending = make.student("P1/1")
    make.enrollment(c.session, pending, status="PENDING")
    assert client.delete(f"{API}/{c.session.id}/students/{pending.id}", headers=c.th).status_code == 204
    assert db.scalar(select(CourseSessionEnrollment.enrollment_status).where(
        CourseSessionEnrollment.student_id == pending.id)) == "DROPPED"

    done = make.student("P1/1")
    make.enrollment(c.session, done, status="COMPLETED")
    _error(client.delete(f"{API}/{c.session.id}/students/{done.id}", headers=c.th), 422, "INVALID_STATUS_TRANSITION")
    _error(client.delete(f"{API}/{c.session.id}/students/{c.other_student.id}", headers=c.th), 404,
           "ENROLLMENT_NOT_FOUND")
    _error(client.delete(f"{API}/{c.session.id}/students/{ID_MAX + 1}", headers=c.th), 404, "NOT_FOUND")


def test_students_and_other_teachers_cannot_manage_students(client, c, db):
    for outsider in (c.student, c.other_teacher):
        headers = headers_for(client, outsider)
        _error(client.get(f"{API}/{c.session.id}/students", headers=headers), 403, "FORBIDDEN")
        _error(client.post(f"{API}/{c.session.id}/students", headers=headers, json={"student": "x@example.org"}),
               403, "FORBIDDEN")
        _error(client.delete(f"{API}/{c.session.id}/students/{c.second.id}", headers=headers), 403, "FORBIDDEN")
        _error(client.patch(f"{API}/{c.session.id}/students/{c.second.id}/work", headers=headers,
                            json={"exercise_content": "x"}), 403, "FORBIDDEN")
    assert db.get(CourseSessionEnrollment, c.second_enrollment.id).enrollment_status == "ENROLLED"


# --- per-student work --------------------------------------------------------------------------------------


def test_assigning_work_to_one_student(client, c, db):
    url = f"{API}/{c.session.id}/students/{c.student.id}/work"
    given = client.patch(url, headers=c.th, json={"assessment_id": c.quiz.id, "exercise_content": "Try **three**."})
    assert given.status_code == 200, given.json
    assert given.json["data"]["assigned_assessment_id"] == c.quiz.id
    assert given.json["data"]["work_assigned_at"].endswith("Z")
    # A key left out is unchanged; null takes it back.
    kept = client.patch(url, headers=c.th, json={"exercise_content": "Four sums"}).json["data"]
    assert kept["assigned_assessment_id"] == c.quiz.id and kept["exercise_content"] == "Four sums"
    cleared = client.patch(url, headers=c.th, json={"assessment_id": None, "exercise_content": None}).json["data"]
    assert cleared["assigned_assessment_id"] is None and cleared["exercise_content"] is None
    row = db.get(CourseSessionEnrollment, c.second_enrollment.id)
    assert row.assigned_assessment_id is None  # the other student got nothing


@pytest.mark.parametrize("body, status, field", [
    ({"assessment_id": 10**6}, 400, "assessment_id"),
    ({"assessment_id": 10**30}, 400, "assessment_id"),
    ({"assessment_id": "1"}, 400, "assessment_id"),
    ({"exercise_content": "x" * (EXERCISE_MAX + 1)}, 400, "exercise_content"),
    ({"exercise_content": ["a"]}, 400, "exercise_content"),
    ({"exercise_content": "ok", "notes": "x"}, 400, "notes"),
])
def test_assigning_work_refuses_bad_bodies(client, c, db, body, status, field):
    response = client.patch(f"{API}/{c.session.id}/students/{c.student.id}/work", headers=c.th, json=body)
    _error(response, status, "VALIDATION_ERROR", field)
    assert db.get(CourseSessionEnrollment, c.enrollment.id).exercise_content is None


def test_work_with_a_nul_byte_or_for_a_student_who_left_is_refused(client, make, c):
    url = f"{API}/{c.session.id}/students/{c.student.id}/work"
    nul = client.patch(url, headers=c.th, json={"exercise_content": "a\x00b"})
    assert nul.status_code == 400 and nul.json["errorCode"] == "INVALID_CHARACTERS"
    gone = make.student("P1/1")
    make.enrollment(c.session, gone, status="DROPPED")
    _error(client.patch(f"{API}/{c.session.id}/students/{gone.id}/work", headers=c.th,
                        json={"exercise_content": "x"}), 422, "ENROLLMENT_NOT_ACTIVE")


def test_every_new_operation_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/teacher/sessions/{sessionId}/meetings/{meetingId}/attendance"]) == {"get", "put"}
    assert set(paths["/teacher/sessions/{sessionId}/students"]) == {"get", "post"}
    assert set(paths["/teacher/sessions/{sessionId}/students/{studentId}"]) == {"delete"}
    assert set(paths["/teacher/sessions/{sessionId}/students/{studentId}/work"]) == {"patch"}
    assert "get" in paths["/teacher/sessions/{sessionId}/meetings"]
