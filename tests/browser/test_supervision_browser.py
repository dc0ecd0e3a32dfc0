"""A supervisor on a phone and at a desk: a student whose attendance is falling is flagged, the trend
opens from the list, and a message reaches the tutor; the pages are axe-clean and never scroll sideways."""

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD
from tests.test_supervision import _marks, _world


def _falling(make, db):
    w = _world(make, db)
    _marks(make, w.session_n, w.pupil_n, ["ABSENT", "ABSENT"], days_ago=2)
    _marks(make, w.session_n, w.pupil_n, ["PRESENT", "PRESENT"], days_ago=16)
    _marks(make, w.session_n, w.pupil_n, ["PRESENT", "PRESENT"], days_ago=30)
    return w


def test_a_supervisor_follows_a_falling_student_on_a_phone(phone, live_server, make, db):
    w = _falling(make, db)
    sign_in(phone, live_server, w.supervisor.email, TEST_PASSWORD)
    phone.wait_for_url(f"{live_server}/supervision")
    row = phone.locator(f'#at-risk li[data-student="{w.pupil_n.id}"]')
    assert "Attendance 0% in the last 2 weeks, was 100%" in row.inner_text()
    phone.watcher.assert_no_horizontal_scroll()
    assert_accessible(phone)
    row.locator("a", has_text="Nina North").first.click()
    phone.wait_for_url(f"{live_server}/supervision/students/{w.pupil_n.id}")
    assert "Attendance 0% in the last 2 weeks, was 100%" in phone.locator("#student-reasons").inner_text()
    phone.watcher.assert_no_horizontal_scroll()
    assert_accessible(phone)
    phone.fill("#text", "Nina missed two meetings: please call her parents.")
    phone.click("#message button[type=submit]")
    phone.locator("#message .flash-success").wait_for()
    assert "Nok Tutor" in phone.locator("#message .flash-success").inner_text()


def test_the_dashboard_at_a_desk(desktop, live_server, make, db):
    w = _falling(make, db)
    sign_in(desktop, live_server, w.supervisor.email, TEST_PASSWORD)
    desktop.wait_for_url(f"{live_server}/supervision")
    assert desktop.locator("#attendance-trend svg").is_visible()
    desktop.watcher.assert_no_horizontal_scroll()
    assert_accessible(desktop)
    desktop.fill("#weeks-supervision-dashboard", "4")
    desktop.click("#attendance-trend button[type=submit]")
    desktop.locator("#attendance-heading >> text=4 weeks").wait_for()
    desktop.goto(f"{live_server}/supervision/sessions/{w.session_n.id}")
    assert "Nina North" in desktop.locator("#session-students").inner_text()
    assert_accessible(desktop)
