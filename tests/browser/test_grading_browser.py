"""Grading one question across the class in a real browser with the keyboard only: Enter in the
points saves and shows the next answer (htmx swap, the URL follows), Alt+←/→ move between answers
and a reload keeps the place."""

from sqlalchemy import select

from lms.assessments.models import Answer, Question, Submission
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def test_a_teacher_grades_one_question_for_three_students_with_the_keyboard(desktop, live_server, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    quiz = make.assessment(teacher, title="Essay quiz", questions=[ONE_OF_EACH[0], ONE_OF_EACH[5]],
                           section_id=ids["Counting in tens"], publish=True)
    names = ["Anna Ruk", "Boon Mee", "Chai Dee"]
    attempts = [make.attempt(make.student("P1/1", full_name=name), quiz, {0: ["1"], 1: [f"{name} counted."]})
                for name in names]
    question = db.scalars(select(Question).where(Question.assessment_id == quiz.id, Question.position == 1))[0]
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/assessments/{quiz.id}/questions/{question.id}/grading")
    position = desktop.locator(".grading-position")
    assert position.inner_text() == "1 of 3" and "Anna Ruk counted." in desktop.content()
    assert_accessible(desktop)
    for number, (name, points) in enumerate(zip(names, ["2", "3", "1"], strict=True), start=1):
        desktop.locator("#question-grading").get_by_text(f"{name} counted.").wait_for()
        assert desktop.evaluate("document.activeElement.id") == "answer-points"
        desktop.keyboard.type(points)
        desktop.keyboard.press("Enter")
        if number < 3:
            desktop.locator(".grading-position", has_text=f"{number + 1} of 3").wait_for()
            assert f"submission={attempts[number].id}" in desktop.url
    desktop.locator("#question-grading", has_text="3 of 3 answers graded").wait_for()
    desktop.keyboard.press("Alt+ArrowLeft")
    desktop.locator(".grading-position", has_text="2 of 3").wait_for()
    assert desktop.locator("#answer-points").input_value() == "3"
    desktop.reload()
    assert desktop.locator(".grading-position").inner_text() == "2 of 3"
    desktop.keyboard.press("Alt+ArrowRight")
    desktop.locator(".grading-position", has_text="3 of 3").wait_for()
    points = {a.id: db.scalars(select(Answer.manual_points).where(
        Answer.submission_id == a.id, Answer.question_version_id == a.question_order[1]))[0] for a in attempts}
    assert list(points.values()) == [2, 3, 1]
    assert [db.get(Submission, a.id).final_score for a in attempts] == [3, 4, 2]
