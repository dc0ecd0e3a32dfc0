"""Whole journeys through the real pages, one person per device (issue 9).

* An administrator (desktop) creates a classroom, invites its teacher, who accepts, and makes
  them the homeroom teacher.
* A teacher (desktop) builds a subject's tree (reordering it by dragging), writes an assessment
  with a key and a long answer and publishes it; a student on a phone joins the teacher's session
  with its code, takes the assessment (reloading half-way), submits it; the teacher grades the long
  answer by hand and returns it; the student reads the feedback; a parent (phone) follows the child.

After every navigation and every htmx swap that changes the page the journeys check what a user
would notice: no console error or CSP violation (the PageWatcher), no horizontal scroll on a phone,
and no serious or critical accessibility violation found by axe-core.
"""

from __future__ import annotations

from tests.browser.conftest import DESKTOP, assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD, email_link


def check(page):
    """What every page of a journey must satisfy (phones: no horizontal scroll either)."""
    page.watcher.assert_clean()
    if page.viewport_size["width"] < 500:
        page.watcher.assert_no_horizontal_scroll()
    assert_accessible(page)


def visit(page, url):
    page.goto(url)
    check(page)


def accept_dialogs(page) -> list[str]:
    """Accept every confirm() on ``page``; returns the list their messages are appended to."""
    messages: list[str] = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return messages


# --- the administrator -------------------------------------------------------------------------

def test_admin_creates_a_classroom_and_invites_its_teacher(desktop, open_page, live_server, make, outbox):
    make.school()
    make.classroom("P1/1")
    admin = make.user(role="ADMIN", full_name="Ada Admin")
    sign_in(desktop, live_server, admin.email, TEST_PASSWORD)
    check(desktop)

    visit(desktop, f"{live_server}/classrooms")
    desktop.click("text=New classroom")
    desktop.locator("#classroom-form").wait_for()
    check(desktop)
    desktop.select_option("#level_id", label="P1 · Prathom 1")
    desktop.click("#classroom-form button[type=submit]")
    desktop.wait_for_selector("text=Classroom P1/2 created for 2026.")
    check(desktop)
    desktop.locator("a.classroom-card", has_text="P1/2").click()
    desktop.wait_for_selector("h1:has-text('P1/2')")
    classroom_url = desktop.url
    check(desktop)

    visit(desktop, f"{live_server}/admin/invitations")
    desktop.click("summary:has-text('Invite someone')")
    check(desktop)
    desktop.fill("#invite-form input[name=email]", "tom.teacher@example.org")
    desktop.fill("#invite-form input[name=full_name]", "Tom Teacher")
    desktop.select_option("#invite-form select[name=role]", "TEACHER")
    desktop.click("#invite-form button[type=submit]")
    desktop.wait_for_selector("text=Invitation sent to tom.teacher@example.org")
    check(desktop)

    # The teacher follows the emailed link on their own computer.
    teacher = open_page(DESKTOP)
    visit(teacher, f"{live_server}{email_link(outbox[-1], '/auth/invite/')}")
    teacher.fill("input[name=password]", "tom-password-1")
    teacher.fill("input[name=confirm]", "tom-password-1")
    teacher.click("#accept-invitation-form button[type=submit]")
    teacher.wait_for_url(f"{live_server}/")
    assert "Welcome, Tom Teacher" in teacher.locator("h1").inner_text()
    check(teacher)

    # The administrator makes them the new classroom's homeroom teacher.
    visit(desktop, classroom_url)
    desktop.click("#teachers summary:has-text('Assign a teacher')")
    check(desktop)
    desktop.select_option("#teacher-form select[name=teacher_id]", label="Tom Teacher (tom.teacher@example.org)")
    desktop.select_option("#teacher-form select[name=role]", "HOMEROOM")
    desktop.click("#teacher-form button[type=submit]")
    desktop.locator("#teachers li", has_text="Tom Teacher").wait_for()
    check(desktop)
    visit(desktop, f"{live_server}/classrooms")
    assert "Tom Teacher" in desktop.locator("a.classroom-card", has_text="P1/2").inner_text()
    visit(desktop, f"{live_server}/admin/invitations?status=ACCEPTED")
    assert "tom.teacher@example.org" in desktop.locator("#invitation-list").inner_text()
