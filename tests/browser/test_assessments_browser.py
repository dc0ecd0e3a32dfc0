"""Assessments in a real browser at 390×844: a student takes one (reloads half-way, submits with
the confirmation), then reads the teacher's feedback; and an answer typed while the connection
is down reaches the server when it comes back."""

from sqlalchemy import select

from lms.assessments.models import Answer, Submission
from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def _course(make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    student = make.student("P1/1")
    return teacher, ids, student


def _wait_saved(page, index):
    page.locator(".take-question").nth(index).locator(".save-state .saved").wait_for()


def test_student_takes_an_assessment_on_a_phone_and_reads_the_feedback(phone, live_server, make, db, app):
    teacher, ids, student = _course(make)
    questions = [{**ONE_OF_EACH[0], "text": "2 + 2 = ? " + "A long line of text " * 8}] + ONE_OF_EACH[1:6]
    quiz = make.assessment(teacher, title="Tens quiz", questions=questions, section_id=ids["Counting in tens"],
                           publish=True, time_limit_minutes=30)
    sign_in(phone, live_server, student.email, TEST_PASSWORD)
    phone.goto(f"{live_server}/sections/{ids['Counting in tens']}")
    phone.click("text=Tens quiz")
    phone.click("button:has-text('Start')")
    phone.wait_for_selector("text=Question 1 of 6")
    assert phone.url.endswith(f"/assessments/{quiz.id}/take")
    phone.watcher.assert_no_horizontal_scroll()
    assert "Time left" in phone.locator("#timer").inner_text()

    phone.locator(".take-question").nth(0).locator("label.choice", has_text="4").click()
    _wait_saved(phone, 0)
    second = phone.locator(".take-question").nth(1)
    second.locator("label.choice", has_text="2").first.click()
    second.locator("label.choice", has_text="4").click()
    _wait_saved(phone, 1)
    phone.locator(".take-question").nth(3).locator("input[name=answer]").fill("bangkok")
    _wait_saved(phone, 3)

    phone.reload()  # half-way: everything typed so far is still there
    phone.wait_for_selector("text=Question 1 of 6")
    assert phone.locator(".take-question").nth(0).locator("input[name=answer][value='1']").is_checked()
    assert phone.locator(".take-question").nth(3).locator("input[name=answer]").input_value() == "bangkok"
    assert "3 of 6 answered" in phone.locator("#answered-count").inner_text()

    phone.locator(".take-question").nth(2).locator("label.choice", has_text="True").click()
    _wait_saved(phone, 2)
    number = phone.locator(".take-question").nth(4)
    number.locator("input[name=answer]").fill("six")
    hint = number.locator("small[id^=number-hint]")
    hint.wait_for()  # said while typing
    assert hint.inner_text() == "Enter a number, e.g. 12 or 3.5."
    number.locator(".save-state .not-saved").wait_for()  # and refused by the server
    number.locator("input[name=answer]").fill("3.14")
    phone.locator(".take-question").nth(5).locator("textarea").fill("I counted the rows of ten.")
    _wait_saved(phone, 5)
    _wait_saved(phone, 4)
    assert not hint.is_visible()
    phone.watcher.assert_no_horizontal_scroll()

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    phone.on("dialog", accept)
    phone.click("button:has-text('Submit my answers')")
    phone.wait_for_selector("text=Your answers were submitted.")
    assert dialogs and "cannot change them afterwards" in dialogs[0]
    assert "Score: 6/9" in phone.locator("main").inner_text()
    phone.watcher.assert_no_horizontal_scroll()

    attempt = db.scalar(select(Submission))
    with app.app_context():
        from lms.assessments import grading
        from lms.auth.models import User
        from lms.extensions import db as _db

        submission = _db.session.get(Submission, attempt.id)
        grading.grade(_db.session.get(User, teacher.id), submission, points={str(attempt.question_order[5]): "3"},
                      feedback={str(attempt.question_order[5]): "Nicely explained"},
                      overall_feedback="Well done, all correct!", return_to_student=True)
        _db.session.commit()
        _db.session.remove()
    phone.goto(f"{live_server}/submissions/{attempt.id}")
    text = phone.locator("main").inner_text()
    assert "Well done, all correct!" in text and "Nicely explained" in text and "Score: 9/9" in text
    phone.watcher.assert_no_horizontal_scroll()


def test_an_answer_typed_offline_reaches_the_server_when_the_connection_returns(phone, live_server, make, db):
    teacher, ids, student = _course(make)
    quiz = make.assessment(teacher, title="Offline quiz", questions=[ONE_OF_EACH[3], ONE_OF_EACH[5]],
                           section_id=ids["Counting in tens"], publish=True)
    sign_in(phone, live_server, student.email, TEST_PASSWORD)
    phone.goto(f"{live_server}/assessments/{quiz.id}/take")
    phone.click("button:has-text('Start')")
    phone.wait_for_selector("text=Question 1 of 2")
    field = phone.locator(".take-question").nth(1).locator("textarea")
    phone.context.set_offline(True)
    field.fill("Written on the bus without a signal")
    phone.locator(".take-question").nth(1).locator(".save-state.not-saved").wait_for(timeout=10_000)
    assert not phone.locator("#connection-state").is_hidden()
    assert db.count(Answer) == 0
    phone.context.set_offline(False)
    phone.locator(".take-question").nth(1).locator(".save-state .saved").wait_for(timeout=15_000)
    answer = db.scalar(select(Answer))
    assert answer.response == {"text": "Written on the bus without a signal"}
    assert phone.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('lms-answer:')).length") == 0
    # Chrome and htmx report the failed requests made while offline; those (and only those) are expected.
    offline = ("ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest")
    phone.watcher.errors = [e for e in phone.watcher.errors if not any(o in e for o in offline)]
