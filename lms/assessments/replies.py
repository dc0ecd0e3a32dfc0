"""A student's one reply to the teacher's feedback on a returned attempt.

The student may reply once (the ``feedback_reply`` table's UNIQUE constraint on the attempt
decides when two tabs send at the same moment), once the work is returned with written feedback
(the overall comment or a comment on an answer).  The reply is in the attempt's history, and the
teacher who graded it (and the assessment's owner) get a ``feedback_reply`` notification that
links to the grading page, where the reply is shown; the grading queue marks the attempt "Replied" and
the one-question grading page shows the reply (read-only) under the student's answer.
"""

from __future__ import annotations

from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.assessments.models import FEEDBACK_REPLY_MAX, Answer, FeedbackReply, Submission, SubmissionStatus
from lms.assessments.taking import add_event
from lms.auth.models import Role
from lms.common.edge import has_forbidden_characters
from lms.common.errors import BusinessRuleViolation, Conflict, Forbidden, ValidationFailed
from lms.common.services import flush_or_raise
from lms.communication.notifications import FEEDBACK_REPLY, notify
from lms.extensions import db


def reply_of(submission: Submission) -> FeedbackReply | None:
    return db.session.scalar(select(FeedbackReply).where(FeedbackReply.submission_id == submission.id))


def replied_among(submission_ids) -> set[int]:
    """Which of these attempts have the student's reply (one query, for a page of the grading queue)."""
    ids = list(submission_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(FeedbackReply.submission_id).where(FeedbackReply.submission_id.in_(ids))))


def has_teacher_feedback(submission: Submission) -> bool:
    if (submission.feedback or "").strip():
        return True
    return bool(db.session.scalar(select(exists().where(Answer.submission_id == submission.id, Answer.feedback != ""))))


def reply_problem(student, submission: Submission) -> str | None:
    """Why ``student`` cannot reply to the feedback on ``submission`` now (None: they can)."""
    if getattr(student, "role", None) != Role.STUDENT or submission.student_id != student.id:
        return _("Only the student whose work it is can reply to the feedback.")
    if submission.status != SubmissionStatus.RETURNED or not has_teacher_feedback(submission):
        return _("You can reply once your teacher has returned the work with feedback.")
    if reply_of(submission) is not None:
        return _("You have already replied to this feedback: one reply per piece of work.")
    return None


def reply(student, submission: Submission, body: str) -> FeedbackReply:
    """Store the student's reply (once) and tell the teachers."""
    problem = reply_problem(student, submission)
    if problem and submission.student_id != getattr(student, "id", None):
        raise Forbidden(problem)
    if problem:
        raise (Conflict if reply_of(submission) is not None else BusinessRuleViolation)(problem)
    text = str(body or "").strip()
    if not text:
        raise ValidationFailed(_("Write your reply first."), field="body")
    if has_forbidden_characters(text):
        raise ValidationFailed(_("Remove the control characters (such as NUL bytes) from the text."), field="body")
    if len(text) > FEEDBACK_REPLY_MAX:
        raise ValidationFailed(_("The reply is too long (%(max)s characters at most).", max=FEEDBACK_REPLY_MAX),
                               field="body")
    row = FeedbackReply(submission_id=submission.id, student_id=student.id, body=text)
    with flush_or_raise(Conflict(_("You have already replied to this feedback: one reply per piece of work."))):
        db.session.add(row)
    add_event(submission.id, "REPLIED", student.id)
    teachers = {i for i in (submission.graded_by_id, submission.assessment.owner_id) if i}
    link = url_for("assessments.grading.detail", submission_id=submission.id) if has_request_context() else None
    notify(sorted(teachers), FEEDBACK_REPLY.code, link=link, name=student.full_name, title=submission.assessment.title)
    db.session.flush()
    return row
