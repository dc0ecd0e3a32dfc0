"""The student's badges page on a phone (390x844), from the navigation, in both themes: the badges
earned with their reason, the points, the progress towards the next badges; and the parent's view."""

import re

import pytest
from sqlalchemy import update

from lms.auth.models import User
from lms.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, assert_accessible, sign_in
from tests.browser.test_phone_tap_targets_browser import assert_fits_a_phone


@pytest.mark.parametrize("theme", ["LIGHT", "DARK"])
def test_the_student_reads_their_badges_on_a_phone(open_page, live_server, demo, db, theme):
    with db.ctx() as session:
        session.execute(update(User).values(theme=theme))
        session.commit()
    page = open_page(PHONE)
    sign_in(page, live_server, "student@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server}/")
    page.click("details.site-menu summary")  # the phone's menu
    page.locator("details.site-menu a[href='/my/badges']").click()
    page.wait_for_url(f"{live_server}/my/badges")
    earned = page.locator("#earned-badges").inner_text()
    assert "Helping hand" in earned and "Helped a classmate count in tens." in earned
    assert "First assessment passed" in earned
    assert int(page.locator("[data-points-total]").get_attribute("data-points-total")) >= 20
    assert re.search(r"\d+ of 10", page.locator("#badges-to-earn").inner_text())  # "Ten sessions" (the demo study group counts)
    assert_fits_a_phone(page, "the badges page")
    assert_accessible(page)
    page.watcher.assert_clean()


def test_the_parent_sees_the_childs_badges_on_a_phone(open_page, live_server, demo):
    page = open_page(PHONE)
    sign_in(page, live_server, "parent@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server}/")
    page.click("a.child-badges-link")
    page.wait_for_url(f"{live_server}/my/children/{demo['student@example.org']}/badges")
    assert "Helping hand" in page.locator("#earned-badges").inner_text()
    assert page.locator("text=Take back").count() == 0
    assert_fits_a_phone(page, "the child's badges")
    assert_accessible(page)
    page.watcher.assert_clean()


def test_a_teacher_gives_a_badge_with_a_reason_and_takes_it_back_after_confirming(open_page, live_server, demo):
    from tests.browser.conftest import DESKTOP

    student_id = demo["student@example.org"]
    page = open_page(DESKTOP)
    sign_in(page, live_server, "teacher@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server}/students/{student_id}")
    page.click(f"a[href='/students/{student_id}/badges']")
    page.wait_for_url(f"{live_server}/students/{student_id}/badges")
    page.click("details.give-badge summary")
    page.select_option("#badge_id", label="✨ Great effort")
    page.click("#award-form button[type=submit]")  # no reason: refused, nothing given
    page.wait_for_selector("#reason-error")
    page.fill("#reason", "Finished every exercise this week.")
    page.click("#award-form button[type=submit]")
    page.wait_for_selector("text=got the badge “Great effort”")
    earned = page.locator("#earned-badges")
    assert "Finished every exercise this week." in earned.inner_text()
    assert_accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("li.reward-badge", has_text="Great effort").locator("button", has_text="Take back").click()
    page.wait_for_selector("text=was taken back from")
    assert "Great effort" not in page.locator("#earned-badges").inner_text()
    page.watcher.assert_clean()
