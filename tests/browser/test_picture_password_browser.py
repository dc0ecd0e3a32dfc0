"""Picture passwords in a real browser on a phone: a P1 student sets a picture password and signs in with it."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD


def _press(page, labels, start=0, last_leaves=False):
    """Press pictures by their label; each press swaps in the new count (checked after each)."""
    for n, label in enumerate(labels, start=start + 1):
        page.get_by_role("button", name=label, exact=True).click()
        if last_leaves and n == start + len(labels):
            return
        expect(page.locator(".picture-progress")).to_contain_text(f"{n % 3} of 3 pictures chosen")


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
    expect(phone.locator(".picture-progress")).to_contain_text("1 of 3 pictures chosen")
    # htmx keeps the focus on the pressed picture, so the next one is a Tab away.
    assert phone.evaluate("document.activeElement.id") == "picture-cat"
    assert "cat" in phone.locator(".picture-sequence").inner_text()  # the chosen sequence is shown
    _press(phone, ["sun", "boat"], start=1)
    expect(phone.locator("#picture-password-setup")).to_contain_text("Now press the same three pictures again")
    assert_accessible(phone)
    _press(phone, ["cat", "sun", "boat"], last_leaves=True)
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
    expect(phone.locator(".picture-progress")).to_contain_text("0 of 3 pictures chosen")
    assert_accessible(phone)
    phone.watcher.assert_no_horizontal_scroll()
    _press(phone, ["cat", "sun"])
    assert "cat" not in phone.locator("#picture-login .picture-progress").inner_text()  # only a count
    _press(phone, ["boat"], start=2, last_leaves=True)
    phone.wait_for_url(f"{live_server}/")
    assert "Noi Picture" in phone.content()
    phone.watcher.assert_no_horizontal_scroll()
