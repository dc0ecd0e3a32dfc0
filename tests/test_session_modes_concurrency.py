"""Two tutors booking the same room for the same hour at the same moment: one gets it, the other is
told who took it (the room's row is locked while a booking is checked and saved).

Runs on PostgreSQL (each thread's transaction on its own connection); SQLite serialises writers with
a database lock and its driver cannot run these truly parallel transactions reliably, so there the
test is skipped with the reason shown.
"""

import threading
import traceback
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from lms.auth.models import User
from lms.common.errors import Conflict
from lms.common.types import utcnow
from lms.extensions import db as _db
from lms.teaching import attendance, services
from lms.teaching.models import CourseSession, CourseSessionMeeting
from tests.conftest import TEST_DATABASE_URL

pytestmark = [
    pytest.mark.skipif(not TEST_DATABASE_URL,
                       reason="concurrency needs PostgreSQL (LMS_TEST_DATABASE_URL); SQLite serialises writers"),
    pytest.mark.committed,  # each thread has its own connection
]


def _in_parallel(app, works):
    barrier = threading.Barrier(len(works))
    results, errors = [], []

    def run(work):
        try:
            with app.test_request_context():
                try:
                    barrier.wait(timeout=10)
                    results.append(work())
                    _db.session.commit()
                except Conflict as err:
                    _db.session.rollback()
                    results.append(err)
                finally:
                    _db.session.remove()
        except Exception:  # reported below
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [], "\n".join(errors)
    return results


def test_two_tutors_booking_one_room_at_once_get_it_once(app, make, db):
    north = make.centre("North centre", rooms=["Room 2"])
    room = north.room_ids["Room 2"]
    sessions = [make.course_session(name=name) for name in ("Algebra Study Group", "Geometry")]
    with db.ctx() as session:
        session.execute(update(CourseSession).where(CourseSession.id.in_([s.id for s in sessions]))
                        .values(mode="IN_PERSON", centre_id=north.id, room_id=room))
        session.commit()
    day = (utcnow() + timedelta(days=2)).astimezone(ZoneInfo("Asia/Bangkok")).date()
    def book(course_session, when, start):
        def work():
            teacher = _db.session.get(User, course_session.teacher_id)
            fresh = services.load_session(course_session.id)
            return attendance.create_meetings(teacher, fresh, day=when, start=start, end="17:00")
        return work

    for round_ in range(3):
        when = day + timedelta(days=round_)
        results = _in_parallel(app, [book(sessions[0], when, "16:00"), book(sessions[1], when, "16:30")])
        clashes = [r for r in results if isinstance(r, Conflict)]
        assert len(clashes) == 1, results
        assert "Room 2 at North centre is taken by" in clashes[0].message
    assert db.count(CourseSessionMeeting) == 3
