"""Matching questions in a browser: a student on a 390×844 phone matches with native drop-downs
(each labelled by its item, large enough to tap, the shuffled order kept after a reload, every
choice saved at once) and sees the pairing and the right ones after submitting; a teacher adds
pair rows with htmx and saves the pairs."""

from sqlalchemy import func, select

from lms.assessments.models import Question, Submission
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_phone_tap_targets_browser import assert_fits_a_phone
from tests.conftest import TEST_PASSWORD

HOMES = {"type": "MATCHING", "text": "Match each animal with its home.", "points": 3,
         "options": [["ผึ้ง (bee)", "bird", "fish"], ["hive", "nest", "sea", "stable"]],
         "key": {"matches": [0, 1, 2]}}


def _options(page, index: int) -> list[str]:
    return page.locator("select[name=answer]").nth(index).locator("option").all_inner_texts()


def test_a_student_matches_on_a_phone_and_sees_the_pairing_after_submitting(phone, live_server, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Animals": {"Homes": ["Where animals live"]}})
    student = make.student("P1/1")
    quiz = make.assessment(teacher, title="Homes", questions=[HOMES], section_id=ids["Where animals live"],
                           publish=True)
    sign_in(phone, live_server, student.email, TEST_PASSWORD)
    phone.goto(f"{live_server}/assessments/{quiz.id}")
    phone.click("button:has-text('Start')")
    phone.wait_for_selector("text=Question 1 of 1")
    assert_fits_a_phone(phone, "the take page with a matching question")
    assert_accessible(phone)

    # Each drop-down is named by its item (for screen readers and a tap on the label).
    bee, bird = phone.get_by_label("ผึ้ง (bee)"), phone.get_by_label("bird")
    assert bee.evaluate("el => el.tagName") == "SELECT"
    order = _options(phone, 0)
    assert order[0] == "Choose…" and sorted(order[1:]) == ["hive", "nest", "sea", "stable"]
    bee.select_option(label="hive")
    phone.locator(".save-state .saved").wait_for()
    bird.select_option(label="stable")
    phone.wait_for_function("() => document.querySelector('.save-state').textContent.includes('Saved')"
                            " && !document.querySelector('.htmx-request')")
    assert "1 of 1 answered" in phone.locator("#answered-count").inner_text()

    phone.reload()
    phone.wait_for_selector("text=Question 1 of 1")
    assert _options(phone, 0) == order  # the same shuffle after a reload
    assert phone.get_by_label("ผึ้ง (bee)").evaluate("el => el.selectedOptions[0].textContent") == "hive"
    assert phone.get_by_label("bird").evaluate("el => el.selectedOptions[0].textContent") == "stable"
    phone.get_by_label("fish").select_option(label="sea")
    phone.wait_for_function("() => !document.querySelector('.htmx-request')"
                            " && document.querySelector('.save-state').textContent.includes('Saved')")

    phone.on("dialog", lambda dialog: dialog.accept())
    phone.click("button:has-text('Submit my answers')")
    phone.wait_for_selector("text=Your answers were submitted.")
    main = phone.locator("main").inner_text()
    assert "2 of 3 points" in main and "bird → stable" in main and "Correct: nest" in main
    assert "ผึ้ง (bee) → hive" in main
    assert_fits_a_phone(phone, "the result page")
    assert db.scalar(select(Submission.final_score).where(Submission.student_id == student.id)) == 2


def test_a_teacher_adds_pair_rows_and_saves_the_pairs(desktop, live_server, make, db):
    teacher = make.teacher("P1/1")
    quiz = make.assessment(teacher, title="Homes", questions=[{"type": "MATCHING", "text": "Match them."}])
    question = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/assessments/{quiz.id}/questions/{question.id}")
    rows = desktop.locator(".pair-row")
    assert rows.count() == 4
    for index, (left, right) in enumerate([("cat", "animal"), ("rose", "flower"), ("iron", "metal"),
                                           ("แมว", "สัตว์")]):
        desktop.get_by_label(f"Pair {index + 1}: left item").fill(left)
        desktop.get_by_label(f"Pair {index + 1}: its match").fill(right)
    desktop.click("button:has-text('Add more pairs')")
    desktop.wait_for_function("() => document.querySelectorAll('.pair-row').length === 7")
    assert desktop.get_by_label("Pair 4: left item").input_value() == "แมว"  # what was typed is kept
    desktop.get_by_label("Pair 5: left item").fill("water")
    desktop.get_by_label("Pair 5: its match").fill("liquid")
    desktop.click("button[aria-label='Remove pair 4']")
    desktop.wait_for_function("() => document.querySelectorAll('.pair-row').length === 6")
    # The row that took the removed one's place gets the focus (after htmx settles): wait for it
    # before typing elsewhere, or the focus would move in the middle of the typing.
    desktop.wait_for_function("() => document.activeElement && document.activeElement.value === 'water'")
    assert desktop.get_by_label("Pair 4: left item").input_value() == "water"
    desktop.fill("#q-extras", "gas")
    desktop.click("button:has-text('Save and back to the list')")
    desktop.wait_for_selector("text=Question saved.")
    saved = db.get(Question, question.id)
    assert saved.options == [["cat", "rose", "iron", "water"], ["animal", "flower", "gas", "liquid", "metal"]]
    assert saved.key == {"matches": [0, 1, 4, 3]}


def test_a_teacher_adds_pairs_in_place_in_a_new_question_and_saves_it_with_enter(desktop, live_server, make, db):
    teacher = make.teacher("P1/1")
    quiz = make.assessment(teacher, title="Homes", questions=[HOMES])
    existing = db.scalar(select(Question).where(Question.assessment_id == quiz.id))
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/assessments/{quiz.id}")
    desktop.evaluate("window.sameDocument = true")  # gone if the page navigates
    desktop.locator(f"#edit-question-{existing.id}").click()  # another editor open at the same time
    desktop.locator(f"#question-{existing.id} .question-editor").wait_for()
    desktop.select_option("#new-question-type", "MATCHING")
    desktop.click(".add-question button:has-text('Add')")
    new = desktop.locator("#question-new")
    new.locator(".question-editor").wait_for()
    assert new.locator(".pair-row").count() == 4
    for index, (left, right) in enumerate([("cat", "animal"), ("rose", "flower"), ("iron", "metal"),
                                           ("แมว", "สัตว์")]):
        new.get_by_label(f"Pair {index + 1}: left item").fill(left)
        new.get_by_label(f"Pair {index + 1}: its match").fill(right)
    new.locator("textarea[name=text]").fill("Match each thing with its kind.")
    new.get_by_role("button", name="Add more pairs").click()
    desktop.wait_for_function("() => document.querySelectorAll('#question-new .pair-row').length === 7")
    desktop.wait_for_function("() => document.activeElement && document.activeElement.id === 'qnew-pair-left-4'")
    assert new.get_by_label("Pair 4: left item").input_value() == "แมว"  # what was typed is kept
    assert new.locator("textarea[name=text]").input_value() == "Match each thing with its kind."
    # The other editor is untouched, and the two editors share no id.
    assert desktop.locator(f"#question-{existing.id} .pair-row").count() == 5
    assert desktop.evaluate("() => { const ids = [...document.querySelectorAll('.question-editor [id]')]"
                            ".map(e => e.id);"
                            " return ids.filter((id, i) => ids.indexOf(id) !== i); }") == []
    new.get_by_role("button", name="Remove pair 2").click()
    desktop.wait_for_function("() => document.querySelectorAll('#question-new .pair-row').length === 6")
    desktop.wait_for_function("() => document.activeElement && document.activeElement.value === 'iron'")
    assert new.get_by_label("Pair 2: left item").input_value() == "iron"
    assert db.scalar(select(func.count()).select_from(Question).where(Question.assessment_id == quiz.id)) == 1

    new.locator("input[name=points]").fill("3")
    new.locator("input[name=points]").press("Enter")  # saves (the first submit button is not a "×")
    desktop.locator("#messages", has_text="Question added.").wait_for()
    assert desktop.evaluate("window.sameDocument") is True
    added = db.scalars(select(Question).where(Question.assessment_id == quiz.id).order_by(Question.position))[1]
    assert added.options == [["cat", "iron", "แมว"], ["animal", "metal", "สัตว์"]]
    assert added.key == {"matches": [0, 1, 2]} and added.points == 3
