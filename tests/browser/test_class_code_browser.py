"""Self-registration with a class code in a real browser: a student registers
on a phone (390×844) and sees the waiting page; the teacher approves on a desktop; the student then
signs in and sees the classroom's subjects.  Axe-clean throughout, no horizontal scroll."""

from sqlalchemy import select

from lms.school.models import ClassCode
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD

PASSWORD = "my-own-password-1"


def test_student_registers_on_a_phone_teacher_approves_student_sees_subjects(open_page, live_server, make, db):
    make.school()
    classroom = make.classroom("P4/1")
    teacher = make.teacher(classroom, full_name="Khru Somsri")
    make.subject("P4/1", core="Science", name="Science P4/1", teachers=[teacher])

    desk = open_page(DESKTOP)
    sign_in(desk, live_server, teacher.email, TEST_PASSWORD)
    desk.goto(f"{live_server}/classrooms/{classroom.id}")
    desk.fill("input[name=days]", "5")
    desk.click("button:has-text('Turn on self-registration')")
    desk.wait_for_selector(".class-code-value")
    code = db.scalar(select(ClassCode.code))
    assert desk.inner_text(".class-code-value") == code
    assert_accessible(desk)

    phone = open_page(PHONE)
    phone.goto(f"{live_server}/join/{code}")
    assert "P4/1" in phone.inner_text("h1")
    phone.watcher.assert_no_horizontal_scroll()
    assert_accessible(phone)
    phone.fill("input[name=full_name]", "Nok Newcomer")
    phone.fill("input[name=password]", PASSWORD)
    phone.fill("input[name=confirm]", PASSWORD)
    phone.click("button:has-text('Ask to join')")
    phone.wait_for_selector("#join-waiting")
    assert "Waiting for your teacher" in phone.inner_text("h1")
    username = phone.inner_text("#join-username")  # made by the server from the student number
    phone.watcher.assert_no_horizontal_scroll()
    assert_accessible(phone)
    # Before approval: no way in.
    sign_in(phone, live_server, username, PASSWORD)
    assert "not approved your registration yet" in phone.inner_text("main")

    desk.goto(f"{live_server}/classrooms/{classroom.id}")
    assert "1 waiting" in desk.inner_text("#class-code")
    assert_accessible(desk)
    desk.click("button[aria-label='Approve Nok Newcomer']")
    desk.wait_for_selector("text=Nok Newcomer is now in P4/1")
    assert "Nok Newcomer" in desk.inner_text("#roster")

    sign_in(phone, live_server, username, PASSWORD)
    phone.goto(f"{live_server}/subjects")
    assert "Science P4/1" in phone.inner_text("main")
    phone.watcher.assert_no_horizontal_scroll()
