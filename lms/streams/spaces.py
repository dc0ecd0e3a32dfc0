"""The space a stream belongs to (a classroom, a subject or a teaching session): who sees it, who
manages it (its teachers and admins), who may post, who its members are.

* Classroom: admins, its assigned teachers (managers) and its students this year.
* Subject: admins, its teachers (managers) and the students it is taught to.
* Teaching session: admins, its teacher (managers) and its approved students (enrolled or
  completed; a pending student is told to wait).
* Parents have no streams (the route refuses them): a stream is the class's conversation among its
  students; parents follow their children through their own pages and messages.

Anything else answers 404.  ``open_space(actor, kind, id)`` gives a ``Space``; ``visibility(actor, kind)``
is (nearly) the same rule as one SQL condition on ``Stream`` (the poll's single query).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, or_, select, true

from lms.auth.models import Role, User
from lms.common.errors import NotFound
from lms.common.services import flush_or_raise
from lms.common.types import utcnow
from lms.curriculum.models import Subject, SubjectTeacher
from lms.curriculum.services import can_edit_subject, get_subject_for
from lms.extensions import db
from lms.school.models import Classroom, TeacherAssignment
from lms.school.services import get_classroom_for
from lms.streams.models import Stream
from lms.teaching.enrollments import get_student_session, require_approved
from lms.teaching.models import CourseSession, CourseSessionEnrollment
from lms.teaching.models import SessionEnrollmentStatus as Enr
from lms.teaching.services import get_session_for, settings_of

KINDS = ("classroom", "subject", "session")
MEMBER_ENROLLMENTS = (Enr.ENROLLED, Enr.COMPLETED)
COLUMN = {"classroom": "classroom_id", "subject": "subject_id", "session": "course_session_id"}


@dataclass
class Space:
    kind: str
    target: Classroom | Subject | CourseSession
    stream: Stream
    is_manager: bool

    @property
    def title(self) -> str:
        if self.kind == "classroom":
            return _("Class %(name)s", name=self.target.name)
        if self.kind == "subject":
            return self.target.name
        return self.target.session_name

    @property
    def url_args(self) -> dict:
        return {"kind": self.kind, "target_id": self.target.id}

    def students_may_post(self) -> bool:
        if self.kind == "session":
            return bool(settings_of(self.target).allow_student_discussions)
        return bool(self.stream.students_may_post)


def not_found() -> NotFound:
    return NotFound(_("That stream does not exist or is not one of yours."))


def _load_target(actor, kind: str, target_id):
    role = getattr(actor, "role", None)
    if kind == "classroom":
        classroom = get_classroom_for(actor, target_id)
        return classroom, role == Role.ADMIN or role == Role.TEACHER
    if kind == "subject":
        subject = get_subject_for(actor, target_id)
        return subject, can_edit_subject(actor, subject)
    if kind == "session":
        if role == Role.STUDENT:
            course_session, enrollment = get_student_session(actor, target_id)
            require_approved(enrollment)
            return course_session, False
        return get_session_for(actor, target_id), True
    raise not_found()


def stream_of(kind: str, target_id: int) -> Stream:
    """The space's stream, made on first use (two first visits at once: the second reads the first's)."""
    column = getattr(Stream, COLUMN[kind])
    stream = db.session.scalar(select(Stream).where(column == target_id))
    if stream is None:
        try:
            with flush_or_raise(not_found()):
                stream = Stream(**{COLUMN[kind]: target_id})
                db.session.add(stream)
        except NotFound:
            stream = db.session.scalar(select(Stream).where(column == target_id))
    return stream


def open_space(actor, kind: str, target_id) -> Space:
    """The space if ``actor`` may see its stream, else NotFound (Forbidden for a pending student)."""
    if kind not in KINDS or getattr(actor, "role", None) == Role.PARENT:
        raise not_found()
    target, manager = _load_target(actor, kind, target_id)
    return Space(kind, target, stream_of(kind, target.id), manager)


def space_of_stream(stream: Stream) -> tuple[str, int]:
    """``(kind, target id)`` of a stream row."""
    for kind, column in COLUMN.items():
        value = getattr(stream, column)
        if value is not None:
            return kind, value
    raise not_found()


# --- the same rules in SQL (for the poll: one statement) ------------------------------------------
# A student's classrooms are their ACTIVE memberships, whatever the year: reading the current
# academic year would cost a query of its own.  A poll only ever answers "nothing changed" (304);
# as soon as something changed the full page applies the exact rules above.


def _active_classroom_ids(actor):
    from lms.school.models import ClassroomMembership, MembershipStatus

    return select(ClassroomMembership.classroom_id).where(ClassroomMembership.student_id == actor.id,
                                                          ClassroomMembership.status == MembershipStatus.ACTIVE)


def _classroom_condition(actor):
    if actor.role == Role.TEACHER:
        return exists().where(TeacherAssignment.classroom_id == Stream.classroom_id,
                              TeacherAssignment.teacher_id == actor.id)
    return Stream.classroom_id.in_(_active_classroom_ids(actor))


def _subject_condition(actor):
    if actor.role == Role.TEACHER:
        return exists().where(SubjectTeacher.subject_id == Stream.subject_id, SubjectTeacher.teacher_id == actor.id)
    mine = _active_classroom_ids(actor)
    return exists().where(Subject.id == Stream.subject_id, Subject.archived.is_(False), or_(
        Subject.classroom_id.in_(mine),
        and_(Subject.classroom_id.is_(None), Subject.level_id.in_(select(Classroom.level_id).where(Classroom.id.in_(mine))))))


def _session_condition(actor):
    live = and_(CourseSession.id == Stream.course_session_id, CourseSession.is_deleted.is_(False))
    if actor.role == Role.TEACHER:
        return exists().where(live, CourseSession.teacher_id == actor.id)
    return exists().where(live, CourseSessionEnrollment.course_session_id == CourseSession.id,
                          CourseSessionEnrollment.student_id == actor.id,
                          CourseSessionEnrollment.enrollment_status.in_(MEMBER_ENROLLMENTS))


def visibility(actor, kind: str):
    """The WHERE condition on ``Stream`` (of a space of ``kind``) for a poll by ``actor``."""
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return true()
    if role not in (Role.TEACHER, Role.STUDENT):
        return false()
    return {"classroom": _classroom_condition, "subject": _subject_condition, "session": _session_condition}[kind](actor)


def poll_version(actor, kind: str, target_id: int) -> tuple | None:
    """What a poll's tag is made of: the stream's id and ``version`` (moved by every change), read
    with ``actor``'s right to see it in one SELECT.  None: changed or not visible (the full answer is
    needed); a scheduled post whose time has come counts as a change."""
    if kind not in COLUMN:
        return None
    row = db.session.execute(
        select(Stream.id, Stream.version, Stream.next_publish_at)
        .where(getattr(Stream, COLUMN[kind]) == target_id, visibility(actor, kind))).first()
    if row is None or (row.next_publish_at is not None and row.next_publish_at <= utcnow()):
        return None
    return row.id, row.version


def managed_streams(actor):
    """A SELECT of the ids of the streams ``actor`` moderates (admins: every stream)."""
    if getattr(actor, "role", None) == Role.ADMIN:
        return select(Stream.id)
    if getattr(actor, "role", None) != Role.TEACHER:
        return select(Stream.id).where(false())
    return select(Stream.id).where(or_(
        Stream.classroom_id.in_(select(TeacherAssignment.classroom_id).where(TeacherAssignment.teacher_id == actor.id)),
        Stream.subject_id.in_(select(SubjectTeacher.subject_id).where(SubjectTeacher.teacher_id == actor.id)),
        Stream.course_session_id.in_(select(CourseSession.id).where(CourseSession.teacher_id == actor.id,
                                                                     CourseSession.is_deleted.is_(False)))))


def member_ids(space: Space):
    """A SELECT of the ids of the people of the space (its teachers and students): whom @mentions reach."""
    if space.kind == "classroom":
        return select(User.id).where(or_(
            User.id.in_(select(TeacherAssignment.teacher_id).where(TeacherAssignment.classroom_id == space.target.id)),
            User.id.in_(_students_of_classrooms([space.target.id]))))
    if space.kind == "subject":
        subject = space.target
        classrooms = ([subject.classroom_id] if subject.classroom_id else
                      select(Classroom.id).where(Classroom.level_id == subject.level_id))
        return select(User.id).where(or_(
            User.id.in_(select(SubjectTeacher.teacher_id).where(SubjectTeacher.subject_id == subject.id)),
            User.id.in_(_students_of_classrooms(classrooms))))
    return select(User.id).where(or_(
        User.id == space.target.teacher_id,
        User.id.in_(select(CourseSessionEnrollment.student_id).where(
            CourseSessionEnrollment.course_session_id == space.target.id,
            CourseSessionEnrollment.enrollment_status.in_(MEMBER_ENROLLMENTS)))))


def _students_of_classrooms(classroom_ids):
    from lms.core.academic_year import current_academic_year
    from lms.school.models import ClassroomMembership, MembershipStatus

    return select(ClassroomMembership.student_id).where(
        ClassroomMembership.classroom_id.in_(classroom_ids), ClassroomMembership.status == MembershipStatus.ACTIVE,
        ClassroomMembership.academic_year == current_academic_year())
