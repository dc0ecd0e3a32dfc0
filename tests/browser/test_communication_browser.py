"""Announcements, the unread badge and the analytics pages in a real browser."""

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in


def test_student_opens_the_announcement_and_the_badge_clears_without_a_reload(phone, live_server, demo):
    sign_in(phone, live_server, "student@example.org", DEMO_PASSWORD)
    badge = phone.locator("#unread-badge")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "1"
    phone.click(".inbox-link")
    phone.wait_for_url(f"{live_server}/notifications")
    phone.locator("#unread-badge").wait_for(state="visible")
    phone.evaluate("() => { window.lmsNoReload = true; }")
    phone.click("text=P1/1 field trip on Friday")
    phone.locator(".announcement-body").wait_for()
    assert "science museum" in phone.locator(".announcement-body").inner_text()
    phone.locator("#unread-badge").wait_for(state="hidden")
    assert phone.evaluate("() => window.lmsNoReload === true"), "the page was reloaded"
    assert phone.locator("#unread-badge").get_attribute("data-count") == "0"
    phone.watcher.assert_no_horizontal_scroll()


def test_analytics_user_page_fits_a_phone(phone, live_server, demo):
    sign_in(phone, live_server, "student@example.org", DEMO_PASSWORD)
    phone.goto(f"{live_server}/analytics")
    assert phone.url.endswith(f"/analytics/users/{demo['student@example.org']}")
    assert phone.locator("h1").inner_text() == "Sam Student"
    assert phone.locator("svg.heatmap").is_visible()
    phone.click("text=The figures as a table >> nth=0")
    phone.watcher.assert_no_horizontal_scroll()
    # wide tables scroll inside their own box
    scroller = phone.locator("#user-login-sessions .table-scroll")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")


def test_admin_writes_a_classroom_announcement(desktop, live_server, demo):
    sign_in(desktop, live_server, "admin@example.org", DEMO_PASSWORD)
    desktop.goto(f"{live_server}/announcements/new")
    people = desktop.locator('[data-target-field="PEOPLE"]')
    assert people.is_hidden()
    desktop.select_option("#target_kind", "CLASSROOM")
    assert desktop.locator('[data-target-field="CLASSROOM"]').is_visible() and people.is_hidden()
    desktop.click('button[value="publish"]')  # no title yet
    desktop.wait_for_selector("text=Give the announcement a title.")
    # htmx logs the expected 422 (the form with its message) as a console error
    desktop.watcher.errors = [e for e in desktop.watcher.errors if "Error Code 422 from /announcements/new" not in e]
    assert desktop.locator('[data-target-field="CLASSROOM"]').is_visible()  # still set up after the swap
    desktop.fill("#title", "Parents' evening")
    desktop.select_option("#classroom_id", label="P1/1")
    desktop.click('button[value="publish"]')
    desktop.wait_for_url(f"{live_server}/announcements/manage")
    assert "Published." in desktop.locator("main").inner_text()
    assert "read by 0 of 5" in desktop.locator("#announcement-manage").inner_text()  # P1/1's five pupils
