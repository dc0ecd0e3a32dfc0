"""The demo tutoring centres (seed 004): what a school trying the product sees on day one."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.auth.models import User
from lms.centres.models import Centre, CentreMembership, Room
from lms.school.models import Cohort
from lms.teaching.demo_tutoring import FALLING, STUDY_GROUP
from lms.teaching.models import (
    CourseSession,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
)


def test_two_centres_and_a_mixed_level_study_group_with_six_weeks_of_attendance(demo, db, app):
    assert db.count(Centre) == 2
    assert db.count(Room) >= 4
    group = db.scalar(select(CourseSession).where(CourseSession.session_name == STUDY_GROUP))
    assert group.mode == "IN_PERSON" and group.room_id is not None

    enrollments = db.scalars(select(CourseSessionEnrollment).where(
        CourseSessionEnrollment.course_session_id == group.id))
    assert len(enrollments) >= 5
    assert len({e.assigned_subject_id for e in enrollments}) >= 2      # different subjects (and levels)
    assert len({e.assigned_section_id for e in enrollments}) >= 4      # each on their own lesson

    weeks = db.scalar(select(func.count(func.distinct(CourseSessionMeeting.meeting_date))).join(
        CourseSessionAttendance, CourseSessionAttendance.meeting_id == CourseSessionMeeting.id).where(
        CourseSessionMeeting.course_session_id == group.id))
    assert weeks == 6
    falling = db.scalar(select(User.id).where(User.email == FALLING))
    statuses = db.scalars(select(CourseSessionAttendance.status).join(CourseSessionMeeting).where(
        CourseSessionMeeting.course_session_id == group.id, CourseSessionAttendance.student_id == falling)
        .order_by(CourseSessionMeeting.starts_at))
    assert statuses[-2:] == ["ABSENT", "ABSENT"] and statuses[0] == "PRESENT"
    assert db.count(Cohort, Cohort.name == "Olympiad maths") == 1


def test_seeding_twice_changes_nothing(demo, db, app):
    from lms.demo import seed_demo

    before = (db.count(Centre), db.count(CourseSessionAttendance), db.count(CentreMembership))
    with app.app_context():
        seed_demo()
    assert (db.count(Centre), db.count(CourseSessionAttendance), db.count(CentreMembership)) == before
