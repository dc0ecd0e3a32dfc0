"""A supervisor messages a student's tutors: an in-app notification with the supervisor's plain text.

The text is stored as a notification param and shown escaped (notifications are plain text); the
tutors are the teachers of the sessions in the supervisor's scope the student takes part in.
Audited; rate-limited per supervisor on the view (``SUPERVISOR_MESSAGE_LIMIT_PER_USER``).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, ValidationFailed
from lms.communication.notifications import notify, register_kind
from lms.extensions import db
from lms.supervision.scope import TAKING_PART, supervised_scope
from lms.teaching.models import CourseSession, CourseSessionEnrollment

MESSAGE_MAX = 1000

SUPERVISOR_MESSAGE = register_kind(
    "supervisor_message", _l("%(name)s (supervisor) about %(student)s: %(text)s"))


def tutors_of(actor, student: User) -> list[tuple[int, str, int]]:
    """(tutor id, tutor name, teaching-session id) for the sessions in ``actor``'s scope ``student``
    takes part in, by tutor name (one row per tutor: their first such session)."""
    scope = supervised_scope(actor)
    rows = db.session.execute(
        select(User.id, User.full_name, CourseSession.id)
        .join(CourseSession, CourseSession.teacher_id == User.id)
        .join(CourseSessionEnrollment, CourseSessionEnrollment.course_session_id == CourseSession.id)
        .where(scope.sessions_condition(), CourseSessionEnrollment.student_id == student.id,
               CourseSessionEnrollment.deleted_at.is_(None),
               CourseSessionEnrollment.enrollment_status.in_(TAKING_PART),
               User.active.is_(True), User.role.in_((Role.TEACHER, Role.ADMIN)))
        .order_by(User.full_name, User.id, CourseSession.id)).all()
    seen, tutors = set(), []
    for tutor_id, name, session_id in rows:
        if tutor_id not in seen:
            seen.add(tutor_id)
            tutors.append((tutor_id, name, session_id))
    return tutors


def clean_message(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write a message."), field="text")
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=MESSAGE_MAX), field="text")
    return text


def message_tutors(actor, student: User, text: str | None) -> list[str]:
    """Notify ``student``'s tutors (in ``actor``'s scope) of ``text``; the tutors' names."""
    text = clean_message(text)
    tutors = tutors_of(actor, student)
    if not tutors:
        raise BusinessRuleViolation(_("%(student)s has no tutor in your centres to message.",
                                      student=student.full_name))
    for tutor_id, _name, session_id in tutors:  # each tutor's link opens their own session's students
        notify([tutor_id], SUPERVISOR_MESSAGE.code,
               link=url_for("teaching.enrollments.index", session_id=session_id),
               name=actor.full_name, student=student.full_name, text=text)
    record(actor, "supervision.tutor_messaged", student, tutor_ids=[t[0] for t in tutors], length=len(text))
    return [name for _id, name, _sid in tutors]
