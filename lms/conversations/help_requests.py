"""Students' help requests (seed 002 "support calls"), raised from a section, an assessment or a
teaching session page.

* **Raising**: a student who can see the section, the assessment or the teaching session writes what
  they need help with (plain text, at most ``QUESTION_MAX`` characters).  At most ``MAX_OPEN`` open
  requests each (the student's row is locked while counting, so two tabs cannot both pass), and the
  view is rate-limited.
* **Helpers**: the teachers of the section's subject; the teachers who grade the assessment (its
  owner and the teachers of the subject it belongs to); the teacher of the teaching session.
  Administrators see every request.  Anyone else: 404.
* **Status**: OPEN → ANSWERED (a helper answers; the student is notified and emailed unless they
  turned it off; the answer can be corrected while the request is not closed) → CLOSED (the student
  or a helper closes it; a student may close an open request too).  The queue shows how long each
  request waited: an open one until now, an answered one until its answer.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from lms.assessments.services import get_assessment_for, gradeable_assessment_ids
from lms.auth.models import Role, User
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.services import get_visible
from lms.common.types import utcnow
from lms.communication.email_preferences import send_optional_email
from lms.communication.models import EmailKind
from lms.communication.notifications import notify, register_kind
from lms.conversations.models import ANSWER_MAX, QUESTION_MAX, HelpContext, HelpRequest, HelpStatus
from lms.conversations.text import clean_text
from lms.curriculum.models import Part, Section, SubjectTeacher, Unit
from lms.curriculum.services import get_section_for
from lms.extensions import db
from lms.mail import absolute_url
from lms.teaching.enrollments import get_student_session
from lms.teaching.models import CourseSession

MAX_OPEN = 5
HELP_ANSWERED = register_kind("help_answered", _l("%(name)s answered your help request about “%(title)s”."))
NOT_FOUND = _l("That help request does not exist or is not one of yours.")
STATUSES = (HelpStatus.OPEN, HelpStatus.ANSWERED, HelpStatus.CLOSED)
STATUS_LABELS = {HelpStatus.OPEN: _l("Open"), HelpStatus.ANSWERED: _l("Answered"), HelpStatus.CLOSED: _l("Closed")}
CONTEXT_COLUMNS = {HelpContext.SECTION: "section_id", HelpContext.ASSESSMENT: "assessment_id",
                   HelpContext.SESSION: "course_session_id"}


# --- visibility -----------------------------------------------------------------------------------


def _sections_taught_by(teacher):
    return (select(Section.id).join(Part, Part.id == Section.part_id).join(Unit, Unit.id == Part.unit_id)
            .join(SubjectTeacher, SubjectTeacher.subject_id == Unit.subject_id)
            .where(SubjectTeacher.teacher_id == teacher.id))


def helper_condition(actor):
    """The WHERE condition on ``HelpRequest`` for the requests ``actor`` answers."""
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return HelpRequest.id.is_not(None)
    if role == Role.TEACHER:
        return or_(HelpRequest.section_id.in_(_sections_taught_by(actor)),
                   HelpRequest.assessment_id.in_(gradeable_assessment_ids(actor)),
                   HelpRequest.course_session_id.in_(
                       select(CourseSession.id).where(CourseSession.teacher_id == actor.id)))
    return HelpRequest.id.is_(None)


def visibility(actor):
    if getattr(actor, "role", None) == Role.STUDENT:
        return HelpRequest.student_id == actor.id
    return helper_condition(actor)


def get_request_for(actor, request_id) -> HelpRequest:
    return get_visible(select(HelpRequest).where(visibility(actor)), HelpRequest, request_id, str(NOT_FOUND))


def is_helper(actor, help_request: HelpRequest) -> bool:
    return getattr(actor, "role", None) in (Role.ADMIN, Role.TEACHER) and db.session.scalar(
        select(HelpRequest.id).where(HelpRequest.id == help_request.id, helper_condition(actor))) is not None


_STATUS_ORDER = case((HelpRequest.status == HelpStatus.OPEN, 0), (HelpRequest.status == HelpStatus.ANSWERED, 1),
                     else_=2)


def queue_query(actor, status: str = ""):
    """The requests ``actor`` sees: open first, the longest waiting first; ``status`` filters."""
    stmt = select(HelpRequest).where(visibility(actor))
    if status in STATUSES:
        stmt = stmt.where(HelpRequest.status == status)
    if getattr(actor, "role", None) == Role.STUDENT:
        return stmt.order_by(_STATUS_ORDER, HelpRequest.created_at.desc(), HelpRequest.id.desc())
    return stmt.order_by(_STATUS_ORDER, HelpRequest.created_at, HelpRequest.id)


def open_count(actor) -> int:
    """The nav's count: open requests a teacher answers (a student: their answered ones to read)."""
    role = getattr(actor, "role", None)
    if role == Role.TEACHER:
        return db.session.scalar(select(func.count()).select_from(HelpRequest)
                                 .where(helper_condition(actor), HelpRequest.status == HelpStatus.OPEN)) or 0
    if role == Role.STUDENT:
        return db.session.scalar(select(func.count()).select_from(HelpRequest).where(
            HelpRequest.student_id == actor.id, HelpRequest.status == HelpStatus.ANSWERED)) or 0
    return 0


def queue_version(actor) -> tuple:
    """What changes whenever the queue would look different (one query): the polls' ETag."""
    row = db.session.execute(select(func.count(), func.max(HelpRequest.updated_at))
                             .where(visibility(actor))).first()
    return tuple(row) if row else ()


def waited(help_request: HelpRequest, now: datetime | None = None):
    """How long the request waited: until its answer, or until now while it is open."""
    end = help_request.answered_at or help_request.closed_at or now or utcnow()
    return end - help_request.created_at


def waited_text(help_request: HelpRequest, now: datetime | None = None) -> str:
    """``waited`` in words ("3 hours"), in the reader's language."""
    from flask_babel import format_timedelta

    return format_timedelta(waited(help_request, now), threshold=0.9)


# --- the context ------------------------------------------------------------------------------------


def context_target(student, kind: str, target_id):
    """The section, assessment or teaching session the student asks about (404 when not theirs)."""
    if kind == HelpContext.SECTION:
        return get_section_for(student, target_id)
    if kind == HelpContext.ASSESSMENT:
        return get_assessment_for(student, target_id)
    if kind == HelpContext.SESSION:
        return get_student_session(student, target_id)[0]
    raise NotFound(_("Choose what your question is about."))


def titles_of(requests) -> dict[int, str]:
    """``{request id: the title of what it is about}`` in at most three queries."""
    from lms.assessments.models import Assessment

    wanted = {HelpContext.SECTION: (Section, Section.title), HelpContext.ASSESSMENT: (Assessment, Assessment.title),
              HelpContext.SESSION: (CourseSession, CourseSession.session_name)}
    titles: dict[int, str] = {}
    for kind, (model, title) in wanted.items():
        column = CONTEXT_COLUMNS[kind]
        ids = {getattr(r, column) for r in requests if r.context_kind == kind}
        if ids:
            found = dict(db.session.execute(select(model.id, title).where(model.id.in_(ids))).all())
            titles.update({r.id: found.get(getattr(r, column), "") for r in requests if r.context_kind == kind})
    return titles


def context_link(help_request: HelpRequest, viewer) -> str:
    kind = help_request.context_kind
    if kind == HelpContext.SECTION:
        return url_for("curriculum.sections.detail", section_id=help_request.section_id)
    if kind == HelpContext.ASSESSMENT:
        return url_for("assessments.detail", assessment_id=help_request.assessment_id)
    if getattr(viewer, "role", None) == Role.STUDENT:
        return url_for("teaching.student.detail", session_id=help_request.course_session_id)
    return url_for("teaching.sessions.detail", session_id=help_request.course_session_id)


# --- writing ----------------------------------------------------------------------------------------


def raise_request(student, kind: str, target_id, question) -> HelpRequest:
    if getattr(student, "role", None) != Role.STUDENT:
        raise Forbidden(_("Only students ask for help here."))
    if kind not in CONTEXT_COLUMNS:
        raise ValidationFailed(_("Choose what your question is about."), field="question")
    target = context_target(student, kind, target_id)
    text = clean_text(question, field="question", maximum=QUESTION_MAX, empty=_("Say what you need help with."))
    # Lock the student's row so that two tabs count the open requests one after the other.
    db.session.execute(select(User.id).where(User.id == student.id).with_for_update())
    open_now = db.session.scalar(select(func.count()).select_from(HelpRequest).where(
        HelpRequest.student_id == student.id, HelpRequest.status == HelpStatus.OPEN)) or 0
    if open_now >= MAX_OPEN:
        raise BusinessRuleViolation(
            _("You already have %(count)d open help requests. Close one that is solved before asking again.",
              count=open_now))
    row = HelpRequest(student_id=student.id, context_kind=kind, question=text, status=HelpStatus.OPEN,
                      **{CONTEXT_COLUMNS[kind]: target.id})
    db.session.add(row)
    db.session.flush()
    return row


def answer(actor, help_request: HelpRequest, text) -> HelpRequest:
    if not is_helper(actor, help_request):
        raise Forbidden(_("Only the teachers of this subject can answer this request."))
    if help_request.status == HelpStatus.CLOSED:
        raise Conflict(_("This help request is closed."))
    help_request.answer = clean_text(text, field="answer", maximum=ANSWER_MAX, empty=_("Write your answer first."))
    first_answer = help_request.status == HelpStatus.OPEN
    help_request.status = HelpStatus.ANSWERED
    help_request.answered_by_id = actor.id
    help_request.answered_at = utcnow()
    db.session.flush()
    title = titles_of([help_request]).get(help_request.id, "")
    link = url_for("conversations.help.detail", request_id=help_request.id)
    notify([help_request.student_id], HELP_ANSWERED.code, link=link, name=actor.full_name, title=title)
    student = help_request.student
    if first_answer and student.active:
        send_optional_email(student, EmailKind.MESSAGES, _l("Your help request was answered"), "help_answered",
                            author=actor, title=title,
                            link=absolute_url("conversations.help.detail", request_id=help_request.id))
    return help_request


def close(actor, help_request: HelpRequest) -> HelpRequest:
    own = getattr(actor, "role", None) == Role.STUDENT and help_request.student_id == actor.id
    if not own and not is_helper(actor, help_request):
        raise Forbidden(_("Only the student or their teachers can close this request."))
    if help_request.status == HelpStatus.CLOSED:
        return help_request
    help_request.status = HelpStatus.CLOSED
    help_request.closed_at = utcnow()
    help_request.closed_by_id = actor.id
    db.session.flush()
    return help_request







