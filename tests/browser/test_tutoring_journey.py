"""Issue 18's acceptance, on the demo data: a supervisor sees a student whose attendance is falling
flagged and opens the trend; the tutor enrols a cohort, gives one student an assessment and marks
attendance at today's meeting; the parent sees the meeting, the attendance and the result on a phone."""

from sqlalchemy import select

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, sign_in


def _ids(db, demo):
    from lms.auth.models import User
    from lms.teaching.demo_tutoring import FALLING, STUDY_GROUP
    from lms.teaching.models import CourseSession, CourseSessionEnrollment, CourseSessionMeeting

    group = db.scalar(select(CourseSession.id).where(CourseSession.session_name == STUDY_GROUP))
    child = demo["student@example.org"]
    enrollment = db.scalar(select(CourseSessionEnrollment.id).where(
        CourseSessionEnrollment.course_session_id == group, CourseSessionEnrollment.student_id == child))
    today = db.scalar(select(CourseSessionMeeting.id).where(
        CourseSessionMeeting.course_session_id == group, CourseSessionMeeting.finalized_at.is_(None))
        .order_by(CourseSessionMeeting.starts_at).limit(1))
    falling = db.scalar(select(User.id).where(User.email == FALLING))
    return group, child, enrollment, today, falling


def test_supervisor_tutor_and_parent_on_the_demo_centres(open_page, live_server, demo, db):
    from lms.teaching.models import CourseSessionAttendance, CourseSessionEnrollment

    group, child, enrollment, meeting, falling = _ids(db, demo)

    # The supervisor: the falling student is flagged; their trend opens from the list.
    supervisor = open_page(DESKTOP)
    sign_in(supervisor, live_server, "supervisor@example.org", DEMO_PASSWORD)
    supervisor.wait_for_url(f"{live_server}/supervision")
    flagged = supervisor.locator(f'#at-risk li[data-student="{falling}"]')
    assert "Attendance 0%" in flagged.inner_text()
    assert_accessible(supervisor)
    flagged.locator("a").first.click()
    supervisor.wait_for_url(f"{live_server}/supervision/students/{falling}")
    assert "Attendance 0%" in supervisor.locator("#student-reasons").inner_text()
    assert_accessible(supervisor)

    # The tutor: enrol the Olympiad maths cohort, give Sam an assessment, mark today's attendance.
    tutor = open_page(DESKTOP)
    sign_in(tutor, live_server, "teacher@example.org", DEMO_PASSWORD)
    tutor.goto(f"{live_server}/sessions/{group}/enrollments")
    tutor.select_option("select[name=cohort_id]", label="Olympiad maths (3 students)")
    tutor.click("button:has-text('Enrol the cohort')")
    tutor.locator(".cohort-result").wait_for()
    assert "3 students of “Olympiad maths” were enrolled." in tutor.locator(".cohort-result").inner_text()
    row = tutor.locator(f"#enrollment-{enrollment}")
    row.locator("select[name=assessment_id]").select_option(label="Number check")
    row.locator("button:has-text('Give work')").click()
    tutor.locator(f"#enrollment-{enrollment} .work-result").wait_for()
    assert "Number check" in tutor.locator(f"#enrollment-{enrollment} .work-result").inner_text()
    assert_accessible(tutor)
    tutor.goto(f"{live_server}/sessions/{group}/meetings/{meeting}")
    tutor.locator(f"#attendance-{child} button:has-text('Present')").click()
    tutor.locator(f"#attendance-{child} button[aria-pressed=true]:has-text('Present')").wait_for()
    assert db.scalar(select(CourseSessionAttendance.status).where(
        CourseSessionAttendance.meeting_id == meeting, CourseSessionAttendance.student_id == child)) == "PRESENT"
    assert db.count(CourseSessionEnrollment, CourseSessionEnrollment.course_session_id == group) == 9

    # The parent, on a phone: the meeting, Sam's attendance and the result of the work.
    parent = open_page(PHONE)
    sign_in(parent, live_server, "parent@example.org", DEMO_PASSWORD)
    parent.goto(f"{live_server}/my/children/{child}/sessions")
    parent.click(f"a[data-session-id='{group}']")
    parent.wait_for_url(f"{live_server}/my/children/{child}/sessions/{group}")
    main = parent.locator("main").inner_text()
    assert "Present" in parent.locator(f"li[data-meeting-id='{meeting}']").inner_text()
    assert "Number check" in main and "%" in main
    assert "Room 2" in main  # in person, at the Sukhumvit centre
    parent.watcher.assert_no_horizontal_scroll()
    assert_accessible(parent)
