"""Session modes through the JSON API: mode, centre, room and meeting link are validated (400 naming the
field), a room hosts one meeting at a time (409 ROOM_TAKEN naming the clash), the link reaches enrolled
students only around a meeting, and the OpenAPI document describes all of it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from lms.centres.models import Room
from lms.common.types import utcnow
from lms.teaching.models import CourseSession
from tests.api_helpers import headers_for, iso

BANGKOK = ZoneInfo("Asia/Bangkok")  # the test school's timezone
URL = "/api/v1/teacher/sessions"


@pytest.fixture
def place(client, make, db):
    teacher = make.teacher("P1/1")
    subject = make.subject("P1", teachers=[teacher])
    north = make.centre("North centre", rooms=["Room 1", "Room 2", "Old room"])
    south = make.centre("South centre", rooms=["Room 3"])
    with db.ctx() as session:
        session.execute(update(Room).where(Room.id == north.room_ids["Old room"]).values(archived_at=utcnow()))
        session.commit()
    return {"teacher": teacher, "subject": subject, "north": north, "south": south,
            "h": headers_for(client, teacher)}


def _body(subject, **overrides):
    start = utcnow() + timedelta(days=2)
    body = {"session_name": "Spring - Maths", "course_id": subject.id, "start_date": iso(start),
            "end_date": iso(start + timedelta(days=30))}
    body.update(overrides)
    return body


def _field_error(response, field, message=None):
    assert response.status_code == 400, response.json
    assert response.json["errorCode"] == "VALIDATION_ERROR" and response.json["details"]["field"] == field
    if message is not None:
        assert response.json["message"] == message
    return response.json


def test_create_in_person_returns_the_place_and_a_room_brings_its_centre(client, db, place):
    north = place["north"]
    response = client.post(URL, headers=place["h"], json=_body(
        place["subject"], mode="IN_PERSON", room_id=north.room_ids["Room 1"]))
    assert response.status_code == 201, response.json
    data = response.json["data"]
    assert (data["mode"], data["centre_id"], data["room_id"], data["meeting_link"]) == (
        "IN_PERSON", north.id, north.room_ids["Room 1"], None)
    # online by default; the tutor reads the link back; going online drops the room
    patched = client.patch(f"{URL}/{data['course_session_id']}", headers=place["h"],
                           json={"mode": "HYBRID", "meeting_link": "https://meet.example.org/abc"})
    assert patched.status_code == 200 and patched.json["data"]["meeting_link"] == "https://meet.example.org/abc"
    online = client.patch(f"{URL}/{data['course_session_id']}", headers=place["h"], json={"mode": "ONLINE"})
    assert online.json["data"]["room_id"] is None and online.json["data"]["centre_id"] == north.id
    assert client.get(f"{URL}/{data['course_session_id']}", headers=place["h"]).json["data"]["mode"] == "ONLINE"


@pytest.mark.parametrize("overrides, field, message", [
    ({"mode": "IN_PERSON"}, "room_id", "In person and hybrid sessions need a centre and a room"),
    ({"mode": "HYBRID", "centre_id": "north"}, "room_id", "In person and hybrid sessions need a centre and a room"),
    ({"mode": "BY_PIGEON"}, "mode", "mode must be one of ONLINE, IN_PERSON, HYBRID"),
    ({"mode": "ONLINE", "room_id": "Room 1"}, "room_id", "An online session has no room: choose in person or hybrid"),
    ({"mode": "IN_PERSON", "centre_id": "north", "room_id": "Room 3"}, "room_id",
     "Room 3 at South centre is not at the chosen centre"),
    ({"mode": "IN_PERSON", "room_id": "Old room"}, "room_id",
     "Old room at North centre is archived: choose another room"),
    ({"mode": "IN_PERSON", "room_id": 999999}, "room_id", "Choose one of the centre's rooms"),
    ({"centre_id": 999999}, "centre_id", "Choose one of the centres"),
    ({"meeting_link": "http://meet.example.org/x"}, "meeting_link", None),
    ({"meeting_link": "javascript:alert(1)"}, "meeting_link", None),
    ({"meeting_link": "https://"}, "meeting_link", None),
    ({"meeting_link": "https://meet.example.org/a b"}, "meeting_link", None),
    ({"meeting_link": "https://meet.example.org/" + "a" * 480}, "meeting_link",
     "The meeting link must be an https:// address of at most 500 characters"),
    ({"meeting_link": 42}, "meeting_link", None),
])
def test_bad_places_are_refused_naming_the_field_and_nothing_is_stored(client, db, place, overrides, field,
                                                                         message):
    names = {"north": place["north"].id, **place["north"].room_ids, **place["south"].room_ids}
    body = {k: names.get(v, v) if isinstance(v, str) and k != "meeting_link" and k != "mode" else v
            for k, v in overrides.items()}
    _field_error(client.post(URL, headers=place["h"], json=_body(place["subject"], **body)), field, message)
    assert db.count(CourseSession) == 0


def test_nul_in_a_link_is_refused_at_the_edge(client, db, place):
    response = client.post(URL, headers=place["h"], json=_body(place["subject"], meeting_link="https://a.org/\x00"))
    assert response.status_code == 400 and db.count(CourseSession) == 0


def test_an_archived_centre_cannot_be_chosen_but_a_session_already_there_keeps_it(client, make, db, place):
    north = place["north"]
    created = client.post(URL, headers=place["h"], json=_body(place["subject"], mode="IN_PERSON",
                                                               room_id=north.room_ids["Room 2"]))
    session_id = created.json["data"]["course_session_id"]
    closed = make.centre("Closed centre", rooms=["Hall"])
    with db.ctx() as session:
        from lms.centres.models import Centre
        session.execute(update(Centre).where(Centre.id.in_([north.id, closed.id])).values(archived_at=utcnow()))
        session.commit()
    _field_error(client.patch(f"{URL}/{session_id}", headers=place["h"], json={"centre_id": closed.id}), "centre_id",
                 "Closed centre is archived: choose an open centre")
    kept = client.patch(f"{URL}/{session_id}", headers=place["h"], json={"session_name": "Renamed", "mode": "HYBRID"})
    assert kept.status_code == 200 and kept.json["data"]["room_id"] == north.room_ids["Room 2"]


def _local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = (utcnow() + timedelta(days=day_offset)).astimezone(BANGKOK).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)


def test_moving_a_session_into_a_busy_room_names_the_clash(client, make, db, place):
    north, room = place["north"], place["north"].room_ids["Room 2"]
    algebra = make.course_session(name="Algebra Study Group")
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id == algebra.id).values(
            mode="IN_PERSON", centre_id=north.id, room_id=room))
        session.commit()
    starts = _local(3, 16)
    make.meeting(algebra, starts_at=starts, minutes=60)
    mine = make.course_session(place["teacher"], place["subject"], name="Geometry")
    make.meeting(mine, starts_at=_local(3, 16, 30), minutes=60)
    response = client.patch(f"{URL}/{mine.id}", headers=place["h"], json={"mode": "IN_PERSON", "room_id": room})
    assert response.status_code == 409 and response.json["errorCode"] == "ROOM_TAKEN"
    assert response.json["message"] == (
        f"Room 2 at North centre is taken by 'Algebra Study Group' on {starts.day} {starts:%b} 16:00-17:00")
    assert response.json["details"]["field"] == "room_id"
    assert db.get(CourseSession, mine.id).room_id is None
    # another room of the centre is free
    assert client.patch(f"{URL}/{mine.id}", headers=place["h"],
                        json={"mode": "IN_PERSON", "room_id": north.room_ids["Room 1"]}).status_code == 200


def test_touching_meetings_do_not_clash(client, make, db, place):
    north, room = place["north"], place["north"].room_ids["Room 1"]
    first = make.course_session(name="Morning")
    make.meeting(first, starts_at=_local(4, 10), minutes=60)
    second = make.course_session(name="Late morning")
    make.meeting(second, starts_at=_local(4, 11), minutes=60)
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id == first.id).values(
            mode="IN_PERSON", centre_id=north.id, room_id=room))
        session.commit()
    admin = make.user(role="ADMIN")
    response = client.patch(f"{URL}/{second.id}", headers=headers_for(client, admin),
                            json={"mode": "HYBRID", "room_id": room})
    assert response.status_code == 200, response.json


def _online_session(make, db, link="https://meet.example.org/tens"):
    course_session = make.course_session(name="Tens club")
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id == course_session.id).values(
            mode="ONLINE", meeting_link=link))
        session.commit()
    return course_session


@pytest.mark.parametrize("minutes_to_start, shown", [(30, False), (16, False), (14, True), (-50, True), (-61, False)])
def test_students_get_the_link_from_15_minutes_before_a_meeting_until_it_ends(client, make, db, minutes_to_start,
                                                                               shown):
    course_session = _online_session(make, db)
    starts = utcnow() + timedelta(minutes=minutes_to_start)
    make.meeting(course_session, starts_at=starts, minutes=60)
    student = make.student("P1/1")
    make.enrollment(course_session, student)
    data = client.get(f"/api/v1/student/sessions/{course_session.id}", headers=headers_for(client, student)).json["data"]
    assert data["mode"] == "ONLINE"
    if shown:
        assert data["meeting_link"] == "https://meet.example.org/tens" and data["meeting_link_opens_at"] is None
    else:
        assert data["meeting_link"] is None
        if minutes_to_start > 0:
            assert data["meeting_link_opens_at"] == iso(starts - timedelta(minutes=15))


@pytest.mark.parametrize("status", ["PENDING", "DROPPED", "EXPELLED", "COMPLETED", None])
def test_students_not_enrolled_never_get_the_link(client, make, db, status):
    course_session = _online_session(make, db)
    make.meeting(course_session)  # going on now
    student = make.student("P1/1")
    if status:
        make.enrollment(course_session, student, status=status)
    response = client.get(f"/api/v1/student/sessions/{course_session.id}", headers=headers_for(client, student))
    assert "meet.example.org" not in response.get_data(as_text=True)
    assert response.status_code == (200 if status in ("PENDING", "COMPLETED") else 403)


def test_the_openapi_document_describes_the_place_fields(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    for name in ("CourseSessionCreate", "CourseSessionUpdate", "CourseSession"):
        for field in ("mode", "centre_id", "room_id", "meeting_link"):
            assert field in schemas[name]["properties"], (name, field)
    assert schemas["CourseSessionCreate"]["properties"]["mode"]["enum"] == ["ONLINE", "IN_PERSON", "HYBRID", None]
    assert schemas["CourseSession"]["properties"]["meeting_link"]["maxLength"] == 500
    assert "meeting_link_opens_at" in schemas["CourseSession"]["properties"]
    assert "mode" in schemas["CourseSessionListItem"]["properties"]


def test_the_schema_refuses_a_lower_case_mode(client, db, place):
    _field_error(client.post(URL, headers=place["h"], json=_body(place["subject"], mode="online")), "mode")
