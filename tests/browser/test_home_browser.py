"""The home pages and the navigation in a real browser."""

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD


def test_student_home_on_a_phone(phone, live_server, demo):
    sign_in(phone, live_server, "student@example.org", DEMO_PASSWORD)
    assert phone.url.rstrip("/") == live_server
    for card in ("#due-soon", "#continue", "#my-announcements", "#my-teaching-sessions"):
        assert phone.locator(card).is_visible(), card
    assert "Comparing numbers homework" in phone.locator("#due-soon").inner_text()
    phone.watcher.assert_no_horizontal_scroll()
    # The bar is a compact menu on a phone: the links are in it, the wide bar is hidden.
    assert phone.locator(".nav-links").is_hidden()
    phone.click(".site-menu summary")
    phone.locator(".site-menu >> text=My sessions").click()
    phone.wait_for_url(f"{live_server}/my/sessions")
    phone.watcher.assert_no_horizontal_scroll()
    # "Continue where you stopped" goes back to the section opened last.
    phone.goto(f"{live_server}/")
    phone.click("#continue .continue-button")
    phone.wait_for_url(f"{live_server}/sections/**")
    title = phone.locator("h1").inner_text()
    phone.goto(f"{live_server}/")
    assert phone.locator("#continue .continue-button").inner_text() == title
    phone.watcher.assert_no_horizontal_scroll()


def test_parent_switches_between_two_children_on_the_home_page(phone, live_server, make):
    first = make.student("P1/1", full_name="Anna Child")
    second = make.student("P2/1", full_name="Ben Child")
    parent = make.parent_of(first, second)
    sign_in(phone, live_server, parent.email, TEST_PASSWORD)
    assert phone.locator("#child-name").inner_text().startswith("Anna Child")
    phone.evaluate("() => { window.lmsNoReload = true; }")
    phone.click(f'.child-tabs [data-child-id="{second.id}"]')
    phone.locator("#child-name >> text=Ben Child").wait_for()
    assert phone.url.endswith(f"/?child={second.id}")
    assert phone.locator(f'.child-tabs [data-child-id="{second.id}"]').get_attribute("aria-current") == "page"
    assert phone.evaluate("() => window.lmsNoReload === true"), "the page was reloaded"
    phone.watcher.assert_no_horizontal_scroll()
    phone.click(f'.child-tabs [data-child-id="{first.id}"]')
    phone.locator("#child-name >> text=Anna Child").wait_for()
    assert "P1/1" in phone.locator("#child-name").inner_text()
    phone.watcher.assert_no_horizontal_scroll()


def test_admin_bar_fits_one_line_and_dropdowns_work_from_the_keyboard(desktop, live_server, demo):
    sign_in(desktop, live_server, "admin@example.org", DEMO_PASSWORD)
    assert desktop.locator("#online-now").is_visible()
    items = desktop.locator(".site-nav > ul:not(.nav-compact) > li:visible")
    tops = {round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(items.count()))}
    assert max(tops) - min(tops) < 20, f"the navigation wraps: {sorted(tops)}"
    desktop.watcher.assert_no_horizontal_scroll()
    school = desktop.locator('[data-nav-group="school"]')
    assert school.locator("a >> text=Classrooms").is_hidden()
    school.locator("summary").focus()
    desktop.keyboard.press("Enter")
    assert school.locator("a >> text=Classrooms").is_visible()
    desktop.keyboard.press("Escape")
    assert school.locator("a >> text=Classrooms").is_hidden()
    school.locator("summary").focus()
    desktop.keyboard.press("Enter")
    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Enter")
    desktop.wait_for_url(f"{live_server}/classrooms")
    assert desktop.locator('[data-nav-group="school"] summary.nav-current').count() == 1
