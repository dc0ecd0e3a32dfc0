"""Issue 18.1 in a real browser: an administrator makes a centre, adds and renames rooms in place
(htmx rows), adds members from the search; a second centre brings the students list's centre filter.
Axe-clean in the light and the dark theme, and on a phone without sideways scrolling."""

import pytest
from sqlalchemy import select, update

from lms.auth.models import User
from lms.centres.models import Centre, CentreMembership, Room
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, sign_in
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize("theme, options", [("LIGHT", DESKTOP), ("DARK", PHONE)])
def test_an_admin_keeps_centres_rooms_and_members(open_page, live_server, make, db, theme, options):
    make.school()
    make.student("P1/1", full_name="Anna Centre")
    admin = make.user(role="ADMIN")
    with db.ctx() as session:
        session.execute(update(User).where(User.id == admin.id).values(theme=theme))
        session.commit()
    name = f"Sukhumvit {theme.lower()}"

    page = open_page(options)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.goto(f"{live_server}/admin/centres")
    assert_accessible(page)
    page.click("summary:has-text('New centre')")
    page.fill("#name", name)
    page.fill("#address", "12 Soi 3, Bangkok")
    page.click("button:has-text('Create the centre')")
    page.wait_for_selector(f"h1:has-text('{name}')")
    page.evaluate("() => { window.lmsNoReload = true; }")
    page.fill("#room-form #name", "Blue room")
    page.click("button:has-text('Add the room')")
    page.locator(".room-row input[value='Blue room']").wait_for()
    page.fill("#room-form #name", "Red room")
    page.click("button:has-text('Add the room')")
    page.locator(".room-row input[value='Red room']").wait_for()
    centre = db.scalar(select(Centre).where(Centre.name == name))
    red = db.scalar(select(Room).where(Room.centre_id == centre.id, Room.name == "Red room"))
    row = page.locator(f"#room-{red.id}")
    row.locator("input[name=name]").fill("blue ROOM")
    row.locator("button:has-text('Save')").click()
    page.locator(f"#room-{red.id} .field-error").wait_for()
    assert "already has a room called" in page.locator(f"#room-{red.id} .field-error").inner_text()
    assert_accessible(page)
    row.locator("input[name=name]").fill("Green room")
    row.locator("button:has-text('Save')").click()
    page.locator(f"#room-{red.id} .field-error").wait_for(state="detached")
    assert db.get(Room, red.id).name == "Green room"
    assert page.evaluate("() => window.lmsNoReload === true"), "the page was reloaded"
    page.watcher.assert_no_horizontal_scroll()

    page.click("nav.toolbar >> text=Members")
    page.fill("#picker-q", "anna")
    page.locator("#picker-results label:has-text('Anna Centre')").wait_for()
    page.check("#picker-results label:has-text('Anna Centre') input")
    page.click("button:has-text('Add the chosen people')")
    page.locator("#members-heading:has-text('1 member')").wait_for()
    assert_accessible(page)
    page.watcher.assert_no_horizontal_scroll()
    assert db.count(CentreMembership, CentreMembership.centre_id == centre.id) == 1

    make.centre(f"Thonburi {theme.lower()}")
    page.goto(f"{live_server}/students")
    page.select_option("select[name=centre]", label=name)
    page.wait_for_url(f"**/students?*centre={centre.id}*")
    assert_accessible(page)
