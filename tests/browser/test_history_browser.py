"""Last year on a phone: after the year-end rollover a student opens their progress, taps last
year (htmx swaps the page's year and the address follows, so it can be bookmarked), sees last
year's grade read-only with fingertip-sized links, and goes back with the browser's Back button."""

from lms.auth.models import User
from lms.extensions import db as _db
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_phone_tap_targets_browser import assert_fits_a_phone
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def test_a_student_reads_last_years_grade_on_a_phone(phone, live_server, live_app, make):
    from lms.school.rollover import run_rollover

    make.school()
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    student = make.student("P1/1")
    quiz = make.assessment(teacher, title="Tens check", questions=ONE_OF_EACH[:1], section_id=ids["Counting in tens"],
                           publish=True)
    make.attempt(student, quiz, {0: ["1"]})
    admin = make.user(role="ADMIN")
    with live_app.test_request_context():
        run_rollover(_db.session.get(User, admin.id), "2027")
        _db.session.commit()
        _db.session.remove()

    sign_in(phone, live_server, student.email, TEST_PASSWORD)
    phone.goto(f"{live_server}/my/progress")
    assert "Tens check" not in phone.content()
    assert_fits_a_phone(phone, "this year's progress")
    phone.click(".year-switcher a:has-text('2026')")
    phone.locator("#progress", has_text="Tens check").wait_for()
    assert phone.url.endswith(f"/students/{student.id}/progress?year=2026")
    assert "1/1 (100%)" in phone.locator("#progress").inner_text()
    assert phone.locator(".year-switcher a[aria-current=page]").inner_text() == "2026"
    assert_fits_a_phone(phone, "last year's progress")
    assert_accessible(phone)
    phone.go_back()
    phone.wait_for_url(f"**/students/{student.id}/progress")
    phone.locator(".year-switcher a[aria-current=page]", has_text="2027").wait_for()
    assert phone.locator(".site-header").count() == 1  # the whole page came back, not only its year
    phone.goto(f"{live_server}/students/{student.id}/progress?year=2026")
    assert "Tens check" in phone.locator("#progress").inner_text()  # a bookmark opens last year
