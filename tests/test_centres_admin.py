"""Issue 18.1: administrators keep the centres (sites) of the organization and their rooms: create,
edit, archive, delete when unused, with clear errors before the database's constraints."""

import pytest
from sqlalchemy import select, update

from lms.audit.models import AuditLog
from lms.centres.models import Centre, Room
from lms.teaching.models import CourseSession

HTMX = {"HX-Request": "true"}


def _centre(db, name) -> Centre:
    return db.scalar(select(Centre).where(Centre.name == name))


def _give_session_centre(db, course_session, centre, room_id=None):
    with db.ctx() as session:
        values = {"centre_id": centre.id}
        if room_id:
            values.update(room_id=room_id, mode="IN_PERSON")
        session.execute(update(CourseSession).where(CourseSession.id == course_session.id).values(**values))
        session.commit()


def test_an_admin_creates_edits_and_lists_centres(client, as_role, db):
    as_role("ADMIN")
    response = client.post("/admin/centres/new", data={"name": "  Sukhumvit   branch ", "address": "12 Soi 3\nBangkok",
                                                       "timezone": ""})
    centre = _centre(db, "Sukhumvit branch")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/admin/centres/{centre.id}")
    assert centre.address == "12 Soi 3\nBangkok" and centre.timezone is None
    assert db.count(AuditLog, AuditLog.action == "centre.create") == 1
    # The organization's own timezone is not stored; another one is.
    client.post(f"/admin/centres/{centre.id}/edit", data={"name": "Sukhumvit", "address": "", "timezone": "Asia/Bangkok"})
    assert db.get(Centre, centre.id).timezone is None
    client.post(f"/admin/centres/{centre.id}/edit", data={"name": "Sukhumvit", "address": "", "timezone": "Asia/Tokyo"})
    assert db.get(Centre, centre.id).timezone == "Asia/Tokyo" and db.get(Centre, centre.id).name == "Sukhumvit"
    page = client.get("/admin/centres").get_data(as_text=True)
    assert "Sukhumvit" in page and "Asia/Tokyo" in page
    assert "centres.admin.index" not in page and 'href="/admin/centres"' in page  # the admin menu links here


@pytest.mark.parametrize("data, message", [
    ({"name": "north"}, "There is already a centre called “north”."),
    ({"name": "N" * 101}, "Field cannot be longer than 100 characters."),
    ({"name": "   "}, "This field is required."),
    ({"name": "South", "timezone": "Mars/Olympus"}, "Choose a timezone from the list."),
    ({"name": "South\x00"}, "control character"),
])
def test_bad_centre_input_is_a_clear_error_and_nothing_is_stored(client, as_role, make, db, data, message):
    make.centre("North")
    as_role("ADMIN")
    response = client.post("/admin/centres/new", data={"address": "", "timezone": "", **data}, headers=HTMX)
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    assert db.count(Centre) == 1


def test_the_services_refuse_what_the_form_might_let_through(app, make):
    from lms.auth.models import User
    from lms.centres import operations
    from lms.common.errors import ValidationFailed
    from lms.extensions import db as _db

    make.centre("North")
    admin = make.user(role="ADMIN")
    with app.test_request_context():
        actor = _db.session.get(User, admin.id)
        for name, address in [("NORTH", ""), ("x" * 101, ""), ("Ok", "a\x00b"), ("Ok", "x" * 501)]:
            with pytest.raises(ValidationFailed):
                operations.create_centre(actor, name, address)


def test_archive_and_unarchive_a_centre(client, as_role, make, db):
    centre = make.centre("Thonburi")
    student = make.user(role="STUDENT")
    as_role("ADMIN")
    client.post(f"/admin/centres/{centre.id}/archive", follow_redirects=True)
    assert db.get(Centre, centre.id).archived_at is not None
    assert "Thonburi" not in client.get("/admin/centres").get_data(as_text=True)
    assert "Thonburi" in client.get("/admin/centres?archived=1").get_data(as_text=True)
    # An archived centre takes no new members.
    response = client.post(f"/admin/centres/{centre.id}/members", data={"user_ids": [student.id]}, headers=HTMX)
    assert response.status_code == 422 and "takes no new members" in response.get_data(as_text=True)
    client.post(f"/admin/centres/{centre.id}/unarchive")
    assert db.get(Centre, centre.id).archived_at is None


def test_a_centre_in_use_cannot_be_deleted(client, as_role, make, db):
    used = make.centre("Used", rooms=["R1"])
    with_member = make.centre("Members", members=[make.user(role="STUDENT")])
    unused = make.centre("Unused", rooms=["Spare"])
    _give_session_centre(db, make.course_session(), used)
    as_role("ADMIN")
    response = client.post(f"/admin/centres/{used.id}/delete", follow_redirects=True)
    assert "has teaching sessions (1), so it cannot be deleted. Archive it instead." in response.get_data(as_text=True)
    response = client.post(f"/admin/centres/{with_member.id}/delete", follow_redirects=True)
    assert "has members (1)" in response.get_data(as_text=True)
    assert db.get(Centre, used.id) and db.get(Centre, with_member.id)
    response = client.post(f"/admin/centres/{unused.id}/delete")
    assert response.status_code == 303 and db.get(Centre, unused.id) is None
    assert db.count(Room, Room.centre_id == unused.id) == 0


def test_rooms_are_added_renamed_archived_and_deleted_in_place(client, as_role, make, db):
    centre = make.centre("North", rooms=["Blue room"])
    blue = centre.room_ids["Blue room"]
    as_role("ADMIN")
    response = client.post(f"/admin/centres/{centre.id}/rooms", data={"name": "Red room", "capacity": "12"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="rooms"') and "Red room" in body
    red = db.scalar(select(Room).where(Room.name == "Red room"))
    assert red.capacity == 12
    # Renaming to another room's name (any case) is refused, in the row itself.
    response = client.post(f"/admin/centres/{centre.id}/rooms/{red.id}/edit", data={"name": "BLUE ROOM"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and body.lstrip().startswith(f'<li id="room-{red.id}"')
    assert "already has a room called “BLUE ROOM”" in body
    response = client.post(f"/admin/centres/{centre.id}/rooms/{red.id}/edit", data={"name": "Red", "capacity": ""},
                           headers=HTMX)
    assert response.status_code == 200 and db.get(Room, red.id).name == "Red" and db.get(Room, red.id).capacity is None
    response = client.post(f"/admin/centres/{centre.id}/rooms/{red.id}/edit", data={"name": "Red", "capacity": "99999"},
                           headers=HTMX)
    assert response.status_code == 422 and db.get(Room, red.id).capacity is None
    # The same room name in another centre is fine.
    other = make.centre("South")
    assert client.post(f"/admin/centres/{other.id}/rooms", data={"name": "blue room"}).status_code == 303
    # Archive, then delete: a room used by a session stays.
    client.post(f"/admin/centres/{centre.id}/rooms/{blue}/archive", headers=HTMX)
    assert db.get(Room, blue).archived_at is not None
    _give_session_centre(db, make.course_session(), centre, room_id=blue)
    response = client.post(f"/admin/centres/{centre.id}/rooms/{blue}/delete", headers=HTMX)
    assert response.status_code == 422 and "is used by teaching sessions (1)" in response.get_data(as_text=True)
    response = client.post(f"/admin/centres/{centre.id}/rooms/{red.id}/delete", headers=HTMX)
    assert response.status_code == 200 and db.get(Room, red.id) is None
    # A room of another centre is not found through this one.
    assert client.post(f"/admin/centres/{other.id}/rooms/{blue}/archive").status_code == 404


@pytest.mark.parametrize("role", ["TEACHER", "STUDENT", "PARENT"])
def test_only_administrators_reach_the_centre_pages(client, as_role, make, role):
    centre = make.centre("North", rooms=["R"])
    as_role(role)
    for url in ["/admin/centres", f"/admin/centres/{centre.id}", f"/admin/centres/{centre.id}/members",
                f"/admin/centres/{centre.id}/members/export.csv", f"/admin/centres/{centre.id}/classrooms"]:
        assert client.get(url).status_code == 403, url
    for url in ["/admin/centres/new", f"/admin/centres/{centre.id}/delete", f"/admin/centres/{centre.id}/rooms",
                f"/admin/centres/{centre.id}/rooms/{centre.room_ids['R']}/delete"]:
        assert client.post(url, data={"name": "x"}).status_code == 403, url


def test_unknown_centres_and_rooms_are_404(client, as_role, make):
    centre = make.centre("North")
    as_role("ADMIN")
    assert client.get("/admin/centres/999999").status_code == 404
    assert client.post("/admin/centres/999999/edit", data={"name": "x"}).status_code == 404
    assert client.get("/admin/centres/999999/members").status_code == 404
    assert client.post(f"/admin/centres/{centre.id}/rooms/999999/edit", data={"name": "x"}).status_code == 404


def test_a_bad_new_room_answers_the_rooms_with_the_error(client, as_role, make, db):
    centre = make.centre("North", rooms=["Blue"])
    as_role("ADMIN")
    for data, message in [({"name": "BLUE"}, "already has a room called “BLUE”"),
                          ({"name": "Big", "capacity": "99999999999999999999"}, "too large"),
                          ({"name": "Big", "capacity": "0"}, "Number must be between 1 and 10000."),
                          ({"name": "R" * 61}, "Field cannot be longer than 60 characters.")]:
        response = client.post(f"/admin/centres/{centre.id}/rooms", data=data, headers=HTMX)
        body = response.get_data(as_text=True)
        assert response.status_code in (400, 422) and message in body, data
    assert db.count(Room, Room.centre_id == centre.id) == 1
    client.post(f"/admin/centres/{centre.id}/archive")
    response = client.post(f"/admin/centres/{centre.id}/rooms", data={"name": "Late"}, headers=HTMX)
    assert response.status_code == 422 and "bring it back before adding rooms" in response.get_data(as_text=True)
