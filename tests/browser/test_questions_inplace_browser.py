"""Editing a question in place on the assessment page (desktop): the row becomes its editor, a
refused save shows the message in place with what was typed, the fixed save puts the updated row
and totals back, and the page never navigates."""

from sqlalchemy import select

from lms.assessments.models import Question
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def focused(page, element_id: str):
    """Wait until the element ``element_id`` has the focus (htmx moves it when the swap settles)."""
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=element_id)


def test_a_teacher_edits_a_question_in_place_fixes_an_error_and_sees_the_list_updated(desktop, live_server, make,
                                                                                      db):
    teacher = make.teacher("P1/1")
    make.subject("P1", teachers=[teacher])
    quiz = make.assessment(teacher, title="Tens quiz", questions=ONE_OF_EACH[:2])  # 1 + 2 points
    first, second = db.scalars(select(Question).where(Question.assessment_id == quiz.id).order_by(Question.position))
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/assessments/{quiz.id}")
    desktop.evaluate("window.sameDocument = true")  # gone if the page navigates
    row = desktop.locator(f"#question-{first.id}")
    assert desktop.locator("#question-totals").inner_text() == "2 questions · 3 points in all"

    row.get_by_role("button", name="Edit question 1").click()
    row.locator(".question-editor").wait_for()
    focused(desktop, f"q{first.id}-q-text")
    assert_accessible(desktop)
    row.locator("textarea[name=text]").fill("How many tens make 100?")
    row.locator("input[name=points]").fill("0")
    row.get_by_role("button", name="Save").click()
    row.locator(".flash-error", has_text="Points must be more than 0").wait_for()
    focused(desktop, f"q{first.id}-q-points")  # the field to fix
    assert row.locator("textarea[name=text]").input_value() == "How many tens make 100?"  # kept

    desktop.keyboard.press("Control+A")
    desktop.keyboard.type("5")
    row.get_by_role("button", name="Save").click()
    row.locator(".question-editor").wait_for(state="detached")
    assert "How many tens make 100?" in row.inner_text() and "Points: 5" in row.inner_text()
    assert desktop.locator("#question-totals").inner_text() == "2 questions · 7 points in all"
    desktop.locator("#messages", has_text="Question saved.").wait_for()
    focused(desktop, f"edit-question-{first.id}")  # back on the row
    assert desktop.evaluate("window.sameDocument") is True and desktop.url.endswith(f"/assessments/{quiz.id}")
    assert db.get(Question, first.id).points == 5

    # Cancel puts the other row back unchanged.
    other = desktop.locator(f"#question-{second.id}")
    other.get_by_role("button", name="Edit question 2").click()
    other.locator("textarea[name=text]").fill("Never saved")
    other.get_by_role("link", name="Cancel").click()
    other.locator(".question-editor").wait_for(state="detached")
    assert "Which are even?" in other.inner_text()
    focused(desktop, f"edit-question-{second.id}")
    assert desktop.evaluate("window.sameDocument") is True
    assert db.get(Question, second.id).text == "Which are even?"


def test_moving_another_question_keeps_an_open_editor_and_what_was_typed(desktop, live_server, make, db):
    teacher = make.teacher("P1/1")
    make.subject("P1", teachers=[teacher])
    quiz = make.assessment(teacher, title="Tens quiz", questions=ONE_OF_EACH[:3])
    first, second, third = db.scalars(select(Question).where(Question.assessment_id == quiz.id)
                                      .order_by(Question.position))
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/assessments/{quiz.id}")
    editor = desktop.locator(f"#question-{first.id}")
    desktop.locator(f"#edit-question-{first.id}").click()
    editor.locator("textarea[name=text]").fill("Typed before the move")
    desktop.locator(f"#up-question-{third.id}").click()  # the whole list comes back, in the new order
    desktop.wait_for_function(
        "order => [...document.querySelectorAll('#question-list > li')].map(li => li.id).join() === order",
        arg=f"question-{first.id},question-{third.id},question-{second.id}")
    assert editor.locator("textarea[name=text]").input_value() == "Typed before the move"
    editor.get_by_role("button", name="Save").click()  # still posts in place
    editor.locator(".question-editor").wait_for(state="detached")
    assert "Typed before the move" in editor.inner_text()
    assert [q.id for q in db.scalars(select(Question).where(Question.assessment_id == quiz.id)
                                     .order_by(Question.position))] == [first.id, third.id, second.id]
    assert db.get(Question, first.id).text == "Typed before the move"


def test_two_tabs_editing_one_question_the_second_save_is_refused_with_a_reload(desktop, live_server, make, db):
    teacher = make.teacher("P1/1")
    make.subject("P1", teachers=[teacher])
    quiz = make.assessment(teacher, title="Tens quiz", questions=ONE_OF_EACH[:1])
    question = db.scalars(select(Question).where(Question.assessment_id == quiz.id))[0]
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    tabs = [desktop, desktop.context.new_page()]
    for tab in tabs:
        tab.goto(f"{live_server}/assessments/{quiz.id}")
        tab.locator(f"#edit-question-{question.id}").click()
        tab.locator(f"#question-{question.id} .question-editor").wait_for()
    for tab, text in zip(tabs, ["Saved in tab one", "Typed in tab two"], strict=True):
        row = tab.locator(f"#question-{question.id}")
        row.locator("textarea[name=text]").fill(text)
        row.get_by_role("button", name="Save").click()
    first, second = (tab.locator(f"#question-{question.id}") for tab in tabs)
    first.locator(".question-editor").wait_for(state="detached")
    second.locator(".flash-error", has_text="changed in another tab").wait_for()
    assert second.locator("textarea[name=text]").input_value() == "Typed in tab two"  # kept to copy
    assert db.get(Question, question.id).text == "Saved in tab one"
    second.get_by_role("button", name="Reload the question").click()
    second.locator(".flash-error").wait_for(state="detached")
    assert second.locator("textarea[name=text]").input_value() == "Saved in tab one"
