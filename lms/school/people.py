"""People in the school's structure: staff and teacher assignments, students, their
classrooms over the years (enroll, withdraw, promote) and their parents.

Write functions take the acting user first.  ``actor=None`` means the system acting on a
user's behalf; the invitation flow calls ``enroll_student(None, student, classroom)`` and
``link_parent(None, parent, student)`` (or passes the inviting admin).  Otherwise the actor
must be an admin (Forbidden).
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from lms.audit.services import record
from lms.auth.models import Role, User, normalise_email
from lms.auth.services import validate_email_address
from lms.auth.usernames import check_username_free, clean_username
from lms.common.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import classroom_label, level_label
from lms.common.services import flush_or_raise, is_taken
from lms.core.localtime import local_today
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
from lms.school.services import (
    current_membership_of,
    next_level,
    ordered_classrooms,
    require_admin,
)
from lms.school.sign_in_names import assign_student_number, username_from_number

# --- teachers -------------------------------------------------------------------------------


def get_staff_member(staff_id) -> User:
    user = db.session.get(User, ident) if (ident := as_id(staff_id)) else None
    if user is None or user.role not in (Role.TEACHER, Role.ADMIN):
        raise NotFound(_("That staff member does not exist."))
    return user


def assign_teacher(actor, teacher: User, classroom: Classroom, role: str = AssignmentRole.SUBJECT,
                   subject_name: str = "") -> TeacherAssignment:
    """Make ``teacher`` the homeroom teacher (replacing any other) or a subject teacher of ``classroom``."""
    require_admin(actor)
    if teacher.role != Role.TEACHER:
        raise ValidationFailed(_("Only teacher accounts can be assigned to classrooms."), field="teacher")
    if role not in (AssignmentRole.HOMEROOM, AssignmentRole.SUBJECT):
        raise ValidationFailed(_("Choose homeroom or subject teacher."), field="role")
    subject_name = "" if role == AssignmentRole.HOMEROOM else (subject_name or "").strip()
    if len(subject_name) > 100:
        raise ValidationFailed(_("The subject name is too long (100 characters at most)."), field="subject_name")
    existing = db.session.scalar(select(TeacherAssignment).where(
        TeacherAssignment.classroom_id == classroom.id, TeacherAssignment.teacher_id == teacher.id,
        TeacherAssignment.role == role, TeacherAssignment.subject_name == subject_name))
    if existing:
        return existing
    if role == AssignmentRole.HOMEROOM:
        previous = db.session.scalar(select(TeacherAssignment).where(
            TeacherAssignment.classroom_id == classroom.id, TeacherAssignment.role == AssignmentRole.HOMEROOM))
        if previous is not None:
            record(actor, "classroom.unassign_teacher", classroom, teacher=previous.teacher.email,
                   role=previous.role)
            db.session.delete(previous)
            db.session.flush()
    assignment = TeacherAssignment(teacher=teacher, classroom=classroom, role=role, subject_name=subject_name)
    with flush_or_raise(Conflict(_("That teacher already has this role in %(name)s.",
                                   name=classroom_label(classroom)))):
        db.session.add(assignment)
    record(actor, "classroom.assign_teacher", classroom, teacher=teacher.email, role=role,
           subject=subject_name or None)
    return assignment


def unassign_teacher(actor, assignment: TeacherAssignment) -> None:
    require_admin(actor)
    record(actor, "classroom.unassign_teacher", assignment.classroom, teacher=assignment.teacher.email,
           role=assignment.role, subject=assignment.subject_name or None)
    db.session.delete(assignment)
    db.session.flush()


def get_assignment(assignment_id) -> TeacherAssignment:
    assignment = db.session.get(TeacherAssignment, ident) if (ident := as_id(assignment_id)) else None
    if assignment is None:
        raise NotFound(_("That assignment does not exist."))
    return assignment


def assignments_of_teacher(teacher, *, academic_year: str | None = None) -> list[TeacherAssignment]:
    stmt = (select(TeacherAssignment).join(Classroom, Classroom.id == TeacherAssignment.classroom_id)
            .join(Level, Level.id == Classroom.level_id)
            .where(TeacherAssignment.teacher_id == teacher.id))
    if academic_year:
        stmt = stmt.where(Classroom.academic_year == academic_year)
    return list(db.session.scalars(stmt.order_by(Classroom.academic_year.desc(), Level.position,
                                                 Classroom.number, TeacherAssignment.role)))


def assignments_for_teachers(teacher_ids, *, academic_year: str | None = None) -> list[TeacherAssignment]:
    """Assignments of several teachers at once (one query), by classroom order."""
    stmt = (select(TeacherAssignment).join(Classroom, Classroom.id == TeacherAssignment.classroom_id)
            .join(Level, Level.id == Classroom.level_id)
            .where(TeacherAssignment.teacher_id.in_(list(teacher_ids))))
    if academic_year:
        stmt = stmt.where(Classroom.academic_year == academic_year)
    return list(db.session.scalars(stmt.order_by(Level.position, Classroom.number, TeacherAssignment.role)))


def list_teachers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.TEACHER, User.active.is_(True))
                                   .order_by(User.full_name, User.id)))


def unusable_password_hash() -> str:
    """A hash of a random, forgotten password: the account cannot sign in until it gets a real one."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(secrets.token_urlsafe(32), method=method)


def _clean_name(full_name: str) -> str:
    full_name = (full_name or "").strip()
    if not full_name or len(full_name) > 200:
        raise ValidationFailed(_("Give the full name (up to 200 characters)."), field="full_name")
    return full_name


def _clean_new_email(email: str | None, *, exclude_user_id: int | None = None,
                     optional: bool = False) -> str | None:
    if optional and not (email or "").strip():
        return None
    email = validate_email_address(email)
    if is_taken(User.id, User.email == email, except_id=exclude_user_id):
        raise ValidationFailed(_("There is already an account with the email %(email)s.", email=email),
                               field="email")
    return email


def create_staff_member(actor, full_name: str, email: str, role: str = Role.TEACHER) -> tuple[User, str]:
    """A teacher (or admin) account with a random first password, returned once to show the admin."""
    require_admin(actor)
    if role not in (Role.TEACHER, Role.ADMIN):
        raise ValidationFailed(_("Staff are teachers or administrators."), field="role")
    user = User(full_name=_clean_name(full_name), email=_clean_new_email(email), role=str(role))
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    with flush_or_raise(Conflict(_("There is already an account with the email %(email)s.", email=user.email))):
        db.session.add(user)
    record(actor, "staff.create", user, email=user.email, role=user.role)
    return user, password


# --- students -------------------------------------------------------------------------------

STUDENT_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,31}$")


def clean_student_number(number: str | None) -> str | None:
    number = (number or "").strip()
    if not number:
        return None
    if not STUDENT_NUMBER_RE.match(number):
        raise ValidationFailed(_("A student number is up to 32 letters, digits, “-”, “/” or “.”."),
                               field="student_number")
    return number


def _check_number_free(number: str | None, exclude_user_id: int | None = None) -> None:
    if not number:
        return
    if is_taken(StudentProfile.user_id, StudentProfile.student_number == number, except_id=exclude_user_id):
        raise ValidationFailed(_("Student number %(number)s is already used by another student.", number=number),
                               field="student_number")


def ensure_student_profile(student: User) -> StudentProfile:
    """The student's profile; a student who has none (joined by invitation) gets one with a
    generated student number, and a username made from it when the account has none."""
    profile = db.session.get(StudentProfile, student.id)
    if profile is None:
        profile = StudentProfile(user_id=student.id, status=StudentStatus.ACTIVE)
        db.session.add(profile)
        db.session.flush()
    if profile.student_number is None:
        assign_student_number(profile)
        if student.username is None:
            student.username = username_from_number(profile.student_number)
            db.session.flush()
    return profile


def profile_of(student: User) -> StudentProfile | None:
    return db.session.get(StudentProfile, student.id)


def _placeholder_username() -> str:
    return "new-" + secrets.token_hex(8)


def create_student(actor, full_name: str, email: str | None, student_number: str | None,
                   classroom: Classroom | None = None, date_of_birth: date | None = None,
                   guardian_notes: str = "", username: str | None = None) -> User:
    """A student account (no usable password until invited) with its profile and classroom.

    The email is optional; a blank student number is generated and a blank username is proposed
    from the student number."""
    require_admin(actor)
    number = clean_student_number(student_number)
    username = clean_username(username)
    user = User(full_name=_clean_name(full_name), email=_clean_new_email(email, optional=True), role=Role.STUDENT,
                password_hash=unusable_password_hash(), username=username)
    _check_number_free(number)
    check_username_free(username)
    if username is None and user.email is None:
        user.username = _placeholder_username()  # replaced by the proposal from the number below
    with flush_or_raise(Conflict(_("That email or username is already used."))):
        db.session.add(user)
    profile = StudentProfile(user_id=user.id, student_number=number, date_of_birth=date_of_birth,
                             guardian_notes=(guardian_notes or "").strip())
    with flush_or_raise(Conflict(_("Student number %(number)s is already used by another student.",
                                   number=number))):
        db.session.add(profile)
    if number is None:
        number = assign_student_number(profile)
    if username is None:
        with flush_or_raise(Conflict(_("That email or username is already used."))):
            user.username = username_from_number(number) or (user.username if user.email is None else None)
    record(actor, "student.create", user, email=user.email, username=user.username, student_number=number)
    if classroom is not None:
        enroll_student(actor, user, classroom)
    return user


def update_student(actor, student: User, *, full_name: str, email: str | None, student_number: str | None,
                   status: str, date_of_birth: date | None, guardian_notes: str,
                   username: str | None = None) -> User:
    """``username=None`` keeps the current one (callers without the field); "" removes it."""
    require_admin(actor)
    profile = ensure_student_profile(student)
    number = clean_student_number(student_number) or profile.student_number
    if status not in STUDENT_STATUSES:
        raise ValidationFailed(_("Choose a valid status."), field="status")
    full_name = _clean_name(full_name)
    email = _clean_new_email(email, exclude_user_id=student.id, optional=True)
    username = student.username if username is None else clean_username(username)
    check_username_free(username, exclude_user_id=student.id)
    if email is None and username is None:
        raise ValidationFailed(_("A student without an email needs a username to sign in with."), field="username")
    _check_number_free(number, exclude_user_id=student.id)
    before = {"full_name": student.full_name, "email": student.email, "username": student.username,
              "student_number": profile.student_number, "status": profile.status}
    with flush_or_raise(Conflict(_("That email, username or student number is already used."))):
        student.full_name, student.email, student.username = full_name, email, username
        profile.student_number, profile.date_of_birth = number, date_of_birth
        profile.guardian_notes = (guardian_notes or "").strip()
        if status != profile.status:
            profile.status = status
            if status in (StudentStatus.LEFT, StudentStatus.GRADUATED):
                _end_active_memberships(student, MembershipStatus.LEFT if status == StudentStatus.LEFT
                                        else MembershipStatus.GRADUATED)
    after = {"full_name": full_name, "email": email, "username": username, "student_number": number,
             "status": status}
    record(actor, "student.update", student, changes={k: [before[k], v] for k, v in after.items() if before[k] != v})
    return student


def _end_active_memberships(student: User, status: str) -> None:
    db.session.execute(
        update(ClassroomMembership)
        .where(ClassroomMembership.student_id == student.id,
               ClassroomMembership.status == MembershipStatus.ACTIVE)
        .values(status=status, ended_on=local_today()),
        execution_options={"synchronize_session": "fetch"})


def enroll_student(actor, student: User, classroom: Classroom, academic_year: str | None = None) -> ClassroomMembership:
    """Put ``student`` in ``classroom`` for its academic year, ending any other classroom that year.

    The invitation flow calls this with ``actor=None`` (or the inviting admin).  History is
    kept: the previous classroom's membership is ended as MOVED, never deleted.
    """
    require_admin(actor)
    if student.role != Role.STUDENT:
        raise ValidationFailed(_("Only student accounts can be placed in a classroom."), field="student")
    year = academic_year or classroom.academic_year
    if year != classroom.academic_year:
        raise ValidationFailed(_("%(name)s belongs to %(year)s.", name=classroom_label(classroom), year=classroom.academic_year),
                               field="classroom")
    if classroom.archived:
        raise BusinessRuleViolation(_("%(name)s (%(year)s) is archived; choose a current classroom.",
                                      name=classroom_label(classroom), year=year))
    profile = ensure_student_profile(student)
    current = current_membership_of(student, year)
    if current is not None and current.classroom_id == classroom.id:
        return current
    today = local_today()
    previous_name = None
    if current is not None:
        previous_name = current.classroom.name
        current.status = MembershipStatus.MOVED
        current.ended_on = max(today, current.started_on)
        db.session.flush()
    if profile.status != StudentStatus.ACTIVE:
        profile.status = StudentStatus.ACTIVE
    membership = ClassroomMembership(student_id=student.id, classroom=classroom, academic_year=year,
                                     status=MembershipStatus.ACTIVE, started_on=today)
    with flush_or_raise(Conflict(_("%(name)s is already in a classroom for %(year)s.", name=student.full_name,
                                   year=year))):
        db.session.add(membership)
    record(actor, "student.enroll", student, classroom=classroom.name, academic_year=year,
           previous_classroom=previous_name)
    return membership


def withdraw_student(actor, student: User, academic_year: str | None = None) -> None:
    """Take the student out of their classroom for the year (history kept as LEFT)."""
    require_admin(actor)
    current = current_membership_of(student, academic_year)
    if current is None:
        return
    current.status = MembershipStatus.LEFT
    current.ended_on = max(local_today(), current.started_on)
    db.session.flush()
    record(actor, "student.withdraw", student, classroom=current.classroom.name,
           academic_year=current.academic_year)


def promotion_targets(student: User) -> tuple[ClassroomMembership | None, Level | None, list[Classroom]]:
    """The student's current membership, the next level, and that level's classrooms this year."""
    current = current_membership_of(student)
    if current is None:
        return None, None, []
    level = next_level(current.classroom.level)
    if level is None:
        return current, None, []
    classrooms = list(db.session.scalars(ordered_classrooms(select(Classroom).where(
        Classroom.level_id == level.id, Classroom.academic_year == current.academic_year,
        Classroom.archived.is_(False)))))
    return current, level, classrooms


def promote_student(actor, student: User, classroom: Classroom | None = None) -> ClassroomMembership | None:
    """Move one student up a level now (outside the year-end rollover); from the last level they graduate.

    Without ``classroom`` the next level's class with the same number is used.  Returns the
    new membership (None for a graduation).
    """
    require_admin(actor)
    current, level, classrooms = promotion_targets(student)
    if current is None:
        raise BusinessRuleViolation(_("%(name)s is not in a classroom this year, so there is nothing to "
                                      "promote from.", name=student.full_name))
    today = local_today()
    profile = ensure_student_profile(student)
    if level is None:
        current.status = MembershipStatus.GRADUATED
        current.ended_on = max(today, current.started_on)
        profile.status = StudentStatus.GRADUATED
        db.session.flush()
        record(actor, "student.graduate", student, classroom=current.classroom.name,
               academic_year=current.academic_year)
        return None
    if classroom is None:
        classroom = next((c for c in classrooms if c.number == current.classroom.number), None)
        if classroom is None:
            raise BusinessRuleViolation(_("There is no %(name)s in %(year)s. Create it first or choose "
                                          "another classroom.", name=classroom_label(f"{level.code}/{current.classroom.number}"),
                                          year=current.academic_year))
    elif classroom.id not in {c.id for c in classrooms}:
        raise ValidationFailed(_("Choose a current classroom of %(level)s.", level=level_label(level)), field="classroom")
    from_name = current.classroom.name
    current.status = MembershipStatus.PROMOTED
    current.ended_on = max(today, current.started_on)
    db.session.flush()
    membership = ClassroomMembership(student_id=student.id, classroom=classroom,
                                     academic_year=current.academic_year, status=MembershipStatus.ACTIVE,
                                     started_on=today)
    with flush_or_raise(Conflict(_("%(name)s is already in a classroom for %(year)s.", name=student.full_name,
                                   year=current.academic_year))):
        db.session.add(membership)
    record(actor, "student.promote", student, from_classroom=from_name, to_classroom=classroom.name,
           academic_year=current.academic_year)
    return membership


# --- parents --------------------------------------------------------------------------------


def find_parent_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.role != Role.PARENT:
        raise ValidationFailed(_("There is no parent account with the email %(email)s. Invite the parent "
                                 "first, or check the address.", email=normalise_email(email)),
                               field="email")
    return user


def link_parent(actor, parent: User, student: User) -> ParentLink:
    """Let ``parent`` follow ``student`` (idempotent).  The invitation-accept hook calls this too."""
    require_admin(actor)
    if parent.role != Role.PARENT:
        raise ValidationFailed(_("Only parent accounts can be linked to a student."), field="parent")
    if student.role != Role.STUDENT:
        raise ValidationFailed(_("Parents can only be linked to students."), field="student")
    link = db.session.scalar(select(ParentLink).where(ParentLink.parent_id == parent.id,
                                                      ParentLink.student_id == student.id))
    if link is not None:
        return link
    link = ParentLink(parent_id=parent.id, student_id=student.id)
    with flush_or_raise(Conflict(_("%(parent)s is already linked to %(student)s.", parent=parent.full_name,
                                   student=student.full_name))):
        db.session.add(link)
    record(actor, "parent.link", student, parent=parent.email, student=student.email)
    return link


def unlink_parent(actor, parent: User, student: User) -> None:
    require_admin(actor)
    link = db.session.scalar(select(ParentLink).where(ParentLink.parent_id == parent.id,
                                                      ParentLink.student_id == student.id))
    if link is None:
        raise NotFound(_("That parent is not linked to this student."))
    db.session.delete(link)
    db.session.flush()
    record(actor, "parent.unlink", student, parent=parent.email, student=student.email)
