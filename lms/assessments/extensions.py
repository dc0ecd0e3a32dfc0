"""Extensions: a student's own due date and/or extra attempts for one assessment.

A teacher who may grade the assessment (or an administrator) grants, changes or removes them;
one row per assessment and student.  ``due_for`` and ``attempts_allowed_for`` are what taking,
the auto-submit job, the gradebook and the student's lists use instead of the assessment's own
settings.  Every change is audited and the student is notified.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessments.models import (
    EXTENSION_MAX_ATTEMPTS,
    EXTENSION_REASON_MAX,
    Assessment,
    AssessmentExtension,
    LatePolicy,
    Submission,
    SubmissionStatus,
)
from lms.assessments.services import attached_node, can_edit_assessment
from lms.audit.services import record
from lms.auth.models import User
from lms.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.common.services import flush_or_raise
from lms.communication.notifications import notify
from lms.core.localtime import DATETIME_FORMAT, to_utc
from lms.curriculum import services as curriculum
from lms.extensions import db
from lms.school import services as school

EARLIEST_YEAR, LATEST_YEAR = 2000, 9998


def extension_of(assessment_id: int, student_id: int) -> AssessmentExtension | None:
    return db.session.scalar(select(AssessmentExtension).where(AssessmentExtension.assessment_id == assessment_id,
                                                               AssessmentExtension.student_id == student_id))


def extensions_by_pair(student_ids, assessment_ids) -> dict[tuple[int, int], AssessmentExtension]:
    """``{(student id, assessment id): extension}`` in one query."""
    students, assessments = list(student_ids), list(assessment_ids)
    if not students or not assessments:
        return {}
    return {(e.student_id, e.assessment_id): e for e in db.session.scalars(select(AssessmentExtension).where(
        AssessmentExtension.student_id.in_(students), AssessmentExtension.assessment_id.in_(assessments)))}


def due_for(assessment: Assessment, extension: AssessmentExtension | None) -> datetime | None:
    """The due date that applies to the student (their extension's, else the assessment's)."""
    if extension is not None and extension.due_at is not None:
        return extension.due_at
    return assessment.due_at


def attempts_allowed_for(assessment: Assessment, extension: AssessmentExtension | None) -> int | None:
    """The attempts the student may make (None: no limit)."""
    if not assessment.attempts_allowed:
        return None
    return assessment.attempts_allowed + (extension.extra_attempts if extension is not None else 0)


def attempt_deadline(assessment: Assessment, started_at: datetime, due: datetime | None) -> datetime | None:
    """When an attempt started at ``started_at`` ends: its time limit, and the due date when late
    work is refused."""
    deadline = started_at + timedelta(minutes=assessment.time_limit_minutes) \
        if assessment.time_limit_minutes else None
    if due and assessment.late_policy == LatePolicy.REFUSE:
        deadline = min(deadline, due) if deadline else due
    return deadline


# --- input --------------------------------------------------------------------------------------------


def _clean_due(assessment: Assessment, value) -> datetime | None:
    text = (value or "").strip() if isinstance(value, str) else value
    if not text:
        return None
    if not assessment.due_at:
        raise ValidationFailed(_("This assessment has no due date to extend."))
    try:
        local = text if isinstance(text, datetime) else datetime.strptime(text, DATETIME_FORMAT)
    except ValueError:
        raise ValidationFailed(_("Enter the new due date and time."), field="due_at") from None
    if not EARLIEST_YEAR <= local.year <= LATEST_YEAR:
        raise ValidationFailed(_("Enter a due date between the years %(low)s and %(high)s.",
                                 low=EARLIEST_YEAR, high=LATEST_YEAR), field="due_at")
    due = to_utc(local)
    if due <= assessment.due_at:
        raise ValidationFailed(_("The new due date must be after the assessment's due date."), field="due_at")
    return due


def _clean_attempts(value) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return 0
    if not text.isdigit() or not 1 <= int(text) <= EXTENSION_MAX_ATTEMPTS:
        raise ValidationFailed(_("Extra attempts must be a whole number from 1 to %(n)s.", n=EXTENSION_MAX_ATTEMPTS),
                               field="extra_attempts")
    return int(text)


def _clean_reason(value) -> str:
    reason = (value or "").strip()
    if any(ord(c) < 32 and c not in "\n\r\t" for c in reason):
        raise ValidationFailed(_("The reason cannot contain control characters."), field="reason")
    if len(reason) > EXTENSION_REASON_MAX:
        raise ValidationFailed(_("The reason can be at most %(n)s characters.", n=EXTENSION_REASON_MAX),
                               field="reason")
    return reason


def _require_grader(actor, assessment: Assessment) -> None:
    if not can_edit_assessment(actor, assessment):
        raise Forbidden(_("Only the assessment's teachers or an administrator can grant extensions."))


# --- granting -----------------------------------------------------------------------------------------


def grant_extension(actor, assessment: Assessment, student, *, due_at=None, extra_attempts=None,
                    reason=None) -> AssessmentExtension:
    """Grant or change ``student``'s extension (``due_at``: a local datetime-local text)."""
    _require_grader(actor, assessment)
    due, extra, reason = _clean_due(assessment, due_at), _clean_attempts(extra_attempts), _clean_reason(reason)
    if due is None and not extra:
        raise ValidationFailed(_("Give a later due date, extra attempts or both."),
                               field="due_at" if assessment.due_at else "extra_attempts")
    row = extension_of(assessment.id, student.id)
    action = "assessment.extension_change" if row is not None else "assessment.extension_grant"
    with flush_or_raise(Conflict(_("The extension was changed at the same time; please try again."))):
        if row is None:
            row = AssessmentExtension(assessment_id=assessment.id, student_id=student.id)
            db.session.add(row)
        row.due_at, row.extra_attempts, row.reason, row.granted_by_id = due, extra, reason, actor.id
    _move_open_deadline(assessment, student.id, due_for(assessment, row))
    record(actor, action, assessment, student_id=student.id, due_at=due, extra_attempts=extra, reason=reason)
    notify([student.id], "extension_granted", link=_take_link(assessment), title=assessment.title,
           due_at=due.isoformat() if due else "", extra_attempts=extra)
    return row


def remove_extension(actor, assessment: Assessment, student) -> bool:
    """Take the extension back (False when there was none); the assessment's rules apply again."""
    _require_grader(actor, assessment)
    row = extension_of(assessment.id, student.id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    _move_open_deadline(assessment, student.id, assessment.due_at)
    record(actor, "assessment.extension_remove", assessment, student_id=student.id)
    notify([student.id], "extension_removed", link=_take_link(assessment), title=assessment.title)
    return True


# --- from the assessment's page ------------------------------------------------------------------------


def extension_candidates(actor, assessment: Assessment) -> list[tuple[object, list]]:
    """``(classroom, students)`` of the classrooms of this year taking the assessment's subject that
    ``actor`` may open (the gradebook's classrooms), for the assessment page's extension list."""
    node = attached_node(assessment)
    if node is None:
        return []
    subject = curriculum.subject_of(node)
    classrooms = [c for c in school.classrooms_of_year(actor, include_archived=False)
                  if c.id == subject.classroom_id or (subject.classroom_id is None and c.level_id == subject.level_id)]
    return [(classroom, [user for user, _profile in school.roster(classroom)]) for classroom in classrooms]


def extension_student(actor, assessment: Assessment, student_id) -> User:
    """A student the assessment is for (see ``extension_candidates``), else NotFound."""
    for _classroom, students in extension_candidates(actor, assessment):
        for student in students:
            if student.id == student_id:
                return student
    raise NotFound(_("That student or assessment is not in this gradebook."))


def extensions_of(assessment: Assessment) -> list[tuple[AssessmentExtension, User]]:
    """The assessment's extensions with their students, by name (one query)."""
    return [(extension, student) for extension, student in db.session.execute(
        select(AssessmentExtension, User).join(User, User.id == AssessmentExtension.student_id)
        .where(AssessmentExtension.assessment_id == assessment.id).order_by(User.full_name, User.id))]


def _move_open_deadline(assessment: Assessment, student_id: int, due: datetime | None) -> None:
    """An attempt in progress ends at the student's due date as it is now."""
    current = db.session.scalar(select(Submission).where(Submission.assessment_id == assessment.id,
                                                         Submission.student_id == student_id,
                                                         Submission.status == SubmissionStatus.IN_PROGRESS))
    if current is not None:
        current.deadline_at = attempt_deadline(assessment, current.started_at, due)
        db.session.flush()


def _take_link(assessment: Assessment) -> str | None:
    from flask import has_request_context, url_for

    return url_for("assessments.take.take", assessment_id=assessment.id) if has_request_context() else None
