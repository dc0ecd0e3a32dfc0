"""Bulk actions on the students list and deleting a mistaken student, in a real browser (desktop)."""

from tests.browser.conftest import assert_accessible, sign_in


def test_admin_ticks_students_moves_them_and_deletes_a_mistake(desktop, live_server, make):
    p1, p2 = make.classroom("P1/1"), make.classroom("P1/2")
    make.student(p1, full_name="Anna Bulk")
    make.student(p1, full_name="Ben Bulk")
    mistake = make.student(full_name="Typo Entry")
    admin = make.user(role="ADMIN")
    sign_in(desktop, live_server, admin.email, "correct-horse-battery")
    desktop.goto(f"{live_server}/students?classroom={p1.id}")
    assert_accessible(desktop)
    desktop.check("#bulk-all-page")  # "select all on this page" ticks every row
    assert desktop.locator('input[name="student_id"]:checked').count() == 2
    desktop.select_option("#bulk-action", "move")
    desktop.select_option("#bulk-classroom", str(p2.id))
    desktop.click("#bulk-form button[type=submit]")
    desktop.wait_for_selector("text=Move 2 students to P1/2?")
    assert "Anna Bulk, Ben Bulk" in desktop.locator("#bulk-panel").inner_text()
    assert_accessible(desktop)
    desktop.click("#bulk-panel button[type=submit]")
    desktop.wait_for_selector("text=2 students are now in P1/2")
    assert_accessible(desktop)

    desktop.goto(f"{live_server}/students/{mistake.id}/delete")
    assert "Typo Entry" in desktop.locator("#what-goes").inner_text()
    assert_accessible(desktop)
    desktop.on("dialog", lambda dialog: dialog.accept())
    desktop.click("text=Delete for good")
    desktop.wait_for_selector("text=Typo Entry was deleted.")
