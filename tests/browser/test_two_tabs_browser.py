"""Two tabs on one attempt, in a real browser on a phone (390×844, one browser context: the tabs
share the login and localStorage).  The tab that did not have the newest answer is told, gets the
newer text in its form, and keeps its own text in a box to copy; nothing is overwritten."""

from sqlalchemy import select

from lms.assessments.models import Answer
from tests.browser.conftest import PHONE, PageWatcher, assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def test_the_stale_tab_shows_the_message_and_both_texts(browser, live_server, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    student = make.student("P1/1")
    quiz = make.assessment(teacher, title="Essay quiz", questions=[ONE_OF_EACH[5]],
                           section_id=ids["Counting in tens"], publish=True)
    context = browser.new_context(**PHONE)
    try:
        tab_a = context.new_page()
        tab_a.set_default_timeout(10_000)
        watch_a = PageWatcher(tab_a)
        sign_in(tab_a, live_server, student.email, TEST_PASSWORD)
        tab_a.goto(f"{live_server}/assessments/{quiz.id}/take")
        tab_a.click("button:has-text('Start')")
        tab_a.wait_for_selector("text=Question 1 of 1")

        tab_b = context.new_page()  # the same attempt opened again, before anything is typed
        tab_b.set_default_timeout(10_000)
        watch_b = PageWatcher(tab_b)
        tab_b.goto(f"{live_server}/assessments/{quiz.id}/take")
        tab_b.wait_for_selector("text=Question 1 of 1")

        tab_a.locator("textarea[name=answer]").fill("Written in tab A: rows of ten")
        tab_a.locator(".save-state .saved").wait_for()

        tab_b.locator("textarea[name=answer]").fill("Typed in tab B: I used my fingers")
        box = tab_b.locator(".answer-conflict")
        box.wait_for()
        text = box.inner_text()
        assert "This answer was changed in another tab" in text
        assert "Written in tab A: rows of ten" in text                       # the newer text, shown ...
        assert tab_b.locator("textarea[name=answer]").input_value() == "Written in tab A: rows of ten"  # ... and applied
        assert "Your text in this tab" in text
        assert box.locator("textarea").input_value() == "Typed in tab B: I used my fingers"  # kept to copy
        assert db.scalar(select(Answer.response)) == {"text": "Written in tab A: rows of ten"}
        watch_b.assert_no_horizontal_scroll()
        assert_accessible(tab_b)

        # Tab B goes on from the newer text: saved, and the box with its own text is still there.
        tab_b.locator("textarea[name=answer]").fill("Written in tab A: rows of ten, and my fingers")
        tab_b.locator(".save-state .saved").wait_for()
        assert box.locator("textarea").input_value() == "Typed in tab B: I used my fingers"
        answer = db.scalar(select(Answer))
        assert answer.response == {"text": "Written in tab A: rows of ten, and my fingers"} and answer.revision == 2
        # No copy is left waiting on the device: nothing is re-sent later over the newer answer.
        tab_b.wait_for_timeout(500)
        assert tab_b.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('lms-answer:')).length") == 0

        # Tab A, now stale, is refused too when it types; submitting from it keeps the newest answer.
        tab_a.locator("textarea[name=answer]").fill("Tab A again")
        tab_a.locator(".answer-conflict").wait_for()
        assert tab_a.locator("textarea[name=answer]").input_value() == "Written in tab A: rows of ten, and my fingers"
        tab_a.on("dialog", lambda dialog: dialog.accept())
        tab_a.click("button:has-text('Submit my answers')")
        tab_a.wait_for_selector("text=Your answers were submitted.")
        assert "rows of ten, and my fingers" in tab_a.locator("main").inner_text()
        assert db.scalar(select(Answer.response)) == {"text": "Written in tab A: rows of ten, and my fingers"}
    finally:
        context.close()
    # Chrome logs the refused saves' 409 answers; those (and only those) are expected.
    for watcher in (watch_a, watch_b):
        watcher.errors = [e for e in watcher.errors if "Error Code 409 from /submissions/" not in e]
        watcher.assert_clean()
