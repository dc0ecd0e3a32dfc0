"""School structure rules: organization, levels, visibility, classrooms.

(Students, staff, enrollment, promotion and parents are in ``lms.school.people``; the
year-end rollover in ``lms.school.rollover``; CSV in ``lms.school.student_csv``.)

Visibility (used by every later domain; never trust an id without them):

* ``visible_classrooms(actor)`` / ``get_classroom_for(actor, id)``
* ``visible_students(actor)`` / ``get_student_for(actor, id)``
* ``children_of(parent)``, ``teachers_of_classroom(classroom)``, ``current_classroom_of(student)``

Admins see everything; a teacher sees the classrooms they are assigned to (homeroom or
subject, any year) and those classrooms' current students; a student sees themselves and
their current classroom; a parent sees their linked children (and no classroom).

Write functions take the acting user first.  ``actor=None`` means the system acting on a
user's behalf (e.g. accepting an invitation); otherwise the actor must be an admin.
"""

from __future__ import annotations

import re

from flask import g
from flask_babel import gettext as _
from sqlalchemy import and_, delete, false, func, or_, select
from sqlalchemy.orm import contains_eager

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.centres.filtering import only_members
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import classroom_label, level_label
from lms.common.services import flush_or_raise, get_visible
from lms.common.sql import where_given
from lms.core.academic_year import current_academic_year
from lms.core.models import Organization
from lms.core.organization import current_organization, default_organization
from lms.extensions import db
from lms.school.models import (
    STUDENT_STATUSES,
    AssignmentRole,
    Classroom,
    ClassroomMembership,
    Level,
    MembershipStatus,
    ParentLink,
    StudentProfile,
    StudentStatus,
    TeacherAssignment,
)

# --- organization -------------------------------------------------------------------------


def ensure_organization() -> Organization:
    """Create the organization row (and its default levels) if it does not exist yet."""
    org = db.session.scalar(select(Organization).order_by(Organization.id).limit(1))
    if org is None:
        org = default_organization()
        db.session.add(org)
        db.session.flush()
        ensure_levels()
    g.pop("_lms_org", None)
    return org


def require_admin(actor) -> None:
    if actor is not None and not actor.is_admin:
        raise Forbidden(_("Only an administrator can do that."))


# --- levels ---------------------------------------------------------------------------------

DEFAULT_LEVELS = [(f"P{i}", f"Prathom {i}") for i in range(1, 7)] + [
    (f"M{i}", f"Mathayom {i}") for i in range(1, 7)
]
LEVEL_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,9}$")


def ensure_levels() -> list[Level]:
    """P1–P6 and M1–M6, in order, when the school has no levels yet (idempotent)."""
    levels = list_levels()
    if levels:
        return levels
    for position, (code, name) in enumerate(DEFAULT_LEVELS, start=1):
        db.session.add(Level(code=code, name=name, position=position))
    db.session.flush()
    return list_levels()


def list_levels() -> list[Level]:
    return list(db.session.scalars(select(Level).order_by(Level.position, Level.id)))


def levels_in_use() -> set[int]:
    """Ids of the levels that have (or had) classrooms."""
    return set(db.session.scalars(select(Classroom.level_id).distinct()))


def get_level(level_id) -> Level:
    level = db.session.get(Level, ident) if (ident := as_id(level_id)) else None
    if level is None:
        raise NotFound(_("That level does not exist."))
    return level


def next_level(level: Level) -> Level | None:
    """The level after ``level`` in the school's order (None after the last one)."""
    return db.session.scalar(
        select(Level).where(or_(Level.position > level.position,
                                and_(Level.position == level.position, Level.id > level.id)))
        .order_by(Level.position, Level.id).limit(1))


def _clean_level_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not LEVEL_CODE_RE.match(code):
        raise ValidationFailed(_("A level code is 1 to 10 letters or digits, like P1 or K3."), field="code")
    return code


def _clean_level_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Give the level a name (up to 100 characters)."), field="name")
    return name


def _renumber_levels(levels: list[Level]) -> None:
    for position, level in enumerate(levels, start=1):
        level.position = position


def add_level(actor, code: str, name: str, *, at_start: bool = False) -> Level:
    require_admin(actor)
    code, name = _clean_level_code(code), _clean_level_name(name)
    if db.session.scalar(select(Level.id).where(Level.code == code)):
        raise ValidationFailed(_("There is already a level %(code)s.", code=code), field="code")
    levels = list_levels()
    level = Level(code=code, name=name, position=0)
    with flush_or_raise(Conflict(_("There is already a level %(code)s.", code=code))):
        db.session.add(level)
        _renumber_levels([level, *levels] if at_start else [*levels, level])
    record(actor, "level.create", level, code=code, name=name)
    return level


def rename_level(actor, level: Level, code: str, name: str) -> Level:
    require_admin(actor)
    code, name = _clean_level_code(code), _clean_level_name(name)
    if db.session.scalar(select(Level.id).where(Level.code == code, Level.id != level.id)):
        raise ValidationFailed(_("There is already a level %(code)s.", code=code), field="code")
    before = {"code": level.code, "name": level.name}
    with flush_or_raise(Conflict(_("There is already a level %(code)s.", code=code))):
        level.code, level.name = code, name
    record(actor, "level.update", level, before=before, code=code, name=name)
    return level


def move_level(actor, level: Level, direction: str) -> None:
    """Move a level one place ``"up"`` (earlier) or ``"down"`` (later)."""
    require_admin(actor)
    levels = list_levels()
    index = next(i for i, lv in enumerate(levels) if lv.id == level.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(levels):
        return
    levels[index], levels[other] = levels[other], levels[index]
    _renumber_levels(levels)
    db.session.flush()
    record(actor, "level.move", level, direction=direction, order=[lv.code for lv in levels])


def delete_level(actor, level: Level) -> None:
    require_admin(actor)
    used = db.session.scalar(select(func.count()).select_from(Classroom).where(Classroom.level_id == level.id))
    if used:
        raise BusinessRuleViolation(
            _("%(code)s has classrooms (this year or earlier), so it cannot be deleted. "
              "Rename it instead.", code=level_label(level)))
    record(actor, "level.delete", level, code=level.code, name=level.name)
    db.session.delete(level)
    db.session.flush()
    _renumber_levels(list_levels())


# --- visibility -----------------------------------------------------------------------------


def _teacher_classroom_ids(teacher):
    return select(TeacherAssignment.classroom_id).where(TeacherAssignment.teacher_id == teacher.id)


def visible_classrooms(actor):
    """A SELECT of the classrooms ``actor`` may see (add your own filters and order)."""
    stmt = select(Classroom)
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return stmt
    if role == Role.TEACHER:
        return stmt.where(Classroom.id.in_(_teacher_classroom_ids(actor)))
    if role == Role.STUDENT:
        return stmt.where(Classroom.id.in_(current_classroom_ids([actor.id])))
    return stmt.where(false())


def current_classroom_ids(student_ids):
    """A SELECT of the ids of the classrooms ``student_ids`` (ids or a SELECT of ids) are in this year."""
    return select(ClassroomMembership.classroom_id).where(
        ClassroomMembership.student_id.in_(student_ids),
        ClassroomMembership.status == MembershipStatus.ACTIVE,
        ClassroomMembership.academic_year == current_academic_year())


def children_ids(parent):
    """A SELECT of the ids of the students linked to ``parent``."""
    return select(ParentLink.student_id).where(ParentLink.parent_id == parent.id)


def get_classroom_for(actor, classroom_id) -> Classroom:
    """The classroom if ``actor`` may see it, else NotFound (404)."""
    return get_visible(visible_classrooms(actor), Classroom, classroom_id,
                       _("That classroom does not exist or is not one of yours."))


def visible_students(actor):
    """A SELECT of the student ``User`` rows ``actor`` may see."""
    stmt = select(User).where(User.role == Role.STUDENT)
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return stmt
    if role == Role.TEACHER:
        return stmt.where(User.id.in_(
            select(ClassroomMembership.student_id).where(
                ClassroomMembership.status == MembershipStatus.ACTIVE,
                ClassroomMembership.classroom_id.in_(_teacher_classroom_ids(actor)))))
    if role == Role.STUDENT:
        return stmt.where(User.id == actor.id)
    if role == Role.PARENT:
        return stmt.where(User.id.in_(children_ids(actor)))
    return stmt.where(false())


def get_student_for(actor, student_id) -> User:
    """The student if ``actor`` may see them, else NotFound (404)."""
    return get_visible(visible_students(actor), User, student_id,
                       _("That student does not exist or is not one of yours."))


def children_of(parent) -> list[User]:
    """The students linked to ``parent``, by name."""
    return list(db.session.scalars(
        select(User).join(ParentLink, ParentLink.student_id == User.id)
        .where(ParentLink.parent_id == parent.id).order_by(User.full_name, User.id)))


def parents_of(student) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ParentLink, ParentLink.parent_id == User.id)
        .where(ParentLink.student_id == student.id).order_by(User.full_name, User.id)))


def assignments_of_classroom(classroom) -> list[TeacherAssignment]:
    """Homeroom first, then subject teachers by subject and name."""
    return list(db.session.scalars(
        select(TeacherAssignment).join(User, User.id == TeacherAssignment.teacher_id)
        .where(TeacherAssignment.classroom_id == classroom.id)
        .order_by((TeacherAssignment.role != AssignmentRole.HOMEROOM), TeacherAssignment.subject_name,
                  User.full_name)))


def teachers_of_classroom(classroom) -> list[User]:
    """The distinct teachers of a classroom, its homeroom teacher first."""
    seen, teachers = set(), []
    for assignment in assignments_of_classroom(classroom):
        if assignment.teacher_id not in seen:
            seen.add(assignment.teacher_id)
            teachers.append(assignment.teacher)
    return teachers


def current_membership_of(student, academic_year: str | None = None) -> ClassroomMembership | None:
    return db.session.scalar(
        select(ClassroomMembership).where(
            ClassroomMembership.student_id == student.id,
            ClassroomMembership.status == MembershipStatus.ACTIVE,
            ClassroomMembership.academic_year == (academic_year or current_academic_year())))


def current_classroom_of(student) -> Classroom | None:
    """The student's classroom in the current academic year (None if not placed)."""
    membership = current_membership_of(student)
    return membership.classroom if membership else None


def membership_history(student) -> list[ClassroomMembership]:
    """Every classroom the student has been in, newest first."""
    return list(db.session.scalars(
        select(ClassroomMembership).where(ClassroomMembership.student_id == student.id)
        .order_by(ClassroomMembership.academic_year.desc(), ClassroomMembership.started_on.desc(),
                  ClassroomMembership.id.desc())))


def ordered_classrooms(stmt):
    """Order a SELECT of Classroom by level order and number (level loaded in the same query)."""
    return (stmt.join(Level, Level.id == Classroom.level_id).options(contains_eager(Classroom.level))
            .order_by(Level.position, Classroom.number, Classroom.academic_year))


def classrooms_of_year(actor, academic_year: str | None = None, *, include_archived: bool = True):
    stmt = visible_classrooms(actor).where(Classroom.academic_year == (academic_year or current_academic_year()))
    if not include_archived:
        stmt = stmt.where(Classroom.archived.is_(False))
    return list(db.session.scalars(ordered_classrooms(stmt)))


def active_counts(classroom_ids) -> dict[int, int]:
    """Current students per classroom id (one query)."""
    ids = list(classroom_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ClassroomMembership.classroom_id, func.count())
        .where(ClassroomMembership.classroom_id.in_(ids),
               ClassroomMembership.status == MembershipStatus.ACTIVE)
        .group_by(ClassroomMembership.classroom_id))
    return {classroom_id: count for classroom_id, count in rows}


def homerooms_by_classroom(classroom_ids) -> dict[int, User]:
    ids = list(classroom_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(TeacherAssignment.classroom_id, User)
        .join(User, User.id == TeacherAssignment.teacher_id)
        .where(TeacherAssignment.classroom_id.in_(ids), TeacherAssignment.role == AssignmentRole.HOMEROOM))
    return {classroom_id: user for classroom_id, user in rows}


def roster(classroom) -> list[tuple[User, StudentProfile | None]]:
    """The classroom's current students with their profiles, by name (one query)."""
    return list(db.session.execute(
        select(User, StudentProfile)
        .join(ClassroomMembership, ClassroomMembership.student_id == User.id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .where(ClassroomMembership.classroom_id == classroom.id,
               ClassroomMembership.status == MembershipStatus.ACTIVE)
        .order_by(StudentProfile.student_number, User.full_name, User.id)).all())


# --- classrooms -----------------------------------------------------------------------------


def create_classroom(actor, level: Level, number: int | None = None, academic_year: str | None = None) -> Classroom:
    """A new classroom of ``level``; refused beyond the organization's classes-per-level limit."""
    require_admin(actor)
    org = current_organization()
    year = (academic_year or current_academic_year()).strip()
    if not year or len(year) > 20:
        raise ValidationFailed(_("Give the academic year, e.g. 2026."), field="academic_year")
    limit = org.classes_per_level
    taken = set(db.session.scalars(select(Classroom.number).where(
        Classroom.level_id == level.id, Classroom.academic_year == year)))
    if len(taken) >= limit:
        raise BusinessRuleViolation(
            _("%(level)s already has %(count)s classrooms in %(year)s, the most allowed. "
              "An administrator can raise “Classes per level” in the organization settings.",
              level=level_label(level), count=len(taken), year=year), code="CLASSROOM_LIMIT")
    if number is None:
        number = next(n for n in range(1, limit + 1) if n not in taken)
    if number < 1 or number > limit:
        raise ValidationFailed(_("The class number must be between 1 and %(limit)s.", limit=limit),
                               field="number")
    if number in taken:
        raise ValidationFailed(_("%(name)s already exists in %(year)s.", name=classroom_label(f"{level.code}/{number}"), year=year),
                               field="number")
    classroom = Classroom(level=level, number=number, academic_year=year)
    with flush_or_raise(Conflict(_("%(name)s already exists in %(year)s.",
                                   name=classroom_label(f"{level.code}/{number}"), year=year))):
        db.session.add(classroom)
    record(actor, "classroom.create", classroom, name=classroom.name, academic_year=year)
    return classroom


def set_classroom_archived(actor, classroom: Classroom, archived: bool) -> None:
    require_admin(actor)
    if classroom.archived == archived:
        return
    classroom.archived = archived
    db.session.flush()
    record(actor, "classroom.archive" if archived else "classroom.unarchive", classroom, name=classroom.name,
           academic_year=classroom.academic_year)


def delete_classroom(actor, classroom: Classroom) -> None:
    """Only a classroom that never had students can be deleted (otherwise archive it)."""
    require_admin(actor)
    used = db.session.scalar(select(func.count()).select_from(ClassroomMembership)
                             .where(ClassroomMembership.classroom_id == classroom.id))
    if used:
        raise BusinessRuleViolation(_("%(name)s has had students, so it is kept for the records. "
                                      "Archive it instead.", name=classroom_label(classroom)))
    record(actor, "classroom.delete", classroom, name=classroom.name, academic_year=classroom.academic_year)
    db.session.execute(delete(TeacherAssignment).where(TeacherAssignment.classroom_id == classroom.id))
    with flush_or_raise(BusinessRuleViolation(_("%(name)s is used elsewhere (subjects, sessions…), so it cannot "
                                                "be deleted. Archive it instead.", name=classroom_label(classroom)))):
        db.session.delete(classroom)


# --- lists -----------------------------------------------------------------------------------


def student_list_query(actor, *, q: str = "", level_id: int | None = None, classroom_id: int | None = None,
                       status: str = "", unplaced: bool = False, academic_year: str | None = None,
                       centre_id: int | None = None):
    """Visible students with their profile and current classroom: rows of (User, StudentProfile, Classroom).

    One statement whatever the number of rows (the classroom's level is joined in).
    """
    year = academic_year or current_academic_year()
    current = (select(ClassroomMembership.student_id, ClassroomMembership.classroom_id)
               .where(ClassroomMembership.status == MembershipStatus.ACTIVE,
                      ClassroomMembership.academic_year == year).subquery())
    stmt = (visible_students(actor)
            .add_columns(StudentProfile, Classroom)
            .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
            .outerjoin(current, current.c.student_id == User.id)
            .outerjoin(Classroom, Classroom.id == current.c.classroom_id)
            .outerjoin(Level, Level.id == Classroom.level_id)
            .options(contains_eager(Classroom.level))
            .where(StudentProfile.erased_at.is_(None)))  # erased students (lms.privacy) are not listed
    q = (q or "").strip()
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.full_name).like(pattern), User.email.like(pattern), User.username.like(pattern),
                              func.lower(StudentProfile.student_number).like(pattern)))
    stmt = where_given(stmt, (Classroom.level_id, level_id), (Classroom.id, classroom_id))
    stmt = only_members(stmt, User.id, centre_id)
    if unplaced:
        stmt = stmt.where(Classroom.id.is_(None))
    if status == StudentStatus.ACTIVE:
        stmt = stmt.where(or_(StudentProfile.status == status, StudentProfile.user_id.is_(None)))
    elif status in STUDENT_STATUSES:
        stmt = stmt.where(StudentProfile.status == status)
    return stmt.order_by(Classroom.id.is_(None), Level.position, Classroom.number,
                         func.coalesce(StudentProfile.student_number, ""), User.full_name, User.id)
