"""``/api/v1/teacher/sessions`` and ``/api/v1/admin/sessions``: the contract's bodies, envelopes, errors."""

from datetime import timedelta

import pytest

from lms.common.types import utcnow
from lms.teaching.models import CourseSession, CourseSessionSettings
from tests.api_helpers import headers_for, iso


@pytest.fixture
def setup(client, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    return {"teacher": teacher, "subject": subject, "h": headers_for(client, teacher)}


def _body(subject, **overrides):
    start = utcnow() + timedelta(days=2)
    body = {"session_name": "Spring - Maths", "course_id": subject.id, "start_date": iso(start),
            "end_date": iso(start + timedelta(days=30))}
    body.update(overrides)
    return body


def _error(response, status, code, message=None):
    assert response.status_code == status, response.json
    assert response.json["success"] is False and response.json["statusCode"] == status
    assert response.json["errorCode"] == code
    if message is not None:
        assert response.json["message"] == message
    return response.json


def test_create_returns_the_seed_fields_and_settings_row(client, db, setup):
    response = client.post("/api/v1/teacher/sessions", headers=setup["h"], json=_body(
        setup["subject"], max_students=30, enrollment_deadline=iso(utcnow() + timedelta(days=3)),
        session_timezone="Asia/Bangkok", auto_expire_enabled=False))
    assert response.status_code == 201
    data = response.json["data"]
    for key in ("course_session_id", "session_name", "session_description", "teacher_id", "course_id",
                "course_session_status", "start_date", "end_date", "max_students", "enrollment_deadline",
                "session_timezone", "session_code", "auto_expire_enabled", "tenant_id", "created_at", "is_active",
                "is_deleted"):
        assert key in data
    assert data["teacher_id"] == setup["teacher"].id and data["auto_expire_enabled"] is False
    assert data["enrollment_deadline"].endswith("Z") and data["max_students"] == 30
    assert db.count(CourseSessionSettings, CourseSessionSettings.course_session_id == data["course_session_id"]) == 1


@pytest.mark.parametrize("overrides, field, message", [
    ({"session_name": "x"}, "session_name", "Session name must be between 2 and 255 characters"),
    ({"session_name": "   "}, "session_name", "Session name must be between 2 and 255 characters"),
    ({"session_name": "y" * 256}, "session_name", "Session name must be between 2 and 255 characters"),
    ({"session_name": 42}, "session_name", "session_name must be a string"),
    ({"start_date": None}, "start_date", "Start date is required"),
    ({"start_date": "next monday"}, "start_date", "Start date must be valid ISO date"),
    ({"end_date": None}, "end_date", "End date is required"),
    ({"start_date": "2020-01-01T09:00:00Z"}, "start_date", "Start date cannot be in the past"),
    ({"max_students": 0}, "max_students", "max_students must be a positive integer (minimum 1)"),
    ({"max_students": 2.5}, "max_students", "max_students must be a positive integer (minimum 1)"),
    ({"course_id": None}, "course_id", "course_id must be a valid course"),
    ({"course_id": 999999}, "course_id", "course_id must be a valid course"),
    ({"course_session_status": "LIVE"}, "course_session_status",
     "course_session_status must be one of DRAFT, PUBLISHED, EXPIRED"),
    ({"course_session_status": "EXPIRED"}, "course_session_status", "A new session starts as DRAFT or PUBLISHED"),
    ({"session_timezone": "Mars/Olympus"}, "session_timezone", "session_timezone must be a valid IANA timezone"),
    ({"auto_expire_enabled": "perhaps"}, "auto_expire_enabled", "auto_expire_enabled must be true or false"),
])
def test_bad_input_is_400_with_the_field_and_stores_nothing(client, db, setup, overrides, field, message):
    body = _error(client.post("/api/v1/teacher/sessions", headers=setup["h"], json=_body(setup["subject"], **overrides)),
                  400, "VALIDATION_ERROR", message)
    assert body["details"] == {"field": field, "reason": message}
    assert db.count(CourseSession) == 0


def test_a_body_that_is_not_a_json_object_is_400(client, setup):
    response = client.post("/api/v1/teacher/sessions", headers=setup["h"], data="[1]",
                           content_type="application/json")
    _error(response, 400, "VALIDATION_ERROR")


def test_a_course_the_teacher_does_not_teach_is_refused(client, make, db, setup):
    other = make.subject("P2", name="Science P2")
    _error(client.post("/api/v1/teacher/sessions", headers=setup["h"], json=_body(other)), 400, "VALIDATION_ERROR",
           "The teacher does not teach this course")


def test_duplicate_name_for_the_same_teacher_and_course_is_409(client, make, db, setup):
    assert client.post("/api/v1/teacher/sessions", headers=setup["h"], json=_body(setup["subject"])).status_code == 201
    body = _error(client.post("/api/v1/teacher/sessions", headers=setup["h"], json=_body(setup["subject"])), 409,
                  "DUPLICATE_SESSION_NAME", "Session name already exists for this teacher and course")
    assert body["details"]["field"] == "session_name"
    assert db.count(CourseSession) == 1
    # another course: fine; a deleted draft frees the name
    other = make.subject("P1", name="Maths again", teachers=[setup["teacher"]])
    assert client.post("/api/v1/teacher/sessions", headers=setup["h"],
                       json=_body(other)).status_code == 201


def test_the_database_refuses_a_duplicate_name_too(app, make, setup):
    from sqlalchemy.exc import IntegrityError

    from lms.extensions import db as _db

    make.course_session(setup["teacher"], setup["subject"], name="Same")
    with app.app_context(), pytest.raises(IntegrityError):
        first = _db.session.get(CourseSession, 1) or _db.session.scalar(_db.select(CourseSession))
        _db.session.add(CourseSession(tenant_id=first.tenant_id, session_name="Same", teacher_id=first.teacher_id,
                                      course_id=first.course_id, start_date=first.start_date,
                                      end_date=first.end_date, created_by=first.created_by))
        _db.session.flush()


def test_a_teacher_creates_only_for_themselves_and_an_admin_for_a_teacher(client, make, setup):
    other_teacher = make.teacher()
    _error(client.post("/api/v1/teacher/sessions", headers=setup["h"],
                       json=_body(setup["subject"], teacher_id=other_teacher.id)),
           403, "FORBIDDEN", "You can only manage your own course sessions")
    admin = headers_for(client, make.user(role="ADMIN"))
    _error(client.post("/api/v1/teacher/sessions", headers=admin, json=_body(setup["subject"])), 400,
           "VALIDATION_ERROR", "teacher_id must be a valid teacher")
    response = client.post("/api/v1/teacher/sessions", headers=admin,
                           json=_body(setup["subject"], teacher_id=setup["teacher"].id))
    assert response.status_code == 201 and response.json["data"]["teacher_id"] == setup["teacher"].id


def test_list_is_teacher_scoped_with_the_pagination_envelope(client, make, setup):
    for i in range(12):
        make.course_session(setup["teacher"], setup["subject"], name=f"S{i:02d}")
    make.course_session(name="Someone else's")
    first = client.get("/api/v1/teacher/sessions", headers=setup["h"]).json
    assert first["success"] is True and len(first["data"]) == 10
    assert first["pagination"] == {"page": 1, "limit": 10, "total": 12, "totalPages": 2, "hasNext": True,
                                   "hasPrev": False}
    second = client.get("/api/v1/teacher/sessions?page=2", headers=setup["h"]).json
    assert len(second["data"]) == 2 and second["pagination"]["hasPrev"] is True
    assert second["pagination"]["hasNext"] is False
    beyond = client.get("/api/v1/teacher/sessions?page=9&limit=5", headers=setup["h"]).json
    assert beyond["data"] == [] and beyond["pagination"]["totalPages"] == 3
    item = first["data"][0]
    assert set(item) >= {"course_session_id", "session_name", "course_session_status", "start_date", "end_date",
                         "session_code", "enrolled_count", "max_students"}
    names = [s["session_name"] for s in client.get("/api/v1/teacher/sessions?sortBy=session_name&sortOrder=asc&limit=3",
                                                   headers=setup["h"]).json["data"]]
    assert names == ["S00", "S01", "S02"]


def test_list_filters_and_enrolled_count(client, make, setup):
    draft = make.course_session(setup["teacher"], setup["subject"], name="Draft one", status="DRAFT")
    live = make.course_session(setup["teacher"], setup["subject"], name="Live one",
                               start=utcnow() + timedelta(days=10), end=utcnow() + timedelta(days=20))
    make.enrollment(live)
    make.enrollment(live, status="PENDING")
    rows = client.get("/api/v1/teacher/sessions?status=DRAFT", headers=setup["h"]).json["data"]
    assert [r["course_session_id"] for r in rows] == [draft.id]
    later = iso(utcnow() + timedelta(days=5))
    rows = client.get(f"/api/v1/teacher/sessions?startDate={later}", headers=setup["h"]).json["data"]
    assert [(r["course_session_id"], r["enrolled_count"]) for r in rows] == [(live.id, 1)]
    rows = client.get(f"/api/v1/teacher/sessions?endDate={iso(utcnow() + timedelta(days=25))}",
                      headers=setup["h"]).json["data"]
    assert [r["course_session_id"] for r in rows] == [live.id]
    assert client.get(f"/api/v1/teacher/sessions?courseId={setup['subject'].id + 999}",
                      headers=setup["h"]).json["data"] == []


@pytest.mark.parametrize("query, field", [
    ("limit=101", "limit"), ("limit=0", "limit"), ("page=0", "page"), ("page=x", "page"), ("page=%C2%B2", "page"),
    ("status=LIVE", "status"), ("sortBy=password", "sortBy"), ("sortOrder=up", "sortOrder"),
    ("startDate=yesterday", "startDate"), ("courseId=abc", "courseId"),
])
def test_bad_query_parameters_are_400_with_details(client, setup, query, field):
    body = _error(client.get(f"/api/v1/teacher/sessions?{query}", headers=setup["h"]), 400, "VALIDATION_ERROR",
                  "Validation error")
    assert body["details"]["field"] == field and body["details"]["errors"][0]["field"] == field


def test_get_patch_publish_delete(client, make, db, setup):
    draft = make.course_session(setup["teacher"], setup["subject"], name="Draft", status="DRAFT")
    url = f"/api/v1/teacher/sessions/{draft.id}"
    got = client.get(url, headers=setup["h"]).json["data"]
    assert got["course_session_id"] == draft.id and got["enrolled_count"] == 0
    patched = client.patch(url, headers=setup["h"], json={
        "session_name": "Draft (updated)", "session_description": "New", "max_students": 35,
        "enrollment_deadline": iso(utcnow() + timedelta(days=5))})
    assert patched.status_code == 200 and patched.json["data"]["session_name"] == "Draft (updated)"
    assert patched.json["data"]["max_students"] == 35
    assert client.delete(url, headers=setup["h"]).status_code == 204
    assert db.get(CourseSession, draft.id).is_deleted is True
    _error(client.get(url, headers=setup["h"]), 404, "SESSION_NOT_FOUND", f"Course session with ID {draft.id} not found")


def test_published_sessions_edit_only_some_fields_and_are_not_deleted(client, make, setup):
    live = make.course_session(setup["teacher"], setup["subject"], name="Live", max_students=5)
    for _ in range(3):
        make.enrollment(live)
    url = f"/api/v1/teacher/sessions/{live.id}"
    body = _error(client.patch(url, headers=setup["h"], json={"start_date": iso(utcnow() + timedelta(days=3))}),
                  422, "SESSION_PUBLISHED")
    assert body["details"] == {"fields": ["start_date"]}
    _error(client.patch(url, headers=setup["h"], json={"max_students": 2}), 422, "CAPACITY_BELOW_ENROLLED",
           "max_students cannot be below the 3 students already in the session")
    assert client.patch(url, headers=setup["h"], json={"session_name": "Live!", "max_students": 3}).status_code == 200
    _error(client.delete(url, headers=setup["h"]), 422, "SESSION_NOT_DELETABLE",
           "Cannot delete published session with enrollments")
    _error(client.patch(f"{url}/publish", headers=setup["h"]), 422, "INVALID_STATUS_TRANSITION",
           "Only draft sessions can be published")
    _error(client.patch(url, headers=setup["h"], json={"course_session_status": "DRAFT"}), 422,
           "INVALID_STATUS_TRANSITION")
    ended = client.patch(url, headers=setup["h"], json={"course_session_status": "EXPIRED"})
    assert ended.json["data"]["course_session_status"] == "EXPIRED"
    _error(client.patch(url, headers=setup["h"], json={"session_name": "Again"}), 422, "SESSION_EXPIRED",
           "Session has expired")


def test_another_teachers_session_is_403_and_unknown_is_404(client, make, setup):
    other = make.course_session(name="Not yours")
    for method, suffix in (("get", ""), ("patch", ""), ("delete", ""), ("patch", "/publish"), ("get", "/enrollments"),
                           ("get", "/announcements"), ("get", "/settings")):
        response = getattr(client, method)(f"/api/v1/teacher/sessions/{other.id}{suffix}", headers=setup["h"], json={})
        _error(response, 403, "FORBIDDEN", "You can only manage your own course sessions")
    _error(client.get("/api/v1/teacher/sessions/999999", headers=setup["h"]), 404, "SESSION_NOT_FOUND",
           "Course session with ID 999999 not found")


def test_admin_lists_every_session_with_a_teacher_filter(client, make, setup):
    mine = make.course_session(setup["teacher"], setup["subject"])
    other = make.course_session(name="Other")
    admin = headers_for(client, make.user(role="ADMIN"))
    rows = client.get("/api/v1/admin/sessions", headers=admin).json
    assert {r["course_session_id"] for r in rows["data"]} == {mine.id, other.id}
    rows = client.get(f"/api/v1/admin/sessions?teacherId={setup['teacher'].id}", headers=admin).json["data"]
    assert [r["course_session_id"] for r in rows] == [mine.id]
    _error(client.get("/api/v1/admin/sessions", headers=setup["h"]), 403, "FORBIDDEN")
    admin_sees = client.get(f"/api/v1/teacher/sessions/{other.id}", headers=admin)
    assert admin_sees.status_code == 200


def test_list_query_count_does_not_grow_with_rows(client, make, setup, count_queries):
    make.course_session(setup["teacher"], setup["subject"], name="One")
    with count_queries() as few:
        client.get("/api/v1/teacher/sessions", headers=setup["h"])
    for i in range(8):
        s = make.course_session(setup["teacher"], setup["subject"], name=f"More {i}")
        make.enrollment(s)
    with count_queries() as many:
        client.get("/api/v1/teacher/sessions", headers=setup["h"])
    assert many.count == few.count
