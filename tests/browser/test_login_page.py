import pytest

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_login_page_fits_the_screen_without_horizontal_scroll(request, live_server, device):
    page = request.getfixturevalue(device)
    page.goto(f"{live_server}/auth/login")
    assert page.locator("h1").inner_text() == "Sign in"
    page.watcher.assert_no_horizontal_scroll()


def test_signing_in_and_out_in_a_real_browser(phone, live_server, make):
    user = make.user(role="STUDENT", full_name="Browser Student")
    sign_in(phone, live_server, user.email, TEST_PASSWORD)
    assert "Welcome, Browser Student" in phone.locator("h1").inner_text()
    phone.watcher.assert_no_horizontal_scroll()
    phone.click("summary")
    phone.click("text=Sign out")
    phone.wait_for_url("**/auth/login")


def test_wrong_password_shows_the_error_next_to_the_field(desktop, live_server, make):
    user = make.user()
    sign_in(desktop, live_server, user.email, "not-the-password")
    assert "Wrong sign-in name or password" in desktop.locator(".field-error").inner_text()
