"""A parent on a phone opens their child's teaching session from the home page: the meetings with
the child's attendance, the work the tutor gave the child and its result, the notes shared with parents."""

from sqlalchemy import select

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_phone_tap_targets_browser import assert_fits_a_phone


def test_parent_sees_the_meeting_attendance_and_result_on_a_phone(phone, live_server, demo, make, db, app):
    from lms.auth.models import User
    from lms.extensions import db as sqla
    from lms.teaching.demo import DEMO_NAME
    from lms.teaching.models import CourseSession, CourseSessionEnrollment, CourseSessionMeeting

    teacher, child = db.get(User, demo["teacher@example.org"]), db.get(User, demo["student@example.org"])
    session_id = db.scalar(select(CourseSession.id).where(CourseSession.session_name == DEMO_NAME))
    quiz = make.assessment(teacher, title="Tens check", publish=True)
    with app.app_context():
        enrollment = sqla.session.scalar(select(CourseSessionEnrollment).where(
            CourseSessionEnrollment.course_session_id == session_id, CourseSessionEnrollment.student_id == child.id))
        enrollment.assigned_assessment_id = quiz.id
        sqla.session.commit()
        sqla.session.remove()
    meeting = db.scalars(select(CourseSessionMeeting).where(CourseSessionMeeting.course_session_id == session_id)
                         .order_by(CourseSessionMeeting.starts_at))[0]
    make.attendance(meeting, child, "PRESENT")
    make.attempt(child, quiz, {0: "1"})

    sign_in(phone, live_server, "parent@example.org", DEMO_PASSWORD)
    phone.goto(f"{live_server}/")
    phone.click("a.child-sessions-link")
    phone.wait_for_url(f"{live_server}/my/children/{child.id}/sessions")
    assert_fits_a_phone(phone, "the child's sessions")
    phone.click(f"a[data-session-id='{session_id}']")
    phone.wait_for_url(f"{live_server}/my/children/{child.id}/sessions/{session_id}")
    main = phone.locator("main").inner_text()
    assert DEMO_NAME in phone.locator("h1").inner_text()
    assert "Present" in phone.locator(f"li[data-meeting-id='{meeting.id}']").inner_text()
    assert "Tens check" in main and "1/1 (100%)" in main
    assert "Count the dots in tens" in main  # the demo's notes are shared with parents
    assert_fits_a_phone(phone, "the child's session")
    assert_accessible(phone)
    phone.click("text=Tens check")  # the attempt, as the parent may see it
    phone.wait_for_url(f"{live_server}/submissions/**")
    phone.watcher.assert_clean()
