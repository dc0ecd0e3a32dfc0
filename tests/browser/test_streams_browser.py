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
