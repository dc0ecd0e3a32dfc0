"""A student whose enrollment waits for the teacher's approval (PENDING) sees only the session's name and
their status: no announcements, work, meetings or attendance, on the pages or in the API."""

import pytest

from lms.teaching.models import CourseSessionAnnouncement, CourseSessionAttendance
from tests.api_helpers import headers_for
from tests.conftest import AuthActions

SECRET = "Meet at the back gate at 7:15"


@pytest.fixture
def world(make):
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher, name="Robotics club", attendance_tracking_enabled=True)
    make._save(CourseSessionAnnouncement(tenant_id=course_session.tenant_id, course_session_id=course_session.id,
                                         title="Where we meet", message=SECRET, created_by=teacher.id))
    meeting = make.meeting(course_session, code="WXYZ")
    pending = make.student("P1/1", full_name="Pat Pending")
    make.enrollment(course_session, pending, status="PENDING", notes="Bring the kit from room 12")
    enrolled = make.student("P1/1", full_name="Erin Enrolled")
    make.enrollment(course_session, enrolled)
    return course_session, meeting, pending, enrolled


def test_the_session_page_shows_a_pending_student_only_the_name_and_status(client, world):
    course_session, _meeting, pending, enrolled = world
    AuthActions(client).login(pending)
    page = client.get(f"/my/sessions/{course_session.id}").get_data(as_text=True)
    assert "Robotics club" in page and "waiting for the teacher's approval" in page
    for hidden in (SECRET, "Where we meet", "Bring the kit", "Check in", "My work", "My attendance"):
        assert hidden not in page, hidden
    AuthActions(client).logout()
    AuthActions(client).login(enrolled)
    page = client.get(f"/my/sessions/{course_session.id}").get_data(as_text=True)
    assert SECRET in page and "Where we meet" in page


def test_a_pending_student_cannot_check_in(client, world, db):
    course_session, _meeting, pending, _enrolled = world
    AuthActions(client).login(pending)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(f"/my/sessions/{course_session.id}/check-in", data={"code": "WXYZ"}, headers=headers)
        assert response.status_code == 403
        assert SECRET not in response.get_data(as_text=True)
    assert db.count(CourseSessionAttendance) == 0


def test_the_home_page_shows_no_meeting_to_a_pending_student(client, world):
    course_session, _meeting, pending, enrolled = world
    AuthActions(client).login(pending)
    home = client.get("/").get_data(as_text=True)
    assert "Robotics club" in home and "waiting for approval" in home and "today" not in home.split("Robotics")[1]
    AuthActions(client).logout()
    AuthActions(client).login(enrolled)
    home = client.get("/").get_data(as_text=True)
    assert "today" in home.split("Robotics club")[1].split("</li>")[0]


def test_the_api_gives_a_pending_student_the_name_and_status_only(client, world):
    course_session, _meeting, pending, enrolled = world
    headers = headers_for(client, pending)
    detail = client.get(f"/api/v1/student/sessions/{course_session.id}", headers=headers)
    assert detail.status_code == 200
    data = detail.json["data"]
    assert data["session_name"] == "Robotics club" and data["enrollment"]["enrollment_status"] == "PENDING"
    assert set(data) == {"course_session_id", "session_name", "enrollment"}
    assert "notes" not in data["enrollment"] and "session_code" not in data
    announcements = client.get(f"/api/v1/student/sessions/{course_session.id}/announcements", headers=headers)
    assert announcements.status_code == 403
    assert SECRET not in announcements.get_data(as_text=True)

    headers = headers_for(client, enrolled)
    detail = client.get(f"/api/v1/student/sessions/{course_session.id}", headers=headers).json["data"]
    assert detail["session_code"] and detail["enrollment"]["enrollment_status"] == "ENROLLED"
    listed = client.get(f"/api/v1/student/sessions/{course_session.id}/announcements", headers=headers).json
    assert [a["message"] for a in listed["data"]] == [SECRET]
