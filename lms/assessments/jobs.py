"""Background work of assessments: submitting attempts whose time is up (periodic) and
re-scoring answers after a key correction on large sets."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.assessments.grading import rescore_versions
from lms.assessments.models import Submission, SubmissionStatus, counted
from lms.assessments.taking import GRACE_SECONDS, finish_overdue
from lms.common.types import utcnow
from lms.extensions import db
from lms.jobs import background_job


@background_job
def submit_overdue_attempts() -> int:
    """Periodic: submit every attempt whose time is up (idempotent; each in its own commit).
    Previews are left alone: nobody sees them, and the preview page ends one whose time is up."""
    cutoff = utcnow() - timedelta(seconds=GRACE_SECONDS)
    ids = list(db.session.scalars(select(Submission.id).where(
        Submission.status == SubmissionStatus.IN_PROGRESS, Submission.deadline_at < cutoff, counted())
        .order_by(Submission.deadline_at).limit(500)))
    done = 0
    for submission_id in ids:
        submission = db.session.get(Submission, submission_id)
        if submission is not None and finish_overdue(submission):
            done += 1
        db.session.commit()
    return done


@background_job
def rescore_versions_job(version_ids, actor_id: int | None = None) -> int:
    changed = rescore_versions(version_ids, actor_id)
    db.session.commit()
    return changed
