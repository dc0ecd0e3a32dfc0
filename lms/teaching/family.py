"""What a parent sees of their children's teaching sessions (read-only, past sessions too).

A parent sees only their own children (``lms.school.services.get_student_for``: anyone else's child
is 404), and of a child only the sessions the child is or was enrolled in (ENROLLED or COMPLETED;
a pending request, a rejection or a removal is not shown).  Per session: the schedule and the
meetings with the child's attendance, the child's content and work and its result, and the tutor's
notes only when the tutor shared them with parents.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.common.types import utcnow
from lms.extensions import db
from lms.school.services import get_student_for
from lms.teaching import rules
from lms.teaching.models import CourseSession, CourseSessionEnrollment
from lms.teaching.models import CourseSessionStatus as Status
from lms.teaching.models import SessionEnrollmentStatus as Enr

SHOWN_TO_PARENTS = (Enr.ENROLLED, Enr.COMPLETED)


def child_for(parent, student_id) -> User:
    """The child if ``student_id`` is one of ``parent``'s children, else NotFound (404)."""
    return get_student_for(parent, student_id)


def _child_rows(child):
    return (select(CourseSession, CourseSessionEnrollment)
            .join(CourseSessionEnrollment, CourseSessionEnrollment.course_session_id == CourseSession.id)
            .where(CourseSessionEnrollment.student_id == child.id,
                   CourseSessionEnrollment.enrollment_status.in_(SHOWN_TO_PARENTS),
                   CourseSession.is_deleted.is_(False)))


def is_past(course_session: CourseSession, now=None) -> bool:
    return course_session.status == Status.EXPIRED or course_session.end_date <= (now or utcnow())


def child_sessions(child) -> tuple[list, list]:
    """``(current, past)``: rows of (session, enrollment), the current ones by start, the past ones
    newest first."""
    rows = db.session.execute(_child_rows(child).order_by(CourseSession.start_date, CourseSession.id)).all()
    now = utcnow()
    current = [(s, e) for s, e in rows if not is_past(s, now)]
    past = [(s, e) for s, e in rows if is_past(s, now)]
    return current, past[::-1]


def child_session(child, session_id) -> tuple[CourseSession, CourseSessionEnrollment]:
    """One of the child's sessions, else NotFound (404)."""
    row = db.session.execute(_child_rows(child).where(CourseSession.id == session_id)).first()
    if row is None:
        raise rules.session_not_found(session_id)
    return row[0], row[1]


def shared_notes(enrollment: CourseSessionEnrollment) -> str | None:
    """The tutor's notes for the child, only when the tutor shared them with parents."""
    return enrollment.notes if enrollment.notes_shared_with_parents else None
