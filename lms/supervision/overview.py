"""The dashboard's tables: teaching-session meetings today (and running now) and tutors' workload.

Each is a fixed number of aggregate queries, whatever the number of sessions, students or tutors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.centres.models import Centre, Room
from lms.common.sql import seconds_between
from lms.common.types import utcnow
from lms.core.localtime import local_midnight_utc, local_today, zone
from lms.extensions import db
from lms.supervision.scope import TAKING_PART, Scope
from lms.teaching.models import (
    CourseSession,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
    CourseSessionStatus,
)

# --- today's meetings --------------------------------------------------------------------------


@dataclass
class TodayRow:
    meeting: CourseSessionMeeting
    session_id: int
    session_name: str
    tutor: str
    centre: str | None
    room: str | None
    mode: str
    enrolled: int
    marked: int
    now: datetime

    @property
    def running(self) -> bool:
        return self.meeting.starts_at <= self.now < self.meeting.ends_at

    @property
    def attendance_marked(self) -> bool:
        return self.marked > 0


def _enrolled_count():
    return (select(func.count()).where(CourseSessionEnrollment.course_session_id == CourseSession.id,
                                       CourseSessionEnrollment.deleted_at.is_(None),
                                       CourseSessionEnrollment.enrollment_status.in_(TAKING_PART))
            .correlate(CourseSession).scalar_subquery())


def _marked_count():
    return (select(func.count()).where(CourseSessionAttendance.meeting_id == CourseSessionMeeting.id)
            .correlate(CourseSessionMeeting).scalar_subquery())


def meetings_today(scope: Scope, *, today: date | None = None, now: datetime | None = None) -> list[TodayRow]:
    """The meetings dated today of the sessions in scope, by start time (one query)."""
    today, now = today or local_today(), now or utcnow()
    tutor = aliased(User)
    rows = db.session.execute(
        select(CourseSessionMeeting, CourseSession.id, CourseSession.session_name, tutor.full_name, Centre.name,
               Room.name, CourseSession.mode, _enrolled_count(), _marked_count())
        .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
        .join(tutor, tutor.id == CourseSession.teacher_id)
        .outerjoin(Centre, Centre.id == CourseSession.centre_id)
        .outerjoin(Room, Room.id == CourseSession.room_id)
        .where(scope.sessions_condition(), CourseSessionMeeting.meeting_date == today)
        .order_by(CourseSessionMeeting.starts_at, CourseSession.session_name, CourseSessionMeeting.id)).all()
    return [TodayRow(meeting, sid, name, teacher, centre, room, mode, enrolled or 0, marked or 0, now)
            for meeting, sid, name, teacher, centre, room, mode, enrolled, marked in rows]


# --- tutors' workload --------------------------------------------------------------------------


@dataclass
class Workload:
    tutor: User
    sessions: int = 0
    students: int = 0
    seconds_week: int = 0
    seconds_month: int = 0

    @property
    def hours_week(self) -> float:
        return round(self.seconds_week / 3600, 1)

    @property
    def hours_month(self) -> float:
        return round(self.seconds_month / 3600, 1)


def _periods(today: date) -> tuple[datetime, datetime, datetime, datetime]:
    """UTC bounds of this week (Monday first) and this month, in the organization's timezone."""
    tz = zone()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return (local_midnight_utc(monday, tz), local_midnight_utc(monday + timedelta(days=7), tz),
            local_midnight_utc(first, tz), local_midnight_utc(next_month, tz))


def workload(scope: Scope, *, today: date | None = None) -> list[Workload]:
    """Per tutor in scope: published sessions in scope, their students, meeting hours this week and
    this month (three queries)."""
    today = today or local_today()
    tutors = {t.id: Workload(t) for t in db.session.scalars(
        select(User).where(User.id.in_(scope.tutor_ids()), User.active.is_(True)).order_by(User.full_name, User.id))}
    if not tutors:
        return []
    live = and_(scope.sessions_condition(), CourseSession.teacher_id.in_(list(tutors)))
    for teacher_id, sessions, students in db.session.execute(
            select(CourseSession.teacher_id, func.count(func.distinct(CourseSession.id)),
                   func.count(func.distinct(CourseSessionEnrollment.student_id)))
            .outerjoin(CourseSessionEnrollment, and_(
                CourseSessionEnrollment.course_session_id == CourseSession.id,
                CourseSessionEnrollment.deleted_at.is_(None),
                CourseSessionEnrollment.enrollment_status.in_(TAKING_PART)))
            .where(live, CourseSession.status == CourseSessionStatus.PUBLISHED)
            .group_by(CourseSession.teacher_id)):
        tutors[teacher_id].sessions, tutors[teacher_id].students = sessions, students
    week_start, week_end, month_start, month_end = _periods(today)
    seconds = seconds_between(CourseSessionMeeting.ends_at, CourseSessionMeeting.starts_at)
    starts = CourseSessionMeeting.starts_at
    for teacher_id, week, month in db.session.execute(
            select(CourseSession.teacher_id,
                   func.sum(case((and_(starts >= week_start, starts < week_end), seconds), else_=0)),
                   func.sum(case((and_(starts >= month_start, starts < month_end), seconds), else_=0)))
            .join(CourseSession, CourseSession.id == CourseSessionMeeting.course_session_id)
            .where(live, starts >= min(week_start, month_start), starts < max(week_end, month_end))
            .group_by(CourseSession.teacher_id)):
        tutors[teacher_id].seconds_week, tutors[teacher_id].seconds_month = int(week or 0), int(month or 0)
    return list(tutors.values())
