"""Per-student work in a teaching session (seed 004's ``assessmentData`` and ``exerciseContent``).

A tutor gives one student of the session an assessment and a short Markdown exercise; both live on
the student's enrollment (one of each per student and session) and are audited.  The student sees
only their own, on their session page.

Access: the assignment *grants* the student seeing and taking that one assessment, even when it
is not attached to their classroom's subjects (``lms.core.signals.assessment_grants``), while they
are enrolled (or completed) in a session that is not deleted, and only while it is published.
Nobody else gains anything: another student of the same session does not see it.

Assessments and teaching are siblings, so the list of assessments a tutor may give and the
results come through signals answered by ``lms.assessments.hooks``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.common.edge import has_forbidden_characters
from lms.common.errors import BusinessRuleViolation, ValidationFailed
from lms.common.ids import as_id
from lms.common.types import utcnow
from lms.core import signals
from lms.extensions import db
from lms.teaching import rules
from lms.teaching.models import EXERCISE_MAX, CourseSession, CourseSessionEnrollment
from lms.teaching.models import SessionEnrollmentStatus as Enr
from lms.teaching.services import get_session_for

WORKING = (Enr.ENROLLED, Enr.COMPLETED)


def granted_assessment_ids(student):
    """A SELECT of the assessments given to ``student`` alone in their teaching sessions."""
    return (select(CourseSessionEnrollment.assigned_assessment_id)
            .join(CourseSession, CourseSession.id == CourseSessionEnrollment.course_session_id)
            .where(CourseSessionEnrollment.student_id == student.id,
                   CourseSessionEnrollment.enrollment_status.in_(WORKING),
                   CourseSessionEnrollment.assigned_assessment_id.is_not(None),
                   CourseSession.is_deleted.is_(False)))


def assessment_choices(actor) -> list[tuple[int, str]]:
    """The published assessments ``actor`` may give a student, by title."""
    found: list[tuple[int, str]] = []
    for answer in signals.answers(signals.assignable_assessments, actor):
        found += answer or []
    return found


def _checked_assessment(actor, raw_id) -> int | None:
    if raw_id in (None, ""):
        return None
    assessment_id = as_id(raw_id)
    if assessment_id is None or not any(signals.answers(signals.assignable_assessments, actor,
                                                        assessment_id=assessment_id)):
        raise ValidationFailed(_("Choose a published assessment you can see."), field="assessment_id")
    return assessment_id


def _checked_exercise(text) -> str | None:
    if has_forbidden_characters(text):
        raise ValidationFailed(_("The exercise contains characters that cannot be stored."), field="exercise_content")
    return rules.parse_text(text, "exercise_content",
                            _("The exercise can be at most %(n)d characters.", n=EXERCISE_MAX),
                            minimum=0, maximum=EXERCISE_MAX, required=False)


def assign_work(actor, course_session: CourseSession, enrollment: CourseSessionEnrollment, *,
                assessment_id=None, exercise=None) -> CourseSessionEnrollment:
    """Give (or take back, with nothing) one student's assessment and exercise in this session."""
    get_session_for(actor, course_session.id)
    if enrollment.enrollment_status not in WORKING:
        raise BusinessRuleViolation(_("Only enrolled students can be given work."), code="ENROLLMENT_NOT_ACTIVE")
    new_assessment, new_exercise = _checked_assessment(actor, assessment_id), _checked_exercise(exercise)
    before = {"assessment_id": enrollment.assigned_assessment_id, "exercise": enrollment.exercise_content}
    if before == {"assessment_id": new_assessment, "exercise": new_exercise}:
        return enrollment
    enrollment.assigned_assessment_id, enrollment.exercise_content = new_assessment, new_exercise
    enrollment.work_assigned_at = utcnow() if new_assessment or new_exercise else None
    enrollment.updated_by, enrollment.updated_ip = actor.id, rules.client_ip()
    db.session.flush()
    record(actor, "course_session.assign_work", enrollment, session_id=course_session.id,
           student_id=enrollment.student_id, before=before,
           after={"assessment_id": new_assessment, "exercise": new_exercise})
    return enrollment


def results_for(viewer, enrollments) -> dict[int, dict]:
    """``{enrollment id: result}`` of the assessments given to these students (see the
    ``assessment_results`` signal for the result's keys), as ``viewer`` may see them."""
    given = {e.id: (e.student_id, e.assigned_assessment_id) for e in enrollments if e.assigned_assessment_id}
    if not given:
        return {}
    results: dict = {}
    for answer in signals.answers(signals.assessment_results, viewer, pairs=list(given.values())):
        results.update(answer or {})
    return {enrollment_id: results[pair] for enrollment_id, pair in given.items() if pair in results}
