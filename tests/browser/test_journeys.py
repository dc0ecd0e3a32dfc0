"""Whole journeys through the real pages, one person per device.

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

import re

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, sign_in
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


# --- the teacher, the student and the parent ---------------------------------------------------

def _titles(page, kind):
    return [t.strip() for t in page.locator(f".tree-{kind} .node-title").all_inner_texts()]


def _add_nodes(page, placeholder, *titles):
    """Type titles in one of the tree's "add" boxes, pressing Enter after each: the tree comes back
    with the new node and the focus stays in the box, so the next title is simply typed."""
    box = page.get_by_placeholder(placeholder, exact=True)
    box.click()
    for title in titles:
        page.keyboard.type(title)
        with page.expect_response(lambda r: r.request.method == "POST" and re.search(r"/(units|parts|sections)$", r.url)):
            page.keyboard.press("Enter")
        page.locator(".node-title", has_text=title).wait_for()
        expect(box).to_be_focused()
        expect(box).to_have_value("")
        check(page)


def _teacher_builds_the_subject(page, live_server, subject):
    visit(page, f"{live_server}/subjects/{subject.id}")
    _add_nodes(page, "New unit", "Numbers")
    _add_nodes(page, "New part in “Numbers”", "Counting")
    _add_nodes(page, "New section in “Counting”", "Ones", "Tens", "Hundreds")
    assert _titles(page, "section") == ["Ones", "Tens", "Hundreds"]
    # A real drag of the ⠿ handle (SortableJS): "Tens" goes above "Ones".
    source = page.locator(".tree-section", has_text="Tens").locator(".drag-handle")
    target = page.locator(".tree-section", has_text="Ones").locator(".drag-handle")
    with page.expect_response(lambda r: "/move" in r.url and r.status == 200):
        source.drag_to(target, steps=12, target_position={"x": 4, "y": 2})
    page.wait_for_function(
        "() => document.querySelector('.tree-section .node-title').textContent.trim() === 'Tens'")
    check(page)
    page.reload()
    assert _titles(page, "section") == ["Tens", "Ones", "Hundreds"]
    page.locator(".tree-unit .node-row").first.get_by_role("button", name="Publish with everything in it").click()
    page.locator(".tree-section", has_text="Hundreds").locator(".badge-success").wait_for()
    check(page)


def _teacher_writes_the_assessment(page, live_server) -> int:
    visit(page, f"{live_server}/assessments")
    page.click("text=New assessment")
    page.wait_for_url(f"{live_server}/assessments/new")
    check(page)
    page.fill("#create-form input[name=title]", "Tens check")
    page.select_option("#create-form select[name=core_subject_id]", label="Mathematics")
    page.select_option("#create-form select[name=level_id]", label="P1")
    page.click("#create-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/assessments/\d+$"))
    assessment_id = int(page.url.rsplit("/", 1)[1])
    check(page)

    # A single-choice question with its key, written in place under the list...
    page.select_option("#new-question-type", "SINGLE_CHOICE")
    page.click(".add-question button[type=submit]")
    page.locator("#question-new .question-editor").wait_for()
    check(page)
    page.fill("#qnew-q-text", "How many tens make 100?")
    page.fill("#qnew-q-points", "2")
    for i, option in enumerate(["5", "10", "100"]):
        page.fill(f"#question-new input[name=option-{i}]", option)
    page.check("#qnew-correct-1")
    page.click("#question-new button:has-text('Save')")
    page.wait_for_selector("text=Question added.")
    check(page)
    # ...and a long answer, graded by hand.
    page.select_option("#new-question-type", "LONG_ANSWER")
    page.click(".add-question button[type=submit]")
    page.locator("#question-new .question-editor").wait_for()
    page.fill("#qnew-q-text", "Explain how you count to 100 in tens.")
    page.fill("#qnew-q-points", "3")
    page.click("#question-new button:has-text('Save')")
    page.wait_for_selector("#question-list > li >> nth=1")
    assert page.url == f"{live_server}/assessments/{assessment_id}"  # no page was left
    assert page.locator("#questions").count() == 1 and page.locator("#question-new .question-editor").count() == 0
    check(page)

    page.click("text=Attach to a subject, unit, part or section")
    page.wait_for_url(re.compile(r".*/attach"))
    check(page)
    page.select_option("#attach-subject", label="Mathematics P1 (P1)")
    page.locator(".attach-tree").wait_for()
    check(page)
    page.check(".attach-tree label:has-text('Tens') input")
    page.click(".attach-tree button[type=submit]")
    page.wait_for_url(f"{live_server}/assessments/{assessment_id}")
    assert "Attached to" in page.locator("#attach-title + p").inner_text()
    page.click(".toolbar button:has-text('Publish')")
    page.locator("h1 .badge", has_text="Published").wait_for()
    check(page)
    return assessment_id


def _student_joins_and_takes_it(page, live_server, student, assessment_id) -> int:
    sign_in(page, live_server, student.email, TEST_PASSWORD)
    check(page)
    visit(page, f"{live_server}/my/sessions")
    page.click("text=Join with a code")
    page.wait_for_url(f"{live_server}/my/sessions/join")
    check(page)
    page.fill("input[name=session_code]", "tens-club")
    page.click("#join-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/my/sessions/\d+$"))
    assert page.locator("h1").inner_text() == "Tens club"
    check(page)

    # The subject, its "Tens" section, and the assessment attached to it.
    visit(page, f"{live_server}/subjects")
    page.click("text=Mathematics P1")
    page.locator(".learner-tree").wait_for()
    assert page.locator(".learner-tree .section-links a").all_inner_texts() == ["Tens", "Ones", "Hundreds"]
    check(page)
    page.click(".learner-tree >> text=Tens")
    page.wait_for_selector("h1:has-text('Tens')")
    check(page)
    page.click("text=Tens check")
    page.wait_for_url(f"{live_server}/assessments/{assessment_id}")
    assert page.locator("h1").inner_text() == "Tens check"
    check(page)
    page.click("button:has-text('Start')")
    page.wait_for_selector("text=Question 1 of 2")
    check(page)
    first, second = page.locator(".take-question").nth(0), page.locator(".take-question").nth(1)
    first.locator("label.choice", has_text="10").first.click()
    first.locator(".save-state .saved").wait_for()
    second.locator("textarea").fill("Ten, twenty, thirty… ten tens are a hundred.")
    second.locator(".save-state .saved").wait_for()
    check(page)

    page.reload()  # half-way: the answers are still there
    page.wait_for_selector("text=Question 1 of 2")
    assert first.locator("label.choice", has_text="10").first.locator("input").is_checked()
    assert second.locator("textarea").input_value() == "Ten, twenty, thirty… ten tens are a hundred."
    assert "2 of 2 answered" in page.locator("#answered-count").inner_text()
    check(page)

    dialogs = accept_dialogs(page)
    page.click("button:has-text('Submit my answers')")
    page.wait_for_selector("text=Your answers were submitted.")
    assert dialogs and "cannot change them afterwards" in dialogs[0]
    page.wait_for_url(re.compile(r".*/submissions/\d+$"))
    check(page)
    return int(page.url.rsplit("/", 1)[1])


def _teacher_grades_it(page, live_server, submission_id):
    visit(page, f"{live_server}/submissions")
    page.locator("#queue a", has_text="Sam Pupil").click()
    page.wait_for_url(f"{live_server}/submissions/{submission_id}")
    check(page)
    long_answer = page.locator(".grade-question.is-manual")
    assert "ten tens are a hundred" in long_answer.inner_text()
    long_answer.locator("input[name^=points-]").fill("3")
    long_answer.locator("textarea[name^=feedback-]").fill("Clear counting, well done.")
    page.fill("#overall-feedback", "Great work on tens!")
    page.click("button:has-text('Return to the student')")
    page.wait_for_selector("#messages .flash")
    # Saved as a fragment: the heading's status follows without a reload.
    page.locator("#grade-summary .badge", has_text="Returned").wait_for()
    page.locator("#grade-form-box .save-state", has_text="Saved").wait_for()
    check(page)


def _student_reads_the_feedback(page, live_server, submission_id):
    visit(page, f"{live_server}/assessments")
    page.click("text=My submitted work")
    page.wait_for_url(f"{live_server}/submissions")
    check(page)
    page.click("text=Tens check")
    page.wait_for_url(f"{live_server}/submissions/{submission_id}")
    text = page.locator("main").inner_text()
    assert "Great work on tens!" in text and "Clear counting, well done." in text and "Score: 5/5" in text
    check(page)


def _parent_follows_the_child(page, live_server, parent, student):
    sign_in(page, live_server, parent.email, TEST_PASSWORD)
    assert "Tens check" in page.locator("main").inner_text()
    check(page)
    visit(page, f"{live_server}/my/children")
    page.click("text=Sam Pupil")
    page.wait_for_url(f"{live_server}/students/{student.id}")
    assert page.locator("h1").inner_text() == "Sam Pupil"
    check(page)
    visit(page, f"{live_server}/students/{student.id}/progress")
    assert "Tens check" in page.locator("main").inner_text()
    # The child's sign-ins: the table is wider than the phone, so it scrolls in its box, which the
    # keyboard can reach and scroll too (a named region).
    visit(page, f"{live_server}/analytics/users/{student.id}")
    logins = page.locator("#user-login-sessions .table-scroll")
    expect(logins).to_have_attribute("tabindex", "0")
    expect(logins).to_have_accessible_name("Login sessions")
    logins.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=logins.element_handle())


def test_teacher_builds_and_grades_student_takes_it_on_a_phone_parent_follows(desktop, open_page, live_server, make):
    teacher = make.teacher("P1/1", full_name="Tara Teacher")
    student = make.student("P1/1", full_name="Sam Pupil")
    parent = make.parent_of(student, full_name="Pat Parent")
    subject = make.subject("P1", teachers=[teacher], name="Mathematics P1")
    make.course_session(teacher, subject, name="Tens club", code="TENSCLUB")

    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    check(desktop)
    _teacher_builds_the_subject(desktop, live_server, subject)
    assessment_id = _teacher_writes_the_assessment(desktop, live_server)

    student_phone = open_page(PHONE)
    submission_id = _student_joins_and_takes_it(student_phone, live_server, student, assessment_id)
    _teacher_grades_it(desktop, live_server, submission_id)
    _student_reads_the_feedback(student_phone, live_server, submission_id)
    _parent_follows_the_child(open_page(PHONE), live_server, parent, student)
