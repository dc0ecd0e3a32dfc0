"""Past academic years: where a student was, which years a viewer may read, a past class's roster.

The rollover ends memberships (PROMOTED, REPEATED, GRADUATED) and archives the classrooms; it
never deletes them, so last year stays readable from here:

* ``memberships_by_year(student)`` / ``classrooms_in_year(student, year)`` — every classroom the
  student was in, by academic year;
* ``student_for_history(actor, id)`` — the student and the years ``actor`` may read: everything
  for the student, their parents and administrators; for a teacher only the years in which the
  student was in one of their classrooms (404 when there is none);
* ``is_past(classroom)`` / ``year_end_roster(classroom)`` / ``year_window(memberships)`` for the
  gradebook of an archived classroom (read-only);
* ``current_year_start()`` — the instant this academic year began (its rollover), which splits a
  level's subject between last year's class and this year's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.common.errors import NotFound
from lms.common.ids import as_id
from lms.core.academic_year import current_academic_year
from lms.core.localtime import local_midnight_utc, local_today, zone
from lms.extensions import db
from lms.school.models import (
    Classroom,
    ClassroomMembership,
    MembershipStatus,
    PromotionBatch,
    StudentProfile,
    TeacherAssignment,
)
from lms.school.services import current_classroom_of, get_student_for, visible_classrooms

# The students who finished the year in a classroom: still there, or moved on by a rollover
# (not those who moved to another classroom or left during the year).
YEAR_END = (MembershipStatus.ACTIVE, MembershipStatus.PROMOTED, MembershipStatus.REPEATED,
            MembershipStatus.GRADUATED)


def memberships_by_year(student) -> dict[str, list[ClassroomMembership]]:
    """``{academic year: [memberships]}`` of the student (any status), years newest first."""
    rows = db.session.scalars(
        select(ClassroomMembership).where(ClassroomMembership.student_id == student.id)
        .order_by(ClassroomMembership.academic_year.desc(), ClassroomMembership.started_on,
                  ClassroomMembership.id))
    years: dict[str, list[ClassroomMembership]] = {}
    for membership in rows:
        years.setdefault(membership.academic_year, []).append(membership)
    return years


def classrooms_in_year(student, year: str) -> list[Classroom]:
    """The student's classroom this year; in a past year every classroom they were in."""
    if year == current_academic_year():
        return [room] if (room := current_classroom_of(student)) else []
    return list({m.classroom_id: m.classroom for m in memberships_by_year(student).get(year, [])}.values())


def _taught_years(teacher, student_id: int) -> set[str]:
    """The academic years in which the student was in one of ``teacher``'s classrooms."""
    return set(db.session.scalars(
        select(ClassroomMembership.academic_year).where(
            ClassroomMembership.student_id == student_id,
            ClassroomMembership.classroom_id.in_(
                select(TeacherAssignment.classroom_id).where(TeacherAssignment.teacher_id == teacher.id)))
        .distinct()))


def student_for_history(actor, student_id) -> tuple[User, set[str] | None]:
    """The student and the academic years ``actor`` may read of their work (None: every year).
    Not visible (404): someone else's child, another student, a teacher who never taught them."""
    if getattr(actor, "role", None) != Role.TEACHER:
        return get_student_for(actor, student_id), None
    ident = as_id(student_id)
    years = _taught_years(actor, ident) if ident else set()
    student = db.session.get(User, ident) if years else None
    if student is None or student.role != Role.STUDENT:
        raise NotFound(_("That student does not exist or is not one of yours."))
    return student, years


def is_past(classroom: Classroom) -> bool:
    """An archived classroom, or one of an earlier academic year: its gradebook is read-only.
    (Years compare as text: "2026" < "2027", "2026/27" < "2027/28".)"""
    return bool(classroom.archived) or classroom.academic_year < current_academic_year()


def classroom_years(actor) -> list[str]:
    """The academic years of the classrooms ``actor`` may see, newest first (this year included)."""
    years = set(db.session.scalars(visible_classrooms(actor).with_only_columns(Classroom.academic_year).distinct()))
    return sorted(years | {current_academic_year()}, reverse=True)


def year_end_roster(classroom: Classroom) -> list[tuple[User, StudentProfile | None]]:
    """The students who finished the year in ``classroom`` (kept after the rollover), by number
    and name (one query)."""
    return list(db.session.execute(
        select(User, StudentProfile)
        .join(ClassroomMembership, ClassroomMembership.student_id == User.id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .where(ClassroomMembership.classroom_id == classroom.id, ClassroomMembership.status.in_(YEAR_END))
        .order_by(StudentProfile.student_number, User.full_name, User.id)).unique().all())


def classroom_memberships(classroom: Classroom) -> list[ClassroomMembership]:
    return list(db.session.scalars(select(ClassroomMembership)
                                   .where(ClassroomMembership.classroom_id == classroom.id)))


def year_window(memberships) -> tuple[datetime, datetime] | None:
    """The UTC instants from the first day to the end of the last day of these memberships
    (a membership still running ends today); None without memberships."""
    starts = [m.started_on for m in memberships]
    if not starts:
        return None
    ends = [m.ended_on or local_today() for m in memberships]
    tz = zone()
    last: date = max(ends)
    return local_midnight_utc(min(starts), tz), local_midnight_utc(last + timedelta(days=1), tz)


def current_year_start() -> datetime | None:
    """When this academic year began: the (not undone) rollover into it; None when the year was
    not started by a rollover (then nothing is earlier than this year). One query."""
    return db.session.scalar(select(func.max(PromotionBatch.created_at)).where(
        PromotionBatch.to_year == current_academic_year(), PromotionBatch.undone_at.is_(None)))


def before_this_year(moment: datetime | None, start: datetime | None) -> bool:
    """Did ``moment`` (an attempt's start, say) happen in an earlier academic year than this one,
    which began at ``start`` (``current_year_start()``)?"""
    return start is not None and moment is not None and moment < start
