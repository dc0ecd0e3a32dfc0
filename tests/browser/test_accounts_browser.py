"""Accounts in a real browser: the heartbeat on a phone, and an invitation from admin to new user."""

import re
from datetime import timedelta

from sqlalchemy import update

from lms.auth.models import UserSession
from lms.common.types import utcnow
from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD, email_link


def _is_ping(request) -> bool:
    return request.method == "POST" and request.url.endswith("/api/session/ping")


def test_the_heartbeat_pings_while_signed_in_on_a_phone(phone, live_server, make):
    make.organization(heartbeat_seconds=10)
    user = make.user(role="STUDENT", full_name="Phone Student")
    with phone.expect_request(_is_ping) as first:
        sign_in(phone, live_server, user.email, TEST_PASSWORD)
    assert first.value.response().status == 204
    # Once when the tab becomes visible again...
    with phone.expect_request(_is_ping) as on_visible:
        phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert on_visible.value.response().status == 204
    # ...and every N seconds while it stays visible.
    with phone.expect_request(_is_ping, timeout=15_000) as timed:
        pass
    assert timed.value.response().status == 204
    phone.watcher.assert_no_horizontal_scroll()
    phone.click("summary")
    phone.click("text=Sign out")
    phone.wait_for_url("**/auth/login")


def test_an_ended_login_session_sends_the_page_to_sign_in(phone, live_server, make, db):
    user = make.user(role="STUDENT")
    sign_in(phone, live_server, user.email, TEST_PASSWORD)
    phone.goto(f"{live_server}/me")
    phone.watcher.assert_no_horizontal_scroll()
    with db.ctx() as session:  # the user's login session expired while the phone slept
        session.execute(update(UserSession).values(started_at=utcnow() - timedelta(minutes=30),
                                                   last_active_at=utcnow() - timedelta(minutes=20)))
        session.commit()
    with phone.expect_request(_is_ping) as ping:
        phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert ping.value.response().status == 401
    phone.wait_for_url(re.compile(r".*/auth/login\?next=%2Fme$"))
    assert "without activity" in phone.locator("#messages").inner_text()


def test_an_admin_invites_and_the_invitee_accepts_via_the_link(desktop, browser, live_server, make, outbox):
    admin = make.user(role="ADMIN", full_name="Browser Admin")
    sign_in(desktop, live_server, admin.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/admin/invitations")
    desktop.click("summary:has-text('Invite someone')")
    desktop.fill("#invite-form input[name=email]", "new.teacher@example.org")
    desktop.fill("#invite-form input[name=full_name]", "Nina Newteacher")
    desktop.select_option("#invite-form select[name=role]", "TEACHER")
    desktop.click("#invite-form button[type=submit]")
    desktop.wait_for_selector("text=Invitation sent to new.teacher@example.org")
    assert desktop.locator("#invite-link").input_value().startswith("http://")
    path = email_link(outbox[-1], "/auth/invite/")

    from tests.browser.conftest import PHONE, PageWatcher

    context = browser.new_context(**PHONE)
    try:
        invitee = context.new_page()
        watcher = PageWatcher(invitee)
        invitee.goto(f"{live_server}{path}")
        assert invitee.locator("input[name=full_name]").input_value() == "Nina Newteacher"
        invitee.fill("input[name=password]", "nina-password-1")
        invitee.fill("input[name=confirm]", "nina-password-1")
        invitee.click("#accept-invitation-form button[type=submit]")
        invitee.wait_for_url(f"{live_server}/")
        assert "Welcome, Nina Newteacher" in invitee.locator("h1").inner_text()
        watcher.assert_no_horizontal_scroll()
        watcher.assert_clean()
    finally:
        context.close()
    desktop.goto(f"{live_server}/admin/invitations?status=ACCEPTED")
    assert "new.teacher@example.org" in desktop.locator("#invitation-list").inner_text()
