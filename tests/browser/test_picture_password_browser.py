"""Issue 15.3 in a real browser on a phone: a P1 student sets a picture password and signs in with it."""

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD


def _press(page, labels):
    for label in labels:
        page.get_by_role("button", name=label, exact=True).click()
        page.wait_for_load_state("networkidle")


def test_p1_student_sets_a_picture_password_and_signs_in_with_it(phone, live_server, make):
    make.student("P1/1", username="noi.p1", email=None, full_name="Noi Picture")
    sign_in(phone, live_server, "noi.p1", TEST_PASSWORD)
    phone.goto(f"{live_server}/auth/picture-password/setup")
    assert phone.locator("h1").inner_text() == "Choose your picture password"
    assert_accessible(phone)
    phone.watcher.assert_no_horizontal_scroll()
    # Large targets, three per row on a 390 px phone.
    boxes = [phone.locator(f"#picture-{name}").bounding_box() for name in ("sun", "moon", "star", "cat")]
    assert all(box["width"] >= 64 and box["height"] >= 64 for box in boxes)
    assert boxes[0]["y"] == boxes[2]["y"] and boxes[3]["y"] > boxes[0]["y"]
    # Keyboard: Enter on a focused picture picks it.
    phone.focus("#picture-cat")
    phone.keyboard.press("Enter")
    phone.wait_for_load_state("networkidle")
    assert "1 of 3 pictures chosen" in phone.locator(".picture-progress").inner_text()
    _press(phone, ["sun", "boat"])
    assert "Now press the same three pictures again" in phone.content()
    assert_accessible(phone)
    _press(phone, ["cat", "sun", "boat"])
    phone.wait_for_url(f"{live_server}/")
    assert "Your picture password is ready" in phone.content()
    phone.click("summary")
    phone.click("text=Sign out")
    phone.wait_for_url("**/auth/login")

    phone.get_by_role("button", name="Sign in with pictures").click()
    phone.wait_for_url("**/auth/login/pictures")
    assert_accessible(phone)
    phone.fill("#picture-login-name", "noi.p1")
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_load_state("networkidle")
    assert_accessible(phone)
    phone.watcher.assert_no_horizontal_scroll()
    _press(phone, ["cat", "sun"])
    assert "2 of 3 pictures chosen" in phone.locator(".picture-progress").inner_text()
    _press(phone, ["boat"])
    phone.wait_for_url(f"{live_server}/")
    assert "Noi Picture" in phone.content()
    phone.watcher.assert_no_horizontal_scroll()
