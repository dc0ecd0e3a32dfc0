"""The database keeps a teaching session's place consistent, whatever the code above it does."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from lms.centres.models import Centre, Room
from lms.centres.scope import centre_ids_of, several_centres
from lms.teaching.models import CourseSession


def _set(db, course_session, **values):
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id == course_session.id).values(**values))
        session.commit()


def test_an_in_person_session_needs_a_room_of_its_own_centre(make, db):
    north = make.centre("North", rooms=["Room 1"])
    south = make.centre("South", rooms=["Room 2"])
    course_session = make.course_session()

    with pytest.raises(IntegrityError):
        _set(db, course_session, mode="IN_PERSON")
    with pytest.raises(IntegrityError):  # a room of another centre
        _set(db, course_session, mode="IN_PERSON", centre_id=north.id, room_id=south.room_ids["Room 2"])
    with pytest.raises(IntegrityError):
        _set(db, course_session, mode="BY_PIGEON")

    _set(db, course_session, mode="HYBRID", centre_id=north.id, room_id=north.room_ids["Room 1"])
    assert db.get(CourseSession, course_session.id).room_id == north.room_ids["Room 1"]
    assert db.get(CourseSession, course_session.id).mode == "HYBRID"


def test_a_used_room_and_centre_cannot_be_deleted_and_names_are_unique(make, db):
    north = make.centre("North", rooms=["Lab"])
    course_session = make.course_session()
    _set(db, course_session, mode="IN_PERSON", centre_id=north.id, room_id=north.room_ids["Lab"])

    with db.ctx() as session, pytest.raises(IntegrityError):
        session.delete(session.get(Room, north.room_ids["Lab"]))
        session.commit()
    with db.ctx() as session, pytest.raises(IntegrityError):
        session.add(Room(centre_id=north.id, name="LAB", name_key="lab"))
        session.commit()
    with db.ctx() as session, pytest.raises(IntegrityError):
        session.add(Centre(name="north", name_key="north"))
        session.commit()


def test_centres_appear_only_once_a_second_one_exists(make, app):
    teacher = make.user(role="TEACHER")
    make.centre("Only site", members=[teacher])
    with app.app_context():
        assert not several_centres()
        assert len(centre_ids_of(teacher.id)) == 1
    make.centre("Second site", members=[teacher])
    with app.app_context():
        assert several_centres()
        assert len(centre_ids_of(teacher.id)) == 2
