"""How assessments plug into other domains' signals (``connect_signals``, when the bank's blueprint is registered).

* Resources: anyone who may see an assessment may download its media, and the files frozen with
  its question versions (the file an earlier attempt showed, after it was replaced); so may anyone
  who may see an attempt at it (a parent, a grader); a student's answer file
  is visible to the student, their parents, the assessment's teachers (and admins) but belongs to
  the submission, not to anyone's resource library; a resource
  used by an assessment (as media or as an answer) cannot be deleted from the library.
* Rollover: how much of this year's work still waits for grading (``ungraded_work``), which the
  rollover preview warns about.
* Students: a student who has submitted work or been excused from an assessment cannot be deleted.
* Copying a subject: its assessments come along as drafts (``lms.assessments.copying``).
* Teaching sessions: the assessments a tutor may give one student (published ones the tutor sees)
  and that student's result on it, as the viewer may see it (``assignable_assessments``,
  ``assessment_results``).
"""

from __future__ import annotations

from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.assessments.copying import copy_assessments, copy_preview
from lms.assessments.extensions import extensions_by_pair
from lms.assessments.gradebook import cell_text, counting_cell, excused_pairs
from lms.assessments.grading import waiting_count
from lms.assessments.models import (
    Answer,
    Assessment,
    AssessmentExcusal,
    AssessmentMedia,
    AssessmentStatus,
    QuestionVersion,
    QuestionVersionMedia,
    Submission,
    SubmissionStatus,
    counted,
)
from lms.assessments.services import visibility_condition, visible_assessments
from lms.assessments.taking import results_visible, student_status, submission_visibility
from lms.auth.models import Role
from lms.common.sql import reasons_present
from lms.common.types import utcnow
from lms.core import signals
from lms.extensions import db
from lms.resources.models import Resource


def _media_of_visible_assessments(actor):
    visible = select(Assessment.id).where(visibility_condition(actor))
    return exists().where(AssessmentMedia.resource_id == Resource.id, AssessmentMedia.assessment_id.in_(visible))


def _frozen_media(actor):
    assessments = select(Assessment.id).where(visibility_condition(actor)).union(
        select(Submission.assessment_id).where(submission_visibility(actor)))
    return exists().where(QuestionVersionMedia.resource_id == Resource.id,
                          QuestionVersionMedia.question_version_id == QuestionVersion.id,
                          QuestionVersion.assessment_id.in_(assessments))



def _media_of_visible_submissions(actor):
    """A parent sees the assessment's files their child's attempt shows (and a student those of
    their own attempt at last year's assessment, no longer theirs): an attempt made before files
    were frozen with the question shows the assessment's files now."""
    if getattr(actor, "role", None) not in (Role.PARENT, Role.STUDENT):
        return None
    assessments = select(Submission.assessment_id).where(submission_visibility(actor))
    return exists().where(AssessmentMedia.resource_id == Resource.id, AssessmentMedia.assessment_id.in_(assessments))


def _answer_files(actor):
    visible = select(Submission.id).where(submission_visibility(actor))
    return exists().where(Answer.file_resource_id == Resource.id, Answer.submission_id.in_(visible))


def _answer_files_are_not_library_files(_sender):
    return exists().where(Answer.file_resource_id == Resource.id)



def _assessment_usage(resource) -> list[str]:
    titles = list(db.session.scalars(
        select(Assessment.title).join(AssessmentMedia, AssessmentMedia.assessment_id == Assessment.id)
        .where(AssessmentMedia.resource_id == resource.id).order_by(Assessment.title)))
    frozen = list(db.session.scalars(
        select(Assessment.title).join(QuestionVersion, QuestionVersion.assessment_id == Assessment.id)
        .join(QuestionVersionMedia, QuestionVersionMedia.question_version_id == QuestionVersion.id)
        .where(QuestionVersionMedia.resource_id == resource.id).distinct().order_by(Assessment.title)))
    titles += [title for title in frozen if title not in titles]
    places = [_("Assessment “%(title)s”", title=title) for title in titles]
    answers = db.session.scalar(select(Answer.id).where(Answer.file_resource_id == resource.id).limit(1))
    if answers:
        places.append(_("a student's answer"))
    return places


def _student_history(student) -> list[str]:
    return reasons_present((Submission.student_id == student.id, _("has submitted work")),
                           (AssessmentExcusal.student_id == student.id, _("has been excused from an assessment")))


ASSIGNABLE_LIMIT = 500


def _assignable_assessments(actor, assessment_id=None) -> list[tuple[int, str]]:
    stmt = visible_assessments(actor).with_only_columns(Assessment.id, Assessment.title).where(
        Assessment.status == AssessmentStatus.PUBLISHED)
    if assessment_id is not None:
        stmt = stmt.where(Assessment.id == assessment_id)
    return [tuple(row) for row in db.session.execute(
        stmt.order_by(Assessment.title, Assessment.id).limit(ASSIGNABLE_LIMIT))]


def _result(viewer, assessment: Assessment, attempts: list, *, excused: bool, extension, now) -> dict:
    cell = counting_cell(assessment, attempts, excused=excused, now=now, extension=extension)
    result = {"title": assessment.title, "state": cell.state, "percent": cell.percent,
              "submission_id": cell.submission_id}
    if cell.state == "score":
        shown = next((s for s in attempts if s.id == cell.submission_id), attempts[-1])
        if not results_visible(assessment, shown, viewer, now):
            return {**result, "state": "hidden", "percent": None, "text": _("submitted")}
    if cell.state == "none":
        return {**result, "text": student_status(assessment, attempts, now)[1]}
    return {**result, "text": cell_text(cell)}


def _assessment_results(viewer, pairs=()) -> dict:
    """Each (student, assessment) pair's counting result, in a fixed number of queries."""
    pairs = {(int(s), int(a)) for s, a in pairs}
    if not pairs:
        return {}
    students, assessment_ids = {s for s, _a in pairs}, {a for _s, a in pairs}
    assessments = {a.id: a for a in db.session.scalars(select(Assessment).where(Assessment.id.in_(assessment_ids)))}
    attempts: dict[tuple[int, int], list[Submission]] = {}
    for submission in db.session.scalars(select(Submission).where(
            Submission.student_id.in_(students), Submission.assessment_id.in_(assessment_ids), counted())):
        attempts.setdefault((submission.student_id, submission.assessment_id), []).append(submission)
    excused = excused_pairs(students, assessment_ids)
    extended = extensions_by_pair(students, assessment_ids)
    now = utcnow()
    results = {pair: _result(viewer, assessments[pair[1]], attempts.get(pair, []), excused=pair in excused,
                             extension=extended.get(pair), now=now)
               for pair in pairs if pair[1] in assessments}
    # Link an attempt only for a viewer who may open it (a tutor who does not grade it sees the score only).
    shown = {r["submission_id"] for r in results.values() if r["submission_id"]}
    openable = set(db.session.scalars(select(Submission.id).where(Submission.id.in_(shown),
                                                                  submission_visibility(viewer)))) if shown else set()
    for result in results.values():
        if result["submission_id"] not in openable:
            result["submission_id"] = None
    return results


def _ungraded_work(_sender) -> dict:
    url = url_for("assessments.grading.index", status=SubmissionStatus.SUBMITTED.value) \
        if has_request_context() else None
    return {"count": waiting_count(), "url": url}


def connect_signals() -> None:
    for rule in (_media_of_visible_assessments, _frozen_media, _media_of_visible_submissions, _answer_files):
        signals.resource_visibility.connect(rule)
    signals.resource_outside_library.connect(_answer_files_are_not_library_files)
    signals.resource_usage.connect(_assessment_usage)
    signals.student_history.connect(_student_history)
    signals.subject_copy_preview.connect(copy_preview)
    signals.ungraded_work.connect(_ungraded_work)
    signals.subject_copying.connect(copy_assessments)
    signals.assignable_assessments.connect(_assignable_assessments)
    signals.assessment_results.connect(_assessment_results)
