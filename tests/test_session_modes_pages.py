"""Session modes on the pages: the form's mode, centre and room (the room select follows the centre),
clear field errors, room clashes when adding meetings, the link on the student's page only around a
meeting, and what parents see."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from lms.centres.models import Centre, Room
from lms.common.types import utcnow
from lms.teaching.models import CourseSession, CourseSessionMeeting
from tests.conftest import AuthActions

BANGKOK = ZoneInfo("Asia/Bangkok")
HX = {"HX-Request": "true"}
LINK = "https://meet.example.org/tens"


def local(value: datetime) -> str:
    return value.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M")


def _form(course_id, **overrides):
    start = utcnow() + timedelta(hours=1)
    data = {"session_name": "Tens club", "session_description": "", "course_id": str(course_id),
            "start_date": local(start), "end_date": local(start + timedelta(days=30)), "max_students": "",
            "enrollment_deadline": "", "auto_expire_enabled": "y", "mode": "ONLINE", "centre_id": "",
            "room_id": "", "meeting_link": ""}
    data.update(overrides)
    return data


def _place(db, course_session, **values):
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id == course_session.id).values(**values))
        session.commit()


def test_the_form_preselects_the_only_centre_and_reloads_rooms_for_the_chosen_one(client, make, db):
    teacher = make.teacher()
    AuthActions(client).login(teacher)
    assert 'name="centre_id"' not in client.get("/sessions/new").get_data(as_text=True)  # no centres: no field
    north = make.centre("North", rooms=["Room 1", "Shut"])
    page = client.get("/sessions/new").get_data(as_text=True)
    assert f'<option selected value="{north.id}">North</option>' in page and "Room 1" in page
    assert 'hx-get="/sessions/rooms"' in page
    south = make.centre("South", rooms=["Room 3"])
    with db.ctx() as session:
        session.execute(update(Room).where(Room.id == north.room_ids["Shut"]).values(archived_at=utcnow()))
        session.commit()
    page = client.get("/sessions/new").get_data(as_text=True)
    assert f'<option selected value="{north.id}">' not in page  # two centres: the tutor chooses
    fragment = client.get(f"/sessions/rooms?centre_id={south.id}", headers=HX).get_data(as_text=True)
    assert fragment.startswith('<div id="room-field">') and "Room 3" in fragment and "Room 1" not in fragment
    rooms = client.get(f"/sessions/rooms?centre_id={north.id}", headers=HX).get_data(as_text=True)
    assert "Room 1" in rooms and "Shut" not in rooms


def test_the_form_names_what_is_wrong_and_saves_nothing(client, make, db):
    teacher = make.teacher()
    subject = make.subject("P1", teachers=[teacher])
    AuthActions(client).login(teacher)
    no_centres = client.post("/sessions/new", data=_form(subject.id, mode="IN_PERSON"), headers=HX)
    assert no_centres.status_code == 422
    assert "In person and hybrid sessions need a centre and a room" in no_centres.get_data(as_text=True)
    north = make.centre("North", rooms=["Room 1"])
    south = make.centre("South", rooms=["Room 3"])
    AuthActions(client).login(teacher)
    cases = [
        ({"mode": "IN_PERSON", "centre_id": str(north.id)}, "In person and hybrid sessions need a centre and a room"),
        ({"mode": "IN_PERSON", "centre_id": str(north.id), "room_id": str(south.room_ids["Room 3"])},
         "Room 3 at South is not at the chosen centre"),
        ({"meeting_link": "javascript:alert(1)"}, "The meeting link must be an https:// address"),
        ({"meeting_link": "http://meet.example.org"}, "The meeting link must be an https:// address"),
    ]
    for overrides, message in cases:
        response = client.post("/sessions/new", data=_form(subject.id, **overrides), headers=HX)
        assert response.status_code == 422 and message in response.get_data(as_text=True), overrides
    assert db.count(CourseSession) == 0
    made = client.post("/sessions/new", data=_form(subject.id, mode="HYBRID", centre_id=str(north.id),
                                                   room_id=str(north.room_ids["Room 1"]), meeting_link=LINK))
    assert made.status_code == 303
    saved = db.scalar(select(CourseSession))
    assert (saved.mode, saved.centre_id, saved.room_id, saved.meeting_link) == (
        "HYBRID", north.id, north.room_ids["Room 1"], LINK)
    page = client.get(f"/sessions/{saved.id}").get_data(as_text=True)
    assert "Hybrid (in person and online) · Room 1 at North" in page and LINK in page
    # back online: the room chosen before is dropped, the centre stays
    edit = client.post(f"/sessions/{saved.id}/edit", data=_form(
        subject.id, mode="ONLINE", centre_id=str(north.id), room_id=str(north.room_ids["Room 1"]), meeting_link=LINK))
    assert edit.status_code == 303
    assert (db.get(CourseSession, saved.id).room_id, db.get(CourseSession, saved.id).centre_id) == (None, north.id)


def test_adding_a_meeting_in_a_busy_room_names_the_clash_and_touching_ones_are_fine(client, make, db):
    north = make.centre("North centre", rooms=["Room 2"])
    room = north.room_ids["Room 2"]
    algebra = make.course_session(name="Algebra Study Group")
    _place(db, algebra, mode="IN_PERSON", centre_id=north.id, room_id=room)
    day = (utcnow() + timedelta(days=3)).astimezone(BANGKOK).date()
    make.meeting(algebra, starts_at=datetime(day.year, day.month, day.day, 16, tzinfo=BANGKOK), minutes=60)
    teacher = make.teacher()
    mine = make.course_session(teacher, name="Geometry")
    _place(db, mine, mode="HYBRID", centre_id=north.id, room_id=room, meeting_link=LINK)
    AuthActions(client).login(teacher)
    url = f"/sessions/{mine.id}/meetings"
    clash = client.post(url, data={"meeting_date": day.isoformat(), "start_time": "16:30", "end_time": "17:30"},
                        headers=HX)
    text = clash.get_data(as_text=True)
    assert clash.status_code in (409, 422)
    assert f"Room 2 at North centre is taken by &#39;Algebra Study Group&#39; on {day.day} {day:%b} 16:00-17:00" \
        in text
    assert db.count(CourseSessionMeeting, CourseSessionMeeting.course_session_id == mine.id) == 0
    # a weekly series clashing only in its first week is refused whole
    series = client.post(url, data={"meeting_date": day.isoformat(), "start_time": "15:00", "end_time": "16:01",
                                    "repeat_until": (day + timedelta(days=14)).isoformat()}, headers=HX)
    assert "is taken by" in series.get_data(as_text=True)
    assert db.count(CourseSessionMeeting, CourseSessionMeeting.course_session_id == mine.id) == 0
    for start, end in (("15:00", "16:00"), ("17:00", "18:00")):
        ok = client.post(url, data={"meeting_date": day.isoformat(), "start_time": start, "end_time": end})
        assert ok.status_code == 303, ok.get_data(as_text=True)
    assert db.count(CourseSessionMeeting, CourseSessionMeeting.course_session_id == mine.id) == 2


def _student_page(client, make, db, *, minutes_to_start: int, status: str = "ENROLLED"):
    course_session = make.course_session(name="Tens club")
    _place(db, course_session, mode="ONLINE", meeting_link=LINK)
    make.meeting(course_session, starts_at=utcnow() + timedelta(minutes=minutes_to_start), minutes=60)
    student = make.student("P1/1")
    make.enrollment(course_session, student, status=status)
    AuthActions(client).login(student)
    return client.get(f"/my/sessions/{course_session.id}")


def test_the_student_sees_the_link_only_from_15_minutes_before_the_start(client, make, db):
    early = _student_page(client, make, db, minutes_to_start=40).get_data(as_text=True)
    assert LINK not in early and "The link appears 15 minutes before the start" in early
    assert "Online" in early


def test_the_student_sees_the_link_during_the_window(client, make, db):
    page = _student_page(client, make, db, minutes_to_start=10).get_data(as_text=True)
    assert f'href="{LINK}"' in page and "Join the online meeting" in page


def test_a_dropped_student_never_sees_the_link(client, make, db):
    dropped = _student_page(client, make, db, minutes_to_start=-5, status="DROPPED")
    assert dropped.status_code == 404 and LINK not in dropped.get_data(as_text=True)


def test_a_pending_student_never_sees_the_link(client, make, db):
    pending = _student_page(client, make, db, minutes_to_start=-5, status="PENDING")
    assert pending.status_code == 200 and LINK not in pending.get_data(as_text=True)


def test_the_student_lists_and_the_parent_show_mode_and_room_but_not_the_link(client, make, db):
    north = make.centre("North", rooms=["Room 1"])
    in_person = make.course_session(name="Chess club")
    _place(db, in_person, mode="IN_PERSON", centre_id=north.id, room_id=north.room_ids["Room 1"])
    online = make.course_session(name="Tens club")
    _place(db, online, mode="ONLINE", meeting_link=LINK)
    make.meeting(online)  # going on now: the child would see it, the parent does not
    child = make.student("P1/1", full_name="Nok")
    for course_session in (in_person, online):
        make.enrollment(course_session, child)
    parent = make.parent_of(child)
    auth = AuthActions(client)
    auth.login(child)
    mine = client.get("/my/sessions").get_data(as_text=True)
    assert "In person · Room 1 at North" in mine and "Online" in mine
    assert "Room 1 at North" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(parent)
    listing = client.get(f"/my/children/{child.id}/sessions").get_data(as_text=True)
    assert "In person · Room 1 at North" in listing
    detail = client.get(f"/my/children/{child.id}/sessions/{online.id}").get_data(as_text=True)
    assert "Nok gets the meeting link from 15 minutes before each meeting." in detail and LINK not in detail
    room_page = client.get(f"/my/children/{child.id}/sessions/{in_person.id}").get_data(as_text=True)
    assert "Room 1 at North" in room_page and "gets the meeting link" not in room_page


def test_an_archived_centre_is_not_offered_for_a_new_session(client, make, db):
    teacher = make.teacher()
    make.centre("North", rooms=["Room 1"])
    closed = make.centre("Closed", rooms=["Hall"])
    with db.ctx() as session:
        session.execute(update(Centre).where(Centre.id == closed.id).values(archived_at=utcnow()))
        session.commit()
    AuthActions(client).login(teacher)
    assert ">Closed<" not in client.get("/sessions/new").get_data(as_text=True)
