"""The teaching-session pages: the acceptance flow, htmx fragments, bad input, query counts."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from lms.common.types import utcnow
from lms.demo import DEMO_PASSWORD
from lms.teaching.models import (
    CourseSession,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
)
from tests.conftest import AuthActions, email_text

BANGKOK = ZoneInfo("Asia/Bangkok")
HX = {"HX-Request": "true"}


def local(value: datetime) -> str:
    return value.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M")


def _math_p1(db):
    from lms.curriculum.models import Subject

    return db.scalar(select(Subject.id).where(Subject.name == "Mathematics P1"))


def _session_form(course, **overrides):
    start = utcnow() + timedelta(hours=1)
    data = {"session_name": "Tens club", "session_description": "", "course_id": str(course),
            "start_date": local(start), "end_date": local(start + timedelta(days=30)), "max_students": "",
            "enrollment_deadline": "", "auto_expire_enabled": "y"}
    data.update(overrides)
    return data


def _end_demo_session(app):
    from lms.extensions import db as sqla

    with app.app_context():
        sqla.session.execute(CourseSession.__table__.update().values(status="EXPIRED"))
        sqla.session.commit()
        sqla.session.remove()


def test_the_acceptance_flow_through_the_pages(client, app, demo, db, outbox):
    auth = AuthActions(client)
    auth.login("teacher@example.org", DEMO_PASSWORD)
    before = db.count(CourseSession)
    start = utcnow() + timedelta(hours=1)
    backwards = client.post("/sessions/new", data=_session_form(_math_p1(db), end_date=local(start - timedelta(days=1))),
                            headers=HX)
    assert backwards.status_code == 422 and "End date must be after start date" in backwards.get_data(as_text=True)
    assert db.count(CourseSession) == before
    # one active session per teacher and course; the demo's "Tens" session is still running
    second = client.post("/sessions/new", data=_session_form(_math_p1(db)), headers=HX)
    assert second.status_code == 409
    assert "This teacher already has an active session for this course" in second.get_data(as_text=True)
    assert db.count(CourseSession) == before
    _end_demo_session(app)
    created = client.post("/sessions/new", data=_session_form(_math_p1(db)))
    assert created.status_code == 303
    session_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    course_session = db.get(CourseSession, session_id)
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert course_session.session_code in page and "Publish" in page
    assert client.post(f"/sessions/{session_id}/publish").status_code == 303
    assert db.get(CourseSession, session_id).status == "PUBLISHED"
    # attendance needs tracking on; a meeting now
    settings = client.post(f"/sessions/{session_id}/settings", data={
        "reminder_days_before_expiry": "7", "attendance_tracking_enabled": "y", "allow_student_drop": "y",
        "points_present": "2", "points_late": "1", "points_excused": "1", "points_absent": "0",
        "default_attendance_status": "ABSENT", "grading_scale": "A 80-100\nB 0-79"})
    assert settings.status_code == 303
    auth.logout()

    auth.login("student@example.org", DEMO_PASSWORD)
    joined = client.post("/my/sessions/join", data={"session_code": course_session.session_code.lower()})
    assert joined.status_code == 303 and joined.headers["Location"].endswith(f"/my/sessions/{session_id}")
    again = client.post("/my/sessions/join", data={"session_code": course_session.session_code}, headers=HX)
    assert again.status_code == 422 and "Student already enrolled in this session" in again.get_data(as_text=True)
    wrong = client.post("/my/sessions/join", data={"session_code": "WRNGCDEX"}, headers=HX)
    assert wrong.status_code == 422 and "Invalid session code" in wrong.get_data(as_text=True)
    auth.logout()

    auth.login("student2@example.org", DEMO_PASSWORD)
    assert client.get(f"/my/sessions/{session_id}").status_code == 404
    assert client.get(f"/sessions/{session_id}").status_code == 403
    auth.logout()

    auth.login("teacher@example.org", DEMO_PASSWORD)
    # the session's first local day (it starts in an hour: tomorrow when run late in the evening)
    first_day = course_session.start_date.astimezone(BANGKOK).date()
    meeting = client.post(f"/sessions/{session_id}/meetings", data={
        "meeting_date": first_day.isoformat(), "start_time": "00:00", "end_time": "23:59"})
    assert meeting.status_code == 303
    meeting_id = db.scalar(select(CourseSessionMeeting.id).where(CourseSessionMeeting.course_session_id == session_id))
    sheet = client.get(f"/sessions/{session_id}/meetings/{meeting_id}").get_data(as_text=True)
    assert "Sam Student" in sheet
    marked = client.post(f"/sessions/{session_id}/meetings/{meeting_id}/mark",
                         data={"student_id": demo["student@example.org"], "status": "PRESENT"}, headers=HX)
    assert marked.status_code == 200 and 'aria-pressed="true"' in marked.get_data(as_text=True)
    assert "<html" not in marked.get_data(as_text=True)
    assert db.scalar(select(CourseSessionAttendance.status).where(
        CourseSessionAttendance.meeting_id == meeting_id)) == "PRESENT"
    posted = client.post(f"/sessions/{session_id}/announcements", data={
        "title": "Room change", "message": "We meet in room B12 today.", "is_urgent": "y"})
    assert posted.status_code == 303
    assert [m["To"] for m in outbox] == ["student@example.org"] and "B12" in email_text(outbox[0])
    auth.logout()

    auth.login("student@example.org", DEMO_PASSWORD)
    mine = client.get(f"/my/sessions/{session_id}").get_data(as_text=True)
    assert "Room change" in mine and "B12" in mine and "Present" in mine
    assert "Tens club" in client.get("/my/sessions").get_data(as_text=True)


def test_bad_session_input_shows_messages_and_stores_nothing(client, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    AuthActions(client).login(teacher)
    for overrides, message in [({"session_name": "x"}, "Session name must be between 2 and 255 characters"),
                               ({"course_id": ""}, "course_id must be a valid course"),
                               ({"start_date": ""}, "Start date is required"),
                               ({"max_students": "0"}, "max_students must be a positive integer")]:
        response = client.post("/sessions/new", data=_session_form(subject.id, **overrides), headers=HX)
        assert response.status_code == 422 and message in response.get_data(as_text=True), message
    assert db.count(CourseSession) == 0


def test_dates_before_1900_get_a_message_on_the_session_and_announcement_forms(client, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    draft = make.course_session(teacher, status="DRAFT")
    AuthActions(client).login(teacher)
    for field, label in (("start_date", "Start date"), ("end_date", "End date"),
                         ("enrollment_deadline", "Enrollment deadline")):
        for url in ("/sessions/new", f"/sessions/{draft.id}/edit"):
            response = client.post(url, data=_session_form(subject.id, **{field: "0001-01-01T00:00"}), headers=HX)
            assert response.status_code == 422, (url, field)
            assert f"{label} must be a date between 1900 and 2200" in response.get_data(as_text=True), (url, field)
    for field in ("scheduled_for", "expires_at"):
        response = client.post(f"/sessions/{draft.id}/announcements", headers=HX,
                               data={"title": "Trip", "message": "Bring water, please.", field: "0001-01-01T00:00"})
        assert response.status_code == 422 and "must be a date between 1900 and 2200" in response.get_data(
            as_text=True), field
    assert db.count(CourseSession) == 1


def test_list_filters_htmx_fragment_and_query_count(client, make, count_queries):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    make.course_session(teacher, subject, name="Alpha", status="DRAFT")
    AuthActions(client).login(teacher)
    with count_queries() as few:
        client.get("/sessions")
    for i in range(6):
        s = make.course_session(teacher, subject, name=f"Beta {i}")
        make.enrollment(s)
    with count_queries() as many:
        page = client.get("/sessions").get_data(as_text=True)
    assert many.count == few.count and "Beta 5" in page
    fragment = client.get("/sessions?status=DRAFT", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "Alpha" in fragment and "Beta" not in fragment


def test_enrollment_page_actions_and_query_count(client, make, db, count_queries):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Algebra": {"Expressions": ["Algebraic Expressions"]}})
    course_session = make.course_session(teacher, subject, grading_scale={"A": {"min": 80, "max": 100}})
    pending = make.enrollment(course_session, make.student("P1/1", full_name="Pat Pending"), status="PENDING")
    AuthActions(client).login(teacher)
    with count_queries() as few:
        client.get(f"/sessions/{course_session.id}/enrollments")
    for _ in range(5):
        make.enrollment(course_session)
    with count_queries() as many:
        client.get(f"/sessions/{course_session.id}/enrollments")
    assert many.count == few.count
    base = f"/sessions/{course_session.id}/enrollments/{pending.id}"
    row = client.post(f"{base}/status", data={"enrollment_status": "ENROLLED"}, headers=HX).get_data(as_text=True)
    assert row.startswith(f'<tr id="enrollment-{pending.id}"') and "Enrolled" in row
    bad = client.post(f"{base}/grade", data={"completion_percentage": "150", "final_grade": ""}, headers=HX)
    assert bad.status_code == 422 and "completion_percentage" in bad.get_data(as_text=True)
    graded = client.post(f"{base}/grade", data={"completion_percentage": "90", "final_grade": "85"}, headers=HX)
    assert 'letter-grade">A<' in graded.get_data(as_text=True)
    assigned = client.post(f"{base}/content", data={"section_id": str(ids["Algebraic Expressions"]),
                                                    "notes": "Start with page 3"}, headers=HX)
    assert "Algebra" in assigned.get_data(as_text=True)
    stored = db.get(CourseSessionEnrollment, pending.id)
    assert (stored.assigned_subject_id, stored.assigned_section_id) == (subject.id, ids["Algebraic Expressions"])
    csv = client.get(f"/sessions/{course_session.id}/enrollments.csv").get_data(as_text=True)
    assert csv.startswith("\ufeff") and "Pat Pending" in csv and ",85,A" in csv
    # the student sees their own content with a link to the section
    student = db.get(type(stored), pending.id).student_id
    AuthActions(client).logout()
    from lms.auth.models import User

    user = db.get(User, student)
    AuthActions(client).login(user)
    page = client.get(f"/my/sessions/{course_session.id}").get_data(as_text=True)
    assert f"/sections/{ids['Algebraic Expressions']}" in page and "Start with page 3" in page
    assert "Grade: 85 (A)" in page


def test_add_a_student_by_email(client, make, db):
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher)
    mine, stranger = make.student("P1/1"), make.student("P3/1")
    AuthActions(client).login(teacher)
    url = f"/sessions/{course_session.id}/enrollments/add"
    refused = client.post(url, data={"student": stranger.email}, headers=HX)
    assert refused.status_code == 422 and "No student of yours" in refused.get_data(as_text=True)
    assert client.post(url, data={"student": mine.email}).status_code == 303
    assert db.count(CourseSessionEnrollment) == 1


def test_meetings_repeat_weekly_within_the_session(client, make, db):
    teacher = make.teacher()
    now = utcnow()
    course_session = make.course_session(teacher, start=now - timedelta(days=1), end=now + timedelta(days=20))
    AuthActions(client).login(teacher)
    today = datetime.now(BANGKOK).date()
    url = f"/sessions/{course_session.id}/meetings"
    outside = client.post(url, data={"meeting_date": today.isoformat(), "start_time": "09:00", "end_time": "10:00",
                                     "repeat_until": (today + timedelta(days=60)).isoformat()}, headers=HX)
    assert outside.status_code == 422 and "between the session" in outside.get_data(as_text=True)
    backwards = client.post(url, data={"meeting_date": today.isoformat(), "start_time": "10:00", "end_time": "09:00"},
                            headers=HX)
    assert backwards.status_code == 422 and db.count(CourseSessionMeeting) == 0
    made = client.post(url, data={"meeting_date": today.isoformat(), "start_time": "09:00", "end_time": "10:00",
                                  "repeat_until": (today + timedelta(days=14)).isoformat()})
    assert made.status_code == 303 and db.count(CourseSessionMeeting) == 3
    codes = db.scalars(select(CourseSessionMeeting.checkin_code))
    assert all(len(c) == 4 and not set(c) & set("01OI") for c in codes)


def test_check_in_only_during_the_meeting_with_its_code(client, make, db):
    course_session = make.course_session(attendance_tracking_enabled=True)
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    AuthActions(client).login(student)
    url = f"/my/sessions/{course_session.id}/check-in"
    none_now = client.post(url, data={"code": "ABCD"}, headers=HX)
    assert none_now.status_code == 422 and "no meeting going on" in none_now.get_data(as_text=True)
    make.meeting(course_session, code="WXYZ")
    wrong = client.post(url, data={"code": "ABCD"}, headers=HX)
    assert wrong.status_code == 422 and "not the code" in wrong.get_data(as_text=True)
    assert db.count(CourseSessionAttendance) == 0
    ok = client.post(url, data={"code": "wxyz"}, headers=HX)
    assert ok.status_code == 200 and "You are checked in." in ok.get_data(as_text=True)
    row = db.scalar(select(CourseSessionAttendance))
    assert (row.status, row.source) == ("PRESENT", "CHECKIN")


def test_attendance_report_and_csv(client, make, db):
    teacher = make.teacher()
    course_session = make.course_session(teacher, attendance_tracking_enabled=True)
    a, b = make.student("P1/1", full_name="Ann"), make.student("P1/1", full_name="Ben")
    for s in (a, b):
        make.enrollment(course_session, s)
    first = make.meeting(course_session, starts_at=utcnow() - timedelta(days=7), code="FRST")
    second = make.meeting(course_session, starts_at=utcnow() - timedelta(days=1), code="SCND")
    make.attendance(first, a, "PRESENT")
    make.attendance(second, a, "LATE")
    make.attendance(first, b, "ABSENT")
    AuthActions(client).login(teacher)
    page = client.get(f"/sessions/{course_session.id}/attendance").get_data(as_text=True)
    assert "3 / 4" in page and "100.0 %" in page  # Ann: 2 + 1 points of 4, present or late every time
    csv = client.get(f"/sessions/{course_session.id}/attendance.csv").get_data(as_text=True)
    assert csv.startswith("\ufeffStudent,Email,") and ",Present,Late,Excused,Absent,Points,Attendance rate" in csv
    assert re.search(r"Ann,[^\n]*,Present,Late,1,1,0,0,3,100.0", csv)  # the labels, never the stored codes
    assert re.search(r"Ben,[^\n]*,Absent,,0,0,0,1,0,0.0", csv)


def test_analytics_page_and_api_figures(client, make):
    teacher = make.teacher()
    course_session = make.course_session(teacher)
    make.enrollment(course_session, completion_percentage=90, final_grade=80)
    make.enrollment(course_session, status="COMPLETED", completion_percentage=100, final_grade=90)
    make.enrollment(course_session, status="DROPPED", completion_percentage=10)
    make.enrollment(course_session, status="PENDING")
    make.enrollment(course_session, completion_percentage=40)
    AuthActions(client).login(teacher)
    page = client.get(f"/sessions/{course_session.id}/analytics").get_data(as_text=True)
    assert "Students enrolled" in page
    from tests.api_helpers import headers_for

    admin = headers_for(client.application.test_client(), make.user(role="ADMIN"))
    data = client.application.test_client().get(f"/api/v1/admin/sessions/{course_session.id}/analytics",
                                                 headers=admin).json["data"]
    assert data["session_overview"] == {"total_enrolled": 3, "completion_rate": 25.0, "average_grade": 85.0,
                                        "dropout_rate": 25.0, "active_students": 2, "pending_requests": 1,
                                        "attendance_rate": None}
    assert data["performance_metrics"] == {"average_completion_percentage": 76.7, "students_above_80_percent": 2,
                                           "students_below_50_percent": 1}
    assert sum(d["enrollments"] for d in data["enrollment_timeline"]) == 4


def test_classroom_page_lists_todays_sessions_with_fixed_queries(client, make, count_queries):
    teacher = make.teacher("P1/1")
    course_session = make.course_session(teacher, name="Morning tens")
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    admin = make.user(role="ADMIN")
    AuthActions(client).login(admin)
    from lms.school.models import Classroom

    from_db = make.classroom("P1/1")
    assert isinstance(from_db, Classroom)
    with count_queries() as before:
        client.get(f"/classrooms/{from_db.id}")
    make.meeting(course_session, starts_at=utcnow() - timedelta(minutes=1))
    with count_queries() as after:
        page = client.get(f"/classrooms/{from_db.id}").get_data(as_text=True)
    assert "Morning tens" in page and after.count == before.count


def test_publish_and_delete_from_the_pages(client, make, db):
    teacher = make.teacher()
    draft = make.course_session(teacher, status="DRAFT")
    AuthActions(client).login(teacher)
    assert client.post(f"/sessions/{draft.id}/delete").status_code == 303
    assert db.get(CourseSession, draft.id).is_deleted is True
    assert client.get(f"/sessions/{draft.id}").status_code == 404
    live = make.course_session(teacher)
    make.enrollment(live)
    refused = client.post(f"/sessions/{live.id}/delete", headers=HX)
    assert refused.status_code == 422 and "Cannot delete published session with enrollments" in refused.get_data(
        as_text=True)
