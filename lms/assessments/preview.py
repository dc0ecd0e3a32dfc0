"""Trying an assessment as a student (a *preview*): a teacher who may change an assessment, draft
or published, takes it on the students' take page and sees the students' result page.

A preview is an attempt under the teacher's own account; attempts that count are students'
(``models.counted``), so a preview is never in the gradebook, the grading queue, the counts or
the "nobody has answered yet" rules.  Dates and attempt limits do not apply; the time limit does.
A teacher has at most one preview of an assessment: starting again discards the previous one.
"""

from __future__ import annotations

import random

from flask_babel import gettext as _
from sqlalchemy import select

from lms.assessments import services, taking
from lms.assessments.models import Assessment, Submission
from lms.common.errors import NotFound
from lms.extensions import db


def previewable(actor, assessment_id) -> Assessment:
    """The assessment if ``actor`` may change it; anyone else is told it does not exist (404)."""
    assessment = services.get_assessment_for(actor, assessment_id)
    if not services.can_edit_assessment(actor, assessment):
        raise NotFound(_("That assessment does not exist or is not available to you."))
    return assessment


def current_preview(actor, assessment: Assessment) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.assessment_id == assessment.id, Submission.student_id == actor.id)
        .order_by(Submission.id.desc()).limit(1))


def start_preview(actor, assessment: Assessment, *, rng: random.Random | None = None) -> Submission:
    """A new preview of ``assessment`` by ``actor`` (the previous one is discarded)."""
    previewable(actor, assessment.id)
    services.discard_previews(assessment.id, actor.id)
    submission = taking.new_attempt(actor, assessment, 1, rng or random.Random(), due_date=False)  # noqa: S311
    db.session.add(submission)
    db.session.flush()
    taking.add_event(submission.id, "STARTED", actor.id, preview=True)
    db.session.flush()
    return submission


def leave_preview(actor, assessment: Assessment) -> None:
    services.discard_previews(assessment.id, actor.id)
