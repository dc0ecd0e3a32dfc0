"""Teaching sessions' acceptance through the JSON API, with the demo data."""

from datetime import timedelta

from sqlalchemy import select

from lms.common.types import utcnow
from lms.demo import DEMO_PASSWORD
from lms.teaching.models import CourseSession, CourseSessionEnrollment
from tests.api_helpers import api_token, bearer, iso


def _math_p1(db):
    from lms.curriculum.models import Subject

    return db.scalar(select(Subject.id).where(Subject.name == "Mathematics P1"))


def test_the_acceptance_flow_through_the_api(client, demo, db):
    teacher = bearer(api_token(client, "teacher@example.org", DEMO_PASSWORD))
    start = utcnow() + timedelta(days=1)
    new_session = {
        "session_name": "Spring 2026 - Mathematics", "session_description": "Tens and ones",
        "teacher_id": demo["teacher@example.org"], "course_id": _math_p1(db), "course_session_status": "DRAFT",
        "start_date": iso(start), "end_date": iso(start + timedelta(days=60)), "max_students": 30,
        "session_timezone": "Asia/Bangkok", "auto_expire_enabled": True}
    # One active session per teacher and course: the demo's running session must end first.
    refused = client.post("/api/v1/teacher/sessions", headers=teacher, json=new_session)
    assert refused.status_code == 409 and refused.json["errorCode"] == "ACTIVE_SESSION_EXISTS"
    running = client.get(f"/api/v1/teacher/sessions?courseId={_math_p1(db)}&status=PUBLISHED",
                         headers=teacher).json["data"]
    assert len(running) == 1
    ended = client.patch(f"/api/v1/teacher/sessions/{running[0]['course_session_id']}", headers=teacher,
                         json={"course_session_status": "EXPIRED"})
    assert ended.status_code == 200 and ended.json["data"]["course_session_status"] == "EXPIRED"
    created = client.post("/api/v1/teacher/sessions", headers=teacher, json=new_session)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["success"] is True and body["message"] == "Course session created successfully"
    data = body["data"]
    code = data["session_code"]
    assert 8 <= len(code) <= 10 and not set(code) & set("01OI")
    assert data["course_session_status"] == "DRAFT" and data["start_date"].endswith("Z")
    assert data["teacher_id"] == demo["teacher@example.org"] and data["is_deleted"] is False
    session_id = data["course_session_id"]

    published = client.patch(f"/api/v1/teacher/sessions/{session_id}/publish", headers=teacher)
    assert published.status_code == 200
    assert published.json["data"]["course_session_status"] == "PUBLISHED"
    assert published.json["message"] == "Course session published successfully"

    student = bearer(api_token(client, "student@example.org", DEMO_PASSWORD))
    joined = client.post("/api/v1/student/sessions/join", headers=student, json={"session_code": code.lower()})
    assert joined.status_code == 201
    assert joined.json["data"]["enrollment_status"] == "ENROLLED"
    assert joined.json["message"] == "Successfully enrolled in session"

    again = client.post("/api/v1/student/sessions/join", headers=student, json={"session_code": code})
    assert again.status_code == 409
    assert again.json == {"success": False, "statusCode": 409, "message": "Student already enrolled in this session",
                          "errorCode": "ALREADY_ENROLLED", "details": {}}

    wrong = client.post("/api/v1/student/sessions/join", headers=student, json={"session_code": "ZZZZZZZZ"})
    assert wrong.status_code == 409
    assert wrong.json["errorCode"] == "INVALID_SESSION_CODE" and wrong.json["message"] == "Invalid session code"

    other = bearer(api_token(client, "student2@example.org", DEMO_PASSWORD))
    denied = client.get(f"/api/v1/student/sessions/{session_id}", headers=other)
    assert denied.status_code == 403
    assert denied.json["message"] == "Students can only access enrolled sessions"
    assert client.get(f"/api/v1/teacher/sessions/{session_id}", headers=other).status_code == 403

    before = db.count(CourseSession)
    backwards = client.post("/api/v1/teacher/sessions", headers=teacher, json={
        "session_name": "Backwards", "course_id": _math_p1(db), "start_date": iso(start),
        "end_date": iso(start - timedelta(hours=1))})
    assert backwards.status_code == 400
    assert backwards.json["errorCode"] == "VALIDATION_ERROR"
    assert backwards.json["message"] == "End date must be after start date"
    assert backwards.json["details"] == {"field": "end_date", "reason": "End date must be after start date"}
    assert db.count(CourseSession) == before

    mine = client.get("/api/v1/student/sessions", headers=student).json
    assert {s["course_session_id"] for s in mine["data"]} >= {session_id}
    assert db.count(CourseSessionEnrollment, CourseSessionEnrollment.course_session_id == session_id) == 1
