"""A teacher tries an assessment as a student in a phone-sized browser: the same take page under
the "Preview — not counted" banner, answers saved, submitted, the student's result page; the
gradebook still shows no attempt."""

from sqlalchemy import select

from lms.assessments.models import Submission
from tests.browser.conftest import PHONE, sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def test_a_teacher_tries_an_assessment_on_a_phone_and_the_gradebook_shows_no_attempt(open_page, live_server,
                                                                                     make, db):
    teacher = make.teacher("P1/1")
    room = make.classroom("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    make.student("P1/1")
    quiz = make.assessment(teacher, title="Tens quiz", questions=ONE_OF_EACH[:3],
                           section_id=ids["Counting in tens"], publish=True, time_limit_minutes=20)
    page = open_page(PHONE)
    sign_in(page, live_server, teacher.email, TEST_PASSWORD)
    page.goto(f"{live_server}/assessments/{quiz.id}")
    page.click("button:has-text('Try as a student')")
    page.wait_for_selector("text=Question 1 of 3")
    assert "Preview — not counted" in page.locator("#preview-banner").inner_text()
    assert "Time left" in page.locator("#timer").inner_text()
    page.watcher.assert_no_horizontal_scroll()

    page.locator(".take-question").nth(0).locator("label.choice", has_text="4").click()
    page.locator(".take-question").nth(0).locator(".save-state .saved").wait_for()
    page.locator(".take-question").nth(2).locator("label.choice", has_text="True").click()
    page.locator(".take-question").nth(2).locator(".save-state .saved").wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Submit my answers')")
    page.wait_for_selector("text=Your answers were submitted.")
    main = page.locator("main").inner_text()
    assert "Score: 2/4" in main and "Preview — not counted" in main
    page.watcher.assert_no_horizontal_scroll()
    assert db.scalar(select(Submission.status).where(Submission.student_id == teacher.id)) == "GRADED"

    page.goto(f"{live_server}/classrooms/{room.id}/gradebook/{subject.id}")
    book = page.locator("main").inner_text()
    assert "Tens quiz" in book and "2/4" not in book and "(50%)" not in book

    page.goto(f"{live_server}/assessments/{quiz.id}/preview")
    page.click("button:has-text('Leave preview')")
    page.wait_for_url(f"{live_server}/assessments/{quiz.id}")
    assert db.scalar(select(Submission.id).where(Submission.student_id == teacher.id)) is None


def test_on_a_desktop_the_preview_can_be_shown_in_a_phone_sized_frame(desktop, live_server, make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    quiz = make.assessment(teacher, title="Tens quiz", questions=ONE_OF_EACH[:2], display_mode="ONE_PER_SCREEN",
                           section_id=ids["Counting in tens"])
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/assessments/{quiz.id}")
    desktop.click("button:has-text('Try as a student')")
    desktop.wait_for_selector("text=Question 1 of 2")
    desktop.click("#preview-banner >> text=Phone size")
    desktop.wait_for_selector(".phone-frame")
    assert desktop.locator(".phone-frame").bounding_box()["width"] <= 390
    desktop.click("a[rel=next]")  # one question per screen: the frame stays
    desktop.wait_for_selector("text=Question 2 of 2")
    assert "frame=phone" in desktop.url and desktop.locator(".phone-frame").count() == 1


def test_extensions_from_the_assessment_page_with_a_confirmation_before_removing(desktop, live_server, make, db):
    from datetime import timedelta

    from lms.assessments.models import AssessmentExtension
    from lms.common.types import utcnow
    from tests.browser.conftest import assert_accessible

    teacher = make.teacher("P1/1")
    make.classroom("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    student = make.student("P1/1", full_name="Malee Slow")
    quiz = make.assessment(teacher, title="Tens quiz", questions=ONE_OF_EACH[:1], section_id=ids["Counting in tens"],
                           publish=True, attempts_allowed=1, due_at=utcnow() + timedelta(days=1))
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/assessments/{quiz.id}")
    panel = desktop.locator("#assessment-extensions")
    assert "No student has an extension." in panel.inner_text()
    panel.locator("select[name=student_id]").select_option(str(student.id))
    panel.locator("button:has-text('Choose')").click()
    desktop.wait_for_selector("#extension-panel form")
    desktop.eval_on_selector("#extension-panel input[name=reason]", "el => { el.value = 'bad\\u0000reason'; }")
    desktop.fill("#extension-panel input[name=extra_attempts]", "1")
    desktop.click("#extension-panel button:has-text('Grant extension')")
    desktop.wait_for_selector("#extension-panel .field-error")  # in place, not a 400 page
    assert "control character" in desktop.locator("#extension-panel").inner_text()
    desktop.fill("#extension-panel input[name=reason]", "was ill")
    desktop.click("#extension-panel button:has-text('Grant extension')")
    desktop.wait_for_selector("#assessment-extensions td:has-text('was ill')")
    assert db.count(AssessmentExtension) == 1
    assert_accessible(desktop)
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    desktop.on("dialog", dismiss)
    desktop.click("#assessment-extensions button:has-text('Remove')")
    assert messages and "Remove the extension of Malee Slow" in messages[0]
    assert db.count(AssessmentExtension) == 1  # dismissed: nothing removed
    desktop.remove_listener("dialog", dismiss)
    desktop.on("dialog", lambda dialog: dialog.accept())
    desktop.click("#assessment-extensions button:has-text('Remove')")
    desktop.wait_for_selector("text=No student has an extension.")
    assert db.count(AssessmentExtension) == 0
