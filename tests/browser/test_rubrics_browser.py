"""Rubrics in a real browser: a teacher builds one in the editor, attaches it to a long answer, and
grades one question across the class with the keyboard (arrow keys choose levels, the score and
the points follow at once, Enter saves); the student on a phone (390×844) sees the level given per
criterion, replies once to the feedback, and every tap target on the way is at least 44×44 px."""

from sqlalchemy import select

from lms.assessments.models import Answer, FeedbackReply, Question, Submission
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_phone_tap_targets_browser import assert_fits_a_phone
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def _fill_rubric(page):
    page.fill("#rubric-title", "Explaining")
    for i, (name, levels) in enumerate((("Ideas", ((4, "Clear and complete"), (2, "Partly"), (0, "Missing"))),
                                        ("Spelling", ((4, "No mistakes"), (2, "A few"), (0, "Many"))))):
        page.fill(f"#criterion-{i}-name", name)
        for j, (points, text) in enumerate(levels):
            page.fill(f"#level-{i}-{j}-points", str(points))
            page.fill(f"#level-{i}-{j}-description", text)


def test_grade_with_a_rubric_by_keyboard_and_the_student_replies_on_a_phone(desktop, phone, live_server, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    quiz = make.assessment(teacher, title="Essay quiz", questions=[ONE_OF_EACH[5]],
                           section_id=ids["Counting in tens"], publish=True)
    student = make.student("P1/1", full_name="Anna Ruk")
    attempt = make.attempt(student, quiz, {0: ["I counted in tens."]})
    question = db.scalars(select(Question).where(Question.assessment_id == quiz.id))[0]

    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/rubrics/new")
    _fill_rubric(desktop)
    desktop.get_by_role("button", name="Save the rubric").click()
    desktop.get_by_text("8 points at most").wait_for()
    desktop.goto(f"{live_server}/assessments/{quiz.id}/questions/{question.id}")
    desktop.locator("#question-rubric-choice").select_option(label="Explaining")
    desktop.get_by_role("button", name="Use this rubric").click()
    desktop.locator("#question-rubric", has_text="Graded with:").wait_for()

    desktop.goto(f"{live_server}/assessments/{quiz.id}/questions/{question.id}/grading")
    assert_accessible(desktop)
    radios = desktop.locator(".rubric-grading input[type=radio]")
    radios.nth(0).focus()
    desktop.keyboard.press("ArrowDown")  # Ideas: "Partly" (2)
    radios.nth(3).focus()
    desktop.keyboard.press("Space")  # Spelling: "No mistakes" (4)
    desktop.locator("[data-rubric-score]", has_text="6 of 8 rubric points → 2.25 of 3").wait_for()
    assert desktop.locator("#answer-points").input_value() == "2.25"
    desktop.locator("#answer-points").focus()
    desktop.keyboard.press("Enter")
    desktop.locator("#question-grading", has_text="1 of 1 answers graded").wait_for()
    answer = db.scalars(select(Answer).where(Answer.submission_id == attempt.id))[0]
    assert answer.manual_points == 2.25
    desktop.goto(f"{live_server}/submissions/{attempt.id}")
    desktop.fill("#overall-feedback", "Say why tens help.")
    desktop.get_by_role("button", name="Return to the student").click()
    desktop.wait_for_load_state("networkidle")
    assert db.get(Submission, attempt.id).status == "RETURNED"

    sign_in(phone, live_server, student.email, TEST_PASSWORD)
    phone.goto(f"{live_server}/submissions/{attempt.id}")
    chosen = phone.locator(".rubric-level.is-chosen")
    assert chosen.count() == 2
    assert "Partly" in chosen.nth(0).inner_text() and "No mistakes" in chosen.nth(1).inner_text()
    assert_fits_a_phone(phone, "the result page with a rubric and the reply form")
    assert_accessible(phone)
    phone.fill("#reply-body", "Tens are quicker to count.")
    phone.get_by_role("button", name="Send the reply").click()
    phone.locator("#feedback-reply blockquote", has_text="Tens are quicker to count.").wait_for()
    assert phone.locator("#reply-body").count() == 0
    assert db.scalars(select(FeedbackReply.body)) == ["Tens are quicker to count."]
    assert_fits_a_phone(phone, "the result page after replying")
    desktop.goto(f"{live_server}/submissions/{attempt.id}")
    assert "Tens are quicker to count." in desktop.locator("#feedback-reply").inner_text()
