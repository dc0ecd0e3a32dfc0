"""Suspension and view-as in a real browser: the admin user page with its
suspension form (htmx), then viewing as a student on a phone-sized page: the banner, a refused
change, Stop; axe-clean throughout."""

from tests.browser.conftest import PHONE, assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD


def test_admin_suspends_then_views_as_a_student_and_stops(open_page, live_server, make):
    make.school()
    student = make.student("P1/1", full_name="Somchai Student")
    other = make.student("P1/1", full_name="Nok Suspended")
    admin = make.user(role="ADMIN", full_name="Ada Admin")
    page = open_page(PHONE)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)

    page.goto(f"{live_server}/admin/users/{other.id}")
    page.click("summary:has-text('Suspend this account')")
    page.click("button:has-text('Suspend and sign out everywhere')")  # no reason: a clear message
    page.wait_for_selector("#reason-error")
    assert "Give a reason" in page.inner_text("#reason-error")
    # htmx logs the expected 422 (the form with its message) as a console error
    page.watcher.errors = [e for e in page.watcher.errors if "Error Code 422 from /admin/users/" not in e]
    assert_accessible(page)
    page.fill("textarea[name=reason]", "Lost library books")
    page.click("button:has-text('Suspend and sign out everywhere')")
    page.wait_for_selector("#user-suspension .flash-success")
    assert "Lost library books" in page.inner_text("#user-suspension")
    assert_accessible(page)

    page.goto(f"{live_server}/students/{student.id}")
    page.click("button:has-text('View as Somchai Student')")
    page.wait_for_selector(".view-as-banner")
    assert "You are viewing as Somchai Student (Student), read-only." in page.inner_text(".view-as-banner")
    page.watcher.assert_no_horizontal_scroll()
    assert_accessible(page)
    page.click(".view-as-banner button:has-text('Stop')")
    page.wait_for_url(f"**/students/{student.id}")
    assert page.locator(".view-as-banner").count() == 0
