"""Two tabs on one attempt, in a real browser on a phone (390×844, one browser context: the tabs
share the login and localStorage).  The tab that did not have the newest answer is told, gets the
newer text in its form, and keeps its own text in a box to copy; nothing is overwritten."""

from sqlalchemy import select

from lms.assessments.models import Answer
from tests.browser.conftest import PHONE, PageWatcher, assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD
from tests.factories import ONE_OF_EACH


def _quiz(make):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    ids = make.tree(subject, {"Numbers": {"Tens": ["Counting in tens"]}})
    student = make.student("P1/1")
    quiz = make.assessment(teacher, title="Essay quiz", questions=[ONE_OF_EACH[5]],
                           section_id=ids["Counting in tens"], publish=True)
    return student, quiz


def _two_tabs(context, live_server, student, quiz):
    """Tab A starts the attempt; tab B opens it too, before anything is typed."""
    tabs = []
    for _name in "AB":
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        tab.watcher = PageWatcher(tab)
        tabs.append(tab)
    tab_a, tab_b = tabs
    sign_in(tab_a, live_server, student.email, TEST_PASSWORD)
    tab_a.goto(f"{live_server}/assessments/{quiz.id}/take")
    tab_a.click("button:has-text('Start')")
    tab_a.wait_for_selector("text=Question 1 of 1")
    tab_b.goto(f"{live_server}/assessments/{quiz.id}/take")
    tab_b.wait_for_selector("text=Question 1 of 1")
    return tab_a, tab_b


def _assert_clean(*tabs):
    # Chrome and htmx log the refused saves' 409 answers; those (and only those) are expected.
    for tab in tabs:
        tab.watcher.errors = [e for e in tab.watcher.errors if "Error Code 409 from /submissions/" not in e]
        tab.watcher.assert_clean()


def test_the_stale_tab_shows_the_message_and_both_texts(browser, live_server, make, db):
    student, quiz = _quiz(make)
    context = browser.new_context(**PHONE)
    try:
        tab_a, tab_b = _two_tabs(context, live_server, student, quiz)
        watch_b = tab_b.watcher

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
    _assert_clean(tab_a, tab_b)


def test_a_copy_kept_in_a_tab_without_a_connection_is_not_sent_over_the_newer_answer(browser, live_server, make, db):
    student, quiz = _quiz(make)
    context = browser.new_context(**PHONE)
    try:
        tab_a, tab_b = _two_tabs(context, live_server, student, quiz)
        # Tab B loses its connection (only B): its answer is kept on the device, "retrying".
        tab_b.route("**/answers/**", lambda route: route.abort("internetdisconnected"))
        tab_b.locator("textarea[name=answer]").fill("Typed in tab B without a signal")
        tab_b.locator(".save-state.not-saved").wait_for()
        # Tab A saves a newer answer, and never sends B's copy (B is still open: its copy is B's).
        tab_a.locator("textarea[name=answer]").fill("Written in tab A with a signal")
        tab_a.locator(".save-state .saved").wait_for()
        tab_a.wait_for_timeout(5000)  # more than one re-send round
        assert db.scalar(select(Answer.response)) == {"text": "Written in tab A with a signal"}

        # B's connection returns: its copy is sent with the revision it was typed on, and refused.
        tab_b.unroute("**/answers/**")
        box = tab_b.locator(".answer-conflict")
        box.wait_for(timeout=15_000)
        assert box.locator("textarea").input_value() == "Typed in tab B without a signal"
        assert tab_b.locator("textarea[name=answer]").input_value() == "Written in tab A with a signal"
        answer = db.scalar(select(Answer))
        assert answer.response == {"text": "Written in tab A with a signal"} and answer.revision == 1
        assert tab_b.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('lms-answer:')).length") == 0
    finally:
        context.close()
    offline = ("ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest", "Failed to fetch")
    tab_b.watcher.errors = [e for e in tab_b.watcher.errors if not any(o in e for o in offline)]
    _assert_clean(tab_a, tab_b)


def test_submitting_stops_when_a_kept_copy_was_changed_in_another_tab(browser, live_server, make, db):
    """A copy left on the device by a tab that has closed (typed on revision 0) is re-sent before
    submitting; it is refused, and the submit stops and says why instead of going on."""
    student, quiz = _quiz(make)
    context = browser.new_context(**PHONE)
    try:
        tab_a, tab_b = _two_tabs(context, live_server, student, quiz)
        tab_a.locator("textarea[name=answer]").fill("The newest answer")
        tab_a.locator(".save-state .saved").wait_for()
        attempt_id = tab_b.get_attribute("#take", "data-submission")
        key = tab_b.get_attribute("[data-answer-form]", "data-key")
        url = tab_b.get_attribute("[data-answer-form]", "hx-post")
        dialogs = []
        tab_b.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # The closed tab's copy appears and the student taps "Submit" at once (one script: no re-send between).
        tab_b.evaluate("""([key, url]) => {
            localStorage.setItem("lms-answer:" + key + "|closedtab", JSON.stringify(
                {url: url, fields: [["revision", "0"], ["answer", "Typed in a tab closed long ago"]], t: 1}));
            document.querySelector("#submit-form button[type=submit]").click();
        }""", [key, url])
        warning = tab_b.locator("#submit-warning")
        warning.wait_for()
        assert "changed in another tab" in warning.inner_text()
        assert dialogs == []  # not even asked: the student looks first
        box = tab_b.locator(".answer-conflict")
        assert box.locator("textarea").input_value() == "Typed in a tab closed long ago"
        assert tab_b.locator("textarea[name=answer]").input_value() == "The newest answer"
        assert db.scalar(select(Answer.response)) == {"text": "The newest answer"}
        from lms.assessments.models import Submission

        assert db.scalar(select(Submission.status).where(Submission.id == int(attempt_id))) == "IN_PROGRESS"
        assert_accessible(tab_b)
    finally:
        context.close()
    _assert_clean(tab_a, tab_b)
