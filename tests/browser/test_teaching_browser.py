"""A student on a phone joins a teaching session with its code and checks in to the meeting."""

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in


def test_student_joins_by_code_and_checks_in_on_a_phone(phone, live_server, demo, make, db):
    from lms.auth.models import User

    teacher = db.get(User, demo["teacher@example.org"])
    course_session = make.course_session(teacher, name="Phone club", code="PHNCLUBX", attendance_tracking_enabled=True)
    make.meeting(course_session, code="KQ7M")
    sign_in(phone, live_server, "student@example.org", DEMO_PASSWORD)
    phone.goto(f"{live_server}/my/sessions")
    phone.click("text=Join with a code")
    phone.wait_for_url(f"{live_server}/my/sessions/join")
    phone.watcher.assert_no_horizontal_scroll()
    phone.fill("input[name=session_code]", "phn clubx")
    phone.click("#join-form button[type=submit]")
    phone.wait_for_url(f"{live_server}/my/sessions/{course_session.id}")
    assert "Phone club" in phone.locator("h1").inner_text()
    phone.fill("input[name=code]", "kq7m")
    phone.click("#checkin button[type=submit]")
    phone.locator("text=You are checked in.").wait_for()
    phone.watcher.assert_no_horizontal_scroll()
    phone.goto(f"{live_server}/my/sessions")
    assert "Phone club" in phone.locator("main").inner_text()
    phone.watcher.assert_no_horizontal_scroll()
