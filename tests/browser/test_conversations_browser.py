"""Messages with parents and help requests in a real browser: a parent on a phone writes (an XSS
attempt stays text), the idle poll is a 304 that leaves the page as it is, the teacher answers."""

from sqlalchemy import select

from lms.conversations.models import MessageThread
from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

HOSTILE = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script>'


def test_parent_writes_on_a_phone_and_the_teacher_answers(phone, open_page, live_server, demo, db):
    thread_id = db.scalar(select(MessageThread.id).where(MessageThread.parent_id == demo["parent@example.org"]))
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(phone, live_server, "parent@example.org", DEMO_PASSWORD)
    phone.goto(f"{live_server}/messages")
    phone.click(f'a[href="/messages/{thread_id}"]')
    phone.wait_for_url(f"{live_server}/messages/{thread_id}")
    phone.fill("#body", HOSTILE)
    phone.click("#message-form button[type=submit]")
    phone.locator(".message.mine .message-body", has_text="window.hacked=2").wait_for()
    assert phone.locator(".message.mine .message-body").last.inner_text() == HOSTILE
    assert phone.evaluate("() => window.hacked === undefined") and dialogs == []
    assert phone.locator("#body").input_value() == ""  # the form came back empty
    phone.watcher.assert_no_horizontal_scroll()
    assert_accessible(phone)

    # The idle poll: 304, nothing swapped (the messages stay on the page).
    with phone.expect_response(lambda r: r.url.endswith(f"/messages/{thread_id}")
                               and r.request.method == "GET") as polled:
        phone.evaluate("() => htmx.ajax('GET', location.pathname, {source: '#thread-messages'})")
    assert polled.value.status == 304
    phone.wait_for_timeout(300)
    assert phone.locator(".message.mine .message-body").last.inner_text() == HOSTILE

    teacher = open_page()
    sign_in(teacher, live_server, "teacher@example.org", DEMO_PASSWORD)
    teacher.goto(f"{live_server}/messages")
    assert "Sam Student" in teacher.locator("#inbox").inner_text()
    teacher.goto(f"{live_server}/messages/{thread_id}")
    assert teacher.locator(".message-body").last.inner_text() == HOSTILE
    teacher.fill("#body", "Thank you, I will look into it.\nSee you on Monday.")
    teacher.click("#message-form button[type=submit]")
    teacher.locator(".message.mine .message-body", has_text="See you on Monday.").wait_for()
    assert teacher.evaluate("() => window.hacked === undefined")

    # The parent's next poll brings the answer (the version changed).
    phone.evaluate("() => htmx.ajax('GET', location.pathname, {source: '#thread-messages', target: '#thread-messages'})")
    phone.locator(".message-body", has_text="See you on Monday.").wait_for()


def test_student_asks_for_help_from_a_section_on_a_phone(phone, live_server, demo):
    sign_in(phone, live_server, "student@example.org", DEMO_PASSWORD)
    phone.goto(f"{live_server}/my/help-requests")
    assert "Comparing numbers" in phone.locator("#help-list").inner_text()
    phone.click("#help-list a >> nth=0")
    phone.click("#help-detail a >> nth=0")  # the section the request is about
    phone.click("text=Ask my teacher for help")
    phone.fill("#question", "<b>What</b> is a ten?")
    phone.click("#help-form button[type=submit]")
    phone.locator("#help-detail .message-body", has_text="<b>What</b> is a ten?").wait_for()
    phone.watcher.assert_no_horizontal_scroll()
    assert_accessible(phone)
