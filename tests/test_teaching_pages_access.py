"""The teaching pages' user paths not covered elsewhere: who gets 403/404, bad input that stores nothing,
htmx fragments (the enrollment row, the attendance row, announcements and settings forms)."""

import pytest
from sqlalchemy import select

from lms.teaching.models import (
    CourseSession,
    CourseSessionAnnouncement,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionSettings,
)
from tests.conftest import AuthActions

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("path", ["", "/edit", "/settings", "/analytics", "/enrollments", "/enrollments.csv",
                                  "/attendance", "/announcements"])
def test_another_teachers_session_pages_are_not_found(client, make, path):
    course_session = make.course_session(make.teacher())
    AuthActions(client).login(make.teacher())
    assert client.get(f"/sessions/{course_session.id}{path}").status_code == 404


def test_another_teacher_cannot_change_the_session_or_its_students(client, make, db):
    course_session = make.course_session(make.teacher(), status="DRAFT")
    enrollment = make.enrollment(course_session, status="PENDING")
    AuthActions(client).login(make.teacher())
    base = f"/sessions/{course_session.id}"
    for path, data in [("/publish", {}), ("/delete", {}),
                       (f"/enrollments/{enrollment.id}/status", {"enrollment_status": "ENROLLED"}),
                       (f"/enrollments/{enrollment.id}/grade", {"completion_percentage": "50"}),
                       ("/announcements", {"title": "Not mine", "message": "Somebody else's session"})]:
        assert client.post(base + path, data=data, headers=HX).status_code == 404, path
    stored = db.get(CourseSession, course_session.id)
    assert (stored.status, stored.is_deleted) == ("DRAFT", False)
    assert db.get(CourseSessionEnrollment, enrollment.id).enrollment_status == "PENDING"
    assert db.count(CourseSessionAnnouncement) == 0


def test_roles_are_kept_to_their_own_pages(client, make):
    course_session = make.course_session()
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    AuthActions(client).login(student)
    assert client.get("/sessions").status_code == 403
    assert client.get(f"/sessions/{course_session.id}/enrollments").status_code == 403
    assert client.get(f"/my/sessions/{course_session.id}").status_code == 200
    AuthActions(client).logout()
    AuthActions(client).login(make.teacher())
    assert client.get("/my/sessions").status_code == 403


def test_a_student_not_enrolled_does_not_see_the_session(client, make):
    course_session = make.course_session()
    AuthActions(client).login(make.student("P1/1"))
    assert client.get(f"/my/sessions/{course_session.id}").status_code == 404
    assert client.post(f"/my/sessions/{course_session.id}/drop").status_code == 404


def test_enrollment_row_fragment_does_not_grow_with_the_list(client, make, count_queries):
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher)
    first = make.enrollment(course_session)
    AuthActions(client).login(teacher)
    url = f"/sessions/{course_session.id}/enrollments/{first.id}/grade"
    with count_queries() as few:
        row = client.post(url, data={"completion_percentage": "40"}, headers=HX)
    assert row.status_code == 200 and row.get_data(as_text=True).startswith(f'<tr id="enrollment-{first.id}"')
    for _ in range(5):
        make.enrollment(course_session)
    with count_queries() as many:
        client.post(url, data={"completion_percentage": "50"}, headers=HX)
    assert many.count == few.count
    assert not any(s.lstrip().lower().startswith("select count(*)") for s in many.statements)  # no list query


def test_enrollment_status_that_is_not_allowed_says_why_and_changes_nothing(client, make, db):
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher)
    done = make.enrollment(course_session, status="COMPLETED")
    AuthActions(client).login(teacher)
    refused = client.post(f"/sessions/{course_session.id}/enrollments/{done.id}/status",
                          data={"enrollment_status": "ENROLLED"}, headers=HX)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and body.startswith(f'<tr id="enrollment-{done.id}"') and 'role="alert"' in body
    assert db.get(CourseSessionEnrollment, done.id).enrollment_status == "COMPLETED"


def test_bad_announcement_says_why_and_stores_nothing(client, make, db):
    teacher = make.teacher()
    course_session = make.course_session(teacher)
    AuthActions(client).login(teacher)
    url = f"/sessions/{course_session.id}/announcements"
    short = client.post(url, data={"title": "Room change", "message": "Too short"}, headers=HX)
    assert short.status_code == 422 and "Message must be between 10 and 2000 characters" in short.get_data(as_text=True)
    assert "<html" not in short.get_data(as_text=True)
    assert db.count(CourseSessionAnnouncement) == 0
    posted = client.post(url, data={"title": "Room change", "message": "We meet in room B12 today."}, headers=HX)
    assert posted.status_code == 204 and posted.headers["HX-Redirect"].endswith(url)
    assert db.count(CourseSessionAnnouncement) == 1


def test_bad_settings_say_why_and_store_nothing(client, make, db):
    teacher = make.teacher()
    course_session = make.course_session(teacher, grading_scale={"A": {"min": 80, "max": 100}})
    AuthActions(client).login(teacher)
    overlapping = client.post(f"/sessions/{course_session.id}/settings", headers=HX, data={
        "reminder_days_before_expiry": "7", "points_present": "2", "points_late": "1", "points_excused": "1",
        "points_absent": "0", "default_attendance_status": "ABSENT", "grading_scale": "A 80-100\nB 70-85"})
    assert overlapping.status_code == 422 and "overlap" in overlapping.get_data(as_text=True)
    stored = db.scalar(select(CourseSessionSettings).where(CourseSessionSettings.course_session_id == course_session.id))
    assert stored.grading_scale == {"A": {"min": 80, "max": 100}}


def test_marking_attendance_answers_the_row_and_refuses_a_stranger(client, make, db):
    teacher = make.teacher()
    course_session = make.course_session(teacher, attendance_tracking_enabled=True)
    student, stranger = make.student("P1/1", full_name="Ann"), make.student("P1/1")
    make.enrollment(course_session, student)
    meeting = make.meeting(course_session)
    AuthActions(client).login(teacher)
    url = f"/sessions/{course_session.id}/meetings/{meeting.id}/mark"
    row = client.post(url, data={"student_id": str(student.id), "status": "LATE"}, headers=HX)
    assert row.status_code == 200 and f'<tr id="attendance-{student.id}"' in row.get_data(as_text=True)
    assert client.post(url, data={"student_id": str(stranger.id), "status": "PRESENT"}, headers=HX).status_code == 404
    assert client.post(url, data={"student_id": "x", "status": "PRESENT"}, headers=HX).status_code == 404
    marks = db.scalars(select(CourseSessionAttendance.student_id))
    assert db.count(CourseSessionAttendance) == 1 and marks == [student.id]
