"""Thai in a real browser on a phone (390×844): the vendored Sarabun font is used for Thai
text and nothing scrolls sideways."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, _open, sign_in
from tests.conftest import TEST_PASSWORD

THAI_FONT = """async () => {
  await document.fonts.ready;
  const family = getComputedStyle(document.body).fontFamily;
  const loaded = [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Sarabun' && f.status === 'loaded');
  return {family, loaded: loaded.length, thai: document.fonts.check('16px Sarabun', 'ภาษาไทย')};
}"""


@pytest.fixture
def thai_phone(browser):
    """A phone whose browser asks for Thai (Accept-Language: th-TH)."""
    context, page, watcher = _open(browser, {**PHONE, "locale": "th-TH"})
    page.watcher = watcher
    yield page
    context.close()
    watcher.assert_clean()


def _assert_thai_font(page):
    fonts = page.evaluate(THAI_FONT)
    assert fonts["family"].startswith('Sarabun') or fonts["family"].startswith('"Sarabun"'), fonts
    assert fonts["loaded"] >= 1 and fonts["thai"], f"the Sarabun font did not load: {fonts}"


def test_thai_login_and_student_pages_on_a_phone(thai_phone, live_server, make):
    page = thai_phone
    assert page.viewport_size == {"width": 390, "height": 844}
    page.goto(f"{live_server}/auth/login")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator("h1").inner_text() == "เข้าสู่ระบบ"
    _assert_thai_font(page)
    page.watcher.assert_no_horizontal_scroll()

    student = make.student(make.classroom("P1/1"), full_name="เด็กหญิงมะลิ ใจดี", locale="th")
    sign_in(page, live_server, student.email, TEST_PASSWORD)
    assert "ยินดีต้อนรับ" in page.locator("h1").inner_text()
    _assert_thai_font(page)
    page.watcher.assert_no_horizontal_scroll()

    page.goto(f"{live_server}/announcements")
    assert page.locator("h1").inner_text() == "ประกาศ"
    page.watcher.assert_no_horizontal_scroll()


def test_a_thai_student_takes_an_assessment_and_checks_in_on_a_phone(thai_phone, live_server, make):
    from tests.factories import ONE_OF_EACH

    page = thai_phone
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    student = make.student("P1/1", full_name="เด็กหญิงมะลิ ใจดี", locale="th")
    quiz = make.assessment(teacher, title="แบบฝึกหัดหลักสิบ", questions=ONE_OF_EACH[:3],
                           section_id=ids["Counting in tens"], publish=True, time_limit_minutes=30)
    course_session = make.course_session(teacher, name="ชุมนุมคณิตศาสตร์", attendance_tracking_enabled=True)
    make.enrollment(course_session, student)
    make.meeting(course_session, code="KQ7M")

    sign_in(page, live_server, student.email, TEST_PASSWORD)
    page.goto(f"{live_server}/assessments/{quiz.id}")
    page.click("button:has-text('เริ่มทำ')")
    page.wait_for_selector("text=ข้อ 1 จาก 3")
    assert "เวลาที่เหลือ" in page.locator("#timer").inner_text()
    page.locator(".take-question").nth(2).locator("label.choice", has_text="ถูก").click()
    page.locator(".take-question").nth(2).locator(".save-state .saved").wait_for()
    assert "บันทึกแล้ว" in page.locator(".take-question").nth(2).locator(".save-state").inner_text()
    assert page.locator("#answered-count").inner_text() == "ตอบแล้ว 1 จาก 3 ข้อ"  # the script's template
    _assert_thai_font(page)
    page.watcher.assert_no_horizontal_scroll()

    page.goto(f"{live_server}/my/sessions/{course_session.id}")
    assert page.locator("h1").inner_text() == "ชุมนุมคณิตศาสตร์"
    page.fill("input[name=code]", "kq7m")
    page.click("#checkin button[type=submit]")
    page.locator("text=เช็คชื่อแล้ว").first.wait_for()
    page.watcher.assert_no_horizontal_scroll()
