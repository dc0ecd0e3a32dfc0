"""Leaderboards and the students' choice to keep off them.

Off unless an administrator turns them on (``RewardSettings.leaderboards_enabled``); while off,
every board answers 404.  When on there is one board per classroom and one per teaching session,
never one for the whole school:

* a classroom's board: its current students, for its students and its teachers (and
  administrators) — anyone else, a student of another classroom too, gets 404;
* a teaching session's board: its enrolled (and completed) students, for them, its teacher and
  administrators.

Students are ranked by their points in total.  A student who opted out (on their profile) is left
out of every board entirely — nobody else sees their name or their points; they see that they are
not on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import Role, User
from lms.common.errors import Forbidden, NotFound
from lms.extensions import db
from lms.rewards.models import LeaderboardOptOut, PointEntry
from lms.rewards.rules import leaderboards_enabled
from lms.school.models import Classroom, ClassroomMembership, MembershipStatus
from lms.school.services import get_classroom_for
from lms.teaching import services as teaching
from lms.teaching.enrollments import enrollment_of
from lms.teaching.models import CourseSession, CourseSessionEnrollment, SessionEnrollmentStatus

BOARD_SIZE = 50
ON_BOARD = (SessionEnrollmentStatus.ENROLLED, SessionEnrollmentStatus.COMPLETED)


@dataclass
class Row:
    rank: int
    student_id: int
    name: str
    points: int


@dataclass
class Board:
    title: str
    rows: list[Row]
    viewer_opted_out: bool


def _not_found() -> NotFound:
    return NotFound(_("There is no leaderboard here."))


def _require_enabled() -> None:
    if not leaderboards_enabled():
        raise _not_found()


def _rank(member_ids) -> list[Row]:
    """The members (a SELECT of student ids) who did not opt out, by points (ties share a rank)."""
    total = func.coalesce(func.sum(PointEntry.points), 0).label("total")
    rows = db.session.execute(
        select(User.id, User.full_name, total).outerjoin(PointEntry, PointEntry.student_id == User.id)
        .where(User.id.in_(member_ids), User.active.is_(True),
               ~exists().where(LeaderboardOptOut.user_id == User.id))
        .group_by(User.id, User.full_name).order_by(total.desc(), User.full_name, User.id).limit(BOARD_SIZE)).all()
    ranked, rank, previous = [], 0, None
    for position, (sid, name, points) in enumerate(rows, start=1):
        if points != previous:
            rank, previous = position, points
        ranked.append(Row(rank, sid, name, int(points)))
    return ranked


def classroom_board(actor, classroom_id) -> tuple[Classroom, Board]:
    _require_enabled()
    if getattr(actor, "role", None) not in (Role.ADMIN, Role.TEACHER, Role.STUDENT):
        raise _not_found()
    classroom = get_classroom_for(actor, classroom_id)  # a student: only their own classroom
    members = select(ClassroomMembership.student_id).where(ClassroomMembership.classroom_id == classroom.id,
                                                           ClassroomMembership.status == MembershipStatus.ACTIVE)
    return classroom, Board(str(classroom.id), _rank(members), is_opted_out(actor))


def session_board(actor, session_id) -> tuple[CourseSession, Board]:
    _require_enabled()
    role = getattr(actor, "role", None)
    if role == Role.STUDENT:
        enrollment = enrollment_of(actor, session_id)
        if enrollment is None or enrollment.enrollment_status not in ON_BOARD:
            raise _not_found()
        course_session = teaching.load_session(session_id)
    elif role in (Role.ADMIN, Role.TEACHER):
        course_session = teaching.get_session_for(actor, session_id)
    else:
        raise _not_found()
    members = select(CourseSessionEnrollment.student_id).where(
        CourseSessionEnrollment.course_session_id == course_session.id,
        CourseSessionEnrollment.enrollment_status.in_(ON_BOARD))
    return course_session, Board(course_session.session_name, _rank(members), is_opted_out(actor))


def my_boards(student) -> dict:
    """Links for a student's badges page: their classrooms and sessions (empty while boards are off)."""
    if not leaderboards_enabled():
        return {"classrooms": [], "sessions": []}
    from lms.school.services import current_classroom_ids

    classrooms = list(db.session.scalars(select(Classroom).where(Classroom.id.in_(current_classroom_ids([student.id])))))
    sessions = list(db.session.scalars(
        select(CourseSession).join(CourseSessionEnrollment, CourseSessionEnrollment.course_session_id == CourseSession.id)
        .where(CourseSessionEnrollment.student_id == student.id, CourseSession.is_deleted.is_(False),
               CourseSessionEnrollment.enrollment_status == SessionEnrollmentStatus.ENROLLED)
        .order_by(CourseSession.session_name)))
    return {"classrooms": classrooms, "sessions": sessions}


# --- opting out ---------------------------------------------------------------------------------------


def is_opted_out(user) -> bool:
    if getattr(user, "role", None) != Role.STUDENT:
        return False
    return bool(db.session.scalar(select(exists().where(LeaderboardOptOut.user_id == user.id))))


def _require_student(user) -> None:
    if getattr(user, "role", None) != Role.STUDENT:
        raise Forbidden(_("Only students are on leaderboards."))


def opt_out(user) -> bool:
    """Keep ``user`` off every leaderboard; True when it changed anything."""
    _require_student(user)
    if is_opted_out(user):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(LeaderboardOptOut(user_id=user.id))
    except IntegrityError:  # the same click twice at once
        return False
    return True


def opt_in(user) -> bool:
    _require_student(user)
    return bool(db.session.execute(delete(LeaderboardOptOut).where(LeaderboardOptOut.user_id == user.id)).rowcount)
