"""Enrollments: joining by code, approval, status changes, grades, per-student content, dropping.

Transitions (one way): PENDING → ENROLLED (approved) or DROPPED (rejected: ``approved_at`` stays
empty, the student is told "not approved"); ENROLLED → COMPLETED, DROPPED or EXPELLED.  COMPLETED,
DROPPED and EXPELLED are final: a student who left or was removed cannot join again with the code.
Setting the status an enrollment already has changes nothing.

Joining: the code of a PUBLISHED session (a draft's, a deleted one's or an unknown code is
"Invalid session code", 409); an expired session → 422; after ``enrollment_deadline`` only with
``allow_late_enrollment`` (else 400); capacity counts pending + enrolled + completed students (the
session row is locked while counting); ``require_approval_for_enrollment`` → PENDING.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, ValidationFailed
from lms.common.ids import as_id
from lms.common.labels import label
from lms.common.services import flush_or_raise, get_visible
from lms.common.types import utcnow
from lms.communication.notifications import ENROLLMENT_APPROVED, ENROLLMENT_REJECTED, notify
from lms.curriculum.models import Part, Unit
from lms.curriculum.services import get_section_for, get_subject_for
from lms.extensions import db
from lms.school import cohorts
from lms.school.models import CohortMembership, StudentProfile, StudentStatus
from lms.school.services import visible_students
from lms.teaching import codes, limits, rules
from lms.teaching.models import CourseSession, CourseSessionEnrollment
from lms.teaching.models import CourseSessionStatus as Status
from lms.teaching.models import SessionEnrollmentStatus as Enr
from lms.teaching.services import get_session_for, is_expired, load_session, seats_taken, settings_of

TRANSITIONS = {
    Enr.PENDING: {Enr.ENROLLED, Enr.DROPPED},
    Enr.ENROLLED: {Enr.COMPLETED, Enr.DROPPED, Enr.EXPELLED},
    Enr.COMPLETED: set(), Enr.DROPPED: set(), Enr.EXPELLED: set(),
}
VISIBLE_TO_STUDENT = (Enr.PENDING, Enr.ENROLLED, Enr.COMPLETED)


def invalid_code() -> Conflict:
    return Conflict(_("Invalid session code"), code="INVALID_SESSION_CODE",
                    details={"field": "session_code", "reason": _("Invalid session code")})


def already_enrolled() -> Conflict:
    return Conflict(_("Student already enrolled in this session"), code="ALREADY_ENROLLED")


# --- students' access ---------------------------------------------------------------------------


def enrollment_of(student, session_id: int) -> CourseSessionEnrollment | None:
    return db.session.scalar(select(CourseSessionEnrollment).where(
        CourseSessionEnrollment.course_session_id == session_id, CourseSessionEnrollment.student_id == student.id))


def get_student_session(student, session_id, *, api: bool = False):
    """``(session, enrollment)`` for a student enrolled in it (pending, enrolled or completed).

    Not enrolled: 404 on pages (not visible), 403 "Students can only access enrolled sessions" in
    the API (its contract).
    """
    course_session = load_session(session_id)
    enrollment = enrollment_of(student, course_session.id)
    if enrollment is None or enrollment.enrollment_status not in VISIBLE_TO_STUDENT:
        if api:
            raise Forbidden(_("Students can only access enrolled sessions"))
        raise rules.session_not_found(session_id)
    return course_session, enrollment


def require_approved(enrollment: CourseSessionEnrollment) -> None:
    """A PENDING student sees only the session's name and their status: announcements, their
    work, meetings and check-in wait for the teacher's approval (403)."""
    if enrollment.enrollment_status == Enr.PENDING:
        raise Forbidden(_("Your request is waiting for the teacher's approval."), code="ENROLLMENT_PENDING")


def student_sessions_query(student, *, status: str = "", active_only: bool = False):
    """Rows of (CourseSession, CourseSessionEnrollment) of a student, newest start first."""
    stmt = (select(CourseSession, CourseSessionEnrollment)
            .join(CourseSessionEnrollment, CourseSessionEnrollment.course_session_id == CourseSession.id)
            .where(CourseSessionEnrollment.student_id == student.id, CourseSession.is_deleted.is_(False)))
    if status:
        stmt = stmt.where(CourseSessionEnrollment.enrollment_status == status)
    if active_only:
        stmt = stmt.where(CourseSession.status == Status.PUBLISHED, CourseSession.is_active.is_(True),
                          CourseSession.end_date > utcnow(),
                          CourseSessionEnrollment.enrollment_status.in_((Enr.PENDING, Enr.ENROLLED)))
    return stmt.order_by(CourseSession.start_date.desc(), CourseSession.id.desc())


# --- joining ------------------------------------------------------------------------------------


def join_by_code(student, raw_code) -> CourseSessionEnrollment:
    if getattr(student, "role", None) != Role.STUDENT:
        raise Forbidden(_("Only students can join a session with a code."))
    if raw_code is None or (isinstance(raw_code, str) and not raw_code.strip()):
        raise ValidationFailed(_("Session code is required"), field="session_code")
    # Limited per student (guessing codes) and per student and session (the same code again and
    # again) — never per session alone, so one student's retries cannot close a session to the class.
    limits.hit("TEACHING_JOIN_LIMIT_PER_STUDENT", student.id)
    code = codes.normalise_code(raw_code)
    if not codes.is_join_code(code):
        raise invalid_code()
    session_id = db.session.scalar(select(CourseSession.id).where(
        CourseSession.session_code == code, CourseSession.is_deleted.is_(False),
        CourseSession.is_active.is_(True), CourseSession.status != Status.DRAFT))
    if session_id is None:
        raise invalid_code()
    limits.hit("TEACHING_JOIN_LIMIT_PER_STUDENT_AND_SESSION", session_id, student.id)
    course_session = load_session(session_id, lock=True)  # capacity is counted under this lock
    return _enroll(student, course_session, actor=student, by_code=True)


def _enroll(student, course_session: CourseSession, *, actor, by_code: bool) -> CourseSessionEnrollment:
    if is_expired(course_session):
        raise rules.session_expired()
    existing = enrollment_of(student, course_session.id)
    if existing is not None:
        if existing.enrollment_status in VISIBLE_TO_STUDENT:
            raise already_enrolled()
        raise BusinessRuleViolation(
            _("You left or were removed from this session, so you cannot join it again. Ask the teacher."),
            code="ENROLLMENT_CLOSED")
    settings = settings_of(course_session)
    now = utcnow()
    if by_code and course_session.enrollment_deadline is not None and now > course_session.enrollment_deadline \
            and not settings.allow_late_enrollment:
        raise ValidationFailed(_("Cannot enroll after enrollment deadline"), code="ENROLLMENT_DEADLINE_PASSED",
                               field="session_code")
    if course_session.max_students is not None and seats_taken(course_session.id) >= course_session.max_students:
        raise BusinessRuleViolation(_("Maximum student capacity reached"), code="CAPACITY_REACHED")
    # The contract's "100 enrollments per hour per session" counts new enrollments only: a refused
    # attempt (already enrolled, closed, full, late) never uses up the session's budget.
    limits.hit("TEACHING_ENROLLMENT_LIMIT_PER_SESSION", course_session.id)
    pending = by_code and settings.require_approval_for_enrollment
    ip = rules.client_ip()
    enrollment = CourseSessionEnrollment(
        tenant_id=course_session.tenant_id, course_session_id=course_session.id, student_id=student.id,
        enrolled_at=now, approved_at=None if pending else now,
        enrollment_status=Enr.PENDING if pending else Enr.ENROLLED, created_by=actor.id,
        created_ip=ip, updated_ip=ip)
    with flush_or_raise(already_enrolled()):  # the same student joining twice at the same moment
        db.session.add(enrollment)
    record(actor, "course_session.enroll", enrollment, session_id=course_session.id, student_id=student.id,
           status=enrollment.enrollment_status)
    return enrollment


def add_student(actor, course_session: CourseSession, student_ref: str | None,
                student_id: int | None = None) -> CourseSessionEnrollment:
    """A teacher or admin adds one of the students they can see (by email, username or student number, or
    by user id from the API): ENROLLED."""
    get_session_for(actor, course_session.id)
    ref = (student_ref or "").strip().lower()
    if not ref and student_id is None:
        raise ValidationFailed(_("Give a student's email or student number."), field="student")
    if ref and student_id is not None:
        raise ValidationFailed(_("Give either student or student_id, not both."), field="student")
    match = User.id == as_id(student_id) if student_id is not None else or_(
        User.email == ref, User.username == ref, func.lower(StudentProfile.student_number) == ref)
    student = db.session.scalar(visible_students(actor).outerjoin(StudentProfile, StudentProfile.user_id == User.id)
                                .where(match))
    if student is None:
        raise ValidationFailed(_("No student of yours has that email or number."), field="student")
    load_session(course_session.id, lock=True)
    return _enroll(student, course_session, actor=actor, by_code=False)


# --- a whole cohort at once (issue 18.4) ------------------------------------------------------------


@dataclass
class CohortEnrollment:
    """What enrolling a cohort did: who was enrolled, and who was skipped and why."""
    cohort_name: str
    enrolled: list[User] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)


def _skip_reason(student: User, profile_status: str | None, enrollment_status: str | None) -> str | None:
    if enrollment_status in VISIBLE_TO_STUDENT:
        return _("already in the session (%(status)s)", status=label("enrollment_status", enrollment_status))
    if enrollment_status is not None:
        return _("left or was removed from this session")
    if not student.active:
        return _("account deactivated")
    if profile_status not in (None, StudentStatus.ACTIVE):
        return _("not an active student (%(status)s)", status=label("student_status", profile_status))
    return None


def enroll_cohort(actor, course_session: CourseSession, cohort_id) -> CohortEnrollment:
    """Enrol every current member of a cohort (ENROLLED, as when a teacher adds a student), in one step.

    Members already in the session, who left or were removed from it, whose account is deactivated or
    who are no longer active students are skipped, each with the reason. All or nothing: an expired
    session, or more students than the seats left, enrols nobody (the session row is locked while
    counting, as for joining by code).
    """
    get_session_for(actor, course_session.id)
    if cohort_id in (None, ""):
        raise ValidationFailed(_("Choose a cohort."), field="cohort_id")
    cohort = cohorts.get_cohort(actor, cohort_id)
    course_session = load_session(course_session.id, lock=True)
    if is_expired(course_session):
        raise rules.session_expired()
    rows = db.session.execute(
        select(User, StudentProfile.status, CourseSessionEnrollment.enrollment_status)
        .join(CohortMembership, CohortMembership.student_id == User.id)
        .outerjoin(StudentProfile, StudentProfile.user_id == User.id)
        .outerjoin(CourseSessionEnrollment, (CourseSessionEnrollment.student_id == User.id)
                   & (CourseSessionEnrollment.course_session_id == course_session.id))
        .where(CohortMembership.cohort_id == cohort.id, CohortMembership.removed_at.is_(None))
        .order_by(func.lower(User.full_name), User.id)).all()
    if not rows:
        raise ValidationFailed(_("The cohort “%(name)s” has no students.", name=cohort.name), field="cohort_id")
    result = CohortEnrollment(cohort.name)
    for student, profile_status, enrollment_status in rows:
        reason = _skip_reason(student, profile_status, enrollment_status)
        if reason:
            result.skipped.append((student, reason))
        else:
            result.enrolled.append(student)
    if course_session.max_students is not None and result.enrolled:
        free = max(course_session.max_students - seats_taken(course_session.id), 0)
        if len(result.enrolled) > free:
            raise BusinessRuleViolation(ngettext(
                "Only %(num)d seat is left in this session and the cohort has %(wanted)d students to enrol. "
                "Nobody was enrolled.",
                "Only %(num)d seats are left in this session and the cohort has %(wanted)d students to enrol. "
                "Nobody was enrolled.", free, wanted=len(result.enrolled)), code="CAPACITY_REACHED")
    now, ip = utcnow(), rules.client_ip()
    # A student joining by code at this very moment makes the whole step fail (and roll back).
    with flush_or_raise(Conflict(_("A student of the cohort joined the session at the same moment. Try again."),
                                 code="ALREADY_ENROLLED")):
        db.session.add_all(CourseSessionEnrollment(
            tenant_id=course_session.tenant_id, course_session_id=course_session.id, student_id=student.id,
            enrolled_at=now, approved_at=now, enrollment_status=Enr.ENROLLED, created_by=actor.id,
            created_ip=ip, updated_ip=ip) for student in result.enrolled)
    record(actor, "course_session.enroll_cohort", course_session, session_id=course_session.id, name=cohort.name,
           count=len(result.enrolled), students=[s.id for s in result.enrolled],
           skipped=[s.id for s, _reason in result.skipped])
    return result


# --- managing -------------------------------------------------------------------------------------


def get_enrollment_for(actor, course_session: CourseSession, enrollment_id) -> CourseSessionEnrollment:
    return get_visible(select(CourseSessionEnrollment).where(
        CourseSessionEnrollment.course_session_id == course_session.id), CourseSessionEnrollment, enrollment_id,
        rules.enrollment_not_found())


def get_student_enrollment_for(actor, course_session: CourseSession, student_id) -> CourseSessionEnrollment:
    """The enrollment of the student with user id ``student_id`` in this session (404 if there is none)."""
    get_session_for(actor, course_session.id)
    found = db.session.scalar(select(CourseSessionEnrollment).where(
        CourseSessionEnrollment.course_session_id == course_session.id,
        CourseSessionEnrollment.student_id == as_id(student_id)))
    if found is None:
        raise rules.enrollment_not_found()
    return found


def remove_student(actor, course_session: CourseSession, enrollment: CourseSessionEnrollment) -> CourseSessionEnrollment:
    """Take a student out of the session: a pending request is rejected (DROPPED), an enrolled student is
    removed (EXPELLED); one already out stays as they are; a completed enrollment is final (422)."""
    current = enrollment.enrollment_status
    if current in (Enr.DROPPED, Enr.EXPELLED):
        get_session_for(actor, course_session.id, api=True)
        return enrollment
    return change_status(actor, course_session, enrollment, Enr.DROPPED if current == Enr.PENDING else Enr.EXPELLED)


def change_status(actor, course_session: CourseSession, enrollment: CourseSessionEnrollment,
                  new_status) -> CourseSessionEnrollment:
    get_session_for(actor, course_session.id, api=True)
    wanted = rules.parse_choice(new_status, "enrollment_status", Enr,
                                _("enrollment_status must be one of PENDING, ENROLLED, DROPPED, COMPLETED, "
                                  "EXPELLED"))
    current = enrollment.enrollment_status
    if wanted == current:
        return enrollment
    if wanted not in TRANSITIONS[Enr(current)]:
        raise rules.invalid_transition(_("Enrollment status cannot change from %(current)s to %(wanted)s",
                                         current=current, wanted=wanted))
    now = utcnow()
    enrollment.enrollment_status = wanted
    enrollment.updated_by, enrollment.updated_ip = actor.id, rules.client_ip()
    if wanted == Enr.ENROLLED:
        enrollment.approved_at = now
        notify([enrollment.student_id], ENROLLMENT_APPROVED.code, link=_student_link(course_session),
               session=course_session.session_name)
    elif wanted == Enr.COMPLETED:
        enrollment.completion_date = now
    elif wanted in (Enr.DROPPED, Enr.EXPELLED):
        enrollment.dropped_at = now
        if current == Enr.PENDING:
            notify([enrollment.student_id], ENROLLMENT_REJECTED.code, session=course_session.session_name)
    db.session.flush()
    record(actor, "course_session.enrollment_status", enrollment, session_id=course_session.id,
           student_id=enrollment.student_id, before=current, after=wanted)
    return enrollment


def _student_link(course_session: CourseSession) -> str | None:
    from flask import current_app, url_for

    if "teaching.student.detail" in current_app.view_functions:
        return url_for("teaching.student.detail", session_id=course_session.id)
    return None


def set_grade(actor, course_session: CourseSession, enrollment: CourseSessionEnrollment,
              data: dict) -> CourseSessionEnrollment:
    """``completion_percentage`` (required, 0–100) and ``final_grade`` (optional, 0–100 or null)."""
    get_session_for(actor, course_session.id, api=True)
    completion = rules.parse_int(data.get("completion_percentage"), "completion_percentage",
                                 _("completion_percentage is required and must be an integer from 0 to 100"),
                                 minimum=0, maximum=100)
    grade = enrollment.final_grade
    if "final_grade" in data:
        grade = rules.parse_int(data["final_grade"], "final_grade",
                                _("final_grade must be an integer from 0 to 100"), minimum=0, maximum=100,
                                allow_none=True)
    if enrollment.enrollment_status not in (Enr.ENROLLED, Enr.COMPLETED):
        raise BusinessRuleViolation(_("Only enrolled or completed students can be graded"),
                                    code="ENROLLMENT_NOT_ACTIVE")
    before = {"completion_percentage": enrollment.completion_percentage, "final_grade": enrollment.final_grade}
    enrollment.completion_percentage, enrollment.final_grade = completion, grade
    enrollment.updated_by, enrollment.updated_ip = actor.id, rules.client_ip()
    db.session.flush()
    record(actor, "course_session.grade", enrollment, session_id=course_session.id,
           student_id=enrollment.student_id, before=before,
           after={"completion_percentage": completion, "final_grade": grade})
    return enrollment


def assign_content(actor, course_session: CourseSession, enrollment: CourseSessionEnrollment, *,
                   subject_id=None, section_id=None, notes: str | None = None,
                   notes_shared: bool = False) -> CourseSessionEnrollment:
    """Seed 004: the student's own subject and section in this session, and notes shown to them (and
    to their parents when ``notes_shared``)."""
    get_session_for(actor, course_session.id)
    subject = get_subject_for(actor, subject_id) if subject_id not in (None, "") else None
    section = None
    if section_id not in (None, ""):
        section = get_section_for(actor, section_id)
        section_subject = db.session.scalar(select(Unit.subject_id).join(Part, Part.unit_id == Unit.id)
                                            .where(Part.id == section.part_id))
        if subject is None:
            subject = get_subject_for(actor, section_subject)
        elif section_subject != subject.id:
            raise ValidationFailed(_("That section is not part of the chosen subject."), field="section_id")
    notes = rules.parse_text(notes, "notes", _("Notes can be at most %(n)d characters", n=rules.NOTES_MAX),
                             minimum=0, maximum=rules.NOTES_MAX, required=False)
    enrollment.assigned_subject_id = subject.id if subject else None
    enrollment.assigned_section_id = section.id if section else None
    enrollment.notes = notes
    enrollment.notes_shared_with_parents = bool(notes_shared)
    enrollment.updated_by, enrollment.updated_ip = actor.id, rules.client_ip()
    db.session.flush()
    record(actor, "course_session.assign_content", enrollment, session_id=course_session.id,
           subject_id=enrollment.assigned_subject_id, section_id=enrollment.assigned_section_id,
           notes_shared=enrollment.notes_shared_with_parents)
    return enrollment


def drop(student, course_session: CourseSession) -> CourseSessionEnrollment:
    """A student leaves a session (only when its settings allow it)."""
    enrollment = enrollment_of(student, course_session.id)
    if enrollment is None or enrollment.enrollment_status not in (Enr.PENDING, Enr.ENROLLED):
        raise rules.enrollment_not_found()
    if not settings_of(course_session).allow_student_drop:
        raise BusinessRuleViolation(_("This session does not allow students to drop out. Ask the teacher."),
                                    code="DROP_NOT_ALLOWED")
    enrollment.enrollment_status, enrollment.dropped_at = Enr.DROPPED, utcnow()
    enrollment.updated_by, enrollment.updated_ip = student.id, rules.client_ip()
    db.session.flush()
    record(student, "course_session.drop", enrollment, session_id=course_session.id)
    return enrollment


def enrollment_list_query(course_session: CourseSession, *, status: str = "", q: str = ""):
    """Rows of (CourseSessionEnrollment, User) of a session, by student name (one statement)."""
    stmt = (select(CourseSessionEnrollment, User).join(User, User.id == CourseSessionEnrollment.student_id)
            .where(CourseSessionEnrollment.course_session_id == course_session.id))
    if status:
        stmt = stmt.where(CourseSessionEnrollment.enrollment_status == status)
    q = (q or "").strip().lower()
    if q:
        stmt = stmt.where(or_(func.lower(User.full_name).like(f"%{q}%"), User.email.like(f"%{q}%")))
    return stmt.order_by(CourseSessionEnrollment.enrollment_status != Enr.PENDING, func.lower(User.full_name),
                         User.id)
