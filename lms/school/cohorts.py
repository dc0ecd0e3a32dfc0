"""Cohorts: named groups of students across classrooms ("Olympiad maths"), and who was in them when.

Who may do what:

* Administrators and teachers see every cohort of the school and its members (a cohort is how staff
  share a group: an administrator makes "Olympiad maths", the tutor enrols it into a session).
* Administrators change any cohort; a teacher changes the cohorts they created (others: 403).
* Students are added from those the actor can see (``visible_students``: a teacher's own
  classrooms); a list with one student the actor cannot see adds nobody.

Removing a student ends their membership row (``removed_at``, ``removed_by_id``); adding them again
starts a new row, so the history shows each time in and out. Deleting a cohort deletes its history.
Enrolling a cohort into a teaching session is ``lms.teaching.enrollments.enroll_cohort``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import aliased

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import Conflict, Forbidden, ValidationFailed
from lms.common.ids import as_id, chosen_ids
from lms.common.services import flush_or_raise, get_visible, is_taken
from lms.common.types import utcnow
from lms.core.academic_year import current_academic_year
from lms.extensions import db
from lms.school.models import (
    COHORT_DESCRIPTION_MAX,
    COHORT_NAME_MAX,
    ClassroomMembership,
    Cohort,
    CohortMembership,
    MembershipStatus,
    StudentProfile,
)
from lms.school.services import visible_students

MAX_STUDENTS_AT_ONCE = 200
PICKER_LIMIT = 50


def is_staff(actor) -> bool:
    return getattr(actor, "role", None) in (Role.ADMIN, Role.TEACHER)


def visible_cohorts(actor):
    """A SELECT of the cohorts ``actor`` may see: all of them for staff, none for anyone else."""
    stmt = select(Cohort)
    return stmt if is_staff(actor) else stmt.where(Cohort.id.is_(None))


def get_cohort(actor, cohort_id) -> Cohort:
    return get_visible(visible_cohorts(actor), Cohort, cohort_id, _("That cohort does not exist."))


def can_change(actor, cohort: Cohort) -> bool:
    return getattr(actor, "role", None) == Role.ADMIN or (
        getattr(actor, "role", None) == Role.TEACHER and cohort.created_by_id == actor.id)


def require_change(actor, cohort: Cohort) -> None:
    if not can_change(actor, cohort):
        raise Forbidden(_("Only an administrator or the teacher who created this cohort can change it."))


# --- listing ----------------------------------------------------------------------------------------


def current_members_count():
    """A correlated count of a cohort's current members (for the list's column)."""
    return (select(func.count(CohortMembership.id))
            .where(CohortMembership.cohort_id == Cohort.id, CohortMembership.removed_at.is_(None))
            .correlate(Cohort).scalar_subquery())


def cohort_list_query(actor, q: str = ""):
    """Rows of (Cohort, member count) that ``actor`` may see, by name; ``q`` searches the name."""
    stmt = visible_cohorts(actor).add_columns(current_members_count().label("members"))
    q = " ".join((q or "").split()).lower()
    if q:
        stmt = stmt.where(Cohort.name_key.contains(q, autoescape=True))
    return stmt.order_by(Cohort.name_key, Cohort.id)


def current_members(cohort: Cohort) -> list[tuple[CohortMembership, User]]:
    """The current members with their membership rows, by name (one statement)."""
    return list(db.session.execute(
        select(CohortMembership, User).join(User, User.id == CohortMembership.student_id)
        .where(CohortMembership.cohort_id == cohort.id, CohortMembership.removed_at.is_(None))
        .order_by(func.lower(User.full_name), User.id)).all())


def history_query(cohort: Cohort):
    """Rows of (membership, student, added by, removed by), the latest change first."""
    added_by, removed_by = aliased(User), aliased(User)
    latest = func.coalesce(CohortMembership.removed_at, CohortMembership.added_at)
    return (select(CohortMembership, User, added_by.full_name, removed_by.full_name)
            .join(User, User.id == CohortMembership.student_id)
            .outerjoin(added_by, added_by.id == CohortMembership.added_by_id)
            .outerjoin(removed_by, removed_by.id == CohortMembership.removed_by_id)
            .where(CohortMembership.cohort_id == cohort.id)
            .order_by(latest.desc(), CohortMembership.id.desc()))


def picker_students(actor, cohort: Cohort, *, q: str = "", classroom_id=None) -> list[User]:
    """Students ``actor`` can see who are not in the cohort now, matching ``q`` (name, email, username
    or student number) and in ``classroom_id`` this year when given; at most ``PICKER_LIMIT``."""
    stmt = (visible_students(actor).where(User.active.is_(True))
            .where(User.id.not_in(select(CohortMembership.student_id).where(
                CohortMembership.cohort_id == cohort.id, CohortMembership.removed_at.is_(None)))))
    q = " ".join((q or "").split()).lower()[:100]
    if q:
        pattern = f"%{q}%"
        stmt = (stmt.outerjoin(StudentProfile, StudentProfile.user_id == User.id)
                .where(or_(func.lower(User.full_name).like(pattern), User.email.like(pattern),
                           User.username.like(pattern), func.lower(StudentProfile.student_number).like(pattern))))
    classroom = as_id(classroom_id)
    if classroom:
        stmt = stmt.where(User.id.in_(select(ClassroomMembership.student_id).where(
            ClassroomMembership.classroom_id == classroom, ClassroomMembership.status == MembershipStatus.ACTIVE,
            ClassroomMembership.academic_year == current_academic_year())))
    return list(db.session.scalars(stmt.order_by(func.lower(User.full_name), User.id).limit(PICKER_LIMIT)))


# --- changing -----------------------------------------------------------------------------------------


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Give the cohort a name."), field="name")
    if len(name) > COHORT_NAME_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=COHORT_NAME_MAX), field="name")
    return name


def _clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > COHORT_DESCRIPTION_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=COHORT_DESCRIPTION_MAX), field="description")
    return description


def _name_taken(name: str) -> ValidationFailed:
    return ValidationFailed(_("There is already a cohort called “%(name)s”.", name=name), field="name")


def create_cohort(actor, name: str | None, description: str | None = "") -> Cohort:
    if not is_staff(actor):
        raise Forbidden(_("Only administrators and teachers keep cohorts."))
    name, description = _clean_name(name), _clean_description(description)
    if is_taken(Cohort.id, Cohort.name_key == name.lower()):
        raise _name_taken(name)
    cohort = Cohort(name=name, name_key=name.lower(), description=description, created_by_id=actor.id)
    with flush_or_raise(_name_taken(name)):  # the same name created at the same moment
        db.session.add(cohort)
    record(actor, "cohort.create", cohort, name=name)
    return cohort


def update_cohort(actor, cohort: Cohort, name: str | None, description: str | None) -> Cohort:
    require_change(actor, cohort)
    name, description = _clean_name(name), _clean_description(description)
    if is_taken(Cohort.id, Cohort.name_key == name.lower(), except_id=cohort.id):
        raise _name_taken(name)
    before = {"name": cohort.name, "description": cohort.description}
    with flush_or_raise(_name_taken(name)):
        cohort.name, cohort.name_key, cohort.description = name, name.lower(), description
    record(actor, "cohort.update", cohort, before=before, after={"name": name, "description": description})
    return cohort


def delete_cohort(actor, cohort: Cohort) -> str:
    """Delete the cohort and its history (enrolments it made stay); its name."""
    require_change(actor, cohort)
    name = cohort.name
    members = len(current_members(cohort))
    record(actor, "cohort.delete", cohort, name=name, count=members)
    db.session.execute(delete(CohortMembership).where(CohortMembership.cohort_id == cohort.id))
    db.session.delete(cohort)
    db.session.flush()
    return name


def _student_ids(raw_ids) -> list[int]:
    return chosen_ids(raw_ids, field="student_ids", most=MAX_STUDENTS_AT_ONCE,
                      invalid=_("Choose students from the list."), empty=_("Choose at least one student to add."),
                      too_many=_("Add at most %(n)d students at once.", n=MAX_STUDENTS_AT_ONCE))


def add_students(actor, cohort: Cohort, raw_ids) -> tuple[list[User], list[User]]:
    """Add the chosen students; ``(added, already members)``. All or nothing: one student the actor
    cannot see (or an unknown id) adds nobody."""
    require_change(actor, cohort)
    ids = _student_ids(raw_ids)
    students = {u.id: u for u in db.session.scalars(visible_students(actor).where(User.id.in_(ids)))}
    if len(students) != len(ids):
        raise ValidationFailed(_("Some of the chosen students are not yours to add. Nobody was added."),
                               field="student_ids")
    current = set(db.session.scalars(select(CohortMembership.student_id).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.removed_at.is_(None),
        CohortMembership.student_id.in_(ids))))
    added = [students[i] for i in ids if i not in current]
    now = utcnow()
    with flush_or_raise(Conflict(_("Someone changed this cohort at the same moment. Try again."))):
        db.session.add_all(CohortMembership(cohort_id=cohort.id, student_id=s.id, added_at=now, added_by_id=actor.id)
                           for s in added)
    if added:
        cohort.updated_at = now
        record(actor, "cohort.add_students", cohort, name=cohort.name, count=len(added),
               students=[s.id for s in added])
    return added, [students[i] for i in ids if i in current]


def remove_student(actor, cohort: Cohort, student_id) -> User:
    """End the student's membership (the row stays in the history); the student."""
    require_change(actor, cohort)
    membership = db.session.scalar(select(CohortMembership).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.student_id == as_id(student_id),
        CohortMembership.removed_at.is_(None)))
    if membership is None:
        raise ValidationFailed(_("That student is not in this cohort."))
    now = utcnow()
    membership.removed_at, membership.removed_by_id = max(now, membership.added_at), actor.id
    cohort.updated_at = now
    student = db.session.get(User, membership.student_id)
    db.session.flush()
    record(actor, "cohort.remove_student", cohort, name=cohort.name, student=student.id)
    return student


def cohort_choices(actor) -> list[tuple[Cohort, int]]:
    """Every cohort ``actor`` may enrol, with its number of current members (for a select)."""
    return [(cohort, members) for cohort, members in db.session.execute(cohort_list_query(actor)).all()]
