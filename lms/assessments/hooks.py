"""How assessments plug into other domains' signals (``connect_signals``, when the bank's blueprint is registered).

* Resources: anyone who may see an assessment may download its media, and the files frozen with
  its question versions (the file an earlier attempt showed, after it was replaced); so may anyone
  who may see an attempt at it (a parent, a grader); a student's answer file
  is visible to the student, their parents, the assessment's teachers (and admins) but belongs to
  the submission, not to anyone's resource library; a resource
  used by an assessment (as media or as an answer) cannot be deleted from the library.
* Students: a student who has submitted work or been excused from an assessment cannot be deleted.
* Copying a subject: its assessments come along as drafts (``lms.assessments.copying``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.assessments.copying import copy_assessments, copy_preview
from lms.assessments.models import (
    Answer,
    Assessment,
    AssessmentExcusal,
    AssessmentMedia,
    QuestionVersion,
    QuestionVersionMedia,
    Submission,
)
from lms.assessments.services import visibility_condition
from lms.assessments.taking import submission_visibility
from lms.auth.models import Role
from lms.common.sql import reasons_present
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


def connect_signals() -> None:
    for rule in (_media_of_visible_assessments, _frozen_media, _media_of_visible_submissions, _answer_files):
        signals.resource_visibility.connect(rule)
    signals.resource_outside_library.connect(_answer_files_are_not_library_files)
    signals.resource_usage.connect(_assessment_usage)
    signals.student_history.connect(_student_history)
    signals.subject_copy_preview.connect(copy_preview)
    signals.subject_copying.connect(copy_assessments)
