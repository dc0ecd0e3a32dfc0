"""A tutor creates an in-person session: choosing another centre reloads the room list (htmx)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from lms.common.types import utcnow
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD

BANGKOK = ZoneInfo("Asia/Bangkok")  # the test school's timezone


def test_the_room_list_follows_the_chosen_centre(desktop, live_server, make, db):
    from lms.teaching.models import CourseSession

    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher], name="Chess")
    north = make.centre("North", rooms=["Room 1"])
    south = make.centre("South", rooms=["Hall 7"])
    sign_in(desktop, live_server, teacher.email, TEST_PASSWORD)
    desktop.goto(f"{live_server}/sessions/new")
    assert "Room 1" not in desktop.locator("#room_id").inner_text()  # two centres: none chosen yet
    desktop.select_option("#centre_id", str(north.id))
    desktop.locator("#room_id option", has_text="Room 1").wait_for(state="attached")
    desktop.select_option("#centre_id", str(south.id))
    desktop.locator("#room_id option", has_text="Hall 7").wait_for(state="attached")
    assert "Room 1" not in desktop.locator("#room_id").inner_text()
    start = utcnow() + timedelta(days=1)
    desktop.fill("#session_name", "Chess club")
    desktop.fill("#start_date", start.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M"))
    desktop.fill("#end_date", (start + timedelta(days=30)).astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M"))
    desktop.select_option("#course_id", str(subject.id))
    desktop.select_option("#mode", "IN_PERSON")
    desktop.select_option("#room_id", str(south.room_ids["Hall 7"]))
    assert_accessible(desktop)
    desktop.click("#session-form button[type=submit]")
    desktop.locator(".session-mode").wait_for()
    assert "In person · Hall 7 at South" in desktop.locator(".session-mode").inner_text()
    assert db.count(CourseSession, CourseSession.room_id == south.room_ids["Hall 7"]) == 1
