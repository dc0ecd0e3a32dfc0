"""The API contract's rules: one active session per teacher and course (409 ACTIVE_SESSION_EXISTS, also in the
database), one definition of "enrolled" (``enrolled_count`` = analytics ``total_enrolled``), and ISO
dates with four-digit years."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from lms.common.types import utcnow
from lms.teaching.models import CourseSession
from tests.api_helpers import headers_for, iso
from tests.conftest import AuthActions

HX = {"HX-Request": "true"}


@pytest.fixture
def setup(client, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    return {"teacher": teacher, "subject": subject, "h": headers_for(client, teacher)}


def _body(course_id, name="Spring - Maths", days=2):
    start = utcnow() + timedelta(days=days)
    return {"session_name": name, "course_id": course_id, "start_date": iso(start),
            "end_date": iso(start + timedelta(days=30))}


def test_a_second_active_session_for_the_same_course_is_409(client, db, setup):
    url, h, course = "/api/v1/teacher/sessions", setup["h"], setup["subject"].id
    first = client.post(url, headers=h, json=_body(course))
    assert first.status_code == 201
    second = client.post(url, headers=h, json=_body(course, "Autumn - Maths"))
    assert second.status_code == 409
    assert second.json["errorCode"] == "ACTIVE_SESSION_EXISTS"
    assert second.json["message"] == "This teacher already has an active session for this course"
    assert second.json["details"]["field"] == "course_id"
    assert db.count(CourseSession) == 1
    # a deleted draft frees the course
    assert client.delete(f"{url}/{first.json['data']['course_session_id']}", headers=h).status_code == 204
    assert client.post(url, headers=h, json=_body(course, "Autumn - Maths")).status_code == 201


def test_an_expired_session_does_not_count_and_moving_a_draft_onto_a_busy_course_is_409(client, make, setup):
    teacher, course = setup["teacher"], setup["subject"]
    make.course_session(teacher, course, name="Last year", status="EXPIRED",
                        start=utcnow() - timedelta(days=60), end=utcnow() - timedelta(days=1))
    url, h = "/api/v1/teacher/sessions", setup["h"]
    running = client.post(url, headers=h, json=_body(course.id))
    assert running.status_code == 201
    other = make.subject("P1", teachers=[teacher], name="Science P1")
    draft = client.post(url, headers=h, json=_body(other.id, "Science club"))
    assert draft.status_code == 201
    moved = client.patch(f"{url}/{draft.json['data']['course_session_id']}", headers=h,
                         json={"course_id": course.id})
    assert moved.status_code == 409 and moved.json["errorCode"] == "ACTIVE_SESSION_EXISTS"


def test_the_page_answers_409_with_the_message(client, db, setup):
    AuthActions(client).login(setup["teacher"])
    course = setup["subject"].id

    def post(name):
        start = utcnow() + timedelta(days=2)
        return client.post("/sessions/new", headers=HX, data={
            "session_name": name, "course_id": str(course), "session_description": "", "max_students": "",
            "start_date": start.strftime("%Y-%m-%dT%H:%M"),
            "end_date": (start + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), "enrollment_deadline": "",
            "auto_expire_enabled": "y"})

    assert post("Tens club").status_code == 204  # htmx redirect
    refused = post("Hundreds club")
    assert refused.status_code == 409
    assert "This teacher already has an active session for this course" in refused.get_data(as_text=True)
    assert db.count(CourseSession) == 1


def test_the_database_refuses_two_active_sessions_for_one_teacher_and_course(app, make, setup):
    from lms.extensions import db as sqla

    first = make.course_session(setup["teacher"], setup["subject"])
    with app.app_context():
        copy = CourseSession(tenant_id=first.tenant_id, session_name="Another", teacher_id=first.teacher_id,
                             course_id=first.course_id, status="DRAFT", start_date=first.start_date,
                             end_date=first.end_date, created_by=first.teacher_id)
        sqla.session.add(copy)
        with pytest.raises(IntegrityError):
            sqla.session.commit()
        sqla.session.rollback()
        sqla.session.remove()


def test_enrolled_count_and_total_enrolled_are_the_same_figure(client, make):
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher)
    for status in ("ENROLLED", "ENROLLED", "COMPLETED", "PENDING", "DROPPED", "EXPELLED"):
        make.enrollment(course_session, status=status)
    th = headers_for(client, teacher)
    admin = headers_for(client, make.user(role="ADMIN"))
    one = client.get(f"/api/v1/teacher/sessions/{course_session.id}", headers=th).json["data"]["enrolled_count"]
    listed = client.get("/api/v1/teacher/sessions", headers=th).json["data"][0]["enrolled_count"]
    total = client.get(f"/api/v1/admin/sessions/{course_session.id}/analytics",
                       headers=admin).json["data"]["session_overview"]["total_enrolled"]
    assert one == listed == total == 3  # ENROLLED + COMPLETED; pending, dropped and expelled are not enrolled


def test_years_before_1000_are_written_with_four_digits(client, make):
    from lms.api.core import iso as api_iso

    assert api_iso(datetime(5, 3, 1, 9, 0, tzinfo=UTC)) == "0005-03-01T09:00:00Z"
    assert api_iso(datetime(2026, 3, 1, 9, 0, 30, 123456, tzinfo=UTC)) == "2026-03-01T09:00:30Z"
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher, start=datetime(5, 1, 1, tzinfo=UTC),
                                         end=datetime(5, 12, 31, tzinfo=UTC), status="EXPIRED")
    data = client.get(f"/api/v1/teacher/sessions/{course_session.id}", headers=headers_for(client, teacher)).json
    assert data["data"]["start_date"] == "0005-01-01T00:00:00Z"
    assert data["data"]["end_date"] == "0005-12-31T00:00:00Z"


def test_an_offset_past_the_last_representable_instant_is_400_not_500(client, setup):
    response = client.get("/api/v1/teacher/sessions?startDate=9999-12-31T23:59:59-01:00", headers=setup["h"])
    assert response.status_code == 400 and response.json["details"]["field"] == "startDate"
    body = _body(setup["subject"].id)
    body["end_date"] = "9999-12-31T23:59:59-01:00"
    response = client.post("/api/v1/teacher/sessions", headers=setup["h"], json=body)
    assert response.status_code == 400 and response.json["details"]["field"] == "end_date"


def test_unknown_keys_wrong_types_and_huge_ids_are_refused(client, db, setup):
    url, h = "/api/v1/teacher/sessions", setup["h"]
    extra = client.post(url, headers=h, json={**_body(setup["subject"].id), "is_deleted": True})
    assert extra.status_code == 400 and extra.json["details"]["field"] == "is_deleted"
    stringly = client.post(url, headers=h, json={**_body(setup["subject"].id), "max_students": "30"})
    assert stringly.status_code == 400 and stringly.json["details"]["field"] == "max_students"
    assert db.count(CourseSession) == 0
    huge = client.get(f"{url}/{2**80}", headers=h)
    assert huge.status_code == 404 and huge.json["errorCode"] == "SESSION_NOT_FOUND"
    assert client.get(f"{url}?page=", headers=h).status_code == 400
    assert client.get(f"{url}?page=100001", headers=h).status_code == 400


def test_a_405_lists_the_allowed_methods(client, setup):
    response = client.put("/api/v1/teacher/sessions", headers=setup["h"], json={})
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_an_unknown_query_parameter_is_400(client, setup):
    response = client.get("/api/v1/teacher/sessions?sort=name", headers=setup["h"])
    assert response.status_code == 400 and response.json["details"]["field"] == "sort"
    assert client.get("/api/v1/teacher/sessions?=false", headers=setup["h"]).status_code == 400
    assert client.get("/api/v1/teacher/sessions?sortBy=session_name", headers=setup["h"]).status_code == 200
