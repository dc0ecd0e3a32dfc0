"""A teaching session's analytics (as the JSON API returns them), computed by the database.

* ``total_enrolled``: students enrolled now, ENROLLED + COMPLETED — the one definition of "enrolled"
  (``services.ENROLLED_STATUSES``), the same figure as the session's ``enrolled_count`` in the API
  and on the pages.
* ``completion_rate`` / ``dropout_rate``: COMPLETED / (DROPPED + EXPELLED) among every student who
  ever got a seat (``approved_at`` set: joined without approval, approved, or added by the teacher;
  rejected requests never had one), in %.
* ``average_grade``: the mean final grade of those who have one.
* ``active_students``: ENROLLED now.
* ``enrollment_timeline``: seats given per day (the school's calendar day).
* ``performance_metrics``: mean completion percentage of enrolled + completed students, how many
  are at 80 % or more, and below 50 %.
* ``attendance_rate``: (present + late) / attendance marks, in %.
"""

from __future__ import annotations

from sqlalchemy import case, func, select

from lms.common.types import utcnow
from lms.core.localtime import LocalClock, as_date
from lms.extensions import db
from lms.teaching.attendance import attendance_rate
from lms.teaching.models import CourseSession, CourseSessionEnrollment
from lms.teaching.models import SessionEnrollmentStatus as Enr
from lms.teaching.services import ENROLLED_STATUSES

E = CourseSessionEnrollment


def _pct(part, whole) -> float:
    return round(100.0 * (part or 0) / whole, 1) if whole else 0.0


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def session_analytics(course_session: CourseSession) -> dict:
    seated = E.approved_at.is_not(None)
    learning = E.enrollment_status.in_(ENROLLED_STATUSES)
    row = db.session.execute(
        select(_count_if(seated), _count_if(learning), _count_if(seated & (E.enrollment_status == Enr.COMPLETED)),
               _count_if(seated & E.enrollment_status.in_((Enr.DROPPED, Enr.EXPELLED))),
               _count_if(E.enrollment_status == Enr.ENROLLED),
               func.avg(case((seated, E.final_grade))),
               func.avg(case((learning, E.completion_percentage))),
               _count_if(learning & (E.completion_percentage >= 80)),
               _count_if(learning & (E.completion_percentage < 50)),
               _count_if(E.enrollment_status == Enr.PENDING))
        .where(E.course_session_id == course_session.id)).one()
    seats, enrolled, completed, dropped, active, avg_grade, avg_completion, above, below, pending = row
    seats = seats or 0
    start = min(course_session.created_at, course_session.start_date)
    clock = LocalClock.for_range(start, max(utcnow(), course_session.end_date))
    day = clock.date(E.approved_at).label("day")
    timeline = db.session.execute(select(day, func.count()).where(E.course_session_id == course_session.id, seated)
                                  .group_by(day).order_by(day)).all()
    return {
        "session_overview": {
            "total_enrolled": enrolled or 0,
            "completion_rate": _pct(completed, seats),
            "average_grade": round(float(avg_grade), 1) if avg_grade is not None else None,
            "dropout_rate": _pct(dropped, seats),
            "active_students": active or 0,
            "pending_requests": pending or 0,
            "attendance_rate": attendance_rate(course_session.id),
        },
        "enrollment_timeline": [{"date": as_date(d).isoformat(), "enrollments": n} for d, n in timeline],
        "performance_metrics": {
            "average_completion_percentage": round(float(avg_completion), 1) if avg_completion is not None else 0.0,
            "students_above_80_percent": above or 0,
            "students_below_50_percent": below or 0,
        },
    }
