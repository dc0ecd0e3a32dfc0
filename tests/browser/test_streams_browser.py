"""Streams in a real browser: a student asks on a phone, the teacher answers and hides a rude comment,
the student is notified; written HTML never runs."""

from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, assert_accessible, sign_in

XSS = 'Is 70 seven tens? <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [a](javascript:window.__xss=3)'


def test_a_question_answered_and_a_rude_comment_hidden(phone, open_page, live_server, demo):
    sign_in(phone, live_server, "student@example.org", DEMO_PASSWORD)
    phone.goto(f"{live_server}/my/stream")
    phone.locator("text=Welcome to P1/1").wait_for()
    phone.fill("#body", XSS)
    phone.click("#stream-main button[type=submit]")
    phone.locator(".stream-post >> text=Is 70 seven tens?").wait_for()
    assert phone.evaluate("() => window.__xss") is None
    phone.watcher.assert_no_horizontal_scroll()
    assert_accessible(phone)

    pupil = open_page(PHONE)
    sign_in(pupil, live_server, "pupil1", DEMO_PASSWORD)
    pupil.goto(phone.url)
    question = pupil.locator(".stream-post", has_text="Is 70 seven tens?")
    question.locator("textarea").fill("What a dumb question")
    question.locator(".stream-comment-form button").click()
    pupil.locator(".stream-comment >> text=What a dumb question").wait_for()

    teacher = open_page()
    sign_in(teacher, live_server, "teacher@example.org", DEMO_PASSWORD)
    teacher.goto(phone.url)
    post = teacher.locator(".stream-post", has_text="Is 70 seven tens?")
    post.locator(".stream-comment", has_text="What a dumb question").locator("button", has_text="Hide").click()
    teacher.locator(".stream-comment .badge", has_text="Hidden").wait_for()
    post = teacher.locator(".stream-post", has_text="Is 70 seven tens?")
    post.locator("textarea").fill("Yes: 10, 20, 30, 40, 50, 60, 70.")
    post.locator(".stream-comment-form button").click()
    teacher.locator(".stream-comment >> text=Yes: 10, 20").wait_for()
    assert teacher.evaluate("() => window.__xss") is None

    phone.reload()
    assert "Yes: 10, 20" in phone.locator("#stream-posts").inner_text()
    assert "What a dumb question" not in phone.locator("#stream-posts").inner_text()
    pupil.reload()
    assert "Hidden by your teacher" in pupil.locator("#stream-posts").inner_text()
    phone.goto(f"{live_server}/notifications")
    assert "replied to your post" in phone.locator("main").inner_text()


def test_the_list_refreshes_itself_but_never_under_a_half_written_comment(desktop, open_page, live_server, demo):
    sign_in(desktop, live_server, "teacher@example.org", DEMO_PASSWORD)
    student = open_page(PHONE)
    sign_in(student, live_server, "student@example.org", DEMO_PASSWORD)
    student.goto(f"{live_server}/my/stream")
    student.locator("text=Welcome to P1/1").wait_for()
    url = student.url
    statuses = []
    student.on("response", lambda r: statuses.append(r.status) if "poll=1" in r.url else None)

    def poll():  # what "every 30s" does, now (the element's own request: its URL and If-None-Match)
        student.evaluate("() => htmx.trigger(document.getElementById('stream-posts'), 'poll-now')")

    student.evaluate("""() => { const list = document.getElementById('stream-posts');
        list.setAttribute('hx-trigger', 'every 30s, poll-now'); htmx.process(list); }""")
    poll()
    student.wait_for_function("() => !document.querySelector('.htmx-request')")
    student.wait_for_timeout(300)
    assert statuses == [304]

    desktop.goto(url)
    desktop.fill("#body", "Bring a ruler tomorrow")
    desktop.click("#stream-main button[type=submit]")
    desktop.locator(".stream-post >> text=Bring a ruler tomorrow").wait_for()
    student.evaluate("""() => { const list = document.getElementById('stream-posts');
        list.setAttribute('hx-trigger', 'every 30s, poll-now'); htmx.process(list); }""")
    student.locator(".stream-comment-form textarea").first.fill("Half written")
    poll()
    student.wait_for_timeout(500)
    assert "Bring a ruler" not in student.locator("#stream-posts").inner_text()
    assert student.locator(".stream-comment-form textarea").first.input_value() == "Half written"
    student.locator(".stream-comment-form textarea").first.fill("")
    poll()
    student.locator(".stream-post >> text=Bring a ruler tomorrow").wait_for()
    assert statuses[-1] == 200
