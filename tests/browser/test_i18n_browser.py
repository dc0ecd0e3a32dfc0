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
